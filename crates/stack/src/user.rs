//! Test users: seeded straight into the databases, or registered through
//! auth's API.

use serde_json::json;
use testkit::{GraphqlClient, WsClient, assert_no_errors};
use uuid::Uuid;

/// The password of every test user, seeded or registered.
pub const PASSWORD: &str = "correct horse battery";

/// An argon2id hash (PHC string, the default parameters) of [`PASSWORD`]:
/// what a seeded account stores, so that it can sign in like a registered
/// one without a hash being computed per test.
pub(crate) const PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$/XeZ1otrupwki5iYEGQLOg$ga8vlgJ//shkstnAWMiHrKsTdiN33OCM3uTnoK8n6Fs";

/// A user with a session and an access token.
#[derive(Clone)]
pub struct TestUser {
    pub id: String,
    /// As the test wrote it (auth stores it normalised).
    pub email: String,
    pub access_token: String,
    /// The GraphQL endpoint the test talks to (the stack's front: messaging
    /// if it runs, else users; the router in e2e) as this user.
    pub gql: GraphqlClient,
    /// Auth's GraphQL as this user.
    pub auth_gql: GraphqlClient,
}

impl TestUser {
    /// The same user (same session) through another endpoint: a replica, a
    /// router.
    #[must_use]
    pub fn via(&self, gql: &GraphqlClient) -> TestUser {
        TestUser {
            gql: gql.with_token(&self.access_token),
            ..self.clone()
        }
    }

    /// A `graphql-transport-ws` connection to `url` as this user.
    pub async fn ws(&self, url: &str) -> WsClient {
        WsClient::connect(
            url,
            json!({ "Authorization": format!("Bearer {}", self.access_token) }),
        )
        .await
        .unwrap_or_else(|e| panic!("stack: WebSocket to {url}: {e}"))
    }
}

/// `alice` is `alice@example.com`; an email stays as it is.
pub(crate) fn email_of(who: &str) -> String {
    if who.contains('@') {
        who.to_owned()
    } else {
        format!("{who}@example.com")
    }
}

/// Registers `who` (a name or an email) with [`PASSWORD`] through auth's
/// `register` mutation at `auth_gql`; the user talks to `front`. The users
/// side exists once auth's outbox has delivered (see `Stack::run_pending`).
pub async fn register_at(auth_gql: &GraphqlClient, front: &GraphqlClient, who: &str) -> TestUser {
    let email = email_of(who);
    let resp = auth_gql
        .query(
            "mutation($email: String!, $password: String!) {
               register(input: {email: $email, password: $password}) {
                 auth { accessToken userId }
               }
             }",
            json!({ "email": email, "password": PASSWORD }),
        )
        .await;
    assert_no_errors(&resp);
    let auth = &resp["data"]["register"]["auth"];
    let field = |name: &str| {
        auth[name]
            .as_str()
            .unwrap_or_else(|| panic!("stack: no {name} in {resp}"))
            .to_owned()
    };
    let access_token = field("accessToken");
    TestUser {
        id: field("userId"),
        email,
        gql: front.with_token(&access_token),
        auth_gql: auth_gql.with_token(&access_token),
        access_token,
    }
}

/// What seeding writes in auth: the account (if its normalised `email` is
/// given) and a session; returns the session's access token.
pub(crate) async fn seed_session(
    auth: &auth::Running,
    account_id: Uuid,
    email: Option<&str>,
) -> String {
    use auth::db::{accounts, sessions};
    let service = &auth.service;
    let mut conn = service
        .pool
        .get()
        .await
        .unwrap_or_else(|e| panic!("stack: auth database: {e}"));
    if let Some(email) = email {
        accounts::insert(&mut conn, account_id, email, PASSWORD_HASH)
            .await
            .unwrap_or_else(|e| panic!("stack: inserting the account: {e}"))
            .unwrap_or_else(|| panic!("stack: {email} is taken"));
    }
    let session_id = Uuid::new_v4();
    sessions::insert(
        &mut conn,
        &sessions::NewSession {
            id: session_id,
            account_id,
            expires_at: chrono::Utc::now() + service.refresh_ttl,
            user_agent: None,
            ip: None,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("stack: inserting the session: {e}"));
    // As auth signs in an account whose email is not confirmed (a seeded
    // one): it may write unless confirmation is required.
    let may_write = service.verification.mode == auth::config::EmailVerification::Off;
    let (token, _expires_at) = auth::tokens::issue(
        &service.keys.current(),
        &service.settings,
        account_id,
        session_id,
        may_write,
    )
    .unwrap_or_else(|e| panic!("stack: signing the access token: {e}"));
    token
}

#[cfg(test)]
mod tests {
    use super::{PASSWORD, PASSWORD_HASH};
    use auth::passwords::{HashParams, Hasher};
    use auth::secrets::Password;

    #[tokio::test]
    async fn the_seeded_hash_is_the_passwords() {
        let hasher = Hasher::new(1, HashParams::default());
        let verified = hasher
            .verify(Password::new(PASSWORD), Some(PASSWORD_HASH.to_owned()))
            .await;
        if !matches!(verified, Ok(true)) {
            let fresh = hasher.hash(Password::new(PASSWORD)).await;
            panic!("PASSWORD_HASH is not a hash of PASSWORD ({verified:?}); one is {fresh:?}");
        }
    }
}

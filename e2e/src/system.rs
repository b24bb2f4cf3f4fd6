//! The whole system for one test: the three subgraphs over fresh databases
//! (`stack::Stack`, every worker live as `serve` runs it), and the router in
//! front of them. As deployed, the router's origin is the public one: the
//! services' `PUBLIC_URL` (links in emails, provider callbacks, avatar
//! URLs) is the router's URL.

use std::time::Duration;

use serde_json::json;
use stack::{Stack, TestUser};
use testkit::{GraphqlClient, WsClient};

use crate::router::{RouterProcess, free_port, http_client};

/// A subgraph, to stop one.
pub use stack::Service as Subgraph;

/// A running system; everything stops when it is dropped.
pub struct System {
    pub router: RouterProcess,
    // Dropped after the router.
    stack: Stack,
}

impl System {
    /// Starts auth, users, messaging and the router.
    ///
    /// # Panics
    /// If anything fails to start.
    pub async fn start() -> System {
        Self::start_with_router_env(&[]).await
    }

    /// Like [`start`](Self::start), with extra environment for the router.
    ///
    /// # Panics
    /// If anything fails to start.
    pub async fn start_with_router_env(env: &[(&str, &str)]) -> System {
        Self::start_inner(env, false, Adjust::default()).await
    }

    /// Like [`start`](Self::start), with auth's and users' configurations
    /// adjusted by `auth` and `users` (after the system's own settings).
    ///
    /// # Panics
    /// If anything fails to start.
    pub async fn start_adjusted(
        auth: impl FnOnce(&mut auth::Config) + Send + 'static,
        users: impl FnOnce(&mut users::Config) + Send + 'static,
    ) -> System {
        let adjust = Adjust {
            auth: Box::new(auth),
            users: Box::new(users),
        };
        Self::start_inner(&[], false, adjust).await
    }

    /// Like [`start`](Self::start), without the limits on registrations
    /// per address and messages per user: for load through the router,
    /// where every request comes from one address.
    ///
    /// # Panics
    /// If anything fails to start.
    pub async fn start_unthrottled() -> System {
        Self::start_inner(&[], true, Adjust::default()).await
    }

    async fn start_inner(env: &[(&str, &str)], unthrottled: bool, adjust: Adjust) -> System {
        // The router's port first: the services' URLs are on its origin.
        let router_port = free_port();
        let public_url = format!("http://127.0.0.1:{router_port}");
        let users_public_url = public_url.clone();
        let Adjust {
            auth: adjust_auth,
            users: adjust_users,
        } = adjust;
        let stack = Stack::builder()
            .auth(move |c| {
                c.service.http.trusted_proxies = Some(router_address());
                c.service.public_url = Some(public_url);
                if unthrottled {
                    c.security.register_rate_per_ip = ratelimit::Rate::OFF;
                }
                adjust_auth(c);
            })
            .users(move |c| {
                c.service.http.trusted_proxies = Some(router_address());
                c.service.public_url = Some(users_public_url);
                adjust_users(c);
            })
            .messaging(move |c| {
                c.service.http.trusted_proxies = Some(router_address());
                if unthrottled {
                    c.message_rate = ratelimit::Rate::OFF;
                }
            })
            .live_delivery()
            .start()
            .await;
        let subgraphs = [
            ("auth", stack.auth().graphql_url()),
            ("users", stack.users().graphql_url()),
            ("messaging", stack.messaging().graphql_url()),
        ];
        let router = RouterProcess::start_on(router_port, &subgraphs, env).await;
        System { router, stack }
    }

    /// The services as the system runs them (their own addresses are not
    /// for clients: tests use them to compare with what the router serves).
    pub fn stack(&self) -> &Stack {
        &self.stack
    }

    /// A GraphQL client for the router's endpoint, as a frontend uses it.
    pub fn client(&self) -> GraphqlClient {
        GraphqlClient::new(self.router.graphql_url())
    }

    /// A plain HTTP client (no proxy) for requests [`client`](Self::client)
    /// cannot make (headers, GET, other paths).
    pub fn http(&self) -> reqwest::Client {
        http_client()
    }

    /// Stops one subgraph (the router keeps running).
    pub async fn stop(&mut self, subgraph: Subgraph) {
        self.stack.stop(subgraph).await;
    }

    /// Starts users again after [`stop`](Self::stop), on the same
    /// addresses and database.
    ///
    /// # Panics
    /// If it does not start (or is running).
    pub async fn start_users_again(&mut self) {
        self.stack.restart(Subgraph::Users).await;
    }

    /// `<name>@example.com`, seeded straight into the subgraphs' databases
    /// (as if it had signed up), talking to the router.
    pub async fn user(&self, name: &str) -> TestUser {
        self.stack.seed_user(name).await.via(&self.client())
    }

    /// Signs `<name>@example.com` up through the router and waits until
    /// every subgraph knows the user (users learns of it from auth's outbox).
    ///
    /// # Panics
    /// On errors, or if users never learns of the user.
    pub async fn register(&self, name: &str) -> TestUser {
        let user = stack::register_at(&self.client(), &self.client(), name).await;
        for _ in 0..100 {
            let me = user.gql.query("{ me { id } }", json!({})).await;
            if me["data"]["me"]["id"] == user.id.as_str() {
                return user;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("e2e: users never learned about {}", user.id);
    }

    /// `user` signed in again through the router's `login`: another
    /// session, as a second device of theirs has.
    ///
    /// # Panics
    /// If the sign-in fails.
    pub async fn sign_in_again(&self, user: &TestUser) -> TestUser {
        let resp = self
            .client()
            .query(
                "mutation($email: String!, $password: String!) {
                   login(input: {email: $email, password: $password}) { accessToken }
                 }",
                json!({"email": user.email, "password": stack::PASSWORD}),
            )
            .await;
        let Some(token) = resp["data"]["login"]["accessToken"].as_str() else {
            panic!("e2e: signing {} in again: {resp}", user.email);
        };
        TestUser {
            access_token: token.to_owned(),
            auth_gql: user.auth_gql.with_token(token),
            ..user.clone()
        }
        .via(&self.client())
    }

    /// A `graphql-transport-ws` connection to the router as `user`.
    ///
    /// # Panics
    /// If the router does not acknowledge the connection.
    pub async fn ws(&self, user: &TestUser) -> WsClient {
        user.ws(&self.router.ws_url()).await
    }
}

/// Changes a test makes to the services' configurations.
struct Adjust {
    auth: Box<dyn FnOnce(&mut auth::Config) + Send>,
    users: Box<dyn FnOnce(&mut users::Config) + Send>,
}

impl Default for Adjust {
    fn default() -> Self {
        Self {
            auth: Box::new(|_| {}),
            users: Box::new(|_| {}),
        }
    }
}

/// Where the router calls the subgraphs from, as `xtask up` and compose.yml
/// tell them: its `x-forwarded-for` is believed, anybody else's is not.
fn router_address<T: std::str::FromStr<Err: std::fmt::Display>>() -> T {
    "127.0.0.1/32"
        .parse()
        .unwrap_or_else(|e| panic!("e2e: trusted proxies: {e}"))
}

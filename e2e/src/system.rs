//! The whole system for one test: the three subgraphs over fresh databases,
//! and the router in front of them.

use std::time::Duration;

use serde_json::{Value, json};
use testkit::{GraphqlClient, TestDatabase, WsClient, assert_no_errors};

use crate::router::{RouterProcess, http_client, repo_root};

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery";

/// A subgraph, to stop one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subgraph {
    Auth,
    Users,
    Messaging,
}

/// A running system; everything stops when it is dropped.
pub struct System {
    pub router: RouterProcess,
    messaging: Option<messaging::Running>,
    users: Option<users::Running>,
    auth: Option<auth::Running>,
    /// Auth's outbox worker (creates users in users), pointed at users.
    auth_worker: Option<auth::Running>,
    /// How users was started (with the addresses it got), to start it again.
    users_config: users::Config,
    // Dropped last: the databases outlive the services using them.
    _databases: [TestDatabase; 3],
}

/// A registered user, known to every subgraph, signed in.
#[derive(Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub access_token: String,
    /// The router's GraphQL endpoint as this user.
    pub gql: GraphqlClient,
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
        Self::start_inner(env, false).await
    }

    /// Like [`start`](Self::start), without the limits on registrations
    /// per address and messages per user: for load through the router,
    /// where every request comes from one address.
    ///
    /// # Panics
    /// If anything fails to start.
    pub async fn start_unthrottled() -> System {
        Self::start_inner(&[], true).await
    }

    async fn start_inner(env: &[(&str, &str)], unthrottled: bool) -> System {
        let migrations = repo_root().join("migrations");
        let (auth_db, users_db, messaging_db) = tokio::join!(
            TestDatabase::new(migrations.join("auth")),
            TestDatabase::new(migrations.join("users")),
            TestDatabase::new(migrations.join("messaging")),
        );

        // Users validates tokens with auth, and auth's outbox worker creates
        // users in users: auth's servers, then users, then auth's worker.
        let mut auth_config = auth::Config::defaults();
        auth_config.service.database_url = auth_db.url().to_owned();
        auth_config.service.db_pool_size = 4;
        auth_config.hash_concurrency = 2;
        auth_config.service.http.trusted_proxies = Some(router_address());
        if unthrottled {
            auth_config.security.register_rate_per_ip = ratelimit::Rate::OFF;
        }
        let auth = auth::start(
            &auth_config,
            auth::Parts {
                worker: false,
                ..auth::Parts::ALL
            },
        )
        .await
        .unwrap_or_else(|e| panic!("e2e: starting auth: {e}"));

        let mut users_config = users::Config::defaults();
        users_config.service.database_url = users_db.url().to_owned();
        users_config.service.db_pool_size = 4;
        users_config.service.http.trusted_proxies = Some(router_address());
        users_config.auth_grpc_url = auth.grpc_url();
        let users = users::start(&users_config, users::Parts::ALL)
            .await
            .unwrap_or_else(|e| panic!("e2e: starting users: {e}"));
        // A restart comes back where the router expects it.
        if let (Some(http), Some(grpc)) = (users.http_addr, users.grpc_addr) {
            (
                users_config.service.http_addr,
                users_config.service.grpc_addr,
            ) = (http, grpc);
        }

        auth_config.users_grpc_url = users.grpc_url();
        let auth_worker = auth::start(&auth_config, auth::Parts::WORKER_ONLY)
            .await
            .unwrap_or_else(|e| panic!("e2e: starting auth's worker: {e}"));

        let mut messaging_config = messaging::Config::defaults();
        messaging_config.service.database_url = messaging_db.url().to_owned();
        messaging_config.service.db_pool_size = 4;
        messaging_config.service.http.trusted_proxies = Some(router_address());
        messaging_config.auth_grpc_url = auth.grpc_url();
        messaging_config.users_grpc_url = users.grpc_url();
        if unthrottled {
            messaging_config.message_rate = ratelimit::Rate::OFF;
        }
        let messaging = messaging::start(&messaging_config, messaging::Parts::ALL)
            .await
            .unwrap_or_else(|e| panic!("e2e: starting messaging: {e}"));

        let subgraphs = [
            ("auth", auth.graphql_url()),
            ("users", users.graphql_url()),
            ("messaging", messaging.graphql_url()),
        ];
        let router = RouterProcess::start(&subgraphs, env).await;
        System {
            router,
            messaging: Some(messaging),
            users: Some(users),
            auth: Some(auth),
            auth_worker: Some(auth_worker),
            users_config,
            _databases: [auth_db, users_db, messaging_db],
        }
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
        match subgraph {
            Subgraph::Auth => {
                for auth in [self.auth.take(), self.auth_worker.take()]
                    .into_iter()
                    .flatten()
                {
                    auth.stop().await;
                }
            }
            Subgraph::Users => {
                if let Some(users) = self.users.take() {
                    users.stop().await;
                }
            }
            Subgraph::Messaging => {
                if let Some(messaging) = self.messaging.take() {
                    messaging.stop().await;
                }
            }
        }
    }

    /// Starts users again after [`stop`](Self::stop), on the same
    /// addresses and database.
    ///
    /// # Panics
    /// If it does not start (or is running).
    pub async fn start_users_again(&mut self) {
        assert!(self.users.is_none(), "e2e: users is running");
        let users = users::start(&self.users_config, users::Parts::ALL)
            .await
            .unwrap_or_else(|e| panic!("e2e: starting users again: {e}"));
        self.users = Some(users);
    }

    /// Registers `<name>@example.com` through the router and waits until
    /// every subgraph knows the user (users learns of it from auth's outbox).
    ///
    /// # Panics
    /// On errors, or if users never learns of the user.
    pub async fn user(&self, name: &str) -> TestUser {
        let email = format!("{name}@example.com");
        let resp = self
            .client()
            .query(
                "mutation($email: String!, $password: String!) {
                   register(input: {email: $email, password: $password}) {
                     auth { accessToken userId }
                   }
                 }",
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_no_errors(&resp);
        let auth = &resp["data"]["register"]["auth"];
        let user = TestUser {
            id: str_at(auth, "userId"),
            access_token: str_at(auth, "accessToken"),
            gql: self.client().with_token(&str_at(auth, "accessToken")),
            email,
        };
        for _ in 0..100 {
            let me = user.gql.query("{ me { id } }", json!({})).await;
            if me["data"]["me"]["id"] == user.id.as_str() {
                return user;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("e2e: users never learned about {}", user.id);
    }

    /// A `graphql-transport-ws` connection to the router as `user`.
    ///
    /// # Panics
    /// If the router does not acknowledge the connection.
    pub async fn ws(&self, user: &TestUser) -> WsClient {
        WsClient::connect(
            &self.router.ws_url(),
            json!({ "Authorization": format!("Bearer {}", user.access_token) }),
        )
        .await
        .unwrap_or_else(|e| panic!("e2e: WebSocket to the router: {e}"))
    }
}

/// Where the router calls the subgraphs from, as `xtask up` and compose.yml
/// tell them: its `x-forwarded-for` is believed, anybody else's is not.
fn router_address<T: std::str::FromStr<Err: std::fmt::Display>>() -> T {
    "127.0.0.1/32"
        .parse()
        .unwrap_or_else(|e| panic!("e2e: trusted proxies: {e}"))
}

fn str_at(value: &Value, key: &str) -> String {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("e2e: {key} missing in {value}"))
        .to_owned()
}

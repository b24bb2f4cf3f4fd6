//! One running stack for a test: auth, and as the test asks users and
//! messaging, each on free ports over a fresh database of its own
//! ([`TestDatabase`]). The integration tests of users and messaging and the
//! e2e suite (which puts the router in front) all start theirs here.
//!
//! ```ignore
//! let stack = Stack::builder().users(|_| {}).start().await;
//! let alice = stack.seed_user("alice").await; // straight into the databases
//! let bob = stack.seed_user("bob").await;
//! alice.gql.query(SEND_FRIEND_REQUEST, json!({ "id": bob.id })).await;
//! stack.run_pending().await; // the notification is in bob's feed now
//! ```
//!
//! - Users: [`Stack::seed_user`] writes the account, a session and the
//!   profile straight into auth's and users' databases, with the services'
//!   own library functions, and signs the access token with auth's key: no
//!   sign-up, no argon2, no outbox, no waiting. [`Stack::register`] signs up
//!   through auth's API, for the tests about signing up.
//! - Delivery: unless asked otherwise no outbox worker runs, and
//!   [`Stack::run_pending`] drives every service's worker until nothing is
//!   due, so a test sees the effects of its events without polling. Tests
//!   whose subject is live delivery (subscriptions, `EVENTS=broker`, faults)
//!   ask for [`StackBuilder::live_delivery`]: every worker runs as `serve`
//!   runs it.
//!
//! Everything panics with a `stack: ...` message on failure: this is test
//! code, and a clear panic is the best report.

mod config;
mod user;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use grpc_api::ServiceChannel;
use grpc_api::users::v1::GetUsersRequest;
use grpc_api::users::v1::users_client::UsersClient;
use testkit::events::Mode;
use testkit::{GraphqlClient, TestDatabase, TestEvents, WsClient};
use users::Parts;
use uuid::Uuid;

pub use config::{auth_config, events_settings, messaging_config, users_config};
pub use user::{PASSWORD, TestUser, register_at};

pub const AUTH_MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/auth");
pub const USERS_MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/users");
pub const MESSAGING_MIGRATIONS: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/messaging");

/// A service of the stack, to stop or restart it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Auth,
    Users,
    Messaging,
}

type Adjust<C> = Box<dyn FnOnce(&mut C) + Send>;

/// What to start; see [`Stack::builder`].
pub struct StackBuilder {
    events: TestEvents,
    live: bool,
    auth: Adjust<auth::Config>,
    users: Option<Adjust<users::Config>>,
    messaging: Option<Adjust<messaging::Config>>,
}

impl StackBuilder {
    /// The `EVENTS` mode of every process (default: outbox).
    #[must_use]
    pub fn events(mut self, events: TestEvents) -> Self {
        self.events = events;
        self
    }

    /// Adjusts auth's configuration (after the stack's settings).
    #[must_use]
    pub fn auth(mut self, adjust: impl FnOnce(&mut auth::Config) + Send + 'static) -> Self {
        self.auth = Box::new(adjust);
        self
    }

    /// Starts users, its configuration adjusted by `adjust`.
    #[must_use]
    pub fn users(mut self, adjust: impl FnOnce(&mut users::Config) + Send + 'static) -> Self {
        self.users = Some(Box::new(adjust));
        self
    }

    /// Starts messaging (and users, which it needs), its configuration
    /// adjusted by `adjust`.
    #[must_use]
    pub fn messaging(
        mut self,
        adjust: impl FnOnce(&mut messaging::Config) + Send + 'static,
    ) -> Self {
        if self.users.is_none() {
            self.users = Some(Box::new(|_| {}));
        }
        self.messaging = Some(Box::new(adjust));
        self
    }

    /// Every process runs its outbox worker (and with `EVENTS=broker` its
    /// consumer) as `serve` does, instead of [`Stack::run_pending`].
    #[must_use]
    pub fn live_delivery(mut self) -> Self {
        self.live = true;
        self
    }

    /// Auth first (users and messaging validate tokens with it), then users,
    /// then messaging, then auth's worker, which needs users' address.
    pub async fn start(self) -> Stack {
        // Boxed: the start-up holds every configuration, and a test's own
        // future would carry it all.
        Box::pin(self.start_unboxed()).await
    }

    async fn start_unboxed(self) -> Stack {
        let StackBuilder {
            events,
            live,
            auth: adjust_auth,
            users: adjust_users,
            messaging: adjust_messaging,
        } = self;
        let (auth_db, users_db, messaging_db) = tokio::join!(
            TestDatabase::new(AUTH_MIGRATIONS),
            maybe(adjust_users.is_some(), || TestDatabase::new(
                USERS_MIGRATIONS
            )),
            maybe(adjust_messaging.is_some(), || {
                TestDatabase::new(MESSAGING_MIGRATIONS)
            }),
        );

        let mut auth_config = auth_config(auth_db.url());
        events_settings(&mut auth_config.service.outbox, &events);
        adjust_auth(&mut auth_config);
        let auth = auth::start(&auth_config, SERVERS)
            .await
            .unwrap_or_else(|e| panic!("stack: starting auth: {e}"));

        let mut users_config = None;
        let mut users = None;
        if let (Some(adjust), Some(db)) = (adjust_users, &users_db) {
            let mut config = config::users_config(db.url(), &auth.grpc_url());
            events_settings(&mut config.service.outbox, &events);
            adjust(&mut config);
            let running = users::start(&config, parts(live))
                .await
                .unwrap_or_else(|e| panic!("stack: starting users: {e}"));
            running
                .grpc_url()
                .clone_into(&mut auth_config.users_grpc_url);
            users = Some(running);
            users_config = Some(Box::new(config));
        }

        let mut messaging_config = None;
        let mut messaging = None;
        if let (Some(adjust), Some(db), Some(users)) = (adjust_messaging, &messaging_db, &users) {
            let mut config =
                config::messaging_config(db.url(), &auth.grpc_url(), &users.grpc_url());
            events_settings(&mut config.service.outbox, &events);
            adjust(&mut config);
            let running = messaging::start(&config, parts(live))
                .await
                .unwrap_or_else(|e| panic!("stack: starting messaging: {e}"));
            // Users tells messaging of blocks and privacy settings; it
            // started first, so it learns the address now (and its
            // configuration, for replicas and restarts).
            let url = running.grpc_url();
            users
                .service
                .messaging
                .connect_to(&url)
                .unwrap_or_else(|e| panic!("stack: messaging's gRPC URL: {e}"));
            if let Some(config) = &mut users_config {
                config.messaging_grpc_url = url;
            }
            messaging = Some(running);
            messaging_config = Some(Box::new(config));
        }

        // Auth's worker: a process of its own as `auth worker` runs, or
        // driven by run_pending.
        let mut auth_worker = None;
        let mut workers = Vec::new();
        if live {
            auth_worker = Some(
                auth::start(&auth_config, auth::Parts::WORKER_ONLY)
                    .await
                    .unwrap_or_else(|e| panic!("stack: starting auth's worker: {e}")),
            );
        } else {
            let (worker, _) = auth::outbox(&auth_config, &auth)
                .unwrap_or_else(|e| panic!("stack: auth's outbox worker: {e}"));
            workers.push(worker);
            if let (Some(config), Some(running)) = (&users_config, &users) {
                workers.push(users::outbox(config, running).0);
            }
            if let (Some(config), Some(running)) = (&messaging_config, &messaging) {
                workers.push(messaging::outbox(config, running).0);
            }
        }

        let bound = Bound {
            auth: addresses(auth.http_addr, auth.grpc_addr),
            users: users.as_ref().map(|u| addresses(u.http_addr, u.grpc_addr)),
            messaging: messaging
                .as_ref()
                .map(|m| addresses(m.http_addr, m.grpc_addr)),
        };
        Stack {
            auth: Some(auth),
            auth_worker,
            users,
            messaging,
            workers,
            bound,
            live,
            auth_config: Box::new(auth_config),
            users_config,
            messaging_config,
            auth_db,
            users_db,
            messaging_db,
            events,
        }
    }
}

async fn maybe<F: Future<Output = TestDatabase>>(
    wanted: bool,
    make: impl FnOnce() -> F,
) -> Option<TestDatabase> {
    if wanted { Some(make().await) } else { None }
}

/// Where each service listens: a restart comes back there.
struct Bound {
    auth: (SocketAddr, SocketAddr),
    users: Option<(SocketAddr, SocketAddr)>,
    messaging: Option<(SocketAddr, SocketAddr)>,
}

fn addresses(http: Option<SocketAddr>, grpc: Option<SocketAddr>) -> (SocketAddr, SocketAddr) {
    match (http, grpc) {
        (Some(http), Some(grpc)) => (http, grpc),
        _ => panic!("stack: a service without its addresses"),
    }
}

/// HTTP and gRPC, and the worker only when delivery is live (`Parts` is
/// the same type for every service).
fn parts(live: bool) -> Parts {
    Parts {
        worker: live,
        ..Parts::ALL
    }
}

/// HTTP and gRPC without the worker.
const SERVERS: Parts = Parts {
    worker: false,
    ..Parts::ALL
};

/// The running services of one test; everything stops and the databases
/// are dropped when it is dropped.
pub struct Stack {
    // Fields drop in order: the services before the databases they use.
    auth: Option<auth::Running>,
    /// Auth's worker process (live delivery).
    auth_worker: Option<auth::Running>,
    users: Option<users::Running>,
    messaging: Option<messaging::Running>,
    /// Auth's, users' and messaging's workers, for run_pending.
    workers: Vec<outbox::Worker>,
    bound: Bound,
    live: bool,
    // Boxed, as a test's future holds the stack.
    auth_config: Box<auth::Config>,
    users_config: Option<Box<users::Config>>,
    messaging_config: Option<Box<messaging::Config>>,
    auth_db: TestDatabase,
    users_db: Option<TestDatabase>,
    messaging_db: Option<TestDatabase>,
    /// The `EVENTS` mode of every process of the stack (and its stream).
    pub events: TestEvents,
}

impl Stack {
    /// Auth alone, in outbox mode, delivery on demand; add what the test
    /// needs.
    pub fn builder() -> StackBuilder {
        StackBuilder {
            events: TestEvents::new(Mode::Outbox),
            live: false,
            auth: Box::new(|_| {}),
            users: None,
            messaging: None,
        }
    }

    pub fn auth(&self) -> &auth::Running {
        self.auth
            .as_ref()
            .unwrap_or_else(|| panic!("stack: auth is stopped"))
    }

    pub fn users(&self) -> &users::Running {
        self.users
            .as_ref()
            .unwrap_or_else(|| panic!("stack: users is not running"))
    }

    pub fn messaging(&self) -> &messaging::Running {
        self.messaging
            .as_ref()
            .unwrap_or_else(|| panic!("stack: messaging is not running"))
    }

    pub fn auth_db(&self) -> &TestDatabase {
        &self.auth_db
    }

    pub fn users_db(&self) -> &TestDatabase {
        self.users_db
            .as_ref()
            .unwrap_or_else(|| panic!("stack: no users in this stack"))
    }

    pub fn messaging_db(&self) -> &TestDatabase {
        self.messaging_db
            .as_ref()
            .unwrap_or_else(|| panic!("stack: no messaging in this stack"))
    }

    /// Auth's configuration in this stack (free ports): for another auth
    /// process over the same database.
    pub fn auth_config(&self) -> auth::Config {
        (*self.auth_config).clone()
    }

    /// Users' configuration in this stack (free ports): for a replica.
    pub fn users_config(&self) -> users::Config {
        self.users_config
            .as_deref()
            .cloned()
            .unwrap_or_else(|| panic!("stack: no users in this stack"))
    }

    /// Messaging's configuration in this stack (free ports): for a replica.
    pub fn messaging_config(&self) -> messaging::Config {
        self.messaging_config
            .as_deref()
            .cloned()
            .unwrap_or_else(|| panic!("stack: no messaging in this stack"))
    }

    /// The GraphQL endpoint tests talk to, anonymous: messaging if it runs,
    /// else users, else auth.
    pub fn gql(&self) -> GraphqlClient {
        if let Some(messaging) = &self.messaging {
            GraphqlClient::new(messaging.graphql_url())
        } else if let Some(users) = &self.users {
            GraphqlClient::new(users.graphql_url())
        } else {
            self.auth_gql()
        }
    }

    /// Auth's GraphQL endpoint, anonymous.
    pub fn auth_gql(&self) -> GraphqlClient {
        GraphqlClient::new(self.auth().graphql_url())
    }

    /// A subscription connection for `user` to the endpoint of [`gql`](Self::gql).
    pub async fn ws(&self, user: &TestUser) -> WsClient {
        let url = if let Some(messaging) = &self.messaging {
            messaging.ws_url()
        } else {
            self.users().ws_url()
        };
        user.ws(&url).await
    }

    /// A direct connection to auth's database.
    pub async fn auth_sql(&self) -> tokio_postgres::Client {
        testkit::connect_pg(self.auth_db.url()).await
    }

    /// A direct connection to users' database.
    pub async fn users_sql(&self) -> tokio_postgres::Client {
        testkit::connect_pg(self.users_db().url()).await
    }

    /// A direct connection to messaging's database.
    pub async fn messaging_sql(&self) -> tokio_postgres::Client {
        testkit::connect_pg(self.messaging_db().url()).await
    }

    /// A users gRPC client with the services' credential.
    pub async fn users_grpc(&self) -> UsersClient<ServiceChannel> {
        users_grpc_client(&self.users().grpc_url()).await
    }

    /// A second users process on the same database (and the same events).
    pub async fn users_replica(&self) -> users::Running {
        users::start(&self.users_config(), parts(self.live))
            .await
            .unwrap_or_else(|e| panic!("stack: starting a users replica: {e}"))
    }

    /// A second messaging process on the same database (and the same events).
    pub async fn messaging_replica(&self) -> messaging::Running {
        messaging::start(&self.messaging_config(), parts(self.live))
            .await
            .unwrap_or_else(|e| panic!("stack: starting a messaging replica: {e}"))
    }

    /// Stops `service` (auth: its worker process too).
    pub async fn stop(&mut self, service: Service) {
        match service {
            Service::Auth => {
                for auth in [self.auth.take(), self.auth_worker.take()]
                    .into_iter()
                    .flatten()
                {
                    auth.stop().await;
                }
            }
            Service::Users => {
                if let Some(users) = self.users.take() {
                    users.stop().await;
                }
            }
            Service::Messaging => {
                if let Some(messaging) = self.messaging.take() {
                    messaging.stop().await;
                }
            }
        }
    }

    /// Starts `service` again after [`stop`](Self::stop), on the same
    /// addresses and database (so auth has the same signing keys).
    pub async fn restart(&mut self, service: Service) {
        let parts = parts(self.live);
        match service {
            Service::Auth => {
                assert!(self.auth.is_none(), "stack: auth is running");
                let mut config = self.auth_config();
                (config.service.http_addr, config.service.grpc_addr) = self.bound.auth;
                self.auth = Some(
                    auth::start(&config, SERVERS)
                        .await
                        .unwrap_or_else(|e| panic!("stack: starting auth again: {e}")),
                );
                if self.live {
                    self.auth_worker = Some(
                        auth::start(&config, auth::Parts::WORKER_ONLY)
                            .await
                            .unwrap_or_else(|e| panic!("stack: starting auth's worker again: {e}")),
                    );
                }
            }
            Service::Users => {
                assert!(self.users.is_none(), "stack: users is running");
                let mut config = self.users_config();
                if let Some(bound) = self.bound.users {
                    (config.service.http_addr, config.service.grpc_addr) = bound;
                }
                self.users = Some(
                    users::start(&config, parts)
                        .await
                        .unwrap_or_else(|e| panic!("stack: starting users again: {e}")),
                );
            }
            Service::Messaging => {
                assert!(self.messaging.is_none(), "stack: messaging is running");
                let mut config = self.messaging_config();
                if let Some(bound) = self.bound.messaging {
                    (config.service.http_addr, config.service.grpc_addr) = bound;
                }
                self.messaging = Some(
                    messaging::start(&config, parts)
                        .await
                        .unwrap_or_else(|e| panic!("stack: starting messaging again: {e}")),
                );
            }
        }
    }

    /// A user written straight into the databases, as if it had signed up
    /// and users had been told: auth's account (password [`PASSWORD`]) and
    /// a session, users' profile (with a random default nickname, as every
    /// new user: `user_…`; tests that need a nickname set one). `who` is a
    /// name (`alice` is `alice@example.com`) or an email.
    pub async fn seed_user(&self, who: &str) -> TestUser {
        let email = user::email_of(who);
        // Stored as auth stores it.
        let normalized = auth::validate::normalize_email(&email)
            .unwrap_or_else(|e| panic!("stack: seeding {email}: {e:?}"));
        let account_id = Uuid::now_v7();
        let access_token = user::seed_session(self.auth(), account_id, Some(&normalized)).await;
        if let Some(users) = &self.users {
            users
                .service
                .create_user(account_id)
                .await
                .unwrap_or_else(|e| panic!("stack: creating the user of {email}: {e:?}"));
        }
        self.test_user(account_id.to_string(), email, access_token)
    }

    /// `user` signed in again: another session (another device), seeded.
    pub async fn sign_in_again(&self, user: &TestUser) -> TestUser {
        let account_id = user
            .id
            .parse()
            .unwrap_or_else(|e| panic!("stack: user id {}: {e}", user.id));
        let access_token = user::seed_session(self.auth(), account_id, None).await;
        self.test_user(user.id.clone(), user.email.clone(), access_token)
    }

    fn test_user(&self, id: String, email: String, access_token: String) -> TestUser {
        TestUser {
            gql: self.gql().with_token(&access_token),
            auth_gql: self.auth_gql().with_token(&access_token),
            id,
            email,
            access_token,
        }
    }

    /// Signs `who` up through auth's `register` mutation. Users creates the
    /// user when auth's outbox delivers: [`run_pending`](Self::run_pending),
    /// or with live delivery [`wait_until_known`](Self::wait_until_known).
    pub async fn register(&self, who: &str) -> TestUser {
        register_at(&self.auth_gql(), &self.gql(), who).await
    }

    /// Waits (up to 10 s) until users knows `user` (live delivery).
    pub async fn wait_until_known(&self, user: &TestUser) {
        let mut grpc = self.users_grpc().await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = grpc
                .get_users(GetUsersRequest {
                    ids: vec![user.id.clone()],
                })
                .await
                .unwrap_or_else(|e| panic!("stack: GetUsers: {e}"))
                .into_inner()
                .users;
            if !found.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "stack: users never learned about {}",
                user.email
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Makes `a` and `b` friends straight in users' database, for tests
    /// that are not about friend requests (groups admit friends only).
    pub async fn befriend(&self, a: &TestUser, b: &TestUser) {
        let (low, high) = if a.id < b.id { (a, b) } else { (b, a) };
        let (low, high): (Uuid, Uuid) = (
            low.id
                .parse()
                .unwrap_or_else(|e| panic!("stack: user id {}: {e}", low.id)),
            high.id
                .parse()
                .unwrap_or_else(|e| panic!("stack: user id {}: {e}", high.id)),
        );
        // Parsed above: the ids are UUIDs, safe to format in.
        self.users_sql()
            .await
            .batch_execute(&format!(
                "INSERT INTO friendships (user_a, user_b, state, requested_by, accepted_at) \
                 VALUES ('{low}', '{high}', 'accepted', '{low}', now())"
            ))
            .await
            .unwrap_or_else(|e| panic!("stack: befriending: {e}"));
    }

    /// Delivers every event that is due, service by service (auth's first:
    /// they create users), until a round finds nothing: what the workers
    /// would have done by now. Events whose delivery failed wait for their
    /// retry, as with a running worker.
    pub async fn run_pending(&self) {
        assert!(
            !self.live,
            "stack: the workers of this stack deliver live; wait for the effect instead"
        );
        assert!(
            !self.events.is_broker(),
            "stack: with EVENTS=broker events travel through JetStream: use live_delivery()"
        );
        loop {
            let mut processed = 0;
            for worker in &self.workers {
                processed += worker
                    .run_once()
                    .await
                    .unwrap_or_else(|e| panic!("stack: an outbox batch: {e}"));
            }
            if processed == 0 {
                return;
            }
        }
    }
}

/// A users gRPC client at `url` that proves itself as our services do (the
/// credential `Config::defaults()` gives every service of this process).
pub async fn users_grpc_client(url: &str) -> UsersClient<ServiceChannel> {
    let channel = grpc_api::channel::connect(url, &grpc_api::ServiceToken::ephemeral())
        .await
        .unwrap_or_else(|e| panic!("stack: users gRPC at {url}: {e}"));
    UsersClient::new(channel)
}

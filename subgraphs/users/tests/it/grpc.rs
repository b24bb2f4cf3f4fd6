//! CreateUser and GetUsers over real gRPC (only for callers with the
//! services' credential), and the registration path from auth through its
//! outbox to users.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::common::{Person, is_default_nickname, start_live};
use grpc_api::users::v1::users_client::UsersClient;
use grpc_api::users::v1::{CreateUserRequest, GetUsersRequest};
use stack::{AUTH_MIGRATIONS, USERS_MIGRATIONS, users_grpc_client as grpc_client};
use testkit::events::Mode;
use testkit::{GraphqlClient, TestDatabase, TestEvents};
use uuid::Uuid;

fn create(account_id: &str, email: &str) -> CreateUserRequest {
    CreateUserRequest {
        account_id: account_id.to_owned(),
        email: email.to_owned(),
    }
}

/// A users service alone (its auth is never called by gRPC).
async fn users_alone() -> (users::Running, TestDatabase) {
    let db = TestDatabase::new(USERS_MIGRATIONS).await;
    let running = users::start(
        &stack::users_config(db.url(), "http://127.0.0.1:9"),
        users::Parts::ALL,
    )
    .await
    .unwrap();
    (running, db)
}

#[tokio::test]
async fn create_user_is_idempotent() {
    let (users, _db) = users_alone().await;
    let mut grpc = grpc_client(&users.grpc_url()).await;
    let id = Uuid::now_v7().to_string();
    let first = grpc
        .create_user(create(&id, "alice@example.com"))
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(first.id, id);
    assert!(is_default_nickname(&first.nickname), "{first:?}");
    // Again, even with another email: the same user.
    for email in ["alice@example.com", "someone.else@example.com"] {
        let again = grpc
            .create_user(create(&id, email))
            .await
            .unwrap()
            .into_inner()
            .user
            .unwrap();
        assert_eq!(again, first);
    }
    // Concurrently, for a fresh account: one user, every call answers it.
    let id = Uuid::now_v7().to_string();
    let calls = (0..10).map(|i| {
        let mut grpc = grpc.clone();
        let request = create(&id, &format!("racer{i}@example.com"));
        async move {
            grpc.create_user(request)
                .await
                .unwrap()
                .into_inner()
                .user
                .unwrap()
        }
    });
    let answers = futures::future::join_all(calls).await;
    assert!(answers.iter().all(|u| *u == answers[0]), "{answers:?}");
    let found = grpc
        .get_users(GetUsersRequest {
            ids: vec![id.clone()],
        })
        .await
        .unwrap()
        .into_inner()
        .users;
    assert_eq!(found, [answers[0].clone()]);
}

#[tokio::test]
async fn default_nicknames_are_random_and_unique() {
    let (users, _db) = users_alone().await;
    let mut grpc = grpc_client(&users.grpc_url()).await;
    let mut nickname = async |email: &str| {
        grpc.create_user(create(&Uuid::now_v7().to_string(), email))
            .await
            .unwrap()
            .into_inner()
            .user
            .unwrap()
            .nickname
    };
    // Nothing of the email goes into the nickname, whatever it is.
    let mut names = Vec::new();
    for email in [
        "Bob@example.com",
        "bob@other.org",
        "jean-luc.picard@example.com",
        "root@example.com",
        "",
        &format!("{}@example.com", "k".repeat(64)),
    ] {
        let name = nickname(email).await;
        assert!(is_default_nickname(&name), "{email}: {name}");
        names.push(name);
    }

    // Many new users at once: all distinct.
    let calls = (0..30).map(|i| {
        let mut grpc = grpc.clone();
        let request = create(&Uuid::now_v7().to_string(), &format!("sam@host{i}.com"));
        async move {
            grpc.create_user(request)
                .await
                .unwrap()
                .into_inner()
                .user
                .unwrap()
                .nickname
        }
    });
    names.extend(futures::future::join_all(calls).await);
    let distinct: HashSet<&String> = names.iter().collect();
    assert_eq!(distinct.len(), names.len(), "{names:?}");
    assert!(names.iter().all(|n| is_default_nickname(n)), "{names:?}");
}

#[tokio::test]
async fn a_taken_default_nickname_is_replaced_by_another() {
    let (users, _db) = users_alone().await;
    let service = &users.service;
    let first = Uuid::now_v7();
    let user = service
        .create_user_trying(first, vec!["user_aaaaaa".to_owned()])
        .await
        .unwrap();
    assert_eq!(user.nickname, "user_aaaaaa");
    // Taken, in another case too: the next candidate.
    let second = Uuid::now_v7();
    let user = service
        .create_user_trying(
            second,
            vec![
                "user_aaaaaa".to_owned(),
                "USER_AAAAAA".to_owned(),
                "user_bbbbbb".to_owned(),
            ],
        )
        .await
        .unwrap();
    assert_eq!(user.nickname, "user_bbbbbb");
    // None free: an error, no user; a later attempt is free to succeed.
    let third = Uuid::now_v7();
    let err = service
        .create_user_trying(third, vec!["user_aaaaaa".to_owned()])
        .await
        .unwrap_err();
    assert_eq!(err.code(), api_errors::ErrorCode::Internal, "{err:?}");
    assert!(service.user(third).await.unwrap().is_none());
    let user = service.create_user(third).await.unwrap();
    assert!(is_default_nickname(&user.nickname), "{user:?}");
    // An existing user is answered as it is, whatever the candidates.
    let again = service
        .create_user_trying(first, vec!["user_cccccc".to_owned()])
        .await
        .unwrap();
    assert_eq!(again.nickname, "user_aaaaaa");
}

#[tokio::test]
async fn bad_requests_are_invalid_arguments() {
    let (users, db) = users_alone().await;
    let mut grpc = grpc_client(&users.grpc_url()).await;
    for bad_id in ["", "nope", "123", &"f".repeat(1000)] {
        let err = grpc
            .create_user(create(bad_id, "a@example.com"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument, "{bad_id}");
        let err = grpc
            .get_users(GetUsersRequest {
                ids: vec![bad_id.to_owned()],
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
    }
    let long_email = format!("{}@example.com", "a".repeat(300));
    let err = grpc
        .create_user(create(&Uuid::now_v7().to_string(), &long_email))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    let too_many = (0..1001).map(|_| Uuid::now_v7().to_string()).collect();
    let err = grpc
        .get_users(GetUsersRequest { ids: too_many })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    let count: i64 = testkit::connect_pg(db.url())
        .await
        .query_one("SELECT count(*) FROM users", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 0);
}

/// This process's service credential (the one `Config::defaults()` gives
/// every service) with its last byte changed: as long, and wrong.
fn one_byte_off() -> String {
    let right = grpc_api::ServiceToken::ephemeral().expose().to_owned();
    let mut wrong = right.clone();
    let last = if wrong.ends_with('0') { "1" } else { "0" };
    wrong.replace_range(wrong.len() - 1.., last);
    assert_eq!(wrong.len(), right.len());
    assert_ne!(wrong, right);
    wrong
}

/// `message` as a stranger sends it: with `credential` as `x-service-token`
/// (or none).
fn from_stranger<T>(message: T, credential: Option<&str>) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Some(credential) = credential {
        request
            .metadata_mut()
            .insert("x-service-token", credential.parse().unwrap());
    }
    request
}

async fn users_count(db: &TestDatabase) -> i64 {
    testkit::connect_pg(db.url())
        .await
        .query_one("SELECT count(*) FROM users", &[])
        .await
        .unwrap()
        .get(0)
}

/// Reaching the gRPC port is not enough: without the services' credential,
/// or with another one, CreateUser and GetUsers answer UNAUTHENTICATED and
/// write nothing; with it they work.
#[tokio::test]
async fn calls_without_the_service_credential_are_refused() {
    let (users, db) = users_alone().await;
    let channel = grpc_api::channel::endpoint(&users.grpc_url())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut stranger = UsersClient::new(channel);
    let victim = Uuid::now_v7().to_string();
    let wrong = one_byte_off();
    for credential in [None, Some(wrong.as_str())] {
        let err = stranger
            .create_user(from_stranger(
                create(&victim, "victim@example.com"),
                credential,
            ))
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unauthenticated, "{err:?}");
        let err = stranger
            .get_users(from_stranger(
                GetUsersRequest {
                    ids: vec![victim.clone()],
                },
                credential,
            ))
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unauthenticated, "{err:?}");
    }
    assert_eq!(users_count(&db).await, 0, "a refused call wrote a user");

    let mut ours = grpc_client(&users.grpc_url()).await;
    ours.create_user(create(&victim, "victim@example.com"))
        .await
        .unwrap();
    let found = ours
        .get_users(GetUsersRequest {
            ids: vec![victim.clone()],
        })
        .await
        .unwrap()
        .into_inner()
        .users;
    assert_eq!(found.len(), 1);
    assert_eq!(users_count(&db).await, 1);
}

/// Fail closed: no INTERNAL_SERVICE_TOKEN, no service.
#[tokio::test]
async fn users_refuses_to_start_without_a_service_credential() {
    let db = TestDatabase::new(USERS_MIGRATIONS).await;
    let mut config = stack::users_config(db.url(), "http://127.0.0.1:9");
    config.service.internal_auth.internal_service_token = None;
    let Err(err) = users::start(&config, users::Parts::ALL).await else {
        panic!("users started without INTERNAL_SERVICE_TOKEN");
    };
    assert!(
        err.to_string()
            .contains("INTERNAL_SERVICE_TOKEN is not set"),
        "{err}"
    );
}

#[tokio::test]
async fn get_users_answers_the_known_ones_in_order() {
    let (users, _db) = users_alone().await;
    let mut grpc = grpc_client(&users.grpc_url()).await;
    let a = Uuid::now_v7().to_string();
    let b = Uuid::now_v7().to_string();
    grpc.create_user(create(&a, "a_user@example.com"))
        .await
        .unwrap();
    grpc.create_user(create(&b, "b_user@example.com"))
        .await
        .unwrap();
    let unknown = Uuid::now_v7().to_string();
    let found = grpc
        .get_users(GetUsersRequest {
            ids: vec![b.clone(), unknown, a.clone(), b.clone()],
        })
        .await
        .unwrap()
        .into_inner()
        .users;
    let ids: Vec<&str> = found.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, [b.as_str(), a.as_str()]);
    assert!(is_default_nickname(&found[1].nickname), "{found:?}");
    let none = grpc
        .get_users(GetUsersRequest { ids: vec![] })
        .await
        .unwrap()
        .into_inner();
    assert!(none.users.is_empty());
}

#[tokio::test]
async fn a_registered_user_appears_in_users_within_two_seconds() {
    // Live: the subject is how soon auth's worker delivers.
    let s = start_live(TestEvents::new(Mode::Outbox)).await;
    let mut grpc = s.users_grpc().await;
    for i in 0..3 {
        let started = Instant::now();
        let person = s.register(&format!("new{i}@example.com")).await;
        let registered = started.elapsed();
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let found = grpc
                .get_users(GetUsersRequest {
                    ids: vec![person.id.clone()],
                })
                .await
                .unwrap()
                .into_inner()
                .users;
            if let Some(user) = found.first() {
                assert!(is_default_nickname(&user.nickname), "{user:?}");
                break;
            }
            assert!(Instant::now() < deadline, "user {i} not created within 2 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        println!(
            "register took {registered:?}; user present {:?} after register returned",
            started.elapsed().saturating_sub(registered)
        );
    }
}

#[tokio::test]
async fn a_user_registered_while_users_was_down_appears_when_it_is_back() {
    // Reserve a port for users, but do not serve it yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let users_url = format!("http://127.0.0.1:{port}");
    let auth_db = TestDatabase::new(AUTH_MIGRATIONS).await;
    let mut auth_config = stack::auth_config(auth_db.url());
    auth_config.users_grpc_url = users_url;
    let auth = auth::start(
        &auth_config,
        auth::Parts {
            worker: false,
            ..auth::Parts::ALL
        },
    )
    .await
    .unwrap();
    let worker = auth::start(&auth_config, auth::Parts::WORKER_ONLY)
        .await
        .unwrap();
    let auth_gql = GraphqlClient::new(auth.graphql_url());
    let person = stack::register_at(
        &auth_gql,
        &GraphqlClient::new("http://127.0.0.1:9/graphql"),
        "late@example.com",
    )
    .await;
    // Let the worker fail at least once.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let users_db = TestDatabase::new(USERS_MIGRATIONS).await;
    let mut config = stack::users_config(users_db.url(), &auth.grpc_url());
    config.service.grpc_addr = ([127, 0, 0, 1], port).into();
    let users = users::start(&config, users::Parts::ALL).await.unwrap();
    let back = Instant::now();
    let mut grpc = grpc_client(&users.grpc_url()).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = grpc
            .get_users(GetUsersRequest {
                ids: vec![person.id.clone()],
            })
            .await
            .unwrap()
            .into_inner()
            .users;
        if !found.is_empty() {
            assert!(is_default_nickname(&found[0].nickname), "{found:?}");
            break;
        }
        assert!(Instant::now() < deadline, "the user never arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("user created {:?} after users came back", back.elapsed());
    // And the token from registration works against the new users service.
    let me = crate::common::wait_for_me(&Person {
        gql: GraphqlClient::new(users.graphql_url()).with_token(&person.access_token),
        ..person.clone()
    })
    .await;
    assert!(
        is_default_nickname(me["nickname"].as_str().unwrap()),
        "{me}"
    );
    worker.stop().await;
    users.stop().await;
}

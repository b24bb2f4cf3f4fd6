//! `reportUser` over real HTTP, and the operators' `users reports list |
//! resolve` run as the real binary against the test's database: one open
//! report per reporter and user, the profile kept as it was, bad input,
//! the rate limit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::Duration;

use crate::common::{Person, PersonExt as _, Stack, start, start_with};
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

const REPORT: &str = "mutation($input: ReportUserInput!) {
  reportUser(input: $input) { reportId }
}";

async fn report_raw(p: &Person, input: Value) -> Value {
    p.query(REPORT, json!({ "input": input })).await
}

/// Files a report, asserting success; its id.
async fn report(p: &Person, user_id: &str, reason: &str, details: Option<&str>) -> String {
    let resp = report_raw(
        p,
        json!({ "userId": user_id, "reason": reason, "details": details }),
    )
    .await;
    assert_no_errors(&resp);
    resp["data"]["reportUser"]["reportId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `users reports <args>` against the stack's users database: stdout, or
/// stderr if it failed.
fn cli(s: &Stack, args: &[&str]) -> Result<String, String> {
    let output = Command::new(env!("CARGO_BIN_EXE_users"))
        .arg("reports")
        .args(args)
        .env("DATABASE_URL", s.users_db().url())
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(stderr)
    }
}

/// The open reports, as `users reports list --json` prints them.
fn open_reports(s: &Stack) -> Vec<Value> {
    let out = cli(s, &["list", "--json"]).unwrap();
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn field(resp: &Value) -> Option<&str> {
    resp.pointer("/errors/0/extensions/field")
        .and_then(Value::as_str)
}

#[tokio::test]
async fn a_report_is_kept_with_the_profile_and_answered_while_open() {
    let s = start().await;
    let alice = s.seed_user("alice").await;
    let bob = s.seed_user("bob").await;
    let carol = s.seed_user("carol").await;
    bob.set_nickname("bob_the_spammer").await;
    let first = report(&alice, &bob.id, "SPAM", Some("  sells watches\nall day  ")).await;
    assert!(uuid::Uuid::try_parse(&first).is_ok(), "{first}");
    // Again while it is open: the same report, unchanged.
    assert_eq!(report(&alice, &bob.id, "HARASSMENT", None).await, first);
    // Someone else's report, and alice's of another user: reports of their own.
    let by_carol = report(&carol, &bob.id, "IMPERSONATION", None).await;
    let of_carol = report(&alice, &carol.id, "OTHER", Some("   ")).await;
    assert_ne!(by_carol, first);
    assert_ne!(of_carol, first);

    // The profile as it was, whatever bob does now.
    bob.set_nickname("innocent_bob").await;
    let open = open_reports(&s);
    assert_eq!(open.len(), 3, "{open:?}");
    let filed = &open[0];
    assert_eq!(filed["id"], first.as_str());
    assert_eq!(filed["reporterId"], alice.id.as_str());
    assert_eq!(filed["targetKind"], "user");
    assert_eq!(filed["targetId"], bob.id.as_str());
    assert_eq!(filed["reason"], "SPAM");
    assert_eq!(filed["details"], "sells watches\nall day");
    assert_eq!(filed["snapshot"]["nickname"], "bob_the_spammer");
    assert_eq!(filed["snapshot"]["about"], Value::Null);
    assert!(filed["createdAt"].as_str().unwrap().contains('T'));
    assert_eq!(open[1]["id"], by_carol.as_str());
    assert_eq!(open[2]["id"], of_carol.as_str());
    assert_eq!(open[2]["details"], Value::Null, "blank details are none");

    // Once resolved, a new report is a new one.
    let out = cli(&s, &["resolve", &first, "--note", "warned the user"]).unwrap();
    assert!(out.contains(&first), "{out}");
    let second = report(&alice, &bob.id, "HARASSMENT", None).await;
    assert_ne!(second, first);
    let sql = s.users_sql().await;
    let row = sql
        .query_one(
            "SELECT resolution, resolved_at IS NOT NULL FROM reports WHERE id::text = $1",
            &[&first],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "warned the user");
    assert!(row.get::<_, bool>(1));
}

#[tokio::test]
async fn concurrent_reports_of_one_user_are_one_report() {
    let s = start().await;
    let alice = s.seed_user("alice").await;
    let bob = s.seed_user("bob").await;
    let ids =
        futures::future::join_all((0..10).map(|_| report(&alice, &bob.id, "SPAM", None))).await;
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(open_reports(&s).len(), 1);
}

#[tokio::test]
async fn bad_reports_are_refused() {
    let s = start().await;
    let alice = s.seed_user("alice").await;
    let bob = s.seed_user("bob").await;
    let cases = [
        (json!({ "userId": alice.id, "reason": "SPAM" }), "userId"),
        (
            json!({ "userId": "not-a-uuid", "reason": "SPAM" }),
            "userId",
        ),
        (
            json!({ "userId": bob.id, "reason": "SPAM", "details": "x".repeat(1001) }),
            "details",
        ),
        (
            json!({ "userId": bob.id, "reason": "SPAM", "details": "bell\u{7}" }),
            "details",
        ),
    ];
    for (input, expected) in cases {
        let resp = report_raw(&alice, input.clone()).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{input}: {resp}"
        );
        assert_eq!(field(&resp), Some(expected), "{resp}");
    }
    // Refused by the schema: an unknown reason, a missing one, wrong types.
    for input in [
        json!({ "userId": bob.id, "reason": "RUDE" }),
        json!({ "userId": bob.id }),
        json!({ "userId": bob.id, "reason": "SPAM", "details": 5 }),
        json!({ "userId": bob.id, "reason": "SPAM", "extra": 1 }),
    ] {
        let resp = report_raw(&alice, input.clone()).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{input}: {resp}"
        );
    }
    // Nobody to report.
    let resp = report_raw(
        &alice,
        json!({ "userId": uuid::Uuid::now_v7().to_string(), "reason": "SPAM" }),
    )
    .await;
    assert_eq!(error_code(&resp).as_deref(), Some("NOT_FOUND"), "{resp}");
    // 1,000 characters are fine.
    report(&alice, &bob.id, "OTHER", Some(&"é".repeat(1000))).await;
    // Strangers: UNAUTHENTICATED.
    for gql in [s.gql(), s.gql().with_token("not-a-token")] {
        let resp = gql
            .query(
                REPORT,
                json!({ "input": { "userId": bob.id, "reason": "SPAM" } }),
            )
            .await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{resp}"
        );
    }
    // Nothing of this was filed but the one report.
    assert_eq!(open_reports(&s).len(), 1);
}

#[tokio::test]
async fn reports_per_user_are_limited() {
    let s = start_with(|c| {
        c.report_rate = ratelimit::Rate::new(2, Duration::from_secs(3600));
    })
    .await;
    let alice = s.seed_user("alice").await;
    let others = [
        s.seed_user("bob").await,
        s.seed_user("carol").await,
        s.seed_user("dave").await,
    ];
    let first = report(&alice, &others[0].id, "SPAM", None).await;
    report(&alice, &others[1].id, "SPAM", None).await;
    // A repeat of an open report is free.
    assert_eq!(report(&alice, &others[0].id, "SPAM", None).await, first);
    let resp = report_raw(&alice, json!({ "userId": others[2].id, "reason": "SPAM" })).await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    let wait = resp
        .pointer("/errors/0/extensions/retryAfter")
        .and_then(Value::as_u64)
        .unwrap();
    assert!((1..=1800).contains(&wait), "{resp}");
    // Per reporter: bob may still report.
    report(&others[0], &alice.id, "HARASSMENT", None).await;
    assert_eq!(open_reports(&s).len(), 3);
}

#[tokio::test]
async fn operators_list_and_resolve_reports_with_the_binary() {
    let s = start().await;
    let alice = s.seed_user("alice").await;
    let bob = s.seed_user("bob").await;
    assert_eq!(cli(&s, &["list"]).unwrap(), "");
    assert_eq!(cli(&s, &["list", "--json"]).unwrap().trim(), "[]");
    let first = report(&alice, &bob.id, "HATE", Some("said\tthis\nand that")).await;
    let second = report(&bob, &alice.id, "OTHER", None).await;

    // Lines: one per open report, oldest first, text kept on its line.
    let out = cli(&s, &["list"]).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let columns: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(columns.len(), 8, "{}", lines[0]);
    assert_eq!(columns[0], first);
    assert_eq!(columns[2], "HATE");
    assert_eq!(columns[3], "user");
    assert_eq!(columns[4], bob.id);
    assert_eq!(columns[5], format!("reporter={}", alice.id));
    assert_eq!(columns[6], "\"said\\tthis\\nand that\"");
    let snapshot: Value = serde_json::from_str(columns[7]).unwrap();
    assert!(snapshot["nickname"].is_string(), "{snapshot}");
    assert!(lines[1].starts_with(&second), "{out}");
    assert_eq!(
        cli(&s, &["list", "--limit", "1"]).unwrap().lines().count(),
        1
    );

    // Resolve: the report leaves the list; it cannot be resolved twice.
    cli(
        &s,
        &["resolve", &first, "--note", "removed the post, warned bob"],
    )
    .unwrap();
    let open = open_reports(&s);
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["id"], second.as_str());
    let err = cli(&s, &["resolve", &first, "--note", "again"]).unwrap_err();
    assert!(err.contains("no open report"), "{err}");
    let unknown = uuid::Uuid::now_v7().to_string();
    let err = cli(&s, &["resolve", &unknown, "--note", "x"]).unwrap_err();
    assert!(err.contains("no open report"), "{err}");
    // A note is required; the id must be one.
    for args in [
        vec!["resolve", second.as_str(), "--note", "   "],
        vec!["resolve", second.as_str()],
        vec!["resolve", "not-an-id", "--note", "x"],
        vec!["resolve", "--note", "x"],
    ] {
        assert!(cli(&s, &args).is_err(), "{args:?}");
    }
    assert_eq!(open_reports(&s).len(), 1, "nothing resolved by mistake");
    // No database: an error, not a panic.
    let output = Command::new(env!("CARGO_BIN_EXE_users"))
        .args(["reports", "list"])
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:9/none")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("reports command"), "{stderr}");
}

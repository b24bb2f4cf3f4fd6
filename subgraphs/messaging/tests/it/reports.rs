//! `reportMessage` over real HTTP, and the operators' `messaging reports
//! list | resolve` run as the real binary against the test's database:
//! only a message the reporter may see, one open report per reporter and
//! message, the text kept as it was sent, bad input, the rate limit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::Duration;

use crate::changes::{delete, edit};
use crate::common::{
    Chat as _, SEND_IN, Stack, TestUser, create_group, nodes, ok, spawn, spawn_with,
};
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

const REPORT: &str = "mutation($input: ReportMessageInput!) {
  reportMessage(input: $input) { reportId }
}";

const TIMELINE: &str = "query($id: ID!) {
  conversation(id: $id) { messages(first: 100) { edges { node { id kind text } } } }
}";

const REMOVE: &str = "mutation($c: ID!, $u: ID!) {
  removeMember(input: {conversationId: $c, userId: $u}) { conversation { id } }
}";

const ADD: &str = "mutation($c: ID!, $ids: [ID!]!) {
  addMembers(input: {conversationId: $c, userIds: $ids}) { conversation { id } }
}";

async fn report_raw(user: &TestUser, input: Value) -> Value {
    user.gql.query(REPORT, json!({ "input": input })).await
}

/// Files a report of `message` (an id), asserting success; its id.
async fn report(user: &TestUser, message: &Value, reason: &str, details: Option<&str>) -> String {
    let resp = report_raw(
        user,
        json!({ "messageId": message, "reason": reason, "details": details }),
    )
    .await;
    assert_no_errors(&resp);
    resp["data"]["reportMessage"]["reportId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The first error of a report of `message`: (code, `extensions.field`).
async fn refused_report(user: &TestUser, message: &Value) -> (String, Value) {
    let resp = report_raw(user, json!({ "messageId": message, "reason": "SPAM" })).await;
    let code = error_code(&resp).unwrap_or_else(|| panic!("{message} was reported: {resp}"));
    (code, resp["errors"][0]["extensions"]["field"].clone())
}

/// `messaging reports <args>` against the stack's messaging database:
/// stdout, or stderr if it failed.
fn cli(t: &Stack, args: &[&str]) -> Result<String, String> {
    let output = Command::new(env!("CARGO_BIN_EXE_messaging"))
        .arg("reports")
        .args(args)
        .env("DATABASE_URL", t.messaging_db().url())
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

/// The open reports, as `messaging reports list --json` prints them.
fn open_reports(t: &Stack) -> Vec<Value> {
    let out = cli(t, &["list", "--json"]).unwrap();
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Sends `text` into conversation `c` as `user`; the message's id.
async fn send_in(user: &TestUser, c: &Value, text: &str) -> Value {
    ok(
        user,
        SEND_IN,
        json!({"c": c, "text": text, "cid": uuid::Uuid::new_v4().to_string()}),
    )
    .await["sendMessage"]["message"]["id"]
        .clone()
}

#[tokio::test]
async fn a_reported_message_is_kept_as_it_was_sent() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let sent = bob.send(&alice, "cheap watches, click here").await;
    let id = sent["id"].clone();
    let first = report(&alice, &id, "SPAM", Some("  every day\nfrom him ")).await;
    assert!(uuid::Uuid::try_parse(&first).is_ok(), "{first}");
    // Again while it is open: the same report, unchanged.
    assert_eq!(report(&alice, &id, "HARASSMENT", None).await, first);

    // Bob edits it, then deletes it: the report keeps what alice saw.
    ok(&bob, &edit(), json!({"m": id, "text": "hello!"})).await;
    let open = open_reports(&t);
    assert_eq!(open.len(), 1, "{open:?}");
    let filed = &open[0];
    assert_eq!(filed["id"], first.as_str());
    assert_eq!(filed["reporterId"], alice.id.as_str());
    assert_eq!(filed["targetKind"], "message");
    assert_eq!(filed["targetId"], id);
    assert_eq!(filed["reason"], "SPAM");
    assert_eq!(filed["details"], "every day\nfrom him");
    let snapshot = &filed["snapshot"];
    assert_eq!(snapshot["text"], "cheap watches, click here");
    assert_eq!(snapshot["senderId"], bob.id.as_str());
    assert_eq!(snapshot["conversationId"], sent["conversationId"]);
    assert_eq!(snapshot["conversationKind"], "DIRECT");
    assert_eq!(snapshot["editedAt"], Value::Null);
    assert!(snapshot["sentAt"].is_string(), "{snapshot}");
    ok(&bob, &delete(), json!({"m": id})).await;
    // Still open: a repeat answers it, deleted or not.
    assert_eq!(report(&alice, &id, "SPAM", None).await, first);

    // An edited message is reported as it reads now.
    let other = bob.send(&alice, "first version").await["id"].clone();
    ok(&bob, &edit(), json!({"m": other, "text": "second version"})).await;
    let second = report(&alice, &other, "HATE", None).await;
    let open = open_reports(&t);
    assert_eq!(open[1]["id"], second.as_str());
    assert_eq!(open[1]["snapshot"]["text"], "second version");
    assert!(open[1]["snapshot"]["editedAt"].is_string());

    // Resolved, the deleted message has nothing left to report.
    cli(&t, &["resolve", &first, "--note", "blocked the spammer"]).unwrap();
    assert_eq!(
        refused_report(&alice, &id).await,
        ("CONFLICT".to_owned(), json!("messageId"))
    );
    let row = t
        .messaging_sql()
        .await
        .query_one(
            "SELECT resolution FROM reports WHERE id::text = $1",
            &[&first],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "blocked the spammer");
}

#[tokio::test]
async fn only_a_message_the_reporter_may_see_can_be_reported() {
    let t = spawn().await;
    let (alice, bob, carol, dave) = tokio::join!(
        t.seed_user("alice"),
        t.seed_user("bob"),
        t.seed_user("carol"),
        t.seed_user("dave")
    );
    let direct = bob.send(&alice, "between us").await["id"].clone();
    // Not in the conversation: as if there were no such message.
    assert_eq!(
        refused_report(&carol, &direct).await,
        ("NOT_FOUND".to_owned(), json!("messageId"))
    );
    let unknown = json!(uuid::Uuid::now_v7().to_string());
    assert_eq!(refused_report(&alice, &unknown).await.0, "NOT_FOUND");
    assert_eq!(
        refused_report(&alice, &json!("not-an-id")).await,
        ("BAD_USER_INPUT".to_owned(), json!("messageId"))
    );
    // One's own message, a SYSTEM message: nothing to report.
    assert_eq!(
        refused_report(&bob, &direct).await,
        ("BAD_USER_INPUT".to_owned(), json!("messageId"))
    );
    let g = create_group(&t, &alice, "Team", &[&bob, &carol]).await;
    let timeline = ok(&alice, TIMELINE, json!({"id": g})).await;
    let created = nodes(&timeline["conversation"]["messages"])[0].clone();
    assert_eq!(created["kind"], "SYSTEM");
    assert_eq!(
        refused_report(&bob, &created["id"]).await,
        ("BAD_USER_INPUT".to_owned(), json!("messageId"))
    );

    // In a group: members report what they see; a member added later
    // does not see what came before.
    let early = send_in(&bob, &g, "before dave").await;
    t.befriend(&alice, &dave).await;
    ok(&alice, ADD, json!({"c": g, "ids": [dave.id]})).await;
    let late = send_in(&bob, &g, "after dave").await;
    assert_eq!(refused_report(&dave, &early).await.0, "NOT_FOUND");
    report(&dave, &late, "VIOLENCE", None).await;
    report(&carol, &early, "HARASSMENT", None).await;

    // A member removed sees (and may report) what was said until then,
    // nothing after.
    ok(&alice, REMOVE, json!({"c": g, "u": carol.id})).await;
    let after_carol = send_in(&bob, &g, "carol is gone").await;
    report(&carol, &late, "SELF_HARM", None).await;
    assert_eq!(refused_report(&carol, &after_carol).await.0, "NOT_FOUND");

    let open = open_reports(&t);
    assert_eq!(open.len(), 3, "{open:?}");
    assert!(
        open.iter()
            .all(|r| r["snapshot"]["conversationKind"] == "GROUP")
    );
}

#[tokio::test]
async fn bad_reports_are_refused() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let id = bob.send(&alice, "hi").await["id"].clone();
    for details in ["x".repeat(1001), "esc\u{1b}[0m".to_owned()] {
        let resp = report_raw(
            &alice,
            json!({ "messageId": id, "reason": "OTHER", "details": details }),
        )
        .await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{resp}"
        );
        assert_eq!(resp["errors"][0]["extensions"]["field"], "details");
    }
    for input in [
        json!({ "messageId": id, "reason": "rude" }),
        json!({ "messageId": id }),
        json!({ "reason": "SPAM" }),
        json!({ "messageId": id, "reason": "SPAM", "details": ["a"] }),
    ] {
        let resp = report_raw(&alice, input.clone()).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{input}: {resp}"
        );
    }
    for gql in [t.gql(), t.gql().with_token("not-a-token")] {
        let resp = gql
            .query(
                REPORT,
                json!({ "input": { "messageId": id, "reason": "SPAM" } }),
            )
            .await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{resp}"
        );
    }
    assert!(open_reports(&t).is_empty());
    // 1,000 characters are fine.
    report(&alice, &id, "OTHER", Some(&"é".repeat(1000))).await;
    assert_eq!(open_reports(&t).len(), 1);
}

#[tokio::test]
async fn reports_per_user_are_limited() {
    let t = spawn_with(|c| {
        c.report_rate = ratelimit::Rate::new(2, Duration::from_secs(3600));
    })
    .await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let mut ids = Vec::new();
    for text in ["one", "two", "three"] {
        ids.push(bob.send(&alice, text).await["id"].clone());
    }
    let first = report(&alice, &ids[0], "SPAM", None).await;
    report(&alice, &ids[1], "SPAM", None).await;
    // A repeat of an open report is free.
    assert_eq!(report(&alice, &ids[0], "SPAM", None).await, first);
    let resp = report_raw(&alice, json!({ "messageId": ids[2], "reason": "SPAM" })).await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    let wait = resp
        .pointer("/errors/0/extensions/retryAfter")
        .and_then(Value::as_u64)
        .unwrap();
    assert!((1..=1800).contains(&wait), "{resp}");
    // Per reporter: bob may still report one of alice's.
    let hers = alice.send(&bob, "stop it").await["id"].clone();
    report(&bob, &hers, "OTHER", None).await;
    assert_eq!(open_reports(&t).len(), 3);
}

#[tokio::test]
async fn operators_list_and_resolve_reports_with_the_binary() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    assert_eq!(cli(&t, &["list"]).unwrap(), "");
    let id = bob.send(&alice, "line one\nline\ttwo").await["id"].clone();
    let first = report(&alice, &id, "SEXUAL_CONTENT", None).await;
    let hers = alice.send(&bob, "reply").await["id"].clone();
    let second = report(&bob, &hers, "IMPERSONATION", Some("not her")).await;

    let out = cli(&t, &["list"]).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let columns: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(columns.len(), 8, "{}", lines[0]);
    assert_eq!(columns[0], first);
    assert_eq!(columns[2], "SEXUAL_CONTENT");
    assert_eq!(columns[3], "message");
    assert_eq!(columns[4], id);
    assert_eq!(columns[5], format!("reporter={}", alice.id));
    assert_eq!(columns[6], "null");
    let snapshot: Value = serde_json::from_str(columns[7]).unwrap();
    assert_eq!(snapshot["text"], "line one\nline\ttwo");
    assert!(lines[1].starts_with(&second), "{out}");

    let out = cli(&t, &["resolve", &second, "--note", "asked for proof"]).unwrap();
    assert!(out.contains(&second), "{out}");
    let open = open_reports(&t);
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["id"], first.as_str());
    let err = cli(&t, &["resolve", &second, "--note", "again"]).unwrap_err();
    assert!(err.contains("no open report"), "{err}");
    assert!(cli(&t, &["resolve", &first, "--note", ""]).is_err());
    assert!(cli(&t, &["resolve", "42", "--note", "x"]).is_err());
    assert_eq!(open_reports(&t).len(), 1, "nothing resolved by mistake");
}

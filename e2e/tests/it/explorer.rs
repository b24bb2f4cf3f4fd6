//! The GraphiQL explorer in a real (headless) browser, offline: Chromium may
//! reach 127.0.0.1 only. The page loads with its example operations, knows
//! the schema, runs a mutation from its editor, keeps it in history, runs a
//! subscription with the token from its Headers editor, and nothing it does
//! leaves the machine.
//!
//! Set `E2E_UPDATE_SCREENSHOT=1` to refresh docs/graphiql.png; otherwise the
//! screenshot goes to the system's temp directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use e2e::System;
use e2e::browser::Browser;
use serde_json::json;
use testkit::assert_no_errors;

/// `__AFTER__`: bob's `messageEventsCursor`, so the event cannot be missed
/// however long the subscription takes to start.
const SUBSCRIPTION: &str = r#"subscription Inbox {
  messageEvents(after: "__AFTER__") { kind message { text sender { nickname } } }
}"#;

/// The result pane's text once it contains `needle`.
const RESULT_CONTAINING: &str =
    "const r = document.querySelector('.graphiql-response .CodeMirror');
     const v = r && r.CodeMirror.getValue();
     return v && v.includes(arguments[0]) && v;";

/// The query editor's input, and Ctrl-Enter (run) in WebDriver key codes.
const EDITOR: &str = ".graphiql-query-editor .CodeMirror textarea";
const RUN: &str = "\u{E009}\u{E007}";

const MUTATION: &str = r#"mutation Register {
  register(input: { email: "explorer@example.com", password: "correct horse" }) {
    userId
    auth { accessToken expiresAt }
  }
}"#;

/// GraphiQL re-parses the editor a moment after an edit, and decides from
/// the parsed document what to run and how (a subscription goes over the
/// WebSocket): wait until it has seen `operation`, as a person would pause.
async fn wait_until_parsed(browser: &Browser, operation: &str) {
    browser
        .wait_for(
            "GraphiQL to parse the new document",
            "const s = JSON.parse(localStorage.getItem('graphiql:tabState') || '{}');
             return (s.tabs || []).some(t => t.operationName === arguments[0]);",
            json!([operation]),
            Duration::from_secs(10),
        )
        .await;
}

#[tokio::test]
async fn graphiql_runs_a_query_offline() {
    let system = System::start().await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&system.router.graphql_url()).await;

    browser
        .wait_for(
            "GraphiQL to render",
            "return !!document.querySelector('.graphiql-query-editor .CodeMirror');",
            json!([]),
            Duration::from_secs(30),
        )
        .await;
    // It opens with the example operations of explorer.js (router.rs
    // checks them against the schema).
    let document = browser
        .eval(
            "return document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue();",
            json!([]),
        )
        .await;
    let document = document.as_str().unwrap_or_default();
    for operation in [
        "mutation Login",
        "subscription Events",
        "mutation CreateGroup",
    ] {
        assert!(document.contains(operation), "{operation} in:\n{document}");
    }
    // The Headers editor comes prefilled with an Authorization template.
    let headers = browser
        .wait_for(
            "the headers editor",
            "const e = document.querySelectorAll('.graphiql-editor-tool .CodeMirror');
             return Array.from(e).map(x => x.CodeMirror.getValue()).join('\\n');",
            json!([]),
            Duration::from_secs(10),
        )
        .await;
    assert!(
        headers.as_str().unwrap().contains("Authorization"),
        "{headers}"
    );

    // Schema docs: the introspection result is there to browse.
    browser
        .click("[aria-label=\"Show Documentation Explorer\"]")
        .await;
    browser
        .wait_for(
            "the schema docs",
            "const d = document.querySelector('.graphiql-doc-explorer');
             return d && d.innerText.includes('Mutation') && d.innerText;",
            json!([]),
            Duration::from_secs(15),
        )
        .await;

    // Type a mutation into the editor and run it.
    browser
        .eval(
            "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(arguments[0]);",
            json!([MUTATION]),
        )
        .await;
    wait_until_parsed(&browser, "Register").await;
    browser.send_keys(EDITOR, RUN).await;
    let result = browser
        .wait_for(
            "the mutation's result",
            RESULT_CONTAINING,
            json!(["accessToken"]),
            Duration::from_secs(20),
        )
        .await;
    let result: serde_json::Value = serde_json::from_str(result.as_str().unwrap()).unwrap();
    assert!(result["data"]["register"]["userId"].is_string(), "{result}");

    // History keeps what was run.
    let history = browser
        .eval(
            "return localStorage.getItem('graphiql:queries');",
            json!([]),
        )
        .await;
    assert!(
        history.as_str().unwrap_or_default().contains("Register"),
        "{history}"
    );

    // A subscription, authenticated by the Headers editor: GraphiQL opens a
    // graphql-ws connection to the router with the headers as its
    // connection_init payload.
    let alice = system.user("alice").await;
    let bob = system.user("bob").await;
    let alice_nickname =
        alice.gql.query("{ me { nickname } }", json!({})).await["data"]["me"]["nickname"].clone();
    assert!(alice_nickname.is_string(), "{alice_nickname}");
    let after =
        bob.gql.query("{ messageEventsCursor }", json!({})).await["data"]["messageEventsCursor"]
            .as_str()
            .unwrap()
            .to_owned();
    let headers = json!({ "Authorization": format!("Bearer {}", bob.access_token) });
    browser
        .eval(
            "const editors = Array.from(document.querySelectorAll('.graphiql-editor-tool .CodeMirror'));
             editors.find(e => e.CodeMirror.getValue().includes('Authorization'))
               .CodeMirror.setValue(arguments[0]);",
            json!([serde_json::to_string_pretty(&headers).unwrap()]),
        )
        .await;
    browser
        .eval(
            "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(arguments[0]);",
            json!([SUBSCRIPTION.replace("__AFTER__", &after)]),
        )
        .await;
    wait_until_parsed(&browser, "Inbox").await;
    browser.send_keys(EDITOR, RUN).await;
    let sent = alice
        .gql
        .query(
            "mutation($to: ID!) {
               sendMessage(input: {to: $to, text: \"hello from the explorer test\", clientMessageId: \"x-1\"}) { message { id } }
             }",
            json!({"to": bob.id}),
        )
        .await;
    assert_no_errors(&sent);
    let event = browser
        .wait_for(
            "the subscription event",
            RESULT_CONTAINING,
            json!(["hello from the explorer test"]),
            Duration::from_secs(20),
        )
        .await;
    let event: serde_json::Value = serde_json::from_str(event.as_str().unwrap()).unwrap();
    assert_eq!(event["data"]["messageEvents"]["kind"], "MESSAGE_RECEIVED");
    assert_eq!(
        event["data"]["messageEvents"]["message"]["sender"]["nickname"],
        alice_nickname
    );

    // Every request of the page went to the router (its WebSocket
    // included); none tried another host.
    let origin = system.router.base_url();
    let ws_origin = origin.replacen("http://", "ws://", 1);
    let requests = browser.page_requests().await;
    assert!(
        requests
            .iter()
            .any(|u| u.ends_with("/explorer/graphiql.min.js")),
        "{requests:?}"
    );
    assert!(
        requests.contains(&format!("{ws_origin}/graphql")),
        "the subscription's WebSocket: {requests:?}"
    );
    let network = ["http:", "https:", "ws:", "wss:"];
    for url in requests
        .iter()
        .filter(|u| network.iter().any(|scheme| u.starts_with(scheme)))
    {
        assert!(
            url.starts_with(&format!("{origin}/")) || url.starts_with(&format!("{ws_origin}/")),
            "the page requested {url}"
        );
    }
    let blocked = browser.blocked_requests();
    if !blocked.is_empty() {
        eprintln!("Chromium's own background requests, blocked: {blocked:?}");
    }

    let png = browser.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"));
    let path = if std::env::var("E2E_UPDATE_SCREENSHOT").is_ok_and(|v| v == "1") {
        let docs = e2e::repo_root().join("docs");
        std::fs::create_dir_all(&docs).unwrap();
        docs.join("graphiql.png")
    } else {
        std::env::temp_dir().join("e2e-graphiql.png")
    };
    std::fs::write(&path, png).unwrap();
    eprintln!("screenshot: {}", path.display());
    browser.close().await;
}

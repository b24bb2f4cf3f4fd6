//! The router as a frontend uses it: one endpoint, tokens passed through,
//! clear errors with our codes, limits, a subgraph outage, the explorer's
//! files, probes, CORS, request ids. The chat flows are in flows.rs, the
//! explorer in a browser in explorer.rs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use e2e::{Subgraph, System};
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

const REGISTER: &str = "mutation($email: String!, $password: String!) {
  register(input: {email: $email, password: $password}) {
    userId
    auth { accessToken refreshToken userId sessionId }
  }
}";

const LOGIN: &str = "mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { accessToken userId sessionId }
}";

const MY_SESSIONS: &str = "{ mySessions { id current } }";

fn reason(resp: &Value) -> Option<&str> {
    resp.pointer("/errors/0/extensions/reason")
        .and_then(Value::as_str)
}

#[tokio::test]
async fn register_login_and_query_as_the_user() {
    let system = System::start().await;
    let gql = system.client();

    let resp = gql
        .query(
            REGISTER,
            json!({"email": "alice@example.com", "password": "correct horse"}),
        )
        .await;
    assert_no_errors(&resp);
    let registered = &resp["data"]["register"];
    assert!(registered["auth"]["accessToken"].is_string(), "{resp}");

    // Signing in from "a phone": the router passes the user agent on, so
    // auth records the device of the session.
    let resp = gql
        .with_header("user-agent", "MessengerApp/1.0 (e2e)")
        .query(
            LOGIN,
            json!({"email": "alice@example.com", "password": "correct horse"}),
        )
        .await;
    assert_no_errors(&resp);
    let login = &resp["data"]["login"];
    assert_eq!(login["userId"], registered["userId"]);

    // The router passes the token through; auth resolves the caller.
    let token = login["accessToken"].as_str().unwrap();
    let resp = gql
        .with_token(token)
        .query("{ mySessions { id current userAgent } }", json!({}))
        .await;
    assert_no_errors(&resp);
    let sessions = resp["data"]["mySessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "register and login: {resp}");
    let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["id"], login["sessionId"]);
    assert_eq!(current[0]["userAgent"], "MessengerApp/1.0 (e2e)");
}

#[tokio::test]
async fn no_bad_or_malformed_token_is_unauthenticated() {
    let system = System::start().await;
    let gql = system.client();

    let resp = gql.query(MY_SESSIONS, json!({})).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );
    assert!(resp["data"].is_null(), "{resp}");

    let resp = gql
        .with_token("not-a-jwt")
        .query(MY_SESSIONS, json!({}))
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );

    let resp = gql
        .with_header("authorization", "Token abc")
        .query(MY_SESSIONS, json!({}))
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );
    assert!(
        resp.to_string().contains("MALFORMED_AUTHORIZATION_HEADER"),
        "{resp}"
    );

    // Public operations do not care about a bad token.
    let resp = gql
        .with_token("not-a-jwt")
        .query(
            REGISTER,
            json!({"email": "bob@example.com", "password": "correct horse"}),
        )
        .await;
    assert_no_errors(&resp);
}

#[tokio::test]
async fn malformed_requests_are_bad_user_input() {
    let system = System::start().await;
    let gql = system.client();

    let resp = gql.query("{ mySessions { id ", json!({})).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(reason(&resp), Some("GRAPHQL_PARSE_FAILED"), "{resp}");

    let resp = gql.query("{ noSuchField }", json!({})).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(reason(&resp), Some("FieldsOnCorrectType"), "{resp}");

    let (status, body) = gql
        .post_raw(b"{not json".to_vec(), "application/json")
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        error_code(&body).as_deref(),
        Some("BAD_USER_INPUT"),
        "{body}"
    );

    // Variables of the wrong type never reach a subgraph.
    let resp = gql
        .query(REGISTER, json!({"email": 42, "password": "correct horse"}))
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
}

#[tokio::test]
async fn limits_reject_abusive_queries() {
    // The shipped alias limit (30) and token limit (2000).
    let system = System::start().await;
    let gql = system.client();
    let aliases = (0..31)
        .map(|i| format!("a{i}: __typename"))
        .collect::<Vec<_>>()
        .join(" ");
    let resp = gql.query(&format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(reason(&resp), Some("MAX_ALIASES_EXCEEDED"), "{resp}");

    let fields = "__typename ".repeat(2100);
    let resp = gql.query(&format!("{{ {fields} }}"), json!({})).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(reason(&resp), Some("TOKEN_LIMIT_EXCEEDED"), "{resp}");

    // Bodies over 2 MB are refused before parsing.
    let big = format!(
        "{{\"query\": \"{{ __typename }}\", \"pad\": \"{}\"}}",
        "x".repeat(3 << 20)
    );
    let (status, _) = gql.post_raw(big.into_bytes(), "application/json").await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn over_deep_queries_are_rejected() {
    // Deeper than the shipped limit (12). Our schema's real queries stop at
    // 6 levels, so the nesting is of unknown fields: the depth rule and
    // field validation both report it, before anything is planned.
    let system = System::start().await;
    let deep = (0..13).fold("id".to_owned(), |inner, i| format!("f{i} {{ {inner} }}"));
    let resp = system
        .client()
        .query(&format!("{{ {deep} }}"), json!({}))
        .await;
    let errors = resp["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["extensions"]["reason"] == "MAX_DEPTH_EXCEEDED"),
        "{resp}"
    );
    assert!(
        errors
            .iter()
            .all(|e| e["extensions"]["code"] == "BAD_USER_INPUT"),
        "{resp}"
    );

    // A real query within the limit goes through.
    let alice = system.user("alice").await;
    let resp = alice
        .gql
        .query(
            "{ conversations { edges { node { lastMessage { sender { nickname } } } } } }",
            json!({}),
        )
        .await;
    assert_no_errors(&resp);
}

#[tokio::test]
async fn the_depth_limit_is_configurable() {
    let system = System::start_with_router_env(&[("ROUTER_MAX_DEPTH", "1")]).await;
    let resp = system.client().query(MY_SESSIONS, json!({})).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(reason(&resp), Some("MAX_DEPTH_EXCEEDED"), "{resp}");
}

#[tokio::test]
async fn a_subgraph_that_is_down_gives_partial_data_is_named_and_recovers() {
    let mut system = System::start().await;
    let alice = system.user("alice").await;
    let nickname =
        alice.gql.query("{ me { nickname } }", json!({})).await["data"]["me"]["nickname"].clone();
    assert!(nickname.is_string(), "{nickname}");
    system.stop(Subgraph::Users).await;

    // mySessions comes from auth (up), user from users (down). (`me` would
    // not do: it is non-null, so its error would null the whole `data`.)
    let query = "query($id: ID!) { mySessions { id } user(id: $id) { nickname } }";
    let started = Instant::now();
    let resp = alice.gql.query(query, json!({"id": alice.id})).await;
    let down_took = started.elapsed();
    assert!(down_took < Duration::from_secs(5), "took {down_took:?}");
    assert_eq!(
        resp["data"]["mySessions"].as_array().map(Vec::len),
        Some(1),
        "auth's part is there: {resp}"
    );
    assert!(resp["data"]["user"].is_null(), "{resp}");
    let error = &resp["errors"][0];
    assert_eq!(error["extensions"]["code"], "UNAVAILABLE", "{resp}");
    assert_eq!(error["extensions"]["service"], "users", "{resp}");
    assert!(
        error["message"].as_str().unwrap().contains("users"),
        "the message names the subgraph: {resp}"
    );

    // Users comes back on its address: the router answers in full again,
    // by itself.
    let down_answers = 1;
    system.start_users_again().await;
    let restarted = Instant::now();
    let mut answers_after = 0_u64;
    let resp = loop {
        let resp = alice.gql.query(query, json!({"id": alice.id})).await;
        answers_after += 1;
        if resp["errors"].is_null() {
            break resp;
        }
        assert_eq!(error_code(&resp).as_deref(), Some("UNAVAILABLE"), "{resp}");
        assert!(
            restarted.elapsed() < Duration::from_secs(30),
            "the router never recovered: {resp}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let recovery = restarted.elapsed();
    assert_eq!(resp["data"]["user"]["nickname"], nickname, "{resp}");
    assert_eq!(
        resp["data"]["mySessions"].as_array().map(Vec::len),
        Some(1),
        "{resp}"
    );
    testkit::FaultFigures {
        test: "router_subgraph_down".to_owned(),
        sent: down_answers + answers_after,
        received: down_answers + answers_after,
        recovery,
        note: format!(
            "partial data + UNAVAILABLE naming users while down ({down_took:.0?}); \
             {answers_after} requests until full answers again"
        ),
        ..testkit::FaultFigures::default()
    }
    .report();
}

#[tokio::test]
async fn auth_down_is_named_and_does_not_hang() {
    let mut system = System::start().await;
    let gql = system.client();
    system.stop(Subgraph::Auth).await;

    let started = Instant::now();
    let resp = gql
        .query(
            LOGIN,
            json!({"email": "alice@example.com", "password": "correct horse"}),
        )
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(error_code(&resp).as_deref(), Some("UNAVAILABLE"), "{resp}");
    let error = &resp["errors"][0];
    assert_eq!(error["extensions"]["service"], "auth", "{resp}");
    assert!(
        error["message"].as_str().unwrap().contains("auth"),
        "the message names the subgraph: {resp}"
    );
    // The router itself stays up.
    let health = system
        .http()
        .get(format!("{}/healthz", system.router.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn a_hung_subgraph_times_out_with_an_error_naming_it() {
    // users accepts connections and never answers; the subgraph timeout
    // (ROUTER_SUBGRAPH_TIMEOUT, 10 s shipped) ends the wait.
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hung_url = format!("http://{}/graphql", hung.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = hung.accept().await {
            open.push(socket);
        }
    });
    let closed = format!("http://127.0.0.1:{}/graphql", e2e::free_port());
    let router = e2e::RouterProcess::start(
        &[
            ("auth", closed.clone()),
            ("users", hung_url),
            ("messaging", closed),
        ],
        &[("ROUTER_SUBGRAPH_TIMEOUT", "1s")],
    )
    .await;

    let started = Instant::now();
    let resp = testkit::GraphqlClient::new(router.graphql_url())
        .query("{ user(id: \"x\") { nickname } }", json!({}))
        .await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(error_code(&resp).as_deref(), Some("UNAVAILABLE"), "{resp}");
    assert_eq!(
        resp["errors"][0]["extensions"]["service"], "users",
        "{resp}"
    );
    assert_eq!(reason(&resp), Some("SUBGRAPH_REQUEST_TIMEOUT"), "{resp}");
    held.abort();
}

#[tokio::test]
async fn request_ids_are_returned_and_kept() {
    let system = System::start().await;
    let http = system.http();
    let post = |id: Option<&str>| {
        let mut req = http
            .post(system.router.graphql_url())
            .json(&json!({"query": "{ __typename }"}));
        if let Some(id) = id {
            req = req.header("x-request-id", id);
        }
        req.send()
    };
    let resp = post(Some("frontend-1234")).await.unwrap();
    assert_eq!(resp.headers()["x-request-id"], "frontend-1234");

    let resp = post(None).await.unwrap();
    let generated = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
}

#[tokio::test]
async fn introspection_serves_the_schema() {
    let system = System::start().await;
    let resp = system
        .client()
        .query(
            "{ __schema { queryType { name } mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["__schema"]["queryType"]["name"], "Query");
    let mutations = resp["data"]["__schema"]["mutationType"]["fields"].to_string();
    assert!(mutations.contains("register") && mutations.contains("login"));
}

#[tokio::test]
async fn probes_answer() {
    let system = System::start().await;
    let http = system.http();
    let base = system.router.base_url();
    let resp = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({"status": "ok"}));
    for path in ["/health", "/readiness"] {
        let resp = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn cors_allows_the_configured_origins_only() {
    let system = System::start().await;
    let http = system.http();
    let preflight = |origin: &'static str| {
        http.request(reqwest::Method::OPTIONS, system.router.graphql_url())
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            )
            .send()
    };
    let resp = preflight("http://localhost:3000").await.unwrap();
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    // Hive Router answers other origins with `null`, which browsers refuse.
    let resp = preflight("https://evil.example").await.unwrap();
    let allowed = resp.headers().get("access-control-allow-origin");
    assert!(allowed.is_none_or(|v| v == "null"), "{allowed:?}");
}

#[tokio::test]
async fn the_explorer_is_served_from_the_binary() {
    let system = System::start().await;
    let http = system.http();
    let base = system.router.base_url();
    let browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    for path in ["/", "/graphql"] {
        let resp = http
            .get(format!("{base}{path}"))
            .header("accept", browser_accept)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert!(
            resp.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
        let page = resp.text().await.unwrap();
        assert!(page.contains("/explorer/graphiql.min.js"), "{path}: {page}");
        assert!(page.contains(r#"data-endpoint="/graphql""#));
        assert!(!page.contains("https://"), "no CDN: {page}");
    }

    for (asset, content_type, min_size) in [
        ("graphiql.min.js", "text/javascript", 500_000),
        ("graphiql.min.css", "text/css", 100_000),
        ("react.production.min.js", "text/javascript", 5_000),
        ("react-dom.production.min.js", "text/javascript", 100_000),
        ("explorer.js", "text/javascript", 500),
    ] {
        let resp = http
            .get(format!("{base}/explorer/{asset}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{asset}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(content_type)
        );
        assert!(resp.bytes().await.unwrap().len() > min_size, "{asset}");
    }
    let resp = http
        .get(format!("{base}/explorer/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);

    // GraphQL clients still get GraphQL on GET /graphql.
    let resp: Value = http
        .get(format!("{base}/graphql?query=%7B__typename%7D"))
        .header("accept", "application/graphql-response+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resp["data"]["__typename"], "Query", "{resp}");
}

/// The document the explorer opens with: `defaultQuery` in explorer.js, one
/// JavaScript string literal per line.
fn explorer_default_document(script: &str) -> String {
    let start = script
        .find("var defaultQuery = [")
        .expect("no defaultQuery in explorer.js");
    let rest = &script[start..];
    let lines = &rest[rest.find('\n').unwrap() + 1..rest.find("].join(").unwrap()];
    lines
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let literal = line.trim().trim_end_matches(',');
            let (quote, inner) = literal.split_at(1);
            inner
                .strip_suffix(quote)
                .unwrap_or_else(|| panic!("not a string literal: {line}"))
                .replace(&format!("\\{quote}"), quote)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_explorers_first_document_fits_the_schema() {
    let system = System::start().await;
    let script = system
        .http()
        .get(format!("{}/explorer/explorer.js", system.router.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let document = explorer_default_document(&script);
    for shape in [
        "sendMessage(",
        "conversation { id unreadCount }",
        "createGroup(",
        "messages(last:",
        "messageEvents(after:",
        "markRead(",
        "unreadTotal",
    ] {
        assert!(document.contains(shape), "{shape} in:\n{document}");
    }
    // The router validates the whole document, whichever operation it
    // runs: two of them run as a user, without errors…
    let alice = system.user("alice").await;
    let run = |document: &str, operation: &str| {
        let body = json!({"query": document, "operationName": operation});
        alice
            .gql
            .post_raw(body.to_string().into_bytes(), "application/json")
    };
    for operation in ["Me", "Inbox"] {
        let (status, resp) = run(&document, operation).await;
        assert_eq!(status, 200, "{operation}: {resp}");
        assert_no_errors(&resp);
        assert!(resp["data"].is_object(), "{operation}: {resp}");
    }
    // …and a mistake in another one would fail them.
    let broken = document.replace("myRole memberCount", "myRole memberCounts");
    assert_ne!(broken, document);
    let (_, resp) = run(&broken, "Me").await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
}

const MY_SESSION_IPS: &str = "{ mySessions { id ip current } }";

/// The address auth recorded for the session making the request.
async fn current_session_ip(gql: &testkit::GraphqlClient) -> Value {
    let resp = gql.query(MY_SESSION_IPS, json!({})).await;
    assert_no_errors(&resp);
    let sessions = resp["data"]["mySessions"].as_array().unwrap();
    let current = sessions.iter().find(|s| s["current"] == true).unwrap();
    current["ip"].clone()
}

#[tokio::test]
async fn a_client_cannot_pick_its_address_through_the_router() {
    let system = System::start().await;
    let user = system.user("mallory").await;
    // The subgraphs trust the router (127.0.0.1, as `xtask up` sets them),
    // so whatever the router passes on in x-forwarded-for is believed.
    let forged = system
        .client()
        .with_header("x-forwarded-for", "203.0.113.66");
    let resp = forged
        .query(
            LOGIN,
            json!({"email": user.email, "password": e2e::PASSWORD}),
        )
        .await;
    assert_no_errors(&resp);
    let token = resp["data"]["login"]["accessToken"].as_str().unwrap();
    let me = forged.with_token(token);
    assert_eq!(current_session_ip(&me).await, "127.0.0.1");

    // A new forged address per attempt does not escape the per-address
    // sign-in limit: within its burst (plus what refills meanwhile) the
    // attempts are refused, and then the right password is refused too.
    let burst = auth::Config::defaults().security.login_rate_per_ip.max;
    let mut limited_after = None;
    for i in 0..2 * burst {
        let resp = system
            .client()
            .with_header(
                "x-forwarded-for",
                &format!("198.51.{}.{}", i / 200, i % 200 + 1),
            )
            .query(
                LOGIN,
                json!({"email": format!("guess{i}@example.com"), "password": "guess"}),
            )
            .await;
        if error_code(&resp).as_deref() == Some("RATE_LIMITED") {
            limited_after = Some(i);
            break;
        }
    }
    let limited_after = limited_after.expect("forged addresses escaped the limit");
    assert!(limited_after >= burst - 1, "limited after {limited_after}");
    let resp = system
        .client()
        .with_header("x-forwarded-for", "192.0.2.200")
        .query(
            LOGIN,
            json!({"email": user.email, "password": e2e::PASSWORD}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
}

#[tokio::test]
async fn a_trusted_proxy_in_front_of_the_router_names_the_client() {
    // The test client plays the proxy: the router trusts its address.
    let system = System::start_with_router_env(&[("ROUTER_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let user = system.user("carol").await;
    let via_proxy = |chain: &str| system.client().with_header("x-forwarded-for", chain);
    for (chain, client) in [
        ("198.51.100.7", "198.51.100.7"),
        // What the client wrote left of the proxy's entry is not believed.
        ("203.0.113.1, 198.51.100.8", "198.51.100.8"),
    ] {
        let resp = via_proxy(chain)
            .query(
                LOGIN,
                json!({"email": user.email, "password": e2e::PASSWORD}),
            )
            .await;
        assert_no_errors(&resp);
        let token = resp["data"]["login"]["accessToken"].as_str().unwrap();
        assert_eq!(
            current_session_ip(&via_proxy(chain).with_token(token)).await,
            client,
            "{chain}"
        );
    }
}

//! `searchUsers` over real HTTP: the three groups and their order, the
//! relationship of each result, who is never found, cursors across the
//! groups, wildcards taken literally, emails never matching, bad input, the
//! rate limit, and the plans of its statements (`EXPLAIN` over a table of
//! 20,000 users: an index, never a sequential scan).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crate::common::{Person, PersonExt as _, Stack, start, start_with};
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

const SEARCH: &str = "query($q: String!, $first: Int, $after: String) {
  searchUsers(query: $q, first: $first, after: $after) {
    edges { cursor node { id nickname relationship } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

async fn search_raw(p: &Person, query: &str, first: Option<i32>, after: &Value) -> Value {
    p.query(
        SEARCH,
        json!({ "q": query, "first": first, "after": after }),
    )
    .await
}

/// One page, asserting success.
async fn search(p: &Person, query: &str, first: Option<i32>, after: &Value) -> Value {
    let resp = search_raw(p, query, first, after).await;
    assert_no_errors(&resp);
    resp["data"]["searchUsers"].clone()
}

fn nicknames(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["nickname"].as_str().unwrap().to_owned())
        .collect()
}

/// Every result, following the cursors `first` at a time.
async fn search_all(p: &Person, query: &str, first: i32) -> Vec<String> {
    let mut all = Vec::new();
    let mut after = Value::Null;
    for _ in 0..100 {
        let page = search(p, query, Some(first), &after).await;
        all.extend(nicknames(&page));
        assert_eq!(page["pageInfo"]["hasPreviousPage"], false);
        if page["pageInfo"]["hasNextPage"] != true {
            return all;
        }
        after = page["pageInfo"]["endCursor"].clone();
        assert!(after.is_string(), "{page}");
    }
    panic!("more than 100 pages for {query}");
}

/// A seeded user with `nickname`.
async fn named(s: &Stack, nickname: &str) -> Person {
    let person = s
        .seed_user(&format!("{}@example.com", nickname.replace('.', "-")))
        .await;
    person.set_nickname(nickname).await;
    person
}

fn field(resp: &Value) -> Option<&str> {
    resp.pointer("/errors/0/extensions/field")
        .and_then(Value::as_str)
}

#[tokio::test]
async fn the_exact_match_then_friends_then_others_each_in_order() {
    let s = start().await;
    let me = named(&s, "alistair").await;
    let exact = named(&s, "Ali").await;
    let friend_a = named(&s, "alice").await;
    let friend_b = named(&s, "ali_b").await;
    let sent_to = named(&s, "alizee").await;
    let received_from = named(&s, "alibaba").await;
    for nickname in ["alina", "ALI.z", "Alix", "bob", "malik"] {
        named(&s, nickname).await;
    }
    s.befriend(&me, &friend_a).await;
    s.befriend(&me, &friend_b).await;
    me.act_ok("sendFriendRequest", &sent_to.id).await;
    received_from.act_ok("sendFriendRequest", &me.id).await;

    let page = search(&me, "ali", None, &Value::Null).await;
    let found: Vec<(String, String)> = page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["nickname"].as_str().unwrap().to_owned(),
                e["node"]["relationship"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("Ali", "NONE"),
        // Friends, by the lower-cased nickname in byte order (`_` < `c`).
        ("ali_b", "FRIENDS"),
        ("alice", "FRIENDS"),
        // Everyone else (`.` first); never the caller (alistair).
        ("ALI.z", "NONE"),
        ("alibaba", "REQUEST_RECEIVED"),
        ("alina", "NONE"),
        ("Alix", "NONE"),
        ("alizee", "REQUEST_SENT"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, r)| ((*n).to_owned(), (*r).to_owned()))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(page["edges"][0]["node"]["id"], exact.id.as_str());
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    assert_eq!(page["pageInfo"]["startCursor"], page["edges"][0]["cursor"]);
    assert_eq!(page["pageInfo"]["endCursor"], page["edges"][7]["cursor"]);

    // Case and surrounding spaces do not matter.
    for query in ["ALI", "  aLi  "] {
        assert_eq!(
            nicknames(&search(&me, query, None, &Value::Null).await),
            nicknames(&page),
            "{query}"
        );
    }
    // A two-character query; the caller's own nickname finds nobody else.
    let al = nicknames(&search(&me, "al", None, &Value::Null).await);
    assert_eq!(al.len(), 8, "{al:?}");
    assert!(!al.contains(&"alistair".to_owned()));
    assert!(
        search(&me, "alistair", None, &Value::Null).await["edges"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A friend whose nickname is the query is the exact match, first.
    let page = search(&me, "ALICE", None, &Value::Null).await;
    assert_eq!(nicknames(&page), ["alice"]);
    assert_eq!(page["edges"][0]["node"]["relationship"], "FRIENDS");
    // As others see it: alistair is found, relationships are theirs.
    let page = search(&friend_a, "alis", None, &Value::Null).await;
    assert_eq!(nicknames(&page), ["alistair"]);
    assert_eq!(page["edges"][0]["node"]["relationship"], "FRIENDS");
    let page = search(&sent_to, "alis", None, &Value::Null).await;
    assert_eq!(page["edges"][0]["node"]["relationship"], "REQUEST_RECEIVED");
    // Nothing starts with it.
    let page = search(&me, "zz", None, &Value::Null).await;
    assert_eq!(page["edges"], json!([]));
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    assert_eq!(page["pageInfo"]["startCursor"], Value::Null);
}

#[tokio::test]
async fn pages_follow_each_other_across_the_groups() {
    let s = start().await;
    let me = named(&s, "searcher").await;
    named(&s, "pat").await;
    for i in 0..5 {
        let friend = named(&s, &format!("pat_f{i}")).await;
        s.befriend(&me, &friend).await;
    }
    for i in 0..6 {
        named(&s, &format!("pat{i}")).await;
    }
    let whole = search_all(&me, "pat", 100).await;
    assert_eq!(
        whole,
        [
            "pat", "pat_f0", "pat_f1", "pat_f2", "pat_f3", "pat_f4", "pat0", "pat1", "pat2",
            "pat3", "pat4", "pat5"
        ]
    );
    // Every page size gives the same list, wherever the pages break: in a
    // group, at its end, at the exact match.
    for first in 1..=13 {
        assert_eq!(search_all(&me, "pat", first).await, whole, "first: {first}");
    }
    // The default page is 20.
    for i in 0..10 {
        named(&s, &format!("patx{i}")).await;
    }
    let page = search(&me, "pat", None, &Value::Null).await;
    assert_eq!(nicknames(&page).len(), 20);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let last = search(&me, "pat", None, &page["pageInfo"]["endCursor"]).await;
    assert_eq!(nicknames(&last).len(), 2);
    assert_eq!(last["pageInfo"]["hasNextPage"], false);

    // A cursor is a position: a user who comes in before it does not shift
    // the next pages, one after it shows up on them.
    let first_page = search(&me, "pat", Some(3), &Value::Null).await;
    assert_eq!(nicknames(&first_page), ["pat", "pat_f0", "pat_f1"]);
    let before = named(&s, "pat_a0").await; // a friend, before pat_f0
    s.befriend(&me, &before).await;
    named(&s, "pat_e").await; // in the others, after pat5
    let next = search(&me, "pat", Some(3), &first_page["pageInfo"]["endCursor"]).await;
    assert_eq!(nicknames(&next), ["pat_f2", "pat_f3", "pat_f4"]);
    let next = search(&me, "pat", Some(7), &next["pageInfo"]["endCursor"]).await;
    assert_eq!(
        nicknames(&next),
        ["pat0", "pat1", "pat2", "pat3", "pat4", "pat5", "pat_e"]
    );

    // Cursors of another query, of another list, or junk: BAD_USER_INPUT.
    let cursor = first_page["edges"][1]["cursor"].clone();
    let exact_cursor = first_page["edges"][0]["cursor"].clone();
    let friends = me.page("friends", 1, &Value::Null).await;
    for (query, after) in [
        ("pa", exact_cursor.clone()),
        ("patx", cursor.clone()),
        ("pat_f1", cursor.clone()),
        ("pat", friends["pageInfo"]["endCursor"].clone()),
        ("pat", json!("junk")),
        ("pat", json!("")),
    ] {
        let resp = search_raw(&me, query, None, &after).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{query} {after}: {resp}"
        );
        assert_eq!(field(&resp), Some("after"), "{resp}");
    }
    // The same cursor with a query that differs only in case: fine.
    let resp = search_raw(&me, "PAT", Some(1), &cursor).await;
    assert_no_errors(&resp);
    assert_eq!(nicknames(&resp["data"]["searchUsers"]), ["pat_f1"]);
}

#[tokio::test]
async fn wildcards_and_backslashes_are_taken_literally() {
    let s = start().await;
    let me = named(&s, "watcher").await;
    for nickname in ["ab_cd", "abxcd", "ab.cd", "abcd"] {
        named(&s, nickname).await;
    }
    let found = async |query: &str| nicknames(&search(&me, query, None, &Value::Null).await);
    assert_eq!(found("ab_").await, ["ab_cd"]);
    assert_eq!(found("ab.").await, ["ab.cd"]);
    assert_eq!(found("ab").await, ["ab.cd", "ab_cd", "abcd", "abxcd"]);
    for nothing in [
        "a%", "%b", "ab%", "%%", "a\\", "\\b", "a\\_", "__", "_b", "a_", "ab cd",
    ] {
        assert_eq!(found(nothing).await, Vec::<String>::new(), "{nothing:?}");
    }
    // Characters no nickname has are fine to search for, and find nobody.
    for nothing in ["äb", "ab'; --", "ab\"", "ab)", "日本"] {
        assert_eq!(found(nothing).await, Vec::<String>::new(), "{nothing:?}");
    }
}

#[tokio::test]
async fn emails_never_match() {
    let s = start().await;
    let me = named(&s, "looker").await;
    // Signed up through auth, as everyone: users never sees the address.
    let zebra = s.register("zebra.keeper@example.com").await;
    s.run_pending().await;
    let default = zebra.me().await["nickname"].as_str().unwrap().to_owned();
    for query in [
        "zebra",
        "zebra.keeper",
        "Zebra.Keeper",
        "zebra.keeper@example.com",
        "example.com",
        "@example",
    ] {
        let page = search(&me, query, None, &Value::Null).await;
        assert_eq!(page["edges"], json!([]), "{query}");
    }
    // Its nickname finds it; a nickname that is the local part, too.
    let page = search(&me, &default, None, &Value::Null).await;
    assert_eq!(nicknames(&page), [default]);
    zebra.set_nickname("zebra.keeper").await;
    let page = search(&me, "zebra", None, &Value::Null).await;
    assert_eq!(nicknames(&page), ["zebra.keeper"]);
}

#[tokio::test]
async fn bad_input_and_strangers_are_refused() {
    let s = start().await;
    let me = named(&s, "checker").await;
    let too_long = "x".repeat(33);
    let huge = "y".repeat(100_000);
    for query in [
        "", "a", " a ", "     ", &too_long, &huge, "a\u{0}", "a\u{7}b",
    ] {
        let resp = search_raw(&me, query, None, &Value::Null).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{query:?}: {resp}"
        );
        assert_eq!(field(&resp), Some("query"), "{resp}");
        assert_eq!(resp["data"], Value::Null);
    }
    for first in [0, -1, 101] {
        let resp = search_raw(&me, "che", Some(first), &Value::Null).await;
        assert_eq!(error_code(&resp).as_deref(), Some("BAD_USER_INPUT"));
        assert_eq!(field(&resp), Some("first"), "{resp}");
    }
    // A query of 32 characters is fine; so are 100.
    assert_no_errors(&search_raw(&me, &"x".repeat(32), None, &Value::Null).await);
    assert_no_errors(&search_raw(&me, "che", Some(100), &Value::Null).await);
    // Wrong types and a missing query are refused by the schema.
    for (query, variables) in [
        (SEARCH, json!({ "q": 42 })),
        (SEARCH, json!({})),
        ("{ searchUsers { edges { cursor } } }", json!({})),
    ] {
        let resp = me.query(query, variables).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{resp}"
        );
    }
    // Without a valid token: UNAUTHENTICATED.
    for gql in [s.gql(), s.gql().with_token("not-a-token")] {
        let resp = gql.query(SEARCH, json!({ "q": "che" })).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{resp}"
        );
    }
}

#[tokio::test]
async fn searches_per_user_are_limited() {
    let s = start_with(|c| {
        c.search_rate = ratelimit::Rate::new(3, Duration::from_secs(3600));
    })
    .await;
    let me = named(&s, "hasty").await;
    let other = named(&s, "patient").await;
    // Bad input is refused before counting.
    for _ in 0..5 {
        let resp = search_raw(&me, "x", None, &Value::Null).await;
        assert_eq!(error_code(&resp).as_deref(), Some("BAD_USER_INPUT"));
    }
    // Three searches, a page of one counted like any.
    let page = search(&me, "pa", Some(1), &Value::Null).await;
    search(&me, "pat", None, &Value::Null).await;
    search(&me, "pa", Some(1), &page["pageInfo"]["endCursor"]).await;
    let resp = search_raw(&me, "pat", None, &Value::Null).await;
    assert_eq!(error_code(&resp).as_deref(), Some("RATE_LIMITED"), "{resp}");
    let wait = resp
        .pointer("/errors/0/extensions/retryAfter")
        .and_then(Value::as_u64)
        .unwrap();
    assert!((1..=1200).contains(&wait), "{resp}");
    // Per user: another is not affected.
    search(&other, "has", None, &Value::Null).await;
}

/// The plan of `statement` (one of `users::db::search`'s) for `params`
/// (SQL literals), as `EXPLAIN` prints it: custom, or forced generic (what
/// a prepared statement may settle on).
async fn plan(
    sql: &tokio_postgres::Client,
    statement: &str,
    params: &str,
    generic: bool,
) -> String {
    let mode = if generic {
        "force_generic_plan"
    } else {
        "force_custom_plan"
    };
    sql.batch_execute(&format!(
        "DEALLOCATE ALL; SET plan_cache_mode = {mode}; PREPARE q AS {statement}"
    ))
    .await
    .unwrap();
    let rows = sql
        .simple_query(&format!("EXPLAIN EXECUTE q({params})"))
        .await
        .unwrap();
    rows.iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn every_statement_searches_by_an_index() {
    let s = start().await;
    let me = named(&s, "planner").await;
    let sql = s.users_sql().await;
    // 20,000 users: half with default nicknames (`us` matches all of
    // them), half with names spread over the alphabet; the caller has 200
    // friends among them, and 5,000 other pairs are friends or pending.
    sql.batch_execute(&format!(
        "INSERT INTO users (id, nickname)
           SELECT gen_random_uuid(), 'user_' || lpad(to_hex(i), 6, '0')
           FROM generate_series(1, 10000) i;
         INSERT INTO users (id, nickname)
           SELECT gen_random_uuid(), chr(97 + i % 26) || 'name' || i
           FROM generate_series(1, 10000) i;
         INSERT INTO friendships (user_a, user_b, state, requested_by, accepted_at)
           SELECT LEAST(id, '{me}'), GREATEST(id, '{me}'), 'accepted', id, now()
           FROM (SELECT id FROM users WHERE id <> '{me}' ORDER BY id LIMIT 200) f;
         INSERT INTO friendships (user_a, user_b, state, requested_by, accepted_at)
           SELECT a, b, CASE WHEN n % 2 = 0 THEN 'accepted' ELSE 'pending' END, a,
                  CASE WHEN n % 2 = 0 THEN now() END
           FROM (SELECT id AS a, lead(id) OVER (ORDER BY id) AS b, row_number() OVER () AS n
                 FROM users WHERE id <> '{me}' ORDER BY id OFFSET 300 LIMIT 5000) p
           WHERE b IS NOT NULL;
         ANALYZE users; ANALYZE friendships;",
        me = me.id
    ))
    .await
    .unwrap();

    let me = &me.id;
    let cases = [
        (
            "exact",
            users::db::search::EXACT,
            format!("'{me}', 'bname1'"),
        ),
        (
            "friends, a common prefix",
            users::db::search::FRIENDS,
            format!("'{me}', 'us', 'us~', 'us%', 21"),
        ),
        (
            "others, a common prefix",
            users::db::search::OTHERS,
            format!("'{me}', 'us', 'us~', 'us%', 21"),
        ),
        (
            "others, a rare prefix",
            users::db::search::OTHERS,
            format!("'{me}', 'bname1', 'bname1~', 'bname1%', 21"),
        ),
        (
            "others, after a cursor",
            users::db::search::OTHERS,
            format!("'{me}', 'user_0012ff', 'us~', 'us%', 21"),
        ),
        (
            "others, nothing matches",
            users::db::search::OTHERS,
            format!("'{me}', 'zz', 'zz~', 'zz%', 21"),
        ),
    ];
    for (name, statement, params) in cases {
        for generic in [false, true] {
            let plan = plan(&sql, statement, &params, generic).await;
            println!("--- {name} (generic plan: {generic})\n{plan}");
            assert!(
                !plan.contains("Seq Scan"),
                "{name}, generic {generic}: a sequential scan\n{plan}"
            );
            // Friends come from the friendship indexes (then users by
            // key), the others by the nickname index.
            let index = if statement == users::db::search::FRIENDS {
                " friendships_"
            } else {
                "users_nickname_lower_key"
            };
            assert!(
                plan.contains(index),
                "{name}, generic {generic}: not by {index}\n{plan}"
            );
        }
    }
    // Others with a common prefix: the index walked in order, stopped at
    // the limit, no sort of everyone who matches.
    let common = plan(
        &sql,
        users::db::search::OTHERS,
        &format!("'{me}', 'us', 'us~', 'us%', 21"),
        false,
    )
    .await;
    assert!(
        common.contains("Index Scan using users_nickname_lower_key") && !common.contains("Sort"),
        "{common}"
    );
}

#[tokio::test]
async fn whoever_blocked_the_caller_is_never_found() {
    let s = start().await;
    let me = named(&s, "seeker").await;
    let hater = named(&s, "seeklight").await;
    let shunned = named(&s, "seekmore").await;
    s.users_sql()
        .await
        .execute(
            "INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1::text::uuid, $2::text::uuid), ($2::text::uuid, $3::text::uuid)",
            &[&hater.id, &me.id, &shunned.id],
        )
        .await
        .unwrap();
    // The one who blocked me is gone, even by exact match; the one I
    // blocked is still found (as BLOCKED).
    assert_eq!(search_all(&me, "seek", 10).await, ["seekmore"]);
    assert!(nicknames(&search(&me, "seeklight", Some(5), &Value::Null).await).is_empty());
    let page = search(&me, "seekmore", Some(5), &Value::Null).await;
    assert_eq!(
        page["edges"][0]["node"]["relationship"], "BLOCKED",
        "{page}"
    );
}

//! Seed data through the public API, as clients create it: users
//! (register), friendships (request + accept) and conversations with
//! messages between the first user and every other.

use std::time::Duration;

use serde_json::json;

use crate::gql::Gql;

pub const PASSWORD: &str = "bench password 1234";

#[derive(Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub token: String,
}

/// Registers `count` users (`bench-<run>-<i>@example.com`) through the
/// router and waits until the users subgraph knows each one.
pub async fn users(
    router: &Gql,
    users: &Gql,
    run: &str,
    count: usize,
) -> anyhow::Result<Vec<User>> {
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let email = format!("bench-{run}-{i}@example.com");
        let resp = router
            .query(
                "mutation($email: String!, $password: String!) {
                   register(input: {email: $email, password: $password}) { auth { accessToken userId } }
                 }",
                &json!({"email": email, "password": PASSWORD}),
            )
            .await?;
        let auth = &resp["data"]["register"]["auth"];
        let (Some(id), Some(token)) = (auth["userId"].as_str(), auth["accessToken"].as_str())
        else {
            anyhow::bail!("register answered {resp}");
        };
        out.push(User {
            id: id.to_owned(),
            email,
            token: token.to_owned(),
        });
    }
    // Users learns of new accounts from auth's outbox.
    for user in &out {
        let me = users.with_token(&user.token);
        let mut known = false;
        for _ in 0..200 {
            if me.query("{ me { id } }", &json!({})).await.is_ok() {
                known = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::ensure!(known, "users never learned of {}", user.email);
    }
    Ok(out)
}

/// Makes `users[0]` friends with every other user, and gives each pair a
/// conversation of `messages` messages.
pub async fn conversations(router: &Gql, users: &[User], messages: usize) -> anyhow::Result<()> {
    let Some((hub, others)) = users.split_first() else {
        return Ok(());
    };
    let hub_gql = router.with_token(&hub.token);
    for (i, other) in others.iter().enumerate() {
        let other_gql = router.with_token(&other.token);
        hub_gql
            .query(
                "mutation($id: ID!) { sendFriendRequest(userId: $id) { relationship } }",
                &json!({"id": other.id}),
            )
            .await?;
        other_gql
            .query(
                "mutation($id: ID!) { acceptFriendRequest(userId: $id) { relationship } }",
                &json!({"id": hub.id}),
            )
            .await?;
        for m in 0..messages {
            let (from, to) = if m % 2 == 0 {
                (&other_gql, &hub.id)
            } else {
                (&hub_gql, &other.id)
            };
            send(
                from,
                to,
                &format!("seed-{i}-{m}"),
                &format!("seed message {m}"),
            )
            .await?;
        }
    }
    Ok(())
}

pub const SEND: &str = "mutation($to: ID!, $text: String!, $cid: String!) {
  sendMessage(input: {to: $to, text: $text, clientMessageId: $cid}) { message { id } }
}";

async fn send(from: &Gql, to: &str, client_id: &str, text: &str) -> anyhow::Result<()> {
    from.query(SEND, &json!({"to": to, "text": text, "cid": client_id}))
        .await?;
    Ok(())
}

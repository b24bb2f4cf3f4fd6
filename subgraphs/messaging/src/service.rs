//! The messaging domain: sending, reading, read markers and the live feed.
//! Resolvers are thin layers over this.

use std::collections::HashMap;

use api_errors::{ApiError, ApiResult};
use diesel_async::AsyncConnection as _;
use futures::{Stream, StreamExt as _};
use service_runtime::db::PgPool;
use uuid::Uuid;

use crate::cursor::{self, Kind};
use crate::db::conversations::{self, MemberView};
use crate::db::messages::{self, Message};
use crate::directory::Directory;
use crate::events::{self, MessageSent};
use crate::validate;

#[derive(Clone)]
pub struct MessagingService {
    pub pool: PgPool,
    pub directory: Directory,
    pub feed: feed::Feed,
    /// Throttling shared by every replica (state in this database).
    pub limiter: ratelimit::Limiter,
    pub message_rate: ratelimit::Rate,
    /// Wakes the outbox workers after a send has committed.
    pub outbox: outbox::Waker,
}

/// A conversation as one of its participants sees it.
#[derive(Debug, Clone)]
pub struct ConversationView {
    pub id: Uuid,
    pub peer_id: Uuid,
    pub unread_count: i32,
    pub last_message: Option<Message>,
    /// Position in the participant's list (for its cursor).
    pub activity: i64,
}

/// One page of a list, and whether more follow it.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_more: bool,
}

/// One entry of a user's message feed.
#[derive(Debug, Clone)]
pub struct MessageEvent {
    pub cursor: String,
    pub kind: EventKind,
    pub message: MessageSent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Received,
    Sent,
}

impl MessagingService {
    /// Sends `text` from `sender` to user `to`, exactly once per
    /// `(sender, client_message_id)`: a retry returns the original message.
    /// The message, the conversation's counters and the
    /// [`MessageSent`] event that puts it into both feeds are
    /// written in one transaction.
    pub async fn send(
        &self,
        sender: Uuid,
        to: &str,
        text: &str,
        client_message_id: &str,
    ) -> ApiResult<Message> {
        let recipient = validate::uuid("to", to)?;
        let text = validate::message_text(text)?;
        let client_message_id = validate::client_message_id(client_message_id)?;
        if recipient == sender {
            return Err(ApiError::invalid_field(
                "to",
                "you cannot send a message to yourself",
            ));
        }
        let key = format!("message:{sender}");
        let charge = ratelimit::Charge::new(&key, self.message_rate);
        let outgoing = messages::Outgoing {
            id: Uuid::now_v7(),
            sender_id: sender,
            recipient_id: recipient,
            body: text,
            client_message_id,
            new_conversation_id: Uuid::now_v7(),
        };
        let sent = if self.directory.knows(recipient) {
            // The common case, one statement: the rate limit counts the
            // message as part of it, and a retry fails the client id's
            // unique key, which takes the count back (retries are free).
            let mut conn = self.pool.get().await?;
            messages::send(&mut conn, &outgoing, charge.as_ref()).await
        } else {
            // A recipient to ask users about. A retry needs no asking; a
            // new message is counted before users is asked, so unknown ids
            // cannot be probed faster than messages can be sent.
            let mut conn = self.pool.get().await?;
            if let Some(original) =
                messages::by_client_id(&mut conn, sender, client_message_id).await?
            {
                return same_message(original, recipient, text);
            }
            // No connection is held while users is asked.
            drop(conn);
            self.limiter.check(&key, self.message_rate).await?;
            self.directory.ensure_exists(recipient).await?;
            let mut conn = self.pool.get().await?;
            messages::send(&mut conn, &outgoing, None).await
        };
        match sent {
            Ok(message) => {
                tracing::debug!(message_id = %message.id, conversation_id = %message.conversation_id, "message sent");
                // After the commit, not in it: a commit that notifies holds
                // PostgreSQL's notification lock through its disk flush,
                // which serialised every send (outbox::enqueue_unannounced).
                self.outbox.wake();
                Ok(message)
            }
            // A retry (maybe refused by the limit before its duplicate key
            // could show): the original message, whatever the limit says.
            Err(refusal @ (messages::SendError::Duplicate | messages::SendError::Limited)) => {
                let mut conn = self.pool.get().await?;
                if let Some(original) =
                    messages::by_client_id(&mut conn, sender, client_message_id).await?
                {
                    return same_message(original, recipient, text);
                }
                if matches!(refusal, messages::SendError::Duplicate) {
                    return Err(ApiError::internal(
                        "client message id conflicted, then vanished",
                    ));
                }
                let decision = ratelimit::refused(&mut conn, &key, self.message_rate).await?;
                Err(decision
                    .into_result()
                    .err()
                    .unwrap_or_else(|| ApiError::rate_limited(1)))
            }
            Err(messages::SendError::Db(err)) => Err(err.into()),
        }
    }

    /// The caller's conversations, most recent activity first.
    pub async fn conversations(
        &self,
        me: Uuid,
        first: Option<i32>,
        after: Option<&str>,
    ) -> ApiResult<Page<ConversationView>> {
        let limit = validate::page_size(first)?;
        let after = after
            .map(|c| cursor::decode(Kind::Conversation, "after", c))
            .transpose()?;
        let mut conn = self.pool.get().await?;
        let mut rows = conversations::page_for(&mut conn, me, after, limit + 1).await?;
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let items = with_last_messages(&mut conn, rows).await?;
        Ok(Page { items, has_more })
    }

    /// One conversation of the caller; `NOT_FOUND` for anyone else's.
    pub async fn conversation(&self, me: Uuid, id: &str) -> ApiResult<ConversationView> {
        let id = validate::uuid("id", id)?;
        let mut conn = self.pool.get().await?;
        let row = conversations::member_view(&mut conn, id, me)
            .await?
            .ok_or_else(conversation_not_found)?;
        with_last_messages(&mut conn, vec![row])
            .await?
            .pop()
            .ok_or_else(conversation_not_found)
    }

    /// The history with user `with`, newest first, older than `before`.
    /// Empty when the two have never written to each other.
    pub async fn messages(
        &self,
        me: Uuid,
        with: &str,
        first: Option<i32>,
        before: Option<&str>,
    ) -> ApiResult<Page<Message>> {
        let peer = validate::uuid("with", with)?;
        let limit = validate::page_size(first)?;
        let before = before
            .map(|c| cursor::decode(Kind::Message, "before", c))
            .transpose()?;
        if peer == me {
            return Err(ApiError::invalid_field(
                "with",
                "there is no conversation with yourself",
            ));
        }
        let mut conn = self.pool.get().await?;
        let Some(conversation) = conversations::by_pair(&mut conn, me, peer).await? else {
            return Ok(Page {
                items: Vec::new(),
                has_more: false,
            });
        };
        let mut items = messages::page(&mut conn, conversation.id, before, limit + 1).await?;
        let has_more = items.len() as i64 > limit;
        items.truncate(limit as usize);
        Ok(Page { items, has_more })
    }

    /// Moves the caller's read marker forward to message `up_to` (never
    /// back) and recounts their unread messages, under the conversation's
    /// lock so that no message sent meanwhile is miscounted.
    pub async fn mark_read(
        &self,
        me: Uuid,
        conversation_id: &str,
        up_to: &str,
    ) -> ApiResult<ConversationView> {
        let conversation_id = validate::uuid("conversationId", conversation_id)?;
        let up_to = validate::uuid("upTo", up_to)?;
        let mut conn = self.pool.get().await?;
        let row = conn
            .transaction::<_, ApiError, _>(async |conn| {
                conversations::lock_for_member(conn, conversation_id, me)
                    .await?
                    .ok_or_else(conversation_not_found)?;
                let message = messages::in_conversation(conn, conversation_id, up_to)
                    .await?
                    .ok_or_else(|| {
                        ApiError::not_found("no such message in this conversation")
                            .with_extension("field", "upTo".into())
                    })?;
                let mut row = conversations::member_view(conn, conversation_id, me)
                    .await?
                    .ok_or_else(conversation_not_found)?;
                if message.seq > row.member.last_read_seq {
                    let unread =
                        messages::count_received_after(conn, conversation_id, me, message.seq)
                            .await?;
                    let unread = i32::try_from(unread).unwrap_or(i32::MAX);
                    conversations::set_read_marker(conn, conversation_id, me, message.seq, unread)
                        .await?;
                    row.member.last_read_seq = message.seq;
                    row.member.unread_count = unread;
                }
                Ok(row)
            })
            .await?;
        with_last_messages(&mut conn, vec![row])
            .await?
            .pop()
            .ok_or_else(conversation_not_found)
    }

    /// The cursor of the caller's newest feed entry: subscribing with it as
    /// `after` delivers every entry appended from now on (including those of
    /// messages sent just before whose events are still being delivered).
    pub async fn message_events_cursor(&self, me: Uuid) -> ApiResult<String> {
        let mut conn = self.pool.get().await?;
        let head = feed::head(&mut conn, me).await?;
        Ok(feed::encode_cursor(head))
    }

    /// The caller's message feed: everything after `after` (a cursor from an
    /// earlier event), then live events as they commit. Without `after` it
    /// starts live.
    pub fn message_events(
        &self,
        me: Uuid,
        after: Option<&str>,
    ) -> ApiResult<impl Stream<Item = ApiResult<MessageEvent>> + Send + use<>> {
        let after = after
            .map(|c| {
                feed::parse_cursor(c)
                    .map_err(|_| ApiError::invalid_field("after", "`after` is not a valid cursor"))
            })
            .transpose()?;
        // Boxed: `Feed::subscribe`'s opaque type also captures `&self`'s
        // lifetime (edition 2024) although the stream is `'static`.
        let events: futures::stream::BoxStream<'static, _> =
            Box::pin(self.feed.subscribe(me, after));
        Ok(events.filter_map(|item| async move {
            match item {
                Ok(event) => decode_event(&event).map(Ok),
                Err(err) => Some(Err(ApiError::unavailable(
                    "the message feed is unavailable; resubscribe with the last cursor",
                )
                .with_source(err))),
            }
        }))
    }
}

/// The feed entry as a message event; `None` (logged) for entries this
/// service does not understand.
fn decode_event(event: &feed::Event) -> Option<MessageEvent> {
    let kind = match event.kind.as_str() {
        events::MESSAGE_RECEIVED => EventKind::Received,
        events::MESSAGE_SENT => EventKind::Sent,
        other => {
            tracing::debug!(kind = other, "skipping feed entry of another kind");
            return None;
        }
    };
    match serde_json::from_value::<MessageSent>(event.payload.clone()) {
        Ok(message) => Some(MessageEvent {
            cursor: event.cursor(),
            kind,
            message,
        }),
        Err(err) => {
            tracing::error!(%err, recipient = %event.recipient_id, seq = event.seq, "undecodable message feed entry");
            None
        }
    }
}

/// A retry must repeat the original request; reusing a client message id
/// for a different message is refused.
fn same_message(original: Message, recipient: Uuid, text: &str) -> ApiResult<Message> {
    if original.recipient_id == recipient && original.body == text {
        Ok(original)
    } else {
        Err(
            ApiError::conflict("this clientMessageId was already used for a different message")
                .with_extension("field", "clientMessageId".into()),
        )
    }
}

fn conversation_not_found() -> ApiError {
    ApiError::not_found("no such conversation")
}

/// Attaches each conversation's newest message (one query for the page).
async fn with_last_messages(
    conn: &mut crate::db::Conn,
    rows: Vec<MemberView>,
) -> ApiResult<Vec<ConversationView>> {
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.last_message_id).collect();
    let mut last: HashMap<Uuid, Message> = messages::by_ids(conn, &ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let last_message = row.last_message_id.and_then(|id| last.remove(&id));
            ConversationView {
                id: row.member.conversation_id,
                peer_id: row.member.peer_id,
                unread_count: row.member.unread_count,
                last_message,
                activity: row.member.last_activity,
            }
        })
        .collect())
}

//! The messaging domain: sending, reading, read markers, groups and the
//! live feed. Resolvers are thin layers over this; group membership
//! changes are in [`groups`], edits and deletions in [`changes`],
//! reactions in [`reactions`], typing indicators in [`typing`].

mod changes;
mod groups;
mod reactions;
pub mod replica;
mod reports;
mod typing;

use std::collections::HashMap;

use api_errors::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use futures::{Stream, StreamExt as _};
use service_runtime::db::PgPool;
use uuid::Uuid;

use crate::cursor::{self, Kind};
use crate::db::Conn;
use crate::db::contacts::{self, Refusal};

/// A connection of the pool, held.
type PooledConn =
    diesel_async::pooled_connection::deadpool::Object<diesel_async::AsyncPgConnection>;
use crate::db::conversations::{self, Conversation, MemberRow, MemberView, Membership, Role};
use crate::db::messages::{self, Direction, Message};
use crate::directory::Directory;
use crate::events::{self, ConversationRead, FeedMessage, MemberRead};
use crate::validate::{self, Paging};

#[derive(Clone)]
pub struct MessagingService {
    pub pool: PgPool,
    pub directory: Directory,
    pub feed: feed::Feed,
    /// Throttling shared by every replica (state in this database).
    pub limiter: ratelimit::Limiter,
    pub message_rate: ratelimit::Rate,
    /// Reports one user may file (`REPORT_RATE`).
    pub report_rate: ratelimit::Rate,
    /// Wakes the outbox workers after a send has committed.
    pub outbox: outbox::Waker,
    /// Most members of a group (`MAX_GROUP_MEMBERS`).
    pub max_group_members: i64,
    /// Typing signals heard by this process (`LISTEN typing`).
    pub typing: crate::typing::Hub,
    /// Typing signals one member sends per conversation (`TYPING_RATE`).
    pub typing_rate: ratelimit::Rate,
    /// How long a `true` lasts unless repeated (`TYPING_EXPIRES_SECS`).
    pub typing_expires: std::time::Duration,
}

/// A conversation as one of its (current or former) members sees it.
#[derive(Debug, Clone)]
pub struct ConversationView {
    pub conversation: Conversation,
    pub member: Membership,
    /// The newest message this member may see that is not deleted.
    pub last_message: Option<Message>,
    /// Deleted messages among those after the member's read marker.
    pub deleted_unread: i64,
}

impl ConversationView {
    pub fn id(&self) -> Uuid {
        self.conversation.id
    }

    /// The caller's role; `None` once they have left or were removed.
    pub fn my_role(&self) -> Option<Role> {
        self.member.is_current().then(|| self.member.role())
    }

    /// Messages after the read marker the member may see, tombstones
    /// left out.
    pub fn unread_count(&self) -> i64 {
        (self.member.unread(self.conversation.last_seq) - self.deleted_unread).max(0)
    }

    /// The sequence numbers of the messages the caller may see:
    /// `low < seq <= high`.
    pub fn window(&self) -> (i64, i64) {
        (
            self.member.joined_seq,
            self.member.visible_up_to(self.conversation.last_seq),
        )
    }
}

/// One page of a list, and whether more follow it.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_more: bool,
}

/// One page of a conversation's messages.
#[derive(Debug)]
pub struct MessagePage {
    /// Oldest first (forward) or newest first (backward).
    pub items: Vec<Message>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
    /// The originals of the page's replies that the caller may see, by id.
    pub replies: HashMap<Uuid, Message>,
}

/// One entry of a user's message feed.
#[derive(Debug, Clone)]
pub struct MessageEvent {
    pub cursor: String,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub conversation_id: Uuid,
    /// The message of a message event, as it is when delivered.
    pub message: Option<Message>,
    /// Its reactions then, as the subscriber sees them.
    pub reactions: Vec<crate::db::reactions::Summary>,
    pub read_up_to: Option<Uuid>,
    pub unread_count: Option<i64>,
    pub unread_total: Option<i64>,
    pub user: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Received,
    Sent,
    ConversationRead,
    MemberRead,
    Edited,
    Deleted,
    ReactionsChanged,
}

/// Feed entries resolved per query: those a subscription has read and not
/// yet delivered (the feed reads 100 at a time).
const RESOLVE_BATCH: usize = 100;

/// What one send statement did.
enum Attempt {
    /// Sent (or the original of a retry), with the connection that wrote it.
    Sent(Box<(Message, PooledConn)>),
    /// Refused: the recipient takes direct messages from friends only; ask
    /// users whether the two are.
    FriendsOnly(Uuid),
}

/// Where `sendMessage` sends to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Conversation(Uuid),
    User(Uuid),
}

impl MessagingService {
    /// Sends `text` from `sender` into conversation `conversation_id` or
    /// to user `to` (exactly one; the pair's direct conversation, created
    /// on first use), exactly once per `(sender, client_message_id)`: a
    /// retry returns the original message. The message, the
    /// conversation's counters, the sender's read marker and the
    /// [`events::MessageSent`] event that puts it into every member's feed are
    /// written in one transaction. `reply_to`: an earlier message of the
    /// same conversation the sender may see (a tombstone too), else
    /// `NOT_FOUND`.
    pub async fn send(
        &self,
        sender: Uuid,
        conversation_id: Option<&str>,
        to: Option<&str>,
        text: &str,
        client_message_id: &str,
        reply_to: Option<&str>,
    ) -> ApiResult<(Message, ConversationView)> {
        let target = match (conversation_id, to) {
            (Some(id), None) => Target::Conversation(validate::uuid("conversationId", id)?),
            (None, Some(to)) => Target::User(validate::uuid("to", to)?),
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid_field(
                    "to",
                    "give either `conversationId` or `to`, not both",
                ));
            }
            (None, None) => {
                return Err(ApiError::invalid_field(
                    "conversationId",
                    "give `conversationId` or `to`",
                ));
            }
        };
        let text = validate::message_text(text)?;
        let client_message_id = validate::client_message_id(client_message_id)?;
        if target == Target::User(sender) {
            return Err(ApiError::invalid_field(
                "to",
                "you cannot send a message to yourself",
            ));
        }
        let reply_to = match reply_to {
            Some(id) => {
                let id = validate::uuid("replyToId", id)?;
                Some(self.check_reply(sender, target, id).await?)
            }
            None => None,
        };
        // The connection that wrote the message (or found the original):
        // a statement's answer may reach us before its commit (a row of
        // more than 8 kB flushes early), which another connection could
        // then not see yet; this one runs our next query after it.
        let (message, mut conn) = self
            .send_to(sender, target, text, client_message_id, reply_to)
            .await?;
        let view = conversations::member_view(&mut conn, message.conversation_id, sender)
            .await?
            .ok_or_else(conversation_not_found)?;
        let view = with_last_messages(&mut conn, vec![view])
            .await?
            .pop()
            .ok_or_else(conversation_not_found)?;
        Ok((message, view))
    }

    /// Sends as [`Self::try_send`]; a recipient who takes direct messages
    /// from friends only costs one question to users (`AreFriends`) and a
    /// second attempt, which counts against the rate limit again.
    async fn send_to(
        &self,
        sender: Uuid,
        target: Target,
        text: &str,
        client_message_id: &str,
        reply_to: Option<Uuid>,
    ) -> ApiResult<(Message, PooledConn)> {
        let attempt = self
            .try_send(sender, target, text, client_message_id, reply_to, false)
            .await?;
        let recipient = match attempt {
            Attempt::Sent(sent) => return Ok(*sent),
            Attempt::FriendsOnly(recipient) => recipient,
        };
        if !self
            .directory
            .friends_among(sender, &[recipient])
            .await?
            .contains(&recipient)
        {
            return Err(ApiError::recipient_unavailable());
        }
        match self
            .try_send(sender, target, text, client_message_id, reply_to, true)
            .await?
        {
            Attempt::Sent(sent) => Ok(*sent),
            Attempt::FriendsOnly(_) => Err(ApiError::recipient_unavailable()),
        }
    }

    /// One send statement. `friends`: users said the sender and the
    /// recipient are friends (see [`messages::Outgoing::friends`]).
    async fn try_send(
        &self,
        sender: Uuid,
        target: Target,
        text: &str,
        client_message_id: &str,
        reply_to: Option<Uuid>,
        friends: bool,
    ) -> ApiResult<Attempt> {
        let key = format!("message:{sender}");
        let charge = ratelimit::Charge::new(&key, self.message_rate);
        let mut outgoing = messages::Outgoing {
            id: Uuid::now_v7(),
            sender_id: sender,
            recipient_id: Uuid::nil(),
            body: text,
            client_message_id,
            new_conversation_id: Uuid::now_v7(),
            reply_to_id: reply_to,
            friends,
        };
        let mut conn = self.pool.get().await?;
        let sent = match target {
            Target::Conversation(id) => {
                outgoing.new_conversation_id = id;
                messages::send_in(&mut conn, &outgoing, charge.as_ref()).await
            }
            Target::User(recipient) if self.directory.knows(recipient) => {
                // The common case, one statement: the rate limit counts the
                // message as part of it, and a retry fails the client id's
                // unique key, which takes the count back (retries are free).
                outgoing.recipient_id = recipient;
                messages::send(&mut conn, &outgoing, charge.as_ref()).await
            }
            Target::User(recipient) => {
                // A recipient to ask users about. A retry needs no asking; a
                // new message is counted before users is asked, so unknown
                // ids cannot be probed faster than messages can be sent.
                outgoing.recipient_id = recipient;
                if let Some(original) =
                    messages::by_client_id(&mut conn, sender, client_message_id).await?
                {
                    let original = same_message(original, target, text, reply_to)?;
                    return Ok(Attempt::Sent(Box::new((original, conn))));
                }
                // No connection is held while users is asked.
                drop(conn);
                self.limiter.check(&key, self.message_rate).await?;
                self.directory.ensure_exists(recipient).await?;
                conn = self.pool.get().await?;
                messages::send(&mut conn, &outgoing, None).await
            }
        };
        match sent {
            Ok(message) => {
                tracing::debug!(message_id = %message.id, conversation_id = %message.conversation_id, "message sent");
                // After the commit, not in it: a commit that notifies holds
                // PostgreSQL's notification lock through its disk flush,
                // which serialised every send (outbox::enqueue_unannounced).
                self.outbox.wake();
                Ok(Attempt::Sent(Box::new((message, conn))))
            }
            // A retry (maybe refused by the limit before its duplicate key
            // could show): the original message, whatever the limit says.
            Err(refusal @ (messages::SendError::Duplicate | messages::SendError::Limited)) => {
                if let Some(original) =
                    messages::by_client_id(&mut conn, sender, client_message_id).await?
                {
                    let original = same_message(original, target, text, reply_to)?;
                    return Ok(Attempt::Sent(Box::new((original, conn))));
                }
                if matches!(refusal, messages::SendError::Duplicate) {
                    return Err(ApiError::internal(
                        "client message id conflicted, then vanished",
                    ));
                }
                let recipient = match target {
                    Target::User(recipient) => Some(recipient),
                    Target::Conversation(id) => {
                        let member = conversations::membership(&mut conn, id, sender)
                            .await?
                            .filter(Membership::is_current)
                            .ok_or_else(|| {
                                conversation_not_found()
                                    .with_extension("field", "conversationId".into())
                            })?;
                        member.peer_id
                    }
                };
                // A block or the recipient's setting: the same answer for
                // both, so a block is not revealed.
                if let Some(recipient) = recipient {
                    match contacts::refusal(&mut conn, sender, recipient).await? {
                        Some(Refusal::FriendsOnly) if !friends => {
                            return Ok(Attempt::FriendsOnly(recipient));
                        }
                        Some(_) => return Err(ApiError::recipient_unavailable()),
                        None => {}
                    }
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

    /// A conversation the caller is or was a member of; `NOT_FOUND` for
    /// any other.
    pub async fn conversation(&self, me: Uuid, id: &str) -> ApiResult<ConversationView> {
        let id = validate::uuid("id", id)?;
        let mut conn = self.pool.get().await?;
        view_of(&mut conn, id, me).await
    }

    /// The direct conversation of the caller with user `with`, if they
    /// have one (never creates it).
    pub async fn direct_conversation(
        &self,
        me: Uuid,
        with: &str,
    ) -> ApiResult<Option<ConversationView>> {
        let peer = validate::uuid("with", with)?;
        if peer == me {
            return Err(ApiError::invalid_field(
                "with",
                "there is no conversation with yourself",
            ));
        }
        let mut conn = self.pool.get().await?;
        let Some(conversation) = conversations::by_pair(&mut conn, me, peer).await? else {
            return Ok(None);
        };
        Ok(Some(view_of(&mut conn, conversation.id, me).await?))
    }

    /// A page of the messages the caller may see in a conversation
    /// (`window`: [`ConversationView::window`]).
    pub async fn messages(
        &self,
        conversation_id: Uuid,
        window: (i64, i64),
        paging: Paging<'_>,
    ) -> ApiResult<MessagePage> {
        let (low, high) = window;
        let mut conn = self.pool.get().await?;
        match paging {
            Paging::Forward { limit, after } => {
                let after = after
                    .map(|c| cursor::decode(Kind::Message, "after", c))
                    .transpose()?;
                let from = after.unwrap_or(low).max(low);
                let mut items = messages::page(
                    &mut conn,
                    conversation_id,
                    from,
                    high,
                    Direction::Forward,
                    limit + 1,
                )
                .await?;
                let has_next_page = items.len() as i64 > limit;
                items.truncate(limit as usize);
                let replies = replies_of(&mut conn, &items, low).await?;
                Ok(MessagePage {
                    items,
                    has_previous_page: from > low,
                    has_next_page,
                    replies,
                })
            }
            Paging::Backward { limit, before } => {
                let before = before
                    .map(|c| cursor::decode(Kind::Message, "before", c))
                    .transpose()?;
                let to = before.map_or(high, |b| (b - 1).min(high));
                let mut items = messages::page(
                    &mut conn,
                    conversation_id,
                    low,
                    to,
                    Direction::Backward,
                    limit + 1,
                )
                .await?;
                let has_previous_page = items.len() as i64 > limit;
                items.truncate(limit as usize);
                let replies = replies_of(&mut conn, &items, low).await?;
                Ok(MessagePage {
                    items,
                    has_previous_page,
                    has_next_page: to < high,
                    replies,
                })
            }
        }
    }

    /// A page of a conversation's current members, longest-standing first,
    /// their read markers as `viewer` may see them ([`hide_read_markers`]).
    pub async fn members(
        &self,
        viewer: Uuid,
        conversation_id: Uuid,
        first: Option<i32>,
        after: Option<&str>,
    ) -> ApiResult<Page<(i64, MemberRow)>> {
        let limit = validate::page_size(first)?;
        let offset = after
            .map(|c| cursor::decode(Kind::Member, "after", c))
            .transpose()?
            .map_or(0, |position| position + 1);
        let mut conn = self.pool.get().await?;
        let mut rows =
            conversations::member_page(&mut conn, conversation_id, offset, limit + 1).await?;
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        hide_read_markers(&mut conn, viewer, &mut rows).await?;
        let items = (offset..).zip(rows).collect();
        Ok(Page { items, has_more })
    }

    pub async fn member_count(&self, conversation_id: Uuid) -> ApiResult<i64> {
        let mut conn = self.pool.get().await?;
        Ok(conversations::member_count(&mut conn, conversation_id).await?)
    }

    /// The caller's unread messages over all conversations, and in how
    /// many conversations.
    pub async fn unread_totals(&self, me: Uuid) -> ApiResult<conversations::UnreadTotals> {
        let mut conn = self.pool.get().await?;
        Ok(conversations::unread_totals(&mut conn, me).await?)
    }

    /// Moves the caller's read marker forward to message `up_to` (never
    /// back), under the conversation's lock so that no message sent
    /// meanwhile is miscounted. When it moves, the caller's other devices
    /// get CONVERSATION_READ and the other members MEMBER_READ, in the
    /// same transaction.
    pub async fn mark_read(
        &self,
        me: Uuid,
        conversation_id: &str,
        up_to: &str,
    ) -> ApiResult<ConversationView> {
        let conversation_id = validate::uuid("conversationId", conversation_id)?;
        let up_to = validate::uuid("upTo", up_to)?;
        let mut conn = self.pool.get().await?;
        conn.transaction::<_, ApiError, _>(async |conn| {
            let conversation = conversations::lock(conn, conversation_id)
                .await?
                .ok_or_else(conversation_not_found)?;
            let member = conversations::membership(conn, conversation_id, me)
                .await?
                .ok_or_else(conversation_not_found)?;
            let message = messages::in_conversation(conn, conversation_id, up_to)
                .await?
                .filter(|m| {
                    m.seq > member.joined_seq
                        && m.seq <= member.visible_up_to(conversation.last_seq)
                })
                .ok_or_else(|| {
                    ApiError::not_found("no such message in this conversation")
                        .with_extension("field", "upTo".into())
                })?;
            if message.seq > member.last_read_seq {
                conversations::set_read_marker(conn, conversation_id, me, message.seq).await?;
                let mut moved = member.clone();
                moved.last_read_seq = message.seq;
                let totals = conversations::unread_totals(conn, me).await?;
                let deleted: i64 =
                    messages::deleted_between(conn, &[unread_range(&moved, conversation.last_seq)])
                        .await?
                        .iter()
                        .map(|(_, n)| n)
                        .sum();
                let own = ConversationRead {
                    conversation_id,
                    read_up_to: message.id,
                    unread_count: (moved.unread(conversation.last_seq) - deleted).max(0),
                    unread_total: totals.messages,
                };
                let others = if member.is_current() {
                    let current = conversations::current_members(conn, conversation_id).await?;
                    let ids: Vec<Uuid> = current.iter().map(|m| m.user_id).collect();
                    let receipts_off = contacts::receipts_off_among(conn, &ids).await?;
                    events::member_read_audience(me, &current, &receipts_off)
                } else {
                    Vec::new()
                };
                events::append_read(conn, &own, me, &others).await?;
            }
            Ok(())
        })
        .await?;
        view_of(&mut conn, conversation_id, me).await
    }

    /// The cursor of the caller's newest feed entry: subscribing with it as
    /// `after` delivers every entry appended from now on (including those of
    /// messages sent just before whose events are still being delivered).
    pub async fn message_events_cursor(&self, me: Uuid) -> ApiResult<String> {
        let mut conn = self.pool.get().await?;
        let head = feed::head(&mut conn, me).await?;
        Ok(events::CURSORS.encode(head))
    }

    /// The caller's message feed: everything after `after` (a cursor from an
    /// earlier event), then live events as they commit. Without `after` it
    /// starts live.
    pub async fn message_events(
        &self,
        me: Uuid,
        after: Option<&str>,
    ) -> ApiResult<impl Stream<Item = ApiResult<MessageEvent>> + Send + use<>> {
        let after = after.map(|c| events::CURSORS.parse(c)).transpose()?;
        if let Some(after) = after {
            // Refused here (CURSOR_EXPIRED) rather than by the stream's
            // first item.
            self.feed.check_cursor(me, after).await?;
        }
        // Boxed: `Feed::subscribe`'s opaque type also captures `&self`'s
        // lifetime (edition 2024) although the stream is `'static`.
        let events: futures::stream::BoxStream<'static, _> =
            Box::pin(self.feed.subscribe(me, after));
        let pool = self.pool.clone();
        // The entries the feed has read (and not yet delivered) come
        // together: their messages are loaded in one query, as they are now.
        let resolved = events
            .ready_chunks(RESOLVE_BATCH)
            .then(move |chunk| {
                let pool = pool.clone();
                async move { resolve(&pool, me, chunk).await }
            })
            .flat_map(futures::stream::iter);
        // The feed ends the stream after an error, and so does a failed
        // load; the client resubscribes with its last cursor (or refetches,
        // on CURSOR_EXPIRED).
        Ok(resolved.scan(false, |failed, item| {
            let item = (!*failed).then_some(item);
            *failed = matches!(item, Some(Err(_)));
            futures::future::ready(item)
        }))
    }
}

/// A feed entry decoded, its message (if it has one) still to load.
struct Decoded {
    event: MessageEvent,
    message_id: Option<Uuid>,
}

/// The message events of `chunk` (feed entries of `me` in order, possibly
/// ending with the feed's error), their messages and those messages'
/// reactions loaded in one query each. Entries this service does not
/// understand are skipped (logged).
async fn resolve(
    pool: &PgPool,
    me: Uuid,
    chunk: Vec<Result<feed::Event, feed::FeedError>>,
) -> Vec<ApiResult<MessageEvent>> {
    let mut decoded = Vec::with_capacity(chunk.len());
    let mut failure = None;
    for item in chunk {
        match item {
            Ok(event) => decoded.extend(decode_event(&event)),
            Err(err) => {
                failure = Some(ApiError::from(err));
                break;
            }
        }
    }
    let ids: Vec<Uuid> = decoded.iter().filter_map(|d| d.message_id).collect();
    let mut out = Vec::with_capacity(decoded.len() + 1);
    let mut messages: HashMap<Uuid, Message> = HashMap::new();
    let mut reactions = HashMap::new();
    if !ids.is_empty() {
        let loaded = match pool.get().await {
            Ok(mut conn) => load_with_reactions(&mut conn, &ids, me).await,
            Err(err) => Err(ApiError::from(err)),
        };
        match loaded {
            Ok((rows, summaries)) => {
                messages.extend(rows.into_iter().map(|m| (m.id, m)));
                reactions = summaries;
            }
            Err(err) => {
                // Nothing of this chunk is delivered: the client resumes
                // from the cursor before it.
                out.push(Err(err));
                return out;
            }
        }
    }
    for Decoded {
        mut event,
        message_id,
    } in decoded
    {
        if let Some(id) = message_id {
            let Some(message) = messages.get(&id) else {
                tracing::error!(message_id = %id, "a feed entry's message is missing; skipped");
                continue;
            };
            event.message = Some(message.clone());
            event.reactions = reactions.get(&id).cloned().unwrap_or_default();
        }
        out.push(Ok(event));
    }
    out.extend(failure.map(Err));
    out
}

/// Messages `ids` and their reactions as `viewer` sees them.
async fn load_with_reactions(
    conn: &mut Conn,
    ids: &[Uuid],
    viewer: Uuid,
) -> ApiResult<(
    Vec<Message>,
    HashMap<Uuid, Vec<crate::db::reactions::Summary>>,
)> {
    let rows = messages::by_ids(conn, ids).await?;
    let summaries = crate::db::reactions::summaries(conn, ids, viewer).await?;
    Ok((rows, reactions::by_message(summaries)))
}

/// The feed entry as a message event (its message to load); `None`
/// (logged) for entries this service does not understand.
fn decode_event(event: &feed::Event) -> Option<Decoded> {
    let base = |kind, conversation_id| MessageEvent {
        cursor: events::CURSORS.encode(event.seq),
        at: event.created_at,
        kind,
        conversation_id,
        message: None,
        reactions: Vec::new(),
        read_up_to: None,
        unread_count: None,
        unread_total: None,
        user: None,
    };
    let message_kind = match event.kind.as_str() {
        events::MESSAGE_RECEIVED => Some(EventKind::Received),
        events::MESSAGE_SENT => Some(EventKind::Sent),
        events::MESSAGE_EDITED => Some(EventKind::Edited),
        events::MESSAGE_DELETED => Some(EventKind::Deleted),
        events::REACTIONS_CHANGED => Some(EventKind::ReactionsChanged),
        _ => None,
    };
    let decoded = if let Some(kind) = message_kind {
        serde_json::from_value::<FeedMessage>(event.payload.clone()).map(|message| Decoded {
            event: MessageEvent {
                user: message.actor,
                ..base(kind, message.conversation_id)
            },
            message_id: Some(message.id),
        })
    } else {
        match event.kind.as_str() {
            events::CONVERSATION_READ => {
                serde_json::from_value::<ConversationRead>(event.payload.clone()).map(|read| {
                    Decoded {
                        event: MessageEvent {
                            read_up_to: Some(read.read_up_to),
                            unread_count: Some(read.unread_count),
                            unread_total: Some(read.unread_total),
                            ..base(EventKind::ConversationRead, read.conversation_id)
                        },
                        message_id: None,
                    }
                })
            }
            events::MEMBER_READ => {
                serde_json::from_value::<MemberRead>(event.payload.clone()).map(|read| Decoded {
                    event: MessageEvent {
                        read_up_to: Some(read.read_up_to),
                        user: Some(read.user_id),
                        ..base(EventKind::MemberRead, read.conversation_id)
                    },
                    message_id: None,
                })
            }
            other => {
                tracing::debug!(kind = other, "skipping feed entry of another kind");
                return None;
            }
        }
    };
    match decoded {
        Ok(decoded) => Some(decoded),
        Err(err) => {
            tracing::error!(%err, recipient = %event.recipient_id, seq = event.seq, "undecodable message feed entry");
            None
        }
    }
}

impl MessagingService {
    /// The message `id` a new message of `sender` to `target` answers:
    /// `NOT_FOUND` (naming `replyToId`) unless it is in that conversation
    /// and `sender` may see it.
    async fn check_reply(&self, sender: Uuid, target: Target, id: Uuid) -> ApiResult<Uuid> {
        let not_found = || {
            ApiError::not_found("no such message in this conversation")
                .with_extension("field", "replyToId".into())
        };
        let mut conn = self.pool.get().await?;
        let original = messages::by_id(&mut conn, id)
            .await?
            .ok_or_else(not_found)?;
        let conversation_id = match target {
            Target::Conversation(id) => id,
            Target::User(peer) => {
                conversations::by_pair(&mut conn, sender, peer)
                    .await?
                    .ok_or_else(not_found)?
                    .id
            }
        };
        if original.conversation_id != conversation_id {
            return Err(not_found());
        }
        let member = conversations::membership(&mut conn, conversation_id, sender)
            .await?
            .ok_or_else(not_found)?;
        if original.seq <= member.joined_seq {
            return Err(not_found());
        }
        Ok(original.id)
    }

    /// Whether `me` blocks `other` (messaging's replica of users' blocks).
    pub async fn blocks(&self, me: Uuid, other: Uuid) -> ApiResult<bool> {
        let mut conn = self.pool.get().await?;
        Ok(contacts::blocked_by(&mut conn, me, &[other])
            .await?
            .contains(&other))
    }

    /// Message `id` of conversation `conversation_id` (the original of a
    /// reply) if `viewer` may see it: `None` when it predates their
    /// joining.
    pub async fn reply_for(
        &self,
        viewer: Uuid,
        conversation_id: Uuid,
        id: Uuid,
    ) -> ApiResult<Option<Message>> {
        let mut conn = self.pool.get().await?;
        let Some(member) = conversations::membership(&mut conn, conversation_id, viewer).await?
        else {
            return Ok(None);
        };
        Ok(messages::in_conversation(&mut conn, conversation_id, id)
            .await?
            .filter(|m| m.seq > member.joined_seq))
    }
}

/// A retry must repeat the original request; reusing a client message id
/// for a different message is refused. Once the message was edited or
/// deleted its first text is gone: a retry to the same place gets it as
/// it is now.
fn same_message(
    original: Message,
    target: Target,
    text: &str,
    reply_to: Option<Uuid>,
) -> ApiResult<Message> {
    let same_target = match target {
        Target::Conversation(id) => original.conversation_id == id,
        Target::User(recipient) => original.recipient_id == Some(recipient),
    };
    let changed = original.edited_at.is_some() || original.is_deleted();
    if same_target && original.reply_to_id == reply_to && (changed || original.body == text) {
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

/// The originals of the replies among `items` with `seq > low` (those a
/// member who joined after `low` may see), in one query.
async fn replies_of(
    conn: &mut Conn,
    items: &[Message],
    low: i64,
) -> ApiResult<HashMap<Uuid, Message>> {
    let ids: Vec<Uuid> = items.iter().filter_map(|m| m.reply_to_id).collect();
    Ok(messages::by_ids(conn, &ids)
        .await?
        .into_iter()
        .filter(|m| m.seq > low)
        .map(|m| (m.id, m))
        .collect())
}

/// `me`'s view of conversation `id`, with its newest visible message.
async fn view_of(conn: &mut Conn, id: Uuid, me: Uuid) -> ApiResult<ConversationView> {
    let row = conversations::member_view(conn, id, me)
        .await?
        .ok_or_else(conversation_not_found)?;
    with_last_messages(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(conversation_not_found)
}

/// Attaches each conversation's newest message the member may see that is
/// not deleted (one query for the page; one more for each conversation the
/// member left or whose newest message is deleted) and the deleted messages
/// after the member's read marker (one query, only if any is unread).
async fn with_last_messages(
    conn: &mut Conn,
    rows: Vec<MemberView>,
) -> ApiResult<Vec<ConversationView>> {
    let ids: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.member.is_current())
        .filter_map(|r| r.conversation.last_message_id)
        .collect();
    let mut last: HashMap<Uuid, Message> = messages::by_ids(conn, &ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let unread: Vec<(Uuid, i64, i64)> = rows
        .iter()
        .filter(|r| r.member.unread(r.conversation.last_seq) > 0)
        .map(|r| unread_range(&r.member, r.conversation.last_seq))
        .collect();
    let deleted: HashMap<Uuid, i64> = messages::deleted_between(conn, &unread)
        .await?
        .into_iter()
        .collect();
    let mut views = Vec::with_capacity(rows.len());
    for MemberView {
        member,
        conversation,
    } in rows
    {
        let visible = member.visible_up_to(conversation.last_seq);
        let last_message = if visible <= member.joined_seq {
            None
        } else {
            let newest = if member.is_current() {
                conversation.last_message_id.and_then(|id| last.remove(&id))
            } else {
                None
            };
            match newest {
                Some(message) if !message.is_deleted() => Some(message),
                _ => {
                    messages::newest_not_deleted(conn, conversation.id, member.joined_seq, visible)
                        .await?
                }
            }
        };
        views.push(ConversationView {
            deleted_unread: deleted.get(&conversation.id).copied().unwrap_or(0),
            conversation,
            member,
            last_message,
        });
    }
    Ok(views)
}

/// Clears the read markers of `rows` that `viewer` may not see: read
/// receipts go both ways, so none but their own if `viewer` turned them
/// off, and none of a member who did.
pub(crate) async fn hide_read_markers(
    conn: &mut Conn,
    viewer: Uuid,
    rows: &mut [MemberRow],
) -> ApiResult<()> {
    let ids: Vec<Uuid> = rows
        .iter()
        .map(|r| r.user_id)
        .chain(std::iter::once(viewer))
        .collect();
    let off = contacts::receipts_off_among(conn, &ids).await?;
    let viewer_off = off.contains(&viewer);
    for row in rows.iter_mut() {
        if row.user_id != viewer && (viewer_off || off.contains(&row.user_id)) {
            row.read_up_to = None;
        }
    }
    Ok(())
}

/// The messages after `member`'s read marker that they may see:
/// `(conversation, low, high)` with `low < seq <= high`.
fn unread_range(member: &Membership, last_seq: i64) -> (Uuid, i64, i64) {
    (
        member.conversation_id,
        member.last_read_seq.max(member.joined_seq),
        member.visible_up_to(last_seq),
    )
}

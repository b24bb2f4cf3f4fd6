//! Group conversations: creating them, membership, roles and titles.
//! Every change writes, in its transaction, a SYSTEM message into the
//! timeline, whose event fans out like any message.

use std::collections::HashMap;

use api_errors::{ApiError, ApiResult};
use diesel_async::AsyncConnection as _;
use serde_json::json;
use uuid::Uuid;

use super::{ConversationView, MessagingService, conversation_not_found, view_of};
use crate::db::Conn;
use crate::db::conversations::{self, Conversation, MemberRow, Membership, Role};
use crate::db::messages;
use crate::events::{MessageSent, SystemAction, SystemMessage};
use crate::validate;

/// Names listed in a SYSTEM message's text before "and N others".
const NAMES_IN_TEXT: usize = 10;

impl MessagingService {
    /// Creates a group of the caller (its OWNER) and `member_ids`, whom
    /// the caller must be allowed to add ([`Self::require_may_add`]).
    pub async fn create_group(
        &self,
        me: Uuid,
        title: &str,
        member_ids: &[impl AsRef<str>],
    ) -> ApiResult<ConversationView> {
        let title = validate::group_title(title)?;
        let mut others = validate::uuids("memberIds", member_ids)?;
        others.retain(|&id| id != me);
        self.check_size(1 + others.len() as i64, "memberIds")?;
        self.require_may_add(me, &others).await?;
        let names = self.directory.nicknames(me, &others).await;
        let id = Uuid::now_v7();
        let mut conn = self.pool.get().await?;
        conn.transaction::<_, ApiError, _>(async |conn| {
            conversations::create_group(conn, id, title, me, &others).await?;
            let system = SystemMessage {
                action: SystemAction::GroupCreated,
                actor: me,
                users: others.clone(),
                title: Some(title.to_owned()),
                role: None,
            };
            write_system(conn, id, &system, &names).await
        })
        .await?;
        self.outbox.wake();
        view_of(&mut conn, id, me).await
    }

    /// Adds `user_ids` (whom the caller must be allowed to add) to a group
    /// the caller is in;
    /// current members are ignored, former members come back.
    pub async fn add_members(
        &self,
        me: Uuid,
        conversation_id: &str,
        user_ids: &[impl AsRef<str>],
    ) -> ApiResult<ConversationView> {
        let id = validate::uuid("conversationId", conversation_id)?;
        let mut users = validate::uuids("userIds", user_ids)?;
        users.retain(|&user| user != me);
        self.require_may_add(me, &users).await?;
        let names = self.directory.nicknames(me, &users).await;
        let mut conn = self.pool.get().await?;
        let max = self.max_group_members;
        conn.transaction::<_, ApiError, _>(async |conn| {
            let (conversation, _) = lock_group(conn, id, me).await?;
            let current = conversations::current_among(conn, id, &users).await?;
            let new: Vec<Uuid> = users
                .iter()
                .copied()
                .filter(|u| !current.contains(u))
                .collect();
            if new.is_empty() {
                return Ok(());
            }
            let count = conversations::member_count(conn, id).await?;
            check_size(max, count + new.len() as i64, "userIds")?;
            conversations::add_members(conn, id, &new, conversation.last_seq).await?;
            let system = SystemMessage {
                action: SystemAction::MembersAdded,
                actor: me,
                users: new,
                title: None,
                role: None,
            };
            write_system(conn, id, &system, &names).await
        })
        .await?;
        self.outbox.wake();
        view_of(&mut conn, id, me).await
    }

    /// Removes `user_id` from a group: the OWNER removes anyone, an ADMIN
    /// removes MEMBERs.
    pub async fn remove_member(
        &self,
        me: Uuid,
        conversation_id: &str,
        user_id: &str,
    ) -> ApiResult<ConversationView> {
        let id = validate::uuid("conversationId", conversation_id)?;
        let user = validate::uuid("userId", user_id)?;
        if user == me {
            return Err(ApiError::invalid_field(
                "userId",
                "to leave a group, use leaveConversation",
            ));
        }
        let names = self.directory.nicknames(me, &[user]).await;
        let mut conn = self.pool.get().await?;
        conn.transaction::<_, ApiError, _>(async |conn| {
            let (conversation, mine) = lock_group(conn, id, me).await?;
            let target = current_member(conn, id, user).await?;
            let allowed = match mine.role() {
                Role::Owner => true,
                Role::Admin => target.role() == Role::Member,
                Role::Member => false,
            };
            if !allowed {
                return Err(ApiError::forbidden(
                    "only the owner removes admins, and owner or admins remove members",
                ));
            }
            conversations::end_membership(conn, id, user, conversation.last_seq + 1).await?;
            let system = SystemMessage {
                action: SystemAction::MemberRemoved,
                actor: me,
                users: vec![user],
                title: None,
                role: None,
            };
            write_system(conn, id, &system, &names).await
        })
        .await?;
        self.outbox.wake();
        view_of(&mut conn, id, me).await
    }

    /// The caller leaves a group. The last OWNER hands ownership to the
    /// longest-standing ADMIN, else the longest-standing MEMBER.
    pub async fn leave(&self, me: Uuid, conversation_id: &str) -> ApiResult<Uuid> {
        let id = validate::uuid("conversationId", conversation_id)?;
        let mut conn = self.pool.get().await?;
        // Names for the texts: the caller and whoever may succeed them.
        let mut others = conversations::current_members(&mut conn, id).await?;
        others.retain(|m| m.user_id != me);
        let heir: Vec<Uuid> = successor(&others).into_iter().collect();
        let names = self.directory.nicknames(me, &heir).await;
        conn.transaction::<_, ApiError, _>(async |conn| {
            let (conversation, mine) = lock_group(conn, id, me).await?;
            let left_at = conversation.last_seq + 1;
            conversations::end_membership(conn, id, me, left_at).await?;
            let left = SystemMessage {
                action: SystemAction::MemberLeft,
                actor: me,
                users: vec![me],
                title: None,
                role: None,
            };
            write_system(conn, id, &left, &names).await?;
            if mine.role() == Role::Owner {
                let rest = conversations::current_members(conn, id).await?;
                if let Some(heir) = successor(&rest) {
                    conversations::set_role(conn, id, heir, Role::Owner).await?;
                    let handed = SystemMessage {
                        action: SystemAction::OwnerChanged,
                        actor: me,
                        users: vec![heir],
                        title: None,
                        role: Some(Role::Owner.as_str().to_owned()),
                    };
                    write_system(conn, id, &handed, &names).await?;
                }
            }
            Ok(())
        })
        .await?;
        self.outbox.wake();
        Ok(id)
    }

    /// Renames a group (OWNER or ADMIN).
    pub async fn update_conversation(
        &self,
        me: Uuid,
        conversation_id: &str,
        title: &str,
    ) -> ApiResult<ConversationView> {
        let id = validate::uuid("conversationId", conversation_id)?;
        let title = validate::group_title(title)?;
        let names = self.directory.nicknames(me, &[]).await;
        let mut conn = self.pool.get().await?;
        conn.transaction::<_, ApiError, _>(async |conn| {
            let (_, mine) = lock_group(conn, id, me).await?;
            if mine.role() == Role::Member {
                return Err(ApiError::forbidden(
                    "only the owner and admins rename a group",
                ));
            }
            conversations::set_title(conn, id, title).await?;
            let system = SystemMessage {
                action: SystemAction::TitleChanged,
                actor: me,
                users: Vec::new(),
                title: Some(title.to_owned()),
                role: None,
            };
            write_system(conn, id, &system, &names).await
        })
        .await?;
        self.outbox.wake();
        view_of(&mut conn, id, me).await
    }

    /// Sets a member's role (OWNER only). Making someone OWNER hands the
    /// group over: the caller becomes an ADMIN.
    pub async fn set_member_role(
        &self,
        me: Uuid,
        conversation_id: &str,
        user_id: &str,
        role: Role,
    ) -> ApiResult<(ConversationView, MemberRow)> {
        let id = validate::uuid("conversationId", conversation_id)?;
        let user = validate::uuid("userId", user_id)?;
        if user == me {
            return Err(ApiError::invalid_field(
                "userId",
                "you cannot change your own role; make someone else OWNER instead",
            ));
        }
        let names = self.directory.nicknames(me, &[user]).await;
        let mut conn = self.pool.get().await?;
        conn.transaction::<_, ApiError, _>(async |conn| {
            let (_, mine) = lock_group(conn, id, me).await?;
            if mine.role() != Role::Owner {
                return Err(ApiError::forbidden("only the owner sets roles"));
            }
            let target = current_member(conn, id, user).await?;
            if target.role() == role {
                return Ok(());
            }
            conversations::set_role(conn, id, user, role).await?;
            let action = if role == Role::Owner {
                conversations::set_role(conn, id, me, Role::Admin).await?;
                SystemAction::OwnerChanged
            } else {
                SystemAction::RoleChanged
            };
            let system = SystemMessage {
                action,
                actor: me,
                users: vec![user],
                title: None,
                role: Some(role.as_str().to_owned()),
            };
            write_system(conn, id, &system, &names).await
        })
        .await?;
        self.outbox.wake();
        let view = view_of(&mut conn, id, me).await?;
        let mut member =
            conversations::member_page(&mut conn, id, 0, self.max_group_members.max(1))
                .await?
                .into_iter()
                .find(|m| m.user_id == user)
                .ok_or_else(|| {
                    ApiError::not_found("no such member").with_extension("field", "userId".into())
                })?;
        super::hide_read_markers(&mut conn, me, std::slice::from_mut(&mut member)).await?;
        Ok((view, member))
    }

    fn check_size(&self, count: i64, field: &'static str) -> ApiResult<()> {
        check_size(self.max_group_members, count, field)
    }

    /// `FORBIDDEN` (reason `RECIPIENT_UNAVAILABLE`, `extensions.userIds`
    /// naming them) unless `me` may add every one of `users` to a group:
    /// users decides (`MayAddToGroup`: friendship, blocks, their "who may
    /// add me" setting), and refusals look alike whatever the cause.
    async fn require_may_add(&self, me: Uuid, users: &[Uuid]) -> ApiResult<()> {
        let allowed = self.directory.may_add_to_group(me, users).await?;
        let refused: Vec<String> = users
            .iter()
            .filter(|u| !allowed.contains(u))
            .map(Uuid::to_string)
            .collect();
        if refused.is_empty() {
            return Ok(());
        }
        Err(ApiError::recipient_unavailable().with_extension("userIds", json!(refused)))
    }
}

fn check_size(max: i64, count: i64, field: &'static str) -> ApiResult<()> {
    if count > max {
        return Err(
            ApiError::invalid_field(field, format!("a group has at most {max} members"))
                .with_extension("reason", json!("GROUP_FULL")),
        );
    }
    Ok(())
}

/// A group the caller is a current member of, locked, and the caller's
/// membership: `NOT_FOUND` for anyone else (a group is not revealed),
/// `BAD_USER_INPUT` for a direct conversation.
async fn lock_group(conn: &mut Conn, id: Uuid, me: Uuid) -> ApiResult<(Conversation, Membership)> {
    let not_found = || conversation_not_found().with_extension("field", "conversationId".into());
    let conversation = conversations::lock(conn, id).await?.ok_or_else(not_found)?;
    let mine = conversations::membership(conn, id, me)
        .await?
        .filter(Membership::is_current)
        .ok_or_else(not_found)?;
    if !conversation.is_group() {
        return Err(ApiError::invalid_field(
            "conversationId",
            "a direct conversation has no members to manage",
        ));
    }
    Ok((conversation, mine))
}

/// `user`'s current membership, or `NOT_FOUND` naming `userId`.
async fn current_member(conn: &mut Conn, id: Uuid, user: Uuid) -> ApiResult<Membership> {
    conversations::membership(conn, id, user)
        .await?
        .filter(Membership::is_current)
        .ok_or_else(|| {
            ApiError::not_found("no such member of this group")
                .with_extension("field", "userId".into())
        })
}

/// Who becomes OWNER when the last one leaves: the longest-standing ADMIN,
/// else the longest-standing MEMBER (`members` is in joining order).
fn successor(members: &[Membership]) -> Option<Uuid> {
    members
        .iter()
        .find(|m| m.role() == Role::Admin)
        .or_else(|| members.first())
        .map(|m| m.user_id)
}

/// Writes the SYSTEM message of a change and queues its event (the
/// conversation is locked by the caller's transaction).
async fn write_system(
    conn: &mut Conn,
    id: Uuid,
    system: &SystemMessage,
    names: &HashMap<Uuid, String>,
) -> ApiResult<()> {
    let payload = serde_json::to_value(system).map_err(ApiError::internal)?;
    let text = system_text(system, names);
    let message =
        messages::insert_system(conn, id, Uuid::now_v7(), system.actor, &text, &payload).await?;
    let event = MessageSent::try_from(&message).map_err(ApiError::internal)?;
    outbox::enqueue_unannounced(conn, &event).await?;
    Ok(())
}

/// The plain-language fallback of a SYSTEM message ("Alice added Bob").
pub fn system_text(system: &SystemMessage, names: &HashMap<Uuid, String>) -> String {
    let name = |id: &Uuid| {
        names
            .get(id)
            .cloned()
            .unwrap_or_else(|| "someone".to_owned())
    };
    let actor = name(&system.actor);
    let mut users: Vec<String> = system.users.iter().take(NAMES_IN_TEXT).map(name).collect();
    if system.users.len() > NAMES_IN_TEXT {
        users.push(format!("{} others", system.users.len() - NAMES_IN_TEXT));
    }
    let users = match users.len() {
        0 => String::new(),
        1 => users.remove(0),
        n => format!("{} and {}", users[..n - 1].join(", "), users[n - 1]),
    };
    let title = system.title.as_deref().unwrap_or_default();
    match system.action {
        SystemAction::GroupCreated => format!("{actor} created the group \"{title}\""),
        SystemAction::MembersAdded => format!("{actor} added {users}"),
        SystemAction::MemberRemoved => format!("{actor} removed {users}"),
        SystemAction::MemberLeft => format!("{actor} left"),
        SystemAction::TitleChanged => format!("{actor} renamed the group to \"{title}\""),
        SystemAction::RoleChanged => {
            let role = match system.role.as_deref() {
                Some("ADMIN") => "an admin",
                _ => "a member",
            };
            format!("{actor} made {users} {role}")
        }
        SystemAction::OwnerChanged => format!("{users} is now the owner"),
    }
}

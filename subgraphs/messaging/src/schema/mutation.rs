use async_graphql::{Context, ID, Object, Result};

use super::reports::{ReportMessageInput, ReportMessagePayload};
use super::types::{
    AddMembersInput, AddMembersPayload, AddReactionInput, AddReactionPayload, Conversation,
    ConversationMember, CreateGroupInput, CreateGroupPayload, DeleteMessagePayload,
    EditMessageInput, EditMessagePayload, LeaveConversationPayload, MarkReadInput, MarkReadPayload,
    Message, RemoveMemberInput, RemoveMemberPayload, RemoveReactionInput, RemoveReactionPayload,
    SendMessageInput, SendMessagePayload, SetMemberRoleInput, SetMemberRolePayload, SetTypingInput,
    SetTypingPayload, UpdateConversationInput, UpdateConversationPayload,
};
use crate::service::MessagingService;

pub struct Mutation;

#[Object]
impl Mutation {
    /// Sends a message into conversation `conversationId` (the caller must
    /// be a member) or to user `to` (their direct conversation, created on
    /// first use): exactly one of the two. Exactly once per
    /// `clientMessageId`: a retry returns the original message. Sending
    /// marks the conversation read up to the message for the sender.
    /// Errors: BAD_USER_INPUT (`extensions.field`: both or neither of
    /// `conversationId`/`to`, invalid text or id, sending to yourself),
    /// NOT_FOUND (no such recipient, or not a conversation of the caller:
    /// former members cannot send; `replyToId` not a message of the
    /// conversation the caller may see), CONFLICT (the clientMessageId was used
    /// for a different message), UNAVAILABLE, RATE_LIMITED (too many
    /// messages lately; `extensions.retryAfter` in seconds; retries of a
    /// sent message are never limited), FORBIDDEN (the caller's email
    /// address awaits confirmation; or, reason RECIPIENT_UNAVAILABLE, a
    /// direct message the recipient's privacy settings or a block refuse).
    async fn send_message(
        &self,
        ctx: &Context<'_>,
        input: SendMessageInput,
    ) -> Result<SendMessagePayload> {
        let me = auth_client::identity(ctx)?.require_verified()?;
        let (message, view) = ctx
            .data::<MessagingService>()?
            .send(
                me.user_id,
                input.conversation_id.as_deref().map(String::as_str),
                input.to.as_deref().map(String::as_str),
                &input.text,
                &input.client_message_id,
                input.reply_to_id.as_deref().map(String::as_str),
            )
            .await?;
        Ok(SendMessagePayload {
            message: Message::new(message, me.user_id),
            conversation: Conversation::new(view, me.user_id),
        })
    }

    /// Marks the conversation read up to and including message `upTo`.
    /// The marker only moves forward: an older `upTo` changes nothing.
    /// When it moves, the caller's other devices get CONVERSATION_READ and
    /// the other members MEMBER_READ. Errors: NOT_FOUND (not the caller's
    /// conversation, or not a message the caller may see).
    async fn mark_read(&self, ctx: &Context<'_>, input: MarkReadInput) -> Result<MarkReadPayload> {
        let me = auth_client::identity(ctx)?;
        let view = ctx
            .data::<MessagingService>()?
            .mark_read(me.user_id, &input.conversation_id, &input.up_to)
            .await?;
        Ok(MarkReadPayload {
            conversation: Conversation::new(view, me.user_id),
        })
    }

    /// Creates a group with the caller as OWNER and `memberIds` as
    /// MEMBERs; its timeline starts with a GROUP_CREATED message.
    /// Errors: BAD_USER_INPUT (title, ids; reason GROUP_FULL over
    /// MAX_GROUP_MEMBERS members), FORBIDDEN (reason RECIPIENT_UNAVAILABLE,
    /// `extensions.userIds`: those the caller may not add, by their
    /// privacy settings (friends only, by default) or a block; or the
    /// caller's email awaits confirmation), UNAVAILABLE.
    async fn create_group(
        &self,
        ctx: &Context<'_>,
        input: CreateGroupInput,
    ) -> Result<CreateGroupPayload> {
        let me = auth_client::identity(ctx)?.require_verified()?;
        let view = ctx
            .data::<MessagingService>()?
            .create_group(me.user_id, &input.title, &input.member_ids)
            .await?;
        Ok(CreateGroupPayload {
            conversation: Conversation::new(view, me.user_id),
        })
    }

    /// Adds users to a group the caller is in (any member
    /// may); current members are ignored, former members come back (they
    /// see what is said from then on). A MEMBERS_ADDED message announces
    /// it. Errors: NOT_FOUND (not a group of the caller), BAD_USER_INPUT
    /// (a direct conversation; reason GROUP_FULL), FORBIDDEN (reason
    /// RECIPIENT_UNAVAILABLE, `extensions.userIds`: those the caller may
    /// not add, as for `createGroup`), UNAVAILABLE.
    async fn add_members(
        &self,
        ctx: &Context<'_>,
        input: AddMembersInput,
    ) -> Result<AddMembersPayload> {
        let me = auth_client::identity(ctx)?.require_verified()?;
        let view = ctx
            .data::<MessagingService>()?
            .add_members(me.user_id, &input.conversation_id, &input.user_ids)
            .await?;
        Ok(AddMembersPayload {
            conversation: Conversation::new(view, me.user_id),
        })
    }

    /// Removes a member from a group: the OWNER removes anyone, an ADMIN
    /// removes MEMBERs. A MEMBER_REMOVED message announces it (the removed
    /// member gets this one, then nothing more). Errors: FORBIDDEN,
    /// NOT_FOUND (not a group of the caller, or `userId` not a member),
    /// BAD_USER_INPUT (yourself: use leaveConversation; a direct
    /// conversation).
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        input: RemoveMemberInput,
    ) -> Result<RemoveMemberPayload> {
        let me = auth_client::identity(ctx)?;
        let view = ctx
            .data::<MessagingService>()?
            .remove_member(me.user_id, &input.conversation_id, &input.user_id)
            .await?;
        Ok(RemoveMemberPayload {
            conversation: Conversation::new(view, me.user_id),
        })
    }

    /// The caller leaves a group (MEMBER_LEFT). The last OWNER leaving
    /// hands ownership to the longest-standing ADMIN, else the
    /// longest-standing MEMBER (OWNER_CHANGED). Errors: NOT_FOUND (not a
    /// group of the caller), BAD_USER_INPUT (a direct conversation).
    async fn leave_conversation(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
    ) -> Result<LeaveConversationPayload> {
        let me = auth_client::identity(ctx)?;
        let id = ctx
            .data::<MessagingService>()?
            .leave(me.user_id, &conversation_id)
            .await?;
        Ok(LeaveConversationPayload {
            conversation_id: ID(id.to_string()),
        })
    }

    /// Renames a group (OWNER or ADMIN; TITLE_CHANGED). Errors: FORBIDDEN,
    /// NOT_FOUND, BAD_USER_INPUT (title; a direct conversation).
    async fn update_conversation(
        &self,
        ctx: &Context<'_>,
        input: UpdateConversationInput,
    ) -> Result<UpdateConversationPayload> {
        let me = auth_client::identity(ctx)?;
        let view = ctx
            .data::<MessagingService>()?
            .update_conversation(me.user_id, &input.conversation_id, &input.title)
            .await?;
        Ok(UpdateConversationPayload {
            conversation: Conversation::new(view, me.user_id),
        })
    }

    /// Sets a member's role (OWNER only; ROLE_CHANGED). Role OWNER hands
    /// the group over and makes the caller an ADMIN (OWNER_CHANGED).
    /// Errors: FORBIDDEN, NOT_FOUND (not a group of the caller, `userId`
    /// not a member), BAD_USER_INPUT (your own role; a direct conversation).
    async fn set_member_role(
        &self,
        ctx: &Context<'_>,
        input: SetMemberRoleInput,
    ) -> Result<SetMemberRolePayload> {
        let me = auth_client::identity(ctx)?;
        let (view, member) = ctx
            .data::<MessagingService>()?
            .set_member_role(
                me.user_id,
                &input.conversation_id,
                &input.user_id,
                input.role.into(),
            )
            .await?;
        Ok(SetMemberRolePayload {
            conversation: Conversation::new(view, me.user_id),
            member: ConversationMember::from(member),
        })
    }

    /// Replaces the text of one of the caller's messages (the rules of
    /// `sendMessage`'s `text`) and sets `editedAt`; every member who may see
    /// it gets MESSAGE_EDITED. The same text again changes nothing and
    /// tells nobody. Errors: BAD_USER_INPUT (`extensions.field`: an invalid
    /// `messageId` or `text`), NOT_FOUND (not a message the caller may
    /// see), FORBIDDEN (not the caller's message; the caller has left the
    /// conversation; the caller's email address awaits confirmation),
    /// CONFLICT (the message was deleted), RATE_LIMITED (edits count with
    /// sent messages in the caller's message rate; `extensions.retryAfter`
    /// in seconds).
    async fn edit_message(
        &self,
        ctx: &Context<'_>,
        input: EditMessageInput,
    ) -> Result<EditMessagePayload> {
        let me = auth_client::identity(ctx)?.require_verified()?;
        let message = ctx
            .data::<MessagingService>()?
            .edit_message(me.user_id, &input.message_id, &input.text)
            .await?;
        Ok(EditMessagePayload {
            message: Message::new(message, me.user_id),
        })
    }

    /// Deletes a message: the caller's own, or as a group's OWNER or ADMIN
    /// any TEXT message in it. A tombstone stays in the timeline
    /// (`deletedAt` set, `text` empty; replies keep their place); it no
    /// longer counts as unread nor shows as `lastMessage`. Every member who
    /// may see it gets MESSAGE_DELETED. Deleting it again changes nothing.
    /// Errors: BAD_USER_INPUT (an invalid `messageId`), NOT_FOUND (not a
    /// message the caller may see), FORBIDDEN (neither its sender nor a
    /// group's owner or admin; a SYSTEM message; the caller has left the
    /// conversation), RATE_LIMITED (deletions count with sent messages in
    /// the caller's message rate; `extensions.retryAfter` in seconds).
    async fn delete_message(
        &self,
        ctx: &Context<'_>,
        message_id: ID,
    ) -> Result<DeleteMessagePayload> {
        let me = auth_client::identity(ctx)?;
        let message = ctx
            .data::<MessagingService>()?
            .delete_message(me.user_id, &message_id)
            .await?;
        Ok(DeleteMessagePayload {
            message: Message::new(message, me.user_id),
        })
    }

    /// Reports a message to the operators (see `ReportReason`): one the
    /// caller may see (a former member: what they saw), sent by someone
    /// else. The report keeps the message as it is now (text, sender,
    /// conversation), whatever is done to it later. Reporting it again
    /// while the caller's earlier report is open answers that report
    /// (unchanged, and not counted). Errors: BAD_USER_INPUT
    /// (`extensions.field`: `messageId` invalid, the caller's own or a
    /// SYSTEM message; `details` over 1,000 characters or with control
    /// characters), NOT_FOUND (not a message the caller may see),
    /// CONFLICT (the message was deleted), RATE_LIMITED (too many reports
    /// lately; `extensions.retryAfter` in seconds).
    async fn report_message(
        &self,
        ctx: &Context<'_>,
        input: ReportMessageInput,
    ) -> Result<ReportMessagePayload> {
        let me = auth_client::identity(ctx)?;
        let id = ctx
            .data::<MessagingService>()?
            .report_message(
                me.user_id,
                &input.message_id,
                input.reason,
                input.details.as_deref(),
            )
            .await?;
        Ok(ReportMessagePayload {
            report_id: ID(id.to_string()),
        })
    }

    /// The caller reacts to a message with an emoji (one of each emoji per
    /// member); every member who may see the message gets
    /// REACTIONS_CHANGED. Reacting again with the same emoji changes
    /// nothing and tells nobody. Errors: BAD_USER_INPUT (`extensions.field`:
    /// an invalid `messageId`; `emoji` not one emoji, or reason
    /// TOO_MANY_REACTIONS: the message has 20 different emoji already),
    /// NOT_FOUND (not a message the caller may see), FORBIDDEN (the caller
    /// has left the conversation; the caller's email address awaits
    /// confirmation), CONFLICT (the message was deleted), RATE_LIMITED
    /// (reactions count with sent messages in the caller's
    /// message rate; `extensions.retryAfter` in seconds).
    async fn add_reaction(
        &self,
        ctx: &Context<'_>,
        input: AddReactionInput,
    ) -> Result<AddReactionPayload> {
        let me = auth_client::identity(ctx)?.require_verified()?;
        let message = ctx
            .data::<MessagingService>()?
            .add_reaction(me.user_id, &input.message_id, &input.emoji)
            .await?;
        Ok(AddReactionPayload {
            message: Message::new(message, me.user_id),
        })
    }

    /// The caller takes back their reaction with `emoji`; every member who
    /// may see the message gets REACTIONS_CHANGED. Without such a reaction
    /// nothing changes. Errors: BAD_USER_INPUT (an invalid `messageId` or
    /// `emoji`), NOT_FOUND (not a message the caller may see), FORBIDDEN
    /// (the caller has left the conversation), RATE_LIMITED (as
    /// addReaction).
    async fn remove_reaction(
        &self,
        ctx: &Context<'_>,
        input: RemoveReactionInput,
    ) -> Result<RemoveReactionPayload> {
        let me = auth_client::identity(ctx)?;
        let message = ctx
            .data::<MessagingService>()?
            .remove_reaction(me.user_id, &input.message_id, &input.emoji)
            .await?;
        Ok(RemoveReactionPayload {
            message: Message::new(message, me.user_id),
        })
    }

    /// Tells the other members of a conversation that the caller types
    /// (`typing: true`, repeated within 6 s to keep it on) or stopped; they
    /// hear it on the `typing` subscription, on whichever replica they are
    /// connected to. Ephemeral: nothing is stored. At most one a second
    /// per member and conversation is passed on; more are accepted and
    /// ignored. Errors: BAD_USER_INPUT (an invalid `conversationId`),
    /// NOT_FOUND (not a conversation the caller is in).
    async fn set_typing(
        &self,
        ctx: &Context<'_>,
        input: SetTypingInput,
    ) -> Result<SetTypingPayload> {
        let me = auth_client::identity(ctx)?;
        let id = ctx
            .data::<MessagingService>()?
            .set_typing(me.user_id, &input.conversation_id, input.typing)
            .await?;
        Ok(SetTypingPayload {
            conversation_id: ID(id.to_string()),
        })
    }
}

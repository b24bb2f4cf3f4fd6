//! The end-to-end suite, one test binary (linking each feature's tests
//! separately cost a link of the whole tree each): the real router in front
//! of the three services, driven like a frontend would.
//!
//! - `flows`: what a chat app does, through the router only;
//! - `groups`: a group chat through the router: live fan-out with
//!   nicknames, a member removed, unread totals and read markers on two
//!   devices;
//! - `messages_live`: replies, edits, reactions, deletions and typing of a
//!   group through the router, outsiders refused, a replay showing each
//!   message as it is now;
//! - `privacy`: blocks and privacy settings: a blocked user's refusals
//!   read like a privacy setting's, a group's messages flagged for the
//!   blocker, the settings and the blocked list across subgraphs;
//! - `router`: the router's own behaviour (errors, limits, a subgraph down,
//!   client addresses, probes, CORS);
//! - `slow_consumer`: a client that stops reading during a burst loses no
//!   event (each arrives once, or an error says where to resume);
//! - `explorer`: the offline GraphiQL page in headless Chromium;
//! - `public_origin`: the router's origin as the only public one: an email
//!   link, a provider sign-in and avatars through it, every other path 404.

mod explorer;
mod flows;
mod groups;
mod messages_live;
mod privacy;
mod public_origin;
mod router;
mod slow_consumer;

// auth's test servers, shared rather than copied: a real SMTP server and a
// real OpenID Connect provider (Node.js, panva's oidc-provider).
#[path = "../../../subgraphs/auth/tests/it/common/oidc_provider.rs"]
#[allow(dead_code)]
mod oidc_provider;
#[path = "../../../subgraphs/auth/tests/it/common/smtp.rs"]
#[allow(clippy::unwrap_used, clippy::expect_used, dead_code)]
mod smtp;

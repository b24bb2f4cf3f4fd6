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
//! - `router`: the router's own behaviour (errors, limits, a subgraph down,
//!   client addresses, probes, CORS);
//! - `slow_consumer`: a client that stops reading during a burst loses no
//!   event (each arrives once, or an error says where to resume);
//! - `explorer`: the offline GraphiQL page in headless Chromium.

mod explorer;
mod flows;
mod groups;
mod messages_live;
mod router;
mod slow_consumer;

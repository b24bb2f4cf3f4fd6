//! GraphQL types of `searchUsers`.

use async_graphql::SimpleObject;
use async_graphql::connection::PageInfo;

use super::types::{User, page_info};
use crate::cursor;
use crate::service::SearchPage;

/// Users found by `searchUsers`: the exact match first, then the caller's
/// friends, then everyone else, each group in nickname order.
#[derive(SimpleObject)]
pub struct UserConnection {
    /// The users of this page, in order.
    pub edges: Vec<UserEdge>,
    /// Forward paging only: `hasPreviousPage` is always false.
    pub page_info: PageInfo,
}

/// One user found.
#[derive(SimpleObject)]
pub struct UserEdge {
    /// Pass as `after` (with the same query) to get the users after this one.
    pub cursor: String,
    /// The user, with `relationship` already known.
    pub node: User,
}

impl UserConnection {
    pub fn from_page(page: SearchPage) -> Self {
        let edges: Vec<UserEdge> = page
            .items
            .into_iter()
            .map(|hit| UserEdge {
                cursor: cursor::encode_search(&hit.position),
                node: User::with_relationship(hit.user, hit.relationship),
            })
            .collect();
        let page_info = page_info(page.has_next_page, edges.iter().map(|e| &e.cursor));
        UserConnection { edges, page_info }
    }
}

//! Query limits every subgraph enforces itself (the router has its own, but
//! a subgraph must not rely on being reached only through it): depth and
//! complexity (async-graphql's), and aliases (ours: async-graphql has no
//! alias limit, and aliases let one small query run a field thousands of
//! times). Each refusal is `BAD_USER_INPUT` with `extensions.reason`
//! `MAX_DEPTH_EXCEEDED`, `MAX_COMPLEXITY_EXCEEDED` or `MAX_ALIASES_EXCEEDED`
//! (the router's reasons for its own limits, so clients see one set).

use std::collections::HashMap;
use std::sync::Arc;

use api_errors::ErrorCode;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, ServerError, ServerResult, ValidationResult, Variables};

/// Limits on one GraphQL operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    /// Aliased fields in the operation, counting a fragment's aliases each
    /// time it is spread.
    pub max_aliases: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 1000,
            max_aliases: 50,
        }
    }
}

pub const REASON_TOO_DEEP: &str = "MAX_DEPTH_EXCEEDED";
pub const REASON_TOO_COMPLEX: &str = "MAX_COMPLEXITY_EXCEEDED";
pub const REASON_TOO_MANY_ALIASES: &str = "MAX_ALIASES_EXCEEDED";

/// Applies [`QueryLimits`] to a schema builder:
/// `Schema::build(..).query_limits(limits)`.
pub trait QueryLimitsExt {
    #[must_use]
    fn query_limits(self, limits: QueryLimits) -> Self;
}

impl<Q, M, S> QueryLimitsExt for async_graphql::SchemaBuilder<Q, M, S> {
    fn query_limits(self, limits: QueryLimits) -> Self {
        self.limit_depth(limits.max_depth)
            .limit_complexity(limits.max_complexity)
            .extension(LimitsExtension {
                max_aliases: limits.max_aliases,
            })
    }
}

#[derive(Clone, Copy)]
struct LimitsExtension {
    max_aliases: usize,
}

impl ExtensionFactory for LimitsExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

fn refusal(message: String, reason: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", ErrorCode::BadUserInput.as_str());
    extensions.set("reason", reason);
    error
}

#[async_graphql::async_trait::async_trait]
impl Extension for LimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let aliases = count_aliases(&document);
        if aliases > self.max_aliases {
            return Err(refusal(
                format!(
                    "the query uses {aliases} aliases; at most {} are allowed",
                    self.max_aliases
                ),
                REASON_TOO_MANY_ALIASES,
            ));
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        // async-graphql's own limit errors carry no code; name them.
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| match error.message.as_str() {
                    "Query is nested too deep." => refusal(error.message.clone(), REASON_TOO_DEEP),
                    "Query is too complex." => refusal(error.message.clone(), REASON_TOO_COMPLEX),
                    _ => error,
                })
                .collect()
        })
    }
}

/// The most aliases any one operation of the document would execute.
pub fn count_aliases(document: &ExecutableDocument) -> usize {
    let mut counter = AliasCounter {
        document,
        fragments: HashMap::new(),
    };
    document
        .operations
        .iter()
        .map(|(_, operation)| counter.selection_set(&operation.node.selection_set.node))
        .max()
        .unwrap_or(0)
}

struct AliasCounter<'a> {
    document: &'a ExecutableDocument,
    /// Aliases per fragment, `None` while it is being counted (a cycle,
    /// which validation refuses later, counts as nothing here).
    fragments: HashMap<&'a Name, Option<usize>>,
}

impl<'a> AliasCounter<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet) -> usize {
        set.items.iter().fold(0usize, |sum, item| {
            let here = match &item.node {
                Selection::Field(field) => usize::from(field.node.alias.is_some())
                    .saturating_add(self.selection_set(&field.node.selection_set.node)),
                Selection::InlineFragment(fragment) => {
                    self.selection_set(&fragment.node.selection_set.node)
                }
                Selection::FragmentSpread(spread) => self.fragment(&spread.node.fragment_name.node),
            };
            sum.saturating_add(here)
        })
    }

    fn fragment(&mut self, name: &'a Name) -> usize {
        match self.fragments.get(name) {
            Some(Some(count)) => return *count,
            Some(None) => return 0,
            None => {}
        }
        let Some(definition) = self.document.fragments.get(name) else {
            return 0;
        };
        self.fragments.insert(name, None);
        let count = self.selection_set(&definition.node.selection_set.node);
        self.fragments.insert(name, Some(count));
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(query: &str) -> usize {
        count_aliases(&async_graphql::parser::parse_query(query).unwrap())
    }

    #[test]
    fn counts_aliases_everywhere() {
        assert_eq!(count("{ a b c }"), 0);
        assert_eq!(count("{ x: a y: a z: b { w: c } }"), 4);
        assert_eq!(count("{ a { ... on T { x: b y: b } } }"), 2);
    }

    #[test]
    fn fragments_count_each_time_they_are_spread() {
        let query = "
            query { a { ...F } b { ...F } c { ...G } }
            fragment F on T { x: f y: f }
            fragment G on T { ...F ...F z: g }
        ";
        assert_eq!(count(query), 2 + 2 + (2 + 2 + 1));
    }

    #[test]
    fn the_largest_operation_counts() {
        let query = "query A { x: a } query B { x: a y: a z: a }";
        assert_eq!(count(query), 3);
    }

    #[test]
    fn cycles_and_unknown_fragments_do_not_hang() {
        let query = "
            query { ...A ...Nope }
            fragment A on Query { x: a ...B }
            fragment B on Query { y: b ...A }
        ";
        assert_eq!(count(query), 2);
    }

    #[test]
    fn exponential_fragments_saturate() {
        use std::fmt::Write as _;
        let mut query = String::from("query { ...F0 }\n");
        for i in 0..70 {
            let _ = writeln!(query, "fragment F{i} on Q {{ ...F{n} ...F{n} }}", n = i + 1);
        }
        query.push_str("fragment F70 on Q { x: a }\n");
        assert_eq!(count(&query), usize::MAX);
    }
}

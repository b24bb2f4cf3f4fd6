//! Hand-written SQL that runs as a prepared statement, parsed and planned
//! once per connection instead of on every call.
//!
//! `diesel::sql_query` marks its query unsafe to cache (its text is a
//! runtime `String`), so PostgreSQL parses and plans it on every execution.
//! For the multi-statement `WITH` queries on the hot paths that is most of
//! the work: the send statement took 0.50 ms a call as a one-off statement
//! and 0.23 ms prepared (pgbench, one client, bench/RESULTS.md). [`sql`]
//! takes a `&'static str`, a finite set of texts, which diesel's
//! per-connection statement cache may keep:
//!
//! ```ignore
//! prepared::sql("SELECT seq FROM feed_heads WHERE recipient_id = $1")
//!     .bind::<diesel::sql_types::Uuid, _>(recipient)
//!     .get_result::<Head>(conn)
//!     .await?;
//! ```
//!
//! Placeholders are `$1`, `$2`, … in the text, numbered in the order of the
//! [`Sql::bind`] calls, each usable any number of times and in any order, as
//! with `sql_query`. The text must not contain `$` anywhere else (no
//! dollar-quoted strings): diesel numbers parameters itself, so each
//! occurrence becomes a parameter of its own, bound to the value its number
//! names.

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::Error;
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use std::marker::PhantomData;

/// A query from static SQL text; see the crate documentation.
#[must_use = "a query does nothing until it is run"]
pub struct Sql<'a> {
    text: &'static str,
    binds: Vec<Box<dyn QueryFragment<Pg> + Send + 'a>>,
}

/// Starts a query from `text`, with `$1`, `$2`, … as placeholders.
pub fn sql<'a>(text: &'static str) -> Sql<'a> {
    Sql {
        text,
        binds: Vec::new(),
    }
}

impl<'a> Sql<'a> {
    /// Binds the value of the next placeholder number (`$1` first), with
    /// SQL type `ST`.
    pub fn bind<ST, V>(mut self, value: V) -> Self
    where
        Pg: HasSqlType<ST>,
        V: ToSql<ST, Pg> + Send + 'a,
        ST: 'a,
    {
        self.binds.push(Box::new(Bind::<ST, V> {
            value,
            sql_type: PhantomData,
        }));
        self
    }
}

impl std::fmt::Debug for Sql<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sql")
            .field("text", &self.text)
            .field("binds", &self.binds.len())
            .finish()
    }
}

/// One bound value; writes its own placeholder where it is walked.
struct Bind<ST, V> {
    value: V,
    /// `fn() -> ST`: the SQL type is a marker only, and this keeps `Bind`
    /// `Send` whatever it is.
    sql_type: PhantomData<fn() -> ST>,
}

impl<ST, V> QueryFragment<Pg> for Bind<ST, V>
where
    Pg: HasSqlType<ST>,
    V: ToSql<ST, Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_bind_param::<ST, V>(&self.value)
    }
}

/// The pieces of `text`: literal SQL, and placeholder numbers (1-based).
enum Piece<'t> {
    Text(&'t str),
    Placeholder(usize),
}

/// Splits `text` at its `$<digits>` placeholders.
fn pieces(text: &str) -> impl Iterator<Item = Result<Piece<'_>, Error>> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(dollar) = rest.find('$') else {
            let piece = Piece::Text(rest);
            rest = "";
            return Some(Ok(piece));
        };
        if dollar > 0 {
            let piece = Piece::Text(&rest[..dollar]);
            rest = &rest[dollar..];
            return Some(Ok(piece));
        }
        let digits = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
        let number = rest[1..=digits].parse::<usize>();
        rest = &rest[1 + digits..];
        Some(match number {
            Ok(n) if n > 0 => Ok(Piece::Placeholder(n)),
            _ => Err(Error::QueryBuilderError(
                "prepared::sql: `$` must start a placeholder `$1`, `$2`, …".into(),
            )),
        })
    })
}

impl QueryFragment<Pg> for Sql<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for piece in pieces(self.text) {
            match piece? {
                Piece::Text(text) => out.push_sql(text),
                Piece::Placeholder(n) => {
                    let bind = self.binds.get(n - 1).ok_or_else(|| {
                        Error::QueryBuilderError(
                            format!(
                                "prepared::sql: ${n} has no value ({} bound)",
                                self.binds.len()
                            )
                            .into(),
                        )
                    })?;
                    bind.walk_ast(out.reborrow())?;
                }
            }
        }
        Ok(())
    }
}

/// No static id: diesel's statement cache keys the statement by its SQL
/// text and bind types, which is what is wanted for a fixed text.
impl QueryId for Sql<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// Rows are read by column name (`QueryableByName`), as with `sql_query`.
impl Query for Sql<'_> {
    type SqlType = Untyped;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn split(text: &str) -> Result<Vec<String>, Error> {
        pieces(text)
            .map(|p| {
                p.map(|p| match p {
                    Piece::Text(t) => t.to_owned(),
                    Piece::Placeholder(n) => format!("<{n}>"),
                })
            })
            .collect()
    }

    #[test]
    fn splits_at_placeholders() {
        assert_eq!(
            split("SELECT $1, $2::text, $1 FROM t WHERE a = $10").unwrap(),
            [
                "SELECT ",
                "<1>",
                ", ",
                "<2>",
                "::text, ",
                "<1>",
                " FROM t WHERE a = ",
                "<10>"
            ]
        );
        assert_eq!(split("$1").unwrap(), ["<1>"]);
        assert_eq!(split("SELECT 1").unwrap(), ["SELECT 1"]);
    }

    #[test]
    fn a_dollar_without_a_number_is_an_error() {
        assert!(split("SELECT $$x$$").is_err());
        assert!(split("SELECT $0").is_err());
        assert!(split("SELECT $").is_err());
    }
}

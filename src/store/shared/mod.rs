//! The store's rules written once for both backends: what an answer does
//! to totals, the score histogram, streaks, tallies and review cards
//! (`answers.rs`), what removing a student or a server deletes
//! (`privacy.rs`), seasons and leaderboards (`leaderboards.rs`), reading
//! review cards (`review.rs`), a server's classes (`classes.rs`), group
//! competitions (`competitions.rs`), a server's settings and the daily
//! post's bookkeeping (`settings.rs`), packs and students' reports
//! (`packs.rs`), over a small interface each backend implements ([`Tx`]).
//!
//! **The interface.** A transaction handle that runs one SQL statement at a
//! time with [`Tx::query`], [`Tx::query_opt`] and [`Tx::execute`], its
//! arguments and columns carried by one small [`Value`] type. It was written
//! here rather than taken from a crate: the rules need three calls and six
//! kinds of value, and a query builder (sea-query has SQLite and PostgreSQL
//! back ends) would have replaced plain SQL that both dialects already
//! accept (`ON CONFLICT ... DO UPDATE`, `RETURNING`, `EXCLUDED`) with
//! builder calls, and still needed a layer like this one to run them on
//! rusqlite and the synchronous `postgres` client.
//!
//! **The SQL.** Written once in the form both dialects read, with numbered
//! placeholders in SQLite's spelling (`?1`, `?2`, a number may repeat);
//! the PostgreSQL backend rewrites them to `$1`, `$2` once per connection
//! and statement ([`postgres_placeholders`]). What does differ by dialect
//! is typed, not spelt: a [`Value`] is bound as each backend stores it
//! (SQLite keeps times as RFC 3339 text, days as `YYYY-MM-DD` and booleans
//! as 0/1; PostgreSQL binds an integer as whichever of SMALLINT, INTEGER,
//! BIGINT or BOOLEAN the statement's parameter is, text to BYTEA
//! columns as its bytes, and a list, which the rules keep as
//! comma-separated text, to an integer array column), and a [`Row`]'s
//! getters read either spelling back. Row locks are the one dialect hook ([`Tx::locks_rows`]):
//! PostgreSQL takes them with `FOR UPDATE`; SQLite has one writer, which
//! holds the whole database for its transaction.
//!
//! This module knows nothing of connections, threads, group commit or
//! error classification: those stay in `sqlite/` and `postgres/`.

use chrono::{DateTime, NaiveDate, Utc};
use std::borrow::Cow;

pub(crate) mod answers;
pub(crate) mod classes;
pub(crate) mod competitions;
pub(crate) mod leaderboards;
pub(crate) mod packs;
pub(crate) mod privacy;
pub(crate) mod review;
pub(crate) mod settings;

/// One argument or column value, in the kinds the schema uses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    /// Integers of every width, and booleans (0 or 1).
    Int(i64),
    Real(f64),
    /// Text, and text that PostgreSQL keeps as BYTEA.
    Text(Cow<'a, str>),
    /// A time, to the microsecond.
    Time(DateTime<Utc>),
    Day(NaiveDate),
}

impl Value<'_> {
    /// What kind of value this is, for error messages.
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "an integer",
            Value::Real(_) => "a real number",
            Value::Text(_) => "text",
            Value::Time(_) => "a time",
            Value::Day(_) => "a day",
        }
    }
}

impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<i32> for Value<'_> {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}

impl From<u32> for Value<'_> {
    fn from(v: u32) -> Self {
        Value::Int(v.into())
    }
}

impl From<u8> for Value<'_> {
    fn from(v: u8) -> Self {
        Value::Int(v.into())
    }
}

impl From<bool> for Value<'_> {
    fn from(v: bool) -> Self {
        Value::Int(v.into())
    }
}

impl From<f64> for Value<'_> {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Text(Cow::Borrowed(v))
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Value::Text(Cow::Borrowed(v))
    }
}

impl From<DateTime<Utc>> for Value<'_> {
    fn from(v: DateTime<Utc>) -> Self {
        Value::Time(v)
    }
}

impl From<NaiveDate> for Value<'_> {
    fn from(v: NaiveDate) -> Self {
        Value::Day(v)
    }
}

impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// The arguments of one statement: `args![a, b]` is `&[Value::from(a), ...]`.
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        &[$($crate::store::shared::Value::from($arg)),*][..]
    };
}
pub(crate) use args;

/// One row a query returned, its columns in the statement's order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row(pub(crate) Vec<Value<'static>>);

/// What the rules themselves can run into, beside a backend's own errors.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum SqlError {
    #[error("column {column} holds {found} where {expected} was expected")]
    Column {
        column: usize,
        expected: &'static str,
        found: &'static str,
    },
    /// The same write lost races over and over (rows it conflicted with kept
    /// being deleted): the caller may simply try again.
    #[error("the write kept conflicting with concurrent changes")]
    Contended,
    /// A statement that always returns a row returned none.
    #[error("a statement that returns a row returned none")]
    NoRow,
}

impl Row {
    fn at(&self, column: usize) -> &Value<'static> {
        self.0.get(column).unwrap_or(&Value::Null)
    }

    fn wrong(&self, column: usize, expected: &'static str) -> SqlError {
        SqlError::Column {
            column,
            expected,
            found: self.at(column).kind(),
        }
    }

    pub(crate) fn opt_int(&self, column: usize) -> Result<Option<i64>, SqlError> {
        match self.at(column) {
            Value::Int(v) => Ok(Some(*v)),
            Value::Null => Ok(None),
            _ => Err(self.wrong(column, "an integer")),
        }
    }

    pub(crate) fn int(&self, column: usize) -> Result<i64, SqlError> {
        self.opt_int(column)?
            .ok_or_else(|| self.wrong(column, "an integer"))
    }

    /// A boolean: 0/1 in SQLite, BOOLEAN in PostgreSQL.
    pub(crate) fn bool(&self, column: usize) -> Result<bool, SqlError> {
        self.int(column).map(|v| v != 0)
    }

    pub(crate) fn real(&self, column: usize) -> Result<f64, SqlError> {
        match self.at(column) {
            Value::Real(v) => Ok(*v),
            Value::Int(v) => Ok(*v as f64),
            _ => Err(self.wrong(column, "a real number")),
        }
    }

    pub(crate) fn opt_text(&self, column: usize) -> Result<Option<String>, SqlError> {
        match self.at(column) {
            Value::Text(v) => Ok(Some(v.to_string())),
            Value::Null => Ok(None),
            _ => Err(self.wrong(column, "text")),
        }
    }

    pub(crate) fn text(&self, column: usize) -> Result<String, SqlError> {
        self.opt_text(column)?
            .ok_or_else(|| self.wrong(column, "text"))
    }

    /// A time: RFC 3339 text in SQLite, TIMESTAMPTZ in PostgreSQL.
    pub(crate) fn opt_time(&self, column: usize) -> Result<Option<DateTime<Utc>>, SqlError> {
        match self.at(column) {
            Value::Time(t) => Ok(Some(*t)),
            Value::Text(text) => DateTime::parse_from_rfc3339(text)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|_| self.wrong(column, "a time")),
            Value::Null => Ok(None),
            _ => Err(self.wrong(column, "a time")),
        }
    }

    pub(crate) fn time(&self, column: usize) -> Result<DateTime<Utc>, SqlError> {
        self.opt_time(column)?
            .ok_or_else(|| self.wrong(column, "a time"))
    }

    /// A day: `YYYY-MM-DD` text in SQLite, DATE in PostgreSQL.
    pub(crate) fn opt_day(&self, column: usize) -> Result<Option<NaiveDate>, SqlError> {
        match self.at(column) {
            Value::Day(d) => Ok(Some(*d)),
            Value::Text(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| self.wrong(column, "a day")),
            Value::Null => Ok(None),
            _ => Err(self.wrong(column, "a day")),
        }
    }
}

/// A transaction (or a savepoint inside one) that the shared rules run
/// their statements in. Each backend implements it on its own connection
/// type; `sql` is always a `'static` text so backends can keep it prepared.
pub(crate) trait Tx {
    type Error: From<SqlError>;

    /// Every row a statement returns (a `SELECT`, or a write `RETURNING`).
    fn query(&mut self, sql: &'static str, args: &[Value<'_>]) -> Result<Vec<Row>, Self::Error>;

    /// The first row a statement returns, if any.
    fn query_opt(
        &mut self,
        sql: &'static str,
        args: &[Value<'_>],
    ) -> Result<Option<Row>, Self::Error> {
        Ok(self.query(sql, args)?.into_iter().next())
    }

    /// Runs a statement that writes; how many rows it changed.
    fn execute(&mut self, sql: &'static str, args: &[Value<'_>]) -> Result<u64, Self::Error>;

    /// Whether rows read to be written must be locked (`FOR UPDATE`) against
    /// other writers: true where transactions write side by side
    /// (PostgreSQL), false where one writer holds the whole database for
    /// its transaction (SQLite).
    fn locks_rows(&self) -> bool;
}

/// Shared SQL as PostgreSQL spells it: each `?N` placeholder becomes `$N`.
/// Text in single quotes, quoted names and comments are left as written,
/// and a `?` not followed by a digit is not a placeholder (SQLite's `?`
/// alone is never used in shared SQL). Borrowed when nothing changes.
pub(crate) fn postgres_placeholders(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == '\n' {
                        break;
                    }
                }
            }
            '?' if chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_for_postgres() {
        assert_eq!(
            postgres_placeholders(
                "UPDATE totals SET points = points + ?4 WHERE guild_id = ?1 AND period = ?2 AND user_id = ?3"
            ),
            "UPDATE totals SET points = points + $4 WHERE guild_id = $1 AND period = $2 AND user_id = $3"
        );
        // Repeated and two-digit numbers keep their number.
        assert_eq!(
            postgres_placeholders("VALUES (?10, ?11) ON CONFLICT DO UPDATE SET a = ?10"),
            "VALUES ($10, $11) ON CONFLICT DO UPDATE SET a = $10"
        );
    }

    #[test]
    fn placeholders_in_quotes_and_comments_are_left_alone() {
        assert_eq!(
            postgres_placeholders(
                "SELECT '?1', \"odd?2\" FROM t -- ?3 stays\nWHERE a = ?1 AND b ? 'x'"
            ),
            "SELECT '?1', \"odd?2\" FROM t -- ?3 stays\nWHERE a = $1 AND b ? 'x'"
        );
    }

    #[test]
    fn sql_without_placeholders_is_not_copied() {
        assert!(matches!(
            postgres_placeholders("SELECT 1 WHERE $1 = 2"),
            Cow::Borrowed("SELECT 1 WHERE $1 = 2")
        ));
    }

    #[test]
    fn rows_read_both_dialects_spellings() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let time = DateTime::parse_from_rfc3339("2026-12-05T02:30:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let sqlite = Row(vec![
            Value::Int(1),
            Value::Text("2026-12-05".into()),
            Value::Text("2026-12-05T02:30:00.123456Z".into()),
        ]);
        let postgres = Row(vec![Value::Int(1), Value::Day(day), Value::Time(time)]);
        for row in [sqlite, postgres] {
            assert!(row.bool(0).unwrap());
            assert_eq!(row.opt_day(1).unwrap(), Some(day));
            assert_eq!(row.time(2).unwrap(), time);
        }
    }

    #[test]
    fn a_column_of_the_wrong_kind_is_an_error_naming_it() {
        let row = Row(vec![Value::Text("x".into()), Value::Null]);
        assert_eq!(
            row.int(0),
            Err(SqlError::Column {
                column: 0,
                expected: "an integer",
                found: "text"
            })
        );
        assert_eq!(row.opt_int(1), Ok(None));
        assert_eq!(
            row.time(1).unwrap_err().to_string(),
            "column 1 holds NULL where a time was expected"
        );
    }

    #[test]
    fn arguments_convert_from_the_model_types() {
        let name = String::from("Ada");
        let none: Option<i64> = None;
        assert_eq!(
            args![7i64, true, &name, none, 2u32],
            &[
                Value::Int(7),
                Value::Int(1),
                Value::Text("Ada".into()),
                Value::Null,
                Value::Int(2)
            ]
        );
    }
}

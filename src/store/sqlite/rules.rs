//! SQLite's side of the shared rules (`store::shared`): the group commit of
//! queued answers, each carried out by the shared answer rules, and [`Sql`],
//! the [`Tx`] those rules run on here: statements kept prepared by
//! rusqlite's cache, values bound as this schema stores them (times as
//! RFC 3339 text to the microsecond, days as `YYYY-MM-DD`, booleans as
//! 0/1). Rows are never locked one by one ([`Tx::locks_rows`] is false):
//! the one writer holds the database for its whole transaction.

use super::*;
use crate::store::shared::{self, Row, SqlError, Tx, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};

/// Commits a group of answers in one transaction; one outcome per answer.
/// An answer that fails (a constraint, a rule's query) is rolled back
/// alone and reported to its caller, and the others in the group still
/// commit. A failure that ends the whole transaction (SQLite rolls back by
/// itself on a full disk or I/O error) or a failed COMMIT fails every
/// answer in the group.
///
/// Answers almost never fail, and a savepoint is not free: SQLite copies
/// every page an answer changes into the savepoint's journal before
/// changing it (7.5 % of the bot's CPU under flat-out presses, by `perf`).
/// So the group first runs without savepoints; only if one of its answers
/// fails is that attempt rolled back and the group run again with a
/// savepoint per answer ([`commit_isolated`]). The outcomes are the same
/// either way: each answer's work reads only the database, which the
/// rollback restored.
pub(super) fn commit_group(
    conn: &mut Connection,
    group: &[QueuedAnswer],
) -> Vec<Result<Answered, StoreError>> {
    let mut attempt = || -> rusqlite::Result<Option<Vec<Result<Answered, StoreError>>>> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut outcomes = Vec::with_capacity(group.len());
        for queued in group {
            match carry_out(&tx, &queued.work) {
                Ok(answered) => outcomes.push(Ok(answered)),
                // Dropping the transaction rolls the whole attempt back.
                Err(_) if group.len() > 1 => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        tx.commit()?;
        Ok(Some(outcomes))
    };
    match attempt() {
        Ok(Some(outcomes)) => outcomes,
        Ok(None) => commit_isolated(conn, group),
        Err(e) => every_answer_fails(group, e),
    }
}

/// [`commit_group`] with each answer in a savepoint of its own, for a
/// group in which an answer failed.
fn commit_isolated(
    conn: &mut Connection,
    group: &[QueuedAnswer],
) -> Vec<Result<Answered, StoreError>> {
    let mut attempt = || -> rusqlite::Result<Vec<Result<Answered, StoreError>>> {
        let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut outcomes = Vec::with_capacity(group.len());
        for queued in group {
            let savepoint = tx.savepoint()?;
            match carry_out(&savepoint, &queued.work) {
                Ok(answered) => {
                    savepoint.commit()?;
                    outcomes.push(Ok(answered));
                }
                Err(e) => {
                    // Dropping the savepoint rolls this answer back.
                    drop(savepoint);
                    if tx.is_autocommit() {
                        return Err(e);
                    }
                    outcomes.push(Err(db(e)));
                }
            }
        }
        tx.commit()?;
        Ok(outcomes)
    };
    match attempt() {
        Ok(outcomes) => outcomes,
        Err(e) => every_answer_fails(group, e),
    }
}

/// The outcomes of a group whose transaction failed as a whole: the same
/// error for every answer in it.
fn every_answer_fails(
    group: &[QueuedAnswer],
    e: rusqlite::Error,
) -> Vec<Result<Answered, StoreError>> {
    let error = db(e);
    group.iter().map(|_| Err(error.clone())).collect()
}

/// One queued answer, inside the group's transaction.
fn carry_out(c: &Connection, work: &Work) -> rusqlite::Result<Answered> {
    match work {
        Work::Record(a) => Ok(Answered {
            outcome: shared::answers::record(&mut Sql(c), a)?,
            points: a.points,
            bonus: 0,
            streak: a.streak.clone(),
            // Only a plan's caller asks for the tally.
            tally: Tally::default(),
        }),
        Work::Plan(plan) => shared::answers::answer(&mut Sql(c), plan),
    }
}

/// A connection (or a transaction or savepoint on it) as the shared rules
/// use it.
pub(super) struct Sql<'c>(pub(super) &'c Connection);

impl Tx for Sql<'_> {
    type Error = rusqlite::Error;

    fn query(&mut self, sql: &'static str, args: &[Value<'_>]) -> rusqlite::Result<Vec<Row>> {
        let mut statement = self.0.prepare_cached(sql)?;
        let columns = statement.column_count();
        let mut rows = statement.query(rusqlite::params_from_iter(args))?;
        let mut all = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(match row.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Real(v),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        Value::Text(String::from_utf8_lossy(t).into_owned().into())
                    }
                });
            }
            all.push(Row(values));
        }
        Ok(all)
    }

    fn execute(&mut self, sql: &'static str, args: &[Value<'_>]) -> rusqlite::Result<u64> {
        self.0
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(args))
            .map(|n| n as u64)
    }

    fn locks_rows(&self) -> bool {
        false
    }
}

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as Owned;
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(Owned::Null),
            Value::Int(v) => ToSqlOutput::Owned(Owned::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Owned(Owned::Real(*v)),
            Value::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Value::Time(t) => ToSqlOutput::Owned(Owned::Text(ts(*t))),
            Value::Day(d) => ToSqlOutput::Owned(Owned::Text(d.to_string())),
        })
    }
}

/// The shared rules' own errors as SQLite's: a column of the wrong kind is
/// a conversion failure, a missing row is rusqlite's own, contention (which one writer never meets) is
/// "busy".
impl From<SqlError> for rusqlite::Error {
    fn from(e: SqlError) -> Self {
        match e {
            SqlError::Column { column, .. } => rusqlite::Error::FromSqlConversionFailure(
                column,
                rusqlite::types::Type::Null,
                Box::new(e),
            ),
            SqlError::NoRow => rusqlite::Error::QueryReturnedNoRows,
            SqlError::Contended => rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                Some(e.to_string()),
            ),
        }
    }
}

impl SqliteStore {
    /// Runs shared rules in one write transaction on the writer's
    /// connection, committed when they succeed.
    pub(super) fn write<T>(
        &self,
        f: impl FnOnce(&mut Sql<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&mut Sql(&tx))?;
            tx.commit()?;
            Ok(out)
        })
    }

    /// Runs shared rules statement by statement on the writer's connection.
    pub(super) fn direct<T>(
        &self,
        f: impl FnOnce(&mut Sql<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        self.with(|c| f(&mut Sql(c)))
    }
}

//! The PostgreSQL backend of [`Store`], for several bot processes sharing one
//! database.
//!
//! It owns the PostgreSQL schema, its migrations, the connections and the SQL
//! that gives every [`Store`] method the same observable behaviour as
//! `SqliteStore` (the reference: same orderings, same outcomes, same
//! exactly-once guarantees). Like the rest of `store` it knows nothing of
//! Discord and nothing of how points are computed: callers say what an answer
//! is worth and which leaderboard periods it counts in.
//!
//! **Migrations.** The `.sql` files under `migrations/postgres`, run by the
//! runner both backends share (`migrate.rs`, refinery), while this backend
//! holds an advisory lock, so processes starting together migrate once and
//! the others then find nothing to do. An up-to-date database is only read
//! (a read-only standby still opens); one migrated by a newer build is
//! refused rather than written to.
//!
//! **Exactly once across processes.** The database, not the process, decides:
//! answers are unique per interaction and per (instance, student), competition
//! answers per interaction and per (competition, round, student); an answer is
//! inserted with `ON CONFLICT DO NOTHING` and only an insert that happened goes
//! on to change totals, the score histogram (`score_counts`), the player counts
//! (`period_players`) and the tally (`instance_tallies`), all in that one
//! transaction. Counters are changed by `UPDATE ... SET n = n + 1` or upserts,
//! which lock the row they change, so two processes scoring the same student at
//! once queue behind each other and neither update is lost. The daily instance
//! (a partial unique index on guild and day), the claim of a daily post (a
//! primary key on guild and day), the running competition of a channel and the
//! open season of a guild are likewise unique in the schema, so of two
//! processes racing only one wins and the other reads the winner's row.
//! Transactions run at READ COMMITTED: each statement sees what committed
//! before it, which is what makes "insert, else read who won" work. Shared
//! counter rows are locked in one order (periods sorted, lower score first,
//! the tally last) so that concurrent answers do not deadlock; a transaction
//! that is still chosen as a deadlock victim, or fails to serialise, is
//! retried whole, and a lock that cannot be had within `LOCK_TIMEOUT`
//! reports [`StoreError::Busy`] (the student is asked to try again, and the
//! retry is safe because of the uniqueness above).
//!
//! **Threads.** [`Store`] is synchronous, and the bot calls it both from
//! `spawn_blocking` threads and directly on tokio worker threads. The
//! synchronous `postgres` client runs a small runtime of its own and panics
//! when used on a thread that is already inside a tokio runtime, so no caller
//! thread ever touches a connection: the store keeps `CONNECTIONS` threads
//! of its own, each owning one connection, which take jobs (closures) from one
//! queue and send the result back. A caller blocks on that reply the way it
//! would block on SQLite's connection mutex. A broken connection is reopened
//! before the thread's next job; a job that panics is answered with an error
//! and its connection reopened. These threads are the pool: a pool crate
//! (r2d2 with r2d2_postgres, or deadpool) lends a connection to the
//! caller's own thread, which is what this client cannot allow on a tokio
//! worker, so one was not taken (issue #24); deadpool-postgres would need
//! the asynchronous client, and with it an async store.
//!
//! **Errors.** Lost deadlocks, serialisation failures, lock timeouts and a
//! server out of connection slots are [`StoreError::Busy`]; a full disk, a
//! read-only server and an unreachable one are [`StoreError::Unwritable`]
//! (remembered for [`Store::write_problem`] until a write succeeds, as in
//! SQLite); anything else is [`StoreError::Database`] with the server's words.
//!
//! **Types.** Timestamps are `TIMESTAMPTZ`, stored truncated to the
//! microsecond as SQLite's RFC 3339 text is, so comparisons and orderings
//! agree; text that is sorted (question keys, periods) uses the "C" collation,
//! as SQLite compares bytes; text that people type is `BYTEA`, since `TEXT`
//! cannot hold U+0000 and SQLite keeps it.

use super::*;
use chrono::SubsecRound;
pub use connection::connect_client;
use connection::*;
// `::postgres`: the driver crate, not this module (which shares its name).
use ::postgres as pg;
use pg::error::SqlState;
use pg::types::ToSql;
use pg::{Client, GenericClient, IsolationLevel, NoTls, Row, Statement, Transaction};
use std::collections::HashMap;
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use tokio_postgres_rustls::MakeRustlsConnect;

/// The advisory lock key that serialises migrations ("Studybot" in ASCII).
const MIGRATION_LOCK: i64 = 0x5374_7564_7962_6f74;
/// How long opening a store waits for another process's migration.
const MIGRATION_LOCK_TIMEOUT: &str = "120s";

/// How many connections (and threads) a store keeps: enough for the handlers'
/// blocking threads to overlap their round trips, few enough that several
/// processes stay far below the server's `max_connections` (100 by default).
const CONNECTIONS: usize = 4;

/// How long a statement waits for another transaction's row lock before the
/// store reports "busy": well inside Discord's 3-second window, as SQLite's
/// busy timeout is.
const LOCK_TIMEOUT: &str = "2s";

/// How long opening a connection may take when the URL does not say.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How many times a transaction that lost a deadlock or failed to serialise
/// is run in all before the caller is told the database is busy.
const ATTEMPTS: usize = 3;

/// What can go wrong below the [`Store`] interface; each maps to a
/// [`StoreError`].
#[derive(Debug, thiserror::Error)]
enum PgError {
    #[error(transparent)]
    Db(#[from] pg::Error),
    #[error("invalid PostgreSQL URL")]
    Url(#[source] pg::Error),
    #[error("cannot connect to PostgreSQL")]
    Connect(#[source] pg::Error),
    #[error("cannot connect to PostgreSQL: the server's TLS certificate was not accepted (if a private authority signed it, name that authority's certificate with `sslrootcert=PATH` in the URL; `sslmode=disable` turns TLS off)")]
    Certificate(#[source] pg::Error),
    #[error(
        "cannot read the CA certificates in {path} (`sslrootcert` in the PostgreSQL URL): {why}"
    )]
    RootCert { path: String, why: String },
    #[error("cannot start a PostgreSQL connection thread")]
    Thread(#[source] std::io::Error),
    #[error("the PostgreSQL connection threads have stopped")]
    Stopped,
    #[error("the database was migrated by a newer studybot (schema version {found}, this build knows {known})")]
    SchemaTooNew { found: i32, known: i32 },
    #[error("the schema migration failed")]
    Migration(#[source] refinery::Error),
    /// The same write lost races over and over (rows it conflicted with kept
    /// being deleted): the caller may simply try again.
    #[error("the write kept conflicting with concurrent changes")]
    Contended,
    #[error(transparent)]
    Rule(crate::store::shared::SqlError),
}

/// Errors a retry soon may get past: lost deadlocks and serialisation
/// failures (retried here first), locks not granted in time, no free
/// connection slot on the server.
const BUSY: [SqlState; 4] = [
    SqlState::T_R_DEADLOCK_DETECTED,
    SqlState::T_R_SERIALIZATION_FAILURE,
    SqlState::LOCK_NOT_AVAILABLE,
    SqlState::TOO_MANY_CONNECTIONS,
];

/// Errors that mean nothing can be written now: a full disk, an I/O
/// failure, a read-only server (a standby), a server shutting down or
/// starting up. SQLite's full disk and read-only file map to the same.
const UNWRITABLE: [SqlState; 6] = [
    SqlState::DISK_FULL,
    SqlState::IO_ERROR,
    SqlState::READ_ONLY_SQL_TRANSACTION,
    SqlState::ADMIN_SHUTDOWN,
    SqlState::CRASH_SHUTDOWN,
    SqlState::CANNOT_CONNECT_NOW,
];

impl PgError {
    /// Whether running the whole transaction again may succeed.
    fn retry_whole(&self) -> bool {
        matches!(self, PgError::Db(e) if e.code().is_some_and(|c| *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE))
    }

    /// The error with its causes, "outer: inner: ...": the driver says only
    /// "db error", and the server's own words are that error's cause.
    fn describe(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(inner) = cause {
            text.push_str(": ");
            text.push_str(&inner.to_string());
            cause = inner.source();
        }
        text
    }
}

impl From<PgError> for StoreError {
    fn from(e: PgError) -> Self {
        match &e {
            PgError::Contended => StoreError::Busy,
            PgError::Db(db) if db.code().is_some_and(|c| BUSY.contains(c)) => StoreError::Busy,
            // The server is unreachable: nothing can be saved (as SQLite's
            // file that cannot be opened).
            PgError::Connect(_) | PgError::Certificate(_) => StoreError::Unwritable(e.describe()),
            PgError::Db(db)
                if db.is_closed() || db.code().is_some_and(|c| UNWRITABLE.contains(c)) =>
            {
                StoreError::Unwritable(e.describe())
            }
            _ => StoreError::Database(e.describe()),
        }
    }
}

pub struct PostgresStore {
    /// The job queue; `None` only while dropping, which stops the threads.
    jobs: Option<mpsc::Sender<Job>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// Why writes are failing, while they are (see [`Store::write_problem`]).
    write_problem: Mutex<Option<String>>,
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        drop(self.jobs.take());
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl PostgresStore {
    /// Connects to the database a `postgres://` or `postgresql://` URL names
    /// (libpq's URL form; `?options=-c%20search_path%3DNAME` picks a schema)
    /// and brings its schema up to date.
    ///
    /// Connections use TLS whenever the server offers it, and then the
    /// server's certificate must be signed by a public authority or by one
    /// named with `?sslrootcert=PATH`, and must name the host: a server
    /// whose certificate is not accepted is refused, not used unencrypted.
    /// `sslmode=require` also refuses a server without TLS; `sslmode=disable`
    /// never uses it (a server on the same host, say).
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let (mut config, tls) = settings(url)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let (opened, opening) = mpsc::channel();
        let mut store = Self {
            jobs: Some(jobs),
            threads: Vec::with_capacity(CONNECTIONS),
            write_problem: Mutex::new(None),
        };
        for n in 0..CONNECTIONS {
            let (config, tls, queue, opened) =
                (config.clone(), tls.clone(), queue.clone(), opened.clone());
            let thread = std::thread::Builder::new()
                .name(format!("postgres-{n}"))
                .spawn(move || match Connection::open(config, tls) {
                    Ok(connection) => {
                        let _ = opened.send(Ok(()));
                        serve(connection, &queue);
                    }
                    Err(e) => {
                        let _ = opened.send(Err(e));
                    }
                })
                .map_err(PgError::Thread)?;
            store.threads.push(thread);
        }
        drop(opened);
        for _ in 0..CONNECTIONS {
            opening.recv().map_err(|_| PgError::Stopped)??;
        }
        store.run(migrate)?;
        Ok(store)
    }

    /// Runs `job` on one of the connection threads and waits for its result.
    /// Safe from any thread, a tokio worker included.
    fn run<T: Send + 'static>(
        &self,
        mut job: impl FnMut(&mut Session) -> Result<T, PgError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, outcome) = mpsc::sync_channel(1);
        let work: Job = Box::new(move |connection: &mut Connection| {
            let _ = reply.send(connection.run(&mut job));
        });
        self.jobs
            .as_ref()
            .ok_or(PgError::Stopped)?
            .send(work)
            .map_err(|_| PgError::Stopped)?;
        let (result, wrote) = outcome.recv().map_err(|_| PgError::Stopped)?;
        // As SQLite's store does: a write that failed for want of space or
        // of a writable server is remembered, one that changed rows clears it.
        let mut problem = self
            .write_problem
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match &result {
            Err(StoreError::Unwritable(why)) => *problem = Some(why.clone()),
            Ok(_) if wrote => *problem = None,
            _ => {}
        }
        result
    }
}

/// The version refinery's history records (`None`: no history table) and
/// the one earlier builds kept in `studybot_migrations` (0: none).
fn schema_versions(client: &mut Client) -> Result<(Option<i32>, i32), pg::Error> {
    use super::migrate::HISTORY;
    // to_regclass looks along the search path, as unqualified names do.
    let row = client.query_one(
        "SELECT to_regclass($1) IS NOT NULL, to_regclass('studybot_migrations') IS NOT NULL",
        &[&HISTORY],
    )?;
    let (has_history, has_legacy): (bool, bool) = (row.try_get(0)?, row.try_get(1)?);
    let recorded = if has_history {
        let sql = format!("SELECT coalesce(max(version), 0) FROM {HISTORY}");
        Some(client.query_one(&sql, &[])?.try_get(0)?)
    } else {
        None
    };
    let legacy = if has_legacy {
        client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM studybot_migrations",
                &[],
            )?
            .try_get(0)?
    } else {
        0
    };
    Ok((recorded, legacy))
}

/// What [`migrate`] must do now, or why it must not.
fn migration_plan(client: &mut Client) -> Result<super::migrate::Plan, PgError> {
    use super::migrate::{plan, Dialect, Plan};
    let (recorded, legacy) = schema_versions(client)?;
    match plan(Dialect::Postgres, recorded, legacy) {
        Plan::TooNew { found, known } => Err(PgError::SchemaTooNew { found, known }),
        next => Ok(next),
    }
}

/// Brings the schema up to date (see `migrate.rs`) while holding an
/// advisory lock, so processes starting together migrate once. An
/// up-to-date database is only read, so a read-only server (a standby)
/// still opens.
fn migrate(session: &mut Session) -> Result<(), PgError> {
    use super::migrate::{carry_out, Dialect, Plan};
    let client = &mut session.client;
    if migration_plan(client)? == Plan::UpToDate {
        return Ok(());
    }
    // Waiting for another process's migration is the normal case when
    // several start together, and it may take longer than the 2 s a
    // student's request waits for a lock: this wait is longer.
    client.batch_execute(&format!("SET lock_timeout = '{MIGRATION_LOCK_TIMEOUT}'"))?;
    let locked = client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK]);
    client.batch_execute(&format!("SET lock_timeout = '{LOCK_TIMEOUT}'"))?;
    locked?;
    // Again, now that no other process is migrating.
    let migrated = migration_plan(client)
        .and_then(|next| carry_out(Dialect::Postgres, next, client).map_err(PgError::Migration));
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    migrated?;
    unlocked?;
    Ok(())
}

/// A time as SQLite's text keeps it: whole microseconds (truncated).
fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// Text typed by people, as its BYTEA column holds it (see the schema).
fn typed(text: &str) -> &[u8] {
    text.as_bytes()
}

fn order_array(order: &[usize]) -> Vec<i64> {
    order.iter().map(|&i| i as i64).collect()
}

fn order_from(array: Vec<i64>) -> Vec<usize> {
    array.into_iter().map(|i| i as usize).collect()
}

macro_rules! instance_columns {
    () => {
        "id, kind, guild_id, owner_id, day, question, option_order, created_at, class_id"
    };
}

const DAILY_INSTANCE: &str = concat!(
    "SELECT ",
    instance_columns!(),
    " FROM instances WHERE kind = 'daily' AND guild_id = $1 AND day = $2 AND class_id = $3"
);

fn instance_row(r: &Row) -> Result<Instance, pg::Error> {
    Ok(Instance {
        id: r.try_get(0)?,
        kind: if r.try_get::<_, &str>(1)? == "daily" {
            InstanceKind::Daily
        } else {
            InstanceKind::Practice
        },
        guild: r.try_get::<_, Option<i64>>(2)?.map(|g| GuildId(g as u64)),
        owner: r.try_get::<_, Option<i64>>(3)?.map(|u| UserId(u as u64)),
        day: r.try_get(4)?,
        question: r.try_get(5)?,
        option_order: order_from(r.try_get(6)?),
        created_at: r.try_get(7)?,
        class: r.try_get(8)?,
    })
}

impl Store for PostgresStore {
    fn write_problem(&self) -> Option<String> {
        self.write_problem
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

// The parts of the store, after the macros above (macros are in scope
// only below their definition).
mod answers;
mod classes;
mod competitions;
mod connection;
mod leaderboards;
mod packs;
mod privacy;
mod review;
mod rules;
mod settings;

#[cfg(test)]
mod tests;

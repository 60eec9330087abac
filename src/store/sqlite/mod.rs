//! The embedded SQLite backend of [`Store`].
//!
//! One file, created and migrated on open (the `.sql` files under
//! `migrations/sqlite`, run by `migrate.rs`). WAL journal with
//! `synchronous=NORMAL`: a committed transaction survives a crash or SIGKILL
//! of the process (the WAL is written before COMMIT returns), but the last
//! transactions before a power cut may be lost; FULL would fsync every
//! answer and cost the throughput target (see docs/performance.md). One
//! connection behind a mutex serialises writers, which SQLite does anyway;
//! the lock is held only inside a method, never across an `.await`. The
//! WAL's checkpointer and size bound live in `wal.rs`, the group commit and
//! the [`crate::store::shared::Tx`] over rusqlite in `rules.rs`.
//! Because every write of this process goes through that connection, the
//! store knows when its data changed: [`Store::generation`] moves on after
//! each commit that wrote (in `with` and in the answers' group commit), and
//! the checkpointer moves it on when another process has written to the
//! file (`wal.rs`).

use super::*;
use rules::*;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::sync::{Arc, Mutex};
use wal::*;

/// How long a statement waits for another connection's lock before the
/// store reports "busy" (and the student is asked to try again): well inside
/// Discord's 3-second window for answering an interaction.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

pub struct SqliteStore {
    conn: Mutex<Connection>,
    /// Read-only connections for leaderboards (see [`SqliteStore::read`]);
    /// none for an in-memory database, whose data one connection holds.
    readers: Vec<Mutex<Connection>>,
    /// Which reader the next read tries first.
    next_reader: std::sync::atomic::AtomicUsize,
    /// Answers waiting to be committed (see [`Store::record_answer`]).
    answer_queue: Mutex<Vec<QueuedAnswer>>,
    /// Display names this process has already stored, so an unchanged name
    /// costs no write transaction.
    names: Mutex<std::collections::HashMap<(i64, u64), String>>,
    /// Why the last write failed, until a write succeeds (see
    /// [`Store::write_problem`]).
    write_problem: Mutex<Option<String>>,
    /// The WAL file and the size past which the writer truncates it.
    wal_limit: Option<(std::path::PathBuf, u64)>,
    /// Commits since the WAL's size was last looked at.
    commits_unchecked: std::sync::atomic::AtomicU32,
    /// How many checkpoints the checkpointer had finished when the writer
    /// asked it for one before truncating, or [`NOT_ASKED`].
    checkpoint_asked: std::sync::atomic::AtomicU64,
    /// The background checkpointer (stopped when the store is dropped).
    checkpointer: Option<Checkpointer>,
    /// [`Store::generation`]: counts the commits that wrote through this
    /// store's writer (see [`SqliteStore::changed`]).
    /// Shared with the checkpointer, which moves it on for other
    /// processes' writes (see `Checkpointer::start`).
    generation: Arc<std::sync::atomic::AtomicU64>,
}

/// An answer in the commit queue, and where its outcome goes.
struct QueuedAnswer {
    work: Work,
    outcome: std::sync::mpsc::SyncSender<Result<Answered, StoreError>>,
}

/// What a queued answer asks for.
enum Work {
    /// An answer whose effects the caller worked out ([`AnswerStore::record_answer`]).
    Record(NewAnswer),
    /// An answer whose effects the rules work out in the transaction
    /// ([`AnswerStore::answer`]).
    Plan(AnswerPlan),
}

impl Work {
    /// Where and by whom, and the name seen with it.
    fn name(&self) -> (Option<GuildId>, UserId, Option<&String>) {
        match self {
            Work::Record(a) => (a.guild, a.user, a.display_name.as_ref()),
            Work::Plan(p) => (p.guild, p.user, p.display_name.as_ref()),
        }
    }
}

/// The most answers committed in one transaction.
const MAX_GROUP_COMMIT: usize = 256;

/// How many remembered names the cache keeps before starting afresh.
const NAME_CACHE: usize = 100_000;

/// [`db`] for the sibling module that checks and copies database files.
pub(crate) fn db_error(e: rusqlite::Error) -> StoreError {
    db(e)
}

fn db(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            StoreError::Busy
        }
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DiskFull
                    | rusqlite::ErrorCode::ReadOnly
                    | rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::CannotOpen
            ) =>
        {
            StoreError::Unwritable(e.to_string())
        }
        other => StoreError::Database(other.to_string()),
    }
}

/// A connection that only reads (leaderboards), beside the writer: in WAL
/// mode readers neither wait for the writer nor hold it up.
fn open_reader(path: &std::path::Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
    conn.set_prepared_statement_cache_capacity(64);
    keep_plans(&conn)?;
    Ok(conn)
}

/// Keeps a prepared statement's plan whatever is bound to it (SQLite's
/// query planner stability guarantee). Without it SQLite re-prepares a
/// statement whenever a parameter that can steer its plan is bound again,
/// even to the same value: `LIMIT ?3` in the leaderboard is one, and
/// re-parsing it was 14 % of the bot's CPU under flat-out `/leaderboard`
/// (perf, docs/performance.md). Our plans come from the indexes, never from
/// the values bound.
pub(super) fn keep_plans(conn: &Connection) -> Result<(), StoreError> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map(|_| ())
    .map_err(db)
}

/// Switches the file to WAL (a no-op once it is: the mode is kept in the
/// file). Switching a new file needs a lock that SQLite does not wait for,
/// so when another connection is switching or migrating it at the same
/// moment this tries again, for as long as the busy timeout.
fn use_wal(conn: &Connection) -> Result<(), StoreError> {
    let started = std::time::Instant::now();
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL").map_err(db) {
            Err(StoreError::Busy) if started.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

/// Brings the schema up to date (see `migrate.rs`). Two processes opening
/// a new file at the same moment both find no history before either
/// migrates, and the second's migration then fails because the first has
/// created its tables. Running again reads the history anew and finds
/// nothing left to do; a migration that is really broken fails every
/// attempt and is reported.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    const ATTEMPTS: u64 = 5;
    let mut attempt = 1;
    loop {
        match migrate_once(conn) {
            Ok(done) => return done,
            Err(_) if attempt < ATTEMPTS => {
                std::thread::sleep(std::time::Duration::from_millis(20 * attempt));
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// One attempt: the outer error may go away when tried again, the inner
/// one (a database from a newer build) will not.
fn migrate_once(conn: &mut Connection) -> Result<Result<(), StoreError>, StoreError> {
    use super::migrate::{carry_out, plan, Dialect, Plan, HISTORY};
    let has_history: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [HISTORY],
            |r| r.get(0),
        )
        .map_err(db)?;
    let recorded: Option<i32> = if has_history {
        conn.query_row(
            &format!("SELECT coalesce(max(version), 0) FROM {HISTORY}"),
            [],
            |r| r.get(0),
        )
        .map(Some)
        .map_err(db)?
    } else {
        None
    };
    // Earlier builds (rusqlite_migration) counted migrations in user_version.
    let legacy: i32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db)?;
    match plan(Dialect::Sqlite, recorded, legacy) {
        Plan::TooNew { found, known } => Ok(Err(StoreError::Database(format!(
            "the database was migrated by a newer studybot (schema version {found}, this build knows {known})"
        )))),
        next => carry_out(Dialect::Sqlite, next, conn)
            .map(Ok)
            .map_err(|e| StoreError::Database(format!("migration failed: {e}"))),
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn parse_ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn parse_day(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
}

fn guild_key(guild: Option<GuildId>) -> i64 {
    guild.map_or(0, |g| g.0 as i64)
}

impl SqliteStore {
    pub fn open(path: &std::path::Path) -> Result<Self, StoreError> {
        Self::open_with_wal_limit(path, WAL_LIMIT)
    }

    /// [`SqliteStore::open`] with another WAL size limit (see [`SqliteStore::bound_wal`]).
    pub fn open_with_wal_limit(path: &std::path::Path, wal_limit: u64) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Database(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        // Whether the last store closed the file cleanly: asked before
        // this one opens it (see `sqlite_file::closed_cleanly`).
        let clean = super::sqlite_file::closed_cleanly(path);
        let conn = Connection::open(path).map_err(db)?;
        // Damage found now stops the start with advice; found later it
        // would fail every write with an apology (issue #20). A file left
        // as a clean close left it is not read through again.
        if !clean {
            super::sqlite_file::check_sound(&conn, path)?;
        }
        let mut store = Self::setup(conn)?;
        // Checkpoints run on their own thread (see `Checkpointer`), never
        // inside a student's commit.
        store
            .conn
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(db)?;
        store.checkpointer = Some(Checkpointer::start(path, store.generation.clone())?);
        // One read-only connection per core: more could not run at once.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        store.readers = (0..cores)
            .map(|_| open_reader(path).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        store.wal_limit = Some((std::path::PathBuf::from(wal), wal_limit));
        Ok(store)
    }

    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::setup(Connection::open_in_memory().map_err(db)?)
    }

    fn setup(mut conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
        use_wal(&conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        // Every statement stays prepared (parsing SQL costs more than most
        // of these queries).
        conn.set_prepared_statement_cache_capacity(64);
        keep_plans(&conn)?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            answer_queue: Mutex::new(Vec::new()),
            names: Mutex::new(std::collections::HashMap::new()),
            write_problem: Mutex::new(None),
            readers: Vec::new(),
            next_reader: std::sync::atomic::AtomicUsize::new(0),
            wal_limit: None,
            commits_unchecked: std::sync::atomic::AtomicU32::new(0),
            checkpoint_asked: std::sync::atomic::AtomicU64::new(NOT_ASKED),
            checkpointer: None,
            generation: Default::default(),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let changes = conn.total_changes();
        let result = f(&mut conn).map_err(db);
        let wrote = conn.total_changes() > changes;
        if wrote {
            self.changed();
            // Every write path, not only answers: ten seconds of practice
            // questions once left a 217 MB WAL (issue #24).
            self.bound_wal(&conn);
        }
        self.note_write(&result, wrote);
        result
    }

    /// Runs queries that only read on one of the reader connections, in one
    /// read transaction so that they agree with each other (as they would
    /// behind the writer's lock), or on the main connection when there are
    /// no readers. With a reader per core, leaderboards neither queue behind
    /// answers being committed nor behind each other: under load the one
    /// connection was what a leaderboard waited for
    /// (docs/performance.md).
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, rusqlite::Error>,
    ) -> Result<T, StoreError> {
        if self.readers.is_empty() {
            return self.with(|c| f(c));
        }
        let first = self
            .next_reader
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let n = self.readers.len();
        // A free reader if there is one, else wait for this turn's.
        let conn = (0..n)
            .find_map(|i| self.readers[(first + i) % n].try_lock().ok())
            .unwrap_or_else(|| {
                self.readers[first % n]
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
            });
        let read = || {
            let tx = conn.unchecked_transaction()?;
            let out = f(&tx)?;
            tx.finish()?;
            Ok(out)
        };
        read().map_err(db)
    }

    /// Moves [`Store::generation`] on: called after every commit that wrote
    /// (by [`SqliteStore::with`], which every write but the answers' group
    /// commit goes through, and by the group commit), before its callers
    /// learn that it committed.
    fn changed(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Keeps [`Store::write_problem`] current: set by a write that failed for
    /// want of space or permission, cleared by one that changed rows.
    fn note_write<T>(&self, result: &Result<T, StoreError>, wrote: bool) {
        match result {
            Err(StoreError::Unwritable(why)) => {
                *self.write_problem.lock().unwrap_or_else(|e| e.into_inner()) = Some(why.clone());
            }
            Ok(_) if wrote => {
                self.write_problem
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take();
            }
            _ => {}
        }
    }

    /// Caps the database at `pages` pages (SQLite's `max_page_count`), or
    /// lifts the cap: writes that need more space then fail as a full disk
    /// would. The fault tests use it; an operator can use it to bound the
    /// file's size.
    pub fn set_max_pages(&self, pages: Option<u64>) -> Result<u64, StoreError> {
        // SQLite's own ceiling when "unlimited".
        let pages = pages.unwrap_or(0xFFFF_FFFE);
        self.with(|c| {
            c.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                r.get::<_, i64>(0)
            })
        })
        .map(|n| n as u64)
    }

    /// How many pages the database uses now.
    pub fn page_count(&self) -> Result<u64, StoreError> {
        self.with(|c| c.query_row("PRAGMA page_count", [], |r| r.get::<_, i64>(0)))
            .map(|n| n as u64)
    }

    /// Notes names as stored (by `remember_name` or with an answer).
    fn note_names(&self, stored: impl IntoIterator<Item = ((i64, u64), String)>) {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        for (key, name) in stored {
            if names.len() >= NAME_CACHE {
                names.clear();
            }
            names.insert(key, name);
        }
    }

    /// Records many answers in one transaction, with the same rules as
    /// [`Store::record_answer`]: for imports and for building large test
    /// and benchmark databases quickly. Returns how many were recorded.
    pub fn record_many(&self, answers: &[NewAnswer]) -> Result<usize, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut recorded = 0;
            for a in answers {
                if shared::answers::record(&mut Sql(&tx), a)? == RecordOutcome::Recorded {
                    recorded += 1;
                }
            }
            tx.commit()?;
            Ok(recorded)
        })
        .inspect(|_| {
            self.note_names(answers.iter().filter_map(|a| {
                let name = a.display_name.as_ref()?;
                Some(((guild_key(a.guild), a.user.0), name.clone()))
            }))
        })
    }

    /// Writes a consistent copy of the database to `path` while it is in use
    /// (SQLite's online backup).
    pub fn backup_to(&self, path: &std::path::Path) -> Result<(), StoreError> {
        self.with(|conn| conn.backup(rusqlite::MAIN_DB, path, None))
    }
}

const INSTANCE_COLUMNS: &str =
    "id, kind, guild_id, owner_id, day, question, option_order, created_at, class_id";

fn instance_row(row: &rusqlite::Row) -> rusqlite::Result<Instance> {
    let kind: String = row.get(1)?;
    let order: String = row.get(6)?;
    Ok(Instance {
        id: row.get(0)?,
        kind: if kind == "daily" {
            InstanceKind::Daily
        } else {
            InstanceKind::Practice
        },
        guild: row.get::<_, Option<i64>>(2)?.map(|g| GuildId(g as u64)),
        owner: row.get::<_, Option<i64>>(3)?.map(|u| UserId(u as u64)),
        day: parse_day(row.get(4)?),
        question: row.get(5)?,
        option_order: order.split(',').filter_map(|n| n.parse().ok()).collect(),
        created_at: parse_ts(&row.get::<_, String>(7)?),
        class: row.get(8)?,
    })
}

impl Store for SqliteStore {
    fn write_problem(&self) -> Option<String> {
        self.write_problem
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Every write of this process goes through its one writer connection
    /// (see [`SqliteStore::changed`]). SQLite serves one bot process
    /// (docs/scaling.md): a write by another process to the same file
    /// (`studybot ask` against a running bot's database) is not seen here
    /// until this process next writes.
    fn generation(&self) -> Option<u64> {
        Some(self.generation.load(std::sync::atomic::Ordering::Acquire))
    }
}

// The parts of the store, after the macros above (macros are in scope
// only below their definition).
mod answers;
mod classes;
mod competitions;
mod leaderboards;
mod packs;
mod privacy;
mod review;
mod rules;
mod settings;
mod wal;

#[cfg(test)]
mod tests;

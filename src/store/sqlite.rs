//! The embedded SQLite backend of [`Store`].
//!
//! One file, created and migrated on open (the `.sql` files under
//! `migrations/sqlite`, run by `migrate.rs`). WAL journal with
//! `synchronous=NORMAL`: a committed transaction survives a crash or SIGKILL
//! of the process (the WAL is written before COMMIT returns), but the last
//! transactions before a power cut may be lost; FULL would fsync every
//! answer and cost the throughput target (see docs/performance.md). One
//! connection behind a mutex serialises writers, which SQLite does anyway;
//! the lock is held only inside a method, never across an `.await`.

use super::*;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::sync::{Arc, Mutex};

/// Upserts a member's display name (unchanged names are not rewritten).
const REMEMBER_NAME: &str =
    "INSERT INTO members (guild_id, user_id, display_name, updated_at) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = ?3, updated_at = ?4
     WHERE display_name <> ?3";

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
    /// The background checkpointer (stopped when the store is dropped).
    checkpointer: Option<Checkpointer>,
}

/// An answer in the commit queue, and where its outcome goes.
struct QueuedAnswer {
    answer: NewAnswer,
    outcome: std::sync::mpsc::SyncSender<Result<RecordOutcome, StoreError>>,
}

/// The most answers committed in one transaction.
const MAX_GROUP_COMMIT: usize = 256;

/// How many remembered names the cache keeps before starting afresh.
const NAME_CACHE: usize = 100_000;

/// Copies the WAL back into the database file from a thread of its own.
///
/// SQLite's automatic checkpoint runs inside whichever COMMIT crosses the WAL
/// size threshold, so every few hundred answers one student would wait for
/// it. Here the main connection checkpoints only to bound the WAL (see
/// [`SqliteStore::bound_wal`]); this thread runs a PASSIVE checkpoint (which
/// never blocks writers) every `CHECKPOINT_EVERY`.
struct Checkpointer {
    /// Held while this thread checkpoints. SQLite lets one checkpoint run at
    /// a time and fails a second at once, without waiting (its busy handler
    /// is not asked), so the writer takes this before truncating the WAL:
    /// otherwise, when the disk is slow and a PASSIVE checkpoint holds
    /// SQLite's lock for most of its interval, every truncation fails and
    /// the WAL grows (a fault test saw 30 MB past a 1 MB limit).
    running: Arc<Mutex<()>>,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);
/// The WAL size past which the writer truncates it.
const WAL_LIMIT: u64 = 64 * 1024 * 1024;
/// How many commits pass between two looks at the WAL's size.
const WAL_CHECK_EVERY: u32 = 64;

impl Checkpointer {
    fn start(path: &std::path::Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
        // Every statement stays prepared (parsing SQL costs more than most
        // of these queries).
        conn.set_prepared_statement_cache_capacity(64);
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let running = Arc::new(Mutex::new(()));
        let held = running.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                // Runs until the store drops its end of the channel.
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    let _running = held.lock().unwrap_or_else(|e| e.into_inner());
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
                    }
                }
            })
            .map_err(|e| {
                StoreError::Database(format!("cannot start the checkpoint thread: {e}"))
            })?;
        Ok(Self {
            running,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

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
    Ok(conn)
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
        let conn = Connection::open(path).map_err(db)?;
        // Damage found now stops the start with advice; found later it
        // would fail every write with an apology (issue #20).
        super::sqlite_file::check_sound(&conn, path)?;
        let mut store = Self::setup(conn)?;
        // Checkpoints run on their own thread (see `Checkpointer`), never
        // inside a student's commit.
        store
            .conn
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(db)?;
        store.checkpointer = Some(Checkpointer::start(path)?);
        store.readers = (0..crate::content::cores())
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
            checkpointer: None,
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let changes = conn.total_changes();
        let result = f(&mut conn).map_err(db);
        self.note_write(&result, conn.total_changes() > changes);
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

    /// Keeps the WAL from growing without bound under sustained answers.
    ///
    /// The background PASSIVE checkpoint copies the WAL into the database
    /// but cannot let it start over while commits keep landing past what it
    /// copied, so under sustained load the file grew by about 70 KB per
    /// answer (found by `benches/store_scale.rs`). Every `WAL_CHECK_EVERY`
    /// commits the writer, which holds the only write connection, looks at
    /// the WAL's size and past the limit runs a TRUNCATE checkpoint itself:
    /// it first waits for a PASSIVE checkpoint in progress (see
    /// [`Checkpointer::running`]), then that one commit waits for the frames
    /// not yet copied, and the WAL starts again from empty. Only a reader in
    /// another process can keep it from finishing, after the busy timeout;
    /// then it tries again `WAL_CHECK_EVERY` commits later, not at the next
    /// commit, so a long reader does not make every student wait.
    fn bound_wal(&self, conn: &Connection) {
        let Some((wal, limit)) = &self.wal_limit else {
            return;
        };
        let seen = self
            .commits_unchecked
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if seen + 1 < WAL_CHECK_EVERY {
            return;
        }
        self.commits_unchecked
            .store(0, std::sync::atomic::Ordering::Relaxed);
        if !std::fs::metadata(wal).is_ok_and(|m| m.len() > *limit) {
            return;
        }
        let _checkpointer_idle = self
            .checkpointer
            .as_ref()
            .map(|c| c.running.lock().unwrap_or_else(|e| e.into_inner()));
        let truncated: rusqlite::Result<i64> =
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0));
        match truncated {
            Ok(0) => {}
            Ok(_) => tracing::warn!(
                "the WAL could not be truncated: another process kept reading past the busy timeout; retrying later"
            ),
            Err(e) => tracing::warn!(error = %e, "WAL truncation failed; retrying later"),
        }
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
                if record_in(&tx, a)? == RecordOutcome::Recorded {
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

/// Commits a group of answers in one transaction; one outcome per answer.
fn commit_group(
    conn: &mut Connection,
    group: &[QueuedAnswer],
) -> Vec<Result<RecordOutcome, StoreError>> {
    let mut attempt = || -> rusqlite::Result<Vec<RecordOutcome>> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcomes = group
            .iter()
            .map(|q| record_in(&tx, &q.answer))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(outcomes)
    };
    match attempt() {
        Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
        Err(e) => {
            let error = db(e);
            group.iter().map(|_| Err(error.clone())).collect()
        }
    }
}

/// Records one answer inside a transaction (see [`Store::record_answer`]).
fn record_in(tx: &rusqlite::Transaction, a: &NewAnswer) -> rusqlite::Result<RecordOutcome> {
    if let Some(name) = &a.display_name {
        tx.prepare_cached(REMEMBER_NAME)?.execute(params![
            guild_key(a.guild),
            a.user.0 as i64,
            name,
            ts(a.at)
        ])?;
    }
    let duplicate = tx
        .prepare_cached("SELECT answer, correct, points FROM answers WHERE interaction_id = ?1")?
        .query_row(params![a.interaction.0 as i64], past_answer)
        .optional()?;
    if let Some(past) = duplicate {
        return Ok(RecordOutcome::Duplicate(past));
    }
    let earlier = tx
        .prepare_cached(
            "SELECT answer, correct, points FROM answers WHERE instance_id = ?1 AND user_id = ?2",
        )?
        .query_row(params![a.instance, a.user.0 as i64], past_answer)
        .optional()?;
    if let Some(past) = earlier {
        return Ok(RecordOutcome::AlreadyAnswered(past));
    }
    tx.prepare_cached(
        "INSERT INTO answers (instance_id, guild_id, user_id, interaction_id, question, answer, correct, points, answered_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        a.instance,
        a.guild.map(|g| g.0 as i64),
        a.user.0 as i64,
        a.interaction.0 as i64,
        a.question,
        a.answer,
        a.correct as i64,
        a.points,
        ts(a.at)
    ])?;
    tx.prepare_cached(
        "INSERT INTO instance_tallies (instance_id, answered, correct) VALUES (?1, 1, ?2)
         ON CONFLICT (instance_id) DO UPDATE SET answered = answered + 1, correct = correct + ?2",
    )?
    .execute(params![a.instance, a.correct as i64])?;
    if let Some(card) = &a.review {
        tx.prepare_cached(
            "INSERT INTO review_cards (user_id, question, due, stability, difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (user_id, question) DO UPDATE SET due = ?3, stability = ?4, difficulty = ?5, elapsed_days = ?6,
                 scheduled_days = ?7, reps = ?8, lapses = ?9, state = ?10, last_review = ?11",
        )?
        .execute(params![
            a.user.0 as i64,
            card.question,
            ts(card.due),
            card.stability,
            card.difficulty,
            card.elapsed_days,
            card.scheduled_days,
            card.reps,
            card.lapses,
            card.state,
            ts(card.last_review)
        ])?;
    }
    if let Some(guild) = a.guild {
        add_to_totals(tx, guild, a.user, &a.periods, a.points, a.correct)?;
        if let Some(s) = &a.streak {
            save_streak(tx, guild.0 as i64, a.user.0 as i64, s)?;
        }
    }
    Ok(RecordOutcome::Recorded)
}

/// A student's streak in a guild (the default when none is stored).
fn stored_streak(c: &Connection, guild: i64, user: i64) -> rusqlite::Result<Streak> {
    c.prepare_cached(
        "SELECT current, best, last_day FROM streaks WHERE guild_id = ?1 AND user_id = ?2",
    )?
    .query_row(params![guild, user], |r| {
        Ok(Streak {
            current: r.get(0)?,
            best: r.get(1)?,
            last_day: parse_day(r.get(2)?),
        })
    })
    .optional()
    .map(Option::unwrap_or_default)
}

/// Stores a student's streak in a guild.
fn save_streak(c: &Connection, guild: i64, user: i64, s: &Streak) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO streaks (guild_id, user_id, current, best, last_day) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (guild_id, user_id) DO UPDATE SET current = ?3, best = ?4, last_day = ?5",
    )?
    .execute(params![guild, user, s.current, s.best, s.last_day.map(|d| d.to_string())])?;
    Ok(())
}

/// Deletes a student's answers in a guild (in DMs when `None`), taking them
/// off the tallies of their questions first. Returns how many went.
fn forget_answers(
    tx: &rusqlite::Transaction,
    guild: Option<GuildId>,
    user: UserId,
) -> rusqlite::Result<u64> {
    let (g, u) = (guild.map(|g| g.0 as i64), user.0 as i64);
    // `IS` rather than `=`: it also matches the NULL guild of DM answers.
    tx.prepare_cached(
        "UPDATE instance_tallies SET
             answered = answered - (SELECT count(*) FROM answers a WHERE a.instance_id = instance_tallies.instance_id AND a.guild_id IS ?1 AND a.user_id = ?2),
             correct = correct - (SELECT coalesce(sum(correct), 0) FROM answers a WHERE a.instance_id = instance_tallies.instance_id AND a.guild_id IS ?1 AND a.user_id = ?2)
         WHERE instance_id IN (SELECT instance_id FROM answers WHERE guild_id IS ?1 AND user_id = ?2)",
    )?
    .execute(params![g, u])?;
    tx.prepare_cached("DELETE FROM answers WHERE guild_id IS ?1 AND user_id = ?2")?
        .execute(params![g, u])
        .map(|n| n as u64)
}

/// Adds one answer's points to a student's totals for each period, keeping
/// the score histogram and player counts in step.
fn add_to_totals(
    tx: &rusqlite::Transaction,
    guild: GuildId,
    user: UserId,
    periods: &[String],
    points: i64,
    correct: bool,
) -> rusqlite::Result<()> {
    let (g, u) = (guild.0 as i64, user.0 as i64);
    for period in periods {
        let before = total_points(tx, g, period, u)?;
        match before {
            Some(had) => {
                tx.prepare_cached(
                    "UPDATE totals SET points = points + ?4, answered = answered + 1, correct = correct + ?5
                     WHERE guild_id = ?1 AND period = ?2 AND user_id = ?3",
                )?
                .execute(params![g, period, u, points, correct as i64])?;
                if points != 0 {
                    move_score(tx, g, period, Some(had), had + points)?;
                }
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO totals (guild_id, period, user_id, points, answered, correct) VALUES (?1, ?2, ?3, ?4, 1, ?5)",
                )?
                .execute(params![g, period, u, points, correct as i64])?;
                tx.prepare_cached(
                    "INSERT INTO period_players (guild_id, period, players) VALUES (?1, ?2, 1)
                     ON CONFLICT (guild_id, period) DO UPDATE SET players = players + 1",
                )?
                .execute(params![g, period])?;
                move_score(tx, g, period, None, points)?;
            }
        }
    }
    Ok(())
}

/// A student's points in a period, if they have a total there.
fn total_points(
    tx: &rusqlite::Transaction,
    guild: i64,
    period: &str,
    user: i64,
) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached(
        "SELECT points FROM totals WHERE guild_id = ?1 AND period = ?2 AND user_id = ?3",
    )?
    .query_row(params![guild, period, user], |r| r.get(0))
    .optional()
}

/// Moves one student from one points value to another in `score_counts`.
fn move_score(
    tx: &rusqlite::Transaction,
    guild: i64,
    period: &str,
    from: Option<i64>,
    to: i64,
) -> rusqlite::Result<()> {
    if let Some(from) = from {
        tx.prepare_cached("UPDATE score_counts SET users = users - 1 WHERE guild_id = ?1 AND period = ?2 AND points = ?3")?
            .execute(params![guild, period, from])?;
    }
    tx.prepare_cached(
        "INSERT INTO score_counts (guild_id, period, points, users) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (guild_id, period, points) DO UPDATE SET users = users + 1",
    )?
    .execute(params![guild, period, to])?;
    Ok(())
}

/// Counts a change to a guild's packs.
fn bump_pack_revision(tx: &rusqlite::Transaction, guild: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO pack_revisions (guild_id, revision) VALUES (?1, 1)
         ON CONFLICT (guild_id) DO UPDATE SET revision = revision + 1",
    )?
    .execute(params![guild])
    .map(|_| ())
}

/// A daily answer with its question's day (see [`scored_answer_row`]).
const SCORED_ANSWER: &str =
    "SELECT a.id, a.instance_id, a.guild_id, a.user_id, a.question, a.answer, a.correct, a.points, i.day, a.answered_at
     FROM answers a JOIN instances i ON i.id = a.instance_id AND i.kind = 'daily'";

fn scored_answer_row(r: &rusqlite::Row) -> rusqlite::Result<ScoredAnswer> {
    Ok(ScoredAnswer {
        id: r.get(0)?,
        instance: r.get(1)?,
        guild: GuildId(r.get::<_, i64>(2)? as u64),
        user: UserId(r.get::<_, i64>(3)? as u64),
        question: r.get(4)?,
        answer: r.get(5)?,
        correct: r.get(6)?,
        points: r.get(7)?,
        day: parse_day(r.get(8)?).unwrap_or_default(),
        at: parse_ts(&r.get::<_, String>(9)?),
    })
}

const INSTANCE_COLUMNS: &str =
    "id, kind, guild_id, owner_id, day, question, option_order, created_at";

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
    })
}

fn past_answer(row: &rusqlite::Row) -> rusqlite::Result<PastAnswer> {
    Ok(PastAnswer {
        answer: row.get(0)?,
        correct: row.get::<_, i64>(1)? != 0,
        points: row.get(2)?,
    })
}

fn order_text(order: &[usize]) -> String {
    order
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_order(text: &str) -> Vec<usize> {
    text.split(',').filter_map(|n| n.parse().ok()).collect()
}

fn status_text(status: CompetitionStatus) -> &'static str {
    match status {
        CompetitionStatus::Running => "running",
        CompetitionStatus::Finished => "finished",
        CompetitionStatus::Stopped => "stopped",
    }
}

/// A competition with its rounds.
fn load_competition(c: &Connection, id: i64) -> rusqlite::Result<Option<Competition>> {
    let head = c
        .prepare_cached(
            "SELECT id, guild_id, channel_id, starter_id, seconds, status, created_at FROM competitions WHERE id = ?1",
        )?
        .query_row(params![id], |r| {
            Ok(Competition {
                id: r.get(0)?,
                guild: GuildId(r.get::<_, i64>(1)? as u64),
                channel: r.get::<_, i64>(2)? as u64,
                starter: UserId(r.get::<_, i64>(3)? as u64),
                seconds: r.get(4)?,
                status: match r.get::<_, String>(5)?.as_str() {
                    "running" => CompetitionStatus::Running,
                    "finished" => CompetitionStatus::Finished,
                    _ => CompetitionStatus::Stopped,
                },
                rounds: Vec::new(),
                created_at: parse_ts(&r.get::<_, String>(6)?),
            })
        })
        .optional()?;
    let Some(mut competition) = head else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(
        "SELECT round, question, option_order, opened_at, closes_at, closed, message_id
         FROM competition_rounds WHERE competition_id = ?1 ORDER BY round",
    )?;
    competition.rounds = stmt
        .query_map(params![id], |r| {
            Ok(Round {
                number: r.get(0)?,
                question: r.get(1)?,
                option_order: parse_order(&r.get::<_, String>(2)?),
                opened_at: r.get::<_, Option<String>>(3)?.map(|t| parse_ts(&t)),
                closes_at: r.get::<_, Option<String>>(4)?.map(|t| parse_ts(&t)),
                closed: r.get::<_, i64>(5)? != 0,
                message: r.get::<_, Option<i64>>(6)?.map(|m| m as u64),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(competition))
}

const CARD_COLUMNS: &str = "question, due, stability, difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review";

fn card_row(r: &rusqlite::Row) -> rusqlite::Result<ReviewCard> {
    Ok(ReviewCard {
        question: r.get(0)?,
        due: parse_ts(&r.get::<_, String>(1)?),
        stability: r.get(2)?,
        difficulty: r.get(3)?,
        elapsed_days: r.get(4)?,
        scheduled_days: r.get(5)?,
        reps: r.get(6)?,
        lapses: r.get(7)?,
        state: r.get(8)?,
        last_review: parse_ts(&r.get::<_, String>(9)?),
    })
}

fn report_row(r: &rusqlite::Row) -> rusqlite::Result<Report> {
    Ok(Report {
        id: r.get(0)?,
        guild: GuildId(r.get::<_, i64>(1)? as u64),
        user: UserId(r.get::<_, i64>(2)? as u64),
        question: r.get(3)?,
        text: r.get(4)?,
        at: parse_ts(&r.get::<_, String>(5)?),
    })
}

impl Store for SqliteStore {
    fn write_problem(&self) -> Option<String> {
        self.write_problem
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn settings(&self, guild: GuildId) -> Result<GuildSettings, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT timezone, channel_id, post_time, post_days, ping_role_id, teacher_role_id, competitions_teachers_only FROM guild_settings WHERE guild_id = ?1")?.query_row(
                params![guild.0 as i64],
                |r| {
                    Ok(GuildSettings {
                        timezone: r.get(0)?,
                        channel: r.get::<_, Option<i64>>(1)?.map(|v| v as u64),
                        post_time: r.get(2)?,
                        post_days: r
                            .get::<_, Option<String>>(3)?
                            .map(|d| d.split(',').filter_map(|n| n.parse().ok()).collect()),
                        ping_role: r.get::<_, Option<i64>>(4)?.map(|v| v as u64),
                        teacher_role: r.get::<_, Option<i64>>(5)?.map(|v| v as u64),
                        competitions_teachers_only: r.get::<_, i64>(6)? != 0,
                    })
                },
            )
            .optional()
            .map(Option::unwrap_or_default)
        })
    }

    fn save_settings(
        &self,
        guild: GuildId,
        s: &GuildSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let days = s
            .post_days
            .as_ref()
            .map(|d| d.iter().map(u8::to_string).collect::<Vec<_>>().join(","));
        self.with(|c| {
            c.prepare_cached("INSERT INTO guild_settings (guild_id, timezone, channel_id, post_time, post_days, ping_role_id, teacher_role_id, updated_at, competitions_teachers_only)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (guild_id) DO UPDATE SET timezone = ?2, channel_id = ?3, post_time = ?4, post_days = ?5,
                     ping_role_id = ?6, teacher_role_id = ?7, updated_at = ?8, competitions_teachers_only = ?9")?.execute(
                params![
                    guild.0 as i64,
                    s.timezone,
                    s.channel.map(|v| v as i64),
                    s.post_time,
                    days,
                    s.ping_role.map(|v| v as i64),
                    s.teacher_role.map(|v| v as i64),
                    ts(now),
                    s.competitions_teachers_only as i64
                ],
            )
            .map(|_| ())
        })
    }

    fn remember_name(
        &self,
        guild: Option<GuildId>,
        user: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let key = (guild_key(guild), user.0);
        let known = |names: &std::collections::HashMap<(i64, u64), String>| {
            names.get(&key).is_some_and(|n| n == name)
        };
        if known(&self.names.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(());
        }
        self.with(|c| {
            c.prepare_cached(REMEMBER_NAME)?
                .execute(params![key.0, user.0 as i64, name, ts(now)])
                .map(|_| ())
        })?;
        self.note_names([(key, name.to_string())]);
        Ok(())
    }

    fn daily_instance(
        &self,
        guild: GuildId,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!("SELECT {INSTANCE_COLUMNS} FROM instances WHERE kind = 'daily' AND guild_id = ?1 AND day = ?2"))?.query_row(
                params![guild.0 as i64, day.to_string()],
                instance_row,
            )
            .optional()
        })
    }

    fn previous_daily(
        &self,
        guild: GuildId,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!(
                    "SELECT {INSTANCE_COLUMNS} FROM instances WHERE kind = 'daily' AND guild_id = ?1 AND day < ?2 ORDER BY day DESC LIMIT 1"
                ))?.query_row(
                params![guild.0 as i64, day.to_string()],
                instance_row,
            )
            .optional()
        })
    }

    fn daily_history(&self, guild: GuildId) -> Result<Vec<String>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached("SELECT question FROM instances WHERE kind = 'daily' AND guild_id = ?1 ORDER BY day")?;
            let rows = stmt.query_map(params![guild.0 as i64], |r| r.get(0))?;
            rows.collect()
        })
    }

    fn create_instance(&self, new: &NewInstance) -> Result<Instance, StoreError> {
        let order = new
            .option_order
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let kind = match new.kind {
            InstanceKind::Daily => "daily",
            InstanceKind::Practice => "practice",
        };
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.prepare_cached("INSERT INTO instances (kind, guild_id, owner_id, day, question, option_order, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING")?.execute(
                params![
                    kind,
                    new.guild.map(|g| g.0 as i64),
                    new.owner.map(|u| u.0 as i64),
                    new.day.map(|d| d.to_string()),
                    new.question,
                    order,
                    ts(new.created_at)
                ],
            )?;
            let instance = match (new.kind, new.guild, new.day) {
                (InstanceKind::Daily, Some(guild), Some(day)) => tx.prepare_cached(&format!("SELECT {INSTANCE_COLUMNS} FROM instances WHERE kind = 'daily' AND guild_id = ?1 AND day = ?2"))?.query_row(
                    params![guild.0 as i64, day.to_string()],
                    instance_row,
                )?,
                _ => tx.prepare_cached(&format!("SELECT {INSTANCE_COLUMNS} FROM instances WHERE id = ?1"))?.query_row(
                    params![tx.last_insert_rowid()],
                    instance_row,
                )?,
            };
            tx.commit()?;
            Ok(instance)
        })
    }

    fn instance(&self, id: i64) -> Result<Option<Instance>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!(
                "SELECT {INSTANCE_COLUMNS} FROM instances WHERE id = ?1"
            ))?
            .query_row(params![id], instance_row)
            .optional()
        })
    }

    /// Group commit: the answer joins a queue, and whichever caller gets the
    /// connection next commits everything queued in one transaction. With
    /// one student at a time that is a transaction per answer, as before;
    /// when a class presses at once, the pages every answer touches
    /// (totals, indexes, the tally) are written once per group instead of
    /// once per answer. Each caller returns only after the transaction that
    /// holds its answer has committed, and a failed transaction fails every
    /// answer in it (none is half-written or acknowledged).
    fn record_answer(&self, a: &NewAnswer) -> Result<RecordOutcome, StoreError> {
        let (sender, outcome) = std::sync::mpsc::sync_channel(1);
        self.answer_queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(QueuedAnswer {
                answer: a.clone(),
                outcome: sender,
            });
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            // Committed by another caller while this one waited?
            if let Ok(done) = outcome.try_recv() {
                return done;
            }
            let group: Vec<QueuedAnswer> = {
                let mut queue = self.answer_queue.lock().unwrap_or_else(|e| e.into_inner());
                let take = queue.len().min(MAX_GROUP_COMMIT);
                queue.drain(..take).collect()
            };
            let outcomes = commit_group(&mut conn, &group);
            self.bound_wal(&conn);
            if let Some(first) = outcomes.first() {
                self.note_write(first, first.is_ok());
            }
            self.note_names(
                group
                    .iter()
                    .zip(&outcomes)
                    .filter(|(_, result)| result.is_ok())
                    .filter_map(|(q, _)| {
                        let name = q.answer.display_name.as_ref()?;
                        Some(((guild_key(q.answer.guild), q.answer.user.0), name.clone()))
                    }),
            );
            for (queued, result) in group.into_iter().zip(outcomes) {
                let _ = queued.outcome.send(result);
            }
        }
    }

    fn tally(&self, instance: i64) -> Result<Tally, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT answered, correct FROM instance_tallies WHERE instance_id = ?1",
            )?
            .query_row(params![instance], |r| {
                Ok(Tally {
                    answered: r.get::<_, i64>(0)? as u64,
                    correct: r.get::<_, i64>(1)? as u64,
                })
            })
            .optional()
            .map(Option::unwrap_or_default)
        })
    }

    fn streak(&self, guild: GuildId, user: UserId) -> Result<Streak, StoreError> {
        self.with(|c| stored_streak(c, guild.0 as i64, user.0 as i64))
    }

    fn open_season(&self, guild: GuildId) -> Result<Option<Season>, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT id, name, started_at, ended_at FROM seasons WHERE guild_id = ?1 AND ended_at IS NULL",
            )?
            .query_row(params![guild.0 as i64], |r| {
                Ok(Season {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    started_at: parse_ts(&r.get::<_, String>(2)?),
                    ended_at: r.get::<_, Option<String>>(3)?.as_deref().map(parse_ts),
                })
            })
            .optional()
        })
    }

    fn start_season(
        &self,
        guild: GuildId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO seasons (guild_id, name, started_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![guild.0 as i64, name, ts(now)])?;
            Ok(Season {
                id: c.last_insert_rowid(),
                name: name.to_string(),
                started_at: now,
                ended_at: None,
            })
        })
    }

    fn end_season(&self, guild: GuildId, now: DateTime<Utc>) -> Result<Option<Season>, StoreError> {
        let mut open = self.open_season(guild)?;
        if let Some(season) = &mut open {
            season.ended_at = Some(now);
            self.with(|c| {
                c.prepare_cached("UPDATE seasons SET ended_at = ?2 WHERE id = ?1")?
                    .execute(params![season.id, ts(now)])
                    .map(|_| ())
            })?;
        }
        Ok(open)
    }

    fn leaderboard(
        &self,
        guild: GuildId,
        period: &str,
        limit: usize,
        caller: UserId,
    ) -> Result<Leaderboard, StoreError> {
        self.read(|c| {
            let g = guild.0 as i64;
            let standing = |r: &rusqlite::Row, rank: u64| -> rusqlite::Result<Standing> {
                Ok(Standing {
                    rank,
                    user: UserId(r.get::<_, i64>(0)? as u64),
                    name: r.get::<_, Option<String>>(4)?.unwrap_or_else(|| "(unknown student)".to_string()),
                    points: r.get(1)?,
                    answered: r.get::<_, i64>(2)? as u64,
                    correct: r.get::<_, i64>(3)? as u64,
                })
            };
            let mut stmt = c.prepare_cached(
                "SELECT t.user_id, t.points, t.answered, t.correct, m.display_name FROM totals t
                 LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
                 WHERE t.guild_id = ?1 AND t.period = ?2
                 ORDER BY t.points DESC, t.answered, t.user_id LIMIT ?3",
            )?;
            let mut top = Vec::new();
            let mut rows = stmt.query(params![g, period, limit as i64])?;
            while let Some(r) = rows.next()? {
                top.push(standing(r, top.len() as u64 + 1)?);
            }
            drop(rows);
            let players: i64 = c
                .prepare_cached("SELECT players FROM period_players WHERE guild_id = ?1 AND period = ?2")?
                .query_row(params![g, period], |r| r.get(0))
                .optional()?
                .unwrap_or(0);
            let caller_standing = match top.iter().find(|s| s.user == caller) {
                Some(s) => Some(s.clone()),
                None => {
                    let mine = c
                        .prepare_cached(
                            "SELECT t.user_id, t.points, t.answered, t.correct, m.display_name FROM totals t
                             LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
                             WHERE t.guild_id = ?1 AND t.period = ?2 AND t.user_id = ?3",
                        )?
                        .query_row(params![g, period, caller.0 as i64], |r| standing(r, 0))
                        .optional()?;
                    match mine {
                        None => None,
                        Some(mut me) => {
                            // Rank: everyone on more points, plus those tied on
                            // points who rank earlier (fewer answers, then lower id).
                            let higher: i64 = c
                                .prepare_cached(
                                    "SELECT coalesce(sum(users), 0) FROM score_counts
                                     WHERE guild_id = ?1 AND period = ?2 AND points > ?3",
                                )?
                                .query_row(params![g, period, me.points], |r| r.get(0))?;
                            let tied_before: i64 = c
                                .prepare_cached(
                                    "SELECT count(*) FROM totals WHERE guild_id = ?1 AND period = ?2 AND points = ?3
                                     AND (answered < ?4 OR (answered = ?4 AND user_id < ?5))",
                                )?
                                .query_row(params![g, period, me.points, me.answered as i64, caller.0 as i64], |r| r.get(0))?;
                            me.rank = (higher + tied_before) as u64 + 1;
                            Some(me)
                        }
                    }
                }
            };
            Ok(Leaderboard {
                top,
                caller: caller_standing,
                players: players as u64,
            })
        })
    }

    fn scheduled_guilds(&self) -> Result<Vec<(GuildId, GuildSettings)>, StoreError> {
        let ids: Vec<i64> = self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT guild_id FROM guild_settings WHERE channel_id IS NOT NULL AND post_time IS NOT NULL ORDER BY guild_id",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect()
        })?;
        ids.into_iter()
            .map(|g| Ok((GuildId(g as u64), self.settings(GuildId(g as u64))?)))
            .collect()
    }

    fn claim_post(
        &self,
        guild: GuildId,
        day: NaiveDate,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<PostClaim, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let existing: Option<(String, Option<i64>)> = tx
                .prepare_cached("SELECT nonce, message_id FROM daily_posts WHERE guild_id = ?1 AND day = ?2")?.query_row(
                    params![guild.0 as i64, day.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let claim = match existing {
                Some((_, Some(message))) => PostClaim::Sent { message: message as u64 },
                Some((nonce, None)) => PostClaim::Pending { nonce },
                None => {
                    tx.prepare_cached("INSERT INTO daily_posts (guild_id, day, nonce, updated_at) VALUES (?1, ?2, ?3, ?4)")?.execute(
                        params![guild.0 as i64, day.to_string(), nonce, ts(now)],
                    )?;
                    PostClaim::New
                }
            };
            tx.commit()?;
            Ok(claim)
        })
    }

    fn mark_posted(
        &self,
        guild: GuildId,
        day: NaiveDate,
        message: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached("UPDATE daily_posts SET message_id = ?3, updated_at = ?4 WHERE guild_id = ?1 AND day = ?2")?.execute(
                params![guild.0 as i64, day.to_string(), message as i64, ts(now)],
            )
            .map(|_| ())
        })
    }

    fn set_post_problem(
        &self,
        guild: GuildId,
        problem: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached("INSERT INTO guild_settings (guild_id, post_problem, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (guild_id) DO UPDATE SET post_problem = ?2, updated_at = ?3")?.execute(
                params![guild.0 as i64, problem, ts(now)],
            )
            .map(|_| ())
        })
    }

    fn post_problem(&self, guild: GuildId) -> Result<Option<String>, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT post_problem FROM guild_settings WHERE guild_id = ?1")?
                .query_row(params![guild.0 as i64], |r| r.get(0))
                .optional()
                .map(Option::flatten)
        })
    }

    fn create_competition(&self, new: &NewCompetition) -> Result<Option<Competition>, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO competitions (guild_id, channel_id, starter_id, seconds, status, created_at)
                     VALUES (?1, ?2, ?3, ?4, 'running', ?5) ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    new.guild.0 as i64,
                    new.channel as i64,
                    new.starter.0 as i64,
                    new.seconds,
                    ts(new.created_at)
                ])?;
            if inserted == 0 {
                return Ok(None);
            }
            let id = tx.last_insert_rowid();
            for (number, (question, order)) in new.questions.iter().enumerate() {
                tx.prepare_cached(
                    "INSERT INTO competition_rounds (competition_id, round, question, option_order) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![id, number as i64 + 1, question, order_text(order)])?;
            }
            let competition = load_competition(&tx, id)?;
            tx.commit()?;
            Ok(competition)
        })
    }

    fn competition(&self, id: i64) -> Result<Option<Competition>, StoreError> {
        self.with(|c| load_competition(c, id))
    }

    fn running_competitions(&self) -> Result<Vec<Competition>, StoreError> {
        self.with(|c| {
            let ids: Vec<i64> = c
                .prepare_cached("SELECT id FROM competitions WHERE status = 'running' ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut all = Vec::new();
            for id in ids {
                all.extend(load_competition(c, id)?);
            }
            Ok(all)
        })
    }

    fn running_competition_in(&self, channel: u64) -> Result<Option<Competition>, StoreError> {
        self.with(|c| {
            let id: Option<i64> = c
                .prepare_cached(
                    "SELECT id FROM competitions WHERE status = 'running' AND channel_id = ?1",
                )?
                .query_row(params![channel as i64], |r| r.get(0))
                .optional()?;
            match id {
                Some(id) => load_competition(c, id),
                None => Ok(None),
            }
        })
    }

    fn open_round(
        &self,
        competition: i64,
        round: u32,
        opened_at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "UPDATE competition_rounds SET opened_at = ?3, closes_at = ?4
                 WHERE competition_id = ?1 AND round = ?2 AND opened_at IS NULL",
            )?
            .execute(params![competition, round, ts(opened_at), ts(closes_at)])
            .map(|changed| changed == 1)
        })
    }

    fn set_round_message(
        &self,
        competition: i64,
        round: u32,
        message: u64,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "UPDATE competition_rounds SET message_id = ?3 WHERE competition_id = ?1 AND round = ?2",
            )?
            .execute(params![competition, round, message as i64])
            .map(|_| ())
        })
    }

    fn close_round(&self, competition: i64, round: u32) -> Result<bool, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "UPDATE competition_rounds SET closed = 1 WHERE competition_id = ?1 AND round = ?2 AND closed = 0",
            )?
            .execute(params![competition, round])
            .map(|changed| changed == 1)
        })
    }

    fn end_competition(
        &self,
        competition: i64,
        status: CompetitionStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "UPDATE competitions SET status = ?2, ended_at = ?3 WHERE id = ?1 AND status = 'running'",
            )?
            .execute(params![competition, status_text(status), ts(now)])
            .map(|changed| changed == 1)
        })
    }

    fn record_competition_answer(
        &self,
        a: &NewCompetitionAnswer,
    ) -> Result<RecordOutcome, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let past = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> rusqlite::Result<Option<PastAnswer>> {
                tx.prepare_cached(sql)?.query_row(p, past_answer).optional()
            };
            if let Some(past) = past(
                "SELECT answer, correct, points FROM competition_answers WHERE interaction_id = ?1",
                params![a.interaction.0 as i64],
            )? {
                return Ok(RecordOutcome::Duplicate(past));
            }
            if let Some(past) = past(
                "SELECT answer, correct, points FROM competition_answers WHERE competition_id = ?1 AND round = ?2 AND user_id = ?3",
                params![a.competition, a.round, a.user.0 as i64],
            )? {
                return Ok(RecordOutcome::AlreadyAnswered(past));
            }
            if let Some(name) = &a.display_name {
                tx.prepare_cached(REMEMBER_NAME)?.execute(params![
                    a.guild.0 as i64,
                    a.user.0 as i64,
                    name,
                    ts(a.at)
                ])?;
            }
            tx.prepare_cached(
                "INSERT INTO competition_answers (competition_id, round, user_id, interaction_id, answer, correct, points, millis, answered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                a.competition,
                a.round,
                a.user.0 as i64,
                a.interaction.0 as i64,
                a.answer,
                a.correct as i64,
                a.points,
                a.millis,
                ts(a.at)
            ])?;
            add_to_totals(&tx, a.guild, a.user, &a.periods, a.points, a.correct)?;
            tx.commit()?;
            Ok(RecordOutcome::Recorded)
        })
    }

    fn competition_answers(
        &self,
        competition: i64,
        round: Option<u32>,
    ) -> Result<Vec<CompetitionAnswer>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT a.round, a.user_id, coalesce(m.display_name, ''), a.correct, a.points, a.millis
                 FROM competition_answers a
                 JOIN competitions k ON k.id = a.competition_id
                 LEFT JOIN members m ON m.guild_id = k.guild_id AND m.user_id = a.user_id
                 WHERE a.competition_id = ?1 AND (?2 IS NULL OR a.round = ?2)
                 ORDER BY a.round, a.millis, a.user_id",
            )?;
            let rows = stmt.query_map(params![competition, round], |r| {
                Ok(CompetitionAnswer {
                    round: r.get(0)?,
                    user: UserId(r.get::<_, i64>(1)? as u64),
                    name: r.get(2)?,
                    correct: r.get::<_, i64>(3)? != 0,
                    points: r.get(4)?,
                    millis: r.get(5)?,
                })
            })?;
            rows.collect()
        })
    }

    fn competition_standings(
        &self,
        competition: i64,
    ) -> Result<Vec<CompetitionStanding>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT a.user_id, coalesce(m.display_name, ''), sum(a.points), sum(a.correct),
                        sum(CASE WHEN a.correct = 1 THEN a.millis ELSE 0 END) AS time
                 FROM competition_answers a
                 JOIN competitions k ON k.id = a.competition_id
                 LEFT JOIN members m ON m.guild_id = k.guild_id AND m.user_id = a.user_id
                 WHERE a.competition_id = ?1
                 GROUP BY a.user_id
                 ORDER BY sum(a.points) DESC, time, a.user_id",
            )?;
            let rows = stmt.query_map(params![competition], |r| {
                Ok(CompetitionStanding {
                    user: UserId(r.get::<_, i64>(0)? as u64),
                    name: r.get(1)?,
                    points: r.get(2)?,
                    correct: r.get::<_, i64>(3)? as u64,
                    millis: r.get(4)?,
                })
            })?;
            rows.collect()
        })
    }

    fn review_card(&self, user: UserId, question: &str) -> Result<Option<ReviewCard>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!(
                "SELECT {CARD_COLUMNS} FROM review_cards WHERE user_id = ?1 AND question = ?2"
            ))?
            .query_row(params![user.0 as i64, question], card_row)
            .optional()
        })
    }

    fn next_reviews(
        &self,
        user: UserId,
        guild: Option<GuildId>,
        limit: usize,
    ) -> Result<Vec<ReviewCard>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!(
                "SELECT {CARD_COLUMNS} FROM review_cards r WHERE user_id = ?1
                 AND NOT EXISTS (SELECT 1 FROM disabled_questions d WHERE d.guild_id = ?2 AND d.question = r.question)
                 ORDER BY due, lapses DESC, question LIMIT ?3"
            ))?
            .query_map(
                params![user.0 as i64, guild.map_or(0, |g| g.0 as i64), limit as i64],
                card_row,
            )?
            .collect()
        })
    }

    fn reviews_due(&self, user: UserId, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT count(*) FROM review_cards WHERE user_id = ?1 AND due <= ?2")?
                .query_row(params![user.0 as i64, ts(now)], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
        })
    }

    fn delete_user(&self, user: UserId) -> Result<(Removed, u64), StoreError> {
        let u = user.0 as i64;
        let guilds: Vec<i64> = self.with(|c| {
            c.prepare_cached(
                "SELECT guild_id FROM answers WHERE user_id = ?1 AND guild_id IS NOT NULL
                 UNION SELECT guild_id FROM totals WHERE user_id = ?1
                 UNION SELECT guild_id FROM members WHERE user_id = ?1 AND guild_id <> 0
                 UNION SELECT k.guild_id FROM competition_answers a JOIN competitions k ON k.id = a.competition_id WHERE a.user_id = ?1",
            )?
            .query_map(params![u], |r| r.get(0))?
            .collect()
        })?;
        let mut total = Removed::default();
        for guild in &guilds {
            let removed = self.remove_student(GuildId(*guild as u64), user)?;
            total.answers += removed.answers;
            total.competition_answers += removed.competition_answers;
            total.totals += removed.totals;
        }
        // Direct messages: practice answers without a guild, the name seen
        // there, and the review schedule (which spans every guild).
        let direct = self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let answers = forget_answers(&tx, None, user)?;
            tx.prepare_cached("DELETE FROM members WHERE user_id = ?1")?
                .execute(params![u])?;
            tx.prepare_cached("DELETE FROM review_cards WHERE user_id = ?1")?
                .execute(params![u])?;
            tx.commit()?;
            Ok(answers)
        })?;
        total.answers += direct;
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(_, who), _| *who != user.0);
        Ok((total, guilds.len() as u64))
    }

    fn add_report(
        &self,
        guild: GuildId,
        user: UserId,
        question: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Report, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO reports (guild_id, user_id, question, text, reported_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![guild.0 as i64, user.0 as i64, question, text, ts(now)])?;
            Ok(Report {
                id: c.last_insert_rowid(),
                guild,
                user,
                question: question.to_string(),
                text: text.to_string(),
                at: now,
            })
        })
    }

    fn open_reports(&self, guild: GuildId, limit: usize) -> Result<Vec<Report>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, guild_id, user_id, question, text, reported_at FROM reports r
                 WHERE guild_id = ?1 AND NOT EXISTS
                     (SELECT 1 FROM disabled_questions d WHERE d.guild_id = r.guild_id AND d.question = r.question)
                 ORDER BY id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![guild.0 as i64, limit as i64], report_row)?;
            rows.collect()
        })
    }

    fn report(&self, id: i64) -> Result<Option<Report>, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT id, guild_id, user_id, question, text, reported_at FROM reports WHERE id = ?1",
            )?
            .query_row(params![id], report_row)
            .optional()
        })
    }

    fn disable_question(
        &self,
        guild: GuildId,
        question: &str,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO disabled_questions (guild_id, question, disabled_by, disabled_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![guild.0 as i64, question, by.0 as i64, ts(now)])
            .map(|_| ())
        })
    }

    fn disabled_questions(
        &self,
        guild: GuildId,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        self.with(|c| {
            let mut stmt =
                c.prepare_cached("SELECT question FROM disabled_questions WHERE guild_id = ?1")?;
            let rows = stmt.query_map(params![guild.0 as i64], |r| r.get(0))?;
            rows.collect()
        })
    }

    fn seasons(&self, guild: GuildId) -> Result<Vec<Season>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, name, started_at, ended_at FROM seasons WHERE guild_id = ?1 ORDER BY id DESC",
            )?;
            let rows = stmt.query_map(params![guild.0 as i64], |r| {
                Ok(Season {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    started_at: parse_ts(&r.get::<_, String>(2)?),
                    ended_at: r.get::<_, Option<String>>(3)?.as_deref().map(parse_ts),
                })
            })?;
            rows.collect()
        })
    }

    fn export_rows(&self, guild: GuildId, period: &str) -> Result<Vec<ExportRow>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT t.user_id, coalesce(m.display_name, ''), t.answered, t.correct, t.points, coalesce(s.current, 0)
                 FROM totals t
                 LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
                 LEFT JOIN streaks s ON s.guild_id = t.guild_id AND s.user_id = t.user_id
                 WHERE t.guild_id = ?1 AND t.period = ?2
                 ORDER BY t.points DESC, t.answered, t.user_id",
            )?;
            let rows = stmt.query_map(params![guild.0 as i64, period], |r| {
                Ok(ExportRow {
                    user: UserId(r.get::<_, i64>(0)? as u64),
                    name: r.get(1)?,
                    answered: r.get::<_, i64>(2)? as u64,
                    correct: r.get::<_, i64>(3)? as u64,
                    points: r.get(4)?,
                    streak: r.get(5)?,
                })
            })?;
            rows.collect()
        })
    }

    fn class_results(
        &self,
        guild: GuildId,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT question, count(*), sum(correct) FROM answers
                 WHERE guild_id = ?1 AND (?2 IS NULL OR answered_at >= ?2)
                 GROUP BY question ORDER BY question",
            )?;
            let rows = stmt.query_map(params![guild.0 as i64, since.map(ts)], |r| {
                Ok(QuestionResults {
                    question: r.get(0)?,
                    answered: r.get::<_, i64>(1)? as u64,
                    correct: r.get::<_, i64>(2)? as u64,
                })
            })?;
            rows.collect()
        })
    }

    fn remove_student(&self, guild: GuildId, user: UserId) -> Result<Removed, StoreError> {
        let (g, u) = (guild.0 as i64, user.0 as i64);
        let removed = self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let answers = forget_answers(&tx, Some(guild), user)?;
            let competition_answers = tx
                .prepare_cached(
                    "DELETE FROM competition_answers WHERE user_id = ?2
                     AND competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
                )?
                .execute(params![g, u])? as u64;
            // Each leaderboard loses the student: histogram and player count first.
            let totals: Vec<(String, i64)> = tx
                .prepare_cached("SELECT period, points FROM totals WHERE guild_id = ?1 AND user_id = ?2")?
                .query_map(params![g, u], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (period, points) in &totals {
                tx.prepare_cached(
                    "UPDATE score_counts SET users = users - 1 WHERE guild_id = ?1 AND period = ?2 AND points = ?3",
                )?
                .execute(params![g, period, points])?;
                tx.prepare_cached(
                    "UPDATE period_players SET players = players - 1 WHERE guild_id = ?1 AND period = ?2",
                )?
                .execute(params![g, period])?;
            }
            tx.prepare_cached("DELETE FROM score_counts WHERE guild_id = ?1 AND users <= 0")?
                .execute(params![g])?;
            tx.prepare_cached("DELETE FROM totals WHERE guild_id = ?1 AND user_id = ?2")?
                .execute(params![g, u])?;
            tx.prepare_cached("DELETE FROM streaks WHERE guild_id = ?1 AND user_id = ?2")?
                .execute(params![g, u])?;
            tx.prepare_cached("DELETE FROM members WHERE guild_id = ?1 AND user_id = ?2")?
                .execute(params![g, u])?;
            tx.commit()?;
            Ok(Removed {
                answers,
                competition_answers,
                totals: totals.len() as u64,
            })
        })?;
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(g, user.0));
        Ok(removed)
    }

    fn pack_revision(&self, guild: GuildId) -> Result<i64, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT revision FROM pack_revisions WHERE guild_id = ?1")?
                .query_row(params![guild.0 as i64], |r| r.get(0))
                .optional()
                .map(|r| r.unwrap_or(0))
        })
    }

    fn guild_packs(&self, guild: GuildId) -> Result<GuildPacks, StoreError> {
        let g = guild.0 as i64;
        self.with(|c| {
            // One read transaction, so the revision matches what is read with it.
            let tx = c.transaction()?;
            let revision = tx
                .prepare_cached("SELECT revision FROM pack_revisions WHERE guild_id = ?1")?
                .query_row(params![g], |r| r.get(0))
                .optional()?
                .unwrap_or(0);
            let uploads = tx
                .prepare_cached(
                    "SELECT pack_id, file_name, text, items, uploaded_by, uploaded_at
                     FROM uploaded_packs WHERE guild_id = ?1 ORDER BY rowid",
                )?
                .query_map(params![g], |r| {
                    Ok(UploadedPack {
                        pack_id: r.get(0)?,
                        file_name: r.get(1)?,
                        text: r.get(2)?,
                        items: r.get::<_, i64>(3)? as u64,
                        by: UserId(r.get::<_, i64>(4)? as u64),
                        at: parse_ts(&r.get::<_, String>(5)?),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let turned_off = tx
                .prepare_cached("SELECT pack_id FROM packs_turned_off WHERE guild_id = ?1")?
                .query_map(params![g], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(GuildPacks {
                revision,
                uploads,
                turned_off,
            })
        })
    }

    fn save_pack(&self, guild: GuildId, pack: &UploadedPack) -> Result<bool, StoreError> {
        let g = guild.0 as i64;
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let replaced = tx
                .prepare_cached("DELETE FROM uploaded_packs WHERE guild_id = ?1 AND pack_id = ?2")?
                .execute(params![g, pack.pack_id])?
                > 0;
            tx.prepare_cached(
                "INSERT INTO uploaded_packs (guild_id, pack_id, file_name, text, items, uploaded_by, uploaded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                g,
                pack.pack_id,
                pack.file_name,
                pack.text,
                pack.items as i64,
                pack.by.0 as i64,
                ts(pack.at)
            ])?;
            bump_pack_revision(&tx, g)?;
            tx.commit()?;
            Ok(replaced)
        })
    }

    fn remove_pack(&self, guild: GuildId, pack_id: &str) -> Result<bool, StoreError> {
        let g = guild.0 as i64;
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let removed = tx
                .prepare_cached("DELETE FROM uploaded_packs WHERE guild_id = ?1 AND pack_id = ?2")?
                .execute(params![g, pack_id])?
                > 0;
            if removed {
                tx.prepare_cached(
                    "DELETE FROM packs_turned_off WHERE guild_id = ?1 AND pack_id = ?2",
                )?
                .execute(params![g, pack_id])?;
                bump_pack_revision(&tx, g)?;
            }
            tx.commit()?;
            Ok(removed)
        })
    }

    fn set_pack_active(
        &self,
        guild: GuildId,
        pack_id: &str,
        active: bool,
    ) -> Result<bool, StoreError> {
        let g = guild.0 as i64;
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = if active {
                tx.prepare_cached(
                    "DELETE FROM packs_turned_off WHERE guild_id = ?1 AND pack_id = ?2",
                )?
                .execute(params![g, pack_id])?
            } else {
                tx.prepare_cached(
                    "INSERT INTO packs_turned_off (guild_id, pack_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                )?
                .execute(params![g, pack_id])?
            } > 0;
            if changed {
                bump_pack_revision(&tx, g)?;
            }
            tx.commit()?;
            Ok(changed)
        })
    }

    fn wrong_daily_answers(
        &self,
        guild: GuildId,
        user: UserId,
        limit: usize,
    ) -> Result<Vec<ScoredAnswer>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!(
                "{SCORED_ANSWER} WHERE a.guild_id = ?1 AND a.user_id = ?2 AND a.correct = 0
                 ORDER BY a.id DESC LIMIT ?3"
            ))?
            .query_map(
                params![guild.0 as i64, user.0 as i64, limit as i64],
                scored_answer_row,
            )?
            .collect()
        })
    }

    fn scored_answer(&self, id: i64) -> Result<Option<ScoredAnswer>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!("{SCORED_ANSWER} WHERE a.id = ?1"))?
                .query_row(params![id], scored_answer_row)
                .optional()
        })
    }

    fn accept_answer(
        &self,
        id: i64,
        points: i64,
        periods: &[String],
        rebuild_streak: &StreakRebuild,
    ) -> Result<Option<Streak>, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let row: Option<(i64, i64, i64)> = tx
                .prepare_cached(
                    "UPDATE answers SET correct = 1, points = points + ?2
                     WHERE id = ?1 AND correct = 0 AND guild_id IS NOT NULL
                     RETURNING instance_id, guild_id, user_id",
                )?
                .query_row(params![id, points], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            let Some((instance, g, u)) = row else {
                return Ok(None);
            };
            tx.prepare_cached(
                "UPDATE instance_tallies SET correct = correct + 1 WHERE instance_id = ?1",
            )?
            .execute(params![instance])?;
            for period in periods {
                // Only the periods the wrong answer was counted in have a row.
                let Some(had) = total_points(&tx, g, period, u)? else {
                    continue;
                };
                tx.prepare_cached(
                    "UPDATE totals SET points = points + ?4, correct = correct + 1
                     WHERE guild_id = ?1 AND period = ?2 AND user_id = ?3",
                )?
                .execute(params![g, period, u, points])?;
                if points != 0 {
                    move_score(&tx, g, period, Some(had), had + points)?;
                }
            }
            tx.prepare_cached("DELETE FROM score_counts WHERE guild_id = ?1 AND users <= 0")?
                .execute(params![g])?;
            let stored = stored_streak(&tx, g, u)?;
            let daily: Vec<(NaiveDate, bool)> = tx
                .prepare_cached(
                    "SELECT i.day, a.correct FROM answers a
                     JOIN instances i ON i.id = a.instance_id AND i.kind = 'daily'
                     WHERE a.guild_id = ?1 AND a.user_id = ?2 ORDER BY i.day",
                )?
                .query_map(params![g, u], |r| Ok((parse_day(r.get(0)?), r.get(1)?)))?
                .filter_map(|row| {
                    row.map(|(day, correct)| day.map(|d| (d, correct)))
                        .transpose()
                })
                .collect::<rusqlite::Result<_>>()?;
            let streak = rebuild_streak(&stored, &daily);
            save_streak(&tx, g, u, &streak)?;
            tx.commit()?;
            Ok(Some(streak))
        })
    }

    fn known_guilds(&self) -> Result<Vec<GuildId>, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT guild_id FROM guild_settings
                 UNION SELECT guild_id FROM members WHERE guild_id <> 0
                 UNION SELECT guild_id FROM totals
                 EXCEPT SELECT guild_id FROM departed_guilds
                 ORDER BY 1",
            )?
            .query_map([], |r| Ok(GuildId(r.get::<_, i64>(0)? as u64)))?
            .collect()
        })
    }

    fn guild_left(&self, guild: GuildId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO departed_guilds (guild_id, left_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?
            .execute(params![guild.0 as i64, ts(at)])
            .map(|_| ())
        })
    }

    fn guild_returned(&self, guild: GuildId) -> Result<bool, StoreError> {
        self.with(|c| {
            c.prepare_cached("DELETE FROM departed_guilds WHERE guild_id = ?1")?
                .execute(params![guild.0 as i64])
                .map(|n| n > 0)
        })
    }

    fn guilds_left_before(&self, cutoff: DateTime<Utc>) -> Result<Vec<GuildId>, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT guild_id FROM departed_guilds WHERE left_at < ?1 ORDER BY guild_id",
            )?
            .query_map(params![ts(cutoff)], |r| {
                Ok(GuildId(r.get::<_, i64>(0)? as u64))
            })?
            .collect()
        })
    }

    fn delete_guild(&self, guild: GuildId) -> Result<u64, StoreError> {
        let g = guild.0 as i64;
        let deleted = self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut rows = 0;
            // Children first: what hangs off instances and competitions.
            for sql in [
                "DELETE FROM instance_tallies WHERE instance_id IN (SELECT id FROM instances WHERE guild_id = ?1)",
                "DELETE FROM answers WHERE guild_id = ?1 OR instance_id IN (SELECT id FROM instances WHERE guild_id = ?1)",
                "DELETE FROM instances WHERE guild_id = ?1",
                "DELETE FROM competition_answers WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
                "DELETE FROM competition_rounds WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
                "DELETE FROM competitions WHERE guild_id = ?1",
                "DELETE FROM totals WHERE guild_id = ?1",
                "DELETE FROM period_players WHERE guild_id = ?1",
                "DELETE FROM score_counts WHERE guild_id = ?1",
                "DELETE FROM streaks WHERE guild_id = ?1",
                "DELETE FROM seasons WHERE guild_id = ?1",
                "DELETE FROM daily_posts WHERE guild_id = ?1",
                "DELETE FROM members WHERE guild_id = ?1",
                "DELETE FROM reports WHERE guild_id = ?1",
                "DELETE FROM disabled_questions WHERE guild_id = ?1",
                // Cards of its uploaded packs' questions (review::card_key).
                "DELETE FROM review_cards WHERE question LIKE '%@' || ?1",
                "DELETE FROM uploaded_packs WHERE guild_id = ?1",
                "DELETE FROM packs_turned_off WHERE guild_id = ?1",
                "DELETE FROM pack_revisions WHERE guild_id = ?1",
                "DELETE FROM guild_settings WHERE guild_id = ?1",
                "DELETE FROM departed_guilds WHERE guild_id = ?1",
            ] {
                rows += tx.prepare_cached(sql)?.execute(params![g])? as u64;
            }
            tx.commit()?;
            Ok(rows)
        })?;
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(g2, _), _| *g2 != g);
        Ok(deleted)
    }

    fn question_results(
        &self,
        guild: Option<GuildId>,
        user: UserId,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT question, count(*), sum(correct) FROM answers
                 WHERE user_id = ?1 AND (?2 IS NULL OR guild_id = ?2) GROUP BY question ORDER BY question",
            )?;
            let rows = stmt.query_map(params![user.0 as i64, guild.map(|g| g.0 as i64)], |r| {
                Ok(QuestionResults {
                    question: r.get(0)?,
                    answered: r.get::<_, i64>(1)? as u64,
                    correct: r.get::<_, i64>(2)? as u64,
                })
            })?;
            rows.collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).unwrap()
    }

    fn daily(store: &SqliteStore, guild: u64, day: &str, question: &str) -> Instance {
        store
            .create_instance(&NewInstance {
                kind: InstanceKind::Daily,
                guild: Some(GuildId(guild)),
                owner: None,
                day: Some(day.parse().unwrap()),
                question: question.into(),
                option_order: vec![2, 0, 1],
                created_at: at(7),
            })
            .unwrap()
    }

    fn answer(instance: i64, user: u64, interaction: u64, correct: bool) -> NewAnswer {
        NewAnswer {
            instance,
            guild: Some(GuildId(10)),
            user: UserId(user),
            interaction: InteractionId(interaction),
            question: "p/q".into(),
            answer: "x".into(),
            correct,
            points: if correct { 20 } else { 0 },
            at: at(9),
            periods: vec!["all".into(), "week:2026-W48".into()],
            streak: None,
            display_name: None,
            review: None,
        }
    }

    #[test]
    fn truncating_the_wal_waits_for_a_checkpoint_in_progress_then_empties_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("class.db");
        let wal = dir.path().join("class.db-wal");
        // Any WAL is over a one-byte limit: the check at the 64th commit truncates.
        let store = SqliteStore::open_with_wal_limit(&path, 1).unwrap();
        let q = daily(&store, 10, "2026-11-23", "p/a");
        for user in 1..WAL_CHECK_EVERY as u64 {
            store
                .record_answer(&answer(q.id, user, user, true))
                .unwrap();
        }
        assert!(std::fs::metadata(&wal).unwrap().len() > 0);
        // The background thread "checkpointing": SQLite would fail a second
        // checkpoint at once, so the writer must wait rather than give up.
        let checkpointing = store.checkpointer.as_ref().unwrap().running.lock().unwrap();
        std::thread::scope(|scope| {
            let (done, finished) = std::sync::mpsc::channel();
            let (store, q) = (&store, &q);
            scope.spawn(move || {
                let user = WAL_CHECK_EVERY as u64;
                let outcome = store.record_answer(&answer(q.id, user, user, true));
                done.send(outcome).unwrap();
            });
            std::thread::sleep(std::time::Duration::from_millis(300));
            assert!(
                finished.try_recv().is_err(),
                "the truncating commit waits for the checkpoint in progress"
            );
            drop(checkpointing);
            let outcome = finished.recv().unwrap();
            assert_eq!(outcome.unwrap(), RecordOutcome::Recorded);
        });
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0, "truncated");
        let answers: i64 = store
            .with(|c| c.query_row("SELECT COUNT(*) FROM answers", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(
            answers, WAL_CHECK_EVERY as i64,
            "nothing lost by truncating"
        );
    }

    #[test]
    fn one_daily_per_guild_and_day_even_when_created_twice() {
        let store = SqliteStore::open_in_memory().unwrap();
        let first = daily(&store, 10, "2026-11-23", "p/a");
        let again = daily(&store, 10, "2026-11-23", "p/other");
        assert_eq!(first, again, "the existing instance is returned unchanged");
        assert_eq!(first.option_order, vec![2, 0, 1]);
        let other_guild = daily(&store, 11, "2026-11-23", "p/b");
        assert_ne!(first.id, other_guild.id);
        assert_eq!(
            store.daily_history(GuildId(10)).unwrap(),
            vec!["p/a".to_string()]
        );
    }

    #[test]
    fn answers_count_once_per_student_and_per_interaction() {
        let store = SqliteStore::open_in_memory().unwrap();
        let q = daily(&store, 10, "2026-11-23", "p/a");
        assert_eq!(
            store.record_answer(&answer(q.id, 1, 100, true)).unwrap(),
            RecordOutcome::Recorded
        );
        assert!(matches!(
            store.record_answer(&answer(q.id, 1, 100, true)).unwrap(),
            RecordOutcome::Duplicate(_)
        ));
        assert!(matches!(
            store.record_answer(&answer(q.id, 1, 101, false)).unwrap(),
            RecordOutcome::AlreadyAnswered(PastAnswer {
                correct: true,
                points: 20,
                ..
            })
        ));
        assert_eq!(
            store.record_answer(&answer(q.id, 2, 102, false)).unwrap(),
            RecordOutcome::Recorded
        );
        assert_eq!(
            store.tally(q.id).unwrap(),
            Tally {
                answered: 2,
                correct: 1
            }
        );
        let board = store
            .leaderboard(GuildId(10), "all", 10, UserId(2))
            .unwrap();
        assert_eq!(
            board
                .top
                .iter()
                .map(|s| (s.user.0, s.points))
                .collect::<Vec<_>>(),
            [(1, 20), (2, 0)]
        );
        assert_eq!(board.caller.unwrap().rank, 2);
    }

    #[test]
    fn one_group_commit_keeps_each_answers_own_outcome() {
        let store = SqliteStore::open_in_memory().unwrap();
        let q = daily(&store, 10, "2026-11-23", "p/a");
        let (senders, receivers): (Vec<_>, Vec<_>) =
            (0..4).map(|_| std::sync::mpsc::sync_channel(1)).unzip();
        let answers = [
            answer(q.id, 1, 100, true),
            answer(q.id, 2, 101, false),
            // Student 1 again (another interaction), and interaction 101 redelivered.
            answer(q.id, 1, 102, false),
            answer(q.id, 2, 101, false),
        ];
        let group: Vec<QueuedAnswer> = answers
            .iter()
            .zip(senders)
            .map(|(a, outcome)| QueuedAnswer {
                answer: a.clone(),
                outcome,
            })
            .collect();
        let outcomes = commit_group(&mut store.conn.lock().unwrap(), &group);
        assert_eq!(outcomes[0].as_ref().unwrap(), &RecordOutcome::Recorded);
        assert_eq!(outcomes[1].as_ref().unwrap(), &RecordOutcome::Recorded);
        assert!(matches!(
            outcomes[2].as_ref().unwrap(),
            RecordOutcome::AlreadyAnswered(PastAnswer { correct: true, .. })
        ));
        assert!(matches!(
            outcomes[3].as_ref().unwrap(),
            RecordOutcome::Duplicate(_)
        ));
        drop(receivers);
        assert_eq!(
            store.tally(q.id).unwrap(),
            Tally {
                answered: 2,
                correct: 1
            }
        );
    }

    #[test]
    fn upgrading_a_database_counts_the_tallies_of_existing_answers() {
        // A database as the previous release left it (migrations 1-3), with
        // answers but no kept tallies.
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate::sqlite_to_version(&mut conn, 3).unwrap();
        let old = SqliteStore {
            conn: Mutex::new(conn),
            answer_queue: Mutex::new(Vec::new()),
            names: Mutex::default(),
            write_problem: Mutex::new(None),
            readers: Vec::new(),
            next_reader: std::sync::atomic::AtomicUsize::new(0),
            wal_limit: None,
            commits_unchecked: std::sync::atomic::AtomicU32::new(0),
            checkpointer: None,
        };
        let q = daily(&old, 10, "2026-11-23", "p/a");
        old.with(|c| {
            for (user, correct) in [(1, 1), (2, 0), (3, 1)] {
                c.execute(
                    "INSERT INTO answers (instance_id, guild_id, user_id, interaction_id, question, answer, correct, points, answered_at)
                     VALUES (?1, 10, ?2, ?2, 'p/a', 'x', ?3, 0, '2026-11-23T09:00:00Z')",
                    params![q.id, user, correct],
                )?;
            }
            Ok(())
        })
        .unwrap();
        let mut conn = old.conn.into_inner().unwrap();
        migrate(&mut conn).unwrap();
        let store = SqliteStore {
            conn: Mutex::new(conn),
            answer_queue: Mutex::new(Vec::new()),
            names: Mutex::default(),
            write_problem: Mutex::new(None),
            readers: Vec::new(),
            next_reader: std::sync::atomic::AtomicUsize::new(0),
            wal_limit: None,
            commits_unchecked: std::sync::atomic::AtomicU32::new(0),
            checkpointer: None,
        };
        assert_eq!(
            store.tally(q.id).unwrap(),
            Tally {
                answered: 3,
                correct: 2
            }
        );
        store.record_answer(&answer(q.id, 4, 400, true)).unwrap();
        assert_eq!(store.tally(q.id).unwrap().correct, 3);
        assert_eq!(store.tally(q.id + 1).unwrap(), Tally::default());
    }

    #[test]
    fn caller_outside_the_top_gets_their_rank_and_ties_are_deterministic() {
        let store = SqliteStore::open_in_memory().unwrap();
        store
            .remember_name(Some(GuildId(10)), UserId(7), "Ada", at(8))
            .unwrap();
        for user in 1..=15u64 {
            let q = daily(&store, 10, &format!("2026-11-{:02}", user), "p/a");
            let mut a = answer(q.id, user, 1000 + user, true);
            a.points = if user == 7 { 5 } else { 10 };
            store.record_answer(&a).unwrap();
        }
        let board = store
            .leaderboard(GuildId(10), "all", 10, UserId(7))
            .unwrap();
        // Everyone else ties on 10 points with one answer: user id breaks the tie.
        assert_eq!(
            board.top.iter().map(|s| s.user.0).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6, 8, 9, 10, 11]
        );
        let me = board.caller.unwrap();
        assert_eq!((me.rank, me.name.as_str(), me.points), (15, "Ada", 5));
        assert_eq!(board.players, 15);
        assert!(
            store
                .leaderboard(GuildId(10), "week:2026-W48", 10, UserId(7))
                .unwrap()
                .top
                .len()
                == 10
        );
        assert!(store
            .leaderboard(GuildId(99), "all", 10, UserId(7))
            .unwrap()
            .top
            .is_empty());
    }

    #[test]
    fn data_survives_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            let store = SqliteStore::open(&path).unwrap();
            let q = daily(&store, 10, "2026-11-23", "p/a");
            store.record_answer(&answer(q.id, 1, 100, true)).unwrap();
            store
                .save_settings(
                    GuildId(10),
                    &GuildSettings {
                        timezone: Some("Europe/London".into()),
                        post_days: Some(vec![0, 1, 2, 3, 4]),
                        ..Default::default()
                    },
                    at(8),
                )
                .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(
            store.tally(1).unwrap(),
            Tally {
                answered: 1,
                correct: 1
            }
        );
        assert_eq!(
            store.settings(GuildId(10)).unwrap().post_days,
            Some(vec![0, 1, 2, 3, 4])
        );
        assert_eq!(
            store
                .leaderboard(GuildId(10), "all", 10, UserId(1))
                .unwrap()
                .top[0]
                .points,
            20
        );
    }

    #[test]
    fn seasons_open_and_close() {
        let store = SqliteStore::open_in_memory().unwrap();
        assert!(store.open_season(GuildId(1)).unwrap().is_none());
        let s = store.start_season(GuildId(1), "Autumn", at(8)).unwrap();
        assert_eq!(
            store.open_season(GuildId(1)).unwrap().unwrap().name,
            "Autumn"
        );
        assert!(
            store.start_season(GuildId(1), "Twice", at(9)).is_err(),
            "one open season per guild"
        );
        assert_eq!(
            store.end_season(GuildId(1), at(10)).unwrap().unwrap().id,
            s.id
        );
        assert!(store.open_season(GuildId(1)).unwrap().is_none());
    }

    #[test]
    fn ranks_from_the_score_histogram_match_a_full_sort() {
        let store = SqliteStore::open_in_memory().unwrap();
        let mut rng = crate::quiz::rng(&[7]);
        let mut interaction = 0;
        let mut totals: std::collections::HashMap<u64, (i64, u64)> = Default::default();
        for day in 0..6u32 {
            let q = daily(&store, 10, &format!("2026-10-{:02}", day + 1), "p/a");
            for user in 1..=120u64 {
                if crate::quiz::below(&mut rng, 3) == 0 {
                    continue;
                }
                interaction += 1;
                let mut a = answer(q.id, user, interaction, true);
                a.points = [0, 10, 20][crate::quiz::below(&mut rng, 3)];
                store.record_answer(&a).unwrap();
                let t = totals.entry(user).or_default();
                t.0 += a.points;
                t.1 += 1;
            }
        }
        let mut order: Vec<(&u64, &(i64, u64))> = totals.iter().collect();
        order.sort_by(|a, b| {
            b.1 .0
                .cmp(&a.1 .0)
                .then(a.1 .1.cmp(&b.1 .1))
                .then(a.0.cmp(b.0))
        });
        for (rank, (user, (points, _))) in order.iter().enumerate() {
            let board = store
                .leaderboard(GuildId(10), "all", 10, UserId(**user))
                .unwrap();
            let me = board.caller.unwrap();
            assert_eq!(
                (me.rank, me.points),
                (rank as u64 + 1, *points),
                "user {user}"
            );
            assert_eq!(board.players, totals.len() as u64);
        }
    }
}

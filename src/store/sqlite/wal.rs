//! The SQLite backend's write-ahead log: the background checkpointer that
//! copies it into the database file, and the bound the writer keeps on its
//! size. It knows the store's one write connection and nothing of answers
//! or rules.

use super::*;

/// Copies the WAL back into the database file from a thread of its own.
///
/// SQLite's automatic checkpoint runs inside whichever COMMIT crosses the WAL
/// size threshold, so every few hundred answers one student would wait for
/// it. Here the main connection checkpoints only to bound the WAL (see
/// [`SqliteStore::bound_wal`]); this thread runs a PASSIVE checkpoint (which
/// never blocks writers) every `CHECKPOINT_EVERY`.
pub(super) struct Checkpointer {
    /// Held while this thread checkpoints. SQLite lets one checkpoint run at
    /// a time and fails a second at once, without waiting (its busy handler
    /// is not asked), so the writer takes this before truncating the WAL:
    /// otherwise, when the disk is slow and a PASSIVE checkpoint holds
    /// SQLite's lock for most of its interval, every truncation fails and
    /// the WAL grows (a fault test saw 30 MB past a 1 MB limit).
    pub(super) running: Arc<Mutex<()>>,
    /// PASSIVE checkpoints finished so far (see [`SqliteStore::bound_wal`]).
    pub(super) finished: Arc<std::sync::atomic::AtomicU64>,
    /// A message asks for a checkpoint now; dropping it stops the thread.
    pub(super) hurry: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

pub(super) const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);
/// The WAL size past which the writer truncates it.
pub(super) const WAL_LIMIT: u64 = 64 * 1024 * 1024;
/// [`SqliteStore::checkpoint_asked`] when no checkpoint is awaited.
pub(super) const NOT_ASKED: u64 = u64::MAX;
/// How many commits pass between two looks at the WAL's size.
pub(super) const WAL_CHECK_EVERY: u32 = 64;

impl Checkpointer {
    /// Starts the thread. It also moves `generation` on (see
    /// [`Store::generation`]) when another connection has committed since
    /// its last look (SQLite's `data_version`): a write by another process
    /// to the same file, such as `studybot ask` or an import against a
    /// running bot's database, then reaches boards kept in memory within
    /// `CHECKPOINT_EVERY`. This process's own writes move it too, which
    /// only repeats what the writer already did.
    pub(super) fn start(
        path: &std::path::Path,
        generation: Arc<std::sync::atomic::AtomicU64>,
    ) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
        // Every statement stays prepared (parsing SQL costs more than most
        // of these queries).
        conn.set_prepared_statement_cache_capacity(64);
        let (hurry, hurried) = std::sync::mpsc::channel::<()>();
        let running = Arc::new(Mutex::new(()));
        let finished = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (held, count) = (running.clone(), finished.clone());
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                let data_version = |c: &Connection| {
                    c.query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))
                        .ok()
                };
                let mut seen = data_version(&conn);
                // Runs until the store drops its end of the channel.
                while let Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    hurried.recv_timeout(CHECKPOINT_EVERY)
                {
                    {
                        let _running = held.lock().unwrap_or_else(|e| e.into_inner());
                        if let Err(e) =
                            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                        {
                            tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
                        }
                        count.fetch_add(1, std::sync::atomic::Ordering::Release);
                    }
                    // Outside the lock: the writer's truncation need not
                    // wait for this look.
                    let now = data_version(&conn);
                    if now != seen {
                        seen = now;
                        generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                    }
                }
            })
            .map_err(|e| {
                StoreError::Database(format!("cannot start the checkpoint thread: {e}"))
            })?;
        Ok(Self {
            running,
            finished,
            hurry: Some(hurry),
            thread: Some(thread),
        })
    }
}

/// Closes every connection, then leaves the clean-close marker (see
/// `sqlite_file::closed_cleanly`): the next open need not read the whole
/// file through.
impl Drop for SqliteStore {
    fn drop(&mut self) {
        let Some((wal, _)) = self.wal_limit.take() else {
            return; // in memory
        };
        self.readers.clear();
        self.checkpointer = None;
        let Ok(spare) = Connection::open_in_memory() else {
            return;
        };
        let conn = std::mem::replace(
            self.conn.get_mut().unwrap_or_else(|e| e.into_inner()),
            spare,
        );
        if conn.close().is_err() {
            return;
        }
        // The WAL is the database's path with "-wal" (see `open`).
        if let Some(db) = wal.to_str().and_then(|w| w.strip_suffix("-wal")) {
            super::sqlite_file::mark_closed_cleanly(std::path::Path::new(db));
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.hurry.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl SqliteStore {
    /// Keeps the WAL from growing without bound under sustained answers.
    ///
    /// The background PASSIVE checkpoint copies the WAL into the database
    /// but cannot let it start over while commits keep landing past what it
    /// copied, so under sustained load the file grew by about 70 KB per
    /// answer (found by `benches/store_scale.rs`). Every `WAL_CHECK_EVERY`
    /// commits the writer, which holds the only write connection, looks at
    /// the WAL's size; past the limit it runs a TRUNCATE checkpoint itself,
    /// and every student whose answer is queued waits while it copies the
    /// frames not yet copied and syncs the file. So the writer first asks
    /// the checkpointer for a PASSIVE checkpoint at once (which never
    /// blocks writers) and truncates only at a later look, once that
    /// checkpoint has finished and the checkpointer is idle: what is left
    /// to copy is then the few commits since, not up to `CHECKPOINT_EVERY`
    /// of them (`perf` and the end-to-end bench put most of the 500/s p99
    /// of a press in this wait). Past twice the limit (a disk so slow that
    /// the checkpointer is never idle at a look) the writer waits for the
    /// checkpointer and truncates, as it always did. Only a reader in
    /// another process can keep the truncation from finishing, after the
    /// busy timeout; then it is tried again `WAL_CHECK_EVERY` commits later,
    /// not at the next commit, so a long reader does not make every student
    /// wait.
    pub(super) fn bound_wal(&self, conn: &Connection) {
        use std::sync::atomic::Ordering;
        let Some((wal, limit)) = &self.wal_limit else {
            return;
        };
        let seen = self.commits_unchecked.fetch_add(1, Ordering::Relaxed);
        if seen + 1 < WAL_CHECK_EVERY {
            return;
        }
        self.commits_unchecked.store(0, Ordering::Relaxed);
        let size = std::fs::metadata(wal).map_or(0, |m| m.len());
        if size <= *limit {
            return;
        }
        let _checkpointer_idle = match &self.checkpointer {
            None => None,
            Some(c) if size > limit.saturating_mul(2) => {
                Some(c.running.lock().unwrap_or_else(|e| e.into_inner()))
            }
            Some(c) => {
                let finished = c.finished.load(Ordering::Acquire);
                let asked = self.checkpoint_asked.load(Ordering::Relaxed);
                if asked == NOT_ASKED {
                    // A closed channel means the checkpointer is stopping;
                    // the truncation past twice the limit still bounds it.
                    let _ = c.hurry.as_ref().map(|h| h.send(()));
                    self.checkpoint_asked.store(finished, Ordering::Relaxed);
                    return;
                }
                if finished <= asked {
                    return; // the checkpoint asked for has not finished
                }
                match c.running.try_lock() {
                    Ok(idle) => Some(idle),
                    Err(std::sync::TryLockError::Poisoned(e)) => Some(e.into_inner()),
                    Err(std::sync::TryLockError::WouldBlock) => return,
                }
            }
        };
        self.checkpoint_asked.store(NOT_ASKED, Ordering::Relaxed);
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
}

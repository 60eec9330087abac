//! Whether an SQLite database file is sound, and `studybot backup`.
//!
//! A file with one damaged page still answers most reads, so without a check
//! the bot would start, serve lookups and then fail every write with an
//! apology, forever. [`check_sound`] runs SQLite's own `quick_check` when a
//! store opens (and for `studybot check --db`), so damage stops the start
//! with advice instead. It reads every page, which took most of the bot's
//! start-up on a large file (46 ms of 90 at 100,000 students), so it is
//! skipped when the file is as the last store left it on a clean close
//! ([`mark_closed_cleanly`], [`closed_cleanly`]): damage comes from a crash,
//! a power cut or a file put in its place, not from a file at rest. The bot
//! leaves the marker when it stops on SIGTERM or Ctrl-C (its last `App`,
//! and so the store, is dropped before the process exits: `tests/e2e.rs`),
//! and says at start-up which way the check went. [`backup`] copies with
//! SQLite's online backup (safe while the bot writes), checks the copy with
//! the full `integrity_check` before it takes the target's name, and never
//! overwrites a file or the source by accident. Knows nothing of the
//! store's tables or of Discord.

use super::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// What `integrity_check` / `quick_check` found wrong, in SQLite's words
/// (its first few lines).
fn problems(conn: &Connection, pragma: &str) -> Result<Option<String>, rusqlite::Error> {
    let mut statement = conn.prepare(&format!("PRAGMA {pragma}(5)"))?;
    let lines: Vec<String> = statement
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    Ok(match lines.as_slice() {
        [only] if only == "ok" => None,
        _ => Some(lines.join("; ").replace('\n', "; ")),
    })
}

/// The advice printed with every report of a damaged database.
fn damaged(path: &Path, detail: &str) -> StoreError {
    StoreError::Corrupt {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
}

/// What `pragma` found wrong with the database behind `conn`, if anything;
/// an error that itself says the file is damaged (or not a database) is a
/// finding too, not a failure of the check.
fn damage_found(conn: &Connection, pragma: &str) -> Result<Option<String>, StoreError> {
    problems(conn, pragma).or_else(as_finding)
}

/// An SQLite error met while checking or copying: damage found (`Some`), or
/// a failure of the operation itself.
fn as_finding(e: rusqlite::Error) -> Result<Option<String>, StoreError> {
    if is_corruption(&e) {
        Ok(Some(e.to_string()))
    } else {
        Err(super::sqlite::db_error(e))
    }
}

/// Checks the database behind `conn` (the file at `path`) with
/// `quick_check`: every page and index entry is readable and well formed.
/// A file that is not a database at all, or whose pages are damaged, is
/// [`StoreError::Corrupt`].
pub fn check_sound(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    match damage_found(conn, "quick_check")? {
        None => Ok(()),
        Some(detail) => Err(damaged(path, &detail)),
    }
}

/// The marker a store leaves beside its database file when it closes
/// cleanly: `studybot.db-clean`, like SQLite's own `-wal` and `-shm`.
fn marker(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// What identifies the file as a clean close left it: its length and its
/// modification time (a file copied or written over has another).
fn fingerprint(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("{} {}\n", meta.len(), modified.as_nanos()))
}

/// Whether the last store to use the file at `path` closed it cleanly and
/// nothing touched it since: the marker is there and matches the file, and
/// there is no WAL (a WAL left behind means a process stopped without
/// closing, or one still has the file open). Removes the marker either
/// way, so that a crash of the process opening it now leaves none.
pub fn closed_cleanly(path: &Path) -> bool {
    let marker = marker(path, "-clean");
    let Ok(recorded) = std::fs::read_to_string(&marker) else {
        // Said at start-up, where operators (and tests/e2e.rs) look for it.
        tracing::info!(target: "studybot::startup", database = %path.display(), "no clean-close marker: checking the database");
        return false;
    };
    if let Err(e) = std::fs::remove_file(&marker) {
        // A marker that cannot be removed could vouch for a later crash.
        tracing::warn!(error = %e, marker = %marker.display(), "cannot remove the clean-close marker; checking the database");
        return false;
    }
    let wal_left = std::fs::metadata(self::marker(path, "-wal")).is_ok_and(|m| m.len() > 0);
    let clean = !wal_left && fingerprint(path).is_some_and(|now| now == recorded);
    if clean {
        tracing::info!(target: "studybot::startup", database = %path.display(), "closed cleanly last time: quick_check skipped");
    } else {
        tracing::info!(target: "studybot::startup", database = %path.display(), "changed since its clean close: checking the database");
    }
    clean
}

/// Called when a store has closed its last connection to the file at
/// `path`: leaves the marker [`closed_cleanly`] looks for, unless a WAL is
/// left (another process still has the file open, and the last to close it
/// leaves the marker).
pub fn mark_closed_cleanly(path: &Path) {
    if std::fs::metadata(marker(path, "-wal")).is_ok() {
        return;
    }
    let Some(fingerprint) = fingerprint(path) else {
        return;
    };
    if let Err(e) = std::fs::write(marker(path, "-clean"), fingerprint) {
        tracing::warn!(error = %e, "cannot leave the clean-close marker; the next start checks the database");
    }
}

/// `studybot check --db PATH`: the full `integrity_check` of a database
/// file, opened read-only so that checking changes nothing.
pub fn check_file(path: &Path) -> Result<(), StoreError> {
    if !path.is_file() {
        return Err(StoreError::Database(format!(
            "there is no database file at {}",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(super::sqlite::db_error)?;
    match damage_found(&conn, "integrity_check")? {
        None => Ok(()),
        Some(detail) => Err(damaged(path, &detail)),
    }
}

/// Whether SQLite's error means the file is damaged or not a database.
fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// Why `studybot backup` refused or failed. Nothing is left at the target
/// when it fails.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("there is no SQLite database at {0} (give it with --db)")]
    NoSource(PathBuf),
    #[error("{0} is the database itself: give the backup another path")]
    TargetIsSource(PathBuf),
    #[error("{0} already exists: choose another path, or add --force to replace it")]
    TargetExists(PathBuf),
    #[error("the copy failed the integrity check, so the database itself is damaged ({detail}); nothing was written to {target}. Keep your previous backups: they are the way back")]
    CopyDamaged { target: PathBuf, detail: String },
    #[error("backup to {target} failed: {source}")]
    Failed {
        target: PathBuf,
        #[source]
        source: StoreError,
    },
}

/// What a successful backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupDone {
    pub target: PathBuf,
    pub bytes: u64,
}

/// Whether two paths name one file (the target may not exist yet: its
/// folder is compared, resolved, with its name).
fn same_file(source: &Path, target: &Path) -> bool {
    let resolve = |p: &Path| -> Option<PathBuf> {
        if let Ok(full) = p.canonicalize() {
            return Some(full);
        }
        let parent = match p.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.canonicalize().ok()?,
            _ => std::env::current_dir().ok()?,
        };
        Some(parent.join(p.file_name()?))
    };
    matches!((resolve(source), resolve(target)), (Some(a), Some(b)) if a == b)
}

/// Copies the database at `source` to `target`: refuses the source itself
/// as target, refuses an existing target unless `overwrite`, writes to a
/// temporary file beside the target, checks it with `integrity_check`, and
/// only then renames it into place. A damaged copy is deleted and reported.
pub fn backup(source: &Path, target: &Path, overwrite: bool) -> Result<BackupDone, BackupError> {
    if !source.is_file() {
        return Err(BackupError::NoSource(source.to_path_buf()));
    }
    if same_file(source, target) {
        return Err(BackupError::TargetIsSource(target.to_path_buf()));
    }
    if target.exists() && !overwrite {
        return Err(BackupError::TargetExists(target.to_path_buf()));
    }
    let failed = |source: StoreError| BackupError::Failed {
        target: target.to_path_buf(),
        source,
    };
    let mut partial = target.as_os_str().to_owned();
    partial.push(format!(".partial-{}", std::process::id()));
    let partial = PathBuf::from(partial);
    let result = copy_and_check(source, &partial);
    let outcome = match result {
        Ok(None) => std::fs::rename(&partial, target)
            .map_err(|e| failed(StoreError::Database(format!("cannot rename the copy: {e}"))))
            .and_then(|()| {
                let bytes = std::fs::metadata(target)
                    .map(|m| m.len())
                    .map_err(|e| failed(StoreError::Database(e.to_string())))?;
                Ok(BackupDone {
                    target: target.to_path_buf(),
                    bytes,
                })
            }),
        Ok(Some(detail)) => Err(BackupError::CopyDamaged {
            target: target.to_path_buf(),
            detail,
        }),
        Err(e) => Err(failed(e)),
    };
    if outcome.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    outcome
}

/// Copies `source` to `copy` and returns what `integrity_check` found
/// wrong with the copy, if anything.
fn copy_and_check(source: &Path, copy: &Path) -> Result<Option<String>, StoreError> {
    let from = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(super::sqlite::db_error)?;
    from.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(super::sqlite::db_error)?;
    let _ = std::fs::remove_file(copy);
    if let Err(e) = from.backup(rusqlite::MAIN_DB, copy, None) {
        return as_finding(e);
    }
    let written = Connection::open(copy).map_err(super::sqlite::db_error)?;
    // The copy keeps the source's WAL mode; a backup is one self-contained
    // file (the bot switches it back to WAL when it opens it).
    match written.pragma_update(None, "journal_mode", "DELETE") {
        Ok(()) => damage_found(&written, "integrity_check"),
        Err(e) => as_finding(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;

    #[test]
    fn a_clean_close_leaves_a_marker_that_vouches_for_the_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bot.db");
        let marker = dir.path().join("bot.db-clean");
        drop(SqliteStore::open(&db).unwrap());
        assert!(marker.is_file(), "a clean close leaves the marker");
        assert!(closed_cleanly(&db));
        assert!(!marker.exists(), "asking removes it");
        assert!(!closed_cleanly(&db), "and it vouches only once");

        // Open: no marker while the store has the file, so a crash now
        // leaves none; the close leaves it again.
        let store = SqliteStore::open(&db).unwrap();
        assert!(!marker.exists());
        // A second store on the same file closes first: the WAL is still
        // in use, so it leaves no marker; the last one to close does.
        drop(SqliteStore::open(&db).unwrap());
        assert!(!marker.exists(), "another store still has the file open");
        drop(store);
        assert!(marker.is_file());

        // A file written after the clean close (or copied over it) is
        // checked again.
        let file = std::fs::OpenOptions::new().append(true).open(&db).unwrap();
        file.set_len(file.metadata().unwrap().len() + 4096).unwrap();
        assert!(!closed_cleanly(&db));
    }

    #[test]
    fn a_damaged_file_with_a_stale_marker_still_stops_the_open() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bot.db");
        drop(SqliteStore::open(&db).unwrap());
        assert!(dir.path().join("bot.db-clean").is_file());
        // Another file put in its place: damaged, and not the file the
        // marker describes.
        let mut bytes = std::fs::read(&db).unwrap();
        let page = 4096;
        assert!(bytes.len() > 2 * page);
        for b in &mut bytes[page..2 * page] {
            *b = 0xA5;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&db, &bytes).unwrap();
        match SqliteStore::open(&db) {
            Err(StoreError::Corrupt { detail, .. }) => assert!(!detail.is_empty()),
            Err(other) => panic!("expected the damage found, got {other}"),
            Ok(_) => panic!("a damaged file opened"),
        }
    }
}

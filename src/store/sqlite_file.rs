//! Whether an SQLite database file is sound, and `studybot backup`.
//!
//! A file with one damaged page still answers most reads, so without a check
//! the bot would start, serve lookups and then fail every write with an
//! apology, forever. [`check_sound`] runs SQLite's own `quick_check` when a
//! store opens (and for `studybot check --db`), so damage stops the start
//! with advice instead. [`backup`] copies with SQLite's online backup (safe
//! while the bot writes), checks the copy with the full `integrity_check`
//! before it takes the target's name, and never overwrites a file or the
//! source by accident. Knows nothing of the store's tables or of Discord.

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

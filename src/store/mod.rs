//! Storage: everything studybot must remember between interactions.
//!
//! [`Store`] is the one interface the handlers use: settings, question
//! instances, answers (recorded exactly once), score totals per period,
//! streaks, seasons, review cards, competitions, packs and display names.
//! It knows nothing of Discord or of how points are computed (that is
//! `quiz`); it guarantees that an answer and all its effects commit together
//! or not at all. The records themselves are plain data in `crate::model`,
//! which the core uses without depending on this module.
//!
//! **Layout.** `Store` is made of parts by concern, each a trait in its own
//! file: [`SettingsStore`] (settings.rs), [`AnswerStore`] (answers.rs),
//! [`LeaderboardStore`] (leaderboards.rs), [`PackStore`] (packs.rs),
//! [`ReviewStore`] (review.rs), [`CompetitionStore`] (competitions.rs),
//! [`PrivacyStore`] (privacy.rs), [`ClassStore`] (classes.rs). Each backend is a directory with a file
//! per part of the same name, beside what is its own: `sqlite/` (the
//! embedded default, for one bot process: the writer, group commit, WAL
//! bounds in `mod.rs`, SQLite's side of the shared rules in `rules.rs`)
//! and `postgres/` (several processes sharing one database: connection
//! threads and TLS in `connection.rs`, PostgreSQL's side of the shared
//! rules in `rules.rs`). `shared/` holds the rules written once for both
//! (what an answer does, accepting one, what removing a student or a
//! server deletes, seasons and leaderboards, settings and the daily post's
//! bookkeeping, packs and reports, classes and their seasons, group
//! competitions) over a small transaction interface each backend implements.
//! `migrate.rs` runs the schema's `.sql` files for both. The contract suite in
//! `tests/store_contract.rs` runs against both backends. [`open`] picks the
//! backend from the database URL. docs/storage.md has the whole story.
//!
//! **What may be kept in memory.** [`Store::generation`] is a number the
//! store moves on after every write it commits, whatever the write, so a
//! caller may keep what it read (the leaderboard's replies: `crate::memo`)
//! for as long as the number stays the same, with no invalidation to
//! remember at each write. SQLite keeps it (its one writer connection sees
//! every write of this process at once; SQLite serves one bot process, and
//! another process's write to the same file moves it within half a second,
//! when the checkpointer sees SQLite's `data_version` change); PostgreSQL reports none, because several
//! processes write one database there, so nothing is kept and every board
//! is read from the database.

mod answers;
mod classes;
mod competitions;
mod leaderboards;
pub mod migrate;
mod packs;
pub mod postgres;
mod privacy;
mod review;
mod settings;
mod shared;
pub mod sqlite;
pub mod sqlite_file;

pub use crate::model::*;
pub use answers::AnswerStore;
pub use classes::ClassStore;
pub use competitions::CompetitionStore;
pub use leaderboards::LeaderboardStore;
pub use packs::PackStore;
pub use privacy::PrivacyStore;
pub use review::ReviewStore;
pub use settings::SettingsStore;

/// Every part of [`Store`], for code that calls the store through a
/// concrete backend (`SqliteStore`, `PostgresStore`), where the part's trait
/// must be in scope: `use studybot::store::prelude::*;`.
pub mod prelude {
    pub use super::{
        AnswerStore, ClassStore, CompetitionStore, LeaderboardStore, PackStore, PrivacyStore,
        ReviewStore, SettingsStore, Store,
    };
}

use crate::request::{GuildId, UserId};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("the database is busy; please try again in a moment")]
    Busy,
    #[error("database error: {0}")]
    Database(String),
    /// The disk is full or the database cannot be written: nothing was saved.
    #[error("the database cannot be written: {0}")]
    Unwritable(String),
    /// The database file is damaged (or not a database): found when a store
    /// opens, so the bot does not start only to fail every write.
    #[error("the database file {path} is damaged ({detail}). Nothing was changed. Stop studybot, then put back your last backup: `cp BACKUP {path}` and delete `{path}-wal` if it exists (backups are made with `studybot backup PATH`). To see the damage: `studybot check --db {path}`")]
    Corrupt { path: String, detail: String },
    #[error("unsupported database URL `{0}`: use sqlite://PATH (or a plain path) or postgres://USER:PASSWORD@HOST/DATABASE")]
    UnsupportedUrl(String),
}

/// Everything a backend keeps, in parts by concern (each in its own file,
/// implemented by each backend in a file of the same name). Handlers take
/// `&dyn Store` and call any part's methods; a part's trait need not be
/// imported to call them.
pub trait Store:
    SettingsStore
    + AnswerStore
    + ClassStore
    + LeaderboardStore
    + PackStore
    + ReviewStore
    + CompetitionStore
    + PrivacyStore
{
    /// Why writes are failing, while they are (the disk is full, the file
    /// is read-only); `None` once a write succeeds again. Shown to teachers.
    fn write_problem(&self) -> Option<String> {
        None
    }

    /// A number that changes after every write this store commits, so that
    /// what was read at one generation may be kept in memory and served
    /// while the generation is unchanged (`crate::memo`: the leaderboard's
    /// replies). It is read before the reads it covers and changes after the
    /// write's commit, so a write landing meanwhile only makes what was read
    /// stale sooner. `None`: the store cannot tell when its data changed
    /// (PostgreSQL, which other processes write too), and nothing may be
    /// kept.
    fn generation(&self) -> Option<u64> {
        None
    }
}

/// A database URL fit for logs and messages: a password in it is replaced
/// by `***` (`postgres://studybot:***@db/studybot`).
pub fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}{tail}")
        }
        _ => url.to_string(),
    }
}

/// Opens the store a database URL names: `sqlite://PATH`, `sqlite::memory:`
/// or a plain path (SQLite), or `postgres://...` / `postgresql://...`
/// (PostgreSQL, libpq's URL form, e.g.
/// `postgres://studybot:secret@127.0.0.1:5432/studybot`).
pub fn open(url: &str) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    if url == "sqlite::memory:" || url == ":memory:" {
        return open_in_memory();
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(std::sync::Arc::new(postgres::PostgresStore::connect(url)?));
    }
    match sqlite_path(url) {
        Some(path) => Ok(std::sync::Arc::new(sqlite::SqliteStore::open(&path)?)),
        None => Err(StoreError::UnsupportedUrl(url.to_string())),
    }
}

/// A store that lives in memory and is gone when the process ends.
pub fn open_in_memory() -> Result<std::sync::Arc<dyn Store>, StoreError> {
    Ok(std::sync::Arc::new(sqlite::SqliteStore::open_in_memory()?))
}

/// The file of an SQLite database URL (`sqlite://PATH` or a plain path);
/// `None` for in-memory, PostgreSQL and unknown URLs.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    if url == "sqlite::memory:" || url == ":memory:" {
        return None;
    }
    if url.contains("://") && !url.starts_with("sqlite://") {
        return None;
    }
    Some(std::path::PathBuf::from(
        url.strip_prefix("sqlite://").unwrap_or(url),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(
            super::redacted_url("postgres://studybot:s3cret@db.internal:5432/studybot?x=1"),
            "postgres://studybot:***@db.internal:5432/studybot?x=1"
        );
        assert_eq!(
            super::redacted_url("postgres://db/studybot"),
            "postgres://db/studybot"
        );
        assert_eq!(
            super::redacted_url("sqlite://studybot.db"),
            "sqlite://studybot.db"
        );
        assert_eq!(super::redacted_url("class.db"), "class.db");
    }
}

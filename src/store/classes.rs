//! A server's classes: their channels, roles and own settings.
//!
//! One part of the [`Store`](super::Store) interface; every backend
//! implements it (`sqlite/classes.rs`, `postgres/classes.rs`). The rules of
//! classes (unique names, fallback to the server's settings, membership) are
//! `classes` (the core module)'; the store keeps what they decide. A class's daily
//! questions are instances with its id ([`AnswerStore`](super::AnswerStore)),
//! its posts are claimed per class ([`SettingsStore`](super::SettingsStore)),
//! and its leaderboards are the server's periods prefixed with it
//! ([`class_period`]), kept with the server's in the same totals.

use super::*;

pub trait ClassStore: Send + Sync {
    /// A server's classes, in the order they were created.
    fn classes(&self, guild: GuildId) -> Result<Vec<Class>, StoreError>;

    /// Every class of every server (for the scheduler), by server then id.
    fn all_classes(&self) -> Result<Vec<Class>, StoreError>;

    /// Stores a new class (`id` 0) or a class's changes; `name_key` is how
    /// its name is compared (`classes::name_key`). The handlers
    /// check names and channels first; the store's unique keys refuse a
    /// duplicate that slipped past (two teachers at once).
    fn save_class(&self, class: &Class, name_key: &str) -> Result<Class, StoreError>;

    /// Makes a server's own daily question (class 0: its daily instances,
    /// posts and leaderboards) the given class's, and clears the server's
    /// daily channel, which the class now holds; in one transaction. What
    /// the migration to classes did for every server that had a channel,
    /// done when a server that had none then gets its first class.
    fn adopt_server_daily(&self, guild: GuildId, class: i64) -> Result<(), StoreError>;

    /// Removes a class and its class leaderboards; its students' answers
    /// and the server's totals stay. Returns whether it existed.
    fn remove_class(&self, guild: GuildId, class: i64) -> Result<bool, StoreError>;
}

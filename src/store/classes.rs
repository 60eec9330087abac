//! A server's classes: their channels, roles and own settings.
//!
//! One part of the [`Store`](super::Store) interface, written once for
//! both backends in `shared/classes.rs` (`sqlite/classes.rs` and
//! `postgres/classes.rs` only choose the connection). The rules of
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

    /// Removes a class, its class leaderboards and its own seasons; its
    /// students' answers and the server's totals stay. Returns whether it existed.
    fn remove_class(&self, guild: GuildId, class: i64) -> Result<bool, StoreError>;

    /// A class's own running season (`None`: the class follows the
    /// server's season, if one runs).
    fn open_class_season(&self, guild: GuildId, class: i64) -> Result<Option<Season>, StoreError>;

    /// Starts a season of the class's own; the store refuses a second open
    /// one for the class (a database error).
    fn start_class_season(
        &self,
        guild: GuildId,
        class: i64,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError>;

    /// Ends the class's own running season; `None` when it had none.
    fn end_class_season(
        &self,
        guild: GuildId,
        class: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<Season>, StoreError>;

    /// Every season of a class's own, newest first.
    fn class_seasons(&self, guild: GuildId, class: i64) -> Result<Vec<Season>, StoreError>;

    /// A class's results per question since `since` (all time when
    /// `None`), for `/class report class:`: the answers of the students on
    /// the class's board (`class_period(class, "all")`), daily answers to
    /// the class's own daily questions only (not another class's) and
    /// their practice answers in the server.
    fn class_report_results(
        &self,
        guild: GuildId,
        class: i64,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError>;
}

//! Seasons, leaderboards, score exports and the class's results.
//!
//! One part of the [`Store`](super::Store) interface; every backend
//! implements it (`sqlite/leaderboards.rs`, `postgres/leaderboards.rs`). Like the rest of
//! `store` it knows nothing of Discord or of how points are computed.

use super::*;

pub trait LeaderboardStore: Send + Sync {
    fn open_season(&self, guild: GuildId) -> Result<Option<Season>, StoreError>;

    fn start_season(
        &self,
        guild: GuildId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError>;

    fn end_season(&self, guild: GuildId, now: DateTime<Utc>) -> Result<Option<Season>, StoreError>;

    /// Top `limit` of a guild for a period, ties broken by fewer answers
    /// (more accurate) then by user id, with the caller's own standing.
    fn leaderboard(
        &self,
        guild: GuildId,
        period: &str,
        limit: usize,
        caller: UserId,
    ) -> Result<Leaderboard, StoreError>;

    /// Every season of a guild, newest first.
    fn seasons(&self, guild: GuildId) -> Result<Vec<Season>, StoreError>;

    /// Every student with a total for `period`, most points first.
    fn export_rows(&self, guild: GuildId, period: &str) -> Result<Vec<ExportRow>, StoreError>;

    /// The class's results per question (daily and practice answers) since
    /// `since` (all time when `None`).
    fn class_results(
        &self,
        guild: GuildId,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError>;
}

//! [`LeaderboardStore`] for [`SqliteStore`]: the rules of
//! `store::shared::leaderboards`, a leaderboard on a reader connection
//! beside the writer (see [`SqliteStore::read`]), the rest on the writer.

use super::*;

impl LeaderboardStore for SqliteStore {
    fn open_season(&self, guild: GuildId) -> Result<Option<Season>, StoreError> {
        self.direct(|tx| shared::leaderboards::open_season(tx, guild))
    }

    fn start_season(
        &self,
        guild: GuildId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError> {
        self.direct(|tx| shared::leaderboards::start_season(tx, guild, name, now))
    }

    fn end_season(&self, guild: GuildId, now: DateTime<Utc>) -> Result<Option<Season>, StoreError> {
        self.direct(|tx| shared::leaderboards::end_season(tx, guild, now))
    }

    fn leaderboard(
        &self,
        guild: GuildId,
        period: &str,
        limit: usize,
        caller: UserId,
    ) -> Result<Leaderboard, StoreError> {
        self.read(|c| shared::leaderboards::leaderboard(&mut Sql(c), guild, period, limit, caller))
    }

    fn seasons(&self, guild: GuildId) -> Result<Vec<Season>, StoreError> {
        self.direct(|tx| shared::leaderboards::seasons(tx, guild))
    }

    fn export_rows(&self, guild: GuildId, period: &str) -> Result<Vec<ExportRow>, StoreError> {
        self.direct(|tx| shared::leaderboards::export_rows(tx, guild, period))
    }

    fn class_results(
        &self,
        guild: GuildId,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        self.direct(|tx| shared::leaderboards::class_results(tx, guild, since))
    }
}

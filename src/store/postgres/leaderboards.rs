//! [`LeaderboardStore`] for [`PostgresStore`]: the rules of
//! `store::shared::leaderboards` on a connection thread, a leaderboard's
//! reads in one read-only snapshot so that they agree with each other.

use super::*;

impl LeaderboardStore for PostgresStore {
    fn open_season(&self, guild: GuildId) -> Result<Option<Season>, StoreError> {
        self.run(move |s| shared::leaderboards::open_season(&mut s.direct(), guild))
    }

    fn start_season(
        &self,
        guild: GuildId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError> {
        let name = name.to_string();
        self.run(move |s| shared::leaderboards::start_season(&mut s.direct(), guild, &name, now))
    }

    fn end_season(&self, guild: GuildId, now: DateTime<Utc>) -> Result<Option<Season>, StoreError> {
        self.run(move |s| shared::leaderboards::end_season(&mut s.direct(), guild, now))
    }

    fn leaderboard(
        &self,
        guild: GuildId,
        period: &str,
        limit: usize,
        caller: UserId,
    ) -> Result<Leaderboard, StoreError> {
        let period = period.to_string();
        self.run(move |s| {
            s.snapshot(|tx| shared::leaderboards::leaderboard(tx, guild, &period, limit, caller))
        })
    }

    fn seasons(&self, guild: GuildId) -> Result<Vec<Season>, StoreError> {
        self.run(move |s| shared::leaderboards::seasons(&mut s.direct(), guild))
    }

    fn export_rows(&self, guild: GuildId, period: &str) -> Result<Vec<ExportRow>, StoreError> {
        let period = period.to_string();
        self.run(move |s| shared::leaderboards::export_rows(&mut s.direct(), guild, &period))
    }

    fn class_results(
        &self,
        guild: GuildId,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        self.run(move |s| shared::leaderboards::class_results(&mut s.direct(), guild, since))
    }
}

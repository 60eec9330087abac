//! [`ClassStore`] for [`SqliteStore`]: the rules of `store::shared::classes`.
//! Classes and their seasons are read on every answer and leaderboard, so
//! they are read on the reader connections (see [`SqliteStore::read`]),
//! never queued behind answers waiting for the writer; changes are one
//! write transaction each.

use super::*;

impl ClassStore for SqliteStore {
    fn classes(&self, guild: GuildId) -> Result<Vec<Class>, StoreError> {
        self.read(|c| shared::classes::classes(&mut Sql(c), Some(guild)))
    }

    fn all_classes(&self) -> Result<Vec<Class>, StoreError> {
        self.read(|c| shared::classes::classes(&mut Sql(c), None))
    }

    fn save_class(&self, class: &Class, name_key: &str) -> Result<Class, StoreError> {
        self.write(|tx| shared::classes::save_class(tx, class, name_key))
    }

    fn adopt_server_daily(&self, guild: GuildId, class: i64) -> Result<(), StoreError> {
        self.write(|tx| shared::classes::adopt_server_daily(tx, guild, class))
    }

    fn remove_class(&self, guild: GuildId, class: i64) -> Result<bool, StoreError> {
        self.write(|tx| shared::classes::remove_class(tx, guild, class))
    }

    fn open_class_season(&self, guild: GuildId, class: i64) -> Result<Option<Season>, StoreError> {
        self.read(|c| shared::classes::open_class_season(&mut Sql(c), guild, class))
    }

    fn start_class_season(
        &self,
        guild: GuildId,
        class: i64,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError> {
        self.write(|tx| shared::classes::start_class_season(tx, guild, class, name, now))
    }

    fn end_class_season(
        &self,
        guild: GuildId,
        class: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<Season>, StoreError> {
        self.write(|tx| shared::classes::end_class_season(tx, guild, class, now))
    }

    fn class_seasons(&self, guild: GuildId, class: i64) -> Result<Vec<Season>, StoreError> {
        self.read(|c| shared::classes::class_seasons(&mut Sql(c), guild, class))
    }

    fn class_report_results(
        &self,
        guild: GuildId,
        class: i64,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        self.read(|c| shared::classes::class_report_results(&mut Sql(c), guild, class, since))
    }
}

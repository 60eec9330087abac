//! [`ClassStore`] for [`PostgresStore`]: the rules of
//! `store::shared::classes` on a connection thread; a change that writes
//! more than one row in one transaction.

use super::*;

impl ClassStore for PostgresStore {
    fn classes(&self, guild: GuildId) -> Result<Vec<Class>, StoreError> {
        self.run(move |s| shared::classes::classes(&mut s.direct(), Some(guild)))
    }

    fn all_classes(&self) -> Result<Vec<Class>, StoreError> {
        self.run(|s| shared::classes::classes(&mut s.direct(), None))
    }

    fn save_class(&self, class: &Class, name_key: &str) -> Result<Class, StoreError> {
        let (class, name_key) = (class.clone(), name_key.to_string());
        self.run(move |s| shared::classes::save_class(&mut s.direct(), &class, &name_key))
    }

    fn adopt_server_daily(&self, guild: GuildId, class: i64) -> Result<(), StoreError> {
        self.run(move |s| s.write(|tx| shared::classes::adopt_server_daily(tx, guild, class)))
    }

    fn remove_class(&self, guild: GuildId, class: i64) -> Result<bool, StoreError> {
        self.run(move |s| s.write(|tx| shared::classes::remove_class(tx, guild, class)))
    }

    fn open_class_season(&self, guild: GuildId, class: i64) -> Result<Option<Season>, StoreError> {
        self.run(move |s| shared::classes::open_class_season(&mut s.direct(), guild, class))
    }

    fn start_class_season(
        &self,
        guild: GuildId,
        class: i64,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError> {
        let name = name.to_string();
        self.run(move |s| {
            shared::classes::start_class_season(&mut s.direct(), guild, class, &name, now)
        })
    }

    fn end_class_season(
        &self,
        guild: GuildId,
        class: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<Season>, StoreError> {
        self.run(move |s| shared::classes::end_class_season(&mut s.direct(), guild, class, now))
    }

    fn class_seasons(&self, guild: GuildId, class: i64) -> Result<Vec<Season>, StoreError> {
        self.run(move |s| shared::classes::class_seasons(&mut s.direct(), guild, class))
    }

    fn class_report_results(
        &self,
        guild: GuildId,
        class: i64,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        self.run(move |s| {
            shared::classes::class_report_results(&mut s.direct(), guild, class, since)
        })
    }
}

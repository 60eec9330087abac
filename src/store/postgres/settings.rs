//! [`SettingsStore`] for [`PostgresStore`]: the rules of
//! `store::shared::settings` on a connection thread, a post's claim in one
//! transaction.

use super::*;

impl SettingsStore for PostgresStore {
    fn settings(&self, guild: GuildId) -> Result<GuildSettings, StoreError> {
        self.run(move |s| shared::settings::settings(&mut s.direct(), guild))
    }

    fn save_settings(
        &self,
        guild: GuildId,
        settings: &GuildSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let settings = settings.clone();
        self.run(move |s| shared::settings::save_settings(&mut s.direct(), guild, &settings, now))
    }

    /// Always asks the database (which skips unchanged names): a cache in one
    /// process could not see names another process wrote.
    fn remember_name(
        &self,
        guild: Option<GuildId>,
        user: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let name = name.to_string();
        self.run(move |s| shared::answers::remember_name(&mut s.direct(), guild, user, &name, now))
    }

    fn scheduled_guilds(&self) -> Result<Vec<(GuildId, GuildSettings)>, StoreError> {
        self.run(|s| shared::settings::scheduled_guilds(&mut s.direct()))
    }

    fn claim_class_post(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<PostClaim, StoreError> {
        let nonce = nonce.to_string();
        self.run(move |s| {
            s.write(|tx| shared::settings::claim_post(tx, guild, class, day, &nonce, now))
        })
    }

    fn mark_class_posted(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
        message: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.run(move |s| {
            shared::settings::mark_posted(&mut s.direct(), guild, class, day, message, now)
        })
    }

    fn set_post_problem(
        &self,
        guild: GuildId,
        problem: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let problem = problem.map(str::to_string);
        self.run(move |s| {
            shared::settings::set_post_problem(&mut s.direct(), guild, problem.as_deref(), now)
        })
    }

    fn post_problem(&self, guild: GuildId) -> Result<Option<String>, StoreError> {
        self.run(move |s| shared::settings::post_problem(&mut s.direct(), guild))
    }
}

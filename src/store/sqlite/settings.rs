//! [`SettingsStore`] for [`SqliteStore`]: the rules of
//! `store::shared::settings` on the writer's connection, a post's claim in
//! one write transaction. What is SQLite's own: display names this process
//! already stored are not written again (one process owns the file, so
//! its cache sees every name).

use super::*;

impl SettingsStore for SqliteStore {
    fn settings(&self, guild: GuildId) -> Result<GuildSettings, StoreError> {
        self.direct(|tx| shared::settings::settings(tx, guild))
    }

    fn save_settings(
        &self,
        guild: GuildId,
        settings: &GuildSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.direct(|tx| shared::settings::save_settings(tx, guild, settings, now))
    }

    fn remember_name(
        &self,
        guild: Option<GuildId>,
        user: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let key = (guild_key(guild), user.0);
        let known = |names: &std::collections::HashMap<(i64, u64), String>| {
            names.get(&key).is_some_and(|n| n == name)
        };
        if known(&self.names.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(());
        }
        self.direct(|tx| shared::answers::remember_name(tx, guild, user, name, now))?;
        self.note_names([(key, name.to_string())]);
        Ok(())
    }

    fn scheduled_guilds(&self) -> Result<Vec<(GuildId, GuildSettings)>, StoreError> {
        self.direct(|tx| shared::settings::scheduled_guilds(tx))
    }

    fn claim_class_post(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<PostClaim, StoreError> {
        self.write(|tx| shared::settings::claim_post(tx, guild, class, day, nonce, now))
    }

    fn mark_class_posted(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
        message: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.direct(|tx| shared::settings::mark_posted(tx, guild, class, day, message, now))
    }

    fn set_post_problem(
        &self,
        guild: GuildId,
        problem: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.direct(|tx| shared::settings::set_post_problem(tx, guild, problem, now))
    }

    fn post_problem(&self, guild: GuildId) -> Result<Option<String>, StoreError> {
        self.direct(|tx| shared::settings::post_problem(tx, guild))
    }
}

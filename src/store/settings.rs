//! Per-guild settings, display names and the daily post's bookkeeping.
//!
//! One part of the [`Store`](super::Store) interface; every backend
//! implements it (`sqlite/settings.rs`, `postgres/settings.rs`). Like the rest of
//! `store` it knows nothing of Discord or of how points are computed.

use super::*;

pub trait SettingsStore: Send + Sync {
    fn settings(&self, guild: GuildId) -> Result<GuildSettings, StoreError>;

    fn save_settings(
        &self,
        guild: GuildId,
        settings: &GuildSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Records the name to show for a user in a guild (latest wins).
    fn remember_name(
        &self,
        guild: Option<GuildId>,
        user: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Guilds that have a daily post channel and time set.
    fn scheduled_guilds(&self) -> Result<Vec<(GuildId, GuildSettings)>, StoreError>;

    /// Claims the daily post of a guild for a day before sending it, so it is
    /// never sent twice (see [`PostClaim`]). `nonce` is stored on a new claim.
    fn claim_post(
        &self,
        guild: GuildId,
        day: NaiveDate,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<PostClaim, StoreError> {
        self.claim_class_post(guild, 0, day, nonce, now)
    }

    /// Records that the daily post was sent as `message`.
    fn mark_posted(
        &self,
        guild: GuildId,
        day: NaiveDate,
        message: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.mark_class_posted(guild, 0, day, message, now)
    }

    /// [`SettingsStore::claim_post`] for a class's post (0: the server's own).
    fn claim_class_post(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<PostClaim, StoreError>;

    /// [`SettingsStore::mark_posted`] for a class's post.
    fn mark_class_posted(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
        message: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Records (or clears, with `None`) a problem with a guild's daily post,
    /// shown to teachers in `/settings show`.
    fn set_post_problem(
        &self,
        guild: GuildId,
        problem: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    fn post_problem(&self, guild: GuildId) -> Result<Option<String>, StoreError>;
}

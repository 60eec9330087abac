//! Uploaded packs, packs turned off, students' reports and disabled questions.
//!
//! One part of the [`Store`](super::Store) interface; every backend
//! implements it (`sqlite/packs.rs`, `postgres/packs.rs`). Like the rest of
//! `store` it knows nothing of Discord or of how points are computed.

use super::*;

pub trait PackStore: Send + Sync {
    /// Stores a student's report of a problem with a question.
    fn add_report(
        &self,
        guild: GuildId,
        user: UserId,
        question: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Report, StoreError>;

    /// A guild's open reports (of questions not disabled), newest first.
    fn open_reports(&self, guild: GuildId, limit: usize) -> Result<Vec<Report>, StoreError>;

    fn report(&self, id: i64) -> Result<Option<Report>, StoreError>;

    /// Stops a question from being asked in a guild.
    fn disable_question(
        &self,
        guild: GuildId,
        question: &str,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The questions disabled in a guild.
    fn disabled_questions(
        &self,
        guild: GuildId,
    ) -> Result<std::collections::HashSet<String>, StoreError>;

    /// The revision of a guild's pack choices (0 if it never changed any):
    /// one indexed read, so it can be checked often.
    fn pack_revision(&self, guild: GuildId) -> Result<i64, StoreError>;

    /// A guild's uploaded packs (oldest first) and turned-off packs.
    fn guild_packs(&self, guild: GuildId) -> Result<GuildPacks, StoreError>;

    /// Stores an uploaded pack for one guild, replacing an earlier upload
    /// with the same pack id. Returns whether it replaced one.
    fn save_pack(&self, guild: GuildId, pack: &UploadedPack) -> Result<bool, StoreError>;

    /// Deletes an uploaded pack (and its on/off choice). Returns whether it existed.
    fn remove_pack(&self, guild: GuildId, pack_id: &str) -> Result<bool, StoreError>;

    /// Turns a pack's questions on or off in a guild. Returns whether that
    /// changed anything.
    fn set_pack_active(
        &self,
        guild: GuildId,
        pack_id: &str,
        active: bool,
    ) -> Result<bool, StoreError>;
}

//! Removing a student, deleting a user everywhere, and guilds the bot left (deleted after their grace period).
//!
//! One part of the [`Store`](super::Store) interface; every backend
//! implements it (`sqlite/privacy.rs`, `postgres/privacy.rs`). Like the rest of
//! `store` it knows nothing of Discord or of how points are computed.

use super::*;

pub trait PrivacyStore: Send + Sync {
    /// Deletes one student's answers, totals, streak and name in a guild, in
    /// one transaction, keeping every leaderboard and tally consistent.
    fn remove_student(&self, guild: GuildId, user: UserId) -> Result<Removed, StoreError>;

    /// Deletes everything stored about a user in every guild and in direct
    /// messages (answers, scores, streaks, names, review cards), in one
    /// transaction per guild. Returns what went and from how many guilds.
    fn delete_user(&self, user: UserId) -> Result<(Removed, u64), StoreError>;

    /// Every guild with anything stored (settings, names, scores), except
    /// those already marked as left.
    fn known_guilds(&self) -> Result<Vec<GuildId>, StoreError>;

    /// Notes that the bot was removed from a guild (kept: the first time).
    fn guild_left(&self, guild: GuildId, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// Notes that the bot is in a guild again: its data is kept after all.
    /// Returns whether the guild had been marked as left.
    fn guild_returned(&self, guild: GuildId) -> Result<bool, StoreError>;

    /// Guilds the bot left before `cutoff` (their grace period is over).
    fn guilds_left_before(&self, cutoff: DateTime<Utc>) -> Result<Vec<GuildId>, StoreError>;

    /// Deletes everything stored for a guild, in one transaction: settings,
    /// names, questions, answers, scores, seasons, competitions, reports,
    /// packs, and students' review cards of its packs' questions. Returns
    /// how many rows went.
    fn delete_guild(&self, guild: GuildId) -> Result<u64, StoreError>;
}

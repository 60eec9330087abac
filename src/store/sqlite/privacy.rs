//! [`PrivacyStore`] for [`SqliteStore`]: the rules of `store::shared::privacy`
//! in SQLite's transactions, and the name cache kept in step with what
//! they delete.

use super::*;

impl PrivacyStore for SqliteStore {
    fn delete_user(&self, user: UserId) -> Result<(Removed, u64), StoreError> {
        let guilds = self.direct(|tx| shared::privacy::guilds_of(tx, user))?;
        let mut total = Removed::default();
        for guild in &guilds {
            let removed = self.remove_student(*guild, user)?;
            total.answers += removed.answers;
            total.competition_answers += removed.competition_answers;
            total.totals += removed.totals;
        }
        total.answers += self.write(|tx| shared::privacy::forget_direct(tx, user))?;
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(_, who), _| *who != user.0);
        Ok((total, guilds.len() as u64))
    }

    fn remove_student(&self, guild: GuildId, user: UserId) -> Result<Removed, StoreError> {
        let removed = self.write(|tx| shared::privacy::remove_student(tx, guild, user))?;
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(guild.0 as i64, user.0));
        Ok(removed)
    }

    fn known_guilds(&self) -> Result<Vec<GuildId>, StoreError> {
        self.direct(|tx| shared::privacy::known_guilds(tx))
    }

    fn guild_left(&self, guild: GuildId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.direct(|tx| shared::privacy::guild_left(tx, guild, at))
    }

    fn guild_returned(&self, guild: GuildId) -> Result<bool, StoreError> {
        self.direct(|tx| shared::privacy::guild_returned(tx, guild))
    }

    fn guilds_left_before(&self, cutoff: DateTime<Utc>) -> Result<Vec<GuildId>, StoreError> {
        self.direct(|tx| shared::privacy::guilds_left_before(tx, cutoff))
    }

    fn delete_guild(&self, guild: GuildId) -> Result<u64, StoreError> {
        let deleted = self.write(|tx| shared::privacy::delete_guild(tx, guild))?;
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(g, _), _| *g != guild.0 as i64);
        Ok(deleted)
    }
}

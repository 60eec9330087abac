//! [`PrivacyStore`] for [`PostgresStore`]: the rules of
//! `store::shared::privacy`, each in one transaction on a connection thread.

use super::*;

impl PrivacyStore for PostgresStore {
    fn remove_student(&self, guild: GuildId, user: UserId) -> Result<Removed, StoreError> {
        self.run(move |s| s.write(|tx| shared::privacy::remove_student(tx, guild, user)))
    }

    fn delete_user(&self, user: UserId) -> Result<(Removed, u64), StoreError> {
        let guilds = self.run(move |s| shared::privacy::guilds_of(&mut s.direct(), user))?;
        let mut total = Removed::default();
        for guild in &guilds {
            let removed = self.remove_student(*guild, user)?;
            total.answers += removed.answers;
            total.competition_answers += removed.competition_answers;
            total.totals += removed.totals;
        }
        total.answers +=
            self.run(move |s| s.write(|tx| shared::privacy::forget_direct(tx, user)))?;
        Ok((total, guilds.len() as u64))
    }

    fn known_guilds(&self) -> Result<Vec<GuildId>, StoreError> {
        self.run(|s| shared::privacy::known_guilds(&mut s.direct()))
    }

    fn guild_left(&self, guild: GuildId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.run(move |s| shared::privacy::guild_left(&mut s.direct(), guild, at))
    }

    fn guild_returned(&self, guild: GuildId) -> Result<bool, StoreError> {
        self.run(move |s| shared::privacy::guild_returned(&mut s.direct(), guild))
    }

    fn guilds_left_before(&self, cutoff: DateTime<Utc>) -> Result<Vec<GuildId>, StoreError> {
        self.run(move |s| shared::privacy::guilds_left_before(&mut s.direct(), cutoff))
    }

    fn delete_guild(&self, guild: GuildId) -> Result<u64, StoreError> {
        self.run(move |s| s.write(|tx| shared::privacy::delete_guild(tx, guild)))
    }
}

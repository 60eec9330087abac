//! [`PackStore`] for [`SqliteStore`]: the rules of `store::shared::packs`,
//! a change to a server's packs in one write transaction, the packs with
//! their revision on a reader beside the writer (one read transaction,
//! see [`SqliteStore::read`]), the rest on the writer's connection.

use super::*;
use shared::packs::UploadOrder;

impl PackStore for SqliteStore {
    fn add_report(
        &self,
        guild: GuildId,
        user: UserId,
        question: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Report, StoreError> {
        self.direct(|tx| shared::packs::add_report(tx, guild, user, question, text, now))
    }

    fn open_reports(&self, guild: GuildId, limit: usize) -> Result<Vec<Report>, StoreError> {
        self.direct(|tx| shared::packs::open_reports(tx, guild, limit))
    }

    fn report(&self, id: i64) -> Result<Option<Report>, StoreError> {
        self.direct(|tx| shared::packs::report(tx, id))
    }

    fn disable_question(
        &self,
        guild: GuildId,
        question: &str,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.direct(|tx| shared::packs::disable_question(tx, guild, question, by, now))
    }

    fn disabled_questions(
        &self,
        guild: GuildId,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        self.direct(|tx| shared::packs::disabled_questions(tx, guild))
    }

    fn pack_revision(&self, guild: GuildId) -> Result<i64, StoreError> {
        self.direct(|tx| shared::packs::pack_revision(tx, guild))
    }

    fn guild_packs(&self, guild: GuildId) -> Result<GuildPacks, StoreError> {
        self.read(|c| shared::packs::guild_packs(&mut Sql(c), guild, UploadOrder::RowId))
    }

    fn save_pack(&self, guild: GuildId, pack: &UploadedPack) -> Result<bool, StoreError> {
        self.write(|tx| shared::packs::save_pack(tx, guild, pack))
    }

    fn remove_pack(&self, guild: GuildId, pack_id: &str) -> Result<bool, StoreError> {
        self.write(|tx| shared::packs::remove_pack(tx, guild, pack_id))
    }

    fn set_pack_active(
        &self,
        guild: GuildId,
        pack_id: &str,
        active: bool,
    ) -> Result<bool, StoreError> {
        self.write(|tx| shared::packs::set_pack_active(tx, guild, pack_id, active))
    }
}

//! [`PackStore`] for [`PostgresStore`]: the rules of `store::shared::packs`
//! on a connection thread, a change to a server's packs in one
//! transaction, the packs with their revision in one read-only snapshot.

use super::*;
use shared::packs::UploadOrder;

impl PackStore for PostgresStore {
    fn add_report(
        &self,
        guild: GuildId,
        user: UserId,
        question: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Report, StoreError> {
        let (question, text) = (question.to_string(), text.to_string());
        self.run(move |s| {
            shared::packs::add_report(&mut s.direct(), guild, user, &question, &text, now)
        })
    }

    fn open_reports(&self, guild: GuildId, limit: usize) -> Result<Vec<Report>, StoreError> {
        self.run(move |s| shared::packs::open_reports(&mut s.direct(), guild, limit))
    }

    fn report(&self, id: i64) -> Result<Option<Report>, StoreError> {
        self.run(move |s| shared::packs::report(&mut s.direct(), id))
    }

    fn disable_question(
        &self,
        guild: GuildId,
        question: &str,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let question = question.to_string();
        self.run(move |s| {
            shared::packs::disable_question(&mut s.direct(), guild, &question, by, now)
        })
    }

    fn disabled_questions(
        &self,
        guild: GuildId,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        self.run(move |s| shared::packs::disabled_questions(&mut s.direct(), guild))
    }

    fn pack_revision(&self, guild: GuildId) -> Result<i64, StoreError> {
        self.run(move |s| shared::packs::pack_revision(&mut s.direct(), guild))
    }

    fn guild_packs(&self, guild: GuildId) -> Result<GuildPacks, StoreError> {
        self.run(move |s| s.snapshot(|tx| shared::packs::guild_packs(tx, guild, UploadOrder::Id)))
    }

    fn save_pack(&self, guild: GuildId, pack: &UploadedPack) -> Result<bool, StoreError> {
        let pack = pack.clone();
        self.run(move |s| s.write(|tx| shared::packs::save_pack(tx, guild, &pack)))
    }

    fn remove_pack(&self, guild: GuildId, pack_id: &str) -> Result<bool, StoreError> {
        let pack_id = pack_id.to_string();
        self.run(move |s| s.write(|tx| shared::packs::remove_pack(tx, guild, &pack_id)))
    }

    fn set_pack_active(
        &self,
        guild: GuildId,
        pack_id: &str,
        active: bool,
    ) -> Result<bool, StoreError> {
        let pack_id = pack_id.to_string();
        self.run(move |s| s.write(|tx| shared::packs::set_pack_active(tx, guild, &pack_id, active)))
    }
}

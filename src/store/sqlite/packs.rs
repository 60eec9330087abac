//! [`PackStore`] for [`SqliteStore`]: uploaded packs, packs turned off, students' reports and disabled questions.

use super::*;

impl PackStore for SqliteStore {
    fn add_report(
        &self,
        guild: GuildId,
        user: UserId,
        question: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Report, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO reports (guild_id, user_id, question, text, reported_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![guild.0 as i64, user.0 as i64, question, text, ts(now)])?;
            Ok(Report {
                id: c.last_insert_rowid(),
                guild,
                user,
                question: question.to_string(),
                text: text.to_string(),
                at: now,
            })
        })
    }

    fn open_reports(&self, guild: GuildId, limit: usize) -> Result<Vec<Report>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, guild_id, user_id, question, text, reported_at FROM reports r
                 WHERE guild_id = ?1 AND NOT EXISTS
                     (SELECT 1 FROM disabled_questions d WHERE d.guild_id = r.guild_id AND d.question = r.question)
                 ORDER BY id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![guild.0 as i64, limit as i64], report_row)?;
            rows.collect()
        })
    }

    fn report(&self, id: i64) -> Result<Option<Report>, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT id, guild_id, user_id, question, text, reported_at FROM reports WHERE id = ?1",
            )?
            .query_row(params![id], report_row)
            .optional()
        })
    }

    fn disable_question(
        &self,
        guild: GuildId,
        question: &str,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO disabled_questions (guild_id, question, disabled_by, disabled_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![guild.0 as i64, question, by.0 as i64, ts(now)])
            .map(|_| ())
        })
    }

    fn disabled_questions(
        &self,
        guild: GuildId,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        self.with(|c| {
            let mut stmt =
                c.prepare_cached("SELECT question FROM disabled_questions WHERE guild_id = ?1")?;
            let rows = stmt.query_map(params![guild.0 as i64], |r| r.get(0))?;
            rows.collect()
        })
    }

    fn pack_revision(&self, guild: GuildId) -> Result<i64, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT revision FROM pack_revisions WHERE guild_id = ?1")?
                .query_row(params![guild.0 as i64], |r| r.get(0))
                .optional()
                .map(|r| r.unwrap_or(0))
        })
    }

    fn guild_packs(&self, guild: GuildId) -> Result<GuildPacks, StoreError> {
        let g = guild.0 as i64;
        self.with(|c| {
            // One read transaction, so the revision matches what is read with it.
            let tx = c.transaction()?;
            let revision = tx
                .prepare_cached("SELECT revision FROM pack_revisions WHERE guild_id = ?1")?
                .query_row(params![g], |r| r.get(0))
                .optional()?
                .unwrap_or(0);
            let uploads = tx
                .prepare_cached(
                    "SELECT pack_id, file_name, text, items, uploaded_by, uploaded_at
                     FROM uploaded_packs WHERE guild_id = ?1 ORDER BY rowid",
                )?
                .query_map(params![g], |r| {
                    Ok(UploadedPack {
                        pack_id: r.get(0)?,
                        file_name: r.get(1)?,
                        text: r.get(2)?,
                        items: r.get::<_, i64>(3)? as u64,
                        by: UserId(r.get::<_, i64>(4)? as u64),
                        at: parse_ts(&r.get::<_, String>(5)?),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let turned_off = tx
                .prepare_cached("SELECT pack_id FROM packs_turned_off WHERE guild_id = ?1")?
                .query_map(params![g], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(GuildPacks {
                revision,
                uploads,
                turned_off,
            })
        })
    }

    fn save_pack(&self, guild: GuildId, pack: &UploadedPack) -> Result<bool, StoreError> {
        let g = guild.0 as i64;
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let replaced = tx
                .prepare_cached("DELETE FROM uploaded_packs WHERE guild_id = ?1 AND pack_id = ?2")?
                .execute(params![g, pack.pack_id])?
                > 0;
            tx.prepare_cached(
                "INSERT INTO uploaded_packs (guild_id, pack_id, file_name, text, items, uploaded_by, uploaded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                g,
                pack.pack_id,
                pack.file_name,
                pack.text,
                pack.items as i64,
                pack.by.0 as i64,
                ts(pack.at)
            ])?;
            bump_pack_revision(&tx, g)?;
            tx.commit()?;
            Ok(replaced)
        })
    }

    fn remove_pack(&self, guild: GuildId, pack_id: &str) -> Result<bool, StoreError> {
        let g = guild.0 as i64;
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let removed = tx
                .prepare_cached("DELETE FROM uploaded_packs WHERE guild_id = ?1 AND pack_id = ?2")?
                .execute(params![g, pack_id])?
                > 0;
            if removed {
                tx.prepare_cached(
                    "DELETE FROM packs_turned_off WHERE guild_id = ?1 AND pack_id = ?2",
                )?
                .execute(params![g, pack_id])?;
                bump_pack_revision(&tx, g)?;
            }
            tx.commit()?;
            Ok(removed)
        })
    }

    fn set_pack_active(
        &self,
        guild: GuildId,
        pack_id: &str,
        active: bool,
    ) -> Result<bool, StoreError> {
        let g = guild.0 as i64;
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = if active {
                tx.prepare_cached(
                    "DELETE FROM packs_turned_off WHERE guild_id = ?1 AND pack_id = ?2",
                )?
                .execute(params![g, pack_id])?
            } else {
                tx.prepare_cached(
                    "INSERT INTO packs_turned_off (guild_id, pack_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                )?
                .execute(params![g, pack_id])?
            } > 0;
            if changed {
                bump_pack_revision(&tx, g)?;
            }
            tx.commit()?;
            Ok(changed)
        })
    }
}

//! [`PackStore`] for [`PostgresStore`]: uploaded packs, packs turned off, students' reports and disabled questions.

use super::*;

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
            let id: i64 = s
                .direct()
                .returning_one(
                    "INSERT INTO reports (guild_id, user_id, question, text, reported_at) VALUES ($1, $2, $3, $4, $5)
                     RETURNING id",
                    &[
                        &(guild.0 as i64),
                        &(user.0 as i64),
                        &question,
                        &typed(&text),
                        &micros(now),
                    ],
                )?
                .try_get(0)?;
            Ok(Report {
                id,
                guild,
                user,
                question: question.clone(),
                text: text.clone(),
                at: now,
            })
        })
    }

    fn open_reports(&self, guild: GuildId, limit: usize) -> Result<Vec<Report>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT id, guild_id, user_id, question, text, reported_at FROM reports r
                     WHERE guild_id = $1 AND NOT EXISTS
                         (SELECT 1 FROM disabled_questions d WHERE d.guild_id = r.guild_id AND d.question = r.question)
                     ORDER BY id DESC LIMIT $2",
                    &[&(guild.0 as i64), &sql_limit(limit)],
                )?
                .iter()
                .map(report_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn report(&self, id: i64) -> Result<Option<Report>, StoreError> {
        self.run(move |s| {
            s.direct()
                .row_opt(
                    "SELECT id, guild_id, user_id, question, text, reported_at FROM reports WHERE id = $1",
                    &[&id], report_row)
                .map_err(PgError::from)
        })
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
            s.direct().execute(
                "INSERT INTO disabled_questions (guild_id, question, disabled_by, disabled_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
                &[&(guild.0 as i64), &question, &(by.0 as i64), &micros(now)],
            )?;
            Ok(())
        })
    }

    fn disabled_questions(
        &self,
        guild: GuildId,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT question FROM disabled_questions WHERE guild_id = $1",
                    &[&(guild.0 as i64)],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn pack_revision(&self, guild: GuildId) -> Result<i64, StoreError> {
        self.run(move |s| {
            Ok(s.direct()
                .row_opt(
                    "SELECT revision FROM pack_revisions WHERE guild_id = $1",
                    &[&(guild.0 as i64)],
                    |r| r.try_get(0),
                )?
                .unwrap_or(0))
        })
    }

    fn guild_packs(&self, guild: GuildId) -> Result<GuildPacks, StoreError> {
        self.run(move |s| {
            // One snapshot, so the revision matches what is read with it.
            s.snapshot(|tx| {
                let g = guild.0 as i64;
                let revision = tx
                    .row_opt(
                        "SELECT revision FROM pack_revisions WHERE guild_id = $1",
                        &[&g],
                        |r| r.try_get(0),
                    )?
                    .unwrap_or(0);
                let uploads = tx
                    .query(
                        "SELECT pack_id, file_name, text, items, uploaded_by, uploaded_at
                         FROM uploaded_packs WHERE guild_id = $1 ORDER BY id",
                        &[&g],
                    )?
                    .iter()
                    .map(|r| {
                        Ok(UploadedPack {
                            pack_id: r.try_get(0)?,
                            file_name: typed_text(r, 1)?,
                            text: r.try_get(2)?,
                            items: r.try_get::<_, i64>(3)? as u64,
                            by: UserId(r.try_get::<_, i64>(4)? as u64),
                            at: r.try_get(5)?,
                        })
                    })
                    .collect::<Result<_, pg::Error>>()?;
                let turned_off = tx
                    .query(
                        "SELECT pack_id FROM packs_turned_off WHERE guild_id = $1",
                        &[&g],
                    )?
                    .iter()
                    .map(|r| r.try_get(0))
                    .collect::<Result<_, _>>()?;
                Ok(GuildPacks {
                    revision,
                    uploads,
                    turned_off,
                })
            })
        })
    }

    fn save_pack(&self, guild: GuildId, pack: &UploadedPack) -> Result<bool, StoreError> {
        let pack = pack.clone();
        self.run(move |s| {
            s.write(|tx| {
                let g = guild.0 as i64;
                // Bumped first: the revision row's lock queues two processes
                // saving the same pack, so the delete and insert below never
                // race each other.
                bump_pack_revision(tx, g)?;
                // Delete and insert rather than update: a replaced pack moves
                // to the end of the upload order, as in SQLite.
                let replaced = tx.execute(
                    "DELETE FROM uploaded_packs WHERE guild_id = $1 AND pack_id = $2",
                    &[&g, &pack.pack_id],
                )? > 0;
                tx.execute(
                    "INSERT INTO uploaded_packs (guild_id, pack_id, file_name, text, items, uploaded_by, uploaded_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        &g,
                        &pack.pack_id,
                        &typed(&pack.file_name),
                        &pack.text,
                        &(pack.items as i64),
                        &(pack.by.0 as i64),
                        &micros(pack.at),
                    ],
                )?;
                Ok(replaced)
            })
        })
    }

    fn remove_pack(&self, guild: GuildId, pack_id: &str) -> Result<bool, StoreError> {
        let pack_id = pack_id.to_string();
        self.run(move |s| {
            s.write(|tx| {
                let g = guild.0 as i64;
                let removed = tx.execute(
                    "DELETE FROM uploaded_packs WHERE guild_id = $1 AND pack_id = $2",
                    &[&g, &pack_id],
                )? > 0;
                if removed {
                    tx.execute(
                        "DELETE FROM packs_turned_off WHERE guild_id = $1 AND pack_id = $2",
                        &[&g, &pack_id],
                    )?;
                    bump_pack_revision(tx, g)?;
                }
                Ok(removed)
            })
        })
    }

    fn set_pack_active(
        &self,
        guild: GuildId,
        pack_id: &str,
        active: bool,
    ) -> Result<bool, StoreError> {
        let pack_id = pack_id.to_string();
        self.run(move |s| {
            s.write(|tx| {
                let g = guild.0 as i64;
                let changed = if active {
                    tx.execute(
                        "DELETE FROM packs_turned_off WHERE guild_id = $1 AND pack_id = $2",
                        &[&g, &pack_id],
                    )?
                } else {
                    tx.execute(
                        "INSERT INTO packs_turned_off (guild_id, pack_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        &[&g, &pack_id],
                    )?
                } > 0;
                if changed {
                    bump_pack_revision(tx, g)?;
                }
                Ok(changed)
            })
        })
    }
}

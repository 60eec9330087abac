//! [`SettingsStore`] for [`SqliteStore`]: per-guild settings, display names and the daily post's bookkeeping.

use super::*;

/// The settings columns, in the order [`settings_row`] reads them.
macro_rules! settings_columns {
    () => {
        "timezone, channel_id, post_time, post_days, ping_role_id, teacher_role_id, competitions_teachers_only"
    };
}

/// A guild's settings from [`settings_columns`] starting at column `at`.
fn settings_row(r: &rusqlite::Row, at: usize) -> rusqlite::Result<GuildSettings> {
    Ok(GuildSettings {
        timezone: r.get(at)?,
        channel: r.get::<_, Option<i64>>(at + 1)?.map(|v| v as u64),
        post_time: r.get(at + 2)?,
        post_days: r
            .get::<_, Option<String>>(at + 3)?
            .map(|d| d.split(',').filter_map(|n| n.parse().ok()).collect()),
        ping_role: r.get::<_, Option<i64>>(at + 4)?.map(|v| v as u64),
        teacher_role: r.get::<_, Option<i64>>(at + 5)?.map(|v| v as u64),
        competitions_teachers_only: r.get::<_, i64>(at + 6)? != 0,
    })
}

impl SettingsStore for SqliteStore {
    fn settings(&self, guild: GuildId) -> Result<GuildSettings, StoreError> {
        self.with(|c| {
            c.prepare_cached(concat!(
                "SELECT guild_id, ",
                settings_columns!(),
                " FROM guild_settings WHERE guild_id = ?1"
            ))?
            .query_row(params![guild.0 as i64], |r| settings_row(r, 1))
            .optional()
            .map(Option::unwrap_or_default)
        })
    }

    fn save_settings(
        &self,
        guild: GuildId,
        s: &GuildSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let days = s
            .post_days
            .as_ref()
            .map(|d| d.iter().map(u8::to_string).collect::<Vec<_>>().join(","));
        self.with(|c| {
            c.prepare_cached("INSERT INTO guild_settings (guild_id, timezone, channel_id, post_time, post_days, ping_role_id, teacher_role_id, updated_at, competitions_teachers_only)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (guild_id) DO UPDATE SET timezone = ?2, channel_id = ?3, post_time = ?4, post_days = ?5,
                     ping_role_id = ?6, teacher_role_id = ?7, updated_at = ?8, competitions_teachers_only = ?9")?.execute(
                params![
                    guild.0 as i64,
                    s.timezone,
                    s.channel.map(|v| v as i64),
                    s.post_time,
                    days,
                    s.ping_role.map(|v| v as i64),
                    s.teacher_role.map(|v| v as i64),
                    ts(now),
                    s.competitions_teachers_only as i64
                ],
            )
            .map(|_| ())
        })
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
        self.with(|c| shared::answers::remember_name(&mut Sql(c), guild, user, name, now))?;
        self.note_names([(key, name.to_string())]);
        Ok(())
    }

    fn scheduled_guilds(&self) -> Result<Vec<(GuildId, GuildSettings)>, StoreError> {
        // One query for every guild, as PostgreSQL's store does.
        self.with(|c| {
            let mut stmt = c.prepare_cached(concat!(
                "SELECT guild_id, ",
                settings_columns!(),
                " FROM guild_settings WHERE channel_id IS NOT NULL AND post_time IS NOT NULL ORDER BY guild_id"
            ))?;
            let rows = stmt.query_map([], |r| {
                Ok((GuildId(r.get::<_, i64>(0)? as u64), settings_row(r, 1)?))
            })?;
            rows.collect()
        })
    }

    fn claim_class_post(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<PostClaim, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let existing: Option<(String, Option<i64>)> = tx
                .prepare_cached("SELECT nonce, message_id FROM daily_posts WHERE guild_id = ?1 AND day = ?2 AND class_id = ?3")?.query_row(
                    params![guild.0 as i64, day.to_string(), class],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let claim = match existing {
                Some((_, Some(message))) => PostClaim::Sent { message: message as u64 },
                Some((nonce, None)) => PostClaim::Pending { nonce },
                None => {
                    tx.prepare_cached("INSERT INTO daily_posts (guild_id, day, nonce, updated_at, class_id) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(
                        params![guild.0 as i64, day.to_string(), nonce, ts(now), class],
                    )?;
                    PostClaim::New
                }
            };
            tx.commit()?;
            Ok(claim)
        })
    }

    fn mark_class_posted(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
        message: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached("UPDATE daily_posts SET message_id = ?3, updated_at = ?4 WHERE guild_id = ?1 AND day = ?2 AND class_id = ?5")?.execute(
                params![guild.0 as i64, day.to_string(), message as i64, ts(now), class],
            )
            .map(|_| ())
        })
    }

    fn set_post_problem(
        &self,
        guild: GuildId,
        problem: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached("INSERT INTO guild_settings (guild_id, post_problem, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (guild_id) DO UPDATE SET post_problem = ?2, updated_at = ?3")?.execute(
                params![guild.0 as i64, problem, ts(now)],
            )
            .map(|_| ())
        })
    }

    fn post_problem(&self, guild: GuildId) -> Result<Option<String>, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT post_problem FROM guild_settings WHERE guild_id = ?1")?
                .query_row(params![guild.0 as i64], |r| r.get(0))
                .optional()
                .map(Option::flatten)
        })
    }
}

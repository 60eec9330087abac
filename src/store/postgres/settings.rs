//! [`SettingsStore`] for [`PostgresStore`]: per-guild settings, display names and the daily post's bookkeeping.

use super::*;

impl SettingsStore for PostgresStore {
    fn settings(&self, guild: GuildId) -> Result<GuildSettings, StoreError> {
        self.run(move |s| {
            let row = s
                .direct()
                .query_opt(SETTINGS_OF_GUILD, &[&(guild.0 as i64)])?;
            Ok(match row {
                Some(r) => settings_row(&r, 0)?,
                None => GuildSettings::default(),
            })
        })
    }

    fn save_settings(
        &self,
        guild: GuildId,
        settings: &GuildSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let s = settings.clone();
        self.run(move |session| {
            let days: Option<Vec<i16>> = s
                .post_days
                .as_ref()
                .map(|d| d.iter().map(|&day| i16::from(day)).collect());
            session.direct().execute(
                "INSERT INTO guild_settings (guild_id, timezone, channel_id, post_time, post_days, ping_role_id, teacher_role_id, updated_at, competitions_teachers_only)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (guild_id) DO UPDATE SET timezone = EXCLUDED.timezone, channel_id = EXCLUDED.channel_id,
                     post_time = EXCLUDED.post_time, post_days = EXCLUDED.post_days, ping_role_id = EXCLUDED.ping_role_id,
                     teacher_role_id = EXCLUDED.teacher_role_id, updated_at = EXCLUDED.updated_at,
                     competitions_teachers_only = EXCLUDED.competitions_teachers_only",
                &[
                    &(guild.0 as i64),
                    &s.timezone,
                    &s.channel.map(|v| v as i64),
                    &s.post_time,
                    &days,
                    &s.ping_role.map(|v| v as i64),
                    &s.teacher_role.map(|v| v as i64),
                    &micros(now),
                    &s.competitions_teachers_only,
                ],
            )?;
            Ok(())
        })
    }

    /// Always asks the database (which skips unchanged names): a cache in one
    /// process could not see names another process wrote.
    fn remember_name(
        &self,
        guild: Option<GuildId>,
        user: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let name = name.to_string();
        self.run(move |s| shared::answers::remember_name(&mut s.direct(), guild, user, &name, now))
    }

    fn scheduled_guilds(&self) -> Result<Vec<(GuildId, GuildSettings)>, StoreError> {
        self.run(|s| {
            s.direct()
                .query(
                    "SELECT guild_id, timezone, channel_id, post_time, post_days, ping_role_id, teacher_role_id, competitions_teachers_only
                     FROM guild_settings WHERE channel_id IS NOT NULL AND post_time IS NOT NULL ORDER BY guild_id",
                    &[],
                )?
                .iter()
                .map(|r| Ok((GuildId(r.try_get::<_, i64>(0)? as u64), settings_row(r, 1)?)))
                .collect()
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
        let nonce = nonce.to_string();
        self.run(move |s| {
            s.write(|tx| {
                let g = guild.0 as i64;
                let claimed = tx.execute(
                    "INSERT INTO daily_posts (guild_id, day, nonce, updated_at, class_id) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT DO NOTHING",
                    &[&g, &day, &nonce, &micros(now), &class],
                )?;
                if claimed == 1 {
                    return Ok(PostClaim::New);
                }
                let row = tx.query_one(
                    "SELECT nonce, message_id FROM daily_posts WHERE guild_id = $1 AND day = $2 AND class_id = $3",
                    &[&g, &day, &class],
                )?;
                Ok(match row.try_get::<_, Option<i64>>(1)? {
                    Some(message) => PostClaim::Sent {
                        message: message as u64,
                    },
                    None => PostClaim::Pending {
                        nonce: row.try_get(0)?,
                    },
                })
            })
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
        self.run(move |s| {
            s.direct().execute(
                "UPDATE daily_posts SET message_id = $3, updated_at = $4 WHERE guild_id = $1 AND day = $2 AND class_id = $5",
                &[&(guild.0 as i64), &day, &(message as i64), &micros(now), &class],
            )?;
            Ok(())
        })
    }

    fn set_post_problem(
        &self,
        guild: GuildId,
        problem: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let problem = problem.map(str::to_string);
        self.run(move |s| {
            s.direct().execute(
                "INSERT INTO guild_settings (guild_id, post_problem, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (guild_id) DO UPDATE SET post_problem = EXCLUDED.post_problem, updated_at = EXCLUDED.updated_at",
                &[&(guild.0 as i64), &problem, &micros(now)],
            )?;
            Ok(())
        })
    }

    fn post_problem(&self, guild: GuildId) -> Result<Option<String>, StoreError> {
        self.run(move |s| {
            Ok(s.direct()
                .row_opt(
                    "SELECT post_problem FROM guild_settings WHERE guild_id = $1",
                    &[&(guild.0 as i64)],
                    |r| r.try_get::<_, Option<String>>(0),
                )?
                .flatten())
        })
    }
}

//! [`ClassStore`] for [`PostgresStore`]: a server's classes, their own
//! seasons and their report. Lists (days, paused dates, packs, tags) are
//! kept as comma-separated text; names are BYTEA, as all text people type.

use super::*;

macro_rules! class_columns {
    () => {
        "id, guild_id, name, channel_id, role_id, teacher_role_id, post_time, timezone, post_days, paused, packs, tags, ping_role_id"
    };
}

/// A list as its text column keeps it: comma-separated.
fn list_text<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn list_from<T: std::str::FromStr>(text: &str) -> Vec<T> {
    text.split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .filter_map(|i| i.parse().ok())
        .collect()
}

fn class_row(r: &Row) -> Result<Class, pg::Error> {
    let id = |i: usize| r.try_get::<_, Option<i64>>(i).map(|v| v.map(|v| v as u64));
    Ok(Class {
        id: r.try_get(0)?,
        guild: GuildId(r.try_get::<_, i64>(1)? as u64),
        name: typed_text(r, 2)?,
        channel: r.try_get::<_, i64>(3)? as u64,
        role: id(4)?,
        teacher_role: id(5)?,
        settings: ClassSettings {
            post_time: r.try_get(6)?,
            timezone: r.try_get(7)?,
            post_days: r.try_get::<_, Option<&str>>(8)?.map(list_from),
            paused: list_from(r.try_get::<_, &str>(9)?).into_iter().collect(),
            packs: list_from(r.try_get::<_, &str>(10)?),
            tags: list_from(r.try_get::<_, &str>(11)?),
            ping_role: id(12)?,
        },
    })
}

impl ClassStore for PostgresStore {
    fn classes(&self, guild: GuildId) -> Result<Vec<Class>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    concat!(
                        "SELECT ",
                        class_columns!(),
                        " FROM classes WHERE guild_id = $1 ORDER BY id"
                    ),
                    &[&(guild.0 as i64)],
                )?
                .iter()
                .map(class_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn all_classes(&self) -> Result<Vec<Class>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    concat!(
                        "SELECT ",
                        class_columns!(),
                        " FROM classes ORDER BY guild_id, id"
                    ),
                    &[],
                )?
                .iter()
                .map(class_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn save_class(&self, class: &Class, name_key: &str) -> Result<Class, StoreError> {
        let class = class.clone();
        let name_key = name_key.to_string();
        self.run(move |s| {
            let c = &class;
            let st = &c.settings;
            let days = st.post_days.as_deref().map(list_text);
            let paused = list_text(&st.paused.iter().collect::<Vec<_>>());
            let (packs, tags) = (st.packs.join(","), st.tags.join(","));
            let (guild, channel) = (c.guild.0 as i64, c.channel as i64);
            let (role, teacher_role, ping_role) = (
                c.role.map(|r| r as i64),
                c.teacher_role.map(|r| r as i64),
                st.ping_role.map(|r| r as i64),
            );
            let values: [&(dyn pg::types::ToSql + Sync); 13] = [
                &guild,
                &typed(&c.name),
                &typed(&name_key),
                &channel,
                &role,
                &teacher_role,
                &st.post_time,
                &st.timezone,
                &days,
                &paused,
                &packs,
                &tags,
                &ping_role,
            ];
            let id = if c.id == 0 {
                s.direct()
                    .returning_one(
                        "INSERT INTO classes (guild_id, name, name_key, channel_id, role_id, teacher_role_id, post_time, timezone, post_days, paused, packs, tags, ping_role_id)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                        &values,
                    )?
                    .try_get(0)?
            } else {
                let mut all = values.to_vec();
                all.push(&c.id);
                s.direct().execute(
                    "UPDATE classes SET name = $2, name_key = $3, channel_id = $4, role_id = $5, teacher_role_id = $6, post_time = $7, timezone = $8,
                     post_days = $9, paused = $10, packs = $11, tags = $12, ping_role_id = $13 WHERE id = $14 AND guild_id = $1",
                    &all,
                )?;
                c.id
            };
            Ok(Class { id, ..class.clone() })
        })
    }

    fn adopt_server_daily(&self, guild: GuildId, class: i64) -> Result<(), StoreError> {
        let prefix = crate::store::class_period(class, "");
        self.run(move |s| {
            s.write(|tx| {
                let g = guild.0 as i64;
                tx.execute(
                    "UPDATE instances SET class_id = $2 WHERE kind = 'daily' AND guild_id = $1 AND class_id = 0",
                    &[&g, &class],
                )?;
                tx.execute(
                    "UPDATE daily_posts SET class_id = $2 WHERE guild_id = $1 AND class_id = 0",
                    &[&g, &class],
                )?;
                tx.execute(
                    "INSERT INTO totals (guild_id, period, user_id, points, answered, correct)
                     SELECT guild_id, $2 || period, user_id, points, answered, correct FROM totals
                     WHERE guild_id = $1 AND period NOT LIKE 'class:%'",
                    &[&g, &prefix],
                )?;
                tx.execute(
                    "INSERT INTO period_players (guild_id, period, players)
                     SELECT guild_id, $2 || period, players FROM period_players
                     WHERE guild_id = $1 AND period NOT LIKE 'class:%'",
                    &[&g, &prefix],
                )?;
                tx.execute(
                    "INSERT INTO score_counts (guild_id, period, points, users)
                     SELECT guild_id, $2 || period, points, users FROM score_counts
                     WHERE guild_id = $1 AND period NOT LIKE 'class:%'",
                    &[&g, &prefix],
                )?;
                tx.execute(
                    "UPDATE guild_settings SET channel_id = NULL WHERE guild_id = $1",
                    &[&g],
                )?;
                Ok(())
            })
        })
    }

    fn remove_class(&self, guild: GuildId, class: i64) -> Result<bool, StoreError> {
        let prefix = format!("{}%", crate::store::class_period(class, ""));
        self.run(move |s| {
            s.write(|tx| {
                let g = guild.0 as i64;
                let removed = tx.execute(
                    "DELETE FROM classes WHERE guild_id = $1 AND id = $2",
                    &[&g, &class],
                )? > 0;
                tx.execute(
                    "DELETE FROM class_seasons WHERE guild_id = $1 AND class_id = $2",
                    &[&g, &class],
                )?;
                tx.execute(
                    "DELETE FROM totals WHERE guild_id = $1 AND period LIKE $2",
                    &[&g, &prefix],
                )?;
                tx.execute(
                    "DELETE FROM period_players WHERE guild_id = $1 AND period LIKE $2",
                    &[&g, &prefix],
                )?;
                tx.execute(
                    "DELETE FROM score_counts WHERE guild_id = $1 AND period LIKE $2",
                    &[&g, &prefix],
                )?;
                Ok(removed)
            })
        })
    }

    fn open_class_season(&self, guild: GuildId, class: i64) -> Result<Option<Season>, StoreError> {
        self.run(move |s| {
            s.direct()
                .row_opt(
                    "SELECT id, name, started_at, ended_at FROM class_seasons
                     WHERE guild_id = $1 AND class_id = $2 AND ended_at IS NULL",
                    &[&(guild.0 as i64), &class],
                    season_row,
                )
                .map_err(PgError::from)
        })
    }

    fn start_class_season(
        &self,
        guild: GuildId,
        class: i64,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError> {
        let name = name.to_string();
        self.run(move |s| {
            let id: i64 = s
                .direct()
                .returning_one(
                    "INSERT INTO class_seasons (guild_id, class_id, name, started_at) VALUES ($1, $2, $3, $4) RETURNING id",
                    &[&(guild.0 as i64), &class, &typed(&name), &micros(now)],
                )?
                .try_get(0)?;
            Ok(Season {
                id,
                name: name.clone(),
                started_at: now,
                ended_at: None,
            })
        })
    }

    fn end_class_season(
        &self,
        guild: GuildId,
        class: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<Season>, StoreError> {
        self.run(move |s| {
            s.direct()
                .returning_opt(
                    "UPDATE class_seasons SET ended_at = $3
                     WHERE guild_id = $1 AND class_id = $2 AND ended_at IS NULL
                     RETURNING id, name, started_at, ended_at",
                    &[&(guild.0 as i64), &class, &micros(now)],
                )?
                .as_ref()
                .map(season_row)
                .transpose()
                .map_err(PgError::from)
        })
    }

    fn class_seasons(&self, guild: GuildId, class: i64) -> Result<Vec<Season>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT id, name, started_at, ended_at FROM class_seasons
                     WHERE guild_id = $1 AND class_id = $2 ORDER BY id DESC",
                    &[&(guild.0 as i64), &class],
                )?
                .iter()
                .map(season_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn class_report_results(
        &self,
        guild: GuildId,
        class: i64,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        let board = crate::store::class_period(class, "all");
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT a.question, count(*), count(*) FILTER (WHERE a.correct) FROM answers a
                     JOIN instances i ON i.id = a.instance_id
                     WHERE a.guild_id = $1 AND ($3::TIMESTAMPTZ IS NULL OR a.answered_at >= $3)
                       AND (i.kind <> 'daily' OR i.class_id = $2)
                       AND a.user_id IN (SELECT user_id FROM totals WHERE guild_id = $1 AND period = $4)
                     GROUP BY a.question ORDER BY a.question",
                    &[&(guild.0 as i64), &class, &since.map(micros), &board],
                )?
                .iter()
                .map(question_results_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }
}

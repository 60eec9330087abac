//! [`ClassStore`] for [`SqliteStore`]: a server's classes, their own
//! seasons and their report. Lists (days, paused dates, packs, tags) are
//! kept as comma-separated text.

use super::*;

const CLASS_COLUMNS: &str = "id, guild_id, name, channel_id, role_id, teacher_role_id, post_time, timezone, post_days, paused, packs, tags, ping_role_id";

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

fn class_row(r: &rusqlite::Row) -> rusqlite::Result<Class> {
    let id = |i: usize| r.get::<_, Option<i64>>(i).map(|v| v.map(|v| v as u64));
    Ok(Class {
        id: r.get(0)?,
        guild: GuildId(r.get::<_, i64>(1)? as u64),
        name: r.get(2)?,
        channel: r.get::<_, i64>(3)? as u64,
        role: id(4)?,
        teacher_role: id(5)?,
        settings: ClassSettings {
            post_time: r.get(6)?,
            timezone: r.get(7)?,
            post_days: r.get::<_, Option<String>>(8)?.map(|d| list_from(&d)),
            paused: list_from(&r.get::<_, String>(9)?).into_iter().collect(),
            packs: list_from(&r.get::<_, String>(10)?),
            tags: list_from(&r.get::<_, String>(11)?),
            ping_role: id(12)?,
        },
    })
}

// Classes are read on every answer and leaderboard: on the reader
// connections, never queued behind an answer waiting for the write lock.
impl ClassStore for SqliteStore {
    fn classes(&self, guild: GuildId) -> Result<Vec<Class>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {CLASS_COLUMNS} FROM classes WHERE guild_id = ?1 ORDER BY id"
            ))?;
            let rows = stmt.query_map(params![guild.0 as i64], class_row)?;
            rows.collect()
        })
    }

    fn all_classes(&self) -> Result<Vec<Class>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {CLASS_COLUMNS} FROM classes ORDER BY guild_id, id"
            ))?;
            let rows = stmt.query_map([], class_row)?;
            rows.collect()
        })
    }

    fn save_class(&self, class: &Class, name_key: &str) -> Result<Class, StoreError> {
        let s = &class.settings;
        let days = s.post_days.as_deref().map(list_text);
        let paused = list_text(&s.paused.iter().collect::<Vec<_>>());
        let (packs, tags) = (s.packs.join(","), s.tags.join(","));
        self.with(|c| {
            let values = params![
                class.guild.0 as i64,
                class.name,
                name_key,
                class.channel as i64,
                class.role.map(|r| r as i64),
                class.teacher_role.map(|r| r as i64),
                s.post_time,
                s.timezone,
                days,
                paused,
                packs,
                tags,
                s.ping_role.map(|r| r as i64),
                class.id,
            ];
            let id = if class.id == 0 {
                c.prepare_cached("INSERT INTO classes (guild_id, name, name_key, channel_id, role_id, teacher_role_id, post_time, timezone, post_days, paused, packs, tags, ping_role_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id")?
                    .query_row(&values[..13], |r| r.get(0))?
            } else {
                c.prepare_cached("UPDATE classes SET name = ?2, name_key = ?3, channel_id = ?4, role_id = ?5, teacher_role_id = ?6, post_time = ?7, timezone = ?8,
                     post_days = ?9, paused = ?10, packs = ?11, tags = ?12, ping_role_id = ?13 WHERE id = ?14 AND guild_id = ?1")?
                    .execute(values)?;
                class.id
            };
            Ok(Class { id, ..class.clone() })
        })
    }

    fn adopt_server_daily(&self, guild: GuildId, class: i64) -> Result<(), StoreError> {
        let (g, prefix) = (guild.0 as i64, crate::store::class_period(class, ""));
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for sql in [
                "UPDATE instances SET class_id = ?2 WHERE kind = 'daily' AND guild_id = ?1 AND class_id = 0",
                "UPDATE daily_posts SET class_id = ?2 WHERE guild_id = ?1 AND class_id = 0",
            ] {
                tx.prepare_cached(sql)?.execute(params![g, class])?;
            }
            for sql in [
                "INSERT INTO totals (guild_id, period, user_id, points, answered, correct)
                 SELECT guild_id, ?2 || period, user_id, points, answered, correct FROM totals
                 WHERE guild_id = ?1 AND period NOT LIKE 'class:%'",
                "INSERT INTO period_players (guild_id, period, players)
                 SELECT guild_id, ?2 || period, players FROM period_players
                 WHERE guild_id = ?1 AND period NOT LIKE 'class:%'",
                "INSERT INTO score_counts (guild_id, period, points, users)
                 SELECT guild_id, ?2 || period, points, users FROM score_counts
                 WHERE guild_id = ?1 AND period NOT LIKE 'class:%'",
            ] {
                tx.prepare_cached(sql)?.execute(params![g, prefix])?;
            }
            tx.prepare_cached("UPDATE guild_settings SET channel_id = NULL WHERE guild_id = ?1")?
                .execute(params![g])?;
            tx.commit()
        })
    }

    fn remove_class(&self, guild: GuildId, class: i64) -> Result<bool, StoreError> {
        let prefix = format!("{}%", crate::store::class_period(class, ""));
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let removed = tx
                .prepare_cached("DELETE FROM classes WHERE guild_id = ?1 AND id = ?2")?
                .execute(params![guild.0 as i64, class])?
                > 0;
            tx.prepare_cached("DELETE FROM class_seasons WHERE guild_id = ?1 AND class_id = ?2")?
                .execute(params![guild.0 as i64, class])?;
            for table in ["totals", "period_players", "score_counts"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE guild_id = ?1 AND period LIKE ?2"),
                    params![guild.0 as i64, prefix],
                )?;
            }
            tx.commit()?;
            Ok(removed)
        })
    }

    fn open_class_season(&self, guild: GuildId, class: i64) -> Result<Option<Season>, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {SEASON_COLUMNS} FROM class_seasons WHERE guild_id = ?1 AND class_id = ?2 AND ended_at IS NULL"
            ))?
            .query_row(params![guild.0 as i64, class], season_row)
            .optional()
        })
    }

    fn start_class_season(
        &self,
        guild: GuildId,
        class: i64,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError> {
        self.with(|c| {
            let id = c
                .prepare_cached(
                    "INSERT INTO class_seasons (guild_id, class_id, name, started_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
                )?
                .query_row(params![guild.0 as i64, class, name, ts(now)], |r| r.get(0))?;
            Ok(Season {
                id,
                name: name.to_string(),
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
        self.with(|c| {
            c.prepare_cached(&format!(
                "UPDATE class_seasons SET ended_at = ?3 WHERE guild_id = ?1 AND class_id = ?2 AND ended_at IS NULL
                 RETURNING {SEASON_COLUMNS}"
            ))?
            .query_row(params![guild.0 as i64, class, ts(now)], season_row)
            .optional()
        })
    }

    fn class_seasons(&self, guild: GuildId, class: i64) -> Result<Vec<Season>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {SEASON_COLUMNS} FROM class_seasons WHERE guild_id = ?1 AND class_id = ?2 ORDER BY id DESC"
            ))?;
            let rows = stmt.query_map(params![guild.0 as i64, class], season_row)?;
            rows.collect()
        })
    }

    fn class_report_results(
        &self,
        guild: GuildId,
        class: i64,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        let board = crate::store::class_period(class, "all");
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT a.question, count(*), sum(a.correct) FROM answers a
                 JOIN instances i ON i.id = a.instance_id
                 WHERE a.guild_id = ?1 AND (?3 IS NULL OR a.answered_at >= ?3)
                   AND (i.kind <> 'daily' OR i.class_id = ?2)
                   AND a.user_id IN (SELECT user_id FROM totals WHERE guild_id = ?1 AND period = ?4)
                 GROUP BY a.question ORDER BY a.question",
            )?;
            let rows =
                stmt.query_map(params![guild.0 as i64, class, since.map(ts), board], |r| {
                    Ok(QuestionResults {
                        question: r.get(0)?,
                        answered: r.get::<_, i64>(1)? as u64,
                        correct: r.get::<_, i64>(2)? as u64,
                    })
                })?;
            rows.collect()
        })
    }
}

const SEASON_COLUMNS: &str = "id, name, started_at, ended_at";

fn season_row(r: &rusqlite::Row) -> rusqlite::Result<Season> {
    Ok(Season {
        id: r.get(0)?,
        name: r.get(1)?,
        started_at: parse_ts(&r.get::<_, String>(2)?),
        ended_at: r.get::<_, Option<String>>(3)?.as_deref().map(parse_ts),
    })
}

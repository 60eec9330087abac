//! [`LeaderboardStore`] for [`SqliteStore`]: seasons, leaderboards, score exports and the class's results.

use super::*;

impl LeaderboardStore for SqliteStore {
    fn open_season(&self, guild: GuildId) -> Result<Option<Season>, StoreError> {
        self.with(|c| open_season_in(c, guild))
    }

    fn start_season(
        &self,
        guild: GuildId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO seasons (guild_id, name, started_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![guild.0 as i64, name, ts(now)])?;
            Ok(Season {
                id: c.last_insert_rowid(),
                name: name.to_string(),
                started_at: now,
                ended_at: None,
            })
        })
    }

    fn end_season(&self, guild: GuildId, now: DateTime<Utc>) -> Result<Option<Season>, StoreError> {
        let mut open = self.open_season(guild)?;
        if let Some(season) = &mut open {
            season.ended_at = Some(now);
            self.with(|c| {
                c.prepare_cached("UPDATE seasons SET ended_at = ?2 WHERE id = ?1")?
                    .execute(params![season.id, ts(now)])
                    .map(|_| ())
            })?;
        }
        Ok(open)
    }

    fn leaderboard(
        &self,
        guild: GuildId,
        period: &str,
        limit: usize,
        caller: UserId,
    ) -> Result<Leaderboard, StoreError> {
        self.read(|c| {
            let g = guild.0 as i64;
            let standing = |r: &rusqlite::Row, rank: u64| -> rusqlite::Result<Standing> {
                Ok(Standing {
                    rank,
                    user: UserId(r.get::<_, i64>(0)? as u64),
                    name: r.get::<_, Option<String>>(4)?.unwrap_or_else(|| "(unknown student)".to_string()),
                    points: r.get(1)?,
                    answered: r.get::<_, i64>(2)? as u64,
                    correct: r.get::<_, i64>(3)? as u64,
                })
            };
            let mut stmt = c.prepare_cached(
                "SELECT t.user_id, t.points, t.answered, t.correct, m.display_name FROM totals t
                 LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
                 WHERE t.guild_id = ?1 AND t.period = ?2
                 ORDER BY t.points DESC, t.answered, t.user_id LIMIT ?3",
            )?;
            let mut top = Vec::new();
            let mut rows = stmt.query(params![g, period, limit as i64])?;
            while let Some(r) = rows.next()? {
                top.push(standing(r, top.len() as u64 + 1)?);
            }
            drop(rows);
            let players: i64 = c
                .prepare_cached("SELECT players FROM period_players WHERE guild_id = ?1 AND period = ?2")?
                .query_row(params![g, period], |r| r.get(0))
                .optional()?
                .unwrap_or(0);
            let caller_standing = match top.iter().find(|s| s.user == caller) {
                Some(s) => Some(s.clone()),
                None => {
                    let mine = c
                        .prepare_cached(
                            "SELECT t.user_id, t.points, t.answered, t.correct, m.display_name FROM totals t
                             LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
                             WHERE t.guild_id = ?1 AND t.period = ?2 AND t.user_id = ?3",
                        )?
                        .query_row(params![g, period, caller.0 as i64], |r| standing(r, 0))
                        .optional()?;
                    match mine {
                        None => None,
                        Some(mut me) => {
                            // Rank: everyone on more points, plus those tied on
                            // points who rank earlier (fewer answers, then lower id).
                            let higher: i64 = c
                                .prepare_cached(
                                    "SELECT coalesce(sum(users), 0) FROM score_counts
                                     WHERE guild_id = ?1 AND period = ?2 AND points > ?3",
                                )?
                                .query_row(params![g, period, me.points], |r| r.get(0))?;
                            let tied_before: i64 = c
                                .prepare_cached(
                                    "SELECT count(*) FROM totals WHERE guild_id = ?1 AND period = ?2 AND points = ?3
                                     AND (answered < ?4 OR (answered = ?4 AND user_id < ?5))",
                                )?
                                .query_row(params![g, period, me.points, me.answered as i64, caller.0 as i64], |r| r.get(0))?;
                            me.rank = (higher + tied_before) as u64 + 1;
                            Some(me)
                        }
                    }
                }
            };
            Ok(Leaderboard {
                top,
                caller: caller_standing,
                players: players as u64,
            })
        })
    }

    fn seasons(&self, guild: GuildId) -> Result<Vec<Season>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, name, started_at, ended_at FROM seasons WHERE guild_id = ?1 ORDER BY id DESC",
            )?;
            let rows = stmt.query_map(params![guild.0 as i64], |r| {
                Ok(Season {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    started_at: parse_ts(&r.get::<_, String>(2)?),
                    ended_at: r.get::<_, Option<String>>(3)?.as_deref().map(parse_ts),
                })
            })?;
            rows.collect()
        })
    }

    fn export_rows(&self, guild: GuildId, period: &str) -> Result<Vec<ExportRow>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT t.user_id, coalesce(m.display_name, ''), t.answered, t.correct, t.points, coalesce(s.current, 0)
                 FROM totals t
                 LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
                 LEFT JOIN streaks s ON s.guild_id = t.guild_id AND s.user_id = t.user_id
                 WHERE t.guild_id = ?1 AND t.period = ?2
                 ORDER BY t.points DESC, t.answered, t.user_id",
            )?;
            let rows = stmt.query_map(params![guild.0 as i64, period], |r| {
                Ok(ExportRow {
                    user: UserId(r.get::<_, i64>(0)? as u64),
                    name: r.get(1)?,
                    answered: r.get::<_, i64>(2)? as u64,
                    correct: r.get::<_, i64>(3)? as u64,
                    points: r.get(4)?,
                    streak: r.get(5)?,
                })
            })?;
            rows.collect()
        })
    }

    fn class_results(
        &self,
        guild: GuildId,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT question, count(*), sum(correct) FROM answers
                 WHERE guild_id = ?1 AND (?2 IS NULL OR answered_at >= ?2)
                 GROUP BY question ORDER BY question",
            )?;
            let rows = stmt.query_map(params![guild.0 as i64, since.map(ts)], |r| {
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

/// A guild's open season (also read inside an answer's transaction).
pub(super) fn open_season_in(c: &Connection, guild: GuildId) -> rusqlite::Result<Option<Season>> {
    c.prepare_cached(
        "SELECT id, name, started_at, ended_at FROM seasons WHERE guild_id = ?1 AND ended_at IS NULL",
    )?
    .query_row(params![guild.0 as i64], |r| {
        Ok(Season {
            id: r.get(0)?,
            name: r.get(1)?,
            started_at: parse_ts(&r.get::<_, String>(2)?),
            ended_at: r.get::<_, Option<String>>(3)?.as_deref().map(parse_ts),
        })
    })
    .optional()
}

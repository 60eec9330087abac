//! [`LeaderboardStore`] for [`PostgresStore`]: seasons, leaderboards, score exports and the class's results.

use super::*;

impl LeaderboardStore for PostgresStore {
    fn open_season(&self, guild: GuildId) -> Result<Option<Season>, StoreError> {
        self.run(move |s| {
            s.direct()
                .row_opt(
                    "SELECT id, name, started_at, ended_at FROM seasons WHERE guild_id = $1 AND ended_at IS NULL",
                    &[&(guild.0 as i64)], season_row)
                .map_err(PgError::from)
        })
    }

    fn start_season(
        &self,
        guild: GuildId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Season, StoreError> {
        let name = name.to_string();
        self.run(move |s| {
            let id: i64 = s
                .direct()
                .returning_one(
                    "INSERT INTO seasons (guild_id, name, started_at) VALUES ($1, $2, $3) RETURNING id",
                    &[&(guild.0 as i64), &typed(&name), &micros(now)],
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

    fn end_season(&self, guild: GuildId, now: DateTime<Utc>) -> Result<Option<Season>, StoreError> {
        self.run(move |s| {
            let ended = s.direct().returning_opt(
                "UPDATE seasons SET ended_at = $2 WHERE guild_id = $1 AND ended_at IS NULL
                 RETURNING id, name, started_at",
                &[&(guild.0 as i64), &micros(now)],
            )?;
            ended
                .map(|r| {
                    Ok(Season {
                        id: r.try_get(0)?,
                        name: typed_text(&r, 1)?,
                        started_at: r.try_get(2)?,
                        ended_at: Some(now),
                    })
                })
                .transpose()
        })
    }

    fn leaderboard(
        &self,
        guild: GuildId,
        period: &str,
        limit: usize,
        caller: UserId,
    ) -> Result<Leaderboard, StoreError> {
        let period = period.to_string();
        self.run(move |s| {
            s.snapshot(|tx| {
                let (g, me) = (guild.0 as i64, caller.0 as i64);
                let standing = |r: &Row, rank: u64| -> Result<Standing, pg::Error> {
                    Ok(Standing {
                        rank,
                        user: UserId(r.try_get::<_, i64>(0)? as u64),
                        name: match r.try_get::<_, Option<&[u8]>>(4)? {
                            Some(name) => String::from_utf8_lossy(name).into_owned(),
                            None => "(unknown student)".to_string(),
                        },
                        points: r.try_get(1)?,
                        answered: r.try_get::<_, i64>(2)? as u64,
                        correct: r.try_get::<_, i64>(3)? as u64,
                    })
                };
                let top = tx
                    .query(
                        "SELECT t.user_id, t.points, t.answered, t.correct, m.display_name FROM totals t
                         LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
                         WHERE t.guild_id = $1 AND t.period = $2
                         ORDER BY t.points DESC, t.answered, t.user_id LIMIT $3",
                        &[&g, &period, &sql_limit(limit)],
                    )?
                    .iter()
                    .enumerate()
                    .map(|(i, r)| standing(r, i as u64 + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                let players: i64 = tx
                    .row_opt(
                        "SELECT players FROM period_players WHERE guild_id = $1 AND period = $2",
                        &[&g, &period], |r| r.try_get(0))?
                    .unwrap_or(0);
                let caller_standing = match top.iter().find(|s| s.user == caller) {
                    Some(s) => Some(s.clone()),
                    None => match tx.query_opt(
                        "SELECT t.user_id, t.points, t.answered, t.correct, m.display_name FROM totals t
                         LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
                         WHERE t.guild_id = $1 AND t.period = $2 AND t.user_id = $3",
                        &[&g, &period, &me],
                    )? {
                        None => None,
                        Some(row) => {
                            let mut mine = standing(&row, 0)?;
                            // Rank: everyone on more points, plus those tied on
                            // points who rank earlier (fewer answers, then lower id).
                            let higher: i64 = tx
                                .query_one(
                                    "SELECT coalesce(sum(users), 0)::BIGINT FROM score_counts
                                     WHERE guild_id = $1 AND period = $2 AND points > $3",
                                    &[&g, &period, &mine.points],
                                )?
                                .try_get(0)?;
                            let tied_before: i64 = tx
                                .query_one(
                                    "SELECT count(*) FROM totals WHERE guild_id = $1 AND period = $2 AND points = $3
                                     AND (answered < $4 OR (answered = $4 AND user_id < $5))",
                                    &[&g, &period, &mine.points, &(mine.answered as i64), &me],
                                )?
                                .try_get(0)?;
                            mine.rank = (higher + tied_before) as u64 + 1;
                            Some(mine)
                        }
                    },
                };
                Ok(Leaderboard {
                    top,
                    caller: caller_standing,
                    players: players as u64,
                })
            })
        })
    }

    fn seasons(&self, guild: GuildId) -> Result<Vec<Season>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT id, name, started_at, ended_at FROM seasons WHERE guild_id = $1 ORDER BY id DESC",
                    &[&(guild.0 as i64)],
                )?
                .iter()
                .map(season_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn export_rows(&self, guild: GuildId, period: &str) -> Result<Vec<ExportRow>, StoreError> {
        let period = period.to_string();
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT t.user_id, coalesce(m.display_name, ''::BYTEA), t.answered, t.correct, t.points, coalesce(s.current, 0)
                     FROM totals t
                     LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
                     LEFT JOIN streaks s ON s.guild_id = t.guild_id AND s.user_id = t.user_id
                     WHERE t.guild_id = $1 AND t.period = $2
                     ORDER BY t.points DESC, t.answered, t.user_id",
                    &[&(guild.0 as i64), &period],
                )?
                .iter()
                .map(|r| {
                    Ok(ExportRow {
                        user: UserId(r.try_get::<_, i64>(0)? as u64),
                        name: typed_text(r, 1)?,
                        answered: r.try_get::<_, i64>(2)? as u64,
                        correct: r.try_get::<_, i64>(3)? as u64,
                        points: r.try_get(4)?,
                        streak: r.try_get::<_, i64>(5)? as u32,
                    })
                })
                .collect()
        })
    }

    fn class_results(
        &self,
        guild: GuildId,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT question, count(*), count(*) FILTER (WHERE correct) FROM answers
                     WHERE guild_id = $1 AND ($2::TIMESTAMPTZ IS NULL OR answered_at >= $2)
                     GROUP BY question ORDER BY question",
                    &[&(guild.0 as i64), &since.map(micros)],
                )?
                .iter()
                .map(question_results_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }
}

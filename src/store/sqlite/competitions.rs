//! [`CompetitionStore`] for [`SqliteStore`]: group quiz competitions: rounds, their answers and standings.

use super::*;

impl CompetitionStore for SqliteStore {
    fn create_competition(&self, new: &NewCompetition) -> Result<Option<Competition>, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO competitions (guild_id, channel_id, starter_id, seconds, status, created_at, team_mode)
                     VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6) ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    new.guild.0 as i64,
                    new.channel as i64,
                    new.starter.0 as i64,
                    new.seconds,
                    ts(new.created_at),
                    new.team_mode
                ])?;
            if inserted == 0 {
                return Ok(None);
            }
            let id = tx.last_insert_rowid();
            for (number, (question, order)) in new.questions.iter().enumerate() {
                tx.prepare_cached(
                    "INSERT INTO competition_rounds (competition_id, round, question, option_order) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![id, number as i64 + 1, question, order_text(order)])?;
            }
            let mut position = 0_i64;
            for team in &new.teams {
                tx.prepare_cached(
                    "INSERT INTO competition_teams (competition_id, team, name, team_key) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![id, team.number, team.name, team.key])?;
                for member in &team.members {
                    position += 1;
                    tx.prepare_cached(
                        "INSERT INTO competition_team_members (competition_id, user_id, team, position)
                         VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![id, member.0 as i64, team.number, position])?;
                }
            }
            let competition = load_competition(&tx, id)?;
            tx.commit()?;
            Ok(competition)
        })
    }

    fn competition(&self, id: i64) -> Result<Option<Competition>, StoreError> {
        self.with(|c| load_competition(c, id))
    }

    fn running_competitions(&self) -> Result<Vec<Competition>, StoreError> {
        self.with(|c| {
            let ids: Vec<i64> = c
                .prepare_cached("SELECT id FROM competitions WHERE status = 'running' ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut all = Vec::new();
            for id in ids {
                all.extend(load_competition(c, id)?);
            }
            Ok(all)
        })
    }

    fn running_competition_in(&self, channel: u64) -> Result<Option<Competition>, StoreError> {
        self.with(|c| {
            let id: Option<i64> = c
                .prepare_cached(
                    "SELECT id FROM competitions WHERE status = 'running' AND channel_id = ?1",
                )?
                .query_row(params![channel as i64], |r| r.get(0))
                .optional()?;
            match id {
                Some(id) => load_competition(c, id),
                None => Ok(None),
            }
        })
    }

    fn open_round(
        &self,
        competition: i64,
        round: u32,
        opened_at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "UPDATE competition_rounds SET opened_at = ?3, closes_at = ?4
                 WHERE competition_id = ?1 AND round = ?2 AND opened_at IS NULL",
            )?
            .execute(params![competition, round, ts(opened_at), ts(closes_at)])
            .map(|changed| changed == 1)
        })
    }

    fn set_round_message(
        &self,
        competition: i64,
        round: u32,
        message: u64,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "UPDATE competition_rounds SET message_id = ?3 WHERE competition_id = ?1 AND round = ?2",
            )?
            .execute(params![competition, round, message as i64])
            .map(|_| ())
        })
    }

    fn close_round(&self, competition: i64, round: u32) -> Result<bool, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "UPDATE competition_rounds SET closed = 1 WHERE competition_id = ?1 AND round = ?2 AND closed = 0",
            )?
            .execute(params![competition, round])
            .map(|changed| changed == 1)
        })
    }

    fn end_competition(
        &self,
        competition: i64,
        status: CompetitionStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "UPDATE competitions SET status = ?2, ended_at = ?3 WHERE id = ?1 AND status = 'running'",
            )?
            .execute(params![competition, status_text(status), ts(now)])
            .map(|changed| changed == 1)
        })
    }

    fn record_competition_answer(
        &self,
        a: &NewCompetitionAnswer,
    ) -> Result<RecordOutcome, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let past = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> rusqlite::Result<Option<PastAnswer>> {
                tx.prepare_cached(sql)?.query_row(p, past_answer).optional()
            };
            if let Some(past) = past(
                "SELECT answer, correct, points FROM competition_answers WHERE interaction_id = ?1",
                params![a.interaction.0 as i64],
            )? {
                return Ok(RecordOutcome::Duplicate(past));
            }
            if let Some(past) = past(
                "SELECT answer, correct, points FROM competition_answers WHERE competition_id = ?1 AND round = ?2 AND user_id = ?3",
                params![a.competition, a.round, a.user.0 as i64],
            )? {
                return Ok(RecordOutcome::AlreadyAnswered(past));
            }
            if let Some(name) = &a.display_name {
                shared::answers::remember_name(&mut Sql(&tx), Some(a.guild), a.user, name, a.at)?;
            }
            tx.prepare_cached(
                "INSERT INTO competition_answers (competition_id, round, user_id, interaction_id, answer, correct, points, millis, answered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                a.competition,
                a.round,
                a.user.0 as i64,
                a.interaction.0 as i64,
                a.answer,
                a.correct as i64,
                a.points,
                a.millis,
                ts(a.at)
            ])?;
            shared::answers::add_to_totals(&mut Sql(&tx), a.guild, a.user, &a.periods, a.points, a.correct)?;
            tx.commit()?;
            Ok(RecordOutcome::Recorded)
        })
    }

    fn competition_answers(
        &self,
        competition: i64,
        round: Option<u32>,
    ) -> Result<Vec<CompetitionAnswer>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT a.round, a.user_id, coalesce(m.display_name, ''), a.correct, a.points, a.millis
                 FROM competition_answers a
                 JOIN competitions k ON k.id = a.competition_id
                 LEFT JOIN members m ON m.guild_id = k.guild_id AND m.user_id = a.user_id
                 WHERE a.competition_id = ?1 AND (?2 IS NULL OR a.round = ?2)
                 ORDER BY a.round, a.millis, a.user_id",
            )?;
            let rows = stmt.query_map(params![competition, round], |r| {
                Ok(CompetitionAnswer {
                    round: r.get(0)?,
                    user: UserId(r.get::<_, i64>(1)? as u64),
                    name: r.get(2)?,
                    correct: r.get::<_, i64>(3)? != 0,
                    points: r.get(4)?,
                    millis: r.get(5)?,
                })
            })?;
            rows.collect()
        })
    }

    fn join_competition_team(
        &self,
        competition: i64,
        team: u32,
        user: UserId,
    ) -> Result<u32, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.prepare_cached(
                "INSERT INTO competition_team_members (competition_id, user_id, team, position)
                 SELECT ?1, ?2, ?3, coalesce(max(position), 0) + 1
                 FROM competition_team_members WHERE competition_id = ?1
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![competition, user.0 as i64, team])?;
            let team: u32 = tx
                .prepare_cached(
                    "SELECT team FROM competition_team_members WHERE competition_id = ?1 AND user_id = ?2",
                )?
                .query_row(params![competition, user.0 as i64], |r| r.get(0))?;
            tx.commit()?;
            Ok(team)
        })
    }

    fn competition_standings(
        &self,
        competition: i64,
    ) -> Result<Vec<CompetitionStanding>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT a.user_id, coalesce(m.display_name, ''), sum(a.points), sum(a.correct),
                        sum(CASE WHEN a.correct = 1 THEN a.millis ELSE 0 END) AS time
                 FROM competition_answers a
                 JOIN competitions k ON k.id = a.competition_id
                 LEFT JOIN members m ON m.guild_id = k.guild_id AND m.user_id = a.user_id
                 WHERE a.competition_id = ?1
                 GROUP BY a.user_id
                 ORDER BY sum(a.points) DESC, time, a.user_id",
            )?;
            let rows = stmt.query_map(params![competition], |r| {
                Ok(CompetitionStanding {
                    user: UserId(r.get::<_, i64>(0)? as u64),
                    name: r.get(1)?,
                    points: r.get(2)?,
                    correct: r.get::<_, i64>(3)? as u64,
                    millis: r.get(4)?,
                })
            })?;
            rows.collect()
        })
    }
}

//! [`CompetitionStore`] for [`PostgresStore`]: group quiz competitions: rounds, their answers and standings.

use super::*;

impl CompetitionStore for PostgresStore {
    fn create_competition(&self, new: &NewCompetition) -> Result<Option<Competition>, StoreError> {
        let new = new.clone();
        self.run(move |s| {
            s.write(|tx| {
                let channel = new.channel as i64;
                // Reading first keeps ids free of the gaps a conflicting
                // insert would leave.
                if tx
                    .query_opt(
                        "SELECT 1 FROM competitions WHERE channel_id = $1 AND status = 'running'",
                        &[&channel],
                    )?
                    .is_some()
                {
                    return Ok(None);
                }
                let Some(row) = tx.returning_opt(
                    "INSERT INTO competitions (guild_id, channel_id, starter_id, seconds, status, created_at, team_mode)
                     VALUES ($1, $2, $3, $4, 'running', $5, $6) ON CONFLICT DO NOTHING RETURNING id",
                    &[
                        &(new.guild.0 as i64),
                        &channel,
                        &(new.starter.0 as i64),
                        &i64::from(new.seconds),
                        &micros(new.created_at),
                        &new.team_mode,
                    ],
                )?
                else {
                    return Ok(None);
                };
                let id: i64 = row.try_get(0)?;
                for (number, (question, order)) in new.questions.iter().enumerate() {
                    tx.execute(
                        "INSERT INTO competition_rounds (competition_id, round, question, option_order) VALUES ($1, $2, $3, $4)",
                        &[&id, &(number as i64 + 1), question, &order_array(order)],
                    )?;
                }
                let mut position = 0_i64;
                for team in &new.teams {
                    tx.execute(
                        "INSERT INTO competition_teams (competition_id, team, name, team_key) VALUES ($1, $2, $3, $4)",
                        &[&id, &i64::from(team.number), &typed(&team.name), &team.key],
                    )?;
                    for member in &team.members {
                        position += 1;
                        tx.execute(
                            "INSERT INTO competition_team_members (competition_id, user_id, team, position)
                             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                            &[&id, &(member.0 as i64), &i64::from(team.number), &position],
                        )?;
                    }
                }
                Ok(load_competition(tx, id)?)
            })
        })
    }

    fn competition(&self, id: i64) -> Result<Option<Competition>, StoreError> {
        self.run(move |s| s.snapshot(|tx| Ok(load_competition(tx, id)?)))
    }

    fn running_competitions(&self) -> Result<Vec<Competition>, StoreError> {
        self.run(|s| {
            s.snapshot(|tx| {
                let ids = tx.query(
                    "SELECT id FROM competitions WHERE status = 'running' ORDER BY id",
                    &[],
                )?;
                Ok(load_competitions(tx, &ids)?)
            })
        })
    }

    fn running_competition_in(&self, channel: u64) -> Result<Option<Competition>, StoreError> {
        self.run(move |s| {
            s.snapshot(|tx| {
                let ids = tx.query(
                    "SELECT id FROM competitions WHERE status = 'running' AND channel_id = $1",
                    &[&(channel as i64)],
                )?;
                Ok(load_competitions(tx, &ids)?.pop())
            })
        })
    }

    fn open_round(
        &self,
        competition: i64,
        round: u32,
        opened_at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.run(move |s| {
            let changed = s.direct().execute(
                "UPDATE competition_rounds SET opened_at = $3, closes_at = $4
                 WHERE competition_id = $1 AND round = $2 AND opened_at IS NULL",
                &[
                    &competition,
                    &i64::from(round),
                    &micros(opened_at),
                    &micros(closes_at),
                ],
            )?;
            Ok(changed == 1)
        })
    }

    fn set_round_message(
        &self,
        competition: i64,
        round: u32,
        message: u64,
    ) -> Result<(), StoreError> {
        self.run(move |s| {
            s.direct().execute(
                "UPDATE competition_rounds SET message_id = $3 WHERE competition_id = $1 AND round = $2",
                &[&competition, &i64::from(round), &(message as i64)],
            )?;
            Ok(())
        })
    }

    fn close_round(&self, competition: i64, round: u32) -> Result<bool, StoreError> {
        self.run(move |s| {
            let changed = s.direct().execute(
                "UPDATE competition_rounds SET closed = TRUE WHERE competition_id = $1 AND round = $2 AND NOT closed",
                &[&competition, &i64::from(round)],
            )?;
            Ok(changed == 1)
        })
    }

    fn end_competition(
        &self,
        competition: i64,
        status: CompetitionStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.run(move |s| {
            let changed = s.direct().execute(
                "UPDATE competitions SET status = $2, ended_at = $3 WHERE id = $1 AND status = 'running'",
                &[&competition, &status_text(status), &micros(now)],
            )?;
            Ok(changed == 1)
        })
    }

    fn record_competition_answer(
        &self,
        answer: &NewCompetitionAnswer,
    ) -> Result<RecordOutcome, StoreError> {
        let a = answer.clone();
        self.run(move |s| {
            s.write(|tx| {
                let (user, round, interaction) =
                    (a.user.0 as i64, i64::from(a.round), a.interaction.0 as i64);
                let at = micros(a.at);
                let mut tries = 0;
                loop {
                    let inserted = tx.execute(
                        "INSERT INTO competition_answers (competition_id, round, user_id, interaction_id, answer, correct, points, millis, answered_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
                        &[
                            &a.competition,
                            &round,
                            &user,
                            &interaction,
                            &typed(&a.answer),
                            &a.correct,
                            &a.points,
                            &a.millis,
                            &at,
                        ],
                    )?;
                    if inserted == 1 {
                        break;
                    }
                    if let Some(outcome) = earlier_answer(
                        tx,
                        "SELECT answer, correct, points FROM competition_answers WHERE interaction_id = $1",
                        "SELECT answer, correct, points FROM competition_answers
                         WHERE competition_id = $1 AND round = $2 AND user_id = $3",
                        interaction,
                        &[&a.competition, &round, &user],
                    )? {
                        return Ok(outcome);
                    }
                    tries += 1;
                    if tries == shared::answers::INSERT_TRIES {
                        return Err(PgError::Contended);
                    }
                }
                if let Some(name) = &a.display_name {
                    shared::answers::remember_name(tx, Some(a.guild), a.user, name, a.at)?;
                }
                shared::answers::add_to_totals(tx, a.guild, a.user, &a.periods, a.points, a.correct)?;
                Ok(RecordOutcome::Recorded)
            })
        })
    }

    fn competition_answers(
        &self,
        competition: i64,
        round: Option<u32>,
    ) -> Result<Vec<CompetitionAnswer>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT a.round, a.user_id, coalesce(m.display_name, ''::BYTEA), a.correct, a.points, a.millis
                     FROM competition_answers a
                     JOIN competitions k ON k.id = a.competition_id
                     LEFT JOIN members m ON m.guild_id = k.guild_id AND m.user_id = a.user_id
                     WHERE a.competition_id = $1 AND ($2::BIGINT IS NULL OR a.round = $2)
                     ORDER BY a.round, a.millis, a.user_id",
                    &[&competition, &round.map(i64::from)],
                )?
                .iter()
                .map(|r| {
                    Ok(CompetitionAnswer {
                        round: r.try_get::<_, i64>(0)? as u32,
                        user: UserId(r.try_get::<_, i64>(1)? as u64),
                        name: typed_text(r, 2)?,
                        correct: r.try_get(3)?,
                        points: r.try_get(4)?,
                        millis: r.try_get(5)?,
                    })
                })
                .collect()
        })
    }

    fn join_competition_team(
        &self,
        competition: i64,
        team: u32,
        user: UserId,
    ) -> Result<u32, StoreError> {
        self.run(move |s| {
            s.write(|tx| {
                let user = user.0 as i64;
                // A player already in a team keeps it: the insert does
                // nothing and the team they are in is read back.
                tx.execute(
                    "INSERT INTO competition_team_members (competition_id, user_id, team, position)
                     SELECT $1, $2, $3, coalesce(max(position), 0) + 1
                     FROM competition_team_members WHERE competition_id = $1
                     ON CONFLICT DO NOTHING",
                    &[&competition, &user, &i64::from(team)],
                )?;
                let row = tx.query_one(
                    "SELECT team FROM competition_team_members WHERE competition_id = $1 AND user_id = $2",
                    &[&competition, &user],
                )?;
                Ok(row.try_get::<_, i64>(0)? as u32)
            })
        })
    }

    fn competition_standings(
        &self,
        competition: i64,
    ) -> Result<Vec<CompetitionStanding>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT a.user_id, coalesce(m.display_name, ''::BYTEA), sum(a.points)::BIGINT AS total_points,
                            count(*) FILTER (WHERE a.correct),
                            sum(CASE WHEN a.correct THEN a.millis ELSE 0 END)::BIGINT AS answer_time
                     FROM competition_answers a
                     JOIN competitions k ON k.id = a.competition_id
                     LEFT JOIN members m ON m.guild_id = k.guild_id AND m.user_id = a.user_id
                     WHERE a.competition_id = $1
                     GROUP BY a.user_id, m.display_name
                     ORDER BY total_points DESC, answer_time, a.user_id",
                    &[&competition],
                )?
                .iter()
                .map(|r| {
                    Ok(CompetitionStanding {
                        user: UserId(r.try_get::<_, i64>(0)? as u64),
                        name: typed_text(r, 1)?,
                        points: r.try_get(2)?,
                        correct: r.try_get::<_, i64>(3)? as u64,
                        millis: r.try_get(4)?,
                    })
                })
                .collect()
        })
    }
}

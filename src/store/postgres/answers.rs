//! [`AnswerStore`] for [`PostgresStore`]: question instances, answers and what they change (tallies, streaks), and teachers' corrections of marks.

use super::*;

impl AnswerStore for PostgresStore {
    fn class_daily(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError> {
        self.run(move |s| {
            s.direct()
                .row_opt(
                    DAILY_INSTANCE,
                    &[&(guild.0 as i64), &day, &class],
                    instance_row,
                )
                .map_err(PgError::from)
        })
    }

    fn previous_class_daily(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError> {
        self.run(move |s| {
            s.direct()
                .row_opt(
                    concat!(
                        "SELECT ",
                        instance_columns!(),
                        " FROM instances WHERE kind = 'daily' AND guild_id = $1 AND class_id = $3 AND day < $2 ORDER BY day DESC LIMIT 1"
                    ),
                    &[&(guild.0 as i64), &day, &class],
                    instance_row,
                )
                .map_err(PgError::from)
        })
    }

    fn class_daily_history(&self, guild: GuildId, class: i64) -> Result<Vec<String>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT question FROM instances WHERE kind = 'daily' AND guild_id = $1 AND class_id = $2 ORDER BY day",
                    &[&(guild.0 as i64), &class],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn create_instance(&self, new: &NewInstance) -> Result<Instance, StoreError> {
        let new = new.clone();
        self.run(move |s| {
            s.write(|tx| {
                let daily = match (new.kind, new.guild, new.day) {
                    (InstanceKind::Daily, Some(guild), Some(day)) => Some((guild.0 as i64, day)),
                    _ => None,
                };
                // Reading first keeps ids free of the gaps a conflicting
                // insert would leave (identity values are not given back).
                if let Some((guild, day)) = daily {
                    if let Some(existing) =
                        tx.query_opt(DAILY_INSTANCE, &[&guild, &day, &new.class])?
                    {
                        return Ok(instance_row(&existing)?);
                    }
                }
                let kind = match new.kind {
                    InstanceKind::Daily => "daily",
                    InstanceKind::Practice => "practice",
                };
                let inserted = tx.returning_opt(
                    concat!(
                        "INSERT INTO instances (kind, guild_id, owner_id, day, question, option_order, created_at, class_id)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING ",
                        instance_columns!()
                    ),
                    &[
                        &kind,
                        &new.guild.map(|g| g.0 as i64),
                        &new.owner.map(|u| u.0 as i64),
                        &new.day,
                        &new.question,
                        &order_array(&new.option_order),
                        &micros(new.created_at),
                        &new.class,
                    ],
                )?;
                let row = match inserted {
                    Some(row) => row,
                    // Only a daily instance can conflict: another process
                    // created the guild's daily meanwhile.
                    None => tx.query_one(
                        DAILY_INSTANCE,
                        &[&new.guild.map(|g| g.0 as i64), &new.day, &new.class],
                    )?,
                };
                Ok(instance_row(&row)?)
            })
        })
    }

    fn instance(&self, id: i64) -> Result<Option<Instance>, StoreError> {
        self.run(move |s| {
            s.direct()
                .row_opt(
                    concat!(
                        "SELECT ",
                        instance_columns!(),
                        " FROM instances WHERE id = $1"
                    ),
                    &[&id],
                    instance_row,
                )
                .map_err(PgError::from)
        })
    }

    /// One transaction per answer: unlike SQLite, PostgreSQL lets answers to
    /// different rows commit side by side, so there is no commit queue.
    fn record_answer(&self, answer: &NewAnswer) -> Result<RecordOutcome, StoreError> {
        let answer = answer.clone();
        self.run(move |s| s.write(|tx| shared::answers::record(tx, &answer)))
    }

    fn answer(&self, plan: &AnswerPlan) -> Result<Answered, StoreError> {
        let plan = plan.clone();
        self.run(move |s| s.write(|tx| shared::answers::answer(tx, &plan)))
    }

    fn tally(&self, instance: i64) -> Result<Tally, StoreError> {
        self.run(move |s| {
            let row = s.direct().query_opt(
                "SELECT answered, correct FROM instance_tallies WHERE instance_id = $1",
                &[&instance],
            )?;
            Ok(match row {
                Some(r) => Tally {
                    answered: r.try_get::<_, i64>(0)? as u64,
                    correct: r.try_get::<_, i64>(1)? as u64,
                },
                None => Tally::default(),
            })
        })
    }

    fn streak(&self, guild: GuildId, user: UserId) -> Result<Streak, StoreError> {
        self.run(move |s| shared::answers::streak(&mut s.direct(), guild.0 as i64, user.0 as i64))
    }

    fn wrong_daily_answers(
        &self,
        guild: GuildId,
        user: UserId,
        limit: usize,
    ) -> Result<Vec<ScoredAnswer>, StoreError> {
        self.run(move |s| shared::answers::wrong_daily_answers(&mut s.direct(), guild, user, limit))
    }

    fn scored_answer(&self, id: i64) -> Result<Option<ScoredAnswer>, StoreError> {
        self.run(move |s| shared::answers::scored_answer(&mut s.direct(), id))
    }

    fn accept_answer(
        &self,
        id: i64,
        points: i64,
        periods: &[String],
        rebuild_streak: &StreakRebuild,
    ) -> Result<Option<Streak>, StoreError> {
        let periods = periods.to_vec();
        let rebuild_streak = rebuild_streak.clone();
        self.run(move |s| {
            s.write(|tx| shared::answers::accept(tx, id, points, &periods, &rebuild_streak))
        })
    }

    fn question_results(
        &self,
        guild: Option<GuildId>,
        user: UserId,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        self.run(move |s| shared::answers::question_results(&mut s.direct(), guild, user))
    }
}

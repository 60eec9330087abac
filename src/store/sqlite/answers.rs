//! [`AnswerStore`] for [`SqliteStore`]: question instances, answers and what they change (tallies, streaks), and teachers' corrections of marks.

use super::*;

impl AnswerStore for SqliteStore {
    fn class_daily(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!("SELECT {INSTANCE_COLUMNS} FROM instances WHERE kind = 'daily' AND guild_id = ?1 AND class_id = ?2 AND day = ?3"))?.query_row(
                params![guild.0 as i64, class, day.to_string()],
                instance_row,
            )
            .optional()
        })
    }

    fn previous_class_daily(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!(
                    "SELECT {INSTANCE_COLUMNS} FROM instances WHERE kind = 'daily' AND guild_id = ?1 AND class_id = ?2 AND day < ?3 ORDER BY day DESC LIMIT 1"
                ))?.query_row(
                params![guild.0 as i64, class, day.to_string()],
                instance_row,
            )
            .optional()
        })
    }

    fn class_daily_history(&self, guild: GuildId, class: i64) -> Result<Vec<String>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached("SELECT question FROM instances WHERE kind = 'daily' AND guild_id = ?1 AND class_id = ?2 ORDER BY day")?;
            let rows = stmt.query_map(params![guild.0 as i64, class], |r| r.get(0))?;
            rows.collect()
        })
    }

    fn create_instance(&self, new: &NewInstance) -> Result<Instance, StoreError> {
        let order = new
            .option_order
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let kind = match new.kind {
            InstanceKind::Daily => "daily",
            InstanceKind::Practice => "practice",
        };
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.prepare_cached("INSERT INTO instances (kind, guild_id, owner_id, day, question, option_order, created_at, class_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING")?.execute(
                params![
                    kind,
                    new.guild.map(|g| g.0 as i64),
                    new.owner.map(|u| u.0 as i64),
                    new.day.map(|d| d.to_string()),
                    new.question,
                    order,
                    ts(new.created_at),
                    new.class
                ],
            )?;
            let instance = match (new.kind, new.guild, new.day) {
                (InstanceKind::Daily, Some(guild), Some(day)) => tx.prepare_cached(&format!("SELECT {INSTANCE_COLUMNS} FROM instances WHERE kind = 'daily' AND guild_id = ?1 AND class_id = ?2 AND day = ?3"))?.query_row(
                    params![guild.0 as i64, new.class, day.to_string()],
                    instance_row,
                )?,
                _ => tx.prepare_cached(&format!("SELECT {INSTANCE_COLUMNS} FROM instances WHERE id = ?1"))?.query_row(
                    params![tx.last_insert_rowid()],
                    instance_row,
                )?,
            };
            tx.commit()?;
            Ok(instance)
        })
    }

    fn instance(&self, id: i64) -> Result<Option<Instance>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!(
                "SELECT {INSTANCE_COLUMNS} FROM instances WHERE id = ?1"
            ))?
            .query_row(params![id], instance_row)
            .optional()
        })
    }

    /// Group commit: the answer joins a queue, and whichever caller gets the
    /// connection next commits everything queued in one transaction. With
    /// one student at a time that is a transaction per answer, as before;
    /// when a class presses at once, the pages every answer touches
    /// (totals, indexes, the tally) are written once per group instead of
    /// once per answer. Each caller returns only after the transaction that
    /// holds its answer has committed, and a failed transaction fails every
    /// answer in it (none is half-written or acknowledged).
    fn record_answer(&self, a: &NewAnswer) -> Result<RecordOutcome, StoreError> {
        self.commit_queued(Work::Record(a.clone()))
            .map(|answered| answered.outcome)
    }

    fn answer(&self, plan: &AnswerPlan) -> Result<Answered, StoreError> {
        self.commit_queued(Work::Plan(plan.clone()))
    }

    fn tally(&self, instance: i64) -> Result<Tally, StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT answered, correct FROM instance_tallies WHERE instance_id = ?1",
            )?
            .query_row(params![instance], |r| {
                Ok(Tally {
                    answered: r.get::<_, i64>(0)? as u64,
                    correct: r.get::<_, i64>(1)? as u64,
                })
            })
            .optional()
            .map(Option::unwrap_or_default)
        })
    }

    fn streak(&self, guild: GuildId, user: UserId) -> Result<Streak, StoreError> {
        self.with(|c| shared::answers::streak(&mut Sql(c), guild.0 as i64, user.0 as i64))
    }

    fn wrong_daily_answers(
        &self,
        guild: GuildId,
        user: UserId,
        limit: usize,
    ) -> Result<Vec<ScoredAnswer>, StoreError> {
        self.direct(|tx| shared::answers::wrong_daily_answers(tx, guild, user, limit))
    }

    fn scored_answer(&self, id: i64) -> Result<Option<ScoredAnswer>, StoreError> {
        self.direct(|tx| shared::answers::scored_answer(tx, id))
    }

    fn accept_answer(
        &self,
        id: i64,
        points: i64,
        periods: &[String],
        rebuild_streak: &StreakRebuild,
    ) -> Result<Option<Streak>, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let streak =
                shared::answers::accept(&mut Sql(&tx), id, points, periods, rebuild_streak)?;
            tx.commit()?;
            Ok(streak)
        })
    }

    fn question_results(
        &self,
        guild: Option<GuildId>,
        user: UserId,
    ) -> Result<Vec<QuestionResults>, StoreError> {
        self.direct(|tx| shared::answers::question_results(tx, guild, user))
    }
}

impl SqliteStore {
    /// Queues an answer and waits until it is committed: by this caller,
    /// with every answer queued meanwhile in one transaction (group
    /// commit), or by another caller that took it into its group.
    fn commit_queued(&self, work: Work) -> Result<Answered, StoreError> {
        let (sender, outcome) = std::sync::mpsc::sync_channel(1);
        self.answer_queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(QueuedAnswer {
                work,
                outcome: sender,
            });
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            // Committed by another caller while this one waited?
            if let Ok(done) = outcome.try_recv() {
                return done;
            }
            let group: Vec<QueuedAnswer> = {
                let mut queue = self.answer_queue.lock().unwrap_or_else(|e| e.into_inner());
                let take = queue.len().min(MAX_GROUP_COMMIT);
                queue.drain(..take).collect()
            };
            let outcomes = commit_group(&mut conn, &group);
            self.changed();
            self.bound_wal(&conn);
            if let Some(first) = outcomes.iter().find(|o| o.is_ok()).or(outcomes.first()) {
                self.note_write(first, first.is_ok());
            }
            self.note_names(
                group
                    .iter()
                    .zip(&outcomes)
                    .filter(|(_, result)| result.is_ok())
                    .filter_map(|(q, _)| {
                        let (guild, user, name) = q.work.name();
                        Some(((guild_key(guild), user.0), name?.clone()))
                    }),
            );
            for (queued, result) in group.into_iter().zip(outcomes) {
                let _ = queued.outcome.send(result);
            }
        }
    }
}

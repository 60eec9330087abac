//! Question instances, answers and what they change (tallies, streaks), and teachers' corrections of marks.
//!
//! One part of the [`Store`](super::Store) interface; every backend
//! implements it (`sqlite/answers.rs`, `postgres/answers.rs`). Like the rest of
//! `store` it knows nothing of Discord or of how points are computed.

use super::*;

pub trait AnswerStore: Send + Sync {
    /// The daily instance of a server without classes.
    fn daily_instance(
        &self,
        guild: GuildId,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError> {
        self.class_daily(guild, 0, day)
    }

    /// The latest daily instance of a server without classes before `day`.
    fn previous_daily(
        &self,
        guild: GuildId,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError> {
        self.previous_class_daily(guild, 0, day)
    }

    /// Questions used as daily questions in a server without classes, oldest first.
    fn daily_history(&self, guild: GuildId) -> Result<Vec<String>, StoreError> {
        self.class_daily_history(guild, 0)
    }

    /// The daily instance of a class (0: the server's own) on its day.
    fn class_daily(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError>;

    /// The latest daily instance of a class before `day`.
    fn previous_class_daily(
        &self,
        guild: GuildId,
        class: i64,
        day: NaiveDate,
    ) -> Result<Option<Instance>, StoreError>;

    /// Questions used as a class's daily questions, oldest first.
    fn class_daily_history(&self, guild: GuildId, class: i64) -> Result<Vec<String>, StoreError>;

    /// Creates an instance; for a daily one that already exists for the guild
    /// and day, returns the existing one unchanged (restarts and races).
    fn create_instance(&self, new: &NewInstance) -> Result<Instance, StoreError>;

    fn instance(&self, id: i64) -> Result<Option<Instance>, StoreError>;

    /// Records an answer and all its effects in one transaction, once per
    /// student and instance and once per interaction.
    fn record_answer(&self, answer: &NewAnswer) -> Result<RecordOutcome, StoreError>;

    /// Carries out an answer in one transaction: reads the stored streak
    /// (locked against concurrent writers), the open seasons (the server's
    /// and, for an answer counting for a class, the class's) and the review
    /// card, applies the plan's rules to them ([`settle`]), records the
    /// answer as [`AnswerStore::record_answer`] does, and reads the tally.
    fn answer(&self, plan: &AnswerPlan) -> Result<Answered, StoreError>;

    fn tally(&self, instance: i64) -> Result<Tally, StoreError>;

    fn streak(&self, guild: GuildId, user: UserId) -> Result<Streak, StoreError>;

    /// A student's daily answers marked wrong in a guild, newest first.
    fn wrong_daily_answers(
        &self,
        guild: GuildId,
        user: UserId,
        limit: usize,
    ) -> Result<Vec<ScoredAnswer>, StoreError>;

    /// One daily answer by id.
    fn scored_answer(&self, id: i64) -> Result<Option<ScoredAnswer>, StoreError>;

    /// Marks a wrong answer right, adds `points` to the student's totals for
    /// `periods` (those the answer counted in) and the tally, and rebuilds
    /// the student's streak in that guild from all their daily answers with
    /// `rebuild_streak`, in one transaction (a daily answer landing at the
    /// same moment cannot be lost between reading and writing the streak).
    /// Returns the new streak, or `None`, changing nothing, if the answer
    /// was already right.
    fn accept_answer(
        &self,
        id: i64,
        points: i64,
        periods: &[String],
        rebuild_streak: &StreakRebuild,
    ) -> Result<Option<Streak>, StoreError>;

    /// Per-question results of a user in a guild (all guilds when `None`).
    fn question_results(
        &self,
        guild: Option<GuildId>,
        user: UserId,
    ) -> Result<Vec<QuestionResults>, StoreError>;
}

/// What a backend reads for an [`AnswerPlan`], inside the answer's
/// transaction.
pub(crate) trait AnswerReads {
    type Error;
    /// The student's streak, locked until the transaction ends, so a
    /// concurrent rebuild (an accepted answer) waits or is waited for.
    fn streak_for_update(&mut self, guild: GuildId, user: UserId) -> Result<Streak, Self::Error>;
    fn open_season(&mut self, guild: GuildId) -> Result<Option<Season>, Self::Error>;
    /// A class's own running season.
    fn open_class_season(
        &mut self,
        guild: GuildId,
        class: i64,
    ) -> Result<Option<Season>, Self::Error>;
    fn review_card(&mut self, user: UserId, key: &str) -> Result<Option<ReviewCard>, Self::Error>;
}

/// The answer a plan comes to, given what the store holds now, and its
/// streak bonus: the plan's rules applied once, for both backends.
pub(crate) fn settle<R: AnswerReads>(
    reads: &mut R,
    plan: &AnswerPlan,
) -> Result<(NewAnswer, i64), R::Error> {
    let stored_card = reads.review_card(plan.user, &plan.card)?;
    let review = Some(plan.rules.review(stored_card.as_ref(), &plan.card));
    let (streak, bonus, periods) = match (plan.kind, plan.guild) {
        (InstanceKind::Daily, Some(guild)) => {
            let after = plan
                .rules
                .streak(&reads.streak_for_update(guild, plan.user)?);
            let bonus = if plan.correct {
                plan.rules.bonus(&after)
            } else {
                0
            };
            // Both seasons are read here, in the answer's transaction: an
            // answer committed after a season ended never counts for it.
            let season = reads.open_season(guild)?;
            let class_season = match plan.rules.class() {
                Some(class) => reads.open_class_season(guild, class)?,
                None => None,
            };
            let periods = plan.rules.periods(season.as_ref(), class_season.as_ref());
            (Some(after), bonus, periods)
        }
        // Practice counts towards personal stats and review only.
        _ => (None, 0, Vec::new()),
    };
    let answer = NewAnswer {
        instance: plan.instance,
        guild: plan.guild,
        user: plan.user,
        interaction: plan.interaction,
        question: plan.question.clone(),
        answer: plan.answer.clone(),
        correct: plan.correct,
        points: plan.points + bonus,
        at: plan.at,
        periods,
        streak,
        display_name: plan.display_name.clone(),
        review,
    };
    Ok((answer, bonus))
}

/// [`Answered`] for an answer that [`settle`] made and that was recorded
/// (or not) with `outcome`.
pub(crate) fn answered(
    answer: NewAnswer,
    bonus: i64,
    outcome: RecordOutcome,
    tally: Tally,
) -> Answered {
    let recorded = outcome == RecordOutcome::Recorded;
    Answered {
        points: if recorded { answer.points } else { 0 },
        bonus: if recorded { bonus } else { 0 },
        streak: answer.streak.filter(|_| recorded),
        outcome,
        tally,
    }
}

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

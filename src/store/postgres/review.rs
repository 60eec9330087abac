//! [`ReviewStore`] for [`PostgresStore`]: students' spaced-review cards.

use super::*;

impl ReviewStore for PostgresStore {
    fn review_card(&self, user: UserId, question: &str) -> Result<Option<ReviewCard>, StoreError> {
        let question = question.to_string();
        self.run(move |s| {
            s.direct()
                .row_opt(CARD_OF_QUESTION, &[&(user.0 as i64), &question], card_row)
                .map_err(PgError::from)
        })
    }

    fn next_reviews(
        &self,
        user: UserId,
        guild: Option<GuildId>,
        limit: usize,
    ) -> Result<Vec<ReviewCard>, StoreError> {
        self.run(move |s| {
            s.direct()
                .query(
                    "SELECT question, due, stability, difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review
                     FROM review_cards r WHERE user_id = $1
                     AND NOT EXISTS (SELECT 1 FROM disabled_questions d WHERE d.guild_id = $2 AND d.question = r.question)
                     ORDER BY due, lapses DESC, question LIMIT $3",
                    &[&(user.0 as i64), &guild_key(guild), &sql_limit(limit)],
                )?
                .iter()
                .map(card_row)
                .collect::<Result<_, _>>()
                .map_err(PgError::from)
        })
    }

    fn reviews_due(&self, user: UserId, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.run(move |s| {
            let due: i64 = s
                .direct()
                .query_one(
                    "SELECT count(*) FROM review_cards WHERE user_id = $1 AND due <= $2",
                    &[&(user.0 as i64), &micros(now)],
                )?
                .try_get(0)?;
            Ok(due as u64)
        })
    }
}

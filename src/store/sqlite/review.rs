//! [`ReviewStore`] for [`SqliteStore`]: students' spaced-review cards.

use super::*;

impl ReviewStore for SqliteStore {
    fn review_card(&self, user: UserId, question: &str) -> Result<Option<ReviewCard>, StoreError> {
        self.with(|c| review_card_in(c, user, question))
    }

    fn next_reviews(
        &self,
        user: UserId,
        guild: Option<GuildId>,
        limit: usize,
    ) -> Result<Vec<ReviewCard>, StoreError> {
        self.with(|c| {
            c.prepare_cached(&format!(
                "SELECT {CARD_COLUMNS} FROM review_cards r WHERE user_id = ?1
                 AND NOT EXISTS (SELECT 1 FROM disabled_questions d WHERE d.guild_id = ?2 AND d.question = r.question)
                 ORDER BY due, lapses DESC, question LIMIT ?3"
            ))?
            .query_map(
                params![user.0 as i64, guild.map_or(0, |g| g.0 as i64), limit as i64],
                card_row,
            )?
            .collect()
        })
    }

    fn reviews_due(&self, user: UserId, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT count(*) FROM review_cards WHERE user_id = ?1 AND due <= ?2")?
                .query_row(params![user.0 as i64, ts(now)], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
        })
    }
}

/// A student's card for a question (also read inside an answer's transaction).
pub(super) fn review_card_in(
    c: &Connection,
    user: UserId,
    question: &str,
) -> rusqlite::Result<Option<ReviewCard>> {
    c.prepare_cached(&format!(
        "SELECT {CARD_COLUMNS} FROM review_cards WHERE user_id = ?1 AND question = ?2"
    ))?
    .query_row(params![user.0 as i64, question], card_row)
    .optional()
}

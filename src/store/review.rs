//! Students' spaced-review cards.
//!
//! One part of the [`Store`](super::Store) interface; every backend
//! implements it (`sqlite/review.rs`, `postgres/review.rs`). Like the rest of
//! `store` it knows nothing of Discord or of how points are computed.

use super::*;

pub trait ReviewStore: Send + Sync {
    /// A student's review card for a question.
    fn review_card(&self, user: UserId, question: &str) -> Result<Option<ReviewCard>, StoreError>;

    /// The student's card due first (among equally due, the most lapsed),
    /// leaving out questions disabled in `guild` (where the student asks).
    fn next_review(
        &self,
        user: UserId,
        guild: Option<GuildId>,
    ) -> Result<Option<ReviewCard>, StoreError> {
        Ok(self.next_reviews(user, guild, 1)?.pop())
    }

    /// The student's first `limit` cards in the order of [`Store::next_review`].
    fn next_reviews(
        &self,
        user: UserId,
        guild: Option<GuildId>,
        limit: usize,
    ) -> Result<Vec<ReviewCard>, StoreError>;

    /// How many of the student's cards are due at `now`.
    fn reviews_due(&self, user: UserId, now: DateTime<Utc>) -> Result<u64, StoreError>;
}

//! [`ReviewStore`] for [`SqliteStore`]: the reads of `store::shared::review`
//! on the writer's connection.

use super::*;

impl ReviewStore for SqliteStore {
    fn review_card(&self, user: UserId, question: &str) -> Result<Option<ReviewCard>, StoreError> {
        self.direct(|tx| shared::review::review_card(tx, user, question))
    }

    fn next_reviews(
        &self,
        user: UserId,
        guild: Option<GuildId>,
        limit: usize,
    ) -> Result<Vec<ReviewCard>, StoreError> {
        self.direct(|tx| shared::review::next_reviews(tx, user, guild, limit))
    }

    fn reviews_due(&self, user: UserId, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.direct(|tx| shared::review::reviews_due(tx, user, now))
    }
}

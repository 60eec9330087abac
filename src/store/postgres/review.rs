//! [`ReviewStore`] for [`PostgresStore`]: the reads of
//! `store::shared::review` on a connection thread.

use super::*;

impl ReviewStore for PostgresStore {
    fn review_card(&self, user: UserId, question: &str) -> Result<Option<ReviewCard>, StoreError> {
        let question = question.to_string();
        self.run(move |s| shared::review::review_card(&mut s.direct(), user, &question))
    }

    fn next_reviews(
        &self,
        user: UserId,
        guild: Option<GuildId>,
        limit: usize,
    ) -> Result<Vec<ReviewCard>, StoreError> {
        self.run(move |s| shared::review::next_reviews(&mut s.direct(), user, guild, limit))
    }

    fn reviews_due(&self, user: UserId, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.run(move |s| shared::review::reviews_due(&mut s.direct(), user, now))
    }
}

//! Students' spaced-review cards, read once for both backends: one card
//! (also inside an answer's transaction), the next cards to review and how
//! many are due. Writing a card is part of recording an answer
//! (`answers.rs`).
//!
//! It must not know which backend runs it: only [`Tx`].

use super::{args, Row, SqlError, Tx};
use crate::request::{GuildId, UserId};
use crate::store::*;

fn card_row(row: &Row) -> Result<ReviewCard, SqlError> {
    Ok(ReviewCard {
        question: row.text(0)?,
        due: row.time(1)?,
        stability: row.real(2)?,
        difficulty: row.real(3)?,
        elapsed_days: row.int(4)?,
        scheduled_days: row.int(5)?,
        reps: row.int(6)? as i32,
        lapses: row.int(7)? as i32,
        state: row.int(8)? as u8,
        last_review: row.time(9)?,
    })
}

/// A student's card for a question (its key, see `review::card_key`).
pub(crate) fn review_card<T: Tx>(
    tx: &mut T,
    user: UserId,
    key: &str,
) -> Result<Option<ReviewCard>, T::Error> {
    let row = tx.query_opt(
        "SELECT question, due, stability, difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review
         FROM review_cards WHERE user_id = ?1 AND question = ?2",
        args![user.0 as i64, key],
    )?;
    Ok(row.as_ref().map(card_row).transpose()?)
}

/// The `limit` cards a student should review next, soonest due first,
/// leaving out questions the server turned off.
pub(crate) fn next_reviews<T: Tx>(
    tx: &mut T,
    user: UserId,
    guild: Option<GuildId>,
    limit: usize,
) -> Result<Vec<ReviewCard>, T::Error> {
    let rows = tx.query(
        "SELECT question, due, stability, difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review
         FROM review_cards r WHERE user_id = ?1
         AND NOT EXISTS (SELECT 1 FROM disabled_questions d WHERE d.guild_id = ?2 AND d.question = r.question)
         ORDER BY due, lapses DESC, question LIMIT ?3",
        args![
            user.0 as i64,
            guild.map_or(0, |g| g.0 as i64),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
    )?;
    Ok(rows.iter().map(card_row).collect::<Result<_, _>>()?)
}

/// How many of a student's cards are due at `now`.
pub(crate) fn reviews_due<T: Tx>(
    tx: &mut T,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<u64, T::Error> {
    let row = tx.query_opt(
        "SELECT count(*) FROM review_cards WHERE user_id = ?1 AND due <= ?2",
        args![user.0 as i64, now],
    )?;
    Ok(row.ok_or(SqlError::NoRow)?.int(0)? as u64)
}

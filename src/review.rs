//! Spaced review: when each student should see a question again, by FSRS
//! (the `rs-fsrs` crate's scheduler with its default parameters). A wrong
//! answer is rated "again" (the question comes back soon), a right one
//! "good" (it comes back after a growing interval), so `/review` serves
//! first what a student keeps getting wrong.
//!
//! It owns only the conversion between the store's [`ReviewCard`] and FSRS;
//! it knows nothing of Discord or of how cards are stored.

use crate::store::ReviewCard;
use chrono::{DateTime, Utc};
use rs_fsrs::{Card, Rating, State, FSRS};

fn to_fsrs(card: &ReviewCard) -> Card {
    Card {
        due: card.due,
        stability: card.stability,
        difficulty: card.difficulty,
        elapsed_days: card.elapsed_days,
        scheduled_days: card.scheduled_days,
        reps: card.reps,
        lapses: card.lapses,
        state: match card.state {
            1 => State::Learning,
            2 => State::Review,
            3 => State::Relearning,
            _ => State::New,
        },
        last_review: card.last_review,
    }
}

/// The card after answering `question` at `now`, from the card before
/// (`None` for a question never answered).
pub fn after_answer(
    before: Option<&ReviewCard>,
    question: &str,
    correct: bool,
    now: DateTime<Utc>,
) -> ReviewCard {
    let card = match before {
        Some(card) => to_fsrs(card),
        None => Card {
            due: now,
            last_review: now,
            ..Card::default()
        },
    };
    let rating = if correct { Rating::Good } else { Rating::Again };
    let next = FSRS::default().next(card, now, rating).card;
    ReviewCard {
        question: question.to_string(),
        due: next.due,
        stability: next.stability,
        difficulty: next.difficulty,
        elapsed_days: next.elapsed_days,
        scheduled_days: next.scheduled_days,
        reps: next.reps,
        lapses: next.lapses,
        state: next.state as u8,
        last_review: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn wrong_answers_come_back_sooner_than_right_ones_and_intervals_grow() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let wrong = after_answer(None, "p/q", false, t0);
        let right = after_answer(None, "p/q", true, t0);
        assert!(wrong.due < right.due, "{wrong:?} {right:?}");
        assert!(
            wrong.due - t0 <= chrono::Duration::hours(1),
            "again: within the hour"
        );
        // Right again when due: the next interval is longer.
        let second = after_answer(Some(&right), "p/q", true, right.due);
        assert!(second.due - right.due > right.due - t0, "{second:?}");
        assert_eq!(second.reps, 2);
        // A lapse counts.
        let lapse = after_answer(Some(&second), "p/q", false, second.due);
        assert_eq!(lapse.lapses, 1);
        assert!(lapse.due - second.due < chrono::Duration::days(1));
    }
}

//! Spaced review: when each student should see a question again, by FSRS
//! (the `rs-fsrs` crate's scheduler with its default parameters). A wrong
//! answer is rated "again" (the question comes back soon), a right one
//! "good" (it comes back after a growing interval), so `/review` serves
//! first what a student keeps getting wrong.
//!
//! It owns the conversion between the store's [`ReviewCard`] and FSRS, and
//! what a card's key says (see [`card_key`]); it knows nothing of Discord or
//! of how cards are stored.

use crate::model::ReviewCard;
use crate::request::GuildId;
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

/// The key of a student's card for a question: the question's store key
/// (`pack/question`), and for a question from a pack a server uploaded, that
/// server's id after an `@` (`ww1/q3@123`). Two servers may upload different
/// packs with one id, which must not share a card, and `/review` in a direct
/// message must know where to find the question. Bundled questions have one
/// card wherever they were answered. (Ids cannot contain `@`.)
pub fn card_key(question: &str, uploaded_in: Option<GuildId>) -> String {
    match uploaded_in {
        Some(guild) => format!("{question}@{}", guild.0),
        None => question.to_string(),
    }
}

/// A card key's question key, and the server whose uploaded pack holds it.
pub fn split_card_key(card: &str) -> (&str, Option<GuildId>) {
    match card.rsplit_once('@') {
        Some((question, guild)) => match guild.parse() {
            Ok(id) => (question, Some(GuildId(id))),
            Err(_) => (card, None),
        },
        None => (card, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_card_key_names_the_server_of_an_uploaded_question_only() {
        assert_eq!(card_key("great-purge/q1", None), "great-purge/q1");
        assert_eq!(card_key("ww1/q3", Some(GuildId(123))), "ww1/q3@123");
        assert_eq!(split_card_key("ww1/q3@123"), ("ww1/q3", Some(GuildId(123))));
        assert_eq!(split_card_key("great-purge/q1"), ("great-purge/q1", None));
        assert_eq!(split_card_key("odd@key"), ("odd@key", None));
    }

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

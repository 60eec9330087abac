//! What an answer does, written once for both backends: recording it
//! exactly once with its effects (the member's name, the review card, the
//! streak, totals per period with the score histogram and player counts,
//! the question's tally), carrying out an [`AnswerPlan`] in the answer's
//! transaction, a teacher accepting a wrong answer, and forgetting a
//! student's answers (used by removals).
//!
//! **Exactly once, on both backends.** The answer is inserted with
//! `ON CONFLICT DO NOTHING` and only an insert that happened goes on to
//! change anything; otherwise the row it ran into is read back
//! ([`RecordOutcome::Duplicate`] for the same interaction, else
//! [`RecordOutcome::AlreadyAnswered`]). A total is updated (`RETURNING` its
//! new points) or else created; where transactions run side by side
//! (PostgreSQL, READ COMMITTED), an insert that lost a race is tried again
//! and finds the winner's row. A competition answer (`competitions.rs`) is
//! recorded by the same [`insert_once`] and [`add_to_totals`].
//!
//! **Lock order**, shared by every writer of these rows so that concurrent
//! answers do not deadlock on PostgreSQL (SQLite's single writer never
//! waits): the member's name, the answer, the review card, the streak, then
//! per period (sorted) the total, the player count and the score histogram
//! (lower score first), and the instance's tally last. A competition
//! answer takes its own row first, then the name and the totals: the rows
//! it shares with answers come in the same order.
//!
//! It must not know which backend runs it: only [`Tx`] and its values.

use super::{args, Row, SqlError, Tx, Value};
use crate::request::{GuildId, UserId};
use crate::store::answers::{answered, settle, AnswerReads};
use crate::store::*;
use std::collections::BTreeMap;

/// How many times an answer's insert is tried when the rows it conflicted
/// with keep disappearing before they can be read (a student removed
/// meanwhile, on another connection).
pub(crate) const INSERT_TRIES: usize = 3;

/// Upserts a member's display name (an unchanged name is not rewritten).
pub(crate) fn remember_name<T: Tx>(
    tx: &mut T,
    guild: Option<GuildId>,
    user: UserId,
    name: &str,
    at: DateTime<Utc>,
) -> Result<(), T::Error> {
    tx.execute(
        "INSERT INTO members (guild_id, user_id, display_name, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = EXCLUDED.display_name,
             updated_at = EXCLUDED.updated_at
         WHERE members.display_name <> EXCLUDED.display_name",
        args![guild.map_or(0, |g| g.0 as i64), user.0 as i64, name, at],
    )?;
    Ok(())
}

fn past_answer(row: &Row) -> Result<PastAnswer, SqlError> {
    Ok(PastAnswer {
        answer: row.text(0)?,
        correct: row.bool(1)?,
        points: row.int(2)?,
    })
}

/// How an answer of one kind is inserted exactly once: the insert (with
/// `ON CONFLICT DO NOTHING` on the interaction and on the student's one
/// answer to the question) and the two reads of the row it may run into.
pub(crate) struct InsertOnce {
    pub(crate) insert: &'static str,
    /// `answer, correct, points` of the answer given with an interaction.
    pub(crate) by_interaction: &'static str,
    /// `answer, correct, points` of the student's answer to the question.
    pub(crate) by_student: &'static str,
}

/// Answers to question instances (daily and practice).
const ANSWERS: InsertOnce = InsertOnce {
    insert: "INSERT INTO answers (instance_id, guild_id, user_id, interaction_id, question, answer, correct, points, answered_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
    by_interaction: "SELECT answer, correct, points FROM answers WHERE interaction_id = ?1",
    by_student: "SELECT answer, correct, points FROM answers WHERE instance_id = ?1 AND user_id = ?2",
};

/// Inserts an answer unless it was given already: `None` when it was
/// inserted, else the answer it ran into, this interaction's own first
/// ([`RecordOutcome::Duplicate`]), else the student's earlier answer to the
/// same question ([`RecordOutcome::AlreadyAnswered`]). A conflicting row
/// deleted before it could be read (a student removed meanwhile, on another
/// connection) sends the insert round again, at most [`INSERT_TRIES`] times.
pub(crate) fn insert_once<T: Tx>(
    tx: &mut T,
    sql: &InsertOnce,
    answer: &[Value<'_>],
    interaction: i64,
    student: &[Value<'_>],
) -> Result<Option<RecordOutcome>, T::Error> {
    for _ in 0..INSERT_TRIES {
        if tx.execute(sql.insert, answer)? == 1 {
            return Ok(None);
        }
        if let Some(row) = tx.query_opt(sql.by_interaction, args![interaction])? {
            return Ok(Some(RecordOutcome::Duplicate(past_answer(&row)?)));
        }
        if let Some(row) = tx.query_opt(sql.by_student, student)? {
            return Ok(Some(RecordOutcome::AlreadyAnswered(past_answer(&row)?)));
        }
    }
    Err(SqlError::Contended.into())
}

/// Records one answer with all its effects, inside the caller's
/// transaction (see [`AnswerStore::record_answer`]).
pub(crate) fn record<T: Tx>(tx: &mut T, a: &NewAnswer) -> Result<RecordOutcome, T::Error> {
    let user = a.user.0 as i64;
    if let Some(name) = &a.display_name {
        remember_name(tx, a.guild, a.user, name, a.at)?;
    }
    let interaction = a.interaction.0 as i64;
    let answer = args![
        a.instance,
        a.guild.map(|g| g.0 as i64),
        user,
        interaction,
        &a.question,
        &a.answer,
        a.correct,
        a.points,
        a.at
    ];
    if let Some(earlier) = insert_once(tx, &ANSWERS, answer, interaction, args![a.instance, user])?
    {
        return Ok(earlier);
    }
    if let Some(card) = &a.review {
        tx.execute(
            "INSERT INTO review_cards (user_id, question, due, stability, difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (user_id, question) DO UPDATE SET due = EXCLUDED.due, stability = EXCLUDED.stability,
                 difficulty = EXCLUDED.difficulty, elapsed_days = EXCLUDED.elapsed_days,
                 scheduled_days = EXCLUDED.scheduled_days, reps = EXCLUDED.reps, lapses = EXCLUDED.lapses,
                 state = EXCLUDED.state, last_review = EXCLUDED.last_review",
            args![
                user,
                &card.question,
                card.due,
                card.stability,
                card.difficulty,
                card.elapsed_days,
                card.scheduled_days,
                card.reps,
                card.lapses,
                card.state,
                card.last_review
            ],
        )?;
    }
    if let Some(guild) = a.guild {
        if let Some(s) = &a.streak {
            save_streak(tx, guild.0 as i64, user, s)?;
        }
        add_to_totals(tx, guild, a.user, &a.periods, a.points, a.correct)?;
    }
    tx.execute(
        "INSERT INTO instance_tallies (instance_id, answered, correct) VALUES (?1, 1, ?2)
         ON CONFLICT (instance_id) DO UPDATE SET answered = instance_tallies.answered + 1,
             correct = instance_tallies.correct + EXCLUDED.correct",
        args![a.instance, i64::from(a.correct)],
    )?;
    Ok(RecordOutcome::Recorded)
}

/// Carries out an answer plan: what the store holds now (the streak,
/// locked; the open season; the review card), the plan's rules applied to
/// it ([`settle`]), the answer recorded, and the tally for the reply.
pub(crate) fn answer<T: Tx>(tx: &mut T, plan: &AnswerPlan) -> Result<Answered, T::Error> {
    let (answer, bonus) = settle(&mut Reads(tx), plan)?;
    let outcome = record(tx, &answer)?;
    let tally = tally(tx, plan.instance)?;
    Ok(answered(answer, bonus, outcome, tally))
}

/// How many have answered a question instance, and how many were right.
pub(crate) fn tally<T: Tx>(tx: &mut T, instance: i64) -> Result<Tally, T::Error> {
    let Some(row) = tx.query_opt(
        "SELECT answered, correct FROM instance_tallies WHERE instance_id = ?1",
        args![instance],
    )?
    else {
        return Ok(Tally::default());
    };
    Ok(Tally {
        answered: row.int(0)? as u64,
        correct: row.int(1)? as u64,
    })
}

/// What an answer plan reads, inside the answer's transaction.
struct Reads<'t, T>(&'t mut T);

impl<T: Tx> AnswerReads for Reads<'_, T> {
    type Error = T::Error;

    fn streak_for_update(&mut self, guild: GuildId, user: UserId) -> Result<Streak, T::Error> {
        lock_streak(self.0, guild.0 as i64, user.0 as i64)
    }

    fn open_season(&mut self, guild: GuildId) -> Result<Option<Season>, T::Error> {
        super::leaderboards::open_season(self.0, guild)
    }

    fn open_class_season(
        &mut self,
        guild: GuildId,
        class: i64,
    ) -> Result<Option<Season>, T::Error> {
        super::classes::open_class_season(self.0, guild, class)
    }

    fn review_card(&mut self, user: UserId, key: &str) -> Result<Option<ReviewCard>, T::Error> {
        super::review::review_card(self.0, user, key)
    }
}

/// A streak from its row (`current, best, last_day`); the default for none.
pub(crate) fn streak_row(row: Option<&Row>) -> Result<Streak, SqlError> {
    Ok(match row {
        Some(r) => Streak {
            current: r.int(0)? as u32,
            best: r.int(1)? as u32,
            last_day: r.opt_day(2)?,
        },
        None => Streak::default(),
    })
}

/// A student's streak in a guild, as stored (the default when none is).
pub(crate) fn streak<T: Tx>(tx: &mut T, guild: i64, user: i64) -> Result<Streak, T::Error> {
    let row = tx.query_opt(
        "SELECT current, best, last_day FROM streaks WHERE guild_id = ?1 AND user_id = ?2",
        args![guild, user],
    )?;
    Ok(streak_row(row.as_ref())?)
}

/// A student's streak, locked against other writers until the transaction
/// ends (where rows are locked, it is created empty first, so there is
/// always a row to lock). Both an answer and an accepted answer take this
/// lock before they read what the streak is built from, so one waits for
/// the other and then builds on what it wrote: neither streak is lost.
pub(crate) fn lock_streak<T: Tx>(tx: &mut T, guild: i64, user: i64) -> Result<Streak, T::Error> {
    if !tx.locks_rows() {
        return streak(tx, guild, user);
    }
    tx.execute(
        "INSERT INTO streaks (guild_id, user_id, current, best, last_day) VALUES (?1, ?2, 0, 0, NULL)
         ON CONFLICT (guild_id, user_id) DO NOTHING",
        args![guild, user],
    )?;
    let row = tx.query_opt(
        "SELECT current, best, last_day FROM streaks WHERE guild_id = ?1 AND user_id = ?2 FOR UPDATE",
        args![guild, user],
    )?;
    Ok(streak_row(row.as_ref())?)
}

/// Stores a student's streak in a guild.
pub(crate) fn save_streak<T: Tx>(
    tx: &mut T,
    guild: i64,
    user: i64,
    s: &Streak,
) -> Result<(), T::Error> {
    tx.execute(
        "INSERT INTO streaks (guild_id, user_id, current, best, last_day) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (guild_id, user_id) DO UPDATE SET current = EXCLUDED.current, best = EXCLUDED.best,
             last_day = EXCLUDED.last_day",
        args![guild, user, s.current, s.best, s.last_day],
    )?;
    Ok(())
}

/// The periods in the order their rows are locked (see the module notes).
fn lock_order(periods: &[String]) -> Vec<&String> {
    let mut sorted: Vec<&String> = periods.iter().collect();
    sorted.sort();
    sorted
}

/// Adds one answer's points to a student's totals for each period, keeping
/// the score histogram and player counts in step.
pub(crate) fn add_to_totals<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    user: UserId,
    periods: &[String],
    points: i64,
    correct: bool,
) -> Result<(), T::Error> {
    let (g, u, correct) = (guild.0 as i64, user.0 as i64, i64::from(correct));
    for period in lock_order(periods) {
        // Update the student's row (locking it), else create it; if another
        // transaction created it meanwhile, the insert does nothing and the
        // update is tried again, now finding that row.
        let mut tries = 0;
        loop {
            let updated = tx.query_opt(
                "UPDATE totals SET points = points + ?4, answered = answered + 1, correct = correct + ?5
                 WHERE guild_id = ?1 AND period = ?2 AND user_id = ?3 RETURNING points",
                args![g, period, u, points, correct],
            )?;
            if let Some(row) = updated {
                let now = row.int(0)?;
                if points != 0 {
                    move_score(tx, g, period, Some(now - points), now)?;
                }
                break;
            }
            let inserted = tx.execute(
                "INSERT INTO totals (guild_id, period, user_id, points, answered, correct) VALUES (?1, ?2, ?3, ?4, 1, ?5)
                 ON CONFLICT DO NOTHING",
                args![g, period, u, points, correct],
            )?;
            if inserted == 1 {
                tx.execute(
                    "INSERT INTO period_players (guild_id, period, players) VALUES (?1, ?2, 1)
                     ON CONFLICT (guild_id, period) DO UPDATE SET players = period_players.players + 1",
                    args![g, period],
                )?;
                move_score(tx, g, period, None, points)?;
                break;
            }
            tries += 1;
            if tries == INSERT_TRIES {
                return Err(SqlError::Contended.into());
            }
        }
    }
    Ok(())
}

/// Moves one student from one points value to another in `score_counts`,
/// the lower value's row first (see the module notes).
pub(crate) fn move_score<T: Tx>(
    tx: &mut T,
    guild: i64,
    period: &str,
    from: Option<i64>,
    to: i64,
) -> Result<(), T::Error> {
    let leave = |tx: &mut T, from: i64| {
        tx.execute(
            "UPDATE score_counts SET users = users - 1 WHERE guild_id = ?1 AND period = ?2 AND points = ?3",
            args![guild, period, from],
        )
    };
    let join = |tx: &mut T| {
        tx.execute(
            "INSERT INTO score_counts (guild_id, period, points, users) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (guild_id, period, points) DO UPDATE SET users = score_counts.users + 1",
            args![guild, period, to],
        )
    };
    match from {
        Some(from) if from < to => {
            leave(tx, from)?;
            join(tx)?;
        }
        Some(from) => {
            join(tx)?;
            leave(tx, from)?;
        }
        None => {
            join(tx)?;
        }
    }
    Ok(())
}

/// Marks a wrong answer right and everything that follows from it (see
/// [`AnswerStore::accept_answer`]), inside the caller's transaction.
pub(crate) fn accept<T: Tx>(
    tx: &mut T,
    id: i64,
    points: i64,
    periods: &[String],
    rebuild_streak: &StreakRebuild,
) -> Result<Option<Streak>, T::Error> {
    // Where rows are locked, the answer's row lock makes a second,
    // concurrent accept wait and then find the answer already correct.
    let Some(row) = tx.query_opt(
        "UPDATE answers SET correct = TRUE, points = points + ?2
         WHERE id = ?1 AND NOT correct AND guild_id IS NOT NULL
         RETURNING instance_id, guild_id, user_id",
        args![id, points],
    )?
    else {
        return Ok(None);
    };
    let (instance, g, u) = (row.int(0)?, row.int(1)?, row.int(2)?);
    // The streak first, as an answer's transaction takes it: the one that
    // locks it second waits, then reads the answers the first committed, so
    // neither rebuild misses the other's.
    let stored = lock_streak(tx, g, u)?;
    for period in lock_order(periods) {
        // Only the periods the wrong answer was counted in have a row.
        let Some(total) = tx.query_opt(
            "UPDATE totals SET points = points + ?4, correct = correct + 1
             WHERE guild_id = ?1 AND period = ?2 AND user_id = ?3 RETURNING points",
            args![g, period, u, points],
        )?
        else {
            continue;
        };
        let now = total.int(0)?;
        if points != 0 {
            move_score(tx, g, period, Some(now - points), now)?;
        }
    }
    tx.execute(
        "DELETE FROM score_counts WHERE guild_id = ?1 AND users <= 0",
        args![g],
    )?;
    tx.execute(
        "UPDATE instance_tallies SET correct = correct + 1 WHERE instance_id = ?1",
        args![instance],
    )?;
    let mut daily = Vec::new();
    for row in tx.query(
        "SELECT i.day, a.correct FROM answers a
         JOIN instances i ON i.id = a.instance_id AND i.kind = 'daily'
         WHERE a.guild_id = ?1 AND a.user_id = ?2 AND i.day IS NOT NULL ORDER BY i.day",
        args![g, u],
    )? {
        if let Some(day) = row.opt_day(0)? {
            daily.push((day, row.bool(1)?));
        }
    }
    let streak = rebuild_streak(&stored, &daily);
    save_streak(tx, g, u, &streak)?;
    Ok(Some(streak))
}

/// Deletes a student's answers in a guild (in DMs when `None`) and takes
/// them off the tallies of their questions. Returns how many went.
pub(crate) fn forget_answers<T: Tx>(
    tx: &mut T,
    guild: Option<GuildId>,
    user: UserId,
) -> Result<u64, T::Error> {
    let u = user.0 as i64;
    // What the DELETE removed is exactly what comes off the tallies, even if
    // other answers commit meanwhile.
    let deleted = match guild {
        Some(g) => tx.query(
            "DELETE FROM answers WHERE guild_id = ?1 AND user_id = ?2 RETURNING instance_id, correct",
            args![g.0 as i64, u],
        )?,
        None => tx.query(
            "DELETE FROM answers WHERE guild_id IS NULL AND user_id = ?1 RETURNING instance_id, correct",
            args![u],
        )?,
    };
    let mut per_instance: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for row in &deleted {
        let counts = per_instance.entry(row.int(0)?).or_default();
        counts.0 += 1;
        counts.1 += i64::from(row.bool(1)?);
    }
    for (instance, (answered, correct)) in per_instance {
        tx.execute(
            "UPDATE instance_tallies SET answered = answered - ?2, correct = correct - ?3 WHERE instance_id = ?1",
            args![instance, answered, correct],
        )?;
    }
    Ok(deleted.len() as u64)
}

/// A student's results per question in a guild (in every guild when `None`).
pub(crate) fn question_results<T: Tx>(
    tx: &mut T,
    guild: Option<GuildId>,
    user: UserId,
) -> Result<Vec<QuestionResults>, T::Error> {
    let u = user.0 as i64;
    let rows = match guild {
        Some(g) => tx.query(
            "SELECT question, count(*), count(CASE WHEN correct THEN 1 END) FROM answers
             WHERE user_id = ?1 AND guild_id = ?2 GROUP BY question ORDER BY question",
            args![u, g.0 as i64],
        )?,
        None => tx.query(
            "SELECT question, count(*), count(CASE WHEN correct THEN 1 END) FROM answers
             WHERE user_id = ?1 GROUP BY question ORDER BY question",
            args![u],
        )?,
    };
    Ok(super::leaderboards::question_results(rows)?)
}

/// A daily answer with its question's day (see [`scored_answer_row`]).
macro_rules! scored_answer {
    () => {
        "SELECT a.id, a.instance_id, a.guild_id, a.user_id, a.question, a.answer, a.correct, a.points, i.day, a.answered_at
         FROM answers a JOIN instances i ON i.id = a.instance_id AND i.kind = 'daily'"
    };
}

fn scored_answer_row(row: &Row) -> Result<ScoredAnswer, SqlError> {
    Ok(ScoredAnswer {
        id: row.int(0)?,
        instance: row.int(1)?,
        guild: GuildId(row.int(2)? as u64),
        user: UserId(row.int(3)? as u64),
        question: row.text(4)?,
        answer: row.text(5)?,
        correct: row.bool(6)?,
        points: row.int(7)?,
        day: row.opt_day(8)?.unwrap_or_default(),
        at: row.time(9)?,
    })
}

/// A student's daily answers marked wrong in a guild, newest first.
pub(crate) fn wrong_daily_answers<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    user: UserId,
    limit: usize,
) -> Result<Vec<ScoredAnswer>, T::Error> {
    let rows = tx.query(
        concat!(
            scored_answer!(),
            " WHERE a.guild_id = ?1 AND a.user_id = ?2 AND NOT a.correct ORDER BY a.id DESC LIMIT ?3"
        ),
        args![
            guild.0 as i64,
            user.0 as i64,
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
    )?;
    Ok(rows
        .iter()
        .map(scored_answer_row)
        .collect::<Result<_, _>>()?)
}

/// One daily answer by id.
pub(crate) fn scored_answer<T: Tx>(tx: &mut T, id: i64) -> Result<Option<ScoredAnswer>, T::Error> {
    let row = tx.query_opt(concat!(scored_answer!(), " WHERE a.id = ?1"), args![id])?;
    Ok(row.as_ref().map(scored_answer_row).transpose()?)
}

//! What an answer does, in SQLite: recording it once with its effects
//! (totals, the score histogram, player counts, the tally, the streak, the
//! review card), the group commit of queued answers, and moving or
//! forgetting a student's score (used by corrections and removals).

use super::*;

/// Commits a group of answers in one transaction; one outcome per answer.
/// Each answer runs inside a savepoint: one that fails (a constraint, a
/// rule's query) is rolled back alone and reported to its caller, and the
/// others in the group still commit. A failure that ends the whole
/// transaction (SQLite rolls back by itself on a full disk or I/O error)
/// or a failed COMMIT fails every answer in the group.
pub(super) fn commit_group(
    conn: &mut Connection,
    group: &[QueuedAnswer],
) -> Vec<Result<Answered, StoreError>> {
    let mut attempt = || -> rusqlite::Result<Vec<Result<Answered, StoreError>>> {
        let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut outcomes = Vec::with_capacity(group.len());
        for queued in group {
            let savepoint = tx.savepoint()?;
            match carry_out(&savepoint, &queued.work) {
                Ok(answered) => {
                    savepoint.commit()?;
                    outcomes.push(Ok(answered));
                }
                Err(e) => {
                    // Dropping the savepoint rolls this answer back.
                    drop(savepoint);
                    if tx.is_autocommit() {
                        return Err(e);
                    }
                    outcomes.push(Err(db(e)));
                }
            }
        }
        tx.commit()?;
        Ok(outcomes)
    };
    match attempt() {
        Ok(outcomes) => outcomes,
        Err(e) => {
            let error = db(e);
            group.iter().map(|_| Err(error.clone())).collect()
        }
    }
}

/// One queued answer, inside the group's transaction.
fn carry_out(c: &Connection, work: &Work) -> rusqlite::Result<Answered> {
    match work {
        Work::Record(a) => Ok(Answered {
            outcome: record_in(c, a)?,
            points: a.points,
            bonus: 0,
            streak: a.streak.clone(),
            // Only a plan's caller asks for the tally.
            tally: Tally::default(),
        }),
        Work::Plan(plan) => {
            let (answer, bonus) = crate::store::answers::settle(&mut Reads(c), plan)?;
            let outcome = record_in(c, &answer)?;
            let tally = c
                .prepare_cached(
                    "SELECT answered, correct FROM instance_tallies WHERE instance_id = ?1",
                )?
                .query_row(params![plan.instance], |r| {
                    Ok(Tally {
                        answered: r.get::<_, i64>(0)? as u64,
                        correct: r.get::<_, i64>(1)? as u64,
                    })
                })
                .optional()?
                .unwrap_or_default();
            Ok(crate::store::answers::answered(
                answer, bonus, outcome, tally,
            ))
        }
    }
}

/// What an answer plan reads, on the writer's connection (the only writer,
/// so what it reads cannot change before the commit).
struct Reads<'a>(&'a Connection);

impl crate::store::answers::AnswerReads for Reads<'_> {
    type Error = rusqlite::Error;

    fn streak_for_update(&mut self, guild: GuildId, user: UserId) -> rusqlite::Result<Streak> {
        stored_streak(self.0, guild.0 as i64, user.0 as i64)
    }

    fn open_season(&mut self, guild: GuildId) -> rusqlite::Result<Option<Season>> {
        open_season_in(self.0, guild)
    }

    fn review_card(&mut self, user: UserId, key: &str) -> rusqlite::Result<Option<ReviewCard>> {
        review_card_in(self.0, user, key)
    }
}

/// Records one answer inside a transaction (see [`Store::record_answer`]).
pub(super) fn record_in(tx: &Connection, a: &NewAnswer) -> rusqlite::Result<RecordOutcome> {
    if let Some(name) = &a.display_name {
        tx.prepare_cached(REMEMBER_NAME)?.execute(params![
            guild_key(a.guild),
            a.user.0 as i64,
            name,
            ts(a.at)
        ])?;
    }
    let duplicate = tx
        .prepare_cached("SELECT answer, correct, points FROM answers WHERE interaction_id = ?1")?
        .query_row(params![a.interaction.0 as i64], past_answer)
        .optional()?;
    if let Some(past) = duplicate {
        return Ok(RecordOutcome::Duplicate(past));
    }
    let earlier = tx
        .prepare_cached(
            "SELECT answer, correct, points FROM answers WHERE instance_id = ?1 AND user_id = ?2",
        )?
        .query_row(params![a.instance, a.user.0 as i64], past_answer)
        .optional()?;
    if let Some(past) = earlier {
        return Ok(RecordOutcome::AlreadyAnswered(past));
    }
    tx.prepare_cached(
        "INSERT INTO answers (instance_id, guild_id, user_id, interaction_id, question, answer, correct, points, answered_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        a.instance,
        a.guild.map(|g| g.0 as i64),
        a.user.0 as i64,
        a.interaction.0 as i64,
        a.question,
        a.answer,
        a.correct as i64,
        a.points,
        ts(a.at)
    ])?;
    tx.prepare_cached(
        "INSERT INTO instance_tallies (instance_id, answered, correct) VALUES (?1, 1, ?2)
         ON CONFLICT (instance_id) DO UPDATE SET answered = answered + 1, correct = correct + ?2",
    )?
    .execute(params![a.instance, a.correct as i64])?;
    if let Some(card) = &a.review {
        tx.prepare_cached(
            "INSERT INTO review_cards (user_id, question, due, stability, difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (user_id, question) DO UPDATE SET due = ?3, stability = ?4, difficulty = ?5, elapsed_days = ?6,
                 scheduled_days = ?7, reps = ?8, lapses = ?9, state = ?10, last_review = ?11",
        )?
        .execute(params![
            a.user.0 as i64,
            card.question,
            ts(card.due),
            card.stability,
            card.difficulty,
            card.elapsed_days,
            card.scheduled_days,
            card.reps,
            card.lapses,
            card.state,
            ts(card.last_review)
        ])?;
    }
    if let Some(guild) = a.guild {
        add_to_totals(tx, guild, a.user, &a.periods, a.points, a.correct)?;
        if let Some(s) = &a.streak {
            save_streak(tx, guild.0 as i64, a.user.0 as i64, s)?;
        }
    }
    Ok(RecordOutcome::Recorded)
}

/// A student's streak in a guild (the default when none is stored).
pub(super) fn stored_streak(c: &Connection, guild: i64, user: i64) -> rusqlite::Result<Streak> {
    c.prepare_cached(
        "SELECT current, best, last_day FROM streaks WHERE guild_id = ?1 AND user_id = ?2",
    )?
    .query_row(params![guild, user], |r| {
        Ok(Streak {
            current: r.get(0)?,
            best: r.get(1)?,
            last_day: parse_day(r.get(2)?),
        })
    })
    .optional()
    .map(Option::unwrap_or_default)
}

/// Stores a student's streak in a guild.
pub(super) fn save_streak(
    c: &Connection,
    guild: i64,
    user: i64,
    s: &Streak,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO streaks (guild_id, user_id, current, best, last_day) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (guild_id, user_id) DO UPDATE SET current = ?3, best = ?4, last_day = ?5",
    )?
    .execute(params![guild, user, s.current, s.best, s.last_day.map(|d| d.to_string())])?;
    Ok(())
}

/// Deletes a student's answers in a guild (in DMs when `None`), taking them
/// off the tallies of their questions first. Returns how many went.
pub(super) fn forget_answers(
    tx: &Connection,
    guild: Option<GuildId>,
    user: UserId,
) -> rusqlite::Result<u64> {
    let (g, u) = (guild.map(|g| g.0 as i64), user.0 as i64);
    // `IS` rather than `=`: it also matches the NULL guild of DM answers.
    tx.prepare_cached(
        "UPDATE instance_tallies SET
             answered = answered - (SELECT count(*) FROM answers a WHERE a.instance_id = instance_tallies.instance_id AND a.guild_id IS ?1 AND a.user_id = ?2),
             correct = correct - (SELECT coalesce(sum(correct), 0) FROM answers a WHERE a.instance_id = instance_tallies.instance_id AND a.guild_id IS ?1 AND a.user_id = ?2)
         WHERE instance_id IN (SELECT instance_id FROM answers WHERE guild_id IS ?1 AND user_id = ?2)",
    )?
    .execute(params![g, u])?;
    tx.prepare_cached("DELETE FROM answers WHERE guild_id IS ?1 AND user_id = ?2")?
        .execute(params![g, u])
        .map(|n| n as u64)
}

/// Adds one answer's points to a student's totals for each period, keeping
/// the score histogram and player counts in step.
pub(super) fn add_to_totals(
    tx: &Connection,
    guild: GuildId,
    user: UserId,
    periods: &[String],
    points: i64,
    correct: bool,
) -> rusqlite::Result<()> {
    let (g, u) = (guild.0 as i64, user.0 as i64);
    for period in periods {
        let before = total_points(tx, g, period, u)?;
        match before {
            Some(had) => {
                tx.prepare_cached(
                    "UPDATE totals SET points = points + ?4, answered = answered + 1, correct = correct + ?5
                     WHERE guild_id = ?1 AND period = ?2 AND user_id = ?3",
                )?
                .execute(params![g, period, u, points, correct as i64])?;
                if points != 0 {
                    move_score(tx, g, period, Some(had), had + points)?;
                }
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO totals (guild_id, period, user_id, points, answered, correct) VALUES (?1, ?2, ?3, ?4, 1, ?5)",
                )?
                .execute(params![g, period, u, points, correct as i64])?;
                tx.prepare_cached(
                    "INSERT INTO period_players (guild_id, period, players) VALUES (?1, ?2, 1)
                     ON CONFLICT (guild_id, period) DO UPDATE SET players = players + 1",
                )?
                .execute(params![g, period])?;
                move_score(tx, g, period, None, points)?;
            }
        }
    }
    Ok(())
}

/// A student's points in a period, if they have a total there.
pub(super) fn total_points(
    tx: &Connection,
    guild: i64,
    period: &str,
    user: i64,
) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached(
        "SELECT points FROM totals WHERE guild_id = ?1 AND period = ?2 AND user_id = ?3",
    )?
    .query_row(params![guild, period, user], |r| r.get(0))
    .optional()
}

/// Moves one student from one points value to another in `score_counts`.
pub(super) fn move_score(
    tx: &Connection,
    guild: i64,
    period: &str,
    from: Option<i64>,
    to: i64,
) -> rusqlite::Result<()> {
    if let Some(from) = from {
        tx.prepare_cached("UPDATE score_counts SET users = users - 1 WHERE guild_id = ?1 AND period = ?2 AND points = ?3")?
            .execute(params![guild, period, from])?;
    }
    tx.prepare_cached(
        "INSERT INTO score_counts (guild_id, period, points, users) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (guild_id, period, points) DO UPDATE SET users = users + 1",
    )?
    .execute(params![guild, period, to])?;
    Ok(())
}

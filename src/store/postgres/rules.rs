//! What an answer does, in PostgreSQL: recording it once with its effects
//! (totals, the score histogram, player counts, the tally, the streak, the
//! review card) under the lock order in `mod.rs`, and moving or forgetting
//! a student's score (used by corrections and removals).

use super::*;

/// The answer a conflicting insert ran into: this interaction's own earlier
/// answer ([`RecordOutcome::Duplicate`]) first, else the student's earlier
/// answer to the same question. `None` when the conflicting row has been
/// deleted since (a student removed meanwhile): the insert may be tried again.
pub(super) fn earlier_answer(
    tx: &mut Tx<'_, '_>,
    by_interaction: &'static str,
    by_student: &'static str,
    interaction: i64,
    student: Params,
) -> Result<Option<RecordOutcome>, pg::Error> {
    if let Some(row) = tx.query_opt(by_interaction, &[&interaction])? {
        return Ok(Some(RecordOutcome::Duplicate(past_answer(&row)?)));
    }
    match tx.query_opt(by_student, student)? {
        Some(row) => Ok(Some(RecordOutcome::AlreadyAnswered(past_answer(&row)?))),
        None => Ok(None),
    }
}

/// How many times an answer's insert is tried when the answers it conflicted
/// with keep disappearing before they can be read.
pub(super) const INSERT_TRIES: usize = 3;

/// Records one answer inside a transaction (see [`Store::record_answer`]).
///
/// Lock order, shared by every writer of these rows: the member's name, the
/// answer, the review card and streak, then per period (sorted) the total,
/// the player count and the score histogram (lower score first), and the
/// instance's tally last.
/// A streak from its row (`current, best, last_day`); the default for none.
pub(super) fn streak_row(row: Option<&Row>) -> Result<Streak, pg::Error> {
    Ok(match row {
        Some(r) => Streak {
            current: r.try_get::<_, i64>(0)? as u32,
            best: r.try_get::<_, i64>(1)? as u32,
            last_day: r.try_get(2)?,
        },
        None => Streak::default(),
    })
}

/// Stores a student's streak in a guild.
pub(super) fn save_streak(
    tx: &mut Tx<'_, '_>,
    guild: i64,
    user: i64,
    s: &Streak,
) -> Result<(), pg::Error> {
    tx.execute(
        "INSERT INTO streaks (guild_id, user_id, current, best, last_day) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (guild_id, user_id) DO UPDATE SET current = EXCLUDED.current, best = EXCLUDED.best,
             last_day = EXCLUDED.last_day",
        &[&guild, &user, &i64::from(s.current), &i64::from(s.best), &s.last_day],
    )?;
    Ok(())
}

pub(super) fn record_in(tx: &mut Tx<'_, '_>, a: &NewAnswer) -> Result<RecordOutcome, PgError> {
    let user = a.user.0 as i64;
    let at = micros(a.at);
    if let Some(name) = &a.display_name {
        tx.execute(
            REMEMBER_NAME,
            &[&guild_key(a.guild), &user, &typed(name), &at],
        )?;
    }
    let interaction = a.interaction.0 as i64;
    let mut tries = 0;
    loop {
        let inserted = tx.execute(
            "INSERT INTO answers (instance_id, guild_id, user_id, interaction_id, question, answer, correct, points, answered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
            &[
                &a.instance,
                &a.guild.map(|g| g.0 as i64),
                &user,
                &interaction,
                &a.question,
                &typed(&a.answer),
                &a.correct,
                &a.points,
                &at,
            ],
        )?;
        if inserted == 1 {
            break;
        }
        if let Some(outcome) = earlier_answer(
            tx,
            "SELECT answer, correct, points FROM answers WHERE interaction_id = $1",
            "SELECT answer, correct, points FROM answers WHERE instance_id = $1 AND user_id = $2",
            interaction,
            &[&a.instance, &user],
        )? {
            return Ok(outcome);
        }
        tries += 1;
        if tries == INSERT_TRIES {
            return Err(PgError::Contended);
        }
    }
    if let Some(card) = &a.review {
        tx.execute(
            "INSERT INTO review_cards (user_id, question, due, stability, difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (user_id, question) DO UPDATE SET due = EXCLUDED.due, stability = EXCLUDED.stability,
                 difficulty = EXCLUDED.difficulty, elapsed_days = EXCLUDED.elapsed_days,
                 scheduled_days = EXCLUDED.scheduled_days, reps = EXCLUDED.reps, lapses = EXCLUDED.lapses,
                 state = EXCLUDED.state, last_review = EXCLUDED.last_review",
            &[
                &user,
                &card.question,
                &micros(card.due),
                &card.stability,
                &card.difficulty,
                &card.elapsed_days,
                &card.scheduled_days,
                &card.reps,
                &card.lapses,
                &i16::from(card.state),
                &micros(card.last_review),
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
        "INSERT INTO instance_tallies (instance_id, answered, correct) VALUES ($1, 1, $2)
         ON CONFLICT (instance_id) DO UPDATE SET answered = instance_tallies.answered + 1,
             correct = instance_tallies.correct + EXCLUDED.correct",
        &[&a.instance, &i64::from(a.correct)],
    )?;
    Ok(RecordOutcome::Recorded)
}

/// The periods in the order their rows are locked (see [`record_in`]).
pub(super) fn lock_order(periods: &[String]) -> Vec<&String> {
    let mut sorted: Vec<&String> = periods.iter().collect();
    sorted.sort();
    sorted
}

/// Adds one answer's points to a student's totals for each period, keeping
/// the score histogram and player counts in step.
pub(super) fn add_to_totals(
    tx: &mut Tx<'_, '_>,
    guild: GuildId,
    user: UserId,
    periods: &[String],
    points: i64,
    correct: bool,
) -> Result<(), PgError> {
    let (g, u, correct) = (guild.0 as i64, user.0 as i64, i64::from(correct));
    for period in lock_order(periods) {
        // Update the student's row (locking it), else create it; if another
        // transaction created it meanwhile, the insert does nothing and the
        // update is tried again, now finding that row.
        let mut tries = 0;
        loop {
            let updated = tx.returning_opt(
                "UPDATE totals SET points = points + $4, answered = answered + 1, correct = correct + $5
                 WHERE guild_id = $1 AND period = $2 AND user_id = $3 RETURNING points",
                &[&g, period, &u, &points, &correct],
            )?;
            if let Some(row) = updated {
                let now: i64 = row.try_get(0)?;
                if points != 0 {
                    move_score(tx, g, period, Some(now - points), now)?;
                }
                break;
            }
            let inserted = tx.execute(
                "INSERT INTO totals (guild_id, period, user_id, points, answered, correct) VALUES ($1, $2, $3, $4, 1, $5)
                 ON CONFLICT DO NOTHING",
                &[&g, period, &u, &points, &correct],
            )?;
            if inserted == 1 {
                tx.execute(
                    "INSERT INTO period_players (guild_id, period, players) VALUES ($1, $2, 1)
                     ON CONFLICT (guild_id, period) DO UPDATE SET players = period_players.players + 1",
                    &[&g, period],
                )?;
                move_score(tx, g, period, None, points)?;
                break;
            }
            tries += 1;
            if tries == INSERT_TRIES {
                return Err(PgError::Contended);
            }
        }
    }
    Ok(())
}

/// Moves one student from one points value to another in `score_counts`,
/// locking the lower value's row first (see [`record_in`]).
pub(super) fn move_score(
    tx: &mut Tx<'_, '_>,
    guild: i64,
    period: &str,
    from: Option<i64>,
    to: i64,
) -> Result<(), pg::Error> {
    let leave = |tx: &mut Tx<'_, '_>, from: i64| {
        tx.execute(
            "UPDATE score_counts SET users = users - 1 WHERE guild_id = $1 AND period = $2 AND points = $3",
            &[&guild, &period, &from],
        )
    };
    let join = |tx: &mut Tx<'_, '_>| {
        tx.execute(
            "INSERT INTO score_counts (guild_id, period, points, users) VALUES ($1, $2, $3, 1)
             ON CONFLICT (guild_id, period, points) DO UPDATE SET users = score_counts.users + 1",
            &[&guild, &period, &to],
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

/// Deletes a student's answers in a guild (in DMs when `None`) and takes them
/// off the tallies of their questions. Returns how many went.
pub(super) fn forget_answers(
    tx: &mut Tx<'_, '_>,
    guild: Option<GuildId>,
    user: UserId,
) -> Result<u64, pg::Error> {
    let u = user.0 as i64;
    // What the DELETE removed is exactly what comes off the tallies, even if
    // other answers commit meanwhile.
    let deleted = match guild {
        Some(g) => tx.returning(
            "DELETE FROM answers WHERE guild_id = $1 AND user_id = $2 RETURNING instance_id, correct",
            &[&(g.0 as i64), &u],
        )?,
        None => tx.returning(
            "DELETE FROM answers WHERE guild_id IS NULL AND user_id = $1 RETURNING instance_id, correct",
            &[&u],
        )?,
    };
    let mut per_instance: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for row in &deleted {
        let counts = per_instance.entry(row.try_get(0)?).or_default();
        counts.0 += 1;
        counts.1 += i64::from(row.try_get::<_, bool>(1)?);
    }
    for (instance, (answered, correct)) in per_instance {
        tx.execute(
            "UPDATE instance_tallies SET answered = answered - $2, correct = correct - $3 WHERE instance_id = $1",
            &[&instance, &answered, &correct],
        )?;
    }
    Ok(deleted.len() as u64)
}

/// A student's streak, its row locked until the transaction ends (created
/// empty first when missing, so there is always a row to lock). Both an
/// answer and an accepted answer take this lock before they read what the
/// streak is built from, so one waits for the other and then builds on
/// what it wrote: neither streak is lost.
pub(super) fn lock_streak(tx: &mut Tx<'_, '_>, guild: i64, user: i64) -> Result<Streak, pg::Error> {
    tx.execute(
        "INSERT INTO streaks (guild_id, user_id, current, best, last_day) VALUES ($1, $2, 0, 0, NULL)
         ON CONFLICT (guild_id, user_id) DO NOTHING",
        &[&guild, &user],
    )?;
    let row = tx.query_opt(
        "SELECT current, best, last_day FROM streaks WHERE guild_id = $1 AND user_id = $2 FOR UPDATE",
        &[&guild, &user],
    )?;
    streak_row(row.as_ref())
}

/// What an answer plan reads, inside the answer's transaction.
pub(super) struct Reads<'r, 'a, 't>(pub(super) &'r mut Tx<'a, 't>);

impl crate::store::answers::AnswerReads for Reads<'_, '_, '_> {
    type Error = pg::Error;

    fn streak_for_update(&mut self, guild: GuildId, user: UserId) -> Result<Streak, pg::Error> {
        lock_streak(self.0, guild.0 as i64, user.0 as i64)
    }

    fn open_season(&mut self, guild: GuildId) -> Result<Option<Season>, pg::Error> {
        self.0
            .row_opt(
                "SELECT id, name, started_at, ended_at FROM seasons WHERE guild_id = $1 AND ended_at IS NULL",
                &[&(guild.0 as i64)], season_row)
    }

    fn review_card(&mut self, user: UserId, key: &str) -> Result<Option<ReviewCard>, pg::Error> {
        let key = key.to_string();
        self.0
            .row_opt(CARD_OF_QUESTION, &[&(user.0 as i64), &key], card_row)
    }
}

//! What an answer does, in SQLite: recording it once with its effects
//! (totals, the score histogram, player counts, the tally, the streak, the
//! review card), the group commit of queued answers, and moving or
//! forgetting a student's score (used by corrections and removals).

use super::*;

/// Commits a group of answers in one transaction; one outcome per answer.
pub(super) fn commit_group(
    conn: &mut Connection,
    group: &[QueuedAnswer],
) -> Vec<Result<RecordOutcome, StoreError>> {
    let mut attempt = || -> rusqlite::Result<Vec<RecordOutcome>> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcomes = group
            .iter()
            .map(|q| record_in(&tx, &q.answer))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(outcomes)
    };
    match attempt() {
        Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
        Err(e) => {
            let error = db(e);
            group.iter().map(|_| Err(error.clone())).collect()
        }
    }
}

/// Records one answer inside a transaction (see [`Store::record_answer`]).
pub(super) fn record_in(
    tx: &rusqlite::Transaction,
    a: &NewAnswer,
) -> rusqlite::Result<RecordOutcome> {
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
    tx: &rusqlite::Transaction,
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
    tx: &rusqlite::Transaction,
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
    tx: &rusqlite::Transaction,
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
    tx: &rusqlite::Transaction,
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

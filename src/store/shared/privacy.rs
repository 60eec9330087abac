//! What removing people and servers deletes, written once for both
//! backends: a student from one server (their answers, competition
//! answers, team places, totals with the histogram and player counts kept in step,
//! streak and name), a user's direct-message data, every row of a server
//! the bot left, and the bookkeeping of servers that left.
//!
//! Lock order as in `answers.rs` (name, streak, totals, histogram, then
//! tallies), so removing a student while they answer cannot deadlock on
//! PostgreSQL. It must not know which backend runs it: only [`Tx`].

use super::{answers::forget_answers, args, Tx};
use crate::request::{GuildId, UserId};
use crate::store::*;

/// Removes a student from one server, inside the caller's transaction
/// (see [`PrivacyStore::remove_student`]).
pub(crate) fn remove_student<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    user: UserId,
) -> Result<Removed, T::Error> {
    let (g, u) = (guild.0 as i64, user.0 as i64);
    tx.execute(
        "DELETE FROM members WHERE guild_id = ?1 AND user_id = ?2",
        args![g, u],
    )?;
    tx.execute(
        "DELETE FROM streaks WHERE guild_id = ?1 AND user_id = ?2",
        args![g, u],
    )?;
    // Each leaderboard loses the student: the rows are deleted (and so
    // locked) first, then histogram and player count.
    let mut totals = Vec::new();
    for row in tx.query(
        "DELETE FROM totals WHERE guild_id = ?1 AND user_id = ?2 RETURNING period, points",
        args![g, u],
    )? {
        totals.push((row.text(0)?, row.int(1)?));
    }
    totals.sort();
    for (period, points) in &totals {
        tx.execute(
            "UPDATE period_players SET players = players - 1 WHERE guild_id = ?1 AND period = ?2",
            args![g, period],
        )?;
        tx.execute(
            "UPDATE score_counts SET users = users - 1 WHERE guild_id = ?1 AND period = ?2 AND points = ?3",
            args![g, period, *points],
        )?;
    }
    tx.execute(
        "DELETE FROM score_counts WHERE guild_id = ?1 AND users <= 0",
        args![g],
    )?;
    let competition_answers = tx.execute(
        "DELETE FROM competition_answers WHERE user_id = ?2
         AND competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
        args![g, u],
    )?;
    // Their place in a team goes too (a running team shrinks by one).
    tx.execute(
        "DELETE FROM competition_team_members WHERE user_id = ?2
         AND competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
        args![g, u],
    )?;
    let answers = forget_answers(tx, Some(guild), user)?;
    Ok(Removed {
        answers,
        competition_answers,
        totals: totals.len() as u64,
    })
}

/// The servers where a user has anything stored (see
/// [`PrivacyStore::delete_user`]).
pub(crate) fn guilds_of<T: Tx>(tx: &mut T, user: UserId) -> Result<Vec<GuildId>, T::Error> {
    let mut guilds = Vec::new();
    for row in tx.query(
        "SELECT guild_id FROM answers WHERE user_id = ?1 AND guild_id IS NOT NULL
         UNION SELECT guild_id FROM totals WHERE user_id = ?1
         UNION SELECT guild_id FROM members WHERE user_id = ?1 AND guild_id <> 0
         UNION SELECT k.guild_id FROM competition_answers a JOIN competitions k ON k.id = a.competition_id
             WHERE a.user_id = ?1
         UNION SELECT k.guild_id FROM competition_team_members t JOIN competitions k ON k.id = t.competition_id
             WHERE t.user_id = ?1",
        args![user.0 as i64],
    )? {
        guilds.push(GuildId(row.int(0)? as u64));
    }
    Ok(guilds)
}

/// Deletes what a user has outside any server: practice answers in direct
/// messages, the names seen, and the review schedule (which spans every
/// server). Returns how many answers went.
pub(crate) fn forget_direct<T: Tx>(tx: &mut T, user: UserId) -> Result<u64, T::Error> {
    let u = user.0 as i64;
    tx.execute("DELETE FROM members WHERE user_id = ?1", args![u])?;
    let answers = forget_answers(tx, None, user)?;
    tx.execute("DELETE FROM review_cards WHERE user_id = ?1", args![u])?;
    Ok(answers)
}

/// Servers with anything stored, but for those that left.
pub(crate) fn known_guilds<T: Tx>(tx: &mut T) -> Result<Vec<GuildId>, T::Error> {
    let mut guilds = Vec::new();
    for row in tx.query(
        "SELECT guild_id FROM guild_settings
         UNION SELECT guild_id FROM members WHERE guild_id <> 0
         UNION SELECT guild_id FROM totals
         UNION SELECT guild_id FROM classes
         EXCEPT SELECT guild_id FROM departed_guilds
         ORDER BY 1",
        args![],
    )? {
        guilds.push(GuildId(row.int(0)? as u64));
    }
    Ok(guilds)
}

/// Notes when the bot left a server (the first time only).
pub(crate) fn guild_left<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    at: DateTime<Utc>,
) -> Result<(), T::Error> {
    tx.execute(
        "INSERT INTO departed_guilds (guild_id, left_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        args![guild.0 as i64, at],
    )?;
    Ok(())
}

/// Forgets that the bot left a server; whether it had.
pub(crate) fn guild_returned<T: Tx>(tx: &mut T, guild: GuildId) -> Result<bool, T::Error> {
    let deleted = tx.execute(
        "DELETE FROM departed_guilds WHERE guild_id = ?1",
        args![guild.0 as i64],
    )?;
    Ok(deleted > 0)
}

/// Servers the bot left before `cutoff`.
pub(crate) fn guilds_left_before<T: Tx>(
    tx: &mut T,
    cutoff: DateTime<Utc>,
) -> Result<Vec<GuildId>, T::Error> {
    let mut guilds = Vec::new();
    for row in tx.query(
        "SELECT guild_id FROM departed_guilds WHERE left_at < ?1 ORDER BY guild_id",
        args![cutoff],
    )? {
        guilds.push(GuildId(row.int(0)? as u64));
    }
    Ok(guilds)
}

/// Deletes every row a server owns, inside the caller's transaction;
/// returns how many went.
pub(crate) fn delete_guild<T: Tx>(tx: &mut T, guild: GuildId) -> Result<u64, T::Error> {
    let g = guild.0 as i64;
    let mut rows = 0;
    // Children first: what hangs off instances and competitions.
    for sql in [
        "DELETE FROM instance_tallies WHERE instance_id IN (SELECT id FROM instances WHERE guild_id = ?1)",
        "DELETE FROM answers WHERE guild_id = ?1 OR instance_id IN (SELECT id FROM instances WHERE guild_id = ?1)",
        "DELETE FROM instances WHERE guild_id = ?1",
        "DELETE FROM competition_answers WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
        "DELETE FROM competition_rounds WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
        "DELETE FROM competition_team_members WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
        "DELETE FROM competition_teams WHERE competition_id IN (SELECT id FROM competitions WHERE guild_id = ?1)",
        "DELETE FROM competitions WHERE guild_id = ?1",
        "DELETE FROM totals WHERE guild_id = ?1",
        "DELETE FROM period_players WHERE guild_id = ?1",
        "DELETE FROM score_counts WHERE guild_id = ?1",
        "DELETE FROM streaks WHERE guild_id = ?1",
        "DELETE FROM seasons WHERE guild_id = ?1",
        "DELETE FROM class_seasons WHERE guild_id = ?1",
        "DELETE FROM daily_posts WHERE guild_id = ?1",
        "DELETE FROM classes WHERE guild_id = ?1",
        "DELETE FROM members WHERE guild_id = ?1",
        "DELETE FROM reports WHERE guild_id = ?1",
        "DELETE FROM disabled_questions WHERE guild_id = ?1",
    ] {
        rows += tx.execute(sql, args![g])?;
    }
    // Cards of its uploaded packs' questions (review::card_key ends them
    // with "@" and the server's id).
    rows += tx.execute(
        "DELETE FROM review_cards WHERE question LIKE ?1",
        args![format!("%@{g}").as_str()],
    )?;
    for sql in [
        "DELETE FROM uploaded_packs WHERE guild_id = ?1",
        "DELETE FROM packs_turned_off WHERE guild_id = ?1",
        "DELETE FROM pack_revisions WHERE guild_id = ?1",
        "DELETE FROM guild_settings WHERE guild_id = ?1",
        "DELETE FROM departed_guilds WHERE guild_id = ?1",
    ] {
        rows += tx.execute(sql, args![g])?;
    }
    Ok(rows)
}

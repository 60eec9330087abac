//! Seasons and leaderboards, written once for both backends: opening and
//! ending a season, a period's top with the caller's own standing (ranked
//! from the score histogram, never by sorting everyone), the export of a
//! whole board and the class's results per question.
//!
//! It must not know which backend runs it, nor on which connection: the
//! backends choose (SQLite a reader beside the writer, PostgreSQL a
//! read-only snapshot) and hand in a [`Tx`].

use super::{args, Row, SqlError, Tx};
use crate::request::{GuildId, UserId};
use crate::store::*;

pub(super) fn season_row(row: &Row) -> Result<Season, SqlError> {
    Ok(Season {
        id: row.int(0)?,
        name: row.text(1)?,
        started_at: row.time(2)?,
        ended_at: row.opt_time(3)?,
    })
}

/// A guild's open season (also read inside an answer's transaction).
pub(crate) fn open_season<T: Tx>(tx: &mut T, guild: GuildId) -> Result<Option<Season>, T::Error> {
    let row = tx.query_opt(
        "SELECT id, name, started_at, ended_at FROM seasons WHERE guild_id = ?1 AND ended_at IS NULL",
        args![guild.0 as i64],
    )?;
    Ok(row.as_ref().map(season_row).transpose()?)
}

/// Opens a season (the schema allows one open season per guild).
pub(crate) fn start_season<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Season, T::Error> {
    let rows = tx.query(
        "INSERT INTO seasons (guild_id, name, started_at) VALUES (?1, ?2, ?3) RETURNING id",
        args![guild.0 as i64, name, now],
    )?;
    let id = match rows.first() {
        Some(row) => row.int(0)?,
        None => return Err(SqlError::NoRow.into()),
    };
    Ok(Season {
        id,
        name: name.to_string(),
        started_at: now,
        ended_at: None,
    })
}

/// Ends the guild's open season, if there is one; returns it, ended.
pub(crate) fn end_season<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    now: DateTime<Utc>,
) -> Result<Option<Season>, T::Error> {
    let Some(row) = tx.query_opt(
        "UPDATE seasons SET ended_at = ?2 WHERE guild_id = ?1 AND ended_at IS NULL
         RETURNING id, name, started_at",
        args![guild.0 as i64, now],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(Season {
        id: row.int(0)?,
        name: row.text(1)?,
        started_at: row.time(2)?,
        ended_at: Some(now),
    }))
}

/// Every season of a guild, newest first.
pub(crate) fn seasons<T: Tx>(tx: &mut T, guild: GuildId) -> Result<Vec<Season>, T::Error> {
    let rows = tx.query(
        "SELECT id, name, started_at, ended_at FROM seasons WHERE guild_id = ?1 ORDER BY id DESC",
        args![guild.0 as i64],
    )?;
    Ok(rows.iter().map(season_row).collect::<Result<_, _>>()?)
}

/// A standing from `user_id, points, answered, correct, display_name`.
fn standing(row: &Row, rank: u64) -> Result<Standing, SqlError> {
    Ok(Standing {
        rank,
        user: UserId(row.int(0)? as u64),
        name: row
            .opt_text(4)?
            .unwrap_or_else(|| "(unknown student)".to_string()),
        points: row.int(1)?,
        answered: row.int(2)? as u64,
        correct: row.int(3)? as u64,
    })
}

/// The top `limit` of a period with the caller's own standing and the
/// number of players (see [`LeaderboardStore::leaderboard`]); the reads
/// should share one snapshot.
pub(crate) fn leaderboard<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    period: &str,
    limit: usize,
    caller: UserId,
) -> Result<Leaderboard, T::Error> {
    let (g, me) = (guild.0 as i64, caller.0 as i64);
    // PostgreSQL refuses a limit past i64's range; SQLite reads the largest
    // as "no limit" too.
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut top = Vec::new();
    for row in tx.query(
        "SELECT t.user_id, t.points, t.answered, t.correct, m.display_name FROM totals t
         LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
         WHERE t.guild_id = ?1 AND t.period = ?2
         ORDER BY t.points DESC, t.answered, t.user_id LIMIT ?3",
        args![g, period, limit],
    )? {
        top.push(standing(&row, top.len() as u64 + 1)?);
    }
    let players = match tx.query_opt(
        "SELECT players FROM period_players WHERE guild_id = ?1 AND period = ?2",
        args![g, period],
    )? {
        Some(row) => row.int(0)?,
        None => 0,
    };
    let caller_standing = match top.iter().find(|s| s.user == caller) {
        Some(s) => Some(s.clone()),
        None => match tx.query_opt(
            "SELECT t.user_id, t.points, t.answered, t.correct, m.display_name FROM totals t
             LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
             WHERE t.guild_id = ?1 AND t.period = ?2 AND t.user_id = ?3",
            args![g, period, me],
        )? {
            None => None,
            Some(row) => {
                let mut mine = standing(&row, 0)?;
                // Rank: everyone on more points, plus those tied on points
                // who rank earlier (fewer answers, then lower id).
                let higher = count(tx.query_opt(
                    "SELECT CAST(coalesce(sum(users), 0) AS BIGINT) FROM score_counts
                         WHERE guild_id = ?1 AND period = ?2 AND points > ?3",
                    args![g, period, mine.points],
                )?)?;
                let tied_before = count(tx.query_opt(
                    "SELECT count(*) FROM totals WHERE guild_id = ?1 AND period = ?2 AND points = ?3
                     AND (answered < ?4 OR (answered = ?4 AND user_id < ?5))",
                    args![g, period, mine.points, mine.answered as i64, me],
                )?)?;
                mine.rank = (higher + tied_before) as u64 + 1;
                Some(mine)
            }
        },
    };
    Ok(Leaderboard {
        top,
        caller: caller_standing,
        players: players as u64,
    })
}

/// The one number an aggregate query returns.
fn count(row: Option<Row>) -> Result<i64, SqlError> {
    row.ok_or(SqlError::NoRow)?.int(0)
}

/// Every student with a total for `period`, most points first.
pub(crate) fn export_rows<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    period: &str,
) -> Result<Vec<ExportRow>, T::Error> {
    let rows = tx.query(
        "SELECT t.user_id, m.display_name, t.answered, t.correct, t.points, coalesce(s.current, 0)
         FROM totals t
         LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id
         LEFT JOIN streaks s ON s.guild_id = t.guild_id AND s.user_id = t.user_id
         WHERE t.guild_id = ?1 AND t.period = ?2
         ORDER BY t.points DESC, t.answered, t.user_id",
        args![guild.0 as i64, period],
    )?;
    let mut all = Vec::with_capacity(rows.len());
    for row in rows {
        all.push(ExportRow {
            user: UserId(row.int(0)? as u64),
            name: row.opt_text(1)?.unwrap_or_default(),
            answered: row.int(2)? as u64,
            correct: row.int(3)? as u64,
            points: row.int(4)?,
            streak: row.int(5)? as u32,
        });
    }
    Ok(all)
}

/// Per-question results from `question, answered, correct` rows.
pub(crate) fn question_results(rows: Vec<Row>) -> Result<Vec<QuestionResults>, SqlError> {
    rows.iter()
        .map(|row| {
            Ok(QuestionResults {
                question: row.text(0)?,
                answered: row.int(1)? as u64,
                correct: row.int(2)? as u64,
            })
        })
        .collect()
}

/// The class's results per question since `since` (all time when `None`).
pub(crate) fn class_results<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<QuestionResults>, T::Error> {
    let g = guild.0 as i64;
    let rows = match since {
        Some(since) => tx.query(
            "SELECT question, count(*), count(CASE WHEN correct THEN 1 END) FROM answers
             WHERE guild_id = ?1 AND answered_at >= ?2
             GROUP BY question ORDER BY question",
            args![g, since],
        )?,
        None => tx.query(
            "SELECT question, count(*), count(CASE WHEN correct THEN 1 END) FROM answers
             WHERE guild_id = ?1 GROUP BY question ORDER BY question",
            args![g],
        )?,
    };
    Ok(question_results(rows)?)
}

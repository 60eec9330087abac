//! Group quiz competitions, written once for both backends: creating one
//! with its rounds and teams, loading it back, claiming and closing
//! rounds, ending it, a player's answer (once per round and once per
//! interaction) and its points on the server's boards, late joiners to a
//! team, and the standings.
//!
//! A competition answer is recorded exactly once by the same insert-else-
//! read as an answer to a question ([`answers::insert_once`]), and its
//! points reach the boards (the server's and, through the periods the
//! caller passes, a class's) by the same [`answers::add_to_totals`]: no
//! third copy of those rules. It must not know which backend runs it, nor
//! how points are computed: only [`Tx`].

use super::answers::{self, InsertOnce};
use super::classes::{list_from, list_text};
use super::{args, Row, SqlError, Tx};
use crate::request::{GuildId, UserId};
use crate::store::*;

fn status_text(status: CompetitionStatus) -> &'static str {
    match status {
        CompetitionStatus::Running => "running",
        CompetitionStatus::Finished => "finished",
        CompetitionStatus::Stopped => "stopped",
    }
}

fn status_from(text: &str) -> CompetitionStatus {
    match text {
        "running" => CompetitionStatus::Running,
        "finished" => CompetitionStatus::Finished,
        _ => CompetitionStatus::Stopped,
    }
}

/// Creates a competition with its rounds and teams; `None` when one is
/// running in the channel already. One transaction: the caller's.
pub(crate) fn create_competition<T: Tx>(
    tx: &mut T,
    new: &NewCompetition,
) -> Result<Option<Competition>, T::Error> {
    let channel = new.channel as i64;
    // Reading first keeps ids free of the gaps a conflicting insert leaves
    // on PostgreSQL; the insert still refuses a second running competition
    // that got in meanwhile (the schema's unique index).
    if tx
        .query_opt(
            "SELECT 1 FROM competitions WHERE channel_id = ?1 AND status = 'running'",
            args![channel],
        )?
        .is_some()
    {
        return Ok(None);
    }
    let Some(row) = tx.query_opt(
        "INSERT INTO competitions (guild_id, channel_id, starter_id, seconds, status, created_at, team_mode)
         VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6) ON CONFLICT DO NOTHING RETURNING id",
        args![
            new.guild.0 as i64,
            channel,
            new.starter.0 as i64,
            new.seconds,
            new.created_at,
            &new.team_mode
        ],
    )?
    else {
        return Ok(None);
    };
    let id = row.int(0)?;
    for (number, (question, order)) in new.questions.iter().enumerate() {
        tx.execute(
            "INSERT INTO competition_rounds (competition_id, round, question, option_order) VALUES (?1, ?2, ?3, ?4)",
            args![id, number as i64 + 1, question, &list_text(order)],
        )?;
    }
    // Players in the order they were drawn, team by team.
    let mut position = 0_i64;
    for team in &new.teams {
        tx.execute(
            "INSERT INTO competition_teams (competition_id, team, name, team_key) VALUES (?1, ?2, ?3, ?4)",
            args![id, team.number, &team.name, team.key],
        )?;
        for member in &team.members {
            position += 1;
            tx.execute(
                "INSERT INTO competition_team_members (competition_id, user_id, team, position)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                args![id, member.0 as i64, team.number, position],
            )?;
        }
    }
    competition(tx, id)
}

fn round_row(row: &Row) -> Result<Round, SqlError> {
    Ok(Round {
        number: row.int(0)? as u32,
        question: row.text(1)?,
        option_order: list_from(&row.text(2)?),
        opened_at: row.opt_time(3)?,
        closes_at: row.opt_time(4)?,
        closed: row.bool(5)?,
        message: row.opt_int(6)?.map(|m| m as u64),
    })
}

/// A competition with its rounds and teams (the reads should share one
/// snapshot, or run behind the one writer).
pub(crate) fn competition<T: Tx>(tx: &mut T, id: i64) -> Result<Option<Competition>, T::Error> {
    let Some(head) = tx.query_opt(
        "SELECT id, guild_id, channel_id, starter_id, seconds, status, created_at, team_mode FROM competitions WHERE id = ?1",
        args![id],
    )?
    else {
        return Ok(None);
    };
    let rounds = tx.query(
        "SELECT round, question, option_order, opened_at, closes_at, closed, message_id
         FROM competition_rounds WHERE competition_id = ?1 ORDER BY round",
        args![id],
    )?;
    let mut teams = Vec::new();
    for row in tx.query(
        "SELECT team, name, team_key FROM competition_teams WHERE competition_id = ?1 ORDER BY team",
        args![id],
    )? {
        teams.push(CompetitionTeam {
            number: row.int(0)? as u32,
            name: row.text(1)?,
            key: row.opt_int(2)?,
            members: Vec::new(),
        });
    }
    for row in tx.query(
        "SELECT team, user_id FROM competition_team_members WHERE competition_id = ?1 ORDER BY position",
        args![id],
    )? {
        let number = row.int(0)? as u32;
        if let Some(team) = teams.iter_mut().find(|t| t.number == number) {
            team.members.push(UserId(row.int(1)? as u64));
        }
    }
    Ok(Some(Competition {
        id: head.int(0)?,
        guild: GuildId(head.int(1)? as u64),
        channel: head.int(2)? as u64,
        starter: UserId(head.int(3)? as u64),
        seconds: head.int(4)? as u32,
        status: status_from(&head.text(5)?),
        rounds: rounds.iter().map(round_row).collect::<Result<_, _>>()?,
        created_at: head.time(6)?,
        team_mode: head.text(7)?,
        teams,
    }))
}

/// Every running competition (`channel` `None`), or the one running in a
/// channel, oldest first.
pub(crate) fn running_competitions<T: Tx>(
    tx: &mut T,
    channel: Option<u64>,
) -> Result<Vec<Competition>, T::Error> {
    let ids = match channel {
        None => tx.query(
            "SELECT id FROM competitions WHERE status = 'running' ORDER BY id",
            args![],
        )?,
        Some(channel) => tx.query(
            "SELECT id FROM competitions WHERE status = 'running' AND channel_id = ?1",
            args![channel as i64],
        )?,
    };
    let mut all = Vec::with_capacity(ids.len());
    for row in ids {
        all.extend(competition(tx, row.int(0)?)?);
    }
    Ok(all)
}

/// Claims a round's showing: true for the one caller that opened it.
pub(crate) fn open_round<T: Tx>(
    tx: &mut T,
    competition: i64,
    round: u32,
    opened_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
) -> Result<bool, T::Error> {
    let changed = tx.execute(
        "UPDATE competition_rounds SET opened_at = ?3, closes_at = ?4
         WHERE competition_id = ?1 AND round = ?2 AND opened_at IS NULL",
        args![competition, round, opened_at, closes_at],
    )?;
    Ok(changed == 1)
}

pub(crate) fn set_round_message<T: Tx>(
    tx: &mut T,
    competition: i64,
    round: u32,
    message: u64,
) -> Result<(), T::Error> {
    tx.execute(
        "UPDATE competition_rounds SET message_id = ?3 WHERE competition_id = ?1 AND round = ?2",
        args![competition, round, message as i64],
    )?;
    Ok(())
}

/// Closes a round; false if it was closed already.
pub(crate) fn close_round<T: Tx>(
    tx: &mut T,
    competition: i64,
    round: u32,
) -> Result<bool, T::Error> {
    let changed = tx.execute(
        "UPDATE competition_rounds SET closed = TRUE WHERE competition_id = ?1 AND round = ?2 AND NOT closed",
        args![competition, round],
    )?;
    Ok(changed == 1)
}

/// Ends a running competition; false if it had ended already.
pub(crate) fn end_competition<T: Tx>(
    tx: &mut T,
    competition: i64,
    status: CompetitionStatus,
    now: DateTime<Utc>,
) -> Result<bool, T::Error> {
    let changed = tx.execute(
        "UPDATE competitions SET status = ?2, ended_at = ?3 WHERE id = ?1 AND status = 'running'",
        args![competition, status_text(status), now],
    )?;
    Ok(changed == 1)
}

/// Competition answers: once per player and round, once per interaction.
const COMPETITION_ANSWERS: InsertOnce = InsertOnce {
    insert: "INSERT INTO competition_answers (competition_id, round, user_id, interaction_id, answer, correct, points, millis, answered_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
    by_interaction:
        "SELECT answer, correct, points FROM competition_answers WHERE interaction_id = ?1",
    by_student: "SELECT answer, correct, points FROM competition_answers
                 WHERE competition_id = ?1 AND round = ?2 AND user_id = ?3",
};

/// Records a competition answer once, then remembers the player's name
/// and adds the points to the boards of `periods`; an answer given already
/// changes nothing. One transaction: the caller's.
pub(crate) fn record_competition_answer<T: Tx>(
    tx: &mut T,
    a: &NewCompetitionAnswer,
) -> Result<RecordOutcome, T::Error> {
    let (user, interaction) = (a.user.0 as i64, a.interaction.0 as i64);
    let answer = args![
        a.competition,
        a.round,
        user,
        interaction,
        &a.answer,
        a.correct,
        a.points,
        a.millis,
        a.at
    ];
    let student = args![a.competition, a.round, user];
    if let Some(earlier) =
        answers::insert_once(tx, &COMPETITION_ANSWERS, answer, interaction, student)?
    {
        return Ok(earlier);
    }
    if let Some(name) = &a.display_name {
        answers::remember_name(tx, Some(a.guild), a.user, name, a.at)?;
    }
    answers::add_to_totals(tx, a.guild, a.user, &a.periods, a.points, a.correct)?;
    Ok(RecordOutcome::Recorded)
}

/// The answers of a competition (all rounds when `round` is `None`),
/// fastest first within a round.
pub(crate) fn competition_answers<T: Tx>(
    tx: &mut T,
    competition: i64,
    round: Option<u32>,
) -> Result<Vec<CompetitionAnswer>, T::Error> {
    // The cast gives PostgreSQL the parameter's type, which `IS NULL`
    // alone does not; SQLite's is an integer either way.
    let rows = tx.query(
        "SELECT a.round, a.user_id, m.display_name, a.correct, a.points, a.millis
         FROM competition_answers a
         JOIN competitions k ON k.id = a.competition_id
         LEFT JOIN members m ON m.guild_id = k.guild_id AND m.user_id = a.user_id
         WHERE a.competition_id = ?1 AND (CAST(?2 AS BIGINT) IS NULL OR a.round = ?2)
         ORDER BY a.round, a.millis, a.user_id",
        args![competition, round],
    )?;
    let mut all = Vec::with_capacity(rows.len());
    for row in rows {
        all.push(CompetitionAnswer {
            round: row.int(0)? as u32,
            user: UserId(row.int(1)? as u64),
            name: row.opt_text(2)?.unwrap_or_default(),
            correct: row.bool(3)?,
            points: row.int(4)?,
            millis: row.int(5)?,
        });
    }
    Ok(all)
}

/// Puts a late joiner in team `team` unless they are in one already;
/// returns the team they are in. One transaction: the caller's.
pub(crate) fn join_competition_team<T: Tx>(
    tx: &mut T,
    competition: i64,
    team: u32,
    user: UserId,
) -> Result<u32, T::Error> {
    let user = user.0 as i64;
    // A player already in a team keeps it: the insert does nothing and
    // the team they are in is read back.
    tx.execute(
        "INSERT INTO competition_team_members (competition_id, user_id, team, position)
         SELECT ?1, ?2, ?3, coalesce(max(position), 0) + 1
         FROM competition_team_members WHERE competition_id = ?1
         ON CONFLICT DO NOTHING",
        args![competition, user, team],
    )?;
    let row = tx.query_opt(
        "SELECT team FROM competition_team_members WHERE competition_id = ?1 AND user_id = ?2",
        args![competition, user],
    )?;
    Ok(row.ok_or(SqlError::NoRow)?.int(0)? as u32)
}

/// Standings over a competition: most points first, then less time spent
/// on the right answers, then the lower id.
pub(crate) fn competition_standings<T: Tx>(
    tx: &mut T,
    competition: i64,
) -> Result<Vec<CompetitionStanding>, T::Error> {
    let rows = tx.query(
        "SELECT a.user_id, m.display_name, CAST(sum(a.points) AS BIGINT) AS total_points,
                count(CASE WHEN a.correct THEN 1 END),
                CAST(sum(CASE WHEN a.correct THEN a.millis ELSE 0 END) AS BIGINT) AS answer_time
         FROM competition_answers a
         JOIN competitions k ON k.id = a.competition_id
         LEFT JOIN members m ON m.guild_id = k.guild_id AND m.user_id = a.user_id
         WHERE a.competition_id = ?1
         GROUP BY a.user_id, m.display_name
         ORDER BY total_points DESC, answer_time, a.user_id",
        args![competition],
    )?;
    let mut all = Vec::with_capacity(rows.len());
    for row in rows {
        all.push(CompetitionStanding {
            user: UserId(row.int(0)? as u64),
            name: row.opt_text(1)?.unwrap_or_default(),
            points: row.int(2)?,
            correct: row.int(3)? as u64,
            millis: row.int(4)?,
        });
    }
    Ok(all)
}

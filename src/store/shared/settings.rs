//! A server's settings and the daily post's bookkeeping, written once for
//! both backends: reading and saving settings, the servers with a daily
//! post scheduled, claiming a day's post before it is sent (so it is sent
//! once, whichever process asks) and the problem last met posting it.
//!
//! Lists of weekdays are comma-separated text here (`"0,2,4"`), as SQLite
//! keeps them; PostgreSQL's `guild_settings.post_days` is `SMALLINT[]`,
//! which its backend binds and reads as that same text (`postgres/rules.rs`).
//!
//! It must not know which backend runs it, nor on which connection.

use super::classes::{list_from, list_text};
use super::{args, Row, SqlError, Tx};
use crate::request::GuildId;
use crate::store::*;

/// The settings columns, in the order [`settings_row`] reads them.
macro_rules! settings_columns {
    () => {
        "timezone, channel_id, post_time, post_days, ping_role_id, teacher_role_id, competitions_teachers_only"
    };
}

/// A server's settings from [`settings_columns`], starting at column `at`.
fn settings_row(row: &Row, at: usize) -> Result<GuildSettings, SqlError> {
    let id = |column: usize| row.opt_int(column).map(|v| v.map(|v| v as u64));
    Ok(GuildSettings {
        timezone: row.opt_text(at)?,
        channel: id(at + 1)?,
        post_time: row.opt_text(at + 2)?,
        post_days: row.opt_text(at + 3)?.map(|days| list_from(&days)),
        ping_role: id(at + 4)?,
        teacher_role: id(at + 5)?,
        competitions_teachers_only: row.bool(at + 6)?,
    })
}

/// A server's settings, the defaults if it never saved any.
pub(crate) fn settings<T: Tx>(tx: &mut T, guild: GuildId) -> Result<GuildSettings, T::Error> {
    let row = tx.query_opt(
        concat!(
            "SELECT ",
            settings_columns!(),
            " FROM guild_settings WHERE guild_id = ?1"
        ),
        args![guild.0 as i64],
    )?;
    Ok(match row {
        Some(row) => settings_row(&row, 0)?,
        None => GuildSettings::default(),
    })
}

/// Saves a server's settings whole; the problem noted with its daily post
/// (see [`set_post_problem`]) is kept.
pub(crate) fn save_settings<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    s: &GuildSettings,
    now: DateTime<Utc>,
) -> Result<(), T::Error> {
    let id = |v: Option<u64>| v.map(|v| v as i64);
    let days = s.post_days.as_ref().map(list_text);
    tx.execute(
        "INSERT INTO guild_settings (guild_id, timezone, channel_id, post_time, post_days, ping_role_id,
             teacher_role_id, updated_at, competitions_teachers_only)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (guild_id) DO UPDATE SET timezone = EXCLUDED.timezone, channel_id = EXCLUDED.channel_id,
             post_time = EXCLUDED.post_time, post_days = EXCLUDED.post_days, ping_role_id = EXCLUDED.ping_role_id,
             teacher_role_id = EXCLUDED.teacher_role_id, updated_at = EXCLUDED.updated_at,
             competitions_teachers_only = EXCLUDED.competitions_teachers_only",
        args![
            guild.0 as i64,
            s.timezone.as_ref(),
            id(s.channel),
            s.post_time.as_ref(),
            days.as_ref(),
            id(s.ping_role),
            id(s.teacher_role),
            now,
            s.competitions_teachers_only
        ],
    )?;
    Ok(())
}

/// The servers with a daily post channel and time set, in id order: one
/// query for them all.
pub(crate) fn scheduled_guilds<T: Tx>(
    tx: &mut T,
) -> Result<Vec<(GuildId, GuildSettings)>, T::Error> {
    let rows = tx.query(
        concat!(
            "SELECT guild_id, ",
            settings_columns!(),
            " FROM guild_settings WHERE channel_id IS NOT NULL AND post_time IS NOT NULL ORDER BY guild_id"
        ),
        args![],
    )?;
    let mut scheduled = Vec::with_capacity(rows.len());
    for row in rows {
        scheduled.push((GuildId(row.int(0)? as u64), settings_row(&row, 1)?));
    }
    Ok(scheduled)
}

/// Claims a class's daily post for a day (class 0: the server's own), see
/// [`SettingsStore::claim_class_post`]. The insert comes first and decides:
/// of two processes claiming at once the primary key lets one row in, and
/// the other reads the winner's, with no lock taken and one statement in
/// the usual case. Run it in a transaction.
pub(crate) fn claim_post<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    class: i64,
    day: NaiveDate,
    nonce: &str,
    now: DateTime<Utc>,
) -> Result<PostClaim, T::Error> {
    let g = guild.0 as i64;
    let claimed = tx.execute(
        "INSERT INTO daily_posts (guild_id, day, nonce, updated_at, class_id) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT DO NOTHING",
        args![g, day, nonce, now, class],
    )?;
    if claimed == 1 {
        return Ok(PostClaim::New);
    }
    let row = tx
        .query_opt(
            "SELECT nonce, message_id FROM daily_posts WHERE guild_id = ?1 AND day = ?2 AND class_id = ?3",
            args![g, day, class],
        )?
        .ok_or(SqlError::NoRow)?;
    Ok(match row.opt_int(1)? {
        Some(message) => PostClaim::Sent {
            message: message as u64,
        },
        None => PostClaim::Pending {
            nonce: row.text(0)?,
        },
    })
}

/// Records that a claimed post was sent as `message` (a post nobody
/// claimed stays unrecorded).
pub(crate) fn mark_posted<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    class: i64,
    day: NaiveDate,
    message: u64,
    now: DateTime<Utc>,
) -> Result<(), T::Error> {
    tx.execute(
        "UPDATE daily_posts SET message_id = ?3, updated_at = ?4 WHERE guild_id = ?1 AND day = ?2 AND class_id = ?5",
        args![guild.0 as i64, day, message as i64, now, class],
    )?;
    Ok(())
}

/// Notes (or clears) a problem with a server's daily post, leaving its
/// settings as they are (the defaults, for a server without any).
pub(crate) fn set_post_problem<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    problem: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), T::Error> {
    tx.execute(
        "INSERT INTO guild_settings (guild_id, post_problem, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (guild_id) DO UPDATE SET post_problem = EXCLUDED.post_problem, updated_at = EXCLUDED.updated_at",
        args![guild.0 as i64, problem, now],
    )?;
    Ok(())
}

pub(crate) fn post_problem<T: Tx>(tx: &mut T, guild: GuildId) -> Result<Option<String>, T::Error> {
    let row = tx.query_opt(
        "SELECT post_problem FROM guild_settings WHERE guild_id = ?1",
        args![guild.0 as i64],
    )?;
    Ok(match row {
        Some(row) => row.opt_text(0)?,
        None => None,
    })
}

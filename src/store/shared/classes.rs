//! A server's classes, written once for both backends: their rows (lists
//! such as days, paused dates, packs and tags kept as comma-separated
//! text), making a server's own daily question a class's, removing a class
//! with its boards and seasons, the class's own seasons and its report.
//!
//! It must not know which backend runs it, nor on which connection: the
//! backends choose (SQLite reads classes on a reader beside the writer,
//! never queued behind answers) and hand in a [`Tx`]. What classes mean
//! (unique names, fallback to the server's settings, membership) is the
//! core's `classes` module; this keeps what it decides.

use super::leaderboards::{question_results, season_row};
use super::{args, Row, SqlError, Tx};
use crate::request::GuildId;
use crate::store::*;

macro_rules! class_columns {
    () => {
        "id, guild_id, name, channel_id, role_id, teacher_role_id, post_time, timezone, post_days, paused, packs, tags, ping_role_id"
    };
}

/// A list as its text column keeps it: comma-separated.
pub(super) fn list_text<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// A list from its text column; items that do not read are left out.
pub(super) fn list_from<T: std::str::FromStr>(text: &str) -> Vec<T> {
    text.split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .filter_map(|i| i.parse().ok())
        .collect()
}

/// A Discord id (role, channel) from its signed column.
fn opt_id(row: &Row, column: usize) -> Result<Option<u64>, SqlError> {
    Ok(row.opt_int(column)?.map(|v| v as u64))
}

fn class_row(row: &Row) -> Result<Class, SqlError> {
    Ok(Class {
        id: row.int(0)?,
        guild: GuildId(row.int(1)? as u64),
        name: row.text(2)?,
        channel: row.int(3)? as u64,
        role: opt_id(row, 4)?,
        teacher_role: opt_id(row, 5)?,
        settings: ClassSettings {
            post_time: row.opt_text(6)?,
            timezone: row.opt_text(7)?,
            post_days: row.opt_text(8)?.map(|d| list_from(&d)),
            paused: list_from(&row.text(9)?).into_iter().collect(),
            packs: list_from(&row.text(10)?),
            tags: list_from(&row.text(11)?),
            ping_role: opt_id(row, 12)?,
        },
    })
}

/// A server's classes in the order they were created, or every class of
/// every server (`None`, for the scheduler) by server then id.
pub(crate) fn classes<T: Tx>(tx: &mut T, guild: Option<GuildId>) -> Result<Vec<Class>, T::Error> {
    let rows = match guild {
        Some(guild) => tx.query(
            concat!(
                "SELECT ",
                class_columns!(),
                " FROM classes WHERE guild_id = ?1 ORDER BY id"
            ),
            args![guild.0 as i64],
        )?,
        None => tx.query(
            concat!(
                "SELECT ",
                class_columns!(),
                " FROM classes ORDER BY guild_id, id"
            ),
            args![],
        )?,
    };
    Ok(rows.iter().map(class_row).collect::<Result<_, _>>()?)
}

/// Stores a new class (`id` 0) or a class's changes (see
/// [`ClassStore::save_class`]); the unique keys refuse a duplicate name or
/// channel.
pub(crate) fn save_class<T: Tx>(
    tx: &mut T,
    class: &Class,
    name_key: &str,
) -> Result<Class, T::Error> {
    let s = &class.settings;
    let days = s.post_days.as_deref().map(list_text);
    let (paused, packs, tags) = (list_text(&s.paused), s.packs.join(","), s.tags.join(","));
    let id = |v: Option<u64>| v.map(|v| v as i64);
    let values = args![
        class.guild.0 as i64,
        &class.name,
        name_key,
        class.channel as i64,
        id(class.role),
        id(class.teacher_role),
        s.post_time.as_deref(),
        s.timezone.as_deref(),
        days.as_deref(),
        &paused,
        &packs,
        &tags,
        id(s.ping_role),
        class.id,
    ];
    let id = if class.id == 0 {
        let row = tx.query_opt(
            "INSERT INTO classes (guild_id, name, name_key, channel_id, role_id, teacher_role_id, post_time, timezone, post_days, paused, packs, tags, ping_role_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id",
            &values[..13],
        )?;
        row.ok_or(SqlError::NoRow)?.int(0)?
    } else {
        tx.execute(
            "UPDATE classes SET name = ?2, name_key = ?3, channel_id = ?4, role_id = ?5, teacher_role_id = ?6, post_time = ?7, timezone = ?8,
             post_days = ?9, paused = ?10, packs = ?11, tags = ?12, ping_role_id = ?13 WHERE id = ?14 AND guild_id = ?1",
            values,
        )?;
        class.id
    };
    Ok(Class {
        id,
        ..class.clone()
    })
}

/// Makes a server's own daily question (class 0: its daily instances,
/// posts and boards) the class's, and clears the server's daily channel,
/// which the class now holds. One transaction: the caller's.
pub(crate) fn adopt_server_daily<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    class: i64,
) -> Result<(), T::Error> {
    let (g, prefix) = (guild.0 as i64, class_period(class, ""));
    tx.execute(
        "UPDATE instances SET class_id = ?2 WHERE kind = 'daily' AND guild_id = ?1 AND class_id = 0",
        args![g, class],
    )?;
    tx.execute(
        "UPDATE daily_posts SET class_id = ?2 WHERE guild_id = ?1 AND class_id = 0",
        args![g, class],
    )?;
    // The server's boards, copied under the class's prefix.
    tx.execute(
        "INSERT INTO totals (guild_id, period, user_id, points, answered, correct)
         SELECT guild_id, ?2 || period, user_id, points, answered, correct FROM totals
         WHERE guild_id = ?1 AND period NOT LIKE 'class:%'",
        args![g, &prefix],
    )?;
    tx.execute(
        "INSERT INTO period_players (guild_id, period, players)
         SELECT guild_id, ?2 || period, players FROM period_players
         WHERE guild_id = ?1 AND period NOT LIKE 'class:%'",
        args![g, &prefix],
    )?;
    tx.execute(
        "INSERT INTO score_counts (guild_id, period, points, users)
         SELECT guild_id, ?2 || period, points, users FROM score_counts
         WHERE guild_id = ?1 AND period NOT LIKE 'class:%'",
        args![g, &prefix],
    )?;
    tx.execute(
        "UPDATE guild_settings SET channel_id = NULL WHERE guild_id = ?1",
        args![g],
    )?;
    Ok(())
}

/// Removes a class, its own seasons and its boards (every period with its
/// prefix); its students' answers and the server's boards stay. Whether
/// the class existed. One transaction: the caller's.
pub(crate) fn remove_class<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    class: i64,
) -> Result<bool, T::Error> {
    let (g, boards) = (guild.0 as i64, format!("{}%", class_period(class, "")));
    let removed = tx.execute(
        "DELETE FROM classes WHERE guild_id = ?1 AND id = ?2",
        args![g, class],
    )? > 0;
    tx.execute(
        "DELETE FROM class_seasons WHERE guild_id = ?1 AND class_id = ?2",
        args![g, class],
    )?;
    tx.execute(
        "DELETE FROM totals WHERE guild_id = ?1 AND period LIKE ?2",
        args![g, &boards],
    )?;
    tx.execute(
        "DELETE FROM period_players WHERE guild_id = ?1 AND period LIKE ?2",
        args![g, &boards],
    )?;
    tx.execute(
        "DELETE FROM score_counts WHERE guild_id = ?1 AND period LIKE ?2",
        args![g, &boards],
    )?;
    Ok(removed)
}

/// A class's own running season, if it has one.
pub(crate) fn open_class_season<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    class: i64,
) -> Result<Option<Season>, T::Error> {
    let row = tx.query_opt(
        "SELECT id, name, started_at, ended_at FROM class_seasons
         WHERE guild_id = ?1 AND class_id = ?2 AND ended_at IS NULL",
        args![guild.0 as i64, class],
    )?;
    Ok(row.as_ref().map(season_row).transpose()?)
}

/// Starts a season of the class's own (the schema allows one open season
/// per class: a second is a database error).
pub(crate) fn start_class_season<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    class: i64,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Season, T::Error> {
    let row = tx.query_opt(
        "INSERT INTO class_seasons (guild_id, class_id, name, started_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
        args![guild.0 as i64, class, name, now],
    )?;
    Ok(Season {
        id: row.ok_or(SqlError::NoRow)?.int(0)?,
        name: name.to_string(),
        started_at: now,
        ended_at: None,
    })
}

/// Ends the class's own running season; returns it, ended.
pub(crate) fn end_class_season<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    class: i64,
    now: DateTime<Utc>,
) -> Result<Option<Season>, T::Error> {
    let row = tx.query_opt(
        "UPDATE class_seasons SET ended_at = ?3
         WHERE guild_id = ?1 AND class_id = ?2 AND ended_at IS NULL
         RETURNING id, name, started_at, ended_at",
        args![guild.0 as i64, class, now],
    )?;
    Ok(row.as_ref().map(season_row).transpose()?)
}

/// Every season of a class's own, newest first.
pub(crate) fn class_seasons<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    class: i64,
) -> Result<Vec<Season>, T::Error> {
    let rows = tx.query(
        "SELECT id, name, started_at, ended_at FROM class_seasons
         WHERE guild_id = ?1 AND class_id = ?2 ORDER BY id DESC",
        args![guild.0 as i64, class],
    )?;
    Ok(rows.iter().map(season_row).collect::<Result<_, _>>()?)
}

/// A class's results per question since `since` (all time when `None`):
/// the answers of the students on its all-time board, to its own daily
/// questions (not another class's) and their practice in the server.
pub(crate) fn class_report_results<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    class: i64,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<QuestionResults>, T::Error> {
    let (g, board) = (guild.0 as i64, class_period(class, "all"));
    // Two statements rather than `?3 IS NULL OR ...`: PostgreSQL cannot
    // tell a parameter's type from `IS NULL` alone, and a cast to
    // TIMESTAMPTZ would turn SQLite's text times into numbers.
    let rows = match since {
        Some(since) => tx.query(
            "SELECT a.question, count(*), count(CASE WHEN a.correct THEN 1 END) FROM answers a
             JOIN instances i ON i.id = a.instance_id
             WHERE a.guild_id = ?1 AND a.answered_at >= ?4
               AND (i.kind <> 'daily' OR i.class_id = ?2)
               AND a.user_id IN (SELECT user_id FROM totals WHERE guild_id = ?1 AND period = ?3)
             GROUP BY a.question ORDER BY a.question",
            args![g, class, &board, since],
        )?,
        None => tx.query(
            "SELECT a.question, count(*), count(CASE WHEN a.correct THEN 1 END) FROM answers a
             JOIN instances i ON i.id = a.instance_id
             WHERE a.guild_id = ?1
               AND (i.kind <> 'daily' OR i.class_id = ?2)
               AND a.user_id IN (SELECT user_id FROM totals WHERE guild_id = ?1 AND period = ?3)
             GROUP BY a.question ORDER BY a.question",
            args![g, class, &board],
        )?,
    };
    Ok(question_results(rows)?)
}

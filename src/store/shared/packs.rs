//! Packs and students' reports, written once for both backends: the packs a
//! server uploaded and turned off, the revision that every change to them
//! bumps (so each bot process can tell its copy is stale), students'
//! reports of problems with questions and the questions teachers disabled.
//!
//! It must not know which backend runs it, nor on which connection. The
//! one thing the two schemas spell differently is where the upload order
//! is kept ([`UploadOrder`]).

use super::{args, Row, SqlError, Tx};
use crate::request::{GuildId, UserId};
use crate::store::*;
use std::collections::{BTreeSet, HashSet};

/// A report from `id, guild_id, user_id, question, text, reported_at`.
fn report_row(row: &Row) -> Result<Report, SqlError> {
    Ok(Report {
        id: row.int(0)?,
        guild: GuildId(row.int(1)? as u64),
        user: UserId(row.int(2)? as u64),
        question: row.text(3)?,
        text: row.text(4)?,
        at: row.time(5)?,
    })
}

/// Stores a student's report and returns it with its id.
pub(crate) fn add_report<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    user: UserId,
    question: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Report, T::Error> {
    let id = tx
        .query_opt(
            "INSERT INTO reports (guild_id, user_id, question, text, reported_at) VALUES (?1, ?2, ?3, ?4, ?5)
             RETURNING id",
            args![guild.0 as i64, user.0 as i64, question, text, now],
        )?
        .ok_or(SqlError::NoRow)?
        .int(0)?;
    Ok(Report {
        id,
        guild,
        user,
        question: question.to_string(),
        text: text.to_string(),
        at: now,
    })
}

/// A server's reports of questions not disabled, newest first.
pub(crate) fn open_reports<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    limit: usize,
) -> Result<Vec<Report>, T::Error> {
    // PostgreSQL refuses a limit past i64's range; SQLite reads the largest
    // as "no limit" too.
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = tx.query(
        "SELECT id, guild_id, user_id, question, text, reported_at FROM reports r
         WHERE guild_id = ?1 AND NOT EXISTS
             (SELECT 1 FROM disabled_questions d WHERE d.guild_id = r.guild_id AND d.question = r.question)
         ORDER BY id DESC LIMIT ?2",
        args![guild.0 as i64, limit],
    )?;
    Ok(rows.iter().map(report_row).collect::<Result<_, _>>()?)
}

pub(crate) fn report<T: Tx>(tx: &mut T, id: i64) -> Result<Option<Report>, T::Error> {
    let row = tx.query_opt(
        "SELECT id, guild_id, user_id, question, text, reported_at FROM reports WHERE id = ?1",
        args![id],
    )?;
    Ok(row.as_ref().map(report_row).transpose()?)
}

/// Stops a question from being asked in a server (again: nothing changes).
pub(crate) fn disable_question<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    question: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), T::Error> {
    tx.execute(
        "INSERT INTO disabled_questions (guild_id, question, disabled_by, disabled_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        args![guild.0 as i64, question, by.0 as i64, now],
    )?;
    Ok(())
}

pub(crate) fn disabled_questions<T: Tx>(
    tx: &mut T,
    guild: GuildId,
) -> Result<HashSet<String>, T::Error> {
    let rows = tx.query(
        "SELECT question FROM disabled_questions WHERE guild_id = ?1",
        args![guild.0 as i64],
    )?;
    Ok(rows
        .iter()
        .map(|row| row.text(0))
        .collect::<Result<_, _>>()?)
}

/// The revision of a server's pack choices, 0 if it never changed any.
pub(crate) fn pack_revision<T: Tx>(tx: &mut T, guild: GuildId) -> Result<i64, T::Error> {
    let row = tx.query_opt(
        "SELECT revision FROM pack_revisions WHERE guild_id = ?1",
        args![guild.0 as i64],
    )?;
    Ok(match row {
        Some(row) => row.int(0)?,
        None => 0,
    })
}

/// Where a backend keeps the order packs were uploaded in: the one thing
/// about packs the two schemas spell differently.
#[derive(Debug, Clone, Copy)]
pub(crate) enum UploadOrder {
    /// SQLite's implicit `rowid` (a new row's is past every other's).
    RowId,
    /// PostgreSQL's identity column `id`.
    Id,
}

macro_rules! uploads_in_order {
    ($order:literal) => {
        concat!(
            "SELECT pack_id, file_name, text, items, uploaded_by, uploaded_at
             FROM uploaded_packs WHERE guild_id = ?1 ORDER BY ",
            $order
        )
    };
}

/// A server's uploaded packs, oldest first, and the packs it turned off,
/// with the revision they are at. Run it in one snapshot (a read
/// transaction), so that the revision matches what is read with it.
pub(crate) fn guild_packs<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    order: UploadOrder,
) -> Result<GuildPacks, T::Error> {
    let g = guild.0 as i64;
    let revision = pack_revision(tx, guild)?;
    let uploads_sql = match order {
        UploadOrder::RowId => uploads_in_order!("rowid"),
        UploadOrder::Id => uploads_in_order!("id"),
    };
    let mut uploads = Vec::new();
    for row in tx.query(uploads_sql, args![g])? {
        uploads.push(UploadedPack {
            pack_id: row.text(0)?,
            file_name: row.text(1)?,
            text: row.text(2)?,
            items: row.int(3)? as u64,
            by: UserId(row.int(4)? as u64),
            at: row.time(5)?,
        });
    }
    let turned_off = tx
        .query(
            "SELECT pack_id FROM packs_turned_off WHERE guild_id = ?1",
            args![g],
        )?
        .iter()
        .map(|row| row.text(0))
        .collect::<Result<BTreeSet<_>, _>>()?;
    Ok(GuildPacks {
        revision,
        uploads,
        turned_off,
    })
}

/// Counts a change to a server's packs. Upserting the server's revision
/// row also locks it, which queues concurrent changes to the same server's
/// packs (PostgreSQL; SQLite's one writer queues them anyway).
fn bump_revision<T: Tx>(tx: &mut T, guild: i64) -> Result<(), T::Error> {
    tx.execute(
        "INSERT INTO pack_revisions (guild_id, revision) VALUES (?1, 1)
         ON CONFLICT (guild_id) DO UPDATE SET revision = pack_revisions.revision + 1",
        args![guild],
    )?;
    Ok(())
}

/// Stores an uploaded pack, replacing an earlier upload with the same id;
/// whether it replaced one. Run it in a transaction.
pub(crate) fn save_pack<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    pack: &UploadedPack,
) -> Result<bool, T::Error> {
    let g = guild.0 as i64;
    // Bumped first: the revision row's lock queues two processes saving
    // the same pack, so the delete and insert below never race each other
    // (two inserts of one id would break its uniqueness).
    bump_revision(tx, g)?;
    // Delete and insert rather than update: a replaced pack moves to the
    // end of the upload order.
    let replaced = tx.execute(
        "DELETE FROM uploaded_packs WHERE guild_id = ?1 AND pack_id = ?2",
        args![g, &pack.pack_id],
    )? > 0;
    tx.execute(
        "INSERT INTO uploaded_packs (guild_id, pack_id, file_name, text, items, uploaded_by, uploaded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        args![
            g,
            &pack.pack_id,
            &pack.file_name,
            &pack.text,
            pack.items as i64,
            pack.by.0 as i64,
            pack.at
        ],
    )?;
    Ok(replaced)
}

/// Deletes an uploaded pack and its on/off choice; whether it existed (a
/// pack that did not changes nothing, its revision included). Run it in a
/// transaction.
pub(crate) fn remove_pack<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    pack_id: &str,
) -> Result<bool, T::Error> {
    let g = guild.0 as i64;
    let removed = tx.execute(
        "DELETE FROM uploaded_packs WHERE guild_id = ?1 AND pack_id = ?2",
        args![g, pack_id],
    )? > 0;
    if removed {
        tx.execute(
            "DELETE FROM packs_turned_off WHERE guild_id = ?1 AND pack_id = ?2",
            args![g, pack_id],
        )?;
        bump_revision(tx, g)?;
    }
    Ok(removed)
}

/// Turns a pack's questions on or off in a server; whether that changed
/// anything (only a change bumps the revision). Run it in a transaction.
pub(crate) fn set_pack_active<T: Tx>(
    tx: &mut T,
    guild: GuildId,
    pack_id: &str,
    active: bool,
) -> Result<bool, T::Error> {
    let g = guild.0 as i64;
    let changed = if active {
        tx.execute(
            "DELETE FROM packs_turned_off WHERE guild_id = ?1 AND pack_id = ?2",
            args![g, pack_id],
        )?
    } else {
        tx.execute(
            "INSERT INTO packs_turned_off (guild_id, pack_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            args![g, pack_id],
        )?
    } > 0;
    if changed {
        bump_revision(tx, g)?;
    }
    Ok(changed)
}

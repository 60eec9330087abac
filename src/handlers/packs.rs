//! `/pack upload|list|enable|disable|remove`: which packs a server's
//! questions come from, and packs its teachers upload for it alone.
//!
//! An upload is a pack (`.toml`) or a file of another tool that `import`
//! recognises by content and extension (a Red trivia list, an Anki deck, a
//! Kahoot spreadsheet, a Quizlet export), converted as `studybot import`
//! converts it. Either is checked by the same loader as `studybot check`
//! (errors as `file:line:col: message`), stored in the database for that server only
//! (so every bot process sees it) and used at once: the server's library is
//! rebuilt on its next request (see `app`). Turning a pack off keeps its
//! facts in lookups but stops its questions being asked. Nothing here knows
//! Discord: the file arrives as the request's attachment from either edge.

use super::teacher::teacher_guild;
use crate::app::App;
use crate::content::{self, Pack};
use crate::custom_id::CustomId;
use crate::error::Error;
use crate::import;
use crate::markup::mention;
use crate::markup::{escape_markdown, fit};
use crate::reply::{ButtonStyle, Reply};
use crate::request::{GuildId, Request};
use crate::store::UploadedPack;

/// The largest pack file accepted, in bytes (1 MiB).
pub const MAX_UPLOAD_BYTES: usize = 1024 * 1024;

/// Why a pack file of `len` bytes would be refused on upload, if it would:
/// one rule for `/pack upload` and for `studybot check --content FILE`.
pub fn upload_size_problem(len: u64) -> Option<String> {
    (len > MAX_UPLOAD_BYTES as u64).then(|| {
        format!(
            "the file is over {} KiB, the most /pack upload accepts, so an upload would be refused. Split it into several packs.",
            MAX_UPLOAD_BYTES / 1024
        )
    })
}
/// How many packs one server may upload.
pub const MAX_GUILD_PACKS: usize = 10;
/// How many events, entries and questions one server's uploads may hold together.
pub const MAX_GUILD_ITEMS: u64 = 20_000;
/// How many of an upload's errors are listed (the rest are counted).
const ERRORS_SHOWN: usize = 15;

/// `/pack <subcommand>`.
pub fn pack(app: &App, request: &Request) -> Result<Reply, Error> {
    match request.subcommand() {
        Some("upload") => upload(app, request),
        Some("list") => list(app, request),
        Some("enable") => set_active(app, request, true),
        Some("disable") => set_active(app, request, false),
        Some("remove") => remove(app, request),
        Some("reports") => super::teacher::reports(app, request),
        _ => Err(Error::user(
            "Use `/pack upload`, `/pack list`, `/pack enable`, `/pack disable`, `/pack remove` or `/pack reports`.",
        )),
    }
}

fn items(pack: &Pack) -> u64 {
    (pack.events.len() + pack.entries.len() + pack.questions.len()) as u64
}

/// Where the first byte that is not UTF-8 sits, as `line:col` (1-based,
/// column in characters, like every other content error).
fn utf8_position(data: &[u8], valid_up_to: usize) -> (usize, usize) {
    let before = String::from_utf8_lossy(&data[..valid_up_to]);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// `/pack upload file:<pack.toml>`.
fn upload(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request)?;
    let file = request.attachment.as_ref().ok_or_else(|| {
        Error::user(format!(
            "Attach the pack's `.toml` file to `/pack upload` (the `file` option), or {}.",
            import::FORMATS_TEXT
        ))
    })?;
    let name = fit(&file.name, 100);
    // A pack by its extension, or by its `[pack]` table whatever its name.
    let is_pack = file.name.to_lowercase().ends_with(".toml")
        || String::from_utf8_lossy(&file.data)
            .lines()
            .any(|line| line.trim() == "[pack]");
    let format = (!is_pack)
        .then(|| import::Format::detect(&file.name, &file.data))
        .flatten();
    if !is_pack && format.is_none() {
        return Err(Error::user(format!(
            "`{}` is neither a pack (`.toml`, see content/README.md) nor a file studybot can import. It imports {}.",
            escape_markdown(&name),
            import::FORMATS_TEXT
        )));
    }
    if let Some(why) = upload_size_problem(file.data.len() as u64) {
        return Err(Error::user(format!("`{}`: {why}", escape_markdown(&name))));
    }
    let mut notes = Vec::new();
    let text = if is_pack {
        match String::from_utf8(file.data.clone()) {
            Ok(text) => text,
            Err(e) => {
                let (line, column) = utf8_position(&file.data, e.utf8_error().valid_up_to());
                return Ok(rejected(&[format!(
                    "{name}:{line}:{column}: the file is not UTF-8 text; save it as UTF-8"
                )]));
            }
        }
    } else {
        // Another tool's file: converted as `studybot import` converts it
        // (the content checker included); its problems are at its own
        // lines, or rows and columns for a spreadsheet.
        match import::import_bytes(&name, &file.data) {
            Ok(converted) => {
                notes = converted.notes;
                converted.toml
            }
            Err(import::ImportError::Invalid { path, problems }) => {
                let errors: Vec<String> = problems.iter().map(|p| p.at(&path)).collect();
                return Ok(rejected(&errors));
            }
            Err(e) => return Err(Error::user(e.to_string())),
        }
    };
    let report = content::load_pack_text(&name, text.clone());
    if report.has_errors() {
        let errors: Vec<String> = report.errors().map(|d| d.to_string()).collect();
        return Ok(rejected(&errors));
    }
    let warnings = report.warnings().count();
    let Some(pack) = report.content.packs.first() else {
        return Ok(rejected(&[format!("{name}:1:1: the file holds no pack")]));
    };
    if app.library().content.pack(&pack.id).is_some() {
        return Err(Error::user(format!(
            "A bundled pack already has the id `{}`. Give your pack another `id` and upload it again.",
            pack.id
        )));
    }
    let stored = app.store.guild_packs(guild)?;
    let others: Vec<&UploadedPack> = stored
        .uploads
        .iter()
        .filter(|u| u.pack_id != pack.id)
        .collect();
    if others.len() >= MAX_GUILD_PACKS {
        return Err(Error::user(format!(
            "This server already has {MAX_GUILD_PACKS} uploaded packs, the most it may have. Remove one with `/pack remove` first."
        )));
    }
    let total = others.iter().map(|u| u.items).sum::<u64>() + items(pack);
    if total > MAX_GUILD_ITEMS {
        return Err(Error::user(format!(
            "With this pack, this server's uploads would hold {total} events, entries and questions; the most is {MAX_GUILD_ITEMS}. Remove a pack or upload a smaller one."
        )));
    }
    let replaced = app.store.save_pack(
        guild,
        &UploadedPack {
            pack_id: pack.id.clone(),
            file_name: name.clone(),
            text,
            items: items(pack),
            by: request.user,
            at: request.now,
        },
    )?;
    app.refresh_guild(guild)?;
    let mut text = format!(
        "**{}** (`{}`): {} events, {} glossary entries, {} questions.\n\n{} Only this server sees it. Its questions join the daily question, `/quiz`, `/review` and competitions here from now on, and `/explain` knows its entries. Turn its questions off with `/pack disable pack:{}`.",
        escape_markdown(&pack.title),
        pack.id,
        pack.events.len(),
        pack.entries.len(),
        pack.questions.len(),
        if replaced {
            "It replaces the pack uploaded earlier with this id."
        } else {
            "It is stored for this server."
        },
        pack.id
    );
    if let Some(format) = format {
        text.push_str(&format!(
            "\n\nImported from {} ({}). Its questions cite no sources, so replies say they come from this pack; add `[[sources]]` to the pack file to name yours.",
            escape_markdown(&name),
            format_name(format)
        ));
        if !notes.is_empty() {
            text.push_str("\n```\n");
            for note in notes.iter().take(ERRORS_SHOWN) {
                text.push_str(&fit(&note.replace("```", "'''"), 300));
                text.push('\n');
            }
            text.push_str("```");
            if notes.len() > ERRORS_SHOWN {
                text.push_str(&format!(
                    "…and {} more notes (`studybot import` on the file lists them all).",
                    notes.len() - ERRORS_SHOWN
                ));
            }
        }
    }
    if warnings > 0 {
        text.push_str(&format!(
            "\n\n{warnings} warning{} (run `studybot check` on the file to see them).",
            if warnings == 1 { "" } else { "s" }
        ));
    }
    Ok(Reply::new(text)
        .title(if replaced {
            "Pack replaced"
        } else {
            "Pack uploaded"
        })
        .ephemeral())
}

/// A format as a teacher knows it.
fn format_name(format: import::Format) -> &'static str {
    match format {
        import::Format::RedTrivia => "a Red trivia list",
        import::Format::Quizlet => "a Quizlet export",
        import::Format::Anki => "an Anki deck",
        import::Format::Kahoot => "a Kahoot spreadsheet",
        import::Format::Auto => "a file of another tool",
    }
}

/// The reply to an upload with errors: each as `file:line:col: message`.
fn rejected(errors: &[String]) -> Reply {
    let mut listing = String::new();
    for error in errors.iter().take(ERRORS_SHOWN) {
        // Inside a code block nothing is formatted; only a fence could end it.
        listing.push_str(&fit(&error.replace("```", "'''"), 300));
        listing.push('\n');
    }
    let more = errors.len().saturating_sub(ERRORS_SHOWN);
    let mut text = format!(
        "The pack was not stored: {} error{}. Fix {} and upload the file again.\n```\n{listing}```",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" },
        if errors.len() == 1 { "it" } else { "them" },
    );
    if more > 0 {
        text.push_str(&format!(
            "…and {more} more. `studybot check` on the file lists them all."
        ));
    }
    Reply::new(text).title("Pack not uploaded").ephemeral()
}

/// `/pack list`: every pack this server can use, bundled and uploaded.
fn list(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request)?;
    let stored = app.store.guild_packs(guild)?;
    let library = app.library_for(Some(guild))?;
    let mut reply = Reply::new(
        "The packs this server's questions come from. Turn one off with `/pack disable`, on with `/pack enable`; upload your own with `/pack upload`.",
    )
    .title("Packs");
    for pack in &library.content.packs {
        let upload = stored.uploads.iter().find(|u| u.pack_id == pack.id);
        let origin = match upload {
            Some(u) => format!(
                "uploaded by {} on {}",
                mention::user(u.by.0),
                u.at.format("%-d %b %Y")
            ),
            None => "bundled".to_string(),
        };
        let state = if library.content.quiet_packs.contains(&pack.id) {
            "questions off"
        } else {
            "questions on"
        };
        reply = reply.field(
            fit(&format!("{} ({})", pack.title, pack.id), 256),
            format!(
                "{state} · {origin}\n{} events, {} entries, {} questions",
                pack.events.len(),
                pack.entries.len(),
                pack.questions.len()
            ),
        );
    }
    // An upload the library skipped (it no longer loads) is still listed, so
    // a teacher can remove it.
    for upload in &stored.uploads {
        if library.content.pack(&upload.pack_id).is_none() {
            reply = reply.field(
                fit(&upload.pack_id, 256),
                "uploaded, but it no longer loads: remove it and upload a fixed file",
            );
        }
    }
    Ok(reply.ephemeral())
}

/// The `pack` option: the id of a pack this server can use.
fn chosen_pack(request: &Request) -> Result<String, Error> {
    let id = request.option("pack").unwrap_or("").trim().to_lowercase();
    if id.is_empty() {
        return Err(Error::user(
            "Name the pack by its id (`/pack list` shows them).",
        ));
    }
    Ok(id)
}

/// `/pack enable|disable pack:<id>`.
fn set_active(app: &App, request: &Request, active: bool) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request)?;
    let id = chosen_pack(request)?;
    let library = app.library_for(Some(guild))?;
    let Some(pack) = library.content.pack(&id) else {
        return Err(Error::user(format!(
            "This server has no pack `{}`. `/pack list` shows the ids.",
            escape_markdown(&fit(&id, 40))
        )));
    };
    let changed = app.store.set_pack_active(guild, &pack.id, active)?;
    app.refresh_guild(guild)?;
    let title = escape_markdown(&pack.title);
    let text = match (active, changed) {
        (true, true) => format!("Questions from **{title}** are asked in this server again."),
        (true, false) => format!("Questions from **{title}** were already on."),
        (false, true) => format!(
            "Questions from **{title}** are no longer asked in this server (daily question, `/quiz`, `/review`, competitions). `/explain` and date lookups still know its facts."
        ),
        (false, false) => format!("Questions from **{title}** were already off."),
    };
    let mut reply = Reply::new(text).title("Packs").ephemeral();
    if !active
        && app
            .library_for(Some(guild))?
            .content
            .question_packs()
            .all(|p| p.questions.is_empty())
    {
        reply.text.push_str(
            "\n\nNo pack with questions is on now, so there is no daily question until you turn one on.",
        );
    }
    Ok(reply)
}

/// `/pack remove pack:<id>`: asks the teacher to confirm.
fn remove(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request)?;
    let id = chosen_pack(request)?;
    let stored = app.store.guild_packs(guild)?;
    if !stored.uploads.iter().any(|u| u.pack_id == id) {
        let bundled = app.library().content.pack(&id).is_some();
        return Err(Error::user(if bundled {
            format!("`{id}` is a bundled pack: it cannot be removed, but `/pack disable pack:{id}` turns its questions off.")
        } else {
            format!(
                "This server has no uploaded pack `{}`. `/pack list` shows the ids.",
                escape_markdown(&fit(&id, 40))
            )
        }));
    }
    Ok(Reply::new(format!(
        "Remove the uploaded pack `{id}` from this server? Its questions stop being asked and its facts leave `/explain`. Scores already earned stay. You can upload the file again later."
    ))
    .title("Remove a pack?")
    .button(
        format!("Remove {id}"),
        CustomId::RemovePack {
            pack: id.clone(),
            teacher: request.user.0,
        }
        .encode(),
        ButtonStyle::Danger,
    )
    .ephemeral())
}

/// The confirmation button of `/pack remove` (the teacher guard in
/// `handlers::press` has checked the presser).
pub fn confirm_remove(app: &App, guild: GuildId, pack: &str) -> Result<Reply, Error> {
    let removed = app.store.remove_pack(guild, pack)?;
    app.refresh_guild(guild)?;
    Ok(Reply::ephemeral_text(if removed {
        format!("The pack `{pack}` is removed from this server.")
    } else {
        format!("There is no uploaded pack `{pack}` in this server (any more).")
    })
    .title("Packs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_byte_is_located_by_line_and_character() {
        let data = b"id = \"x\"\ntitle = \"caf\xc3\xa9 \xff\"\n";
        let e = String::from_utf8(data.to_vec()).unwrap_err();
        // Line 2; "title = \"café " is 14 characters, so the bad byte is the 15th.
        assert_eq!(utf8_position(data, e.utf8_error().valid_up_to()), (2, 15));
    }
}

//! Anki decks: the plain-text notes export (`Notes in Plain Text`, with its
//! `#separator:`, `#html:`, `#tags column:`, `#deck column:` and
//! `#notetype column:` headers) and `.apkg` packages (a zip holding the
//! collection as SQLite: `collection.anki2`/`.anki21`, or the newer
//! zstd-compressed `collection.anki21b`). Basic notes become free-text
//! questions (front asks, back answers), reversed ones a second question
//! the other way, and cloze notes one free-text question per cloze number.
//! The deck's name becomes the pack title and the tags carry over.
//!
//! Owns reading those formats: HTML stripped to text, cloze deletions
//! rendered, the collection opened from memory (never written to disk).
//! Knows nothing of Discord or of Anki beyond its file formats.

use super::{check_length, is_typeable, limits, one_line, tag, Builder, QuestionOut};
use std::collections::HashMap;
use std::io::Read;

/// The first bytes of every SQLite database file.
pub(super) const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// The collection's names inside a package, the newest format first: a new
/// package also holds an old-format `collection.anki2` saying only "please
/// update Anki", so the newest present is the real one.
pub(super) const COLLECTIONS: [&str; 3] = [
    "collection.anki21b",
    "collection.anki21",
    "collection.anki2",
];

/// The largest collection read, unpacked (a guard against zip bombs; decks
/// of text are a few MiB).
const MAX_COLLECTION_BYTES: u64 = 256 * 1024 * 1024;

/// The header keys of Anki's plain-text export.
const HEADERS: [&str; 10] = [
    "separator",
    "html",
    "tags column",
    "deck column",
    "notetype column",
    "guid column",
    "notetype",
    "deck",
    "tags",
    "columns",
];

/// Whether `text` starts with Anki's export headers (`#separator:tab` ...).
pub(super) fn has_headers(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .lines()
        .next()
        .and_then(header)
        .is_some()
}

/// `#key:value` when `key` is one of Anki's header keys.
fn header(line: &str) -> Option<(&'static str, &str)> {
    let (key, value) = line.strip_prefix('#')?.split_once(':')?;
    let key = key.trim().to_lowercase();
    HEADERS
        .iter()
        .find(|known| **known == key)
        .map(|known| (*known, value.trim()))
}

/// Whether `data` is a package (or a bare collection) rather than text.
pub(super) fn is_package(data: &[u8]) -> bool {
    data.starts_with(b"PK\x03\x04") || data.starts_with(SQLITE_MAGIC)
}

/// One note, whichever format it came from.
struct Note {
    /// The input line (text export) or the note's place in the collection.
    line: usize,
    /// Where a problem with it is, for a package (`note 3`); empty for text.
    label: String,
    notetype: String,
    fields: Vec<String>,
    tags: Vec<String>,
    /// Which cards exist: template numbers for standard notes, cloze
    /// numbers minus one for cloze notes. `None`: every card its fields make.
    cards: Option<Vec<u32>>,
    /// Whether the fields are HTML.
    html: bool,
}

// ---- the plain-text export ---------------------------------------------

/// The export's layout, from its headers.
struct Layout {
    separator: u8,
    html: bool,
    /// 0-based columns holding these, not note fields.
    tags_column: Option<usize>,
    deck_column: Option<usize>,
    notetype_column: Option<usize>,
    guid_column: Option<usize>,
    deck: Option<String>,
    notetype: Option<String>,
    tags: Vec<String>,
}

/// Reads a plain-text notes export into `builder`.
pub(super) fn read_text(text: &str, builder: &mut Builder) {
    let mut layout = Layout {
        separator: b'\t',
        // Anki exports HTML unless told not to; stripping plain text of tags
        // it does not have changes nothing.
        html: true,
        tags_column: None,
        deck_column: None,
        notetype_column: None,
        guid_column: None,
        deck: None,
        notetype: None,
        tags: Vec::new(),
    };
    let mut header_lines = 0;
    let mut body_offset = 0;
    for line in text.split_inclusive('\n') {
        let Some((key, value)) = header(line.trim_end_matches(['\r', '\n'])) else {
            break;
        };
        header_lines += 1;
        body_offset += line.len();
        let at = header_lines;
        let value_column = line.find(':').map_or(1, |i| line[..i].chars().count() + 2);
        match key {
            "separator" => match separator(value) {
                Some(byte) => layout.separator = byte,
                None => builder.problem(
                    at,
                    Some(value_column),
                    format!("`{value}` is not a separator: use tab, comma, semicolon, space, pipe, colon or one character"),
                ),
            },
            "html" => match value.to_lowercase().as_str() {
                "true" => layout.html = true,
                "false" => layout.html = false,
                _ => builder.problem(at, Some(value_column), "`#html:` is true or false"),
            },
            "tags column" | "deck column" | "notetype column" | "guid column" => {
                let Some(column) = value.parse::<usize>().ok().filter(|n| *n >= 1) else {
                    builder.problem(
                        at,
                        Some(value_column),
                        format!("`#{key}:` is a column number, 1 or more"),
                    );
                    continue;
                };
                let slot = match key {
                    "tags column" => &mut layout.tags_column,
                    "deck column" => &mut layout.deck_column,
                    "notetype column" => &mut layout.notetype_column,
                    _ => &mut layout.guid_column,
                };
                *slot = Some(column - 1);
            }
            "deck" => layout.deck = Some(value.to_string()),
            "notetype" => layout.notetype = Some(value.to_string()),
            "tags" => layout.tags = value.split_whitespace().map(String::from).collect(),
            _ => {} // `#columns:` names the columns; nothing to keep.
        }
    }
    if !builder.problems.is_empty() {
        return;
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(layout.separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text.as_bytes()[body_offset..]);
    let mut decks: Vec<String> = Vec::new();
    let mut notes = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = header_lines + e.position().map_or(1, |p| p.line() as usize);
                builder.problem(line, None, format!("not readable as a notes export: {e}"));
                continue;
            }
        };
        let line = header_lines + record.position().map_or(1, |p| p.line() as usize);
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let special = [
            layout.tags_column,
            layout.deck_column,
            layout.notetype_column,
            layout.guid_column,
        ];
        let cell = |column: Option<usize>| column.and_then(|c| record.get(c)).map(str::to_string);
        if let Some(deck) = cell(layout.deck_column).or_else(|| layout.deck.clone()) {
            decks.push(deck);
        }
        let mut tags = layout.tags.clone();
        if let Some(text) = cell(layout.tags_column) {
            tags.extend(text.split_whitespace().map(String::from));
        }
        notes.push(Note {
            line,
            label: String::new(),
            notetype: cell(layout.notetype_column)
                .or_else(|| layout.notetype.clone())
                .unwrap_or_default(),
            fields: record
                .iter()
                .enumerate()
                .filter(|(i, _)| !special.contains(&Some(*i)))
                .map(|(_, field)| field.to_string())
                .collect(),
            tags,
            cards: None,
            html: layout.html,
        });
    }
    builder.title = most_common(&decks);
    builder.start_progress(notes.len());
    for note in &notes {
        questions(note, builder);
        builder.advance();
    }
}

/// The byte a `#separator:` value names.
fn separator(value: &str) -> Option<u8> {
    match value.to_lowercase().as_str() {
        "tab" => Some(b'\t'),
        "comma" => Some(b','),
        "semicolon" => Some(b';'),
        "space" => Some(b' '),
        "pipe" => Some(b'|'),
        "colon" => Some(b':'),
        _ => match value.as_bytes() {
            [byte] if byte.is_ascii() && *byte != b'\n' && *byte != b'"' => Some(*byte),
            _ => None,
        },
    }
}

/// The most frequent of `names` (the first of equals), skipping Anki's
/// `Default` deck when another is named.
fn most_common(names: &[String]) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for name in names {
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => *count += 1,
            None => counts.push((name, 1)),
        }
    }
    let best = |skip_default: bool| {
        counts
            .iter()
            .filter(|(n, _)| !(n.trim().is_empty() || skip_default && *n == "Default"))
            .max_by_key(|(_, count)| *count)
            .map(|(n, _)| n.to_string())
    };
    best(true)
        .or_else(|| best(false))
        .map(|name| name.replace("::", " - "))
}

// ---- packages ----------------------------------------------------------

/// Reads an `.apkg` package (or a bare collection file) into `builder`.
pub(super) fn read_package(data: &[u8], builder: &mut Builder) {
    let collection = match collection_bytes(data) {
        Ok(bytes) => bytes,
        Err(message) => {
            builder.problem(1, None, message);
            return;
        }
    };
    match read_collection(collection, builder) {
        Ok(()) => {}
        Err(e) => builder.problem(
            1,
            None,
            format!("the collection inside is not a readable Anki collection: {e}"),
        ),
    }
}

/// The collection's SQLite bytes: the newest collection in the zip,
/// unpacked with zstd when it is `collection.anki21b`.
fn collection_bytes(data: &[u8]) -> Result<Vec<u8>, String> {
    if data.starts_with(SQLITE_MAGIC) {
        return Ok(data.to_vec());
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(data))
        .map_err(|e| format!("not a readable zip archive, as an .apkg package is: {e}"))?;
    let name = COLLECTIONS
        .iter()
        .find(|name| archive.index_for_name(name).is_some())
        .ok_or_else(|| {
            format!(
                "no Anki collection inside ({}); export the deck from Anki as a package (.apkg)",
                COLLECTIONS.join(", ")
            )
        })?;
    let file = archive
        .by_name(name)
        .map_err(|e| format!("{name} cannot be read: {e}"))?;
    let mut bytes = Vec::new();
    let too_big = || {
        format!(
            "{name} is larger than {} MiB unpacked",
            MAX_COLLECTION_BYTES / 1024 / 1024
        )
    };
    if name.ends_with('b') {
        let decoder = zstd::stream::read::Decoder::new(file).map_err(|e| format!("{name}: {e}"))?;
        decoder
            .take(MAX_COLLECTION_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name} is not zstd-compressed as Anki writes it: {e}"))?;
    } else {
        file.take(MAX_COLLECTION_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name} cannot be unpacked: {e}"))?;
    }
    if bytes.len() as u64 > MAX_COLLECTION_BYTES {
        return Err(too_big());
    }
    if !bytes.starts_with(SQLITE_MAGIC) {
        return Err(format!("{name} is not an SQLite database"));
    }
    Ok(bytes)
}

/// A note type: its name and whether it is a cloze type.
struct Notetype {
    name: String,
    cloze: bool,
}

fn read_collection(mut bytes: Vec<u8>, builder: &mut Builder) -> rusqlite::Result<()> {
    // Anki keeps its collections in WAL mode (header bytes 18 and 19 are 2);
    // an in-memory copy has no WAL file beside it and opens only as a
    // rollback-journal database (1, 1). The data pages are the same.
    if bytes.len() > 19 {
        bytes[18] = 1;
        bytes[19] = 1;
    }
    let mut db = rusqlite::Connection::open_in_memory()?;
    // Newer collections name Anki's own collation in their schema; reading
    // needs only a case-insensitive order.
    db.create_collation("unicase", |a, b| a.to_lowercase().cmp(&b.to_lowercase()))?;
    let size = bytes.len();
    db.deserialize_read_exact(rusqlite::MAIN_DB, &bytes[..], size, true)?;
    let new_schema: bool = db.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'notetypes')",
        [],
        |r| r.get(0),
    )?;
    let (notetypes, decks) = if new_schema {
        schema18_types(&db)?
    } else {
        schema11_types(&db)?
    };
    // The cards each note has, and the deck most of them are in.
    let mut cards: HashMap<i64, Vec<u32>> = HashMap::new();
    let mut note_decks: Vec<String> = Vec::new();
    {
        let mut statement = db.prepare("SELECT nid, ord, did FROM cards ORDER BY nid, ord")?;
        let mut rows = statement.query([])?;
        let mut last_note = None;
        while let Some(row) = rows.next()? {
            let (note, ord, deck): (i64, u32, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
            cards.entry(note).or_default().push(ord);
            if last_note != Some(note) {
                if let Some(name) = decks.get(&deck) {
                    note_decks.push(name.clone());
                }
                last_note = Some(note);
            }
        }
    }
    builder.title = most_common(&note_decks);
    let mut statement = db.prepare("SELECT id, mid, tags, flds FROM notes ORDER BY id")?;
    let notes: Vec<(i64, i64, String, String)> = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    builder.start_progress(notes.len());
    for (index, (id, notetype_id, tags, fields)) in notes.into_iter().enumerate() {
        let notetype = notetypes.get(&notetype_id);
        let cloze = notetype.is_some_and(|t| t.cloze);
        let note = Note {
            line: index + 1,
            label: format!("note {} (id {id})", index + 1),
            notetype: match (notetype, cloze) {
                (Some(t), _) => t.name.clone(),
                (None, _) => String::new(),
            },
            fields: fields.split('\u{1f}').map(String::from).collect(),
            tags: tags.split_whitespace().map(String::from).collect(),
            cards: Some(cards.remove(&id).unwrap_or_default()),
            html: true,
        };
        if cloze && !note.notetype.to_lowercase().contains("cloze") {
            // A cloze type by its kind, whatever its name: render it as one.
            let mut note = note;
            note.notetype = format!("{} (cloze)", note.notetype);
            questions(&note, builder);
        } else {
            questions(&note, builder);
        }
        builder.advance();
    }
    Ok(())
}

/// Note types and deck names of a collection in the old schema (11): JSON
/// in the `col` table.
#[allow(clippy::type_complexity)]
fn schema11_types(
    db: &rusqlite::Connection,
) -> rusqlite::Result<(HashMap<i64, Notetype>, HashMap<i64, String>)> {
    let (models, decks): (String, String) =
        db.query_row("SELECT models, decks FROM col", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let json = |text: &str| -> serde_json::Map<String, serde_json::Value> {
        serde_json::from_str(text).unwrap_or_default()
    };
    let notetypes = json(&models)
        .into_iter()
        .filter_map(|(id, model)| {
            Some((
                id.parse().ok()?,
                Notetype {
                    name: model["name"].as_str().unwrap_or_default().to_string(),
                    cloze: model["type"].as_i64() == Some(1),
                },
            ))
        })
        .collect();
    let decks = json(&decks)
        .into_iter()
        .filter_map(|(id, deck)| Some((id.parse().ok()?, deck["name"].as_str()?.to_string())))
        .collect();
    Ok((notetypes, decks))
}

/// Note types and deck names of a collection in the new schema (18): tables
/// of their own. A cloze type is told by its name or its one template with
/// a cloze field (`{{cloze:Text}}`), as its kind is in a protobuf blob.
#[allow(clippy::type_complexity)]
fn schema18_types(
    db: &rusqlite::Connection,
) -> rusqlite::Result<(HashMap<i64, Notetype>, HashMap<i64, String>)> {
    let mut notetypes = HashMap::new();
    let mut statement = db.prepare("SELECT id, name FROM notetypes")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let (id, name): (i64, String) = (row.get(0)?, row.get(1)?);
        let cloze_template: bool = db.query_row(
            "SELECT EXISTS (SELECT 1 FROM templates WHERE ntid = ?1 AND instr(CAST(config AS TEXT), '{{cloze:') > 0)",
            [id],
            |r| r.get(0),
        )?;
        notetypes.insert(
            id,
            Notetype {
                cloze: cloze_template || name.to_lowercase().contains("cloze"),
                name,
            },
        );
    }
    let mut decks = HashMap::new();
    let mut statement = db.prepare("SELECT id, name FROM decks")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let (id, name): (i64, String) = (row.get(0)?, row.get(1)?);
        // Nested decks' names are joined with 0x1f in this schema.
        decks.insert(id, name.replace('\u{1f}', "::"));
    }
    Ok((notetypes, decks))
}

// ---- notes to questions ------------------------------------------------

/// The questions of one note.
fn questions(note: &Note, builder: &mut Builder) {
    let problem = |builder: &mut Builder, message: String| {
        let message = if note.label.is_empty() {
            message
        } else {
            format!("{}: {message}", note.label)
        };
        builder.problem(note.line, None, message);
    };
    let mut dropped_media = false;
    let fields: Vec<String> = note
        .fields
        .iter()
        .map(|field| {
            let (text, media) = to_text(field, note.html);
            dropped_media |= media;
            text
        })
        .collect();
    if dropped_media {
        let place = if note.label.is_empty() {
            "this note".to_string()
        } else {
            note.label.clone()
        };
        builder.note(
            note.line,
            format!("{place}: images and sounds are left out (a pack holds text)"),
        );
    }
    let tags: Vec<String> = note.tags.iter().filter_map(|t| tag(t)).collect();
    let first = fields.first().cloned().unwrap_or_default();
    let kind = note.notetype.to_lowercase();
    if kind.contains("cloze") || (kind.is_empty() && has_cloze(&first)) {
        let numbers = cloze_numbers(&first);
        if numbers.is_empty() {
            problem(
                builder,
                "a cloze note with no `{{c1::...}}` deletion in its text".to_string(),
            );
            return;
        }
        for number in numbers {
            if note
                .cards
                .as_ref()
                .is_some_and(|cards| !cards.contains(&(number - 1)))
            {
                continue;
            }
            let (prompt, answer) = render_cloze(&first, number);
            add(
                builder,
                note,
                &format!("c{number}"),
                prompt,
                answer,
                tags.clone(),
            );
        }
        return;
    }
    if fields.len() < 2 || fields[1].trim().is_empty() {
        problem(
            builder,
            "a note needs a front and a back (two fields)".to_string(),
        );
        return;
    }
    let (front, back) = (fields[0].clone(), fields[1].clone());
    let reversed = kind.contains("reverse");
    // "Basic (optional reversed card)" has a reverse card only when its
    // third field is filled in; the package's cards table says so exactly.
    let wants_reverse = match &note.cards {
        Some(cards) => cards.contains(&1),
        None if kind.contains("optional") => fields.get(2).is_some_and(|f| !f.trim().is_empty()),
        None => reversed,
    };
    if note.cards.as_ref().is_none_or(|cards| cards.contains(&0)) {
        add(
            builder,
            note,
            "",
            front.clone(),
            one_line(&back),
            tags.clone(),
        );
    }
    if wants_reverse {
        add(builder, note, "reverse", back, one_line(&front), tags);
    }
}

/// Adds a free-text question, or the problem that keeps it out.
fn add(
    builder: &mut Builder,
    note: &Note,
    suffix: &str,
    prompt: String,
    answer: String,
    tags: Vec<String>,
) {
    let place = |message: String| {
        if note.label.is_empty() {
            message
        } else {
            format!("{}: {message}", note.label)
        }
    };
    let before = builder.problems.len();
    if let Err(message) = check_length(&prompt, "question", limits::FIELD) {
        builder.problem(note.line, None, place(message));
    }
    if let Err(message) = check_length(&answer, "answer", limits::FIELD) {
        builder.problem(note.line, None, place(message));
    } else if !is_typeable(&answer) {
        builder.problem(
            note.line,
            None,
            place(format!(
                "the answer `{answer}` has no letters or digits, so no one could type it"
            )),
        );
    }
    if builder.problems.len() > before {
        return;
    }
    let suffix = if suffix.is_empty() {
        String::new()
    } else {
        format!("-{suffix}")
    };
    let fallback = format!("note {}", note.line);
    let id = builder.ids.fresh("q-", &prompt, &suffix, &fallback);
    builder
        .questions
        .push(QuestionOut::free_text(id, prompt, vec![answer], tags));
}

/// A field as text: HTML tags removed (line breaks kept), entities decoded,
/// `[sound:...]` references dropped; lines trimmed and blank ones removed.
/// Also says whether an image or sound was left out.
fn to_text(field: &str, html: bool) -> (String, bool) {
    let mut media = false;
    let mut text = String::with_capacity(field.len());
    if html {
        let mut rest = field;
        while let Some(start) = rest.find('<') {
            text.push_str(&rest[..start]);
            let Some(end) = rest[start..].find('>') else {
                text.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let tag = rest[start + 1..start + end].trim_start_matches('/');
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_lowercase();
            match name.as_str() {
                "br" | "div" | "p" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" => text.push('\n'),
                "img" | "audio" | "video" => media = true,
                _ => {}
            }
            rest = &rest[start + end + 1..];
        }
        text.push_str(rest);
        text = decode_entities(&text);
    } else {
        text.push_str(field);
    }
    while let Some(start) = text.find("[sound:") {
        let end = text[start..]
            .find(']')
            .map_or(text.len(), |e| start + e + 1);
        text.replace_range(start..end, "");
        media = true;
    }
    let lines: Vec<String> = text
        .lines()
        .map(one_line)
        .filter(|l| !l.is_empty())
        .collect();
    (lines.join("\n"), media)
}

/// `&amp;`, `&lt;`, `&nbsp;`, `&#39;`, `&#x2014;` ... as characters.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let decoded = rest.find(';').filter(|end| *end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, length)) => {
                out.push(c);
                rest = &rest[length..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One cloze deletion: `{{c2::answer::hint}}` at `range` of the text.
struct Cloze<'a> {
    number: u32,
    answer: &'a str,
    hint: Option<&'a str>,
    range: std::ops::Range<usize>,
}

fn clozes(text: &str) -> Vec<Cloze<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find("{{c") {
        let start = from + offset;
        let after = &text[start + 3..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let body_start = start + 3 + digits.len() + 2;
        let (Ok(number), true) = (
            digits.parse::<u32>(),
            after[digits.len()..].starts_with("::"),
        ) else {
            from = start + 3;
            continue;
        };
        let Some(length) = text[body_start..].find("}}") else {
            break;
        };
        let body = &text[body_start..body_start + length];
        let (answer, hint) = match body.split_once("::") {
            Some((answer, hint)) => (answer, Some(hint)),
            None => (body, None),
        };
        found.push(Cloze {
            number,
            answer,
            hint,
            range: start..body_start + length + 2,
        });
        from = body_start + length + 2;
    }
    found
}

fn has_cloze(text: &str) -> bool {
    !clozes(text).is_empty()
}

/// The cloze numbers of a text, in order, each once.
fn cloze_numbers(text: &str) -> Vec<u32> {
    let mut numbers: Vec<u32> = clozes(text)
        .iter()
        .map(|c| c.number)
        .filter(|n| *n >= 1)
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// The text with cloze `number` blanked (`[...]`, or `[hint]`) and the
/// others shown, and the blanked text as the answer.
fn render_cloze(text: &str, number: u32) -> (String, String) {
    let mut prompt = String::with_capacity(text.len());
    let mut answers = Vec::new();
    let mut last = 0;
    for cloze in clozes(text) {
        prompt.push_str(&text[last..cloze.range.start]);
        if cloze.number == number {
            match cloze.hint {
                Some(hint) => prompt.push_str(&format!("[{}]", hint.trim())),
                None => prompt.push_str("[...]"),
            }
            answers.push(one_line(cloze.answer));
        } else {
            prompt.push_str(cloze.answer);
        }
        last = cloze.range.end;
    }
    prompt.push_str(&text[last..]);
    (prompt.trim().to_string(), answers.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text() {
        let (text, media) = to_text(
            "<b>Tsar</b> Nicholas&nbsp;II<br>abdicated in 1917 &amp; then&#8230;<img src=\"x.jpg\">",
            true,
        );
        assert_eq!(text, "Tsar Nicholas II\nabdicated in 1917 & then…");
        assert!(media);
        assert_eq!(to_text("a <b> b", false), ("a <b> b".to_string(), false));
        assert_eq!(to_text("x [sound:a.mp3]", true), ("x".to_string(), true));
    }

    #[test]
    fn clozes_render_one_question_per_number() {
        let text = "{{c1::Lenin}} led the {{c2::Bolsheviks::party}} in {{c1::1917}}.";
        assert_eq!(cloze_numbers(text), [1, 2]);
        assert_eq!(
            render_cloze(text, 1),
            (
                "[...] led the Bolsheviks in [...].".to_string(),
                "Lenin, 1917".to_string()
            )
        );
        assert_eq!(
            render_cloze(text, 2),
            (
                "Lenin led the [party] in 1917.".to_string(),
                "Bolsheviks".to_string()
            )
        );
        assert!(!has_cloze("{{c::x}} and {{cx::y}}"));
    }

    #[test]
    fn headers_are_recognised() {
        assert!(has_headers("#separator:tab\n#html:true\nfront\tback\n"));
        assert!(has_headers("\u{feff}#notetype column:1\n"));
        assert!(!has_headers("# a comment: about things\n"));
        assert_eq!(separator("Semicolon"), Some(b';'));
        assert_eq!(separator("|"), Some(b'|'));
        assert_eq!(separator("two"), None);
    }
}

//! Finding and parsing content files.
//!
//! Owns discovery (which paths are packs), reading (UTF-8, TOML syntax) and
//! the per-item deserialisation that lets one broken item be reported without
//! hiding the errors in the others. Cross-checks belong to `validate.rs`.
//! Knows nothing of search, the store or Discord.

use super::diagnostic::{Diagnostic, Severity, SourceText};
use super::schema::{RawEntry, RawEvent, RawPackMeta, RawQuestion, RawSource};
use super::validate;
use super::Content;
use serde::de::DeserializeOwned;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

/// The file of a folder pack that holds its `[pack]` table.
pub const PACK_FILE: &str = "pack.toml";

/// A raw item and the index of the file it came from.
pub struct Located<T> {
    pub file: usize,
    pub item: T,
}

/// Everything read from one pack's files, before cross-checking.
#[derive(Default)]
pub struct RawPack {
    pub files: Vec<SourceText>,
    pub meta: Vec<Located<Spanned<RawPackMeta>>>,
    pub sources: Vec<Located<RawSource>>,
    pub events: Vec<Located<RawEvent>>,
    pub entries: Vec<Located<RawEntry>>,
    pub questions: Vec<Located<RawQuestion>>,
    /// Ids of items that failed to deserialise, with their section: still
    /// counted for duplicates and references, so one typo does not cascade
    /// into "no such id" errors everywhere it is referenced.
    pub broken_ids: Vec<(Located<Spanned<String>>, Section)>,
    /// Whether any file failed to parse at all (suppresses follow-on errors).
    pub syntax_errors: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Source,
    Event,
    Entry,
    Question,
}

/// The outcome of loading: the packs that passed, and every diagnostic.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub content: Content,
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadReport {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// The content if nothing was wrong, or the error diagnostics. Warnings
    /// are returned with the content.
    pub fn into_result(self) -> Result<(Content, Vec<Diagnostic>), super::ContentError> {
        if self.has_errors() {
            Err(super::ContentError {
                diagnostics: self
                    .diagnostics
                    .into_iter()
                    .filter(|d| d.severity == Severity::Error)
                    .collect(),
            })
        } else {
            Ok((self.content, self.diagnostics))
        }
    }
}

/// Loads every pack found under `paths`: a `.toml` file is a single-file pack;
/// a folder with a `pack.toml` is a folder pack; any other folder is searched
/// for packs. Never panics on bad input; every problem becomes a diagnostic.
pub fn load_paths(paths: &[PathBuf]) -> LoadReport {
    let mut report = LoadReport::default();
    let mut pack_files: Vec<Vec<PathBuf>> = Vec::new();
    for path in paths {
        discover(path, &mut pack_files, &mut report.diagnostics, true);
    }
    for files in pack_files {
        let start = report.diagnostics.len();
        let raw = read_pack(&files, &mut report.diagnostics);
        if let Some(raw) = raw {
            load_raw_pack(raw, &mut report);
        }
        sort_by_position(&mut report.diagnostics[start..], &files);
    }
    report
}

/// Loads one folder pack whose files are already in memory (the bundled
/// packs, see `bundled.rs`): `files` are (path shown in diagnostics, text),
/// in reading order. Adds to `report` as [`load_paths`] does.
pub fn load_pack_files(files: &[(&str, &str)], report: &mut LoadReport) {
    let start = report.diagnostics.len();
    let mut raw = RawPack::default();
    for (path, text) in files {
        raw.files
            .push(SourceText::new(Path::new(path), (*text).to_string()));
    }
    parse_files(&mut raw, &mut report.diagnostics);
    load_raw_pack(raw, report);
    let paths: Vec<PathBuf> = files.iter().map(|(path, _)| PathBuf::from(path)).collect();
    sort_by_position(&mut report.diagnostics[start..], &paths);
}

/// Loads one single-file pack from text (an uploaded file): `label` is the
/// name shown in diagnostics.
pub fn load_pack_text(label: &str, text: String) -> LoadReport {
    let mut report = LoadReport::default();
    let mut raw = RawPack::default();
    raw.files.push(SourceText::new(Path::new(label), text));
    parse_files(&mut raw, &mut report.diagnostics);
    load_raw_pack(raw, &mut report);
    report.diagnostics.sort_by_key(|d| (d.line, d.column));
    report
}

/// Orders one pack's diagnostics by file (in reading order), line and column.
fn sort_by_position(diagnostics: &mut [Diagnostic], files: &[PathBuf]) {
    let rank = |d: &Diagnostic| {
        files
            .iter()
            .position(|f| f.display().to_string() == d.path)
            .unwrap_or(usize::MAX)
    };
    diagnostics.sort_by_key(|d| (rank(d), d.line, d.column));
}

fn load_raw_pack(raw: RawPack, report: &mut LoadReport) {
    // Where the pack id is, for a duplicate-pack error after `raw` is consumed.
    let pack_id_at = raw.meta.first().map(|m| {
        let file = &raw.files[m.file];
        let place = file.diagnostic(m.item.get_ref().id.span(), Severity::Error, String::new());
        (file.path.clone(), place)
    });
    if let Some(pack) = validate::build_pack(raw, &mut report.diagnostics) {
        if report.content.packs.iter().any(|p| p.id == pack.id) {
            if let Some((_, mut place)) = pack_id_at {
                place.message = format!(
                    "a pack with id `{}` is already loaded; pack ids must be unique",
                    pack.id
                );
                report.diagnostics.push(place);
            }
            return;
        }
        if pack.questions.is_empty() {
            report.diagnostics.push(Diagnostic {
                path: pack_id_at
                    .map(|(path, _)| path.display().to_string())
                    .unwrap_or_default(),
                line: 1,
                column: 1,
                severity: Severity::Warning,
                message: format!("pack `{}` has no questions", pack.id),
            });
        }
        report.content.packs.push(std::sync::Arc::new(pack));
    }
}

/// A problem with a file or folder as a whole: it has no position, so it
/// prints as `path: message` (line and column 0).
fn path_problem(path: &Path, message: String) -> Diagnostic {
    Diagnostic {
        path: path.display().to_string(),
        line: 0,
        column: 0,
        severity: Severity::Error,
        message,
    }
}

fn is_toml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

fn sorted_children(dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            let mut children: Vec<PathBuf> =
                entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
            children.sort();
            children
        }
        Err(e) => {
            diagnostics.push(path_problem(dir, format!("cannot read this folder: {e}")));
            Vec::new()
        }
    }
}

fn discover(
    path: &Path,
    packs: &mut Vec<Vec<PathBuf>>,
    diagnostics: &mut Vec<Diagnostic>,
    given: bool,
) {
    if path.is_file() {
        if is_toml(path) || given {
            packs.push(vec![path.to_path_buf()]);
        }
    } else if path.is_dir() {
        if path.join(PACK_FILE).is_file() {
            let mut files = Vec::new();
            collect_toml(path, &mut files, diagnostics);
            packs.push(files);
        } else {
            for child in sorted_children(path, diagnostics) {
                discover(&child, packs, diagnostics, false);
            }
        }
    } else if given {
        let full = std::env::current_dir()
            .map(|dir| dir.join(path))
            .unwrap_or_else(|_| path.to_path_buf());
        diagnostics.push(path_problem(
            path,
            format!(
                "no such file or folder (looked for {}); name your content with --content DIR, or `folders` under [content] in studybot.toml",
                full.display()
            ),
        ));
    }
}

fn collect_toml(dir: &Path, files: &mut Vec<PathBuf>, diagnostics: &mut Vec<Diagnostic>) {
    for child in sorted_children(dir, diagnostics) {
        if child.is_dir() {
            collect_toml(&child, files, diagnostics);
        } else if is_toml(&child) {
            files.push(child);
        }
    }
}

fn read_pack(files: &[PathBuf], diagnostics: &mut Vec<Diagnostic>) -> Option<RawPack> {
    let mut raw = RawPack::default();
    for path in files {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                diagnostics.push(path_problem(path, format!("cannot read this file: {e}")));
                continue;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                raw.syntax_errors = true;
                let offset = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let source = SourceText::new(path, lossy);
                diagnostics.push(source.diagnostic(
                    offset..offset,
                    Severity::Error,
                    "this file is not valid UTF-8 text",
                ));
                continue;
            }
        };
        raw.files.push(SourceText::new(path, text));
    }
    parse_files(&mut raw, diagnostics);
    (!raw.files.is_empty()).then_some(raw)
}

const SECTIONS: &str = "`pack`, `sources`, `events`, `entries` or `questions`";

/// Parses one file and deserialises each item on its own, so that a mistake
/// in one item is reported without hiding mistakes in the others.
/// Files at least this large are split at section headers into chunks.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// Parses every file of `raw`, on as many threads as there are cores.
///
/// A large file is split into chunks that start at a top-level `[[...]]` or
/// `[pack]` header, so each is valid TOML on its own; a chunk becomes a
/// `SourceText` of its own with a line offset, so diagnostics stay exact. If
/// any chunk of a file fails to parse, the whole file is parsed again as
/// one, so error messages never depend on the split. Results are merged in
/// file order, so the outcome is the same as parsing one file after another.
fn parse_files(raw: &mut RawPack, diagnostics: &mut Vec<Diagnostic>) {
    let threads = super::cores();
    let originals = raw.files.len();
    // (file to parse, the original file it belongs to)
    let mut units: Vec<(usize, usize)> = Vec::new();
    for original in 0..originals {
        let chunks = (threads > 1 && raw.files[original].text.len() >= PARALLEL_MIN_BYTES)
            .then(|| split_at_headers(&raw.files[original], threads))
            .flatten();
        match chunks {
            Some(chunks) => {
                for chunk in chunks {
                    units.push((raw.files.len(), original));
                    raw.files.push(chunk);
                }
            }
            None => units.push((original, original)),
        }
    }
    let files = std::mem::take(&mut raw.files);
    // Largest first, so no thread is left with a big file at the end.
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&u| std::cmp::Reverse(files[units[u].0].text.len()));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&u) = order.get(k) else {
                break;
            };
            let (file, _) = units[u];
            done.push(parse_unit(u, file, &files));
        }
        done
    };
    // This thread is one of the workers: one fewer thread to start, and
    // none at all with one core or one file.
    let mut results: Vec<(usize, RawPack, Vec<Diagnostic>)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.min(units.len()))
            .map(|_| scope.spawn(work))
            .collect();
        let mut all = work();
        for helper in helpers {
            all.extend(helper.join().expect("a parser thread panicked"));
        }
        all
    });
    results.sort_by_key(|(u, _, _)| *u);
    let failed: std::collections::BTreeSet<usize> = results
        .iter()
        .filter(|(u, part, _)| units[*u].0 != units[*u].1 && part.syntax_errors)
        .map(|(u, _, _)| units[*u].1)
        .collect();
    for (u, part, found) in results {
        if !failed.contains(&units[u].1) {
            merge(raw, part, found, diagnostics);
        }
    }
    for original in failed {
        let mut part = RawPack::default();
        let mut found = Vec::new();
        parse_source(original, &files[original], &mut part, &mut found);
        merge(raw, part, found, diagnostics);
    }
    raw.files = files;
}

fn parse_unit(unit: usize, file: usize, files: &[SourceText]) -> (usize, RawPack, Vec<Diagnostic>) {
    let mut part = RawPack::default();
    let mut found = Vec::new();
    parse_source(file, &files[file], &mut part, &mut found);
    (unit, part, found)
}

fn merge(
    raw: &mut RawPack,
    part: RawPack,
    found: Vec<Diagnostic>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    raw.meta.extend(part.meta);
    raw.sources.extend(part.sources);
    raw.events.extend(part.events);
    raw.entries.extend(part.entries);
    raw.questions.extend(part.questions);
    raw.broken_ids.extend(part.broken_ids);
    raw.syntax_errors |= part.syntax_errors;
    diagnostics.extend(found);
}

/// Splits a file into about `parts` chunks at top-level section headers,
/// never inside a multi-line string. Looks for a header only near each cut
/// point, and decides "inside a string" by the parity of `"""` and `'''`
/// before it (fast substring counts, not a scan of every line).
fn split_at_headers(source: &SourceText, parts: usize) -> Option<Vec<SourceText>> {
    const HEADERS: [&str; 5] = [
        "[[sources]]",
        "[[events]]",
        "[[entries]]",
        "[[questions]]",
        "[pack]",
    ];
    let text = &source.text;
    let outside_strings = |at: usize| {
        text[..at].matches("\"\"\"").count().is_multiple_of(2)
            && text[..at].matches("\'\'\'").count().is_multiple_of(2)
    };
    let is_header_line = |at: usize| {
        let line = text[at..].split('\n').next().unwrap_or("").trim();
        HEADERS.contains(&line)
    };
    let mut cuts = vec![0usize];
    for part in 1..parts {
        let mut from = (text.len() * part / parts).max(cuts[cuts.len() - 1] + 1);
        let cut = loop {
            let next = text.get(from..)?.find("\n[")? + from + 1;
            if is_header_line(next) && outside_strings(next) {
                break next;
            }
            from = next;
        };
        cuts.push(cut);
    }
    let mut chunks = Vec::with_capacity(cuts.len());
    let mut first_line = 0;
    for (i, &start) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).map_or(text.len(), |&c| c);
        let chunk = &text[start..end];
        chunks.push(SourceText {
            path: source.path.clone(),
            text: chunk.to_string(),
            first_line,
        });
        first_line += chunk.matches('\n').count();
    }
    Some(chunks)
}

fn parse_source(
    file: usize,
    source: &SourceText,
    raw: &mut RawPack,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let error =
        |span: Range<usize>, message: String| source.diagnostic(span, Severity::Error, message);
    let table = match DeTable::parse(&source.text) {
        Ok(table) => table,
        Err(e) => {
            diagnostics.push(error(e.span().unwrap_or(0..0), syntax_message(&e)));
            raw.syntax_errors = true;
            // The ids the file defines still count as defined, so one typo
            // is one error, not one more for every reference into the file.
            raw.broken_ids.extend(ids_by_lines(file, source));
            return;
        }
    };
    // Keys are visited in file order so that "the second occurrence" is well defined.
    let mut sections: Vec<(Spanned<String>, Spanned<DeValue>)> = table
        .into_inner()
        .into_iter()
        .map(|(k, v)| (Spanned::new(k.span(), k.into_inner().into_owned()), v))
        .collect();
    sections.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in sections {
        match key.get_ref().as_str() {
            "pack" => {
                let span = value.span();
                if let Some(meta) = deserialize::<RawPackMeta>(value, &error, diagnostics) {
                    raw.meta.push(Located {
                        file,
                        item: Spanned::new(span, meta),
                    });
                }
            }
            "sources" => {
                let broken = items(file, key, value, &mut raw.sources, &error, diagnostics);
                raw.broken_ids
                    .extend(broken.into_iter().map(|id| (id, Section::Source)));
            }
            "events" => {
                let broken = items(file, key, value, &mut raw.events, &error, diagnostics);
                raw.broken_ids
                    .extend(broken.into_iter().map(|id| (id, Section::Event)));
            }
            "entries" => {
                let broken = items(file, key, value, &mut raw.entries, &error, diagnostics);
                raw.broken_ids
                    .extend(broken.into_iter().map(|id| (id, Section::Entry)));
            }
            "questions" => {
                let broken = items(file, key, value, &mut raw.questions, &error, diagnostics);
                raw.broken_ids
                    .extend(broken.into_iter().map(|id| (id, Section::Question)));
            }
            other => diagnostics.push(error(
                key.span(),
                format!("unknown section `{other}`; a content file holds {SECTIONS}"),
            )),
        }
    }
}

/// The ids a file that does not parse defines, read line by line: each
/// `id = "..."` line with the section of the `[[...]]` header above it.
/// Only the simple form is recognised; an id this misses is at worst
/// reported as missing where it is referenced, as before.
fn ids_by_lines(file: usize, source: &SourceText) -> Vec<(Located<Spanned<String>>, Section)> {
    let mut found = Vec::new();
    let mut section = None;
    let mut offset = 0;
    for line in source.text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix("[[") {
            // `[[entries.figures]]` and the like hold no ids of the pack.
            section = match header.split(']').next().unwrap_or("").trim() {
                "sources" => Some(Section::Source),
                "events" => Some(Section::Event),
                "entries" => Some(Section::Entry),
                "questions" => Some(Section::Question),
                _ => None,
            };
            continue;
        }
        let (Some(section), Some(rest)) = (section, trimmed.strip_prefix("id")) else {
            continue;
        };
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim();
        let Some(id) = value
            .strip_prefix('"')
            .and_then(|v| v.split_once('"'))
            .map(|(id, _)| id)
        else {
            continue;
        };
        let at = start + line.find(value).unwrap_or(0);
        found.push((
            Located {
                file,
                item: Spanned::new(at..at + id.len() + 2, id.to_string()),
            },
            section,
        ));
    }
    found
}

/// toml's messages are good; only the trailing newline and the snippet it
/// adds when it has the input are trimmed, since we print our own location.
fn syntax_message(e: &toml::de::Error) -> String {
    let message = e.message().trim();
    if message.is_empty() {
        "invalid TOML".to_string()
    } else {
        message.to_string()
    }
}

fn deserialize<T: DeserializeOwned>(
    value: Spanned<DeValue<'_>>,
    error: &impl Fn(Range<usize>, String) -> Diagnostic,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<T> {
    let span = value.span();
    match T::deserialize(ValueDeserializer::from(value)) {
        Ok(item) => Some(item),
        Err(e) => {
            diagnostics.push(error(e.span().unwrap_or(span), syntax_message(&e)));
            None
        }
    }
}

/// Deserialises each element of a section; returns the ids of the elements
/// that failed (where they have a string `id`).
fn items<T: DeserializeOwned>(
    file: usize,
    key: Spanned<String>,
    value: Spanned<DeValue<'_>>,
    out: &mut Vec<Located<T>>,
    error: &impl Fn(Range<usize>, String) -> Diagnostic,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Located<Spanned<String>>> {
    let span = value.span();
    let mut broken = Vec::new();
    match value.into_inner() {
        DeValue::Array(mut array) => {
            for slot in array.iter_mut() {
                // Take the element out rather than clone it: a big pack has
                // hundreds of thousands of them.
                let element = std::mem::replace(slot, Spanned::new(0..0, DeValue::Boolean(false)));
                let id = element
                    .get_ref()
                    .as_table()
                    .and_then(|t| t.get("id"))
                    .and_then(|v| {
                        v.get_ref()
                            .as_str()
                            .map(|s| Spanned::new(v.span(), s.to_string()))
                    });
                match deserialize::<T>(element, error, diagnostics) {
                    Some(item) => out.push(Located { file, item }),
                    None => broken.extend(id.map(|item| Located { file, item })),
                }
            }
        }
        other => diagnostics.push(error(
            span,
            format!(
                "`{}` must be a list of tables (write each item under `[[{}]]`), found {}",
                key.get_ref(),
                key.get_ref(),
                other.type_str()
            ),
        )),
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pack over the parallel threshold, with `broken` spliced in after
    /// most of the questions.
    fn big_pack(broken: &str) -> String {
        let mut text = String::from(
            "[pack]\nid = \"big\"\ntitle = \"Big\"\ndescription = \"Large\"\n\n[[sources]]\nid = \"s\"\nkind = \"notes\"\ntitle = \"S\"\n",
        );
        let mut i = 0;
        while text.len() < PARALLEL_MIN_BYTES + 200_000 {
            text.push_str(&format!(
                "\n[[questions]]\nid = \"q{i}\"\nkind = \"true_false\"\ndifficulty = \"easy\"\nprompt = \"\"\"\nStatement {i}\n[[questions]]\n\"\"\"\nanswer = true\nexplanation = \"Because.\"\nsources = [\"s\"]\n"
            ));
            i += 1;
        }
        text.push_str(broken);
        text
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text[..text.rfind(needle).unwrap()].matches('\n').count() + 1
    }

    #[test]
    fn large_files_parse_in_chunks_with_exact_positions() {
        let broken = "\n[[events]]\nid = \"late\"\ndate = \"1937-02-30\"\ntitle = \"T\"\ndescription = \"D\"\nsources = [\"s\"]\n\n[[questions]]\nid = \"q-bad\"\nkind = \"true_false\"\ndifficulty = \"easy\"\nprompt = \"P\"\nanswer = true\nexplanation = \"E\"\nsources = [\"s\"]\ncolour = \"red\"\n";
        let text = big_pack(broken);
        let report = load_pack_text("big.toml", text.clone());
        let errors: Vec<String> = report.errors().map(|d| d.to_string()).collect();
        assert_eq!(
            errors,
            [
                format!("big.toml:{}:8: 30 February 1937 does not exist (February 1937 has 28 days)", line_of(&text, "date = \"1937-02-30\"")),
                format!("big.toml:{}:1: unknown field `colour`, expected one of `id`, `kind`, `difficulty`, `prompt`, `explanation`, `options`, `answer`, `answers`, `answer_entry`, `tolerance`, `unit`, `related`, `sources`, `tags`, `provenance`", line_of(&text, "colour")),
            ]
        );
        // The split really happened (more chunks than the one file).
        let mut raw = RawPack::default();
        raw.files
            .push(SourceText::new(Path::new("big.toml"), big_pack("")));
        parse_files(&mut raw, &mut Vec::new());
        assert!(raw.files.len() > 1 || crate::content::cores() < 2);
    }

    #[test]
    fn a_syntax_error_in_a_chunk_is_reported_as_for_the_whole_file() {
        let text = big_pack("\n[[questions]\nid = \"x\"\n");
        let report = load_pack_text("big.toml", text.clone());
        let errors: Vec<String> = report.errors().map(|d| d.to_string()).collect();
        assert_eq!(
            errors,
            [format!(
                "big.toml:{}:13: unclosed array table, expected `]`",
                line_of(&text, "[[questions]\n")
            )]
        );
    }
}

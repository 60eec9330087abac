//! `studybot import` and `/pack upload` of files made for other tools: each
//! becomes one single-file pack that `studybot check` accepts.
//!
//! Owns recognising those formats (by content first, then by extension),
//! reading them (`red.rs`: Red-DiscordBot trivia lists, `quizlet.rs`: Quizlet
//! term/definition exports, `anki.rs`: Anki's plain-text notes export and
//! `.apkg` packages, `kahoot.rs`: Kahoot's quiz spreadsheet template),
//! deriving ids from the text, keeping imported text within the content
//! limits, and writing the pack with the TOML serializer. Every problem in
//! the input is reported at the input's own line (row and column for a
//! spreadsheet), all of them at once; the pack is run through the real
//! content checker before it is written or returned, so an imported pack
//! always loads. Imported items cite no `[[sources]]`: the files carry none,
//! and replies name the teacher's pack instead of an invented source.
//! Knows only the pack format (`content/README.md`); nothing of Discord, the
//! store or search.

mod anki;
mod kahoot;
mod quizlet;
mod red;

use crate::content::validate::limits;
use crate::content::{Difficulty, EntryKind, QuestionKind};
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The formats `studybot import --from` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Recognise the format from the file's content and extension.
    Auto,
    /// A Red-DiscordBot trivia list: YAML mapping questions to accepted answers.
    RedTrivia,
    /// A Quizlet export: one `term<SEP>definition` pair a line.
    Quizlet,
    /// An Anki deck: the plain-text notes export or an `.apkg` package.
    Anki,
    /// A Kahoot quiz spreadsheet (`.xlsx`, Kahoot's template).
    Kahoot,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::RedTrivia => "red-trivia",
            Format::Quizlet => "quizlet",
            Format::Anki => "anki",
            Format::Kahoot => "kahoot",
        }
    }

    /// The format of a file named `file_name` holding `data`: what the
    /// content says (a zip's members, Anki's `#` headers) wins over the
    /// extension; `None` when neither says anything this module reads.
    pub fn detect(file_name: &str, data: &[u8]) -> Option<Format> {
        let extension = Path::new(file_name)
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if data.starts_with(b"PK\x03\x04") {
            return zip_format(data);
        }
        if data.starts_with(anki::SQLITE_MAGIC) {
            // A bare collection file, as found inside a package.
            return Some(Format::Anki);
        }
        let text = String::from_utf8_lossy(&data[..data.len().min(4096)]);
        if anki::has_headers(&text) {
            return Some(Format::Anki);
        }
        match extension.as_str() {
            "apkg" | "colpkg" | "anki2" | "anki21" => Some(Format::Anki),
            "xlsx" => Some(Format::Kahoot),
            "yaml" | "yml" => Some(Format::RedTrivia),
            "txt" | "tsv" | "csv" => Some(Format::Quizlet),
            _ => None,
        }
    }
}

/// What a zip archive holds: an Anki package or a spreadsheet.
fn zip_format(data: &[u8]) -> Option<Format> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(data)).ok()?;
    let has = |name: &str| archive.index_for_name(name).is_some();
    if anki::COLLECTIONS.iter().any(|name| has(name)) {
        Some(Format::Anki)
    } else if has("xl/workbook.xml") {
        Some(Format::Kahoot)
    } else {
        None
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "auto" => Ok(Format::Auto),
            "red-trivia" => Ok(Format::RedTrivia),
            "quizlet" => Ok(Format::Quizlet),
            "anki" => Ok(Format::Anki),
            "kahoot" => Ok(Format::Kahoot),
            _ => Err(format!(
                "unknown format `{text}`: use auto, red-trivia, quizlet, anki or kahoot"
            )),
        }
    }
}

/// The formats `/pack upload` and `--from auto` recognise, for messages.
pub const FORMATS_TEXT: &str = "a Red trivia list (`.yaml`), an Anki deck (`.apkg`, or its notes exported as `.txt`), a Kahoot spreadsheet (`.xlsx`) or a Quizlet export (`.txt`, `.tsv`, `.csv`)";

/// What `studybot import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub format: Format,
    pub input: PathBuf,
    /// The folder the pack is written to, as `<pack-id>.toml`.
    pub out_dir: PathBuf,
    /// The pack id; derived from the input's file name when not given.
    pub pack_id: Option<String>,
    /// The pack title; else the deck's name (Anki), else the input's file
    /// name without extension.
    pub title: Option<String>,
    /// Quizlet only: what separates term and definition (`tab`, `,`, `;`, or
    /// any one character). Default: a tab, or a comma for a `.csv` file.
    pub separator: Option<String>,
    /// Replace a pack file that already exists.
    pub overwrite: bool,
    /// Show a progress bar for large inputs when stderr is a terminal.
    pub progress: bool,
}

/// A pack that was written.
#[derive(Debug, Clone)]
pub struct Imported {
    pub path: PathBuf,
    pub pack_id: String,
    /// The format the input was read as.
    pub format: Format,
    pub entries: usize,
    pub questions: usize,
    /// Things worth knowing that are not errors, as `FILE:line: note: ...`.
    pub notes: Vec<String>,
}

/// A pack converted in memory (for `/pack upload`).
#[derive(Debug, Clone)]
pub struct Converted {
    /// The pack as TOML, already accepted by the content checker.
    pub toml: String,
    pub format: Format,
    /// Things worth knowing that are not errors, as `FILE:line: note: ...`.
    pub notes: Vec<String>,
}

/// A problem in the input file, at its line (and column, when known); for a
/// spreadsheet, at its row and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: Option<usize>,
    pub message: String,
}

impl Problem {
    /// `FILE:line:col: message` (or `FILE:line: message`), as editors read it.
    pub fn at(&self, path: &str) -> String {
        match self.column {
            Some(column) => format!("{path}:{}:{column}: {}", self.line, self.message),
            None => format!("{path}:{}: {}", self.line, self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    // `error`, not `source`: the message already carries it, and a source
    // would print it twice in an error chain.
    #[error("cannot read {path}: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("cannot write {path}: {error}")]
    Write { path: String, error: std::io::Error },
    #[error("{path} already exists; pass --force to replace it")]
    Exists { path: String },
    /// Every problem found in the input; nothing was written.
    #[error("{}", problems.iter().map(|p| p.at(path)).collect::<Vec<_>>().join("\n"))]
    Invalid {
        path: String,
        problems: Vec<Problem>,
    },
    /// A command-line value that cannot be used (`--id`, `--title`, `--separator`).
    #[error("{0}")]
    Usage(String),
    #[error("cannot write the pack as TOML: {0}")]
    Serialize(#[from] toml::ser::Error),
    /// The generated pack failed the content checker: a bug here, not in the input.
    #[error("the imported pack does not pass `studybot check` (a bug in the importer):\n{0}")]
    Unchecked(crate::error::ContentError),
}

/// Inputs with more items than this show a progress bar (on a terminal only):
/// smaller ones finish before a bar would be worth drawing.
const PROGRESS_MIN_ITEMS: usize = 500;

/// Reads `options.input`, writes `<out_dir>/<pack-id>.toml` and returns what
/// was written. On any problem in the input nothing is written.
pub fn import_file(options: &ImportOptions) -> Result<Imported, ImportError> {
    let shown_path = options.input.display().to_string();
    let file_name = options
        .input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown_path.clone());
    let data = std::fs::read(&options.input).map_err(|error| ImportError::Read {
        path: shown_path.clone(),
        error,
    })?;
    let format = resolve_format(options.format, &file_name, &data)?;
    let settings = PackSettings::new(
        format,
        &options.input,
        options.pack_id.as_deref(),
        options.title.as_deref(),
        options.separator.as_deref(),
    )?;
    let out_path = options.out_dir.join(format!("{}.toml", settings.pack_id));
    let out_shown = out_path.display().to_string();
    if out_path.exists() && !options.overwrite {
        return Err(ImportError::Exists { path: out_shown });
    }

    let converted =
        convert(&settings, &file_name, &data, options.progress).map_err(|problems| {
            ImportError::Invalid {
                path: shown_path.clone(),
                problems,
            }
        })?;
    let toml_text = converted.to_toml()?;
    // The real checker, on the very text about to be written: a pack that
    // `studybot check` would refuse is never left in a content folder.
    crate::content::load::load_pack_text(&out_shown, toml_text.clone())
        .into_result()
        .map_err(ImportError::Unchecked)?;

    let write_error = |error| ImportError::Write {
        path: out_shown.clone(),
        error,
    };
    std::fs::create_dir_all(&options.out_dir).map_err(write_error)?;
    // Written beside the target and renamed, so the bot never loads half a pack.
    let partial = out_path.with_extension("toml.partial");
    std::fs::write(&partial, toml_text).map_err(write_error)?;
    std::fs::rename(&partial, &out_path).map_err(write_error)?;

    Ok(Imported {
        path: out_path,
        pack_id: settings.pack_id.clone(),
        format,
        entries: converted.entries.len(),
        questions: converted.questions.len(),
        notes: shown_notes(&converted.notes, &shown_path),
    })
}

/// Imports `data`, the contents of a file named `file_name`, in memory (the
/// format recognised from content and extension): the pack as TOML that
/// the content checker accepts, or every problem found in the input.
pub fn import_bytes(file_name: &str, data: &[u8]) -> Result<Converted, ImportError> {
    let format = resolve_format(Format::Auto, file_name, data)?;
    let settings = PackSettings::new(format, Path::new(file_name), None, None, None)?;
    let converted =
        convert(&settings, file_name, data, false).map_err(|problems| ImportError::Invalid {
            path: file_name.to_string(),
            problems,
        })?;
    let toml = converted.to_toml()?;
    crate::content::load::load_pack_text(&format!("{}.toml", settings.pack_id), toml.clone())
        .into_result()
        .map_err(ImportError::Unchecked)?;
    Ok(Converted {
        toml,
        format,
        notes: shown_notes(&converted.notes, file_name),
    })
}

/// Imports `text`, the contents of a file named `file_name`, in memory:
/// returns the pack as TOML, or every problem found in the input.
pub fn import_text(
    format: Format,
    file_name: &str,
    text: &str,
    separator: Option<&str>,
) -> Result<String, ImportError> {
    let format = resolve_format(format, file_name, text.as_bytes())?;
    let settings = PackSettings::new(format, Path::new(file_name), None, None, separator)?;
    let converted = convert(&settings, file_name, text.as_bytes(), false).map_err(|problems| {
        ImportError::Invalid {
            path: file_name.to_string(),
            problems,
        }
    })?;
    converted.to_toml()
}

/// `--from auto` made definite, or a clear refusal naming what is read.
fn resolve_format(format: Format, file_name: &str, data: &[u8]) -> Result<Format, ImportError> {
    match format {
        Format::Auto => Format::detect(file_name, data).ok_or_else(|| {
            ImportError::Invalid {
                path: file_name.to_string(),
                problems: vec![Problem {
                    line: 1,
                    column: None,
                    message: format!("not a format studybot imports; it reads {FORMATS_TEXT} (or name one with --from)"),
                }],
            }
        }),
        format => Ok(format),
    }
}

fn shown_notes(notes: &[Problem], path: &str) -> Vec<String> {
    notes
        .iter()
        .map(|n| {
            Problem {
                message: format!("note: {}", n.message),
                ..n.clone()
            }
            .at(path)
        })
        .collect()
}

/// The pack-level choices, settled before the input is read.
struct PackSettings {
    format: Format,
    pack_id: String,
    /// The title given on the command line, if any.
    title: Option<String>,
    /// The input's file name without extension: the title when neither the
    /// command line nor the input names one.
    stem: String,
    /// Quizlet only.
    separator: Option<quizlet::Separator>,
}

impl PackSettings {
    fn new(
        format: Format,
        input: &Path,
        pack_id: Option<&str>,
        title: Option<&str>,
        separator: Option<&str>,
    ) -> Result<Self, ImportError> {
        let stem = input
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let pack_id = match pack_id {
            Some(id) => {
                if !is_slug(id) || id.len() > limits::PACK_ID {
                    return Err(ImportError::Usage(format!(
                        "--id `{id}` is not a valid pack id: use lower-case letters, digits and `-`, at most {} characters",
                        limits::PACK_ID
                    )));
                }
                id.to_string()
            }
            None => {
                let derived = slug(&stem, limits::PACK_ID);
                if derived.is_empty() {
                    "imported".to_string()
                } else {
                    derived
                }
            }
        };
        let title = title.map(one_line);
        if let Some(title) = &title {
            if let Err(message) = check_length(title, "title", limits::TITLE) {
                return Err(ImportError::Usage(format!("--title: {message}")));
            }
        }
        let is_csv = input
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let separator = match (format, separator) {
            (Format::Quizlet, Some(text)) => Some(quizlet::Separator::parse(text)?),
            (Format::Quizlet, None) if is_csv => Some(quizlet::Separator::Csv),
            (Format::Quizlet, None) => Some(quizlet::Separator::Char('\t')),
            (_, Some(_)) => {
                return Err(ImportError::Usage(
                    "--separator is for --from quizlet only (an Anki export names its own in `#separator:`)".to_string(),
                ))
            }
            (_, None) => None,
        };
        Ok(Self {
            format,
            pack_id,
            title,
            stem: one_line(&stem),
            separator,
        })
    }
}

/// The input as text, or one problem at the first byte that is not UTF-8.
fn utf8(data: &[u8]) -> Result<&str, Problem> {
    std::str::from_utf8(data).map_err(|e| {
        let before = String::from_utf8_lossy(&data[..e.valid_up_to()]);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Problem {
            line,
            column: Some(column),
            message: "the file is not UTF-8 text; save it as UTF-8".to_string(),
        }
    })
}

fn convert(
    settings: &PackSettings,
    file_name: &str,
    data: &[u8],
    progress: bool,
) -> Result<Pack, Vec<Problem>> {
    let mut builder = Builder::new(progress);
    let text = || -> Result<&str, Vec<Problem>> {
        let text = utf8(data).map_err(|p| vec![p])?;
        // A byte-order mark is an encoding detail, not part of the first question.
        Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
    };
    match settings.format {
        Format::RedTrivia => red::read(text()?, &mut builder),
        Format::Quizlet => quizlet::read(
            text()?,
            settings.separator.unwrap_or(quizlet::Separator::Char('\t')),
            &mut builder,
        ),
        Format::Anki if anki::is_package(data) => anki::read_package(data, &mut builder),
        Format::Anki => anki::read_text(text()?, &mut builder),
        Format::Kahoot => kahoot::read(data, &mut builder),
        Format::Auto => unreachable!("resolved before converting"),
    }
    if builder.problems.is_empty() && builder.questions.is_empty() {
        builder.problem(1, None, "no questions found in this file");
    }
    if !builder.problems.is_empty() {
        builder.problems.sort_by_key(|p| (p.line, p.column));
        // Each problem once: a broken file gives one clear message.
        builder.problems.dedup();
        return Err(builder.problems);
    }
    // Notes in file order, whichever pass of the reader found them.
    builder.notes.sort_by_key(|n| n.line);
    let title = settings
        .title
        .clone()
        .or_else(|| {
            builder
                .title
                .clone()
                .map(|t| fit(&one_line(&t), limits::TITLE))
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| {
            if settings.stem.is_empty() {
                settings.pack_id.clone()
            } else {
                fit(&settings.stem, limits::TITLE)
            }
        });
    let origin = match settings.format {
        Format::RedTrivia => "the Red trivia list",
        Format::Quizlet => "the Quizlet set",
        Format::Anki => "the Anki deck",
        Format::Kahoot => "the Kahoot quiz",
        Format::Auto => unreachable!("resolved before converting"),
    };
    let mut description = match &builder.description {
        Some(text) => format!("{text} (Imported from {origin} {file_name}"),
        None => format!("Imported from {origin} {file_name}"),
    };
    if let Some(author) = &builder.author {
        description.push_str(&format!(", by {author}"));
    }
    description.push_str(if builder.description.is_some() {
        ".)"
    } else {
        "."
    });
    Ok(Pack {
        pack: PackMeta {
            id: settings.pack_id.clone(),
            title,
            description: fit(&description, limits::FIELD),
            competition: builder.competition,
        },
        entries: builder.entries,
        questions: builder.questions,
        notes: builder.notes,
    })
}

/// The pack as it is written: the field names are the content format's.
#[derive(Serialize)]
struct Pack {
    pack: PackMeta,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    entries: Vec<EntryOut>,
    questions: Vec<QuestionOut>,
    #[serde(skip)]
    notes: Vec<Problem>,
}

impl Pack {
    fn to_toml(&self) -> Result<String, ImportError> {
        let body = toml::to_string_pretty(self)?;
        Ok(format!(
            "# Written by `studybot import`; check it with `studybot check --content <this file>`.\n\
             # The questions cite no [[sources]]: add yours and cite them with `sources = [...]`.\n\n{body}"
        ))
    }
}

#[derive(Serialize)]
struct PackMeta {
    id: String,
    title: String,
    description: String,
    #[serde(skip_serializing_if = "CompetitionOut::is_empty")]
    competition: CompetitionOut,
}

/// `[pack.competition]`: the imported quiz's own rounds and timing.
#[derive(Serialize, Default, Clone, Copy)]
struct CompetitionOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    rounds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seconds: Option<u32>,
}

impl CompetitionOut {
    fn is_empty(&self) -> bool {
        self.rounds.is_none() && self.seconds.is_none()
    }
}

/// `value` within `range`, as a pack's competition setting must be.
fn within(value: f64, range: std::ops::RangeInclusive<u32>) -> u32 {
    (value.round().max(0.0).min(u32::MAX as f64) as u32).clamp(*range.start(), *range.end())
}

#[derive(Serialize)]
struct EntryOut {
    id: String,
    kind: EntryKind,
    name: String,
    definition: String,
    explanation: String,
    sources: Vec<String>,
}

#[derive(Serialize)]
struct QuestionOut {
    id: String,
    kind: QuestionKind,
    difficulty: Difficulty,
    prompt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    answers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer_entry: Option<String>,
    explanation: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<String>,
    sources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
}

impl QuestionOut {
    /// A free-text question accepting `answers`, its explanation listing them.
    fn free_text(id: String, prompt: String, answers: Vec<String>, tags: Vec<String>) -> Self {
        Self {
            id,
            kind: QuestionKind::FreeText,
            difficulty: Difficulty::Medium,
            prompt,
            options: None,
            answer: None,
            explanation: accepted_answers(&answers),
            answers: Some(answers),
            answer_entry: None,
            related: Vec::new(),
            sources: Vec::new(),
            tags,
        }
    }
}

/// The explanation shown after a round: every accepted answer, as many as
/// fit a question's explanation.
fn accepted_answers(answers: &[String]) -> String {
    let mut text = if answers.len() == 1 {
        "Accepted answer: ".to_string()
    } else {
        "Accepted answers: ".to_string()
    };
    // Room for " and 999 more." after the last answer that fits.
    let budget = limits::FIELD - 16;
    for (i, answer) in answers.iter().enumerate() {
        let piece = if i == 0 {
            answer.clone()
        } else {
            format!(", {answer}")
        };
        if text.chars().count() + piece.chars().count() > budget {
            if i == 0 {
                text.push_str(&fit(answer, budget - text.chars().count()));
                break;
            }
            text.push_str(&format!(" and {} more", answers.len() - i));
            break;
        }
        text.push_str(&piece);
    }
    text.push('.');
    text
}

/// What the format readers fill in: items, problems and notes at input
/// lines, ids that are unique across the pack, and what the input says of
/// itself (title, description, author).
struct Builder {
    ids: Ids,
    /// A title the input gives itself (an Anki deck's name).
    title: Option<String>,
    /// A description the input gives itself (Red's `DESCRIPTION`).
    description: Option<String>,
    author: Option<String>,
    /// The input's own competition settings (Red's CONFIG, Kahoot's times).
    competition: CompetitionOut,
    entries: Vec<EntryOut>,
    questions: Vec<QuestionOut>,
    problems: Vec<Problem>,
    notes: Vec<Problem>,
    show_progress: bool,
    progress: Progress,
}

impl Builder {
    fn new(show_progress: bool) -> Self {
        Self {
            ids: Ids::default(),
            title: None,
            description: None,
            author: None,
            competition: CompetitionOut::default(),
            entries: Vec::new(),
            questions: Vec::new(),
            problems: Vec::new(),
            notes: Vec::new(),
            show_progress,
            progress: Progress(None),
        }
    }

    fn problem(&mut self, line: usize, column: Option<usize>, message: impl Into<String>) {
        self.problems.push(Problem {
            line,
            column,
            message: message.into(),
        });
    }

    fn note(&mut self, line: usize, message: impl Into<String>) {
        self.notes.push(Problem {
            line,
            column: None,
            message: message.into(),
        });
    }

    /// Starts a progress bar over `items` when it is worth one and someone
    /// is watching (stderr is a terminal); otherwise draws nothing.
    fn start_progress(&mut self, items: usize) {
        if self.show_progress && items > PROGRESS_MIN_ITEMS && std::io::stderr().is_terminal() {
            self.progress = Progress(Some(indicatif::ProgressBar::new(items as u64)));
        }
    }

    fn advance(&self) {
        if let Some(bar) = &self.progress.0 {
            bar.inc(1);
        }
    }
}

/// A progress bar on stderr, or none; cleared from the terminal when done.
struct Progress(Option<indicatif::ProgressBar>);

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Ids handed out so far: one namespace for sources, entries and questions.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
}

impl Ids {
    /// A fresh id `prefix + slug(text) + suffix` within the id length limit:
    /// from `fallback` when the text has no ASCII letters or digits to make
    /// a slug of, and with `-2`, `-3`... when that id is taken.
    fn fresh(&mut self, prefix: &str, text: &str, suffix: &str, fallback: &str) -> String {
        // Room for a counter such as `-12345`, so a de-duplicated id still fits.
        const COUNTER_ROOM: usize = 6;
        let budget = limits::ID - prefix.len() - suffix.len() - COUNTER_ROOM;
        let mut stem = slug(text, budget);
        if stem.is_empty() {
            stem = slug(fallback, budget);
        }
        let base = format!("{prefix}{stem}{suffix}");
        let mut id = base.clone();
        let mut counter = 2;
        while !self.used.insert(id.clone()) {
            id = format!("{base}-{counter}");
            counter += 1;
        }
        id
    }
}

/// The words of `text` as lower-case ASCII joined by `-`, cut at a word
/// boundary to at most `max` characters (or inside the first word when that
/// alone is longer). Accents are folded first ("Décret" -> "decret");
/// letters outside ASCII are dropped, since ids allow only `a-z`, `0-9`, `-`.
fn slug(text: &str, max: usize) -> String {
    let mut out = String::new();
    for word in crate::text::normalize(text).split(' ') {
        let word: String = word
            .chars()
            .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            .collect();
        if word.is_empty() {
            continue;
        }
        let separator = usize::from(!out.is_empty());
        if out.len() + separator + word.len() > max {
            if out.is_empty() {
                out = word[..max].to_string();
            }
            break;
        }
        if separator == 1 {
            out.push('-');
        }
        out.push_str(&word);
    }
    out
}

/// The id rule of `content/README.md`: lower-case letters, digits and `-`,
/// starting with a letter or digit.
fn is_slug(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// `text` on one line with runs of white space made single spaces: answers,
/// names and definitions are one line in a pack.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `text` (already trimmed) is non-empty and at most `max`
/// characters, the checker's rule; the error says which and by how much.
fn check_length(text: &str, what: &str, max: usize) -> Result<(), String> {
    let length = text.chars().count();
    if length == 0 {
        Err(format!("the {what} is empty"))
    } else if length > max {
        Err(format!(
            "the {what} is {length} characters long; at most {max} fit"
        ))
    } else {
        Ok(())
    }
}

/// Texts that people type as answers must keep something to type after
/// folding case, accents and punctuation, or no answer could ever match.
fn is_typeable(text: &str) -> bool {
    !crate::text::normalize(text).is_empty()
}

/// An imported tag (Anki's `History::WW1`) in the content format's tag
/// alphabet (`history-ww1`), or `None` when nothing of it is left.
fn tag(text: &str) -> Option<String> {
    let tag = slug(&text.replace("::", " "), limits::TAG);
    (!tag.is_empty()).then_some(tag)
}

/// Generated text (names of files and authors) cut to fit a limit.
fn fit(text: &str, max: usize) -> String {
    crate::markup::fit(text, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_accents_drop_punctuation_and_cut_at_a_word() {
        assert_eq!(
            slug("Who signed Order No. 00447?", 64),
            "who-signed-order-no-00447"
        );
        assert_eq!(slug("Décret du 1er décembre", 64), "decret-du-1er-decembre");
        assert_eq!(slug("alpha beta gamma", 12), "alpha-beta");
        assert_eq!(slug("Тройка", 64), "troyka", "Cyrillic is transliterated");
        assert_eq!(slug("Τρόικα", 64), "", "no ASCII letters: no slug");
        assert_eq!(slug("abcdefghij", 4), "abcd");
    }

    #[test]
    fn ids_are_unique_valid_and_within_the_limit() {
        let mut ids = Ids::default();
        let long = "word ".repeat(40);
        let first = ids.fresh("q-", &long, "", "x");
        let second = ids.fresh("q-", &long, "", "x");
        assert_ne!(first, second);
        assert_eq!(second, format!("{first}-2"));
        for id in [&first, &second] {
            assert!(is_slug(id) && id.len() <= limits::ID, "{id}");
        }
        assert_eq!(ids.fresh("q-", "Τρόικα", "", "line 7"), "q-line-7");
        assert_eq!(ids.fresh("q-", "Тройка", "", "line 8"), "q-troyka");
        assert_eq!(ids.fresh("", "Troika", "-choice", "x"), "troika-choice");
    }

    #[test]
    fn pack_settings_derive_id_and_title_from_the_file_name() {
        let settings = PackSettings::new(
            Format::Quizlet,
            Path::new("dir/Great Purge_terms.csv"),
            None,
            None,
            None,
        )
        .unwrap();
        assert_eq!(settings.pack_id, "great-purge-terms");
        assert_eq!(settings.title, None);
        assert_eq!(settings.stem, "Great Purge_terms");
        assert_eq!(settings.separator, Some(quizlet::Separator::Csv));
    }

    #[test]
    fn bad_command_line_values_are_refused() {
        let bad_id = PackSettings::new(
            Format::RedTrivia,
            Path::new("a.yaml"),
            Some("Bad Id"),
            None,
            None,
        );
        assert!(matches!(bad_id, Err(ImportError::Usage(m)) if m.contains("--id `Bad Id`")));
        let separator_for_red = PackSettings::new(
            Format::RedTrivia,
            Path::new("a.yaml"),
            None,
            None,
            Some(","),
        );
        assert!(matches!(separator_for_red, Err(ImportError::Usage(_))));
    }

    #[test]
    fn text_with_toml_syntax_survives_the_serializer() {
        let tricky = "Say \"\"\" then ''' and a [pack] table\nover two lines = \\ ?";
        let yaml = format!("{tricky:?}:\n  - \"a \\\"quoted\\\" answer\"\n");
        let toml_text = import_text(Format::RedTrivia, "tricky.yaml", &yaml, None).unwrap();
        let report = crate::content::load::load_pack_text("tricky.toml", toml_text);
        let (content, _) = report.into_result().expect("the pack loads");
        let question = &content.packs[0].questions[0];
        assert_eq!(question.prompt, tricky.trim());
        match &question.answer {
            crate::content::Answer::FreeText { answers, .. } => {
                assert_eq!(answers, &["a \"quoted\" answer"])
            }
            other => panic!("not free text: {other:?}"),
        }
    }

    #[test]
    fn a_long_list_of_answers_is_summarised_within_the_limit() {
        let answers: Vec<String> = (0..40)
            .map(|i| format!("answer number {i:02} {}", "x".repeat(30)))
            .collect();
        let text = accepted_answers(&answers);
        assert!(text.chars().count() <= limits::FIELD);
        assert!(text.starts_with("Accepted answers: answer number 00"));
        assert!(text.ends_with(" more."), "{text}");
    }

    #[test]
    fn unsourced_items_pass_only_in_a_pack_that_declares_no_sources() {
        // Such a pack was written from no working files either, so "the
        // notes" of a music question point at none.
        let question = "[[questions]]\nid = \"q\"\nkind = \"free_text\"\ndifficulty = \"easy\"\nprompt = \"Played with the notes separated?\"\nanswers = [\"Lenin\"]\nexplanation = \"Lenin.\"\nsources = []\n";
        let pack = "[pack]\nid = \"p\"\ntitle = \"P\"\ndescription = \"D\"\n";
        let imported = crate::content::load::load_pack_text("a.toml", format!("{pack}{question}"));
        assert!(!imported.has_errors());
        let with_sources =
            format!("{pack}[[sources]]\nid = \"s\"\nkind = \"book\"\ntitle = \"S\"\n{question}");
        let report = crate::content::load::load_pack_text("b.toml", with_sources);
        let errors: Vec<String> = report.errors().map(|d| d.to_string()).collect();
        assert_eq!(
            errors,
            [
                "b.toml:13:23: `prompt` refers to \"the notes\": students never see our working files; say who gives the claim (a historian, a document) or make it a misconception with its correction",
                "b.toml:16:11: `sources` is empty; name at least one source",
            ]
        );
    }

    #[test]
    fn a_packs_competition_settings_are_checked_against_what_competitions_take() {
        let pack = |settings: &str| {
            format!("[pack]\nid = \"p\"\ntitle = \"P\"\ndescription = \"D\"\n\n[pack.competition]\n{settings}\n\n[[questions]]\nid = \"q\"\nkind = \"true_false\"\ndifficulty = \"easy\"\nprompt = \"Yes?\"\nanswer = true\nexplanation = \"Yes.\"\nsources = []\n")
        };
        let (content, _) =
            crate::content::load::load_pack_text("a.toml", pack("rounds = 3\nseconds = 45"))
                .into_result()
                .expect("loads");
        assert_eq!(
            content.packs[0].competition,
            crate::content::CompetitionDefaults {
                rounds: Some(3),
                seconds: Some(45)
            }
        );
        let report = crate::content::load::load_pack_text(
            "b.toml",
            pack("rounds = 0\nseconds = 5\nlaps = 2"),
        );
        let errors: Vec<String> = report.errors().map(|d| d.to_string()).collect();
        assert_eq!(
            errors[errors.len() - 1],
            "b.toml:9:1: unknown field `laps`, expected `rounds` or `seconds`"
        );
        let report =
            crate::content::load::load_pack_text("c.toml", pack("rounds = 0\nseconds = 5"));
        let errors: Vec<String> = report.errors().map(|d| d.to_string()).collect();
        assert_eq!(
            errors,
            [
                "c.toml:7:10: `competition.rounds` is a whole number from 1 to 20",
                "c.toml:8:11: `competition.seconds` is a whole number from 10 to 120",
            ]
        );
    }
}

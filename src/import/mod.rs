//! `studybot import`: question lists made for other tools become one
//! single-file pack that `studybot check` accepts.
//!
//! Owns reading those formats (`red.rs`: Red-DiscordBot trivia lists,
//! `quizlet.rs`: Quizlet term/definition exports), deriving ids from the
//! text, keeping imported text within the content limits, and writing the
//! pack with the TOML serializer. Every problem in the input is reported at
//! the input's own line, all of them at once; the pack is run through the
//! real content checker before it is written, so a written pack always loads.
//! Knows only the pack format (`content/README.md`); nothing of Discord, the
//! store or search.

mod quizlet;
mod red;

use crate::content::validate::limits;
use crate::content::{Difficulty, EntryKind, QuestionKind, SourceKind};
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The formats `studybot import --from` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Red-DiscordBot trivia list: YAML mapping questions to accepted answers.
    RedTrivia,
    /// A Quizlet export: one `term<SEP>definition` pair a line.
    Quizlet,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::RedTrivia => "red-trivia",
            Format::Quizlet => "quizlet",
        }
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
            "red-trivia" => Ok(Format::RedTrivia),
            "quizlet" => Ok(Format::Quizlet),
            _ => Err(format!(
                "unknown format `{text}`: use red-trivia or quizlet"
            )),
        }
    }
}

/// What `studybot import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub format: Format,
    pub input: PathBuf,
    /// The folder the pack is written to, as `<pack-id>.toml`.
    pub out_dir: PathBuf,
    /// The pack id; derived from the input's file name when not given.
    pub pack_id: Option<String>,
    /// The pack title; the input's file name without extension when not given.
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
    pub entries: usize,
    pub questions: usize,
    /// Things worth knowing that are not errors, as `FILE:line: note: ...`.
    pub notes: Vec<String>,
}

/// A problem in the input file, at its line (and column, when known).
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
    let settings = PackSettings::new(
        options.format,
        &options.input,
        options.pack_id.as_deref(),
        options.title.as_deref(),
        options.separator.as_deref(),
    )?;
    let out_path = options.out_dir.join(format!("{}.toml", settings.pack_id));
    let out_shown = out_path.display().to_string();
    let text = std::fs::read_to_string(&options.input).map_err(|error| ImportError::Read {
        path: shown_path.clone(),
        error,
    })?;
    if out_path.exists() && !options.overwrite {
        return Err(ImportError::Exists { path: out_shown });
    }

    let converted =
        convert(&settings, &file_name, &text, options.progress).map_err(|problems| {
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
        entries: converted.entries.len(),
        questions: converted.questions.len(),
        notes: converted
            .notes
            .iter()
            .map(|n| {
                Problem {
                    message: format!("note: {}", n.message),
                    ..n.clone()
                }
                .at(&shown_path)
            })
            .collect(),
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
    let settings = PackSettings::new(format, Path::new(file_name), None, None, separator)?;
    let converted =
        convert(&settings, file_name, text, false).map_err(|problems| ImportError::Invalid {
            path: file_name.to_string(),
            problems,
        })?;
    converted.to_toml()
}

/// The pack-level choices, settled before the input is read.
struct PackSettings {
    format: Format,
    pack_id: String,
    title: String,
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
        let title = one_line(title.unwrap_or(&stem));
        let title = if title.is_empty() {
            pack_id.clone()
        } else {
            title
        };
        if let Err(message) = check_length(&title, "title", limits::TITLE) {
            return Err(ImportError::Usage(format!("--title: {message}")));
        }
        let is_csv = input
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let separator = match (format, separator) {
            (Format::Quizlet, Some(text)) => Some(quizlet::Separator::parse(text)?),
            (Format::Quizlet, None) if is_csv => Some(quizlet::Separator::Csv),
            (Format::Quizlet, None) => Some(quizlet::Separator::Char('\t')),
            (Format::RedTrivia, Some(_)) => {
                return Err(ImportError::Usage(
                    "--separator is for --from quizlet only".to_string(),
                ))
            }
            (Format::RedTrivia, None) => None,
        };
        Ok(Self {
            format,
            pack_id,
            title,
            separator,
        })
    }
}

fn convert(
    settings: &PackSettings,
    file_name: &str,
    text: &str,
    progress: bool,
) -> Result<Converted, Vec<Problem>> {
    // A byte-order mark is an encoding detail, not part of the first question.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder::new(settings.format, file_name, &settings.title, progress);
    match settings.format {
        Format::RedTrivia => red::read(text, &mut builder),
        Format::Quizlet => quizlet::read(
            text,
            settings.separator.unwrap_or(quizlet::Separator::Char('\t')),
            &mut builder,
        ),
    }
    if builder.problems.is_empty() && builder.questions.is_empty() {
        builder.problem(1, None, "no questions found in this file");
    }
    if !builder.problems.is_empty() {
        builder.problems.sort_by_key(|p| (p.line, p.column));
        return Err(builder.problems);
    }
    let description = match (settings.format, &builder.author) {
        (Format::RedTrivia, Some(author)) => {
            format!("Imported from the Red trivia list {file_name}, by {author}.")
        }
        (Format::RedTrivia, None) => format!("Imported from the Red trivia list {file_name}."),
        (Format::Quizlet, _) => format!("Imported from the Quizlet set {file_name}."),
    };
    let source_title = match settings.format {
        Format::RedTrivia => format!("Red trivia list {file_name}"),
        Format::Quizlet => format!("Quizlet set {file_name}"),
    };
    Ok(Converted {
        pack: PackMeta {
            id: settings.pack_id.clone(),
            title: settings.title.clone(),
            description: fit(&description, limits::FIELD),
        },
        sources: vec![SourceOut {
            id: builder.source.clone(),
            kind: SourceKind::Notes,
            title: fit(&source_title, limits::TITLE),
            author: builder.author.clone(),
            file: file_name.to_string(),
        }],
        entries: builder.entries,
        questions: builder.questions,
        notes: builder.notes,
    })
}

/// The pack as it is written: the field names are the content format's.
#[derive(Serialize)]
struct Converted {
    pack: PackMeta,
    sources: Vec<SourceOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    entries: Vec<EntryOut>,
    questions: Vec<QuestionOut>,
    #[serde(skip)]
    notes: Vec<Problem>,
}

impl Converted {
    fn to_toml(&self) -> Result<String, ImportError> {
        let body = toml::to_string_pretty(self)?;
        Ok(format!(
            "# Written by `studybot import`; check it with `studybot check --content <this file>`.\n\n{body}"
        ))
    }
}

#[derive(Serialize)]
struct PackMeta {
    id: String,
    title: String,
    description: String,
}

#[derive(Serialize)]
struct SourceOut {
    id: String,
    kind: SourceKind,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    file: String,
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
}

/// What the format readers fill in: items citing the one source, problems
/// and notes at input lines, and ids that are unique across the pack.
struct Builder {
    ids: Ids,
    /// The id of the one `[[sources]]` every item cites.
    source: String,
    /// The pack title, for the texts that name the set.
    title: String,
    author: Option<String>,
    entries: Vec<EntryOut>,
    questions: Vec<QuestionOut>,
    problems: Vec<Problem>,
    notes: Vec<Problem>,
    show_progress: bool,
    progress: Progress,
}

impl Builder {
    fn new(format: Format, file_name: &str, title: &str, show_progress: bool) -> Self {
        let mut ids = Ids::default();
        let stem = Path::new(file_name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = match format {
            Format::RedTrivia => "red-",
            Format::Quizlet => "quizlet-",
        };
        let source = ids.fresh(prefix, &stem, "", "list");
        Self {
            ids,
            source,
            title: title.to_string(),
            author: None,
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
        assert_eq!(settings.title, "Great Purge_terms");
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
}

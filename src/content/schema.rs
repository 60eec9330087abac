//! The TOML format of content files, as serde structs that keep spans.
//!
//! These types mirror the files exactly (unknown keys are refused) and carry
//! `Spanned` positions so that every later check can point at the offending
//! value. They are turned into the clean model in `validate.rs`; nothing
//! outside `content/` sees them. The format is documented in `content/README.md`.

use serde::Deserialize;
use toml::Spanned;

pub type SpannedStr = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPackMeta {
    pub id: SpannedStr,
    pub title: SpannedStr,
    pub description: SpannedStr,
    #[serde(default)]
    pub language: Option<SpannedStr>,
    #[serde(default)]
    pub spelling: Vec<Spanned<Vec<SpannedStr>>>,
    #[serde(default)]
    pub competition: Option<RawCompetition>,
}

/// `[pack.competition]`: what `/competition start` uses when the starter
/// gives no value and every question it can draw comes from this pack (an
/// imported quiz keeps its own timing this way).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCompetition {
    #[serde(default)]
    pub rounds: Option<Spanned<i64>>,
    #[serde(default)]
    pub seconds: Option<Spanned<i64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Notes,
    Article,
    Textbook,
    Blog,
    Book,
    Historian,
    Document,
    Archive,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub id: SpannedStr,
    pub kind: Spanned<SourceKind>,
    pub title: SpannedStr,
    #[serde(default)]
    pub author: Option<SpannedStr>,
    #[serde(default)]
    pub file: Option<SpannedStr>,
    #[serde(default)]
    pub url: Option<SpannedStr>,
    /// A working file the pack was written from (class notes, a draft):
    /// named only under `provenance`, never shown to students.
    #[serde(default)]
    pub internal: bool,
}

/// A mistake students meet in notes and popular summaries, with its
/// correction and the published work(s) the correction rests on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMisconception {
    pub claim: SpannedStr,
    pub correction: SpannedStr,
    pub sources: Spanned<Vec<SpannedStr>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub id: SpannedStr,
    pub date: SpannedStr,
    pub title: SpannedStr,
    /// Names students use for the event ("Congress of Victors"): `/explain`
    /// finds the event by these as well as by its title and id.
    #[serde(default)]
    pub aliases: Vec<SpannedStr>,
    pub description: SpannedStr,
    #[serde(default)]
    pub related: Vec<SpannedStr>,
    pub sources: Spanned<Vec<SpannedStr>>,
    #[serde(default)]
    pub tags: Vec<SpannedStr>,
    #[serde(default)]
    pub misconceptions: Vec<RawMisconception>,
    #[serde(default)]
    pub provenance: Vec<SpannedStr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Term,
    Person,
    Place,
    Document,
    Organisation,
    Event,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKeyDate {
    pub date: SpannedStr,
    pub text: SpannedStr,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFigureValue {
    pub value: SpannedStr,
    pub given_by: SpannedStr,
    #[serde(default)]
    pub sources: Vec<SpannedStr>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFigure {
    pub label: SpannedStr,
    #[serde(default)]
    pub value: Option<SpannedStr>,
    #[serde(default)]
    pub values: Option<Spanned<Vec<RawFigureValue>>>,
    #[serde(default)]
    pub sources: Vec<SpannedStr>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntry {
    pub id: SpannedStr,
    pub kind: Spanned<EntryKind>,
    pub name: SpannedStr,
    #[serde(default)]
    pub aliases: Vec<SpannedStr>,
    pub definition: SpannedStr,
    pub explanation: SpannedStr,
    #[serde(default)]
    pub dates: Vec<RawKeyDate>,
    #[serde(default)]
    pub figures: Vec<RawFigure>,
    #[serde(default)]
    pub related: Vec<SpannedStr>,
    pub sources: Spanned<Vec<SpannedStr>>,
    #[serde(default)]
    pub tags: Vec<SpannedStr>,
    #[serde(default)]
    pub misconceptions: Vec<RawMisconception>,
    #[serde(default)]
    pub provenance: Vec<SpannedStr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    MultipleChoice,
    TrueFalse,
    Numeric,
    FreeText,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 4] = [
        QuestionKind::MultipleChoice,
        QuestionKind::TrueFalse,
        QuestionKind::Numeric,
        QuestionKind::FreeText,
    ];

    pub fn key(self) -> &'static str {
        match self {
            QuestionKind::MultipleChoice => "multiple_choice",
            QuestionKind::TrueFalse => "true_false",
            QuestionKind::Numeric => "numeric",
            QuestionKind::FreeText => "free_text",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

/// `answer` changes type with the question's kind, so it is read loosely
/// here and checked against the kind in validation (with a precise message).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawAnswer {
    Bool(bool),
    Integer(i64),
    Float(f64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    pub id: SpannedStr,
    pub kind: Spanned<QuestionKind>,
    pub difficulty: Spanned<Difficulty>,
    pub prompt: SpannedStr,
    pub explanation: SpannedStr,
    #[serde(default)]
    pub options: Option<Spanned<Vec<SpannedStr>>>,
    #[serde(default)]
    pub answer: Option<Spanned<RawAnswer>>,
    #[serde(default)]
    pub answers: Option<Spanned<Vec<SpannedStr>>>,
    #[serde(default)]
    pub answer_entry: Option<SpannedStr>,
    #[serde(default)]
    pub tolerance: Option<Spanned<f64>>,
    #[serde(default)]
    pub unit: Option<SpannedStr>,
    #[serde(default)]
    pub related: Vec<SpannedStr>,
    pub sources: Spanned<Vec<SpannedStr>>,
    #[serde(default)]
    pub tags: Vec<SpannedStr>,
    #[serde(default)]
    pub provenance: Vec<SpannedStr>,
}

//! Content packs: the facts, glossary and questions studybot teaches.
//!
//! Owns the in-memory model of all loaded packs and the loading pipeline
//! (`load` reads and parses files, `validate` cross-checks them and builds
//! the model, `diagnostic` turns byte spans into `path:line:col`). Content is
//! read-only once loaded; a reload builds a whole new [`Content`].
//! Knows nothing of search ranking, the store or Discord.

pub mod bundled;
pub mod diagnostic;
pub mod load;
pub mod schema;
pub mod validate;

pub use bundled::{load_bundled, load_with_bundled};
pub use diagnostic::{Diagnostic, Severity};
pub use load::{load_pack_text, load_paths, LoadReport};
pub use schema::{Difficulty, EntryKind, QuestionKind, SourceKind};

use crate::dates::When;
use crate::text::SpellingFolder;
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// How many threads loading may use. Asked once: the standard library reads
/// cgroup files to answer, about 60 µs a call, which the bundled pack's
/// whole load budget (5 ms) should not pay several times over.
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Content that failed to load: every error, each with its `path:line:col`.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ContentError {
    pub diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Display for ContentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    pub kind: SourceKind,
    pub title: String,
    pub author: Option<String>,
    pub file: Option<String>,
    pub url: Option<String>,
    /// A working file of the pack's authors: cited only as provenance and
    /// never shown to students (see `validate.rs`).
    pub internal: bool,
}

/// A mistake students meet in notes and popular summaries: shown by
/// `/explain` under "Common mistake", never as a side of a dispute.
#[derive(Debug, Clone)]
pub struct Misconception {
    /// The claim as students meet it.
    pub claim: String,
    pub correction: String,
    /// Published works the correction rests on (never internal ones).
    pub sources: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub when: When,
    pub title: String,
    /// Other names `/explain` finds the event by.
    pub aliases: Vec<String>,
    pub description: String,
    pub related: Vec<String>,
    pub sources: Vec<String>,
    pub tags: Vec<String>,
    pub misconceptions: Vec<Misconception>,
    /// Working files the event was written from; never shown to students.
    pub provenance: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct KeyDate {
    pub when: When,
    pub text: String,
}

/// One value of a figure; `given_by` is set when the figure is disputed.
#[derive(Debug, Clone)]
pub struct FigureValue {
    pub value: String,
    pub given_by: Option<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Figure {
    pub label: String,
    pub values: Vec<FigureValue>,
}

impl Figure {
    /// A figure is disputed when sources give more than one value.
    pub fn is_disputed(&self) -> bool {
        self.values.len() > 1
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub kind: EntryKind,
    pub name: String,
    pub aliases: Vec<String>,
    pub definition: String,
    pub explanation: String,
    pub dates: Vec<KeyDate>,
    pub figures: Vec<Figure>,
    pub related: Vec<String>,
    pub sources: Vec<String>,
    pub tags: Vec<String>,
    pub misconceptions: Vec<Misconception>,
    /// Working files the entry was written from; never shown to students.
    pub provenance: Vec<String>,
}

/// What counts as right for a question, by kind.
#[derive(Debug, Clone)]
pub enum Answer {
    MultipleChoice {
        options: Vec<String>,
        correct: usize,
    },
    TrueFalse(bool),
    Numeric {
        value: f64,
        tolerance: f64,
        unit: Option<String>,
    },
    FreeText {
        answers: Vec<String>,
        entry: Option<String>,
    },
}

impl Answer {
    pub fn kind(&self) -> QuestionKind {
        match self {
            Answer::MultipleChoice { .. } => QuestionKind::MultipleChoice,
            Answer::TrueFalse(_) => QuestionKind::TrueFalse,
            Answer::Numeric { .. } => QuestionKind::Numeric,
            Answer::FreeText { .. } => QuestionKind::FreeText,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub difficulty: Difficulty,
    pub prompt: String,
    pub explanation: String,
    pub answer: Answer,
    pub related: Vec<String>,
    pub sources: Vec<String>,
    pub tags: Vec<String>,
    /// Working files the question was written from; never shown to students.
    pub provenance: Vec<String>,
}

impl Question {
    pub fn kind(&self) -> QuestionKind {
        self.answer.kind()
    }
}

/// A pack's own competition settings (`[pack.competition]`), each within
/// the range `/competition start` accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompetitionDefaults {
    pub rounds: Option<u32>,
    pub seconds: Option<u32>,
}

impl CompetitionDefaults {
    /// The rounds a competition may have.
    pub const ROUNDS: std::ops::RangeInclusive<u32> = 1..=20;
    /// The seconds a competition's question may stay open.
    pub const SECONDS: std::ops::RangeInclusive<u32> = 10..=120;
}

/// One topic's content, validated.
#[derive(Debug, Clone)]
pub struct Pack {
    pub id: String,
    pub title: String,
    pub description: String,
    pub language: String,
    pub spelling: SpellingFolder,
    /// Used by `/competition start` when every question comes from this pack.
    pub competition: CompetitionDefaults,
    pub sources: Vec<Source>,
    pub events: Vec<Event>,
    pub entries: Vec<Entry>,
    pub questions: Vec<Question>,
    source_index: HashMap<String, usize>,
    entry_index: HashMap<String, usize>,
    event_index: HashMap<String, usize>,
    /// The longest event's span in days: bounds how far back an event that
    /// overlaps a period can start, so overlap lookups need not scan all events.
    longest_event_days: i64,
    /// Worked out from the pack by another module on first use and kept
    /// while the pack is (see [`Pack::derived`]).
    derived: Derived,
}

/// What [`Pack::derived`] keeps: one value, of the one type its user gives.
/// A copy of the pack starts without it (its fields are public and may be
/// changed), so it is never out of step with the pack it came from.
#[derive(Default)]
struct Derived(OnceLock<Arc<dyn Any + Send + Sync>>);

impl Clone for Derived {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "Derived(built)"
        } else {
            "Derived(not built)"
        })
    }
}

impl Pack {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: String,
        title: String,
        description: String,
        language: String,
        spelling: SpellingFolder,
        sources: Vec<Source>,
        mut events: Vec<Event>,
        entries: Vec<Entry>,
        questions: Vec<Question>,
    ) -> Self {
        // Events are kept in date order (stable for equal dates) so lookups
        // and timelines never sort again.
        events.sort_by_key(|e| (e.when.first_day(), e.when.last_day()));
        let index = |ids: Vec<&String>| -> HashMap<String, usize> {
            ids.into_iter()
                .enumerate()
                .map(|(i, id)| (id.clone(), i))
                .collect()
        };
        let longest_event_days = events
            .iter()
            .map(|e| (e.when.last_day() - e.when.first_day()).num_days())
            .max()
            .unwrap_or(0);
        Self {
            competition: CompetitionDefaults::default(),
            longest_event_days,
            derived: Derived::default(),
            source_index: index(sources.iter().map(|s| &s.id).collect()),
            entry_index: index(entries.iter().map(|s| &s.id).collect()),
            event_index: index(events.iter().map(|s| &s.id).collect()),
            id,
            title,
            description,
            language,
            spelling,
            sources,
            events,
            entries,
            questions,
        }
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.source_index.get(id).map(|&i| &self.sources[i])
    }
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entry_index.get(id).map(|&i| &self.entries[i])
    }
    pub fn event(&self, id: &str) -> Option<&Event> {
        self.event_index.get(id).map(|&i| &self.events[i])
    }

    /// Data another module works out from the whole pack, built by `build`
    /// on first use and kept with the pack: the typed-answer rivals
    /// (`quiz::judge`), which folding per answer made 80 % of a typed
    /// press. Not built at load, so start-up and packs never answered pay
    /// nothing. Kept here without this module naming its type (`quiz` uses
    /// `content`, not the other way round); one type per pack, so a second
    /// user would need a slot of its own.
    pub fn derived<T: Any + Send + Sync>(&self, build: impl FnOnce(&Self) -> T) -> &T {
        self.derived
            .0
            .get_or_init(|| Arc::new(build(self)))
            .downcast_ref::<T>()
            .expect("a pack keeps one type of derived data")
    }

    /// Events overlapping `first..=last`, in date order: a binary search on
    /// start dates, then a scan bounded by the longest event's span.
    pub fn events_overlapping(
        &self,
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
    ) -> impl Iterator<Item = &Event> {
        let earliest = first - chrono::Duration::days(self.longest_event_days);
        let start = self
            .events
            .partition_point(|e| e.when.first_day() < earliest);
        let end = self.events.partition_point(|e| e.when.first_day() <= last);
        self.events[start..end.max(start)]
            .iter()
            .filter(move |e| e.when.overlaps(first, last))
    }
}

/// Every loaded pack. Cheap to share behind an `Arc`; replaced whole on reload.
/// Packs are shared (`Arc`), so a server's own content (the bundled packs
/// plus the packs its teachers uploaded) costs no copy of the bundled ones.
#[derive(Debug, Clone, Default)]
pub struct Content {
    pub packs: Vec<std::sync::Arc<Pack>>,
    /// Packs whose questions are not asked (a server's teachers turned them
    /// off); their facts still answer lookups and their posted questions can
    /// still be answered.
    pub quiet_packs: std::collections::HashSet<String>,
}

/// Counts reported by `studybot check --json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ContentSummary {
    pub packs: usize,
    pub events: usize,
    pub entries: usize,
    pub questions: usize,
    pub sources: usize,
    pub questions_by_kind: std::collections::BTreeMap<&'static str, usize>,
}

impl Content {
    pub fn summary(&self) -> ContentSummary {
        let mut summary = ContentSummary {
            packs: self.packs.len(),
            ..Default::default()
        };
        for kind in QuestionKind::ALL {
            summary.questions_by_kind.insert(kind.key(), 0);
        }
        for pack in &self.packs {
            summary.events += pack.events.len();
            summary.entries += pack.entries.len();
            summary.questions += pack.questions.len();
            summary.sources += pack.sources.len();
            for q in &pack.questions {
                *summary.questions_by_kind.entry(q.kind().key()).or_default() += 1;
            }
        }
        summary
    }

    pub fn pack(&self, id: &str) -> Option<&Pack> {
        self.packs.iter().find(|p| p.id == id).map(|p| &**p)
    }

    /// The packs questions are drawn from: every pack not turned off.
    pub fn question_packs(&self) -> impl Iterator<Item = &Pack> {
        self.packs
            .iter()
            .filter(|p| !self.quiet_packs.contains(&p.id))
            .map(|p| &**p)
    }
}

//! Cross-checks of one pack and the construction of the clean model.
//!
//! Owns every rule that spans more than one value: ids unique across the
//! pack, references that resolve, dates that exist, question kinds that have
//! the right keys, aliases that name one entry only, and Discord's length
//! limits (so nothing is cut off when shown). Each problem points at the
//! offending value. Knows nothing of search ranking, the store or Discord's API.

use super::diagnostic::{Diagnostic, Severity, SourceText};
use super::load::{Located, RawPack, Section};
use super::schema::{
    RawAnswer, RawCompetition, RawEntry, RawEvent, RawMisconception, RawQuestion, SpannedStr,
};
use super::{
    Answer, CompetitionDefaults, Entry, Event, Figure, FigureValue, KeyDate, Misconception, Pack,
    Question, QuestionKind, Source,
};
use crate::dates::When;
use crate::text::SpellingFolder;
use toml::Spanned;
// foldhash: ids are hashed thousands of times per load, and SipHash's
// protection against chosen keys is not needed for the pack's own ids.
use foldhash::{HashMap, HashSet};
use std::ops::Range;

/// Discord's limits, applied to content so that rendering never truncates.
pub mod limits {
    pub const NAME: usize = 100; // an autocomplete choice
    pub const OPTION: usize = 80; // a button label
    pub const TITLE: usize = 256; // an embed title
    pub const DEFINITION: usize = 300;
    pub const EXPLANATION: usize = 3000; // inside a 4,096-character description
    pub const FIELD: usize = 1024; // an embed field value
    pub const LABEL: usize = 256; // an embed field name
    pub const ID: usize = 64;
    /// Pack id and item id together fit a 100-character button id.
    pub const PACK_ID: usize = 30;
    /// Tags travel in timeline button ids.
    pub const TAG: usize = 40;
}

struct Checker<'a> {
    files: &'a [SourceText],
    /// Ids of the pack's internal sources (working files): a student-facing
    /// text that names one is refused.
    internal: &'a HashSet<String>,
    /// Whether the pack declares any `[[sources]]`: one that declares none
    /// (an imported list) was written from no working files, so its texts
    /// may say "the notes" (a music question's notes) without pointing at any.
    has_sources: bool,
    diagnostics: &'a mut Vec<Diagnostic>,
    errors: usize,
}

/// Phrases by which a text points students at our working files instead of
/// a published work ("as the notes say"). Matched whole-word, any case.
const WORKING_FILE_PHRASES: [&str; 16] = [
    "the notes",
    "the note",
    "some notes",
    "class notes",
    "student notes",
    "revision notes",
    "revision note",
    "source notes",
    "source note",
    "these notes",
    "one note",
    "the blog",
    "a blog",
    "one blog",
    "the encyclopedia article",
    "textbook summary",
];

/// A letter, digit, `-` or `_`: what [`find_words`] counts as inside a word
/// (so `seed-001` is not found inside `seed-0010`).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// Where a word may start in `haystack`: every position not preceded by a
/// word character.
fn word_starts(haystack: &str) -> impl Iterator<Item = usize> + '_ {
    let mut after_word = false;
    haystack.char_indices().filter_map(move |(i, c)| {
        let start = !after_word;
        after_word = is_word(c);
        start.then_some(i)
    })
}

/// Whether `needle` occurs at `start` in `haystack`, ignoring ASCII case,
/// and ends where a word may end.
fn words_at(haystack: &str, start: usize, needle: &str) -> bool {
    let end = start + needle.len();
    haystack
        .as_bytes()
        .get(start..end)
        .is_some_and(|b| b.eq_ignore_ascii_case(needle.as_bytes()))
        && haystack
            .get(end..)
            .is_some_and(|rest| !rest.chars().next().is_some_and(is_word))
}

/// Where `needle` first occurs in `haystack` as whole words (not inside a
/// longer word or id), ignoring ASCII case.
fn find_words(haystack: &str, needle: &str) -> Option<usize> {
    word_starts(haystack).find(|&start| words_at(haystack, start, needle))
}

/// What a checker of its own (on another thread) built, with the problems it
/// found and how many were errors; handed back through [`Checker::absorb`].
type CheckedApart<R> = (R, Vec<Diagnostic>, usize);

/// Runs `check` with a checker of its own, so it can run on another thread.
fn check_apart<R>(
    files: &[SourceText],
    internal: &HashSet<String>,
    has_sources: bool,
    check: impl FnOnce(&mut Checker) -> R,
) -> CheckedApart<R> {
    let mut diagnostics = Vec::new();
    let mut local = Checker {
        files,
        internal,
        has_sources,
        diagnostics: &mut diagnostics,
        errors: 0,
    };
    let built = check(&mut local);
    let errors = local.errors;
    (built, diagnostics, errors)
}

impl Checker<'_> {
    /// Takes in the problems a checker of its own found (see [`check_apart`]).
    fn absorb<R>(&mut self, (built, diagnostics, errors): CheckedApart<R>) -> R {
        self.diagnostics.extend(diagnostics);
        self.errors += errors;
        built
    }

    fn error(&mut self, file: usize, span: Range<usize>, message: impl Into<String>) {
        self.errors += 1;
        self.diagnostics
            .push(self.files[file].diagnostic(span, Severity::Error, message));
    }

    fn warning(&mut self, file: usize, span: Range<usize>, message: impl Into<String>) {
        self.diagnostics
            .push(self.files[file].diagnostic(span, Severity::Warning, message));
    }

    fn id(&mut self, file: usize, id: &SpannedStr, what: &str) {
        if !is_slug(id.get_ref()) || id.get_ref().len() > limits::ID {
            self.error(
                file,
                id.span(),
                format!(
                    "`{}` ({what}) is not a valid id: use lower-case letters, digits and `-`, at most {} characters",
                    id.get_ref(),
                    limits::ID
                ),
            );
        }
    }

    fn tags(&mut self, file: usize, tags: &[SpannedStr]) {
        for tag in tags {
            if !is_slug(tag.get_ref()) || tag.get_ref().len() > limits::TAG {
                self.error(
                    file,
                    tag.span(),
                    format!(
                        "tag `{}` is not valid: use lower-case letters, digits and `-`",
                        tag.get_ref()
                    ),
                );
            }
        }
    }

    /// Checks a student-facing text and takes it out of the raw item (moved,
    /// not copied: loading allocates each string once; the raw item is
    /// dropped after).
    fn text(&mut self, file: usize, value: &mut SpannedStr, key: &str, max: usize) -> String {
        self.no_working_files(file, value, key);
        self.unseen_text(file, value, key, max)
    }

    /// Refuses a student-facing text that names an internal source's id or
    /// points at working files ("the notes"), at the offending words.
    fn no_working_files(&mut self, file: usize, value: &SpannedStr, key: &str) {
        let text = value.get_ref();
        let phrases: &[&str] = if self.has_sources {
            &WORKING_FILE_PHRASES
        } else {
            &[]
        };
        // One pass over the text for every id and phrase, allocating
        // nothing: almost every text has none of them. Searching (and
        // lower-casing a copy of) each text once per id and phrase was a
        // third of the bot's start-up CPU (docs/performance.md).
        let needles = self
            .internal
            .iter()
            .map(String::as_str)
            .chain(phrases.iter().copied());
        if !word_starts(text).any(|start| needles.clone().any(|n| words_at(text, start, n))) {
            return;
        }
        let mut found: Vec<(String, String)> = Vec::new();
        for id in self.internal.iter() {
            if find_words(text, id).is_some() {
                found.push((
                    id.clone(),
                    format!("`{key}` names the internal source `{id}`: students never see our working files; cite a published work or document in `sources` and keep `{id}` under `provenance`"),
                ));
            }
        }
        for &phrase in phrases {
            if find_words(text, phrase).is_some() {
                found.push((
                    phrase.to_string(),
                    format!("`{key}` refers to \"{phrase}\": students never see our working files; say who gives the claim (a historian, a document) or make it a misconception with its correction"),
                ));
            }
        }
        let span = value.span();
        // The raw literal holds the words at the same place unless an escape
        // sits inside them; then the value's start is the best we can say.
        let raw = self.files[file].text.get(span.clone()).unwrap_or("");
        let mut located: Vec<(usize, String)> = found
            .into_iter()
            .map(|(words, message)| {
                let at = find_words(raw, &words).map_or(span.start, |i| span.start + i);
                (at, message)
            })
            .collect();
        located.sort();
        for (at, message) in located {
            self.error(file, at..at + 1, message);
        }
    }

    /// Checks a text that students never see (an internal source's title).
    fn unseen_text(
        &mut self,
        file: usize,
        value: &mut SpannedStr,
        key: &str,
        max: usize,
    ) -> String {
        let text = trimmed(std::mem::take(value.get_mut()));
        let length = text.chars().count();
        if length == 0 {
            self.error(file, value.span(), format!("`{key}` is empty"));
        } else if length > max {
            self.error(
                file,
                value.span(),
                format!("`{key}` is {length} characters long; at most {max} fit"),
            );
        }
        text
    }

    fn line(&mut self, file: usize, value: &mut SpannedStr, key: &str, max: usize) -> String {
        self.no_working_files(file, value, key);
        self.unseen_line(file, value, key, max)
    }

    fn unseen_line(
        &mut self,
        file: usize,
        value: &mut SpannedStr,
        key: &str,
        max: usize,
    ) -> String {
        let text = self.unseen_text(file, value, key, max);
        if text.contains('\n') {
            self.error(file, value.span(), format!("`{key}` must be one line"));
        }
        text
    }

    fn date(&mut self, file: usize, value: &SpannedStr) -> Option<When> {
        match When::parse_iso(value.get_ref()) {
            Ok(when) => Some(when),
            Err(e) => {
                self.error(file, value.span(), e.to_string());
                None
            }
        }
    }

    /// Checks references and takes them out of the raw item.
    fn refs(
        &mut self,
        file: usize,
        ids: &mut [SpannedStr],
        known: &HashSet<String>,
        key: &str,
        what: &str,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for id in ids {
            if known.contains(id.get_ref()) {
                out.push(std::mem::take(id.get_mut()));
            } else {
                self.error(
                    file,
                    id.span(),
                    format!(
                        "`{key}` names `{}`, but this pack has no {what} with that id",
                        id.get_ref()
                    ),
                );
            }
        }
        out
    }

    fn sources(
        &mut self,
        file: usize,
        ids: &mut toml::Spanned<Vec<SpannedStr>>,
        known: &HashSet<String>,
    ) -> Vec<String> {
        // A pack that declares no `[[sources]]` at all (an imported list) may
        // leave items unsourced: replies then say the item comes from the
        // pack itself. Once a pack declares sources, everything names one.
        if ids.get_ref().is_empty() && !known.is_empty() {
            self.error(
                file,
                ids.span(),
                "`sources` is empty; name at least one source",
            );
        }
        self.shown_sources(file, ids.get_mut(), known)
    }

    /// Checks the sources shown to students with an item: they exist and
    /// none is internal (those belong under `provenance`).
    fn shown_sources(
        &mut self,
        file: usize,
        ids: &mut [SpannedStr],
        known: &HashSet<String>,
    ) -> Vec<String> {
        for id in ids.iter() {
            if self.internal.contains(id.get_ref()) {
                self.error(
                    file,
                    id.span(),
                    format!(
                        "`sources` names `{}`, an internal source that students never see: move it to `provenance` and cite the published work or document the fact rests on",
                        id.get_ref()
                    ),
                );
            }
        }
        self.refs(file, ids, known, "sources", "source")
    }

    /// Internal provenance: any declared source, never shown.
    fn provenance(
        &mut self,
        file: usize,
        ids: &mut [SpannedStr],
        known: &HashSet<String>,
    ) -> Vec<String> {
        self.refs(file, ids, known, "provenance", "source")
    }

    fn misconceptions(
        &mut self,
        file: usize,
        raw: &mut [RawMisconception],
        known: &HashSet<String>,
    ) -> Vec<Misconception> {
        raw.iter_mut()
            .map(|m| Misconception {
                claim: self.line(file, &mut m.claim, "claim", limits::LABEL),
                correction: self.text(file, &mut m.correction, "correction", limits::FIELD),
                sources: self.sources(file, &mut m.sources, known),
            })
            .collect()
    }
}

/// Items per thread below which checking stays on one thread.
const PARALLEL_MIN_ITEMS: usize = 4096;

/// Checks and builds `items` with `check`, split across the cores for large
/// packs. Each thread has its own checker; results and diagnostics are
/// merged in item order, so the outcome does not depend on the split.
fn in_parallel<T: Send, R: Send>(
    c: &mut Checker,
    items: &mut [Located<T>],
    check: impl Fn(&mut Checker, usize, &mut T) -> Option<R> + Sync,
) -> Vec<R> {
    let threads = super::cores();
    if threads < 2 || items.len() < PARALLEL_MIN_ITEMS * 2 {
        return items
            .iter_mut()
            .filter_map(|Located { file, item }| check(c, *file, item))
            .collect();
    }
    let files = c.files;
    let internal = c.internal;
    let has_sources = c.has_sources;
    let check = &check;
    let parts: Vec<CheckedApart<Vec<R>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks_mut(items.len().div_ceil(threads))
            .map(|chunk| {
                scope.spawn(move || {
                    check_apart(files, internal, has_sources, |local| {
                        chunk
                            .iter_mut()
                            .filter_map(|Located { file, item }| check(local, *file, item))
                            .collect()
                    })
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a checking thread panicked"))
            .collect()
    });
    let mut all = Vec::with_capacity(items.len());
    for part in parts {
        all.extend(c.absorb(part));
    }
    all
}

fn section_name(section: Section) -> &'static str {
    match section {
        Section::Source => "a source",
        Section::Event => "an event",
        Section::Entry => "an entry",
        Section::Question => "a question",
    }
}

/// Takes every string out of a raw list.
fn take_all(list: &mut [SpannedStr]) -> Vec<String> {
    list.iter_mut()
        .map(|item| std::mem::take(item.get_mut()))
        .collect()
}

/// `text` without leading or trailing white space, reusing its allocation
/// when there is none to remove (the usual case).
fn trimmed(text: String) -> String {
    let trimmed = text.trim();
    if trimmed.len() == text.len() {
        text
    } else {
        trimmed.to_string()
    }
}

fn is_slug(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks one pack and builds it. Returns `None` when it has errors (they are
/// in `diagnostics`, all of them, not just the first).
pub(crate) fn build_pack(raw: RawPack, diagnostics: &mut Vec<Diagnostic>) -> Option<Pack> {
    let RawPack {
        files,
        mut meta,
        mut sources,
        mut events,
        mut entries,
        mut questions,
        broken_ids,
        syntax_errors,
    } = raw;
    let internal: HashSet<String> = sources
        .iter()
        .filter(|s| s.item.internal)
        .map(|s| s.item.id.get_ref().clone())
        .collect();
    let mut c = Checker {
        files: &files,
        internal: &internal,
        has_sources: !sources.is_empty(),
        diagnostics,
        errors: 0,
    };

    // The [pack] table: exactly one.
    let Some(first_meta) = meta.first() else {
        if syntax_errors {
            // The [pack] table may well be in the file that did not parse.
            return None;
        }
        c.error(
            0,
            0..0,
            "this pack has no `[pack]` table; add one with `id`, `title` and `description` (in `pack.toml` for a folder pack)",
        );
        return None;
    };
    for extra in &meta[1..] {
        c.error(
            extra.file,
            extra.item.span(),
            "a second `[pack]` table; a pack has exactly one",
        );
    }
    let meta_file = first_meta.file;
    let m = meta[0].item.get_mut();
    c.id(meta_file, &m.id, "the pack");
    if m.id.get_ref().len() > limits::PACK_ID {
        c.error(
            meta_file,
            m.id.span(),
            format!("a pack id has at most {} characters", limits::PACK_ID),
        );
    }
    let title = c.line(meta_file, &mut m.title, "title", limits::TITLE);
    let description = c.text(meta_file, &mut m.description, "description", limits::FIELD);
    let language = m
        .language
        .as_ref()
        .map(|l| l.get_ref().clone())
        .unwrap_or_else(|| "en".to_string());
    let mut groups = Vec::new();
    for group in &m.spelling {
        if group.get_ref().len() < 2 {
            c.error(
                meta_file,
                group.span(),
                "a spelling group lists at least two spellings",
            );
        }
        for member in group.get_ref() {
            if crate::text::normalize(member.get_ref()).is_empty() || member.get_ref().contains(' ')
            {
                c.error(
                    meta_file,
                    member.span(),
                    "a spelling is one or more letters, without spaces",
                );
            }
        }
        groups.push(
            group
                .get_ref()
                .iter()
                .map(|s| s.get_ref().clone())
                .collect(),
        );
    }
    let spelling = SpellingFolder::new(&groups);
    let competition = competition_defaults(&mut c, meta_file, m.competition.as_ref());

    // Ids: one namespace; the later occurrence in reading order is the duplicate.
    let mut all_ids: Vec<(usize, &SpannedStr, &str)> = Vec::new();
    all_ids.extend(sources.iter().map(|s| (s.file, &s.item.id, "a source")));
    all_ids.extend(events.iter().map(|s| (s.file, &s.item.id, "an event")));
    all_ids.extend(entries.iter().map(|s| (s.file, &s.item.id, "an entry")));
    all_ids.extend(questions.iter().map(|s| (s.file, &s.item.id, "a question")));
    all_ids.extend(
        broken_ids
            .iter()
            .map(|(id, section)| (id.file, &id.item, section_name(*section))),
    );
    all_ids.sort_by_key(|(file, id, _)| (*file, id.span().start));
    let mut seen: HashMap<&str, (usize, &str)> = HashMap::default();
    for (file, id, what) in &all_ids {
        c.id(*file, id, what);
        if let Some((first_file, first_what)) = seen.get(id.get_ref().as_str()) {
            let line = files[*first_file].path.display();
            c.error(
                *file,
                id.span(),
                format!(
                    "duplicate id `{}`: already used by {first_what} in {line}",
                    id.get_ref()
                ),
            );
        } else {
            seen.insert(id.get_ref(), (*file, what));
        }
    }

    let broken = |wanted: Section| {
        broken_ids
            .iter()
            .filter(move |(_, section)| *section == wanted)
            .map(|(id, _)| id.item.get_ref().clone())
    };
    let source_ids: HashSet<String> = sources
        .iter()
        .map(|s| s.item.id.get_ref().clone())
        .chain(broken(Section::Source))
        .collect();
    let entry_ids: HashSet<String> = entries
        .iter()
        .map(|s| s.item.id.get_ref().clone())
        .chain(broken(Section::Entry))
        .collect();
    let linkable: HashSet<String> = entry_ids
        .iter()
        .cloned()
        .chain(events.iter().map(|s| s.item.id.get_ref().clone()))
        .chain(broken(Section::Event))
        .collect();

    let built_sources: Vec<Source> = sources
        .iter_mut()
        .map(|Located { file, item }| Source {
            id: item.id.get_ref().clone(),
            kind: *item.kind.get_ref(),
            title: if item.internal {
                c.unseen_line(*file, &mut item.title, "title", limits::TITLE)
            } else {
                c.line(*file, &mut item.title, "title", limits::TITLE)
            },
            author: item.author.take().map(Spanned::into_inner),
            file: item.file.take().map(Spanned::into_inner),
            url: item.url.take().map(Spanned::into_inner),
            internal: item.internal,
        })
        .collect();

    // Questions are built on a second thread while the events and entries
    // are built and cross-checked on this one: on two cores this halves the
    // checking part of loading the bundled pack. Each side has its own
    // diagnostics; they are sorted by position at the end of loading.
    let files_ref = c.files;
    let internal_ref = c.internal;
    let has_sources = c.has_sources;
    let build_questions = |questions: &mut [Located<RawQuestion>]| {
        check_apart(files_ref, internal_ref, has_sources, |local| {
            in_parallel(local, questions, |c, file, item| {
                question(c, file, item, &linkable, &entry_ids, &source_ids)
            })
        })
    };
    let mut build_the_rest = || {
        // Names and aliases are compared before `entry` takes them out.
        check_alias_collisions(&mut c, &entries, &events, &spelling);
        let built_events: Vec<Event> = in_parallel(&mut c, &mut events, |c, file, item| {
            event(c, file, item, &linkable, &source_ids)
        });
        let built_entries: Vec<Entry> = in_parallel(&mut c, &mut entries, |c, file, item| {
            entry(c, file, item, &linkable, &source_ids)
        });
        check_entry_sizes(
            &mut c,
            &entries,
            &built_entries,
            &built_events,
            &built_sources,
        );
        check_misconception_sizes(
            &mut c,
            &entries,
            &events,
            &built_entries,
            &built_events,
            &built_sources,
        );
        (built_events, built_entries)
    };
    let (questions_apart, (built_events, built_entries)) = if super::cores() > 1 {
        std::thread::scope(|scope| {
            let questions = scope.spawn(|| build_questions(&mut questions));
            let rest = build_the_rest();
            (
                questions
                    .join()
                    .expect("the question-checking thread panicked"),
                rest,
            )
        })
    } else {
        let rest = build_the_rest();
        (build_questions(&mut questions), rest)
    };
    let built_questions: Vec<Question> = c.absorb(questions_apart);
    warn_of_length_giveaways(&mut c, meta_file, m.id.span(), &questions, &built_questions);

    if c.errors > 0 || !broken_ids.is_empty() {
        return None;
    }
    let mut pack = Pack::new(
        m.id.get_ref().clone(),
        title,
        description,
        language,
        spelling,
        built_sources,
        built_events,
        built_entries,
        built_questions,
    );
    pack.competition = competition;
    Some(pack)
}

/// `[pack.competition]`, each value within what `/competition start` takes.
fn competition_defaults(
    c: &mut Checker,
    file: usize,
    raw: Option<&RawCompetition>,
) -> CompetitionDefaults {
    let Some(raw) = raw else {
        return CompetitionDefaults::default();
    };
    let mut number =
        |value: &Option<toml::Spanned<i64>>, key: &str, range: std::ops::RangeInclusive<u32>| {
            let value = value.as_ref()?;
            match u32::try_from(*value.get_ref()) {
                Ok(n) if range.contains(&n) => Some(n),
                _ => {
                    c.error(
                        file,
                        value.span(),
                        format!(
                            "`competition.{key}` is a whole number from {} to {}",
                            range.start(),
                            range.end()
                        ),
                    );
                    None
                }
            }
        };
    CompetitionDefaults {
        rounds: number(&raw.rounds, "rounds", CompetitionDefaults::ROUNDS),
        seconds: number(&raw.seconds, "seconds", CompetitionDefaults::SECONDS),
    }
}

fn event(
    c: &mut Checker,
    file: usize,
    e: &mut RawEvent,
    linkable: &HashSet<String>,
    sources: &HashSet<String>,
) -> Option<Event> {
    let when = c.date(file, &e.date);
    let title = c.line(file, &mut e.title, "title", limits::TITLE);
    let aliases = e
        .aliases
        .iter_mut()
        .map(|a| c.line(file, a, "alias", limits::NAME))
        .collect();
    let description = c.text(file, &mut e.description, "description", limits::FIELD);
    let related = c.refs(file, &mut e.related, linkable, "related", "entry or event");
    let misconceptions = c.misconceptions(file, &mut e.misconceptions, sources);
    let provenance = c.provenance(file, &mut e.provenance, sources);
    let sources = c.sources(file, &mut e.sources, sources);
    c.tags(file, &e.tags);
    Some(Event {
        id: e.id.get_ref().clone(),
        when: when?,
        title,
        aliases,
        description,
        related,
        sources,
        tags: take_all(&mut e.tags),
        misconceptions,
        provenance,
    })
}

fn entry(
    c: &mut Checker,
    file: usize,
    e: &mut RawEntry,
    linkable: &HashSet<String>,
    source_ids: &HashSet<String>,
) -> Option<Entry> {
    let name = c.line(file, &mut e.name, "name", limits::NAME);
    let aliases = e
        .aliases
        .iter_mut()
        .map(|a| c.line(file, a, "alias", limits::NAME))
        .collect();
    let definition = c.line(file, &mut e.definition, "definition", limits::DEFINITION);
    let explanation = c.text(file, &mut e.explanation, "explanation", limits::EXPLANATION);
    let mut dates = Vec::new();
    for d in &mut e.dates {
        let text = c.line(file, &mut d.text, "text", limits::LABEL);
        if let Some(when) = c.date(file, &d.date) {
            dates.push(KeyDate { when, text });
        }
    }
    let entry_sources = c.sources(file, &mut e.sources, source_ids);
    let mut figures = Vec::new();
    for f in &mut e.figures {
        let label = c.line(file, &mut f.label, "label", limits::LABEL);
        let values = match (&mut f.value, &mut f.values) {
            (Some(value), None) => {
                let sources = if f.sources.is_empty() {
                    entry_sources.clone()
                } else {
                    c.shown_sources(file, &mut f.sources, source_ids)
                };
                vec![FigureValue {
                    value: c.line(file, value, "value", limits::FIELD),
                    given_by: None,
                    sources,
                }]
            }
            (None, Some(values)) => {
                if values.get_ref().len() < 2 {
                    c.error(
                        file,
                        values.span(),
                        "`values` lists the disputed values: at least two; use `value` for an undisputed figure",
                    );
                }
                if !f.sources.is_empty() {
                    c.error(
                        file,
                        f.sources[0].span(),
                        "a disputed figure gives `sources` on each of its `values`",
                    );
                }
                values
                    .get_mut()
                    .iter_mut()
                    .map(|v| FigureValue {
                        value: c.line(file, &mut v.value, "value", limits::FIELD),
                        given_by: Some(c.line(file, &mut v.given_by, "given_by", limits::LABEL)),
                        sources: if v.sources.is_empty() {
                            entry_sources.clone()
                        } else {
                            c.shown_sources(file, &mut v.sources, source_ids)
                        },
                    })
                    .collect()
            }
            (Some(_), Some(values)) => {
                c.error(
                    file,
                    values.span(),
                    "a figure has either `value` or `values`, not both",
                );
                Vec::new()
            }
            (None, None) => {
                c.error(
                    file,
                    f.label.span(),
                    "this figure has no `value` (or `values`, when disputed)",
                );
                Vec::new()
            }
        };
        figures.push(Figure { label, values });
    }
    let related = c.refs(file, &mut e.related, linkable, "related", "entry or event");
    let misconceptions = c.misconceptions(file, &mut e.misconceptions, source_ids);
    let provenance = c.provenance(file, &mut e.provenance, source_ids);
    c.tags(file, &e.tags);
    Some(Entry {
        id: e.id.get_ref().clone(),
        kind: *e.kind.get_ref(),
        name,
        aliases,
        definition,
        explanation,
        dates,
        figures,
        related,
        sources: entry_sources,
        tags: take_all(&mut e.tags),
        misconceptions,
        provenance,
    })
}

/// The most characters an entry's `/explain` reply may hold: one Discord
/// message carries at most 6,000 across its embed, and a little is kept for
/// labels and formatting.
pub const ENTRY_REPLY_MAX: usize = 5_600;

/// Rejects an entry whose whole `/explain` reply (definition, explanation,
/// dates, figures, related events, sources) could not be shown in one
/// Discord message, so replies are never cut when shown.
fn check_entry_sizes(
    c: &mut Checker,
    raw: &[Located<RawEntry>],
    entries: &[Entry],
    events: &[Event],
    sources: &[Source],
) {
    let len = |s: &str| s.chars().count();
    let event_titles: HashMap<&str, usize> = events
        .iter()
        .map(|e| (e.id.as_str(), len(&e.title)))
        .collect();
    let source_titles: HashMap<&str, usize> = sources
        .iter()
        .map(|s| (s.id.as_str(), len(&s.title)))
        .collect();
    for entry in entries {
        let mut size = len(&entry.name) + len(&entry.definition) + len(&entry.explanation) + 20;
        size += entry.dates.iter().map(|d| len(&d.text) + 30).sum::<usize>();
        for figure in &entry.figures {
            size += len(&figure.label) + 12;
            size += figure
                .values
                .iter()
                .map(|v| len(&v.value) + v.given_by.as_deref().map_or(0, len) + 6)
                .sum::<usize>();
        }
        size += entry
            .misconceptions
            .iter()
            .map(|m| misconception_size(m, &source_titles))
            .sum::<usize>();
        size += entry
            .related
            .iter()
            .filter_map(|id| event_titles.get(id.as_str()))
            .map(|title| title + 32)
            .sum::<usize>();
        size += entry
            .sources
            .iter()
            .filter_map(|id| source_titles.get(id.as_str()))
            .map(|title| title + 2)
            .sum::<usize>();
        if size > ENTRY_REPLY_MAX {
            if let Some(r) = raw.iter().find(|r| r.item.id.get_ref() == &entry.id) {
                c.error(
                    r.file,
                    r.item.id.span(),
                    format!(
                        "entry `{}` would not fit one Discord message ({size} characters; at most {ENTRY_REPLY_MAX}): shorten its explanation, dates or figures, or move some into related entries",
                        entry.id
                    ),
                );
            }
        }
    }
}

/// Formatting around a misconception's texts in its "Common mistake" field
/// (labels, quotes, line breaks; see `handlers::explain`).
pub const MISCONCEPTION_FRAME: usize = 48;

/// Characters a misconception takes when shown: its claim, its correction
/// and the titles of the sources of the correction.
fn misconception_size(m: &Misconception, source_titles: &HashMap<&str, usize>) -> usize {
    let len = |s: &str| s.chars().count();
    len(&m.claim)
        + len(&m.correction)
        + m.sources
            .iter()
            .filter_map(|id| source_titles.get(id.as_str()))
            .map(|title| title + 2)
            .sum::<usize>()
        + MISCONCEPTION_FRAME
}

/// Each misconception is shown as one embed field, so claim, correction and
/// source titles together must fit one (reported at the claim).
fn check_misconception_sizes(
    c: &mut Checker,
    raw_entries: &[Located<RawEntry>],
    raw_events: &[Located<RawEvent>],
    entries: &[Entry],
    events: &[Event],
    sources: &[Source],
) {
    let source_titles: HashMap<&str, usize> = sources
        .iter()
        .map(|s| (s.id.as_str(), s.title.chars().count()))
        .collect();
    let mut claims: HashMap<&str, (usize, Vec<Range<usize>>)> = HashMap::default();
    for Located { file, item } in raw_entries {
        let spans = item.misconceptions.iter().map(|m| m.claim.span()).collect();
        claims.insert(item.id.get_ref(), (*file, spans));
    }
    for Located { file, item } in raw_events {
        let spans = item.misconceptions.iter().map(|m| m.claim.span()).collect();
        claims.insert(item.id.get_ref(), (*file, spans));
    }
    let shown = entries
        .iter()
        .map(|e| (e.id.as_str(), &e.misconceptions))
        .chain(events.iter().map(|e| (e.id.as_str(), &e.misconceptions)));
    for (id, misconceptions) in shown {
        let Some((file, spans)) = claims.get(id) else {
            continue;
        };
        for (m, span) in misconceptions.iter().zip(spans) {
            let size = misconception_size(m, &source_titles);
            if size > limits::FIELD {
                c.error(
                    *file,
                    span.clone(),
                    format!(
                        "this misconception would not fit its field ({size} characters with its sources' titles; at most {}): shorten the claim or the correction",
                        limits::FIELD
                    ),
                );
            }
        }
    }
}

/// Multiple-choice questions with at least this many in a pack are judged
/// for length giveaways; fewer say nothing either way.
const GIVEAWAY_MIN_QUESTIONS: usize = 8;

/// Warns when a pack's correct options are the longest far more often than
/// chance (more than two standard deviations above what random placement of
/// lengths would give): students learn to pick the longest option. Names the
/// questions, once on the pack and once at each question's `answer`.
fn warn_of_length_giveaways(
    c: &mut Checker,
    meta_file: usize,
    pack_span: Range<usize>,
    raw: &[Located<RawQuestion>],
    built: &[Question],
) {
    let mut asked = 0;
    let mut expected = 0.0;
    let mut variance = 0.0;
    let mut longest: Vec<&str> = Vec::new();
    for q in built {
        let Answer::MultipleChoice { options, correct } = &q.answer else {
            continue;
        };
        if options.len() < 2 {
            continue;
        }
        asked += 1;
        let chance = 1.0 / options.len() as f64;
        expected += chance;
        variance += chance * (1.0 - chance);
        let len = |s: &String| s.chars().count();
        let right = len(&options[*correct]);
        let others = options
            .iter()
            .enumerate()
            .filter(|(i, _)| i != correct)
            .map(|(_, o)| len(o))
            .max()
            .unwrap_or(0);
        if right > others {
            longest.push(&q.id);
        }
    }
    if asked < GIVEAWAY_MIN_QUESTIONS || (longest.len() as f64) <= expected + 2.0 * variance.sqrt()
    {
        return;
    }
    c.warning(
        meta_file,
        pack_span,
        format!(
            "the correct option is the longest in {} of {asked} multiple-choice questions (about {:.0} by chance), so students can guess by length; rewrite some of: {}",
            longest.len(),
            expected,
            longest.join(", ")
        ),
    );
    let at: HashMap<&str, (usize, Range<usize>)> = raw
        .iter()
        .filter_map(|Located { file, item }| {
            let span = item.answer.as_ref()?.span();
            Some((item.id.get_ref().as_str(), (*file, span)))
        })
        .collect();
    for id in longest {
        if let Some((file, span)) = at.get(id) {
            c.warning(
                *file,
                span.clone(),
                format!("the correct option of `{id}` is the longest: a length giveaway"),
            );
        }
    }
}

/// An alias (or name) that folds to the same search key as another entry's
/// or event's name, title or alias would make `/explain` guess; it is
/// reported at the later one. Event aliases are checked like entry aliases.
fn check_alias_collisions(
    c: &mut Checker,
    entries: &[Located<RawEntry>],
    events: &[Located<RawEvent>],
    spelling: &SpellingFolder,
) {
    let mut names: Vec<(usize, &SpannedStr, &str)> = Vec::new();
    for Located { file, item } in entries {
        names.push((*file, &item.name, item.id.get_ref()));
        names.extend(
            item.aliases
                .iter()
                .map(|a| (*file, a, item.id.get_ref().as_str())),
        );
    }
    for Located { file, item } in events {
        names.push((*file, &item.title, item.id.get_ref()));
        names.extend(
            item.aliases
                .iter()
                .map(|a| (*file, a, item.id.get_ref().as_str())),
        );
    }
    names.sort_by_key(|(file, s, _)| (*file, s.span().start));
    let mut owners: HashMap<String, &str> = HashMap::default();
    for (file, text, id) in names {
        let key = spelling.key(text.get_ref());
        if key.is_empty() {
            continue;
        }
        match owners.get(&key) {
            Some(owner) if *owner != id => c.error(
                file,
                text.span(),
                format!(
                    "`{}` would match two entries or events: it also names or aliases `{owner}` (after folding case, accents and spellings)",
                    text.get_ref()
                ),
            ),
            Some(_) => {}
            None => {
                owners.insert(key, id);
            }
        }
    }
}

fn question(
    c: &mut Checker,
    file: usize,
    q: &mut RawQuestion,
    linkable: &HashSet<String>,
    entry_ids: &HashSet<String>,
    source_ids: &HashSet<String>,
) -> Option<Question> {
    let prompt = c.text(file, &mut q.prompt, "prompt", limits::FIELD);
    let explanation = c.text(file, &mut q.explanation, "explanation", limits::FIELD);
    let related = c.refs(file, &mut q.related, linkable, "related", "entry or event");
    let sources = c.sources(file, &mut q.sources, source_ids);
    let provenance = c.provenance(file, &mut q.provenance, source_ids);
    c.tags(file, &q.tags);
    let kind = *q.kind.get_ref();
    let kind_name = kind.key();

    // Keys that the kind does not use are mistakes, not silently ignored.
    let forbid = |present: Option<Range<usize>>, key: &str, c: &mut Checker| {
        if let Some(span) = present {
            c.error(file, span, format!("a {kind_name} question has no `{key}`"));
        }
    };
    let options_span = q.options.as_ref().map(|o| o.span());
    let answer_span = q.answer.as_ref().map(|o| o.span());
    let answers_span = q.answers.as_ref().map(|o| o.span());
    let entry_span = q.answer_entry.as_ref().map(|o| o.span());
    let tolerance_span = q.tolerance.as_ref().map(|o| o.span());
    let unit_span = q.unit.as_ref().map(|o| o.span());
    let id_span = q.id.span();

    let answer = match kind {
        QuestionKind::MultipleChoice => {
            for (span, key) in [
                (answers_span, "answers"),
                (entry_span, "answer_entry"),
                (tolerance_span, "tolerance"),
                (unit_span, "unit"),
            ] {
                forbid(span, key, c);
            }
            let Some(options) = &mut q.options else {
                c.error(
                    file,
                    id_span,
                    "a multiple_choice question needs `options` (2 to 5)",
                );
                return None;
            };
            let options_span = options.span();
            let list = options.get_mut();
            if !(2..=5).contains(&list.len()) {
                c.error(
                    file,
                    options_span,
                    format!(
                        "a multiple_choice question has 2 to 5 options, not {}",
                        list.len()
                    ),
                );
            }
            let mut texts: Vec<String> = Vec::new();
            let mut folded: Vec<String> = Vec::new();
            for option in list.iter_mut() {
                let text = c.line(file, option, "option", limits::OPTION);
                let key = crate::text::normalize(&text);
                if folded.contains(&key) {
                    c.error(
                        file,
                        option.span(),
                        format!("option `{text}` is listed twice"),
                    );
                }
                folded.push(key);
                texts.push(text);
            }
            let correct = match q.answer.as_ref().map(|a| (a.get_ref(), a.span())) {
                Some((RawAnswer::Text(text), span)) => {
                    match texts.iter().position(|t| t == text.trim()) {
                        Some(i) => Some(i),
                        None => {
                            c.error(
                                file,
                                span,
                                format!("the answer `{text}` is not one of the options"),
                            );
                            None
                        }
                    }
                }
                Some((_, span)) => {
                    c.error(
                        file,
                        span,
                        "the answer of a multiple_choice question is the text of one option",
                    );
                    None
                }
                None => {
                    c.error(file, id_span, "a multiple_choice question needs `answer` (the text of the correct option)");
                    None
                }
            };
            Answer::MultipleChoice {
                options: texts,
                correct: correct?,
            }
        }
        QuestionKind::TrueFalse => {
            for (span, key) in [
                (options_span, "options"),
                (answers_span, "answers"),
                (entry_span, "answer_entry"),
                (tolerance_span, "tolerance"),
                (unit_span, "unit"),
            ] {
                forbid(span, key, c);
            }
            match q.answer.as_ref().map(|a| (a.get_ref(), a.span())) {
                Some((RawAnswer::Bool(b), _)) => Answer::TrueFalse(*b),
                Some((_, span)) => {
                    c.error(
                        file,
                        span,
                        "the answer of a true_false question is `true` or `false` (without quotes)",
                    );
                    return None;
                }
                None => {
                    c.error(
                        file,
                        id_span,
                        "a true_false question needs `answer = true` or `answer = false`",
                    );
                    return None;
                }
            }
        }
        QuestionKind::Numeric => {
            for (span, key) in [
                (options_span, "options"),
                (answers_span, "answers"),
                (entry_span, "answer_entry"),
            ] {
                forbid(span, key, c);
            }
            let value = match q.answer.as_ref().map(|a| (a.get_ref(), a.span())) {
                Some((RawAnswer::Integer(i), _)) => *i as f64,
                Some((RawAnswer::Float(f), span)) if f.is_finite() => {
                    let _ = span;
                    *f
                }
                Some((_, span)) => {
                    c.error(
                        file,
                        span,
                        "the answer of a numeric question is a number (without quotes)",
                    );
                    return None;
                }
                None => {
                    c.error(
                        file,
                        id_span,
                        "a numeric question needs `answer` (a number)",
                    );
                    return None;
                }
            };
            let tolerance = match &q.tolerance {
                Some(t) if !(*t.get_ref() >= 0.0 && t.get_ref().is_finite()) => {
                    c.error(
                        file,
                        t.span(),
                        format!("`tolerance` must be zero or more, not {}", t.get_ref()),
                    );
                    0.0
                }
                Some(t) => *t.get_ref(),
                None => 0.0,
            };
            let unit = q
                .unit
                .as_mut()
                .map(|u| c.line(file, u, "unit", limits::OPTION));
            Answer::Numeric {
                value,
                tolerance,
                unit,
            }
        }
        QuestionKind::FreeText => {
            for (span, key) in [
                (options_span, "options"),
                (answer_span, "answer"),
                (tolerance_span, "tolerance"),
                (unit_span, "unit"),
            ] {
                forbid(span, key, c);
            }
            let Some(answers) = &mut q.answers else {
                c.error(
                    file,
                    id_span,
                    "a free_text question needs `answers` (every accepted answer)",
                );
                return None;
            };
            if answers.get_ref().is_empty() {
                c.error(
                    file,
                    answers.span(),
                    "`answers` is empty; list at least one accepted answer",
                );
            }
            let texts = answers
                .get_mut()
                .iter_mut()
                // Typed, never a button: an answer may be as long as a
                // field it is revealed in (Red trivia lists have such).
                .map(|a| c.line(file, a, "answer", limits::FIELD))
                .collect();
            let entry = match &q.answer_entry {
                Some(id) if entry_ids.contains(id.get_ref()) => Some(id.get_ref().clone()),
                Some(id) => {
                    c.error(
                        file,
                        id.span(),
                        format!(
                            "`answer_entry` names `{}`, but this pack has no entry with that id",
                            id.get_ref()
                        ),
                    );
                    None
                }
                None => None,
            };
            Answer::FreeText {
                answers: texts,
                entry,
            }
        }
    };
    Some(Question {
        id: q.id.get_ref().clone(),
        difficulty: *q.difficulty.get_ref(),
        prompt,
        explanation,
        answer,
        related,
        sources,
        tags: take_all(&mut q.tags),
        provenance,
    })
}

#[cfg(test)]
mod tests {
    use crate::content::{load_pack_text, Answer};

    #[test]
    fn words_are_found_whole_in_any_ascii_case_at_their_byte_offset() {
        use super::find_words;
        assert_eq!(find_words("As THE Notes say", "the notes"), Some(3));
        assert_eq!(
            find_words("see seed-0010, then seed-001.", "seed-001"),
            Some(20)
        );
        assert_eq!(find_words("seed-0010 only", "seed-001"), None);
        assert_eq!(find_words("my_seed-001", "seed-001"), None, "inside an id");
        // A letter outside ASCII is a word character too, and offsets are bytes.
        assert_eq!(find_words("éthe notes", "the notes"), None);
        assert_eq!(find_words("é the notes", "the notes"), Some(3));
        assert_eq!(find_words("the notesé", "the notes"), None);
        assert_eq!(
            find_words("the", "the notes"),
            None,
            "a needle longer than the text"
        );
    }

    const PACK: &str = r#"
[pack]
id = "moved"
title = "  Padded title  "
description = "D"

[[sources]]
id = "s"
kind = "notes"
title = "Notes"

[[events]]
id = "e"
date = "1937-07-30"
title = " Order issued "
description = "D"
related = ["x"]
sources = ["s"]
tags = ["orders"]

[[entries]]
id = "x"
kind = "document"
name = " Order 00447 "
aliases = ["order 447 "]
definition = "An order."
explanation = "Longer."
related = ["e"]
sources = ["s"]
tags = ["orders"]

[[entries.figures]]
label = "Quota"
value = " 259,450 arrests "

[[questions]]
id = "q"
kind = "multiple_choice"
difficulty = "easy"
prompt = "Which?"
options = [" One ", "Two"]
answer = "One"
explanation = "E"
related = ["x", "e"]
sources = ["s"]
tags = ["orders"]
"#;

    /// Strings are moved out of the parsed items (trimmed in place), not
    /// copied: every value must still arrive whole and trimmed, including
    /// the ones shared between places (a figure's default sources).
    #[test]
    fn moved_strings_arrive_trimmed_and_whole() {
        let report = load_pack_text("moved.toml", PACK.to_string());
        assert!(!report.has_errors(), "{:?}", report.diagnostics);
        let pack = &report.content.packs[0];
        assert_eq!(pack.title, "Padded title");
        let event = pack.event("e").unwrap();
        assert_eq!(event.title, "Order issued");
        assert_eq!(
            (
                event.related.as_slice(),
                event.sources.as_slice(),
                event.tags.as_slice()
            ),
            (
                &["x".to_string()][..],
                &["s".to_string()][..],
                &["orders".to_string()][..]
            )
        );
        let entry = pack.entry("x").unwrap();
        assert_eq!(entry.name, "Order 00447");
        assert_eq!(entry.aliases, ["order 447"]);
        assert_eq!(entry.figures[0].values[0].value, "259,450 arrests");
        assert_eq!(entry.figures[0].values[0].sources, ["s"]);
        assert_eq!(entry.sources, ["s"]);
        let question = &pack.questions[0];
        assert_eq!(question.related, ["x", "e"]);
        assert_eq!(question.tags, ["orders"]);
        match &question.answer {
            Answer::MultipleChoice { options, correct } => {
                assert_eq!(options, &["One", "Two"]);
                assert_eq!(*correct, 0);
            }
            other => panic!("{other:?}"),
        }
    }

    /// Questions are checked on a second thread, events and entries on the
    /// first: errors from both sides all arrive, in file order.
    #[test]
    fn errors_from_both_checking_threads_arrive_in_file_order() {
        let broken = PACK
            .replace("related = [\"x\", \"e\"]", "related = [\"nowhere\"]")
            .replace("date = \"1937-07-30\"", "date = \"1937-02-30\"")
            .replace("related = [\"e\"]", "related = [\"gone\"]");
        let report = load_pack_text("moved.toml", broken);
        let errors: Vec<String> = report.errors().map(|d| d.to_string()).collect();
        assert_eq!(
            errors,
            [
                "moved.toml:14:8: 30 February 1937 does not exist (February 1937 has 28 days)",
                "moved.toml:28:12: `related` names `gone`, but this pack has no entry or event with that id",
                "moved.toml:44:12: `related` names `nowhere`, but this pack has no entry or event with that id",
            ]
        );
    }

    /// Event aliases are optional, trimmed like entry aliases, and checked
    /// against every entry's and event's names: two that fold to one key are
    /// refused at the later one (here the entry's alias, after the event).
    #[test]
    fn event_aliases_are_trimmed_and_may_not_name_another_item() {
        let with_alias = PACK.replace(
            "title = \" Order issued \"",
            "title = \" Order issued \"\naliases = [\" Kulak order signed \"]",
        );
        let report = load_pack_text("moved.toml", with_alias.clone());
        assert!(!report.has_errors(), "{:?}", report.diagnostics);
        assert_eq!(
            report.content.packs[0].event("e").unwrap().aliases,
            ["Kulak order signed"]
        );
        let clash = with_alias.replace("Kulak order signed", "Order-447");
        let errors: Vec<String> = load_pack_text("moved.toml", clash)
            .errors()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            errors,
            ["moved.toml:26:12: `order 447 ` would match two entries or events: it also names or aliases `e` (after folding case, accents and spellings)"]
        );
    }
}

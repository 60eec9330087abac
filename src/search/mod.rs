//! Finding the glossary entry or timeline event a student means, and how
//! sure that match is.
//!
//! Owns the search index over every pack's entry names, aliases and ids,
//! event titles, aliases and ids, and the words of entry definitions. Keys
//! are folded by [`crate::text`] (case, accents, punctuation, the pack's
//! spelling equivalences) and numbers lose their leading zeros ("00447"
//! meets "447"); [`words`] says which words carry meaning and when two words
//! are one.
//!
//! A lookup returns every candidate with the evidence for it, and decides
//! whether the best one *answers* the query. It answers only when the query
//! is a key (exactly, or the same words in another order); or a clear
//! misspelling of one (every word matched, letters only, within a budget by
//! length); or most of one still being typed; or part of one that holds its
//! distinctive word (a person's surname, else the key's rarest word: "order
//! 447", "Yezhov"), with two words or more for an event. And no other item
//! may have evidence as good within [`AMBIGUITY_MARGIN`]. Anything less (a
//! shared first name, a near miss on a short word, a description) is only a
//! suggestion: "Georgy Zhukov" suggests Georgy Pyatakov, never answers with
//! him. Candidates come from hash lookups, the postings of the query's
//! rarest word, a trigram index (no scan of every key) and, when nothing
//! names the query, tf-idf over definitions ("who replaced Yezhov").
//! Knows nothing of Discord, the store or how hits are shown.

mod similar;
pub mod words;

use crate::content::{Content, EntryKind};
use crate::text::SpellingFolder;
// foldhash, not SipHash: a lookup hashes its key, every trigram and word of
// the query and each candidate item, and SipHash was a visible share of it.
// Nothing here needs protection from chosen keys (the index is built from
// the pack; queries only read it).
use foldhash::HashMap;
use words::{content_words, key_typos, shaped_typos, stem, WordShape, STOP_WORDS};

/// An entry or event of one pack, by position in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Item {
    Entry(usize),
    Event(usize),
}

/// An entry or event, by pack (position in [`Content::packs`]) and position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemRef {
    pub pack: usize,
    pub item: Item,
}

/// How a hit matched, best first. Every kind up to [`MatchKind::Partial`]
/// may answer a query; [`MatchKind::Near`] and [`MatchKind::Described`] are
/// suggestions only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    /// An entry's name.
    Name,
    /// An entry's or event's alias.
    Alias,
    /// An entry's or event's id ("kirov-murder").
    Id,
    /// An event's title.
    Title,
    /// A key's words, in another order or with stop words changed.
    Reworded,
    /// A key's words, some in another form ("Kirov's murder", "purges").
    Inflected,
    /// Every word of a key, with typos in letters within the budget.
    Misspelt,
    /// A key still being typed: its last word cut short, most of it there.
    Prefix,
    /// Part of a key, including its distinctive word.
    Partial,
    /// Some words in common, or a similar spelling: a suggestion.
    Near,
    /// Words of an entry's definition: a suggestion.
    Described,
}

impl MatchKind {
    /// The query is this key, letter for letter after folding, or word for word.
    pub fn is_exact(self) -> bool {
        self <= MatchKind::Reworded
    }

    /// Evidence strong enough to answer with, when no rival comes close.
    pub fn may_answer(self) -> bool {
        self <= MatchKind::Partial
    }
}

/// What a hit rests on, counted in meaningful words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Evidence {
    /// Words in the query, and how many of them matched a word of the key.
    pub query_words: u8,
    pub matched: u8,
    /// Words in the key, and how many of them a query word matched.
    pub key_words: u8,
    pub covered: u8,
    /// Letters wrong across the matched words.
    pub typos: u8,
    /// Whether the key's distinctive word (surname, rarest word) matched.
    pub distinctive: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub item: ItemRef,
    pub kind: MatchKind,
    /// For ranking: exact 1.0, then bands by kind, best first (0..1).
    pub score: f64,
    pub evidence: Evidence,
}

/// The candidates for a query, best first, one per item, and whether the
/// first one answers it.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    pub hits: Vec<Hit>,
    pub confident: bool,
}

impl Lookup {
    /// The item the query names, when the evidence says so.
    pub fn answer(&self) -> Option<&Hit> {
        if self.confident {
            self.hits.first()
        } else {
            None
        }
    }

    /// Items worth offering as "did you mean", best first (the answer excluded).
    pub fn suggestions(&self) -> impl Iterator<Item = &Hit> {
        self.hits
            .iter()
            .skip(usize::from(self.confident))
            .filter(|h| h.score >= SUGGEST_THRESHOLD)
    }
}

/// A rival whose evidence scores within this of the best hit makes the
/// query ambiguous: both are offered, neither is the answer.
pub const AMBIGUITY_MARGIN: f64 = 0.04;
/// Hits below this are not worth suggesting.
pub const SUGGEST_THRESHOLD: f64 = 0.4;
/// A cut-short last word must hold this share of the word it completes to
/// answer ("Tukhachev" does; "Yez" does not).
const PREFIX_SHARE: f64 = 0.6;
/// ... and at least this many letters.
const PREFIX_LETTERS: usize = 4;

/// How much a describing word counts when it is only in an entry's
/// explanation rather than its one-line definition.
const EXPLANATION_WEIGHT: f32 = 0.6;
/// Describing words in more entries than this are not looked up.
const MAX_DESCRIBING_POSTINGS: usize = 2000;
/// Keys whose trigram overlap is counted, at most, per fuzzy query. The
/// first keys met on the rarest trigrams' lists already hold a typo's key:
/// at 600 the lookup did twice the walking for the same answers (865 of
/// 1,000 misspelt names in `benches/lookups.rs`, 1.000 precision and
/// recall in `tests/lookup_corpus.rs`, at either bound).
const MAX_FUZZY_CANDIDATES: usize = 300;
/// Keys holding the query's rarest word that are weighed, at most.
const MAX_WORD_CANDIDATES: usize = 96;

/// One autocomplete suggestion: what to show, and the value to send back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suggestion {
    pub name: String,
    pub value: String,
}

/// Discord shows at most 25 autocomplete choices of at most 100 characters.
pub const MAX_SUGGESTIONS: usize = 25;
pub const MAX_SUGGESTION_LEN: usize = 100;

/// Where a key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum KeyKind {
    Name,
    Alias,
    Id,
    Title,
}

impl KeyKind {
    fn exact(self) -> MatchKind {
        match self {
            KeyKind::Name => MatchKind::Name,
            KeyKind::Alias => MatchKind::Alias,
            KeyKind::Id => MatchKind::Id,
            KeyKind::Title => MatchKind::Title,
        }
    }
}

/// A word of a key: its folded form (for typos) and its stem (for equality).
#[derive(Debug, Clone, Copy)]
struct Word {
    text: u32,
    plain: u32,
    stem: u32,
}

struct Key {
    text: String,
    item: Item,
    kind: KeyKind,
    /// The key's meaningful words.
    words: Box<[Word]>,
    /// Position in `words` of the word a partial match must hold.
    distinctive: Option<u8>,
    /// Whether that word is a person's surname (enough on its own).
    surname: bool,
    /// The item's keys, `first..end` in `keys` (an item's keys are added
    /// one after another).
    siblings: (u32, u32),
}

/// What the trigram search reads of each key it passes over. Kept apart
/// from [`Key`], in key order: the search reads hundreds of keys per query
/// at random, and a key's strings and words would only crowd the cache.
#[derive(Debug, Clone, Copy)]
struct GramSketch {
    /// The key's trigrams hashed into 256 bits: `popcount(a & b)` estimates
    /// the overlap of two keys in a few instructions.
    signature: Signature,
    /// How many distinct trigrams the key has.
    count: u16,
}

type Signature = [u64; 4];

fn signature(grams: &[u64]) -> Signature {
    let mut sig = [0u64; 4];
    for g in grams {
        let bit = (g.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize;
        sig[bit / 64] |= 1 << (bit % 64);
    }
    sig
}

fn shared_bits(a: &Signature, b: &Signature) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x & y).count_ones()).sum()
}

#[derive(Default)]
struct PackIndex {
    folder: SpellingFolder,
    keys: Vec<Key>,
    /// The trigram sketch of each key, by the key's index.
    sketches: Vec<GramSketch>,
    /// Folded key -> index into `keys` (names win over aliases over ids
    /// over titles).
    exact: HashMap<String, u32>,
    /// Keys sorted by text, for prefix search: indices into `keys`.
    sorted: Vec<u32>,
    /// (word, key) for every word of every key, sorted: word-prefix search.
    words: Vec<(String, u32)>,
    /// Words of keys (folded, and as written), and their ids.
    word_texts: Vec<String>,
    word_ids: HashMap<String, u32>,
    /// Each word's length and letters, by word id, for [`shaped_typos`].
    word_shapes: Vec<WordShape>,
    /// Stems of key words, and the keys holding each (ascending).
    stem_ids: HashMap<String, u32>,
    stem_keys: Vec<Vec<u32>>,
    /// Trigram -> keys containing it.
    trigrams: HashMap<u64, Vec<u32>>,
    /// Describing word -> (entry, weight): 1.0 when the word is in the
    /// entry's one-line definition, less when only in its explanation.
    full_text: HashMap<String, Vec<(u32, f32)>>,
    entry_count: usize,
    /// Display name of each entry and each event, for suggestions.
    entry_names: Vec<String>,
    event_titles: Vec<String>,
    /// Events' ids, sent back by autocomplete for titles too long to send.
    event_ids: Vec<String>,
}

pub struct SearchIndex {
    /// One index per pack, in the content's order; shared, so a server's
    /// own library reuses the bundled packs' indexes.
    packs: Vec<std::sync::Arc<PackIndex>>,
}

/// Words that mean the same thing when someone describes an entry instead of
/// naming it ("who replaced Yezhov" should meet "succeeded Yezhov"). General
/// English, so it lives in code; each group folds to its first word.
const SYNONYMS: &[&[&str]] = &[
    &[
        "succeed",
        "succeeded",
        "succeeds",
        "successor",
        "replace",
        "replaced",
        "replaces",
        "replacing",
        "followed",
        "took",
    ],
    &[
        "kill",
        "killed",
        "killing",
        "murder",
        "murdered",
        "murdering",
        "assassinate",
        "assassinated",
        "assassination",
        "assassin",
        "killer",
    ],
    &[
        "shoot",
        "shot",
        "execute",
        "executed",
        "execution",
        "executions",
    ],
    &[
        "head",
        "headed",
        "heads",
        "chief",
        "leader",
        "led",
        "ran",
        "commissar",
    ],
    &["arrest", "arrested", "arrests"],
    &["order", "orders", "ordered"],
    &["sign", "signed", "signs"],
    &["trial", "trials", "tried"],
    &["camp", "camps"],
];

/// The form of a describing word used in the definition index.
fn concept(word: &str) -> &str {
    SYNONYMS
        .iter()
        .find(|group| group.contains(&word))
        .map_or(word, |group| group[0])
}

/// A text normalized by [`crate::text::normalize`], with initials written
/// apart joined into one word ("N.K.V.D." and "N K V D" are "nkvd").
fn normalized(text: &str) -> String {
    let plain = crate::text::normalize(text);
    // One letter alone: an initial ("N. I. Yezhov") or part of a spelt-out
    // abbreviation. Digits stay apart ("7 April").
    let letter = |w: &str| {
        let mut chars = w.chars();
        matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic())
    };
    if !plain.split(' ').any(letter) {
        return plain;
    }
    let mut out = String::with_capacity(plain.len());
    let mut previous: Option<&str> = None;
    for word in plain.split(' ') {
        let joined = letter(word) && previous.is_some_and(letter);
        if previous.is_some() && !joined {
            out.push(' ');
        }
        out.push_str(word);
        previous = Some(word);
    }
    out
}

/// The search key of a text: folded, numbers without leading zeros.
fn search_key(folder: &SpellingFolder, text: &str) -> String {
    key_of_normalized(folder, &normalized(text))
}

/// [`search_key`] of a text already [`normalized`]: a lookup normalizes
/// its query once and folds it for each pack.
fn key_of_normalized(folder: &SpellingFolder, normalized: &str) -> String {
    let folded = folder.fold(normalized);
    if !folded
        .split(' ')
        .any(|w| without_leading_zeros(w).len() != w.len())
    {
        return folded;
    }
    let mut key = String::with_capacity(folded.len());
    for (i, word) in folded.split(' ').enumerate() {
        if i > 0 {
            key.push(' ');
        }
        key.push_str(without_leading_zeros(word));
    }
    key
}

/// A number without its leading zeros ("00447" meets "447").
fn without_leading_zeros(word: &str) -> &str {
    if word.len() > 1 && word.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = word.trim_start_matches('0');
        if trimmed.is_empty() {
            "0"
        } else {
            trimmed
        }
    } else {
        word
    }
}

/// The meaningful words of a text, each folded and with its folded stem.
/// Stop words and endings are English, so they are judged before the
/// pack's spelling folds the letters ("the" would fold to "tkhe").
fn key_words(folder: &SpellingFolder, text: &str) -> Vec<KeyWord> {
    words_of_normalized(folder, &normalized(text))
}

/// [`key_words`] of a text already [`normalized`].
fn words_of_normalized(folder: &SpellingFolder, normalized: &str) -> Vec<KeyWord> {
    content_words(normalized)
        .into_iter()
        .map(without_leading_zeros)
        .map(|w| KeyWord {
            plain: w.to_string(),
            folded: folder.fold(w),
            stem: folder.fold(stem(w)),
        })
        .collect()
}

/// A word as written (normalized), folded, and its folded stem. Typos are
/// counted on both forms, the smaller winning: folding can add letters
/// ("yeshov" folds to "yeskhov" but "yezhov" stays whole).
struct KeyWord {
    plain: String,
    folded: String,
    stem: String,
}

/// The distinct trigrams of `key` padded as `"  key "`, each three chars
/// packed in a `u64`, sorted.
fn trigrams(key: &str) -> Vec<u64> {
    let pack =
        |a: char, b: char, c: char| (u64::from(a) << 42) | (u64::from(b) << 21) | u64::from(c);
    let mut out = Vec::with_capacity(key.len() + 1);
    let (mut a, mut b) = (' ', ' ');
    for c in key.chars().chain([' ']) {
        out.push(pack(a, b, c));
        (a, b) = (b, c);
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn is_number(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_digit())
}

/// A query word, resolved against one pack's words.
struct QueryWord<'a> {
    text: &'a str,
    plain: &'a str,
    stem: Option<u32>,
    /// Shapes of `text` and `plain`, worked out once per lookup.
    shape: WordShape,
    plain_shape: WordShape,
}

/// The typos between query words and index words already counted in one
/// lookup. A query word meets the same index word in many keys (an entry's
/// name and its aliases share a surname; many entries share a first name),
/// so each pair is counted once. Direct-mapped and on the stack: a pair
/// whose slot another took is simply counted again.
struct TypoCache {
    slots: [(u64, Option<u8>); TYPO_CACHE_SLOTS],
}

const TYPO_CACHE_SLOTS: usize = 256;

impl TypoCache {
    fn new() -> Self {
        Self {
            slots: [(u64::MAX, None); TYPO_CACHE_SLOTS],
        }
    }

    /// The typos from query word `query` to the key word `word`, computed
    /// by `count` unless known.
    fn get(
        &mut self,
        query: usize,
        word: Word,
        count: impl FnOnce() -> Option<usize>,
    ) -> Option<usize> {
        // 8 bits of query word, 28 of each word id: pairs that do not fit
        // (never, for any real pack) are not cached.
        if query > 0xFF || word.text >= 1 << 28 || word.plain >= 1 << 28 {
            return count();
        }
        let tag = ((query as u64) << 56) | (u64::from(word.text) << 28) | u64::from(word.plain);
        let slot = (tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize % TYPO_CACHE_SLOTS;
        if self.slots[slot].0 == tag {
            return self.slots[slot].1.map(usize::from);
        }
        let typos = count();
        // Typos are within a budget of three, so they always fit in a u8.
        self.slots[slot] = (tag, typos.map(|d| d.min(255) as u8));
        typos
    }
}

/// Packs with at least this many entries build their full-text postings on
/// a thread of their own (below it, starting the thread costs more).
const PARALLEL_DEFINITIONS: usize = 64;

/// Each word of the entries' definitions and explanations (as a concept),
/// with the entries that use it and how much it weighs there.
fn definition_postings(
    folder: &SpellingFolder,
    pack: &crate::content::Pack,
) -> HashMap<String, Vec<(u32, f32)>> {
    let mut full_text: HashMap<String, Vec<(u32, f32)>> = HashMap::default();
    for (i, entry) in pack.entries.iter().enumerate() {
        // Someone who describes an entry does not name it, so an entry's
        // own name words are left out of its definition postings: "who
        // replaced Yezhov" must find Beria, not Yezhov.
        let own: foldhash::HashSet<String> = std::iter::once(&entry.name)
            .chain(&entry.aliases)
            .flat_map(|n| {
                search_key(folder, n)
                    .split(' ')
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut weights: HashMap<String, f32> = HashMap::default();
        for (text, weight) in [
            (&entry.explanation, EXPLANATION_WEIGHT),
            (&entry.definition, 1.0),
        ] {
            for word in search_key(folder, text).split(' ') {
                if word.len() > 1 && !STOP_WORDS.contains(&word) && !own.contains(word) {
                    let w = weights.entry(concept(word).to_string()).or_default();
                    *w = w.max(weight);
                }
            }
        }
        for (word, weight) in weights {
            full_text.entry(word).or_default().push((i as u32, weight));
        }
    }
    full_text
}

impl PackIndex {
    fn build(pack: &crate::content::Pack) -> Self {
        // The full-text postings (every entry's definition and explanation,
        // about half of the build) are built on a second core while the keys
        // are indexed here: the bundled pack's index is on the way to the
        // bot's first answer at start-up (docs/performance.md).
        if pack.entries.len() >= PARALLEL_DEFINITIONS && crate::content::cores() > 1 {
            return std::thread::scope(|scope| {
                let definitions = scope.spawn(|| definition_postings(&pack.spelling, pack));
                let mut index = Self::build_keys(pack);
                index.full_text = definitions
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                index
            });
        }
        let mut index = Self::build_keys(pack);
        index.full_text = definition_postings(&pack.spelling, pack);
        index
    }

    /// Everything of the index but the full-text postings.
    fn build_keys(pack: &crate::content::Pack) -> Self {
        let folder = pack.spelling.clone();
        let mut index = PackIndex {
            folder: folder.clone(),
            entry_count: pack.entries.len(),
            entry_names: pack.entries.iter().map(|e| e.name.clone()).collect(),
            event_titles: pack.events.iter().map(|e| e.title.clone()).collect(),
            event_ids: pack.events.iter().map(|e| e.id.clone()).collect(),
            ..Default::default()
        };
        // Each item's keys, and the surname a person's partial match needs.
        let mut sources: Vec<(Item, KeyKind, &str)> = Vec::new();
        let mut surnames: HashMap<Item, String> = HashMap::default();
        for (i, entry) in pack.entries.iter().enumerate() {
            let item = Item::Entry(i);
            sources.push((item, KeyKind::Name, &entry.name));
            sources.extend(
                entry
                    .aliases
                    .iter()
                    .map(|a| (item, KeyKind::Alias, a.as_str())),
            );
            sources.push((item, KeyKind::Id, &entry.id));
            if entry.kind == EntryKind::Person {
                if let Some(last) = key_words(&folder, &entry.name).pop() {
                    surnames.insert(item, last.stem);
                }
            }
        }
        for (i, event) in pack.events.iter().enumerate() {
            let item = Item::Event(i);
            sources.push((item, KeyKind::Title, &event.title));
            sources.extend(
                event
                    .aliases
                    .iter()
                    .map(|a| (item, KeyKind::Alias, a.as_str())),
            );
            sources.push((item, KeyKind::Id, &event.id));
        }
        for (item, kind, text) in sources {
            index.add_key(item, kind, text);
        }
        index.mark_distinctive_words(&surnames);
        index.link_siblings();

        let mut sorted: Vec<u32> = (0..index.keys.len() as u32).collect();
        sorted.sort_by(|&a, &b| {
            index.keys[a as usize]
                .text
                .cmp(&index.keys[b as usize].text)
        });
        index.sorted = sorted;
        for (k, key) in index.keys.iter().enumerate() {
            for word in key.text.split(' ') {
                index.words.push((word.to_string(), k as u32));
            }
        }
        index.words.sort();
        index
    }

    fn add_key(&mut self, item: Item, kind: KeyKind, text: &str) {
        let key = search_key(&self.folder, text);
        if key.is_empty() {
            return;
        }
        let k = self.keys.len() as u32;
        match self.exact.get(&key).map(|&e| self.keys[e as usize].kind) {
            Some(existing) if existing <= kind => {}
            _ => {
                self.exact.insert(key.clone(), k);
            }
        }
        let grams = trigrams(&key);
        for &t in &grams {
            self.trigrams.entry(t).or_default().push(k);
        }
        let mut words: Vec<Word> = Vec::new();
        for word in key_words(&self.folder, text) {
            let text = self.word_id(word.folded);
            let plain = self.word_id(word.plain);
            let next = self.stem_ids.len() as u32;
            let stem_id = *self.stem_ids.entry(word.stem).or_insert(next);
            if stem_id == next {
                self.stem_keys.push(Vec::new());
            }
            let postings = &mut self.stem_keys[stem_id as usize];
            if postings.last() != Some(&k) {
                postings.push(k);
            }
            words.push(Word {
                text,
                plain,
                stem: stem_id,
            });
        }
        self.keys.push(Key {
            text: key,
            item,
            kind,
            words: words.into_boxed_slice(),
            distinctive: None,
            surname: false,
            siblings: (k, k + 1),
        });
        self.sketches.push(GramSketch {
            signature: signature(&grams),
            count: grams.len().min(u16::MAX as usize) as u16,
        });
    }

    fn link_siblings(&mut self) {
        let mut first = 0;
        for k in 0..=self.keys.len() {
            if k == self.keys.len() || self.keys[k].item != self.keys[first].item {
                for sibling in &mut self.keys[first..k] {
                    sibling.siblings = (first as u32, k as u32);
                }
                first = k;
            }
        }
    }

    /// Whether another key of `key`'s item holds the stem `stem`.
    fn sibling_has(&self, key: &Key, stem: u32) -> bool {
        let postings = &self.stem_keys[stem as usize];
        let start = postings.partition_point(|&k| k < key.siblings.0);
        postings.get(start).is_some_and(|&k| k < key.siblings.1)
    }

    fn word_id(&mut self, word: String) -> u32 {
        let next = self.word_ids.len() as u32;
        let id = *self.word_ids.entry(word.clone()).or_insert(next);
        if id == next {
            self.word_shapes.push(WordShape::of(&word));
            self.word_texts.push(word);
        }
        id
    }

    /// Gives each key the word a partial match must hold: a person's
    /// surname where the key has it, else the word fewest items use (the
    /// last of equals, as names put the specific word last).
    fn mark_distinctive_words(&mut self, surnames: &HashMap<Item, String>) {
        let mut items_per_stem = vec![0u32; self.stem_keys.len()];
        for (stem_id, keys) in self.stem_keys.iter().enumerate() {
            let mut items: Vec<Item> = keys.iter().map(|&k| self.keys[k as usize].item).collect();
            items.sort_unstable();
            items.dedup();
            items_per_stem[stem_id] = items.len() as u32;
        }
        for key in &mut self.keys {
            let surname = surnames
                .get(&key.item)
                .and_then(|s| self.stem_ids.get(s))
                .and_then(|&s| key.words.iter().position(|w| w.stem == s));
            key.surname = surname.is_some();
            key.distinctive = surname
                .or_else(|| {
                    (0..key.words.len())
                        .rev()
                        .min_by_key(|&i| items_per_stem[key.words[i].stem as usize])
                })
                .map(|i| i.min(u8::MAX as usize) as u8);
        }
    }

    /// Keys whose text starts with `prefix`, shortest first.
    fn prefixed<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = u32> + 'a {
        let start = self
            .sorted
            .partition_point(|&k| self.keys[k as usize].text.as_str() < prefix);
        self.sorted[start..]
            .iter()
            .copied()
            .take_while(move |&k| self.keys[k as usize].text.starts_with(prefix))
    }

    /// Keys one of whose words starts with `prefix`.
    fn word_prefixed<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = u32> + 'a {
        let start = self.words.partition_point(|(w, _)| w.as_str() < prefix);
        self.words[start..]
            .iter()
            .take_while(move |(w, _)| w.starts_with(prefix))
            .map(|(_, k)| *k)
    }

    /// Keys sharing about half of the query's trigrams or more, with their
    /// similarity. Candidates come from the query's rarest trigrams (a key
    /// sharing `needed` of `n` trigrams must hold one of the `n - needed + 1`
    /// rarest), are filtered by length and by a signature estimate of the
    /// overlap, and only the best few get the edit distance.
    fn fuzzy(&self, key: &str) -> Vec<(u32, f64)> {
        let grams = trigrams(key);
        let needed = grams.len().div_ceil(2).max(1);
        let query_signature = signature(&grams);
        let mut by_rarity: Vec<&[u32]> = grams
            .iter()
            .map(|g| self.trigrams.get(g).map(Vec::as_slice).unwrap_or(&[]))
            .collect();
        by_rarity.sort_by_key(|p| p.len());
        // A key much longer or shorter than the query cannot be a typo of it.
        let (low, high) = (needed, grams.len() * 2 + 2);
        let mut seen = vec![0u64; self.keys.len().div_ceil(64)];
        let mut scored: Vec<(u32, u32)> = Vec::with_capacity(MAX_FUZZY_CANDIDATES);
        let mut examined = 0;
        'lists: for postings in &by_rarity[..grams.len() + 1 - needed] {
            for &k in *postings {
                let (word, bit) = ((k / 64) as usize, k % 64);
                if seen[word] & (1 << bit) != 0 {
                    continue;
                }
                seen[word] |= 1 << bit;
                let candidate = &self.sketches[k as usize];
                let n = usize::from(candidate.count);
                if n < low || n > high {
                    continue;
                }
                let shared = shared_bits(&query_signature, &candidate.signature);
                if shared as usize >= needed {
                    scored.push((k, shared));
                }
                // Rare trigrams are the discriminating ones: once enough keys
                // have been examined, the common lists add only noise.
                examined += 1;
                if examined >= MAX_FUZZY_CANDIDATES {
                    break 'lists;
                }
            }
        }
        scored.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(24);
        scored
            .into_iter()
            .map(|(k, _)| {
                let text = &self.keys[k as usize].text;
                let lev = similar::normalized_levenshtein(key, text);
                let jw = similar::jaro_winkler(key, text);
                (k, lev.max(jw - 0.1))
            })
            .collect()
    }

    /// Keys holding every known word of the query, through the postings of
    /// its rarest word (narrowed by the next rarest when that list is long).
    fn word_candidates(&self, query: &[QueryWord]) -> Vec<u32> {
        let mut lists: Vec<&[u32]> = query
            .iter()
            .filter_map(|w| w.stem)
            .map(|s| self.stem_keys[s as usize].as_slice())
            .collect();
        lists.sort_by_key(|l| l.len());
        let mut out: Vec<u32> = match lists.as_slice() {
            [] => Vec::new(),
            [only] => only.iter().copied().take(MAX_WORD_CANDIDATES).collect(),
            [rarest, next, ..] if rarest.len() > MAX_WORD_CANDIDATES => rarest
                .iter()
                .copied()
                .filter(|k| next.binary_search(k).is_ok())
                .take(MAX_WORD_CANDIDATES)
                .collect(),
            [rarest, ..] => rarest.to_vec(),
        };
        // The first keys holding each other word, to suggest from when no
        // key holds them all ("Mikhail Kirov": Kirov as well as the
        // Mikhails). Entries' keys come first in the postings.
        for list in lists.iter().skip(1) {
            out.extend(list.iter().take(MAX_WORD_CANDIDATES / 4));
        }
        out
    }

    /// Weighs one key as the answer to `query` (its meaningful words) and
    /// `folded` (the whole folded query).
    fn assess(
        &self,
        k: u32,
        query: &[QueryWord],
        folded: &str,
        cache: &mut TypoCache,
    ) -> Option<(MatchKind, f64, Evidence)> {
        let key = &self.keys[k as usize];
        // Key words already matched, as bits (a title has far fewer than 64
        // meaningful words; any beyond are not weighed).
        let n = key.words.len().min(64);
        let mut used = 0u64;
        let free = |used: u64, j: usize| used & (1 << j) == 0;
        // Whether the matched words sit one after another in the key, in
        // the query's order.
        let (mut previous, mut phrase) = (None::<usize>, true);
        let (mut matched, mut typos, mut cut_short) = (0usize, 0usize, None::<f64>);
        // Words matched by stem but written differently.
        let mut inflected = 0usize;
        let last = query.len().saturating_sub(1);
        for (i, q) in query.iter().enumerate() {
            let same = q
                .stem
                .and_then(|s| (0..n).find(|&j| free(used, j) && key.words[j].stem == s));
            // A word the pack knows is that word, not a typo of another
            // ("Nikolai" is not "Nikolaev" cut short), unless the item
            // knows it too, under another of its names ("Genrich Jagoda":
            // "Jagoda" is an alias of Genrikh Yagoda).
            let known = q.stem.is_some_and(|s| !self.sibling_has(key, s));
            if let Some(j) = same {
                if self.word_texts[key.words[j].text as usize] != q.text {
                    inflected += 1;
                }
            }
            let found = same.map(|j| (j, 0)).or_else(|| {
                if known {
                    return None;
                }
                (0..n)
                    .filter(|&j| free(used, j))
                    .filter_map(|j| {
                        let word = key.words[j];
                        let typos = cache.get(i, word, || {
                            let folded = shaped_typos(
                                q.text,
                                q.shape,
                                &self.word_texts[word.text as usize],
                                self.word_shapes[word.text as usize],
                            );
                            // The written forms differ from the folded ones
                            // only where the pack's spelling changed a letter.
                            let plain = if word.plain != word.text || q.plain != q.text {
                                shaped_typos(
                                    q.plain,
                                    q.plain_shape,
                                    &self.word_texts[word.plain as usize],
                                    self.word_shapes[word.plain as usize],
                                )
                            } else {
                                None
                            };
                            folded.into_iter().chain(plain).min()
                        });
                        typos.map(|d| (j, d))
                    })
                    .min_by_key(|&(_, d)| d)
            });
            let found = found.or_else(|| {
                // The last word may be cut short: someone still typing.
                if known || i != last || q.text.chars().count() < PREFIX_LETTERS {
                    return None;
                }
                (0..n).filter(|&j| free(used, j)).find_map(|j| {
                    let word = &self.word_texts[key.words[j].text as usize];
                    let share = q.text.len() as f64 / word.len() as f64;
                    (word.starts_with(q.text) && share >= PREFIX_SHARE).then(|| {
                        cut_short = Some(share);
                        (j, 0)
                    })
                })
            });
            if let Some((j, d)) = found {
                used |= 1 << j;
                phrase &= previous.is_none_or(|p| j == p + 1);
                previous = Some(j);
                matched += 1;
                typos += d;
            }
        }
        let covered = used.count_ones() as usize;
        let distinctive = key
            .distinctive
            .is_some_and(|d| usize::from(d) < n && !free(used, usize::from(d)));
        let evidence = Evidence {
            query_words: query.len().min(255) as u8,
            matched: matched.min(255) as u8,
            key_words: key.words.len().min(255) as u8,
            covered: covered.min(255) as u8,
            typos: typos.min(255) as u8,
            distinctive,
        };
        let all_query = matched == query.len();
        let all_key = covered == key.words.len();
        let coverage = covered as f64 / key.words.len().max(1) as f64;
        let typo_cost = 0.01 * typos as f64;
        let event = matches!(key.item, Item::Event(_));
        let judged = if all_query && all_key {
            match (typos, cut_short) {
                (0, None) if inflected == 0 => Some((MatchKind::Reworded, 0.99)),
                (0, None) => Some((MatchKind::Inflected, 0.96 - 0.005 * inflected as f64)),
                (_, Some(share)) => Some((MatchKind::Prefix, 0.83 + 0.03 * share - typo_cost)),
                (_, None) => Some((MatchKind::Misspelt, 0.96 - 0.02 * typos as f64)),
            }
        } else if all_query && key.kind == KeyKind::Title {
            // Titles are sentences: two words or more of one, as a phrase in
            // its order, name the event ("Shakhty trial", "Yezhov arrested");
            // one word ("Yegorov") or the words shuffled ("who replaced
            // Yezhov" against "Yezhov replaces Yagoda") only point at it.
            (matched >= 2 && phrase)
                .then_some((MatchKind::Partial, 0.60 + 0.1 * coverage - typo_cost))
        } else if all_query
            && distinctive
            && (covered * 2 >= key.words.len() || key.surname)
            && (!event || matched >= 2)
            // One word alone answers only as a surname or a number ("order
            // 447" is "447"); "Napoleon" is not the "Red Napoleon".
            && (matched >= 2 || key.surname || query.iter().all(|q| is_number(q.text)))
        {
            Some((MatchKind::Partial, 0.73 + 0.07 * coverage - typo_cost))
        } else {
            None
        };
        if let Some((kind, score)) = judged {
            return Some((kind, score, evidence));
        }
        // A slip across word boundaries ("kulakoperation"); within words
        // the word-by-word check above has already judged ("twenty two" is
        // not "twenty one").
        let words_differ = folded.split(' ').count() != key.text.split(' ').count();
        if let Some(d) = words_differ.then(|| key_typos(folded, &key.text)).flatten() {
            return Some((MatchKind::Misspelt, 0.94 - 0.02 * d as f64, evidence));
        }
        (matched > 0).then(|| {
            let share = matched as f64 / query.len().max(1) as f64;
            (
                MatchKind::Near,
                0.35 + 0.25 * share * coverage.sqrt(),
                evidence,
            )
        })
    }

    /// Entries whose name, definition or explanation hold the query's
    /// meaningful words, scored by the idf-weighted share of the query they
    /// cover (a word no entry uses counts fully against every entry).
    fn definition_search(&self, key: &str) -> Vec<(u32, f64)> {
        let words: Vec<&str> = key
            .split(' ')
            .filter(|w| w.len() > 1 && !STOP_WORDS.contains(w))
            .map(concept)
            .collect();
        if words.is_empty() {
            return Vec::new();
        }
        let n = self.entry_count as f64;
        let mut covered: HashMap<u32, f64> = HashMap::default();
        let mut total = 0.0;
        for word in &words {
            let postings = self.full_text.get(*word).map(Vec::as_slice).unwrap_or(&[]);
            let idf = ((n + 1.0) / (postings.len() as f64 + 0.5)).ln().max(0.05);
            total += idf;
            // A word found in thousands of entries barely discriminates and
            // would cost a pass over them: it counts against coverage only.
            if postings.len() > MAX_DESCRIBING_POSTINGS {
                continue;
            }
            for &(entry, weight) in postings {
                *covered.entry(entry).or_default() += idf * f64::from(weight);
            }
        }
        covered
            .into_iter()
            .map(|(entry, c)| (entry, c / total))
            .collect()
    }

    /// What autocomplete shows for an item, and the value that finds it.
    fn suggestion(&self, item: Item) -> Suggestion {
        match item {
            Item::Entry(e) => {
                let name = crate::markup::fit(&self.entry_names[e], MAX_SUGGESTION_LEN);
                Suggestion {
                    value: name.clone(),
                    name,
                }
            }
            Item::Event(e) => {
                let title = &self.event_titles[e];
                // A title cut to fit would no longer be found exactly: send
                // the event's id, which is.
                let value = if title.chars().count() <= MAX_SUGGESTION_LEN {
                    title.clone()
                } else {
                    self.event_ids[e].clone()
                };
                Suggestion {
                    name: crate::markup::fit(title, MAX_SUGGESTION_LEN),
                    value,
                }
            }
        }
    }
}

impl SearchIndex {
    pub fn build(content: &Content) -> Self {
        Self {
            packs: content
                .packs
                .iter()
                .map(|p| std::sync::Arc::new(PackIndex::build(p)))
                .collect(),
        }
    }

    /// An index of `content` that reuses `base`'s index of every pack that
    /// `base_content` also holds (the same `Arc`), and builds the rest.
    pub fn extend(base: &SearchIndex, base_content: &Content, content: &Content) -> Self {
        Self {
            packs: content
                .packs
                .iter()
                .map(|p| {
                    base_content
                        .packs
                        .iter()
                        .position(|b| std::sync::Arc::ptr_eq(b, p))
                        .and_then(|i| base.packs.get(i).cloned())
                        .unwrap_or_else(|| std::sync::Arc::new(PackIndex::build(p)))
                })
                .collect(),
        }
    }

    /// The entries and events `query` may mean, best first, one hit per
    /// item, and whether the first answers it (see the module comment).
    pub fn lookup(&self, query: &str) -> Lookup {
        let mut best: HashMap<ItemRef, Hit> = HashMap::default();
        fn offer(best: &mut HashMap<ItemRef, Hit>, hit: Hit) {
            let slot = best.entry(hit.item).or_insert_with(|| hit.clone());
            if hit.score > slot.score || (hit.score == slot.score && hit.kind < slot.kind) {
                *slot = hit;
            }
        }
        let mut definition_queries = Vec::new();
        // Normalized once; each pack folds it by its own spelling rules.
        let plain = normalized(query);
        for (p, index) in self.packs.iter().enumerate() {
            let key = key_of_normalized(&index.folder, &plain);
            if key.is_empty() {
                continue;
            }
            let at = |item: Item| ItemRef { pack: p, item };
            let meaningful = words_of_normalized(&index.folder, &plain);
            let reworded = meaningful
                .iter()
                .map(|w| w.folded.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            // An exact key answers at once: nothing can beat it. So does the
            // query without its stop words ("who was Yezhov").
            let exact = index
                .exact
                .get(&key)
                .map(|&k| (k, 1.0))
                .or_else(|| index.exact.get(&reworded).map(|&k| (k, 0.995)));
            if let Some((k, score)) = exact {
                let found = &index.keys[k as usize];
                let n = found.words.len().min(255) as u8;
                offer(
                    &mut best,
                    Hit {
                        item: at(found.item),
                        kind: if score == 1.0 {
                            found.kind.exact()
                        } else {
                            MatchKind::Reworded
                        },
                        score,
                        evidence: Evidence {
                            query_words: n,
                            matched: n,
                            key_words: n,
                            covered: n,
                            typos: 0,
                            distinctive: true,
                        },
                    },
                );
                continue;
            }
            let query_words: Vec<QueryWord> = meaningful
                .iter()
                .map(|w| QueryWord {
                    text: &w.folded,
                    plain: &w.plain,
                    stem: index.stem_ids.get(&w.stem).copied(),
                    shape: WordShape::of(&w.folded),
                    plain_shape: WordShape::of(&w.plain),
                })
                .collect();
            let mut candidates = index.word_candidates(&query_words);
            let fuzzy = index.fuzzy(&key);
            candidates.extend(fuzzy.iter().map(|(k, _)| *k));
            if let Some(last) = query_words.last() {
                if last.stem.is_none() && last.text.chars().count() >= PREFIX_LETTERS {
                    candidates.extend(index.word_prefixed(last.text).take(32));
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            let mut cache = TypoCache::new();
            for k in candidates {
                if let Some((kind, score, evidence)) =
                    index.assess(k, &query_words, &key, &mut cache)
                {
                    offer(
                        &mut best,
                        Hit {
                            item: at(index.keys[k as usize].item),
                            kind,
                            score,
                            evidence,
                        },
                    );
                }
            }
            // A similar spelling alone is only worth suggesting.
            for (k, similarity) in fuzzy {
                offer(
                    &mut best,
                    Hit {
                        item: at(index.keys[k as usize].item),
                        kind: MatchKind::Near,
                        score: similarity * 0.55,
                        evidence: Evidence::default(),
                    },
                );
            }
            definition_queries.push((p, key));
        }
        // Describing words are searched only when nothing names the query.
        if !best.values().any(|h| h.kind.may_answer()) {
            for (p, key) in definition_queries {
                for (entry, share) in self.packs[p].definition_search(&key) {
                    offer(
                        &mut best,
                        Hit {
                            item: ItemRef {
                                pack: p,
                                item: Item::Entry(entry as usize),
                            },
                            kind: MatchKind::Described,
                            score: 0.3 + 0.2 * share,
                            evidence: Evidence::default(),
                        },
                    );
                }
            }
        }
        let mut hits: Vec<Hit> = best.into_values().collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.kind.cmp(&b.kind))
                .then(a.item.cmp(&b.item))
        });
        let confident = hits.first().is_some_and(|first| {
            first.kind.may_answer()
                && (first.kind.is_exact()
                    || hits[1..].iter().all(|rival| {
                        !rival.kind.may_answer() || rival.score < first.score - AMBIGUITY_MARGIN
                    }))
        });
        Lookup { hits, confident }
    }

    /// Autocomplete for a partial term: at most 25 suggestions, best first,
    /// each at most 100 characters, entries and events alike. The value is
    /// what `/explain` then finds exactly (an entry's name; an event's title,
    /// or its id when the title is too long to send back whole).
    pub fn suggest(&self, partial: &str) -> Vec<Suggestion> {
        let mut out: Vec<Suggestion> = Vec::new();
        let mut seen: std::collections::HashSet<(usize, Item)> = std::collections::HashSet::new();
        let mut push = |p: usize, item: Item, index: &PackIndex, out: &mut Vec<Suggestion>| {
            if out.len() < MAX_SUGGESTIONS && seen.insert((p, item)) {
                out.push(index.suggestion(item));
            }
        };
        for (p, index) in self.packs.iter().enumerate() {
            let key = search_key(&index.folder, partial);
            if key.is_empty() {
                let mut order: Vec<u32> = (0..index.entry_names.len() as u32).collect();
                order.sort_by(|a, b| {
                    index.entry_names[*a as usize].cmp(&index.entry_names[*b as usize])
                });
                for e in order {
                    push(p, Item::Entry(e as usize), index, &mut out);
                }
                continue;
            }
            let mut prefixed: Vec<u32> = index.prefixed(&key).take(64).collect();
            prefixed.sort_by_key(|&k| (index.keys[k as usize].text.len(), k));
            for k in prefixed {
                push(p, index.keys[k as usize].item, index, &mut out);
            }
            let last_word = key.rsplit(' ').next().unwrap_or(&key);
            let mut by_word: Vec<u32> = index
                .word_prefixed(last_word)
                .take(64)
                .filter(|&k| {
                    index.keys[k as usize].text.contains(key.as_str()) || !key.contains(' ')
                })
                .collect();
            by_word.sort_by_key(|&k| {
                (
                    index.keys[k as usize].kind == KeyKind::Title,
                    index.keys[k as usize].text.len(),
                    k,
                )
            });
            for k in by_word {
                push(p, index.keys[k as usize].item, index, &mut out);
            }
            if out.len() < MAX_SUGGESTIONS && key.len() >= 3 {
                let mut fuzzy = index.fuzzy(&key);
                fuzzy.sort_by(|a, b| b.1.total_cmp(&a.1));
                for (k, score) in fuzzy {
                    if score >= 0.45 {
                        push(p, index.keys[k as usize].item, index, &mut out);
                    }
                }
            }
        }
        out
    }
}

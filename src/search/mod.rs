//! Finding the glossary entry a student means.
//!
//! Owns the search index over every pack's entry names, aliases and ids and
//! the words of their definitions. Keys are folded by [`crate::text`] (case,
//! accents, punctuation, the pack's spelling equivalences) and numbers lose
//! their leading zeros ("00447" meets "447"). Matching, best first:
//! exact key; key starting with the query (someone still typing); the query
//! as a phrase inside a key ("kulak operation"); typos, ranked with strsim
//! over candidates from a trigram index (no scan of every entry); and
//! finally tf-idf over definitions ("who replaced Yezhov").
//! Knows nothing of Discord, the store or how hits are shown.

use crate::content::Content;
use crate::text::SpellingFolder;
use std::collections::HashMap;

/// Which entry, by position in [`Content::packs`] and the pack's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryRef {
    pub pack: usize,
    pub entry: usize,
}

/// How a hit matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    Name,
    Alias,
    Id,
    Prefix,
    Phrase,
    Fuzzy,
    Definition,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub entry: EntryRef,
    pub kind: MatchKind,
    /// 1.0 for an exact match, lower for looser ones (0..1).
    pub score: f64,
}

/// A hit at least this good answers the question; below it the reply says
/// "not found" and offers the hits as suggestions.
pub const ANSWER_THRESHOLD: f64 = 0.72;
/// How much a describing word counts when it is only in an entry's
/// explanation rather than its one-line definition.
const EXPLANATION_WEIGHT: f32 = 0.6;
/// Describing words in more entries than this are not looked up.
const MAX_DESCRIBING_POSTINGS: usize = 2000;

/// Keys whose trigram overlap is counted, at most, per fuzzy query.
const MAX_FUZZY_CANDIDATES: usize = 600;

/// Hits below this are not worth suggesting.
pub const SUGGEST_THRESHOLD: f64 = 0.45;

/// One autocomplete suggestion: what to show, and the value to send back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suggestion {
    pub name: String,
    pub value: String,
}

/// Discord shows at most 25 autocomplete choices of at most 100 characters.
pub const MAX_SUGGESTIONS: usize = 25;
pub const MAX_SUGGESTION_LEN: usize = 100;

struct Key {
    text: String,
    entry: u32,
    kind: MatchKind,
    /// How many distinct trigrams the key has.
    gram_count: u16,
    /// The key's trigrams hashed into 256 bits: `popcount(a & b)` estimates
    /// the overlap of two keys in a few instructions.
    signature: Signature,
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
    /// Folded key -> index into `keys` (names win over aliases over ids).
    exact: HashMap<String, u32>,
    /// Keys sorted by text, for prefix search: indices into `keys`.
    sorted: Vec<u32>,
    /// (word, key) for every word of every key, sorted: word-prefix search.
    words: Vec<(String, u32)>,
    /// Trigram -> keys containing it.
    trigrams: HashMap<u64, Vec<u32>>,
    /// Describing word -> (entry, weight): 1.0 when the word is in the
    /// entry's one-line definition, less when only in its explanation.
    full_text: HashMap<String, Vec<(u32, f32)>>,
    entry_count: usize,
    /// Display name of each entry, for suggestions.
    names: Vec<String>,
}

pub struct SearchIndex {
    /// One index per pack, in the content's order; shared, so a server's
    /// own library reuses the bundled packs' indexes.
    packs: Vec<std::sync::Arc<PackIndex>>,
}

/// Words that carry no meaning in a definition search.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "did", "do", "does", "for", "from", "had",
    "has", "he", "her", "his", "how", "in", "is", "it", "its", "of", "on", "or", "she", "that",
    "the", "their", "them", "they", "this", "to", "was", "were", "what", "when", "where", "which",
    "who", "whom", "why", "with",
];

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

/// The search key of a text: folded, numbers without leading zeros.
fn search_key(folder: &SpellingFolder, text: &str) -> String {
    let folded = folder.key(text);
    folded
        .split(' ')
        .map(|w| {
            if w.len() > 1 && w.bytes().all(|b| b.is_ascii_digit()) {
                let t = w.trim_start_matches('0');
                if t.is_empty() {
                    "0"
                } else {
                    t
                }
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `phrase` occurs in `text` as whole words.
fn contains_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        before.is_none_or(|c| c == ' ') && after.is_none_or(|c| c == ' ')
    })
}

fn trigrams(key: &str) -> Vec<u64> {
    let padded: Vec<char> = format!("  {key} ").chars().collect();
    let mut out: Vec<u64> = padded
        .windows(3)
        .map(|w| (u64::from(w[0]) << 42) | (u64::from(w[1]) << 21) | u64::from(w[2]))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl PackIndex {
    fn build(pack: &crate::content::Pack) -> Self {
        let folder = pack.spelling.clone();
        let mut index = PackIndex {
            folder: folder.clone(),
            entry_count: pack.entries.len(),
            names: pack.entries.iter().map(|e| e.name.clone()).collect(),
            ..Default::default()
        };
        for (i, entry) in pack.entries.iter().enumerate() {
            let i = i as u32;
            let add = |text: &str, kind: MatchKind, index: &mut PackIndex| {
                let key = search_key(&folder, text);
                if key.is_empty() {
                    return;
                }
                let k = index.keys.len() as u32;
                match index.exact.get(&key).map(|&e| index.keys[e as usize].kind) {
                    Some(existing) if existing <= kind => {}
                    _ => {
                        index.exact.insert(key.clone(), k);
                    }
                }
                let grams = trigrams(&key);
                for &t in &grams {
                    index.trigrams.entry(t).or_default().push(k);
                }
                index.keys.push(Key {
                    text: key,
                    entry: i,
                    kind,
                    gram_count: grams.len().min(u16::MAX as usize) as u16,
                    signature: signature(&grams),
                });
            };
            add(&entry.name, MatchKind::Name, &mut index);
            for alias in &entry.aliases {
                add(alias, MatchKind::Alias, &mut index);
            }
            add(&entry.id, MatchKind::Id, &mut index);

            // Someone who describes an entry does not name it, so an entry's
            // own name words are left out of its definition postings: "who
            // replaced Yezhov" must find Beria, not Yezhov.
            let own: std::collections::HashSet<String> = std::iter::once(&entry.name)
                .chain(&entry.aliases)
                .flat_map(|n| {
                    search_key(&folder, n)
                        .split(' ')
                        .map(String::from)
                        .collect::<Vec<_>>()
                })
                .collect();
            let mut weights: HashMap<String, f32> = HashMap::new();
            for (text, weight) in [
                (&entry.explanation, EXPLANATION_WEIGHT),
                (&entry.definition, 1.0),
            ] {
                for word in search_key(&folder, text).split(' ') {
                    if word.len() > 1 && !STOP_WORDS.contains(&word) && !own.contains(word) {
                        let w = weights.entry(concept(word).to_string()).or_default();
                        *w = w.max(weight);
                    }
                }
            }
            for (word, weight) in weights {
                index.full_text.entry(word).or_default().push((i, weight));
            }
        }
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
                let candidate = &self.keys[k as usize];
                let n = usize::from(candidate.gram_count);
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
                let lev = strsim::normalized_levenshtein(key, text);
                let jw = strsim::jaro_winkler(key, text);
                (k, lev.max(jw - 0.1))
            })
            .collect()
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
        let mut covered: HashMap<u32, f64> = HashMap::new();
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
            .map(|(entry, c)| (entry, 0.45 + 0.3 * (c / total)))
            .collect()
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

    /// The entries that `query` may mean, best first, one hit per entry.
    pub fn lookup(&self, query: &str) -> Vec<Hit> {
        let mut best: HashMap<EntryRef, Hit> = HashMap::new();
        fn offer(best: &mut HashMap<EntryRef, Hit>, hit: Hit) {
            let slot = best.entry(hit.entry).or_insert_with(|| hit.clone());
            if hit.score > slot.score || (hit.score == slot.score && hit.kind < slot.kind) {
                *slot = hit;
            }
        }
        let mut definition_queries = Vec::new();
        for (p, index) in self.packs.iter().enumerate() {
            let key = search_key(&index.folder, query);
            if key.is_empty() {
                continue;
            }
            let at = |entry: u32| EntryRef {
                pack: p,
                entry: entry as usize,
            };
            if let Some(&k) = index.exact.get(&key) {
                // An exact name, alias or id answers at once: nothing can beat it.
                let found = &index.keys[k as usize];
                offer(
                    &mut best,
                    Hit {
                        entry: at(found.entry),
                        kind: found.kind,
                        score: 1.0,
                    },
                );
                continue;
            }
            for k in index.prefixed(&key).take(16) {
                let found = &index.keys[k as usize];
                // Longer completions of a short prefix are weaker guesses.
                let ratio = key.len() as f64 / found.text.len() as f64;
                offer(
                    &mut best,
                    Hit {
                        entry: at(found.entry),
                        kind: MatchKind::Prefix,
                        score: 0.7 + 0.2 * ratio,
                    },
                );
            }
            if key.len() >= 3 {
                let first_word = key.split(' ').next().unwrap_or(&key);
                for k in index.word_prefixed(first_word).take(200) {
                    let found = &index.keys[k as usize];
                    if contains_phrase(&found.text, &key) {
                        let ratio = key.len() as f64 / found.text.len() as f64;
                        offer(
                            &mut best,
                            Hit {
                                entry: at(found.entry),
                                kind: MatchKind::Phrase,
                                score: 0.72 + 0.18 * ratio,
                            },
                        );
                    }
                }
            }
            for (k, similarity) in index.fuzzy(&key) {
                let found = &index.keys[k as usize];
                offer(
                    &mut best,
                    Hit {
                        entry: at(found.entry),
                        kind: MatchKind::Fuzzy,
                        score: similarity * 0.97,
                    },
                );
            }
            definition_queries.push((p, key));
        }
        // Describing words are searched only when no name came close enough.
        if best.values().all(|h| h.score < ANSWER_THRESHOLD) {
            for (p, key) in definition_queries {
                for (entry, score) in self.packs[p].definition_search(&key) {
                    offer(
                        &mut best,
                        Hit {
                            entry: EntryRef {
                                pack: p,
                                entry: entry as usize,
                            },
                            kind: MatchKind::Definition,
                            score: score.min(0.8),
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
                .then(a.entry.cmp(&b.entry))
        });
        hits
    }

    /// Autocomplete for a partial term: at most 25 suggestions, best first,
    /// each at most 100 characters. The value is the entry's name, which
    /// `/explain` then finds exactly.
    pub fn suggest(&self, partial: &str) -> Vec<Suggestion> {
        let mut out: Vec<Suggestion> = Vec::new();
        let mut seen: std::collections::HashSet<(usize, u32)> = std::collections::HashSet::new();
        let mut push = |p: usize, entry: u32, index: &PackIndex, out: &mut Vec<Suggestion>| {
            if out.len() < MAX_SUGGESTIONS && seen.insert((p, entry)) {
                let name = crate::markup::fit(&index.names[entry as usize], MAX_SUGGESTION_LEN);
                out.push(Suggestion {
                    value: name.clone(),
                    name,
                });
            }
        };
        for (p, index) in self.packs.iter().enumerate() {
            let key = search_key(&index.folder, partial);
            if key.is_empty() {
                let mut order: Vec<u32> = (0..index.names.len() as u32).collect();
                order.sort_by(|a, b| index.names[*a as usize].cmp(&index.names[*b as usize]));
                for e in order {
                    push(p, e, index, &mut out);
                }
                continue;
            }
            let mut prefixed: Vec<u32> = index.prefixed(&key).take(64).collect();
            prefixed.sort_by_key(|&k| (index.keys[k as usize].text.len(), k));
            for k in prefixed {
                push(p, index.keys[k as usize].entry, index, &mut out);
            }
            let last_word = key.rsplit(' ').next().unwrap_or(&key);
            for k in index.word_prefixed(last_word).take(64) {
                if index.keys[k as usize].text.contains(key.as_str()) || !key.contains(' ') {
                    push(p, index.keys[k as usize].entry, index, &mut out);
                }
            }
            if out.len() < MAX_SUGGESTIONS && key.len() >= 3 {
                let mut fuzzy = index.fuzzy(&key);
                fuzzy.sort_by(|a, b| b.1.total_cmp(&a.1));
                for (k, score) in fuzzy {
                    if score >= SUGGEST_THRESHOLD {
                        push(p, index.keys[k as usize].entry, index, &mut out);
                    }
                }
            }
        }
        out
    }
}

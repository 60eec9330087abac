//! Finding the glossary entry a student means.
//!
//! Owns the search index over every pack's entry names, aliases and ids,
//! keyed by the folded form from [`crate::text`] (case, accents, punctuation
//! and the pack's spelling equivalences). Returns ranked hits; what to show
//! for them is the handlers' business. Knows nothing of Discord or the store.

use crate::content::Content;
use crate::text::SpellingFolder;
use std::collections::HashMap;

/// Which entry, by position in [`Content::packs`] and the pack's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub entry: EntryRef,
    pub kind: MatchKind,
    /// 1.0 for an exact match; lower for looser ones.
    pub score: f64,
}

struct PackIndex {
    folder: SpellingFolder,
    /// Folded key -> (entry, how it matches). Validation guarantees that a
    /// name or alias key belongs to one entry only.
    exact: HashMap<String, (usize, MatchKind)>,
}

pub struct SearchIndex {
    packs: Vec<PackIndex>,
}

impl SearchIndex {
    pub fn build(content: &Content) -> Self {
        let packs = content
            .packs
            .iter()
            .map(|pack| {
                let folder = pack.spelling.clone();
                let mut exact = HashMap::new();
                for (i, entry) in pack.entries.iter().enumerate() {
                    // Ids first so that a name or alias wins over an id.
                    exact
                        .entry(folder.key(&entry.id))
                        .or_insert((i, MatchKind::Id));
                    for alias in &entry.aliases {
                        exact.insert(folder.key(alias), (i, MatchKind::Alias));
                    }
                    exact.insert(folder.key(&entry.name), (i, MatchKind::Name));
                }
                PackIndex { folder, exact }
            })
            .collect();
        Self { packs }
    }

    /// The entries that `query` names, best first.
    pub fn lookup(&self, query: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        for (p, index) in self.packs.iter().enumerate() {
            let key = index.folder.key(query);
            if key.is_empty() {
                continue;
            }
            if let Some(&(entry, kind)) = index.exact.get(&key) {
                hits.push(Hit {
                    entry: EntryRef { pack: p, entry },
                    kind,
                    score: 1.0,
                });
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.kind.cmp(&b.kind)));
        hits
    }
}

//! The one normaliser for text that people type: search queries, aliases and
//! free-text answers all pass through here, so "Yezhovshchina", "ezhovschina"
//! and "YEZHOVSHCHINA!" meet.
//!
//! General rules (case, accents, punctuation, spacing, a leading article) live
//! in code; rules that belong to one topic's language (Russian
//! transliteration: yezh/ezh, shch/sch) come from the pack as a
//! [`SpellingFolder`]. Knows nothing of packs, search indexes or Discord.

use unicode_normalization::UnicodeNormalization;

/// Lower-cases, strips accents, turns punctuation into spaces, collapses
/// spaces and drops a leading English article ("the", "a", "an").
/// Digits are kept; apostrophes vanish rather than split a word ("Year of '37"
/// -> "year of 37", "O'Brien" -> "obrien").
pub fn normalize(input: &str) -> String {
    // ASCII text has nothing to decompose: skip NFD, the costly part.
    if input.is_ascii() {
        return normalize_chars(input.chars());
    }
    normalize_chars(input.nfd())
}

fn normalize_chars(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    let mut pending_space = false;
    for c in chars {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`') {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    for article in ["the ", "a ", "an "] {
        if let Some(rest) = out.strip_prefix(article) {
            if !rest.is_empty() {
                return rest.to_string();
            }
        }
    }
    out
}

/// Folds a pack's spelling variants to one canonical spelling.
///
/// Each group lists variants of the same sounds; the first is canonical. At
/// every position the longest variant of any group that matches is replaced,
/// so "ezhov" and "yezhov" both become "yezhov" (and "yezh" is never folded
/// twice). Applied after [`normalize`].
#[derive(Debug, Clone, Default)]
pub struct SpellingFolder {
    /// (variant, canonical), longest variant first.
    rules: Vec<(String, String)>,
    /// For each first byte, the indices of the rules starting with it, so
    /// folding tries only the rules that can match at a position.
    by_first_byte: Vec<Vec<u16>>,
}

impl SpellingFolder {
    pub fn new(groups: &[Vec<String>]) -> Self {
        let mut rules = Vec::new();
        for group in groups {
            if let Some(canonical) = group.first() {
                let canonical = normalize(canonical);
                for variant in group {
                    let variant = normalize(variant);
                    if !variant.is_empty() {
                        rules.push((variant, canonical.clone()));
                    }
                }
            }
        }
        // Longest first; ties keep their order in the pack (first group wins).
        rules.sort_by_key(|rule| std::cmp::Reverse(rule.0.len()));
        let mut by_first_byte = vec![Vec::new(); 256];
        for (i, (variant, _)) in rules.iter().enumerate() {
            by_first_byte[usize::from(variant.as_bytes()[0])].push(i as u16);
        }
        Self {
            rules,
            by_first_byte,
        }
    }

    pub fn fold(&self, normalized: &str) -> String {
        if self.rules.is_empty() {
            return normalized.to_string();
        }
        let mut out = String::with_capacity(normalized.len() + 4);
        let mut rest = normalized;
        'outer: while !rest.is_empty() {
            for &i in &self.by_first_byte[usize::from(rest.as_bytes()[0])] {
                let (variant, canonical) = &self.rules[usize::from(i)];
                if rest.starts_with(variant.as_str()) {
                    out.push_str(canonical);
                    rest = &rest[variant.len()..];
                    continue 'outer;
                }
            }
            let c = rest.chars().next().expect("rest is not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }

    /// [`normalize`] then [`SpellingFolder::fold`]: the search key of a text.
    pub fn key(&self, text: &str) -> String {
        self.fold(&normalize(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_case_accents_punctuation_and_articles() {
        assert_eq!(normalize("  The  Kulak-Operation! "), "kulak operation");
        assert_eq!(normalize("Ézhov"), "ezhov");
        assert_eq!(normalize("Order No. 00447"), "order no 00447");
        assert_eq!(normalize("Year of '37"), "year of 37");
        assert_eq!(normalize("the"), "the");
        assert_eq!(normalize("a"), "a");
        assert_eq!(normalize("...?"), "");
    }

    #[test]
    fn spelling_groups_fold_longest_variant_first() {
        let folder = SpellingFolder::new(&[
            vec!["yezh".into(), "ezh".into()],
            vec!["shch".into(), "sch".into()],
            vec!["y".into(), "i".into()],
        ]);
        let a = folder.key("Yezhovshchina");
        assert_eq!(a, folder.key("Ezhovschina"));
        assert_eq!(a, folder.key("yezhovschina"));
        assert_eq!(folder.key("Yezhov"), folder.key("Ezhov"));
        assert_ne!(folder.key("Yezhov"), folder.key("Yagoda"));
    }
}

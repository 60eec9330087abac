//! The words of a folded search key, and when two words are the same word.
//!
//! Owns the word-level rules the lookup decides on: which words carry
//! meaning (stop words such as "the" and "who" do not), the stem two forms
//! of a word share ("deported", "deportation", "Koreans", "Kirov's"), and how
//! many typos a word of a given length may have and still be that word.
//! Digits are facts, never typos: "00448" is not a misspelling of "00447".
//! Knows nothing of packs, indexes or Discord; keys arrive already folded by
//! [`crate::text`].

/// Words that carry no meaning in a name or a description. A query or key
/// made only of them keeps them (an entry may be called "Who").
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "did", "do", "does", "for", "from", "had",
    "has", "he", "her", "his", "how", "in", "is", "it", "its", "of", "on", "or", "she", "that",
    "the", "their", "them", "they", "this", "to", "was", "were", "what", "when", "where", "which",
    "who", "whom", "why", "with",
];

/// The words of a folded key that carry meaning, in order.
pub fn content_words(key: &str) -> Vec<&str> {
    let all: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    let meaningful: Vec<&str> = all
        .iter()
        .copied()
        .filter(|w| !STOP_WORDS.contains(w))
        .collect();
    if meaningful.is_empty() {
        all
    } else {
        meaningful
    }
}

/// English endings that make another form of the same word. Checked in
/// order; the first that leaves at least four letters is removed. Not
/// "-ation": "assassination" is not "assassin", nor "organisation" "organ".
const ENDINGS: &[&str] = &["ings", "ing", "ed", "s"];

/// The stem a word shares with its other forms: "deported", "deporting" and
/// "deport" all become "deport"; "purges", "purged" and "purge" become
/// "purg"; "kirovs" (from "Kirov's") becomes "kirov". Deliberately crude: it
/// only has to make two forms of one word meet, never to be a real root,
/// and it leaves short words and words with digits alone.
pub fn stem(word: &str) -> &str {
    if word.bytes().any(|b| b.is_ascii_digit()) {
        return word;
    }
    let long_enough = |rest: &str| rest.chars().count() >= 4;
    let mut stem = word;
    for ending in ENDINGS {
        if let Some(rest) = stem.strip_suffix(ending) {
            // "congress" is not the plural of "congres".
            if long_enough(rest) && !(*ending == "s" && rest.ends_with('s')) {
                stem = rest;
                break;
            }
        }
    }
    match stem.strip_suffix('e') {
        Some(rest) if long_enough(rest) => rest,
        _ => stem,
    }
}

/// How many typos a word may have and still be the word it looks like,
/// by the length of the longer of the two (a dropped letter makes the typed
/// word shorter): none up to four letters ("Kun" is not "Kim"), one up to
/// seven ("Morozov" is not "Molotov", two apart), two up to eleven, three
/// beyond.
pub fn typo_budget(letters: usize) -> usize {
    match letters {
        0..=4 => 0,
        5..=7 => 1,
        8..=11 => 2,
        _ => 3,
    }
}

/// The typos (edits, a swapped pair counting as one) that turn `typed` into
/// `word`, if within the budget; `None` for words with digits, which match
/// only exactly.
pub fn word_typos(typed: &str, word: &str) -> Option<usize> {
    if typed.bytes().any(|b| b.is_ascii_digit()) || word.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    within_budget(typed, word)
}

/// As [`word_typos`], for whole keys of several words: the digits of the two
/// must be the same numbers, in order, and only letters may differ
/// ("kulakoperation" is "kulak operation"; "order 448" is not "order 447").
pub fn key_typos(typed: &str, key: &str) -> Option<usize> {
    // Compared as iterators: the lookup asks this of many keys, and most
    // differ at once in length or letters, so nothing is collected.
    fn numbers(s: &str) -> impl Iterator<Item = &str> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
    }
    if !numbers(typed).eq(numbers(key)) {
        return None;
    }
    within_budget(typed, key)
}

/// What [`shaped_typos`] needs to know of a word before comparing it
/// letter by letter, worked out once per word: the index keeps one for each
/// of its words, a lookup one for each query word. Most word pairs a lookup
/// weighs are rejected on these alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordShape {
    /// Letters (chars), capped at 255.
    chars: u8,
    has_digit: bool,
    ascii: bool,
    /// Which letters occur, each char hashed to one of 64 bits.
    letters: u64,
}

impl WordShape {
    pub fn of(word: &str) -> Self {
        let mut shape = WordShape {
            chars: 0,
            has_digit: false,
            ascii: word.is_ascii(),
            letters: 0,
        };
        let mut chars = 0usize;
        for c in word.chars() {
            chars += 1;
            shape.has_digit |= c.is_ascii_digit();
            shape.letters |= 1 << (u32::from(c) % 64);
        }
        shape.chars = chars.min(255) as u8;
        shape
    }
}

/// [`word_typos`] for two words whose shapes are known: the same answer,
/// sooner. Before the edit distance, two bounds: the difference in length,
/// and the letters of one word that the other lacks. Every edit (insert,
/// delete, substitute; a swap moves none) removes at most one letter of
/// `typed` that `word` lacks and adds at most one that `word` needs, so
/// each word's count of letters missing from the other is at most the
/// distance; distinct bits of `letters` are distinct such letters, so a
/// popcount over the budget means the distance is over it too.
pub fn shaped_typos(typed: &str, a: WordShape, word: &str, b: WordShape) -> Option<usize> {
    if a.has_digit || b.has_digit {
        return None;
    }
    // Past 255 letters the counts are capped: leave such words to the
    // general path.
    if a.chars == u8::MAX || b.chars == u8::MAX {
        return within_budget(typed, word);
    }
    let (la, lb) = (usize::from(a.chars), usize::from(b.chars));
    let budget = typo_budget(la.max(lb));
    if budget == 0 || la.abs_diff(lb) > budget {
        return None;
    }
    let missing = (a.letters & !b.letters)
        .count_ones()
        .max((b.letters & !a.letters).count_ones());
    if missing as usize > budget {
        return None;
    }
    let short_ascii = a.ascii && b.ascii && la < 32 && lb < 32;
    distance_within(typed, word, short_ascii, budget)
}

fn within_budget(typed: &str, word: &str) -> Option<usize> {
    let (a, b) = (typed.chars().count(), word.chars().count());
    let budget = typo_budget(a.max(b));
    if budget == 0 || a.abs_diff(b) > budget {
        return None;
    }
    let short_ascii = typed.is_ascii() && word.is_ascii() && a < 32 && b < 32;
    distance_within(typed, word, short_ascii, budget)
}

/// The distance of two words, if within `budget`; on the stack when both
/// are ASCII and under 32 letters.
fn distance_within(typed: &str, word: &str, short_ascii: bool, budget: usize) -> Option<usize> {
    let distance = if short_ascii {
        osa_ascii(typed.as_bytes(), word.as_bytes())
    } else {
        strsim::osa_distance(typed, word)
    };
    (distance <= budget).then_some(distance)
}

/// Optimal string alignment distance (edits, a swapped neighbour pair
/// counting as one) of two short ASCII words, on the stack: the lookup
/// weighs a few hundred word pairs per query, and allocating rows for each
/// was most of its time. Same result as `strsim::osa_distance`.
fn osa_ascii(a: &[u8], b: &[u8]) -> usize {
    let mut before = [0usize; 33];
    let mut previous: [usize; 33] = std::array::from_fn(|j| j);
    let mut current = [0usize; 33];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        before = previous;
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_a_word_share_a_stem() {
        for (a, b) in [
            ("deport", "deported"),
            ("deportations", "deportation"),
            ("koreans", "korean"),
            ("purges", "purge"),
            ("purged", "purge"),
            ("executes", "executed"),
            ("kirovs", "kirov"),
            ("trials", "trial"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_eq!(stem("congress"), "congress");
        assert_eq!(stem("oso"), "oso");
        assert_eq!(stem("00447"), "00447");
        assert_ne!(stem("trotsky"), stem("trotskyism"));
        assert_ne!(stem("assassination"), stem("assassin"));
    }

    #[test]
    fn typos_are_letters_within_a_budget_by_length() {
        assert_eq!(word_typos("yezov", "yezhov"), Some(1));
        assert_eq!(
            word_typos("troiak", "troika"),
            Some(1),
            "a swapped pair is one typo"
        );
        assert_eq!(word_typos("morozov", "molotov"), None);
        assert_eq!(word_typos("zhukov", "pyatakov"), None);
        assert_eq!(
            word_typos("oso", "osa"),
            None,
            "short words match only exactly"
        );
        assert_eq!(word_typos("448", "447"), None);
        assert_eq!(word_typos("kaer", "kaber"), Some(1), "a dropped letter");
        assert_eq!(key_typos("kulakoperation", "kulak operation"), Some(1));
        assert_eq!(key_typos("order 448", "order 447"), None);
        assert_eq!(key_typos("special board", "special troika"), None);
    }

    #[test]
    fn stack_distance_agrees_with_strsim() {
        let words = [
            "",
            "a",
            "yezov",
            "yezhov",
            "troiak",
            "troika",
            "ca",
            "abc",
            "kaer",
            "kaber",
            "tukhachevskiy",
            "tukachevsky",
            "morozov",
            "molotov",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    osa_ascii(a.as_bytes(), b.as_bytes()),
                    strsim::osa_distance(a, b),
                    "{a} / {b}"
                );
            }
        }
    }

    #[test]
    fn shaped_typos_agree_with_word_typos() {
        let long = "a".repeat(300);
        let words = [
            "",
            "a",
            "yezov",
            "yezhov",
            "ezhov",
            "troiak",
            "troika",
            "kaer",
            "kaber",
            "kabre",
            "tukhachevskiy",
            "tukachevsky",
            "tukhachevskii",
            "morozov",
            "molotov",
            "ежов",
            "ежовщина",
            "ezhovshchina",
            "447",
            "00447",
            "order447",
            "aaaaab",
            "aaaabb",
            "abcdefghijklmnopqrstuvwxyzabcdefgh",
            "abcdefghijklmnopqrstuvwxyzabcdefhg",
            long.as_str(),
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    shaped_typos(a, WordShape::of(a), b, WordShape::of(b)),
                    word_typos(a, b),
                    "{a} / {b}"
                );
            }
        }
    }

    #[test]
    fn stop_words_drop_unless_nothing_else_is_left() {
        assert_eq!(content_words("who was yezhov"), ["yezhov"]);
        assert_eq!(content_words("trial of the sixteen"), ["trial", "sixteen"]);
        assert_eq!(content_words("who"), ["who"]);
    }
}

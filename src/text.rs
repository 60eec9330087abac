//! The one normaliser for text that people type: search queries, aliases and
//! free-text answers all pass through here, so "Yezhovshchina", "ezhovschina",
//! "Ežovščina", "ежовщина" and "YEZHOVSHCHINA!" meet.
//!
//! # Contract of [`normalize`]
//! The output is lower-case letters and digits in words separated by single
//! spaces, with no leading or trailing space; every letter is ASCII unless
//! the input has letters of a script this module does not transliterate
//! (Greek, Chinese...), which are kept lower-cased. On the way:
//! - case, accents and punctuation go; apostrophes and the soft/hard-sign
//!   primes of scholarly transliteration vanish without splitting a word;
//! - a leading English article ("the", "a", "an") is dropped;
//! - digits are kept as typed (leading zeros too: whether "00447" is "447"
//!   is the caller's rule);
//! - scholarly and other transliteration marks fold to the letters English
//!   spelling uses: č ch, š sh, ž zh, ş/ș sh, ţ/ț ts, ë e, ł l, ø o, æ ae,
//!   œ oe, ß ss, þ th (so "Ežov" is "ezhov", "Chruščëv" is "chrushchev");
//! - Cyrillic is transliterated as English writes Russian names (a simplified
//!   BGN/PCGN: "Ежов" is "yezhov", "тройка" "troyka", "Дзержинский"
//!   "dzerzhinsky", "ежовщина" "yezhovshchina"); what is left between
//!   spellings ("troyka"/"troika", "yezh"/"ezh") is the pack's to fold.
//!
//! ASCII input takes a fast path that never decomposes or transliterates;
//! the output of [`normalize`] is ASCII-stable: normalising it again changes
//! nothing but a second leading article.
//!
//! General rules (case, accents, punctuation, spacing, a leading article,
//! scripts) live in code; rules that belong to one topic's language (Russian
//! transliteration: yezh/ezh, shch/sch) come from the pack as a
//! [`SpellingFolder`]. Knows nothing of packs, search indexes or Discord.

use unicode_normalization::UnicodeNormalization;

/// Lower-cases, strips accents, turns punctuation into spaces, collapses
/// spaces and drops a leading English article ("the", "a", "an"); folds
/// transliteration marks and transliterates Cyrillic (see the module's
/// contract). Digits are kept; apostrophes vanish rather than split a word
/// ("Year of '37" -> "year of 37", "O'Brien" -> "obrien").
pub fn normalize(input: &str) -> String {
    // ASCII text has nothing to decompose or transliterate: skip NFD, the
    // costly part.
    if input.is_ascii() {
        return normalize_chars(input.chars());
    }
    if input.chars().any(is_cyrillic) {
        return normalize_chars(transliterate_cyrillic(input).nfd());
    }
    normalize_chars(input.nfd())
}

fn normalize_chars(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    let mut pending_space = false;
    for c in chars {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c.to_ascii_lowercase());
            } else if !matches!(c, '\'' | '`') {
                pending_space = true;
            }
            continue;
        }
        if unicode_normalization::char::is_combining_mark(c) {
            // After NFD, "č" is "c" and a caron: the mark says which
            // English letters the base stands for.
            let base = if pending_space {
                None
            } else {
                out.as_bytes().last().copied()
            };
            if let Some(extra) = english_for_mark(base, c) {
                out.push(extra);
            }
            continue;
        }
        if is_silent(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            match english_for_letter(c) {
                Some(latin) => out.push_str(latin),
                None => out.extend(c.to_lowercase()),
            }
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

/// Marks that vanish inside a word: apostrophes, and the primes scholarly
/// transliteration writes for the soft and hard signs ("Zinov\u{2032}ev").
fn is_silent(c: char) -> bool {
    matches!(
        c,
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02B9}' | '\u{02BA}' | '\u{2032}' | '\u{2033}'
    )
}

/// The letter a combining mark adds after `base` in English spelling:
/// č š ž (caron) and ş ș (cedilla, comma) add "h"; ţ ț add "s".
fn english_for_mark(base: Option<u8>, mark: char) -> Option<char> {
    match (base?, mark) {
        (b'c' | b's' | b'z', '\u{030C}') => Some('h'),
        (b's', '\u{0327}' | '\u{0326}') => Some('h'),
        (b't', '\u{0327}' | '\u{0326}') => Some('s'),
        _ => None,
    }
}

/// Latin letters that do not decompose into a base and a mark.
fn english_for_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'ẞ' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ø' | 'Ø' => "o",
        'ł' | 'Ł' => "l",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'þ' | 'Þ' => "th",
        'ı' => "i",
        'ħ' | 'Ħ' => "h",
        _ => return None,
    })
}

/// Whether `c` is a Cyrillic letter (or mark) [`transliterate_cyrillic`] reads.
pub fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

/// Cyrillic written as English writes Russian (and Ukrainian) names: a
/// simplified BGN/PCGN. "е" is "ye" at the start of a word and after a vowel
/// or a sign ("Ежов" -> "Yezhov"), "e" elsewhere; "ё" is "e" after ж ч ш щ
/// ("Хрущёв" -> "Khrushchev") and "yo" elsewhere ("Пётр" -> "Pyotr"); a
/// word-final "ий"/"ый" is "y" ("Троцкий" -> "Trotsky") and "ия" "ia"
/// ("Берия" -> "Beria"); the soft and hard signs vanish. An upper-case
/// letter starts its Latin with a capital; everything that is not Cyrillic
/// is kept as it is.
pub fn transliterate_cyrillic(input: &str) -> String {
    let chars: Vec<char> = input.nfc().collect();
    let mut out = String::with_capacity(input.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !is_cyrillic(c) {
            out.push(c);
            i += 1;
            continue;
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        let upper = lower != c;
        let prev = i
            .checked_sub(1)
            .map(|p| chars[p].to_lowercase().next().unwrap_or(chars[p]));
        let next = chars
            .get(i + 1)
            .map(|n| n.to_lowercase().next().unwrap_or(*n));
        let word_ends_after = |k: usize| chars.get(k).is_none_or(|n| !n.is_alphabetic());
        let mut consumed = 1;
        let latin: &str = match lower {
            // A word-final "ий"/"ый" is "y" as English writes it.
            'и' | 'ы' if next == Some('й') && word_ends_after(i + 2) => {
                consumed = 2;
                "y"
            }
            'и' if next == Some('я')
                && word_ends_after(i + 2)
                && prev.is_some_and(is_russian_consonant) =>
            {
                consumed = 2;
                "ia"
            }
            'е' if prev.is_none_or(|p| !is_russian_consonant(p)) => "ye",
            'ё' if prev.is_some_and(|p| matches!(p, 'ж' | 'ч' | 'ш' | 'щ')) => "e",
            other => cyrillic_letter(other),
        };
        if upper {
            let mut letters = latin.chars();
            if let Some(first) = letters.next() {
                out.extend(first.to_uppercase());
                out.push_str(letters.as_str());
            }
        } else {
            out.push_str(latin);
        }
        i += consumed;
    }
    out
}

fn is_russian_consonant(c: char) -> bool {
    matches!(
        c,
        'б' | 'в'
            | 'г'
            | 'ґ'
            | 'д'
            | 'ж'
            | 'з'
            | 'й'
            | 'к'
            | 'л'
            | 'м'
            | 'н'
            | 'п'
            | 'р'
            | 'с'
            | 'т'
            | 'ф'
            | 'х'
            | 'ц'
            | 'ч'
            | 'ш'
            | 'щ'
    )
}

/// One lower-case Cyrillic letter in Latin, out of context.
fn cyrillic_letter(c: char) -> &'static str {
    match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'е' => "e",
        'є' => "ye",
        'ё' => "yo",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ў' => "w",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        'ђ' => "dj",
        'ј' => "j",
        'љ' => "lj",
        'њ' => "nj",
        'ћ' => "c",
        'џ' => "dz",
        'ѓ' => "gj",
        'ќ' => "kj",
        'ѕ' => "dz",
        // Cyrillic combining marks and rare letters: nothing English writes.
        _ => "",
    }
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
    fn transliteration_marks_fold_to_english_spelling() {
        assert_eq!(normalize("Ežov"), "ezhov");
        assert_eq!(normalize("EŽOV"), "ezhov");
        assert_eq!(normalize("Chruščëv"), "chrushchev");
        assert_eq!(normalize("Ežovščina"), "ezhovshchina");
        assert_eq!(normalize("Timișoara"), "timishoara");
        assert_eq!(normalize("Timişoara"), "timishoara");
        assert_eq!(normalize("Ţara"), "tsara");
        assert_eq!(normalize("Łódź"), "lodz");
        assert_eq!(normalize("Straße"), "strasse");
        assert_eq!(normalize("Zinov\u{2032}ev"), "zinovev");
        assert_eq!(normalize("Zinovʹev"), "zinovev");
        assert_eq!(
            normalize("François"),
            "francois",
            "ç is c, as English writes French"
        );
        // Decomposed input (a caron typed as its own mark) folds the same.
        assert_eq!(normalize("Ez\u{030C}ov"), "ezhov");
        // A mark after a space belongs to no letter.
        assert_eq!(normalize("ez \u{030C}ov"), "ez ov");
    }

    #[test]
    fn cyrillic_is_transliterated_as_english_writes_russian() {
        let table = [
            ("Ежов", "yezhov"),
            ("ежов", "yezhov"),
            ("ЕЖОВ", "yezhov"),
            ("Николай Ежов", "nikolay yezhov"),
            ("ежовщина", "yezhovshchina"),
            ("тройка", "troyka"),
            ("НКВД", "nkvd"),
            ("Ягода", "yagoda"),
            ("Берия", "beria"),
            ("Дзержинский", "dzerzhinsky"),
            ("Троцкий", "trotsky"),
            ("Хрущёв", "khrushchev"),
            ("Горбачёв", "gorbachev"),
            ("Пётр", "pyotr"),
            ("Зиновьев", "zinovyev"),
            ("Киров", "kirov"),
            ("Тухачевский", "tukhachevsky"),
            ("ГУЛАГ", "gulag"),
            ("приказ № 00447", "prikaz 00447"),
            ("Ежов и Ягода", "yezhov i yagoda"),
            ("Ежов, I think", "yezhov i think"),
            ("поэт", "poet"),
            ("объект", "obyekt"),
        ];
        for (cyrillic, latin) in table {
            assert_eq!(normalize(cyrillic), latin, "{cyrillic}");
        }
        // Decomposed "й" (и + breve) reads as the letter.
        assert_eq!(normalize("тро\u{0438}\u{0306}ка"), "troyka");
        assert_eq!(transliterate_cyrillic("Ежов, 1937"), "Yezhov, 1937");
        assert_eq!(transliterate_cyrillic("not cyrillic"), "not cyrillic");
    }

    #[test]
    fn the_pack_folder_meets_every_script() {
        let folder = SpellingFolder::new(&[
            vec!["yezh".into(), "ezh".into()],
            vec!["shch".into(), "sch".into()],
            vec!["oy".into(), "oi".into()],
            vec!["y".into(), "i".into()],
        ]);
        let yezhov = folder.key("Yezhov");
        for other in ["Ežov", "Ежов", "ezhov", "EZHOV"] {
            assert_eq!(folder.key(other), yezhov, "{other}");
        }
        assert_eq!(folder.key("тройка"), folder.key("troika"));
        assert_eq!(folder.key("ежовщина"), folder.key("Yezhovshchina"));
        assert_eq!(folder.key("Ežovščina"), folder.key("Yezhovshchina"));
    }

    #[test]
    fn output_is_ascii_and_stable_under_a_second_pass() {
        for text in [
            "Ежов",
            "Ežovščina",
            "Order No. 00447",
            "Łódź!",
            "Straße 5",
            "тройка",
        ] {
            let once = normalize(text);
            assert!(once.is_ascii(), "{text} -> {once}");
            assert_eq!(normalize(&once), once, "{text}");
        }
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

//! Deciding whether a typed answer is right.
//!
//! Numbers: "259,450", "259 450", "259450", "259.45k", "about 260 thousand",
//! "1.5 million" all read, then must fall within the question's tolerance.
//! Text: case, accents, punctuation and a leading article are ignored and the
//! pack's spelling variants folded; small typos are forgiven in proportion to
//! the answer's length; a guess is never accepted just because it contains
//! the answer or is a fragment of it ("air" is not "chair").

use crate::text::SpellingFolder;

/// Reads a number as people write it; `None` when it is not one.
pub fn parse_number(input: &str) -> Option<f64> {
    let mut text = input.trim().to_lowercase();
    for filler in [
        "approximately",
        "approx.",
        "approx",
        "around",
        "about",
        "roughly",
        "circa",
        "c.",
        "ca.",
        "~",
        "some",
        "nearly",
        "almost",
        "over",
        "more than",
        "under",
    ] {
        if let Some(rest) = text.strip_prefix(filler) {
            text = rest.trim_start().to_string();
        }
    }
    let text = text.trim_end_matches(['.', '!']).trim();
    // Split the numeric part from a multiplier word or suffix.
    let end = text
        .char_indices()
        .find(|(_, c)| {
            !(c.is_ascii_digit()
                || matches!(
                    c,
                    ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '_' | '\'' | '-'
                ))
        })
        .map_or(text.len(), |(i, _)| i);
    let (digits, suffix) = text.split_at(end);
    let multiplier = match suffix.trim() {
        "" => 1.0,
        "k" | "thousand" | "thousands" | "000s" => 1e3,
        "m" | "mn" | "million" | "millions" | "mil" => 1e6,
        "bn" | "billion" | "billions" => 1e9,
        "%" | "percent" | "per cent" => 1.0,
        unit if unit.chars().all(|c| c.is_alphabetic() || c == ' ') && unit.len() <= 20 => 1.0,
        _ => return None,
    };
    let digits = digits.trim();
    let negative = digits.starts_with('-');
    let digits = digits.trim_start_matches('-');
    if digits.is_empty() || digits.contains('-') {
        return None;
    }
    let value = read_digits(digits)?;
    let value = if negative { -value } else { value };
    Some(value * multiplier)
}

/// "259,450" / "259 450" / "259.45" / "1,5" (a decimal comma when it cannot
/// be a thousands separator).
fn read_digits(digits: &str) -> Option<f64> {
    let groups: Vec<&str> = digits
        .split([' ', '\u{a0}', '\u{202f}', '_', '\''])
        .filter(|g| !g.is_empty())
        .collect();
    let joined = groups.join(",");
    let commas = joined.matches(',').count();
    let dots = joined.matches('.').count();
    let cleaned: String = if commas > 0 && dots == 0 {
        let parts: Vec<&str> = joined.split(',').collect();
        let thousands =
            parts[1..].iter().all(|p| p.len() == 3) && !parts[0].is_empty() && parts[0].len() <= 3;
        if thousands {
            parts.concat()
        } else if parts.len() == 2 {
            format!("{}.{}", parts[0], parts[1])
        } else {
            return None;
        }
    } else if dots == 1 && commas > 0 {
        // "1,234.5"
        let (int, frac) = joined.split_once('.')?;
        let parts: Vec<&str> = int.split(',').collect();
        if !parts[1..].iter().all(|p| p.len() == 3) {
            return None;
        }
        format!("{}.{}", parts.concat(), frac)
    } else if dots > 1 && commas == 0 {
        // "259.450.000" as thousands dots.
        let parts: Vec<&str> = joined.split('.').collect();
        if !parts[1..].iter().all(|p| p.len() == 3) {
            return None;
        }
        parts.concat()
    } else {
        joined
    };
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    cleaned.parse().ok()
}

/// Whether `guess` is within `tolerance` of `value`.
pub fn numeric_matches(guess: &str, value: f64, tolerance: f64) -> bool {
    parse_number(guess).is_some_and(|g| (g - value).abs() <= tolerance + value.abs() * 1e-9)
}

/// Typos allowed for an answer of this many characters.
pub fn allowed_typos(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        9..=14 => 2,
        _ => 3,
    }
}

/// Whether `guess` names one of `accepted`, forgiving small typos.
pub fn text_matches(guess: &str, accepted: &[String], folder: &SpellingFolder) -> bool {
    let guess = folder.key(guess);
    if guess.is_empty() {
        return false;
    }
    accepted.iter().any(|a| {
        let answer = folder.key(a);
        if answer.is_empty() {
            return false;
        }
        if guess == answer {
            return true;
        }
        let len = answer.chars().count();
        // A fragment or an answer with extra words is not the answer, however
        // close: only edits within the allowance, and never a guess that is
        // much shorter than the answer.
        let guess_len = guess.chars().count();
        if guess_len + allowed_typos(len) < len || guess_len > len + allowed_typos(len) {
            return false;
        }
        // In a short answer, a missing letter is too often a different word
        // ("Gula", "chai"): a fragment is not accepted as a typo.
        if len <= 8 && answer.contains(guess.as_str()) {
            return false;
        }
        strsim::levenshtein(&guess, &answer) <= allowed_typos(len)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_people_write_them() {
        let table = [
            ("259,450", Some(259_450.0)),
            ("259 450", Some(259_450.0)),
            ("259450", Some(259_450.0)),
            ("259.45k", Some(259_450.0)),
            ("about 260 thousand", Some(260_000.0)),
            ("1.5 million", Some(1_500_000.0)),
            ("1,5 million", Some(1_500_000.0)),
            ("c. 680,000", Some(680_000.0)),
            ("1937", Some(1937.0)),
            ("681 692 people", Some(681_692.0)),
            ("12.5%", Some(12.5)),
            ("-5", Some(-5.0)),
            ("", None),
            ("lots", None),
            ("1,23,4", None),
            ("12-14", None),
            ("1.2.3", None),
        ];
        for (text, expected) in table {
            assert_eq!(parse_number(text), expected, "{text}");
        }
        assert!(numeric_matches("about 260 thousand", 259_450.0, 5_000.0));
        assert!(!numeric_matches("300,000", 259_450.0, 5_000.0));
        assert!(numeric_matches("1934", 1934.0, 0.0));
        assert!(!numeric_matches("1935", 1934.0, 0.0));
    }

    #[test]
    fn text_answers_forgive_typos_but_not_fragments() {
        let folder = SpellingFolder::new(&[vec!["yezh".into(), "ezh".into()]]);
        let yezhov = vec!["Nikolai Yezhov".to_string(), "Yezhov".to_string()];
        for good in [
            "Yezhov",
            "yezhov",
            "EZHOV",
            "Yezov",
            "nikolai yezhov",
            "Nikolai Ezhov",
            "the Yezhov",
        ] {
            assert!(text_matches(good, &yezhov, &folder), "{good}");
        }
        for bad in [
            "Yagoda",
            "Yez",
            "ov",
            "",
            "Nikolai",
            "Beria",
            "Yezhov and Beria",
        ] {
            assert!(!text_matches(bad, &yezhov, &folder), "{bad}");
        }
        let chair = vec!["chair".to_string()];
        assert!(!text_matches("air", &chair, &SpellingFolder::default()));
        assert!(
            !text_matches("chiar", &chair, &SpellingFolder::default()),
            "two edits in five letters"
        );
        assert!(text_matches("chairs", &chair, &SpellingFolder::default()));
        assert!(!text_matches("chai", &chair, &SpellingFolder::default()));
        let marshal = vec!["Tukhachevsky".to_string()];
        assert!(
            text_matches("Tukhachevsk", &marshal, &SpellingFolder::default()),
            "a long name with its last letter lost"
        );
        assert!(text_matches(
            "Tuchachevsky",
            &marshal,
            &SpellingFolder::default()
        ));
        let gulag = vec!["Gulag".to_string()];
        assert!(
            !text_matches("Gula", &gulag, &SpellingFolder::default()),
            "short answers must be exact"
        );
    }
}

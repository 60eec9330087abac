//! How alike two whole search keys are, for ranking spelling suggestions:
//! normalized Levenshtein and Jaro-Winkler, with exactly the results of
//! `strsim`'s functions of those names.
//!
//! Why not call `strsim` directly: the trigram search scores its best two
//! dozen keys on every misspelt lookup, and `strsim` decodes chars, allocates
//! a row per call and fills a full edit table. Keys are nearly always short
//! ASCII, so here the Levenshtein distance is computed bit-parallel (one
//! machine word holds a whole column; Hyyrö's form of Myers' algorithm) and
//! Jaro on bytes with its flags on the stack. Anything else (non-ASCII,
//! over 64 bytes) goes to `strsim`. Unit tests compare both ways on many
//! pairs. Knows nothing of the index or of what the scores mean.

/// `strsim::normalized_levenshtein(a, b)`.
pub fn normalized_levenshtein(a: &str, b: &str) -> f64 {
    if !short_ascii(a, b) {
        return strsim::normalized_levenshtein(a, b);
    }
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    // ASCII: one byte is one char, so lengths in bytes are lengths in chars.
    1.0 - (levenshtein_bits(a.as_bytes(), b.as_bytes()) as f64) / (a.len().max(b.len()) as f64)
}

/// `strsim::jaro_winkler(a, b)`.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if !short_ascii(a, b) {
        return strsim::jaro_winkler(a, b);
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let sim = jaro_bytes(a, b);
    // The same steps and float operations as strsim, in the same order.
    if sim > 0.7 {
        let prefix_length = a.iter().take(4).zip(b).take_while(|(x, y)| x == y).count();
        sim + 0.1 * prefix_length as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// Both ASCII and at most 64 bytes: the fast paths below hold.
fn short_ascii(a: &str, b: &str) -> bool {
    a.len() <= 64 && b.len() <= 64 && a.is_ascii() && b.is_ascii()
}

/// Levenshtein distance, `a` at most 64 bytes: each step over `b` updates
/// a whole column of the edit table held as bit vectors of +1/-1 changes
/// between neighbouring cells (Hyyrö 2003, "A bit-vector algorithm for
/// computing Levenshtein and Damerau edit distances").
fn levenshtein_bits(a: &[u8], b: &[u8]) -> usize {
    let m = a.len();
    if m == 0 {
        return b.len();
    }
    // Where each byte occurs in `a`.
    let mut positions = [0u64; 128];
    for (i, &c) in a.iter().enumerate() {
        positions[usize::from(c & 0x7F)] |= 1 << i;
    }
    let last = 1u64 << (m - 1);
    // Vertical +1 and -1 differences of the current column (all +1 at first:
    // the first column is 0, 1, 2, ... m).
    let mut plus = if m == 64 { u64::MAX } else { (1u64 << m) - 1 };
    let mut minus = 0u64;
    let mut distance = m;
    for &c in b {
        let equal = positions[usize::from(c & 0x7F)];
        let x_vertical = equal | minus;
        let x_horizontal = (((equal & plus).wrapping_add(plus)) ^ plus) | equal;
        let mut h_plus = minus | !(x_horizontal | plus);
        let mut h_minus = plus & x_horizontal;
        if h_plus & last != 0 {
            distance += 1;
        }
        if h_minus & last != 0 {
            distance -= 1;
        }
        // The top row is 0, 1, 2, ...: each step right adds one there.
        h_plus = (h_plus << 1) | 1;
        h_minus <<= 1;
        plus = h_minus | !(x_vertical | h_plus);
        minus = h_plus & x_vertical;
    }
    distance
}

/// `strsim::generic_jaro` over bytes, at most 64 each, the same steps.
fn jaro_bytes(a: &[u8], b: &[u8]) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len == 0 && b_len == 0 {
        return 1.0;
    } else if a_len == 0 || b_len == 0 {
        return 0.0;
    }
    let search_range = (a_len.max(b_len) / 2).saturating_sub(1);
    let mut a_flags = [false; 64];
    let mut b_flags = [false; 64];
    let mut matches = 0usize;
    for (i, &x) in a.iter().enumerate() {
        let min_bound = i.saturating_sub(search_range);
        let max_bound = b_len.min(i + search_range + 1);
        for j in min_bound..max_bound {
            if x == b[j] && !b_flags[j] {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut matched_in_b = (0..b_len).filter(|&j| b_flags[j]).map(|j| b[j]);
    for (i, &x) in a.iter().enumerate() {
        if a_flags[i] && matched_in_b.next().is_some_and(|y| y != x) {
            transpositions += 1;
        }
    }
    transpositions /= 2;
    ((matches as f64 / a_len as f64)
        + (matches as f64 / b_len as f64)
        + ((matches - transpositions) as f64 / matches as f64))
        / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys like the index's: short words from few letters (so that many
    /// pairs are alike), spaces, digits, now and then a long or a
    /// non-ASCII one.
    fn keys() -> Vec<String> {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let letters = ["a", "k", "o", "v", "r", "sh", "zh", "e", " ", "1", "ё"];
        let mut out: Vec<String> = [
            "",
            "a",
            "yezhov",
            "yezov",
            "nikolai yezhov",
            "nikolai yezov",
            "tukhachevsky",
            "tukhachevskii",
            "cheeseburger",
            "cheese fries",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for _ in 0..200 {
            let len = if next(10) == 0 {
                40 + next(30)
            } else {
                next(24)
            };
            let mut key = String::new();
            for _ in 0..len {
                // Non-ASCII now and then, to exercise the fallback.
                let ascii_only = next(8) != 0;
                let pick = next(letters.len() as u64 - u64::from(ascii_only));
                key.push_str(letters[pick as usize]);
            }
            out.push(key);
        }
        out
    }

    #[test]
    fn same_results_as_strsim() {
        let keys = keys();
        for a in &keys {
            for b in keys.iter().step_by(9) {
                assert_eq!(
                    normalized_levenshtein(a, b).to_bits(),
                    strsim::normalized_levenshtein(a, b).to_bits(),
                    "levenshtein {a:?} / {b:?}"
                );
                assert_eq!(
                    jaro_winkler(a, b).to_bits(),
                    strsim::jaro_winkler(a, b).to_bits(),
                    "jaro-winkler {a:?} / {b:?}"
                );
            }
        }
    }

    #[test]
    fn bit_parallel_distance_at_the_word_boundary() {
        let a = "ab".repeat(32);
        let b = "ba".repeat(32);
        assert_eq!(levenshtein_bits(a.as_bytes(), b.as_bytes()), 2);
        assert_eq!(
            levenshtein_bits(a.as_bytes(), b.as_bytes()),
            strsim::levenshtein(&a, &b)
        );
        assert_eq!(levenshtein_bits(b"", b"abc"), 3);
        assert_eq!(levenshtein_bits(b"kitten", b"sitting"), 3);
    }
}

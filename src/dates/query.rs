//! Dates as people type them: "1 December 1934", "December 1, 1934",
//! "1 Dec 1934", "1934-12-01", "December 1934", "1934", "1936-1938",
//! "1936-38", "1936 to 1938", "July 1937 - November 1938", "19-24 August 1936",
//! "today", "on this day".
//!
//! Returns a [`DateQuery`]; resolving "today" needs a timezone and is left to
//! the caller. Never panics on any input (a proptest checks it).

use super::{DateError, PartialDate, When};

/// What a date lookup asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateQuery {
    Period(When),
    /// Today's date in the asker's timezone.
    Today,
    /// Today's day and month, in any year.
    OnThisDay,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("I could not read \"{0}\" as a date.")]
    Unreadable(String),
    #[error("{0}")]
    Impossible(#[from] DateError),
}

/// Examples shown with every refusal, so a student sees what works.
pub const EXAMPLES: &str = "Try: `1 December 1934`, `December 1934`, `1937`, `1936-1938`, `July 1937 - November 1938`, `1934-12-01`, `today` or `on this day`.";

/// Longest input considered; anything longer is not a date.
const MAX_LEN: usize = 64;

pub fn parse(input: &str) -> Result<DateQuery, QueryError> {
    let unreadable = || QueryError::Unreadable(input.chars().take(MAX_LEN).collect());
    if input.chars().count() > MAX_LEN {
        return Err(unreadable());
    }
    let text = clean(input);
    match text.as_str() {
        "today" | "now" => return Ok(DateQuery::Today),
        "on this day" | "this day" | "this day in history" | "on this date" => {
            return Ok(DateQuery::OnThisDay)
        }
        "" => return Err(unreadable()),
        _ => {}
    }
    let tokens = tokenize(&text);
    match single(&tokens) {
        Ok(Some(date)) => return Ok(DateQuery::Period(When::point(date))),
        Err(e) => return Err(e.into()),
        Ok(None) => {}
    }
    // A range: split at the first separator whose two sides both read.
    for (i, token) in tokens.iter().enumerate() {
        if !matches!(token, Token::To) {
            continue;
        }
        let (left, right) = (&tokens[..i], &tokens[i + 1..]);
        let end = match (single(right)?, single(left)?, right) {
            (Some(end), _, _) => end,
            // "1936-38": a two-digit end year in the start year's century.
            (None, Some(start), [Token::Number(n, 2)])
                if start.precision() == super::Precision::Year =>
            {
                let century = i64::from(start.year_number()) / 100 * 100;
                PartialDate::year(century + i64::from(*n))?
            }
            _ => continue,
        };
        let start = match single(left)? {
            Some(start) => start,
            None => match borrow_from_end(left, end)? {
                Some(start) => start,
                None => continue,
            },
        };
        return Ok(DateQuery::Period(When::range(start, end)?));
    }
    Err(unreadable())
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A whole ISO date with a month or day ("1934-12-01", "1937-07").
    Iso(PartialDate),
    /// A word in the ISO form of a day that does not exist ("1937-02-31"):
    /// its own error, as "31 February 1937" gets, not "could not read".
    BadIso(super::DateError),
    /// A number and how many digits it was written with.
    Number(u32, usize),
    Month(u32),
    To,
    Word,
}

fn clean(input: &str) -> String {
    let lower = input.trim().to_lowercase();
    let mut out = String::with_capacity(lower.len());
    for c in lower.chars() {
        match c {
            '\u{2013}' | '\u{2014}' | '\u{2212}' => out.push('-'),
            ',' | '.' => out.push(' '),
            c => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_number(word: &str) -> Option<u32> {
    if word.len() < 3 {
        return None;
    }
    if word == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(word))
        .map(|i| i as u32 + 1)
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for word in text.split(' ') {
        // "1934-12-01" stays whole; "1936-1938" splits into a range.
        match PartialDate::parse_iso(word) {
            Ok(date) if date.precision() != super::Precision::Year => {
                tokens.push(Token::Iso(date));
                continue;
            }
            Err(e @ (super::DateError::NoSuchDay { .. } | super::DateError::NoSuchMonth(_)))
                if word.len() == 10 =>
            {
                tokens.push(Token::BadIso(e));
                continue;
            }
            _ => {}
        }
        let mut parts = word.split(['-', '/']).peekable();
        while let Some(part) = parts.next() {
            if !part.is_empty() {
                tokens.push(word_token(part));
            }
            if parts.peek().is_some() {
                tokens.push(Token::To);
            }
        }
    }
    tokens
}

fn word_token(word: &str) -> Token {
    if matches!(word, "to" | "until" | "till" | "through" | "and") {
        return Token::To;
    }
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    if !digits.is_empty()
        && digits.len() <= 4
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(suffix, "" | "st" | "nd" | "rd" | "th")
    {
        return Token::Number(digits.parse().unwrap_or(0), digits.len());
    }
    match month_number(word) {
        Some(m) => Token::Month(m),
        None => Token::Word,
    }
}

fn is_year(t: &Token) -> Option<i64> {
    match t {
        Token::Number(n, len) if *len == 4 || *len == 3 => Some(i64::from(*n)),
        _ => None,
    }
}

fn is_day(t: &Token) -> Option<u32> {
    match t {
        Token::Number(n, len) if *len <= 2 => Some(*n),
        _ => None,
    }
}

/// Reads one date from tokens (filler words ignored); `Ok(None)` when the
/// tokens are not a date, `Err` when they are one that does not exist.
fn single(tokens: &[Token]) -> Result<Option<PartialDate>, DateError> {
    let tokens: Vec<&Token> = tokens
        .iter()
        .filter(|t| !matches!(t, Token::Word))
        .collect();
    if tokens.iter().any(|t| matches!(t, Token::To)) {
        return Ok(None);
    }
    match tokens.as_slice() {
        [Token::Iso(date)] => Ok(Some(*date)),
        [Token::BadIso(e)] => Err(e.clone()),
        [y] => Ok(is_year(y).map(PartialDate::year).transpose()?),
        [Token::Month(m), y] => match is_year(y) {
            Some(y) => PartialDate::month(y, *m).map(Some),
            None => Ok(None),
        },
        [d, Token::Month(m), y] | [Token::Month(m), d, y] => match (is_day(d), is_year(y)) {
            (Some(d), Some(y)) => PartialDate::day(y, *m, d).map(Some),
            _ => Ok(None),
        },
        _ => Ok(None),
    }
}

/// The start of a range may leave out what its end says: "19-24 August 1936",
/// "July - November 1938".
fn borrow_from_end(left: &[Token], end: PartialDate) -> Result<Option<PartialDate>, DateError> {
    let left: Vec<&Token> = left.iter().filter(|t| !matches!(t, Token::Word)).collect();
    let year = i64::from(end.year_number());
    match left.as_slice() {
        [Token::Month(m)] => PartialDate::month(year, *m).map(Some),
        [d] => match (is_day(d), end.month_number()) {
            (Some(d), Some(m)) if end.day_number().is_some() => {
                PartialDate::day(year, m, d).map(Some)
            }
            _ => Ok(None),
        },
        [d, Token::Month(m)] | [Token::Month(m), d] => match is_day(d) {
            Some(d) => PartialDate::day(year, *m, d).map(Some),
            None => Ok(None),
        },
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(text: &str) -> String {
        match parse(text) {
            Ok(DateQuery::Period(w)) => w.iso(),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn every_documented_form_reads() {
        let table = [
            ("1 December 1934", "1934-12-01"),
            ("December 1, 1934", "1934-12-01"),
            ("1 Dec 1934", "1934-12-01"),
            ("1st of December 1934", "1934-12-01"),
            ("Dec. 1, 1934", "1934-12-01"),
            ("1934-12-01", "1934-12-01"),
            ("December 1934", "1934-12"),
            ("Dec 1934", "1934-12"),
            ("1934-12", "1934-12"),
            ("1934", "1934"),
            ("in 1937", "1937"),
            ("1936-1938", "1936/1938"),
            ("1936-38", "1936/1938"),
            ("1936 to 1938", "1936/1938"),
            ("1936 – 1938", "1936/1938"),
            ("July 1937 - November 1938", "1937-07/1938-11"),
            ("July - November 1938", "1938-07/1938-11"),
            ("19-24 August 1936", "1936-08-19/1936-08-24"),
            ("from 1934-12-01 to 1935-01-31", "1934-12-01/1935-01-31"),
            ("  SEPT 1937 ", "1937-09"),
        ];
        for (text, iso) in table {
            assert_eq!(period(text), iso, "{text}");
        }
        assert_eq!(parse("today").unwrap(), DateQuery::Today);
        assert_eq!(parse("On this day").unwrap(), DateQuery::OnThisDay);
    }

    #[test]
    fn impossible_and_unreadable_dates_explain_themselves() {
        assert_eq!(
            parse("31 February 1937").unwrap_err().to_string(),
            "31 February 1937 does not exist (February 1937 has 28 days)"
        );
        // The ISO form of the same day gets the same answer.
        assert_eq!(
            parse("1937-02-31").unwrap_err().to_string(),
            "31 February 1937 does not exist (February 1937 has 28 days)"
        );
        assert_eq!(
            parse("1937-13-01").unwrap_err().to_string(),
            "month 13 does not exist (months run from 1 to 12)"
        );
        // "1936-38" is still a range, not month 38.
        assert_eq!(period("1936-38"), "1936/1938");
        assert!(matches!(
            parse("1938 to 1936"),
            Err(QueryError::Impossible(DateError::Backwards { .. }))
        ));
        assert!(matches!(
            parse("next tuesday"),
            Err(QueryError::Unreadable(_))
        ));
        assert!(matches!(parse(""), Err(QueryError::Unreadable(_))));
        assert!(matches!(parse("12345"), Err(QueryError::Unreadable(_))));
        assert!(matches!(
            parse("32 May 1937"),
            Err(QueryError::Impossible(_))
        ));
    }
}

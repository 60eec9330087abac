//! Deciding whether a typed answer is right, as a fair teacher would: exact
//! where facts are exact, forgiving where spelling is. Every typed answer of
//! daily, practice, review and competition questions is judged here (through
//! `quiz::judge`); README's "How the quiz scores" states the same rules for
//! teachers.
//!
//! Numbers: "259,450", "259 450", "259450", "259.45k", "about 260 thousand",
//! "1.5 million", "No. 447", "I think 1937" all read, then must fall within
//! the question's tolerance; a number refused only for not being exact says so.
//!
//! Text, after [`crate::text::normalize`] and the pack's spelling folder:
//! - digits are never typo-forgiven: every run of digits must be the same
//!   (so "00447" is "447" only when the content lists both forms);
//! - letters get a typo budget proportional to the answer's length, a
//!   transposed pair counting as one typo (optimal string alignment);
//! - a guess that is exactly another entry's name or alias, or another
//!   distractor ([`TextAnswer::rivals`]), is never accepted through the typo
//!   budget, nor is one at least as close to a rival as to the answer;
//! - "N.K.V.D." and "N K V D" are "NKVD"; "No."/"Nº"/"#" before a number go;
//! - the answer inside a short sentence ("I think it was Yezhov") counts when
//!   every other word only frames it; a list naming other candidates, a
//!   negation or a connective ("or", "and", "not") keeps it wrong, and an
//!   answer inside another word ("air" in "chair") is never found.
//!
//! Knows nothing of packs, handlers or Discord: the caller gathers the
//! accepted answers, the rivals and the question's wording.

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
    judge_number(guess, value, tolerance, "").correct
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

/// What the checker decided, and what the reply should say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub correct: bool,
    pub note: Option<Note>,
}

/// Something the student should be told besides right or wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Accepted with a spelling difference; the usual spelling.
    Spelling(String),
    /// A number refused only because the question wants the exact figure.
    ExactFigure,
    /// Refused only because a number in it differs: digits are never typos.
    ExactNumber,
}

impl Note {
    /// The sentence the reply shows.
    pub fn message(&self) -> String {
        match self {
            Note::Spelling(usual) => format!("Accepted: the usual spelling is {usual}."),
            Note::ExactFigure => "Not accepted: this question wants the exact figure.".to_string(),
            Note::ExactNumber => {
                "Not accepted: numbers must be exact, a different digit is a different answer."
                    .to_string()
            }
        }
    }
}

impl Judgement {
    fn right() -> Self {
        Self {
            correct: true,
            note: None,
        }
    }
    fn wrong() -> Self {
        Self {
            correct: false,
            note: None,
        }
    }
    /// The note's sentence, if any.
    pub fn message(&self) -> Option<String> {
        self.note.as_ref().map(Note::message)
    }
}

/// Words that hedge a number ("about 1,100"): such a guess wants a tolerance.
#[rustfmt::skip]
const HEDGES: &[&str] = &[
    "about", "around", "approximately", "approx", "roughly", "circa", "c", "ca", "nearly",
    "almost", "some",
];

/// Words that only frame an answer ("I think it was ..."). Never a negation
/// or a connective: "not Yezhov" and "Yezhov or Yagoda" stay wrong.
#[rustfmt::skip]
const FRAMING: &[&str] = &[
    "i", "im", "id", "ive", "me", "my", "think", "thought", "believe", "guess", "suppose",
    "reckon", "say", "would", "it", "its", "was", "is", "were", "are", "be", "been", "that",
    "this", "he", "she", "they", "them", "him", "her", "his", "their", "the", "a", "an",
    "answer", "maybe", "probably", "perhaps", "possibly", "likely", "pretty", "quite", "fairly",
    "very", "sure", "certain", "certainly", "definitely", "surely", "must", "have", "has",
    "had", "called", "named", "known", "as", "by", "of", "in", "on", "at", "to", "from", "hmm",
    "um", "uh", "er", "erm", "well", "oh", "ok", "okay", "so", "yes", "yeah", "yep", "mr",
    "comrade", "who", "what", "which", "where", "when", "did", "do", "does", "one", "person",
    "man", "woman", "guy",
];

/// Words that link or negate: never framing, even when the question uses them.
#[rustfmt::skip]
const CONNECTIVES: &[&str] = &[
    "not", "no", "nor", "or", "and", "but", "never", "neither", "either", "also", "both",
    "plus", "vs", "versus", "except", "instead", "rather", "than", "then", "isnt", "wasnt",
    "arent", "werent", "dont", "didnt", "doesnt", "nope", "unless", "nt",
];

/// Words written before a document number: "No. 00447", "Nº 447", "number 5".
const NUMBER_MARKS: &[&str] = &["no", "nº", "nr", "n", "num", "number"];

/// Admitting doubt is not naming another answer: "Yezhov, not sure".
fn without_doubt(normalized: &str) -> String {
    let mut text = format!(" {normalized} ");
    for doubt in [
        " not sure ",
        " not certain ",
        " not 100 sure ",
        " not 100 percent sure ",
    ] {
        text = text.replace(doubt, " ");
    }
    text.trim().to_string()
}

/// Multiplier words that belong to the number before them.
#[rustfmt::skip]
const MULTIPLIERS: &[&str] = &[
    "k", "thousand", "thousands", "m", "mn", "mil", "million", "millions", "bn", "billion",
    "billions", "%", "percent",
];

/// Reads the number of a typed answer: as [`parse_number`], with a document
/// number's "No."/"Nº"/"#"/"№" before it, or inside a short sentence whose
/// other words only frame it ("I think 1937", "it was No. 447", "1,108
/// delegates I think"). `None` when there is no single number to read: a
/// second number, a negation or a connective ("1936 or 1937", "not 1937").
/// The flag says whether it was hedged ("about 1,100").
fn read_number(input: &str, context: &str) -> Option<(f64, bool)> {
    let normalized = crate::text::normalize(input);
    let hedged = normalized.split(' ').any(|w| HEDGES.contains(&w)) || input.contains('~');
    let Some(first_digit) = input.find(|c: char| c.is_ascii_digit()) else {
        return number_in_words(&without_doubt(&normalized), context).map(|n| (n, hedged));
    };
    let context = crate::text::normalize(context);
    let in_context = |w: &str| !CONNECTIVES.contains(&w) && context.split(' ').any(|c| c == w);
    // A sign or a decimal point belongs to the number.
    let start = match input[..first_digit].chars().next_back() {
        Some('-' | '.') => first_digit - 1,
        _ => first_digit,
    };
    let (before, number) = input.split_at(start);
    let framed = without_doubt(&crate::text::normalize(before))
        .split(' ')
        .filter(|w| !w.is_empty())
        .all(|w| {
            FRAMING.contains(&w)
                || HEDGES.contains(&w)
                || NUMBER_MARKS.contains(&w)
                || in_context(w)
        });
    if !framed {
        return None;
    }
    let numeric_end = number
        .char_indices()
        .find(|(_, c)| {
            !(c.is_ascii_digit()
                || matches!(
                    c,
                    ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '_' | '\'' | '-'
                ))
        })
        .map_or(number.len(), |(i, _)| i);
    let (digits, tail) = number.split_at(numeric_end);
    let tail = tail.trim_start();
    let first_word_end = tail
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '!' | '?' | ';'))
        .unwrap_or(tail.len());
    let (value_text, rest) =
        if MULTIPLIERS.contains(&tail[..first_word_end].to_lowercase().as_str()) {
            (
                format!("{digits} {}", &tail[..first_word_end]),
                &tail[first_word_end..],
            )
        } else {
            (digits.to_string(), tail)
        };
    // After the number: a unit or framing words, never a second number or a
    // connective.
    let rest = without_doubt(&crate::text::normalize(rest));
    if rest.chars().any(|c| c.is_numeric()) || rest.split(' ').any(|w| CONNECTIVES.contains(&w)) {
        return None;
    }
    let value = parse_number(value_text.trim_end_matches([',', ' ', '-']))?;
    Some((value, hedged))
}

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// A count written in words, "eighteen", "twenty-one", "three hundred",
/// framed like a number in digits; `None` for anything else.
fn number_in_words(normalized: &str, context: &str) -> Option<f64> {
    let context = crate::text::normalize(context);
    let mut value: Option<f64> = None;
    let mut numbers = 0;
    let mut previous_was_number = false;
    for word in normalized.split(' ').filter(|w| !w.is_empty()) {
        let part = if let Some(n) = ONES.iter().position(|o| *o == word) {
            Some(n as f64)
        } else {
            TENS.iter()
                .position(|t| *t == word)
                .map(|n| (n as f64 + 2.0) * 10.0)
        };
        match (part, word) {
            (Some(n), _) => {
                if !previous_was_number {
                    numbers += 1;
                }
                value = Some(value.filter(|_| previous_was_number).unwrap_or(0.0) + n);
                previous_was_number = true;
            }
            (None, "hundred" | "thousand") if previous_was_number => {
                let factor = if word == "hundred" { 100.0 } else { 1000.0 };
                value = value.map(|v| v * factor);
            }
            (None, "and") if previous_was_number => {}
            (None, w) => {
                let framing = FRAMING.contains(&w)
                    || HEDGES.contains(&w)
                    || NUMBER_MARKS.contains(&w)
                    || (!CONNECTIVES.contains(&w) && context.split(' ').any(|c| c == w));
                if !framing {
                    return None;
                }
                previous_was_number = false;
            }
        }
    }
    // "one" alone in a sentence is too often not a count ("the one").
    (numbers == 1).then_some(value).flatten()
}

/// Judges a typed number against the question's value and tolerance; words
/// of the question (`context`) may frame it ("Order 00447" when asked for
/// the order's number).
pub fn judge_number(guess: &str, value: f64, tolerance: f64, context: &str) -> Judgement {
    let Some((number, hedged)) = read_number(guess, context) else {
        return Judgement::wrong();
    };
    if (number - value).abs() <= tolerance + value.abs() * 1e-9 {
        return Judgement::right();
    }
    // Refused only for not being exact: a hedged or rounded figure within a
    // tenth of an exact answer.
    let near = (number - value).abs() <= value.abs() * 0.1;
    let rounded = number.fract() == 0.0 && number % 10.0 == 0.0 && value % 10.0 != 0.0;
    if tolerance == 0.0 && near && (hedged || rounded) {
        return Judgement {
            correct: false,
            note: Some(Note::ExactFigure),
        };
    }
    Judgement::wrong()
}

/// Whether a typed answer holds something [`judge_number`] reads: a digit or
/// a number word. "lots" is not an answer to a numeric question (the student
/// is asked again), while "1936 or 1937" is one (a wrong one).
pub fn reads_as_number(guess: &str) -> bool {
    guess.chars().any(|c| c.is_ascii_digit())
        || crate::text::normalize(guess)
            .split(' ')
            .any(|w| ONES.contains(&w) || TENS.contains(&w))
}

/// What a typed text answer is judged against.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextAnswer<'a> {
    /// Every accepted answer; the first of each length is the usual spelling.
    pub accepted: &'a [String],
    /// What a near miss could really mean: the names and aliases of the
    /// content's other entries, the question's distractors. Never accepted
    /// through typo tolerance, and naming one beside the answer makes a
    /// guess wrong.
    pub rivals: &'a [String],
    /// The question's wording: its words may frame an answer ("Nikolaev shot
    /// him" for "Who shot Kirov?").
    pub context: &'a str,
}

/// One word of a text as typed and as folded for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    /// Normalised only: for framing words and spelling notes.
    plain: String,
    /// Normalised and folded by the pack: for matching.
    key: String,
}

/// The words of a text for matching: normalised, single letters in a row
/// joined ("N.K.V.D." and "N K V D" are "nkvd"), a document-number mark
/// before a number dropped ("No. 00447" is "00447").
fn words(text: &str, folder: &SpellingFolder) -> Vec<Word> {
    let normalized = crate::text::normalize(text);
    let raw: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out: Vec<Word> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let single = |w: &str| w.chars().count() == 1 && w.chars().all(char::is_alphabetic);
        let run = raw[i..].iter().take_while(|w| single(w)).count();
        if run >= 2 {
            let joined = raw[i..i + run].concat();
            out.push(Word {
                key: folder.fold(&joined),
                plain: joined,
            });
            i += run;
            continue;
        }
        let next_is_number = raw
            .get(i + 1)
            .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()));
        if next_is_number && NUMBER_MARKS.contains(&raw[i]) {
            i += 1;
            continue;
        }
        out.push(Word {
            key: folder.fold(raw[i]),
            plain: raw[i].to_string(),
        });
        i += 1;
    }
    out
}

fn key_of(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.key.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn plain_of(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.plain.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The runs of digits of a text, in order: what must match exactly.
fn digit_runs(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_numeric())
        .filter(|run| !run.is_empty())
}

/// How a guess (or part of one) stands against one accepted answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closeness {
    Same,
    /// Within the typo budget: this many edits.
    Typos(usize),
    /// The letters match but a number differs.
    OtherNumber,
    Different,
}

/// Compares folded keys: digits exact, letters within the budget.
fn closeness(guess: &str, answer: &str) -> Closeness {
    if guess.is_empty() || answer.is_empty() {
        return Closeness::Different;
    }
    if guess == answer {
        return Closeness::Same;
    }
    let strip = |s: &str| -> String { s.chars().filter(|c| !c.is_numeric()).collect() };
    if !digit_runs(guess).eq(digit_runs(answer)) {
        let same_letters = strip(guess) == strip(answer) && digit_runs(answer).next().is_some();
        return if same_letters {
            Closeness::OtherNumber
        } else {
            Closeness::Different
        };
    }
    // The budget counts letters only: digits are never typos.
    let letters = answer
        .chars()
        .filter(|c| !c.is_numeric() && *c != ' ')
        .count();
    let budget = allowed_typos(letters + answer.matches(' ').count());
    let (guess_len, len) = (guess.chars().count(), answer.chars().count());
    // A fragment or an answer with extra words is not the answer, however
    // close: only edits within the allowance, and never a guess that is
    // much shorter than the answer.
    if budget == 0 || guess_len + budget < len || guess_len > len + budget {
        return Closeness::Different;
    }
    // In a short answer, a missing letter is too often a different word
    // ("Gula", "chai"): a fragment is not accepted as a typo.
    if len <= 8 && answer.contains(guess) {
        return Closeness::Different;
    }
    let distance = strsim::osa_distance(guess, answer);
    if distance <= budget {
        Closeness::Typos(distance)
    } else {
        Closeness::Different
    }
}

/// An accepted answer ready for matching.
struct Accepted<'a> {
    text: &'a str,
    words: Vec<Word>,
    form: Form,
}

/// A rival text prepared for judging: its words and folded forms, worked
/// out once. A pack's rivals are prepared once per pack
/// ([`crate::quiz::judge`] keeps them with the pack), so judging an answer
/// folds only what the student typed and the question's own answers:
/// folding every rival for every answer was 80 % of a typed press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    words: Vec<Word>,
    form: Form,
}

impl Prepared {
    /// Orders prepared texts by their forms (for comparing sets of them).
    pub fn sort_key(&self) -> (&str, &str) {
        (&self.form.key, &self.form.plain)
    }

    pub fn new(text: &str, folder: &SpellingFolder) -> Self {
        let words = words(text, folder);
        Self {
            form: Form::of(&words),
            words,
        }
    }
}

/// Every rival text of a body of content, prepared once: the names of each
/// thing (an entry's name and aliases), and the wrong options of choice
/// questions with the key of their right option. Which of them a given
/// answer's rivals are depends on its accepted answers
/// ([`RivalTable::rivals`]).
#[derive(Debug, Clone, Default)]
pub struct RivalTable {
    names: Vec<NameGroup>,
    distractors: Vec<Distractors>,
}

/// The names of one thing, as keys (to recognise an accepted answer among
/// them) and prepared.
#[derive(Debug, Clone)]
struct NameGroup {
    id: String,
    keys: Vec<String>,
    prepared: Vec<Prepared>,
}

/// A choice question's wrong options, rivals of any answer that is its
/// right option.
#[derive(Debug, Clone)]
struct Distractors {
    right: String,
    wrong: Vec<Prepared>,
}

impl RivalTable {
    /// Adds the names of the thing `id` (its name first, then its aliases).
    pub fn add_names<'t>(
        &mut self,
        id: &str,
        names: impl IntoIterator<Item = &'t str>,
        folder: &SpellingFolder,
    ) {
        let names: Vec<&str> = names.into_iter().collect();
        self.names.push(NameGroup {
            id: id.to_string(),
            keys: names.iter().map(|n| folder.key(n)).collect(),
            prepared: names.iter().map(|n| Prepared::new(n, folder)).collect(),
        });
    }

    /// Adds the wrong options of a choice question whose right option is
    /// `right`.
    pub fn add_distractors<'t>(
        &mut self,
        right: &str,
        wrong: impl IntoIterator<Item = &'t str>,
        folder: &SpellingFolder,
    ) {
        self.distractors.push(Distractors {
            right: folder.key(right),
            wrong: wrong
                .into_iter()
                .map(|w| Prepared::new(w, folder))
                .collect(),
        });
    }

    /// The rivals of an answer whose accepted answers have `accepted_keys`
    /// (each as [`SpellingFolder::key`] folds it), from the thing `own`:
    /// every other thing's names, except a thing one of whose names is an
    /// accepted answer (it is this answer's thing, linked or not), and the
    /// wrong options of the choice questions whose right option is one of
    /// the accepted answers.
    pub fn rivals(&self, own: Option<&str>, accepted_keys: &[String]) -> Vec<&Prepared> {
        let names = self
            .names
            .iter()
            .filter(|g| Some(g.id.as_str()) != own)
            .filter(|g| !g.keys.iter().any(|k| accepted_keys.contains(k)))
            .flat_map(|g| &g.prepared);
        let distractors = self
            .distractors
            .iter()
            .filter(|d| accepted_keys.contains(&d.right))
            .flat_map(|d| &d.wrong);
        names.chain(distractors).collect()
    }
}

/// Judges a typed text answer. See the module documentation for the rules.
/// Prepares `expected.rivals` on each call; [`judge_prepared`] takes them
/// prepared, with the same verdicts.
pub fn judge_text(guess: &str, expected: &TextAnswer, folder: &SpellingFolder) -> Judgement {
    let rivals: Vec<Prepared> = expected
        .rivals
        .iter()
        .map(|r| Prepared::new(r, folder))
        .collect();
    let rivals: Vec<&Prepared> = rivals.iter().collect();
    judge_prepared(guess, expected.accepted, &rivals, expected.context, folder)
}

/// [`judge_text`] with the rivals already prepared.
pub fn judge_prepared(
    guess: &str,
    accepted: &[String],
    rivals: &[&Prepared],
    context: &str,
    folder: &SpellingFolder,
) -> Judgement {
    let as_typed = words(guess, folder);
    if as_typed.is_empty() {
        return Judgement::wrong();
    }
    let accepted: Vec<Accepted> = accepted
        .iter()
        .map(|text| {
            let words = words(text, folder);
            Accepted {
                text,
                form: Form::of(&words),
                words,
            }
        })
        .filter(|a| !a.words.is_empty())
        .collect();
    if accepted.is_empty() {
        return Judgement::wrong();
    }
    // 1. The whole guess is an accepted answer.
    let typed_key = key_of(&as_typed);
    if accepted.iter().any(|a| a.form.key == typed_key) {
        return spelled(&accepted, &as_typed);
    }
    // Admitted doubt is left out from here on ("Yezhov, not sure").
    let guess_words = words(&without_doubt(&crate::text::normalize(guess)), folder);
    if guess_words.is_empty() {
        return Judgement::wrong();
    }
    let guess_key = key_of(&guess_words);
    if accepted.iter().any(|a| a.form.key == guess_key) {
        return spelled(&accepted, &guess_words);
    }
    // A rival that is an accepted answer, or part of one ("NKVD" in "NKVD
    // troika"), is not another answer to this question.
    let rivals: Vec<&Prepared> = rivals
        .iter()
        .copied()
        .filter(|r| {
            !r.words.is_empty()
                && !accepted
                    .iter()
                    .any(|a| find_words(&a.words, &r.words).is_some())
        })
        .collect();
    // 2. The whole guess is another entry or distractor: wrong, however close.
    if rivals.iter().any(|r| r.form.key == guess_key) {
        return Judgement::wrong();
    }
    // 3. The whole guess within the typo budget of an answer, and nearer to
    //    it than to any rival.
    let mut other_number = false;
    if typo_match(&accepted, &rivals, &guess_words, &mut other_number) {
        return spelled(&accepted, &guess_words);
    }
    // 4. The answer inside a short sentence.
    if let Some(judgement) =
        in_sentence(&accepted, &rivals, &guess_words, context, &mut other_number)
    {
        return judgement;
    }
    Judgement {
        correct: false,
        note: other_number.then_some(Note::ExactNumber),
    }
}

/// A right judgement for `matched`, noting a spelling difference when the
/// guess as typed (only normalised) is none of the accepted answers.
fn spelled(accepted: &[Accepted], matched: &[Word]) -> Judgement {
    let form = Form::of(matched);
    if accepted.iter().any(|a| a.form.plain == form.plain) {
        return Judgement::right();
    }
    // The answer it is nearest to, then the usual spelling of that answer:
    // the first accepted answer with as many words (packs list the usual
    // spelling first).
    let nearest = accepted
        .iter()
        .min_by_key(|a| match form.closeness(&a.form) {
            Closeness::Same => 0,
            Closeness::Typos(n) => n,
            _ => usize::MAX,
        })
        .unwrap_or(&accepted[0]);
    let usual = accepted
        .iter()
        .find(|a| a.words.len() == nearest.words.len())
        .unwrap_or(nearest);
    Judgement {
        correct: true,
        note: Some(Note::Spelling(usual.text.to_string())),
    }
}

/// A text as folded and as only normalised: typos are counted on both and
/// the smaller count kept, so a folding rule never turns one slip into two
/// ("Yehzov": the pack folds "h" to "kh").
#[derive(Debug, Clone, PartialEq, Eq)]
struct Form {
    key: String,
    plain: String,
    /// The characters of `key` and of `plain`.
    chars: (usize, usize),
}

impl Form {
    fn of(words: &[Word]) -> Self {
        let (key, plain) = (key_of(words), plain_of(words));
        Self {
            chars: (key.chars().count(), plain.chars().count()),
            key,
            plain,
        }
    }

    /// Whether `other` could be the same as this form or within `typos`
    /// edits of it: an edit distance is at least the difference in length,
    /// so a form more than `typos` characters longer or shorter on both
    /// its spellings is neither (checked before any distance is computed;
    /// the rivals of an answer are hundreds, a slip is one or two edits).
    fn may_be_within(&self, other: &Form, typos: usize) -> bool {
        self.chars.0.abs_diff(other.chars.0) <= typos
            || self.chars.1.abs_diff(other.chars.1) <= typos
    }

    /// The typos between two forms, or how else they differ.
    fn closeness(&self, other: &Form) -> Closeness {
        match (
            closeness(&self.key, &other.key),
            closeness(&self.plain, &other.plain),
        ) {
            (Closeness::Same, _) | (_, Closeness::Same) => Closeness::Same,
            (Closeness::Typos(a), Closeness::Typos(b)) => Closeness::Typos(a.min(b)),
            (Closeness::Typos(n), _) | (_, Closeness::Typos(n)) => Closeness::Typos(n),
            (Closeness::OtherNumber, _) | (_, Closeness::OtherNumber) => Closeness::OtherNumber,
            _ => Closeness::Different,
        }
    }
}

/// Step 3 of [`judge_text`] for a guess (or a run of its words): within the
/// typo budget of an accepted answer, no connective the answer lacks ("not
/// Yezhov" is no typo), and no rival at least as close (a near miss of two
/// names could mean either). Notes a number that alone differs.
fn typo_match(
    accepted: &[Accepted],
    rivals: &[&Prepared],
    guess: &[Word],
    other_number: &mut bool,
) -> bool {
    let form = Form::of(guess);
    let mut best: Option<usize> = None;
    for a in accepted {
        let foreign_connective = guess.iter().any(|w| {
            CONNECTIVES.contains(&w.plain.as_str()) && !a.words.iter().any(|aw| aw.plain == w.plain)
        });
        if foreign_connective {
            continue;
        }
        match form.closeness(&a.form) {
            Closeness::Same => best = Some(0),
            Closeness::Typos(n) => best = Some(best.map_or(n, |b| b.min(n))),
            Closeness::OtherNumber => *other_number = true,
            Closeness::Different => {}
        }
    }
    let Some(distance) = best else {
        return false;
    };
    !rivals.iter().any(|r| {
        form.may_be_within(&r.form, distance)
            && match form.closeness(&r.form) {
                Closeness::Same => true,
                Closeness::Typos(n) => n <= distance,
                _ => false,
            }
    })
}

/// Where `needle`'s keys occur as whole words in `haystack`.
fn find_words(haystack: &[Word], needle: &[Word]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len()).find(|&i| {
        haystack[i..i + needle.len()]
            .iter()
            .zip(needle)
            .all(|(h, n)| h.key == n.key)
    })
}

/// The longest guess that is still a "short sentence" around an answer.
const SENTENCE_WORDS: usize = 12;

/// Step 4 of [`judge_text`]: exactly one accepted answer (in any of its
/// spellings) appears as whole words, or within the typo budget as a run of
/// words, and every other word only frames it.
fn in_sentence(
    accepted: &[Accepted],
    rivals: &[&Prepared],
    guess: &[Word],
    context: &str,
    other_number: &mut bool,
) -> Option<Judgement> {
    if guess.len() < 2 || guess.len() > SENTENCE_WORDS {
        return None;
    }
    // Where the answer is: the longest exact run of words first, then runs
    // within the typo budget.
    let mut found: Option<(usize, usize)> = None; // (start, len)
    let mut by_length: Vec<&Accepted> = accepted.iter().collect();
    by_length.sort_by_key(|a| std::cmp::Reverse(a.words.len()));
    for a in &by_length {
        if let Some(start) = find_words(guess, &a.words) {
            found = Some((start, a.words.len()));
            break;
        }
    }
    if found.is_none() {
        'typos: for a in &by_length {
            let n = a.words.len();
            if n >= guess.len() {
                continue;
            }
            for start in 0..=guess.len() - n {
                let run = &guess[start..start + n];
                let key = key_of(run);
                if rivals.iter().any(|r| r.form.key == key) {
                    continue;
                }
                if typo_match(accepted, rivals, run, other_number) {
                    found = Some((start, n));
                    break 'typos;
                }
            }
        }
    }
    let (start, len) = found?;
    let span = start..start + len;
    // Every other word frames the answer: a framing word, a word of the
    // question or of an accepted answer; never a connective.
    let context_words: Vec<String> = crate::text::normalize(context)
        .split(' ')
        .map(str::to_string)
        .collect();
    let frames = |w: &Word| {
        let plain = w.plain.as_str();
        !CONNECTIVES.contains(&plain)
            && (FRAMING.contains(&plain)
                || context_words.iter().any(|c| c == plain)
                || accepted
                    .iter()
                    .any(|a| a.words.iter().any(|aw| aw.key == w.key)))
    };
    let outside_framed = guess
        .iter()
        .enumerate()
        .filter(|(i, _)| !span.contains(i))
        .all(|(_, w)| frames(w));
    if !outside_framed {
        return None;
    }
    // Another candidate named beside the answer: a hedge, wrong.
    let names_a_rival = rivals.iter().map(|r| &r.words).any(|r| {
        (0..guess.len().saturating_sub(r.len() - 1)).any(|i| {
            let here = i..i + r.len();
            guess[here.clone()]
                .iter()
                .zip(r)
                .all(|(g, rw)| g.key == rw.key)
                && !(span.contains(&here.start) && span.contains(&(here.end - 1)))
        })
    });
    if names_a_rival {
        return None;
    }
    // A typo-matched answer notes the usual spelling.
    let matched = &guess[span];
    Some(spelled(accepted, matched))
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

    fn matches(guess: &str, accepted: &[&str], rivals: &[&str], folder: &SpellingFolder) -> bool {
        let accepted: Vec<String> = accepted.iter().map(|s| s.to_string()).collect();
        let rivals: Vec<String> = rivals.iter().map(|s| s.to_string()).collect();
        let answer = TextAnswer {
            accepted: &accepted,
            rivals: &rivals,
            context: "Who ran the NKVD during the Great Terror?",
        };
        judge_text(guess, &answer, folder).correct
    }

    #[test]
    fn text_answers_forgive_typos_but_not_fragments() {
        let folder = SpellingFolder::new(&[vec!["yezh".into(), "ezh".into()]]);
        let yezhov = ["Nikolai Yezhov", "Yezhov"];
        let none = SpellingFolder::default();
        for good in [
            "Yezhov",
            "yezhov",
            "EZHOV",
            "Yezov",
            "nikolai yezhov",
            "Nikolai Ezhov",
            "the Yezhov",
            "Ежов",
            "Ežov",
            "Yezhvo",
        ] {
            assert!(matches(good, &yezhov, &[], &folder), "{good}");
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
            assert!(!matches(bad, &yezhov, &[], &folder), "{bad}");
        }
        assert!(!matches("air", &["chair"], &[], &none));
        assert!(
            matches("chiar", &["chair"], &[], &none),
            "a transposed pair is one typo"
        );
        assert!(!matches("hciar", &["chair"], &[], &none), "two are two");
        assert!(matches("chairs", &["chair"], &[], &none));
        assert!(!matches("chai", &["chair"], &[], &none));
        assert!(
            matches("Tukhachevsk", &["Tukhachevsky"], &[], &none),
            "a long name with its last letter lost"
        );
        assert!(matches("Tuchachevsky", &["Tukhachevsky"], &[], &none));
        assert!(
            !matches("Gula", &["Gulag"], &[], &none),
            "short answers must be exact"
        );
    }

    #[test]
    fn digits_are_never_typos() {
        let none = SpellingFolder::default();
        let order = ["Order No. 00447"];
        assert!(matches("order 00447", &order, &[], &none));
        assert!(matches("Order #00447", &order, &[], &none));
        assert!(matches("Order Nº 00447", &order, &[], &none));
        assert!(matches("Ordr No 00447", &order, &[], &none));
        assert!(!matches("Order 00448", &order, &[], &none));
        assert!(
            !matches("Order 447", &order, &[], &none),
            "leading zeros only where listed"
        );
        assert!(matches(
            "Order 447",
            &["Order 00447", "Order 447"],
            &[],
            &none
        ));
        assert!(!matches("Article 59", &["Article 58"], &[], &none));
        assert!(!matches("18th Congress", &["17th Congress"], &[], &none));
        let answer = TextAnswer {
            accepted: &["Order 00447".to_string()],
            ..TextAnswer::default()
        };
        assert_eq!(
            judge_text("Order 00448", &answer, &none).note,
            Some(Note::ExactNumber)
        );
    }

    #[test]
    fn a_rival_is_never_a_typo_and_never_named_beside_the_answer() {
        let none = SpellingFolder::default();
        let rivals = ["Yakovlev", "Yagoda", "Genrikh Yagoda"];
        assert!(matches("Yakir", &["Yakir"], &rivals, &none));
        // "Yakovlev" is within two typos of "Yakovleva" but is another person.
        assert!(!matches("Yakovlev", &["Yakovleva"], &rivals, &none));
        assert!(
            !matches("Yakovlev", &["Yakovleva"], &["Yakovlev"], &none),
            "exactly a rival"
        );
        assert!(
            !matches("Yakovlv", &["Yakovleva"], &["Yakovlev"], &none),
            "nearer a rival than the answer"
        );
        for bad in [
            "Yezhov or Yagoda",
            "Yezhov, Yagoda",
            "Yagoda Yezhov",
            "not Yezhov",
            "Yezhov and Beria",
        ] {
            assert!(!matches(bad, &["Yezhov"], &rivals, &none), "{bad}");
        }
    }

    #[test]
    fn the_answer_inside_a_short_sentence() {
        let none = SpellingFolder::default();
        for good in [
            "I think it was Yezhov",
            "it was Yezhov",
            "Yezhov I think",
            "Yezhov, not sure",
            "Yezhov ran the NKVD",
            "I think it was Yezov",
        ] {
            assert!(matches(good, &["Yezhov"], &["Yagoda"], &none), "{good}");
        }
        assert!(!matches("the chairman", &["chair"], &[], &none));
        // An answer that is itself a phrase of doubt still matches itself.
        assert!(matches("not sure", &["not sure"], &[], &none));
        assert!(!matches(
            "it was a chair or a table",
            &["chair"],
            &[],
            &none
        ));
    }

    #[test]
    fn abbreviations_with_dots_or_spaces() {
        let none = SpellingFolder::default();
        for good in ["NKVD", "N.K.V.D.", "N K V D", "n.k.v.d", "the NKVD"] {
            assert!(matches(good, &["NKVD"], &[], &none), "{good}");
            assert!(matches(good, &["N.K.V.D."], &[], &none), "{good}");
        }
        assert!(!matches("N.K.V.", &["NKVD"], &[], &none));
    }

    fn judge_number_(guess: &str, value: f64, tolerance: f64) -> Judgement {
        judge_number(guess, value, tolerance, "How many defendants were tried?")
    }

    #[test]
    fn numbers_say_when_only_exactness_failed() {
        assert!(judge_number_("twenty-one", 21.0, 0.0).correct);
        assert!(judge_number_("three hundred and five", 305.0, 0.0).correct);
        assert!(judge_number_("21 defendants were tried", 21.0, 0.0).correct);
        assert!(!judge_number_("twenty or twenty-one", 21.0, 0.0).correct);
        assert!(!judge_number_("lots", 21.0, 0.0).correct);
        assert!(judge_number_("No. 447", 447.0, 0.0).correct);
        assert!(judge_number_("#447", 447.0, 0.0).correct);
        assert!(judge_number_("I think 1937", 1937.0, 0.0).correct);
        assert!(judge_number_("1,108 delegates I think", 1108.0, 0.0).correct);
        assert!(!judge_number_("1936 or 1937", 1937.0, 0.0).correct);
        assert!(!judge_number_("not 1937", 1937.0, 0.0).correct);
        assert_eq!(
            judge_number_("about 1,100", 1108.0, 0.0).note,
            Some(Note::ExactFigure)
        );
        assert_eq!(
            judge_number_("1100", 1108.0, 0.0).note,
            Some(Note::ExactFigure)
        );
        assert_eq!(judge_number_("1107", 1108.0, 0.0).note, None);
        assert_eq!(judge_number_("1936", 1937.0, 0.0).note, None);
        assert_eq!(
            Note::Spelling("Yezhov".into()).message(),
            "Accepted: the usual spelling is Yezhov."
        );
    }
}

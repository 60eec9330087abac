//! Quizlet exports: one `term<SEP>definition` pair a line (a tab by default,
//! or a separator the set was exported with; with `,` the file is read as
//! CSV, quoting included). Each pair becomes a glossary entry of kind `term`
//! and generated questions: a free-text "Which term means ...?" and, when
//! the set has at least four pairs, a multiple-choice one whose wrong
//! options are other terms of the set.
//!
//! Owns reading that format with line numbers and generating the questions.
//! Knows nothing of Discord or of Quizlet beyond its export format.

use super::{
    check_length, is_typeable, limits, one_line, Builder, EntryOut, ImportError, QuestionOut,
};
use crate::content::{Difficulty, EntryKind, QuestionKind};
use std::collections::HashMap;

/// What separates term and definition on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Separator {
    /// Comma-separated values, with CSV quoting (`"a, b",definition`).
    Csv,
    /// The first occurrence of this character ends the term; the definition
    /// may contain it again.
    Char(char),
}

impl Separator {
    /// `tab` (or `\t`), `,`, or any other single character.
    pub(super) fn parse(text: &str) -> Result<Self, ImportError> {
        let mut chars = text.chars();
        match (text, chars.next(), chars.next()) {
            ("tab" | "\\t", _, _) => Ok(Separator::Char('\t')),
            (_, Some(','), None) => Ok(Separator::Csv),
            (_, Some(c), None) if c != '\n' && c != '\r' => Ok(Separator::Char(c)),
            _ => Err(ImportError::Usage(format!(
                "--separator `{text}` is not one character; use `tab`, `,`, `;` or another single character"
            ))),
        }
    }

    fn describe(self) -> String {
        match self {
            Separator::Csv => "comma".to_string(),
            Separator::Char('\t') => "tab".to_string(),
            Separator::Char(c) => format!("`{c}`"),
        }
    }
}

/// One term/definition pair and the line it starts on.
struct Pair {
    line: usize,
    term: String,
    definition: String,
}

/// Reads a Quizlet export into `builder`; every problem is recorded there.
pub(super) fn read(text: &str, separator: Separator, builder: &mut Builder) {
    let mut pairs = match separator {
        Separator::Csv => csv_pairs(text, builder),
        Separator::Char(c) => split_pairs(text, c, builder),
    };
    // A header row written by a spreadsheet, not a term of the set.
    if pairs.first().is_some_and(|p| {
        p.term.eq_ignore_ascii_case("term") && p.definition.eq_ignore_ascii_case("definition")
    }) {
        let header = pairs.remove(0);
        builder.note(header.line, "skipped the header row `term`/`definition`");
    }
    check_pairs(&pairs, builder);
    if !builder.problems.is_empty() {
        return;
    }
    generate(&pairs, builder);
}

fn split_pairs(text: &str, separator: char, builder: &mut Builder) -> Vec<Pair> {
    let mut pairs = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        match raw.split_once(separator) {
            Some((term, definition)) => pairs.push(Pair {
                line,
                term: one_line(term),
                definition: one_line(definition),
            }),
            None => builder.problem(
                line,
                None,
                format!(
                    "no {} between term and definition (give the set's separator with --separator)",
                    Separator::Char(separator).describe()
                ),
            ),
        }
    }
    pairs
}

fn csv_pairs(text: &str, builder: &mut Builder) -> Vec<Pair> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut pairs = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                builder.problem(line, None, format!("not readable as CSV: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(1, |p| p.line() as usize);
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        if record.len() < 2 {
            builder.problem(
                line,
                None,
                "no comma between term and definition (give the set's separator with --separator)",
            );
            continue;
        }
        // Quizlet does not quote its exports, so a definition with commas in
        // it arrives as several fields: they are one definition again.
        let definition = record.iter().skip(1).collect::<Vec<_>>().join(",");
        pairs.push(Pair {
            line,
            term: one_line(&record[0]),
            definition: one_line(&definition),
        });
    }
    pairs
}

/// The checker's rules, applied here so that each problem names the input
/// line: lengths, something to type, and each term once (two entries whose
/// names fold to the same text would make `/explain` guess).
fn check_pairs(pairs: &[Pair], builder: &mut Builder) {
    let mut first_line_of: HashMap<String, usize> = HashMap::new();
    for pair in pairs {
        // Terms are also multiple-choice options, so they fit a button label.
        if let Err(message) = check_length(&pair.term, "term", limits::OPTION) {
            builder.problem(pair.line, None, message);
        } else if !is_typeable(&pair.term) {
            builder.problem(
                pair.line,
                None,
                format!(
                    "the term `{}` has no letters or digits, so no one could type it",
                    pair.term
                ),
            );
        } else if let Some(first) = first_line_of
            .get(&crate::text::normalize(&pair.term))
            .copied()
        {
            builder.problem(
                pair.line,
                None,
                format!(
                    "the term `{}` is already on line {first} (ignoring case and punctuation); each term appears once",
                    pair.term
                ),
            );
        } else {
            first_line_of.insert(crate::text::normalize(&pair.term), pair.line);
        }
        if let Err(message) = check_length(&pair.definition, "definition", limits::DEFINITION) {
            builder.problem(pair.line, None, message);
        }
    }
}

/// Sets with fewer pairs have too few other terms to offer three wrong options.
const MULTIPLE_CHOICE_MIN_PAIRS: usize = 4;

fn generate(pairs: &[Pair], builder: &mut Builder) {
    builder.start_progress(pairs.len());
    let entry_ids: Vec<String> = pairs
        .iter()
        .map(|p| {
            builder
                .ids
                .fresh("", &p.term, "", &format!("term line {}", p.line))
        })
        .collect();
    let terms: Vec<&str> = pairs.iter().map(|p| p.term.as_str()).collect();
    let wrong_options = (pairs.len() >= MULTIPLE_CHOICE_MIN_PAIRS).then(|| distractors(&terms));
    let entry_explanation =
        "From the teacher's Quizlet set; no explanation has been written yet.".to_string();
    for (index, (pair, entry_id)) in pairs.iter().zip(&entry_ids).enumerate() {
        // Imported items cite no source: replies name the teacher's pack.
        let sources: Vec<String> = Vec::new();
        builder.entries.push(EntryOut {
            id: entry_id.clone(),
            kind: EntryKind::Term,
            name: pair.term.clone(),
            definition: pair.definition.clone(),
            explanation: entry_explanation.clone(),
            sources: sources.clone(),
        });
        let prompt = format!("Which term means: {}", as_question(&pair.definition));
        let explanation = format!("{} means: {}", pair.term, pair.definition);
        let fallback = format!("term line {}", pair.line);
        let free_text_id = builder.ids.fresh("q-", &pair.term, "", &fallback);
        builder.questions.push(QuestionOut {
            id: free_text_id,
            kind: QuestionKind::FreeText,
            difficulty: Difficulty::Medium,
            prompt: prompt.clone(),
            options: None,
            answer: None,
            answers: Some(vec![pair.term.clone()]),
            answer_entry: Some(entry_id.clone()),
            explanation: explanation.clone(),
            related: vec![entry_id.clone()],
            sources: sources.clone(),
            tags: Vec::new(),
        });
        if let Some(wrong_options) = &wrong_options {
            let mut options: Vec<String> = wrong_options[index]
                .iter()
                .map(|&other| pairs[other].term.clone())
                .collect();
            // The right answer moves through the four positions down the set.
            options.insert(index % 4, pair.term.clone());
            let choice_id = builder.ids.fresh("q-", &pair.term, "-choice", &fallback);
            builder.questions.push(QuestionOut {
                id: choice_id,
                kind: QuestionKind::MultipleChoice,
                difficulty: Difficulty::Easy,
                prompt: prompt.clone(),
                options: Some(options),
                answer: Some(pair.term.clone()),
                answers: None,
                answer_entry: None,
                explanation,
                related: vec![entry_id.clone()],
                sources,
                tags: Vec::new(),
            });
        }
        builder.advance();
    }
}

/// A definition as the end of a question: "A secret police." ->
/// "A secret police?"; one that already asks something is left as it is.
fn as_question(definition: &str) -> String {
    let text = definition.trim_end_matches(['.', ' ']);
    if text.ends_with(['?', '!']) {
        text.to_string()
    } else {
        format!("{text}?")
    }
}

/// For each term, three other terms of the set as wrong options: those
/// closest to it in length, so the right answer does not stand out by its
/// length, ties going to the term earlier in the file. The same set always
/// gives the same options. Needs at least four terms.
fn distractors(terms: &[&str]) -> Vec<[usize; 3]> {
    let lengths: Vec<usize> = terms.iter().map(|t| t.chars().count()).collect();
    let mut by_length: Vec<usize> = (0..terms.len()).collect();
    by_length.sort_by_key(|&i| (lengths[i], i));
    let mut chosen = vec![[0; 3]; terms.len()];
    for (rank, &term) in by_length.iter().enumerate() {
        // The three closest in length are among the three on either side.
        let window = &by_length[rank.saturating_sub(3)..(rank + 4).min(terms.len())];
        let mut nearest: Vec<usize> = window.iter().copied().filter(|&o| o != term).collect();
        nearest.sort_by_key(|&other| (lengths[other].abs_diff(lengths[term]), other));
        chosen[term] = [nearest[0], nearest[1], nearest[2]];
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{import_text, Format};

    fn problems(text: &str, separator: Option<&str>) -> Vec<String> {
        match import_text(Format::Quizlet, "set.txt", text, separator) {
            Err(ImportError::Invalid { problems, .. }) => {
                problems.iter().map(|p| p.at("set.txt")).collect()
            }
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn separators_parse() {
        assert_eq!(Separator::parse("tab").unwrap(), Separator::Char('\t'));
        assert_eq!(Separator::parse("\t").unwrap(), Separator::Char('\t'));
        assert_eq!(Separator::parse(",").unwrap(), Separator::Csv);
        assert_eq!(Separator::parse(";").unwrap(), Separator::Char(';'));
        assert!(Separator::parse("::").is_err());
        assert!(Separator::parse("").is_err());
    }

    #[test]
    fn distractors_are_other_terms_close_in_length_and_stable() {
        let terms = [
            "NKVD",
            "Troika",
            "Gulag",
            "Order 00447",
            "Dvoika",
            "Show trial",
        ];
        let chosen = distractors(&terms);
        assert_eq!(chosen, distractors(&terms), "deterministic");
        for (i, wrong) in chosen.iter().enumerate() {
            assert!(!wrong.contains(&i), "a term is not its own wrong option");
            let mut unique = wrong.to_vec();
            unique.dedup();
            assert_eq!(unique.len(), 3);
        }
        // "Troika" (6 characters): "Dvoika" (6), "Gulag" (5), "NKVD" (4); the
        // 10- and 11-character terms are further off.
        assert_eq!(chosen[1], [4, 2, 0]);
    }

    #[test]
    fn as_question_replaces_a_full_stop() {
        assert_eq!(as_question("The secret police."), "The secret police?");
        assert_eq!(as_question("Who knows?"), "Who knows?");
        assert_eq!(as_question("A camp"), "A camp?");
    }

    #[test]
    fn malformed_lines_are_reported_with_their_numbers() {
        let text = "NKVD\tThe Soviet secret police\n\nno separator here\n\tan empty term\nGulag\t\nnkvd!\tA repeat\n";
        assert_eq!(
            problems(text, None),
            [
                "set.txt:3: no tab between term and definition (give the set's separator with --separator)",
                "set.txt:4: the term is empty",
                "set.txt:5: the definition is empty",
                "set.txt:6: the term `nkvd!` is already on line 1 (ignoring case and punctuation); each term appears once",
            ]
        );
    }

    #[test]
    fn csv_quoting_and_unquoted_commas_both_read() {
        let text = "\"Show trial, Moscow\",\"A public trial, staged\"\nTroika,A commission of three, sentencing without trial\n";
        let toml_text = import_text(Format::Quizlet, "set.csv", text, Some(",")).unwrap();
        let (content, _) = crate::content::load::load_pack_text("set.toml", toml_text)
            .into_result()
            .expect("loads");
        let entries = &content.packs[0].entries;
        assert_eq!(entries[0].name, "Show trial, Moscow");
        assert_eq!(entries[0].definition, "A public trial, staged");
        assert_eq!(entries[1].name, "Troika");
        assert_eq!(
            entries[1].definition,
            "A commission of three, sentencing without trial"
        );
    }

    #[test]
    fn csv_problems_name_the_line() {
        assert_eq!(
            problems("Troika,A commission\n\"only a term\"\n", Some(",")),
            ["set.txt:2: no comma between term and definition (give the set's separator with --separator)"]
        );
    }
}

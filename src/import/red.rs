//! Red-DiscordBot trivia lists: YAML whose top-level keys are questions,
//! each mapping to a list of accepted answers, plus the optional `AUTHOR`
//! and `CONFIG` keys. Each question becomes a `free_text` question.
//!
//! Owns reading that format with line numbers (YAML 1.2, via saphyr; scalars
//! are kept as written, so an answer `3.10` stays `3.10`). Knows nothing of
//! Discord or of the bot that the list was made for beyond its file format.

use super::{check_length, is_typeable, limits, one_line, Builder, QuestionOut};
use crate::content::{Difficulty, QuestionKind};
use saphyr::{MarkedYaml, ScalarStyle, YamlData, YamlLoader};
use std::collections::HashSet;

/// Reads a trivia list into `builder`; every problem is recorded there.
pub(super) fn read(text: &str, builder: &mut Builder) {
    let documents = match parse(text) {
        Ok(documents) => documents,
        Err(e) => {
            let at = e.marker();
            builder.problem(at.line(), Some(at.col() + 1), e.info());
            return;
        }
    };
    let Some(root) = documents.first() else {
        builder.problem(
            1,
            None,
            "the file is empty; a trivia list maps each question to its answers",
        );
        return;
    };
    if let Some(second) = documents.get(1) {
        let (line, column) = position(second);
        builder.problem(
            line,
            Some(column),
            "a second YAML document; a trivia list is one document",
        );
    }
    let YamlData::Mapping(items) = &root.data else {
        let (line, column) = position(root);
        builder.problem(
            line,
            Some(column),
            "a trivia list maps each question to its answers (`Question?:` then `- answer` lines)",
        );
        return;
    };
    builder.start_progress(items.len());
    for (key, value) in items {
        let (line, column) = position(key);
        match scalar_text(key) {
            Some(Some(name)) if name == "AUTHOR" => author(value, builder),
            Some(Some(name)) if name == "CONFIG" => builder.note(
                line,
                "CONFIG is ignored: studybot's quizzes take their settings from its config and commands",
            ),
            Some(Some(prompt)) => question(&prompt, line, column, value, builder),
            Some(None) => builder.problem(line, Some(column), "a question with no text"),
            None => builder.problem(
                line,
                Some(column),
                "a question is text, not a list or a mapping",
            ),
        }
        builder.advance();
    }
}

/// The YAML documents of `text`, scalars left as written (not resolved to
/// numbers or booleans), with their positions.
fn parse(text: &str) -> Result<Vec<MarkedYaml<'_>>, saphyr::ScanError> {
    let mut loader: YamlLoader<'_, MarkedYaml<'_>> = YamlLoader::default();
    loader.early_parse(false);
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    parser.load(&mut loader, true)?;
    if let Some(e) = loader.error() {
        return Err(e.clone());
    }
    Ok(loader.into_documents())
}

/// 1-based line and column of a node's start.
fn position(node: &MarkedYaml<'_>) -> (usize, usize) {
    (node.span.start.line(), node.span.start.col() + 1)
}

/// The text of a scalar as written: `Some(None)` for a YAML null (`~`,
/// `null`, nothing), `None` for a list or mapping.
fn scalar_text(node: &MarkedYaml<'_>) -> Option<Option<String>> {
    match &node.data {
        YamlData::Representation(text, style, _) => {
            let is_null = *style == ScalarStyle::Plain
                && matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL");
            Some((!is_null).then(|| text.to_string()))
        }
        YamlData::Value(scalar) => match scalar {
            saphyr::Scalar::Null => Some(None),
            saphyr::Scalar::Boolean(b) => Some(Some(b.to_string())),
            saphyr::Scalar::Integer(i) => Some(Some(i.to_string())),
            saphyr::Scalar::FloatingPoint(f) => Some(Some(f.to_string())),
            saphyr::Scalar::String(s) => Some(Some(s.to_string())),
        },
        YamlData::Tagged(_, inner) => scalar_text(inner),
        _ => None,
    }
}

fn author(value: &MarkedYaml<'_>, builder: &mut Builder) {
    let (line, column) = position(value);
    match scalar_text(value) {
        Some(Some(text)) => {
            let name = one_line(&text);
            match check_length(&name, "AUTHOR", limits::LABEL) {
                Ok(()) => builder.author = Some(name),
                Err(message) => builder.problem(line, Some(column), message),
            }
        }
        Some(None) => {}
        None => builder.problem(
            line,
            Some(column),
            "AUTHOR is a name, not a list or mapping",
        ),
    }
}

fn question(
    prompt: &str,
    line: usize,
    column: usize,
    value: &MarkedYaml<'_>,
    builder: &mut Builder,
) {
    let prompt = prompt.trim();
    if let Err(message) = check_length(prompt, "question", limits::FIELD) {
        builder.problem(line, Some(column), message);
    }
    let items: &[MarkedYaml<'_>] = match &value.data {
        YamlData::Sequence(items) => items,
        _ if matches!(scalar_text(value), Some(None)) => &[],
        _ => {
            let (line, column) = position(value);
            builder.problem(
                line,
                Some(column),
                "the answers to a question are a list: one `- answer` line each",
            );
            return;
        }
    };
    let mut answers: Vec<String> = Vec::new();
    let mut folded_seen = HashSet::new();
    for item in items {
        let (line, column) = position(item);
        let text = match scalar_text(item) {
            Some(Some(text)) => one_line(&text),
            Some(None) => String::new(),
            None => {
                builder.problem(
                    line,
                    Some(column),
                    "an answer is one value, not a list or mapping",
                );
                continue;
            }
        };
        if let Err(message) = check_length(&text, "answer", limits::OPTION) {
            builder.problem(line, Some(column), message);
        } else if !is_typeable(&text) {
            builder.problem(
                line,
                Some(column),
                format!("the answer `{text}` has no letters or digits, so no one could type it"),
            );
        } else if folded_seen.insert(crate::text::normalize(&text)) {
            // Spellings that differ only in case or punctuation match the same
            // typed answers; the first is kept as the one shown.
            answers.push(text);
        }
    }
    if items.is_empty() {
        builder.problem(
            line,
            Some(column),
            "this question has no answers; list them below it as `- answer` lines",
        );
    }
    if answers.is_empty() {
        return;
    }
    let id = builder.ids.fresh("q-", prompt, "", &format!("line {line}"));
    let question = QuestionOut {
        id,
        kind: QuestionKind::FreeText,
        difficulty: Difficulty::Medium,
        prompt: prompt.to_string(),
        options: None,
        answer: None,
        explanation: accepted_answers(&answers),
        answers: Some(answers),
        answer_entry: None,
        related: Vec::new(),
        sources: vec![builder.source.clone()],
    };
    builder.questions.push(question);
}

/// The explanation shown after a round: every accepted answer, as many as
/// fit a question's explanation.
fn accepted_answers(answers: &[String]) -> String {
    let mut text = if answers.len() == 1 {
        "Accepted answer: ".to_string()
    } else {
        "Accepted answers: ".to_string()
    };
    // Room for " and 999 more." after the last answer that fits.
    let budget = limits::FIELD - 16;
    for (i, answer) in answers.iter().enumerate() {
        let piece = if i == 0 {
            answer.clone()
        } else {
            format!(", {answer}")
        };
        if text.chars().count() + piece.chars().count() > budget {
            text.push_str(&format!(" and {} more", answers.len() - i));
            break;
        }
        text.push_str(&piece);
    }
    text.push('.');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{import_text, Format, ImportError};

    fn problems(yaml: &str) -> Vec<String> {
        match import_text(Format::RedTrivia, "list.yaml", yaml, None) {
            Err(ImportError::Invalid { problems, .. }) => {
                problems.iter().map(|p| p.at("list.yaml")).collect()
            }
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn scalars_keep_their_written_form() {
        let docs = parse("- 3.10\n- yes\n- 0x1F\n- ~\n- '~'\n").unwrap();
        let YamlData::Sequence(items) = &docs[0].data else {
            panic!("a list")
        };
        let texts: Vec<_> = items.iter().map(scalar_text).collect();
        assert_eq!(
            texts,
            [
                Some(Some("3.10".to_string())),
                Some(Some("yes".to_string())),
                Some(Some("0x1F".to_string())),
                Some(None),
                Some(Some("~".to_string())),
            ]
        );
    }

    #[test]
    fn syntax_errors_and_duplicate_questions_are_located() {
        assert_eq!(
            problems("Q1?:\n  - a\nQ2?: [b\n"),
            ["list.yaml:4:1: while parsing a flow sequence, expected ',' or ']'"]
        );
        let duplicate = problems("Same?:\n- a\nOther?:\n- b\nSame?:\n- c\n");
        assert_eq!(duplicate.len(), 1);
        assert!(
            duplicate[0].starts_with("list.yaml:5:1: ") && duplicate[0].contains("duplicated key"),
            "{duplicate:?}"
        );
    }

    #[test]
    fn every_bad_question_is_reported_at_its_line() {
        let yaml = "\
Good?:
- fine
No answers?:
Empty list?: []
Nested?:
- [a, b]
Too long?:
- \"this answer is far too long to fit on a Discord button label, which is eighty characters\"
Only punctuation?:
- \"?!\"
Not a list?: just text
";
        assert_eq!(
            problems(yaml),
            [
                "list.yaml:3:1: this question has no answers; list them below it as `- answer` lines",
                "list.yaml:4:1: this question has no answers; list them below it as `- answer` lines",
                "list.yaml:6:3: an answer is one value, not a list or mapping",
                "list.yaml:8:3: the answer is 88 characters long; at most 80 fit",
                "list.yaml:10:3: the answer `?!` has no letters or digits, so no one could type it",
                "list.yaml:11:14: the answers to a question are a list: one `- answer` line each",
            ]
        );
    }

    #[test]
    fn answers_that_differ_only_in_case_are_kept_once() {
        let toml_text = import_text(
            Format::RedTrivia,
            "list.yaml",
            "Capital of France?:\n- Paris\n- paris\n- PARIS!\n- Lutetia\n",
            None,
        )
        .unwrap();
        assert!(
            toml_text.contains("answers = [\n    \"Paris\",\n    \"Lutetia\",\n]")
                || toml_text.contains("answers = [\"Paris\", \"Lutetia\"]"),
            "{toml_text}"
        );
    }

    #[test]
    fn a_long_list_of_answers_is_summarised_within_the_limit() {
        let answers: Vec<String> = (0..40)
            .map(|i| format!("answer number {i:02} {}", "x".repeat(30)))
            .collect();
        let text = accepted_answers(&answers);
        assert!(text.chars().count() <= limits::FIELD);
        assert!(text.starts_with("Accepted answers: answer number 00"));
        assert!(text.ends_with(" more."), "{text}");
    }
}

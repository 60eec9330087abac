//! Red-DiscordBot trivia lists, exactly as Red's own schema
//! (`redbot/cogs/trivia/schema.py`) defines them: YAML whose keys are
//! questions, each mapping to a list of accepted answers (text, integers,
//! floats or booleans), plus the optional `AUTHOR`, `DESCRIPTION`, `CONFIG`
//! and `$schema` keys. Each question becomes a `free_text` question; a
//! question repeated in the file is taken from its last occurrence, as
//! Red's loader does.
//!
//! Owns reading that format with line numbers (YAML via saphyr; scalars are
//! kept as written, so an answer `3.10` stays `3.10`, while YAML 1.1
//! booleans also accept what Red accepts for them). Knows nothing of Discord
//! or of the bot that the list was made for beyond its file format.

use super::{check_length, is_typeable, limits, one_line, within, Builder, QuestionOut};
use crate::content::CompetitionDefaults;
use saphyr::{MarkedYaml, ScalarStyle, YamlData, YamlLoader};
use saphyr_parser::Event;
use std::collections::{HashMap, HashSet};

/// The keys of Red's `CONFIG` mapping, with what becomes of each here.
const CONFIG_KEYS: [&str; 7] = [
    "max_score",
    "timeout",
    "delay",
    "bot_plays",
    "reveal_answer",
    "payout_multiplier",
    "use_spoilers",
];

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
    let repeats = repeated_keys(text);
    builder.start_progress(items.len());
    for (key, value) in items {
        let (mut line, mut column) = position(key);
        match scalar_text(key) {
            Some(Some(name)) if name == "AUTHOR" => author(value, builder),
            Some(Some(name)) if name == "DESCRIPTION" => description(value, builder),
            Some(Some(name)) if name == "CONFIG" => config(line, value, builder),
            Some(Some(name)) if name == "$schema" => {
                if !matches!(scalar_text(value), Some(Some(_))) {
                    let (line, column) = position(value);
                    builder.problem(line, Some(column), "`$schema` is a text value (a URL)");
                } else {
                    builder.note(
                        line,
                        "`$schema` (the schema for editors to check the list against) is not kept",
                    );
                }
            }
            Some(Some(prompt)) => {
                if let Some(lines) = repeats.get(&prompt).filter(|l| l.len() > 1) {
                    // The loader kept the first key and the last value: the
                    // question is the last one, as Red's loader has it.
                    let (first, last) = (lines[0], lines[lines.len() - 1]);
                    builder.note(
                        last.0,
                        format!(
                            "the question on line {first} is repeated on line {}; the last one is kept, as Red does",
                            last.0,
                            first = first.0
                        ),
                    );
                    (line, column) = last;
                }
                question(&prompt, line, column, value, builder)
            }
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
/// numbers or booleans), with their positions. A repeated key keeps its
/// first position and its last value (Red's loader keeps the last).
fn parse(text: &str) -> Result<Vec<MarkedYaml<'_>>, saphyr::ScanError> {
    let mut loader: YamlLoader<'_, MarkedYaml<'_>> = YamlLoader::default();
    loader.early_parse(false);
    loader.allow_duplicate_keys(true);
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    parser.load(&mut loader, true)?;
    if let Some(e) = loader.error() {
        return Err(e.clone());
    }
    Ok(loader.into_documents())
}

/// Every line and column at which each top-level key of the first document
/// is written, in file order: the loader keeps only one of a repeated key.
fn repeated_keys(text: &str) -> HashMap<String, Vec<(usize, usize)>> {
    let mut keys: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    let mut depth = 0usize;
    // Inside the root mapping, nodes alternate key, value.
    let mut next_is_key = true;
    for event in saphyr_parser::Parser::new_from_str(text) {
        let Ok((event, span)) = event else { break };
        match event {
            Event::DocumentEnd => break,
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if depth == 1 {
                    next_is_key = !next_is_key;
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => depth = depth.saturating_sub(1),
            Event::Scalar(value, ..) if depth == 1 => {
                if next_is_key {
                    keys.entry(value.to_string())
                        .or_default()
                        .push((span.start.line(), span.start.col() + 1));
                }
                next_is_key = !next_is_key;
            }
            Event::Alias(_) if depth == 1 => next_is_key = !next_is_key,
            _ => {}
        }
    }
    keys
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

/// A plain scalar that Red's YAML loader (YAML 1.1) reads as a boolean.
fn yaml11_bool(node: &MarkedYaml<'_>) -> Option<bool> {
    let YamlData::Representation(text, ScalarStyle::Plain, _) = &node.data else {
        return None;
    };
    match text.as_ref() {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// A plain scalar that Red's YAML loader reads as a number.
fn yaml_number(node: &MarkedYaml<'_>) -> Option<f64> {
    let YamlData::Representation(text, ScalarStyle::Plain, _) = &node.data else {
        return None;
    };
    let text = text.replace('_', "");
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn author(value: &MarkedYaml<'_>, builder: &mut Builder) {
    let (line, column) = position(value);
    match scalar_text(value) {
        Some(Some(text)) => {
            let name = one_line(&text);
            // Red's limit: lists credit dozens of contributors. The pack's
            // description, which names them, is cut to fit its own limit.
            match check_length(&name, "AUTHOR", 1000) {
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

fn description(value: &MarkedYaml<'_>, builder: &mut Builder) {
    let (line, column) = position(value);
    match scalar_text(value) {
        Some(Some(text)) => {
            let text = one_line(&text);
            // Red allows 200 characters; the pack's description has room
            // for that and the note of where the list came from.
            match check_length(&text, "DESCRIPTION", 400) {
                Ok(()) => builder.description = Some(text),
                Err(message) => builder.problem(line, Some(column), message),
            }
        }
        Some(None) => {}
        None => builder.problem(
            line,
            Some(column),
            "DESCRIPTION is a text value, not a list or mapping",
        ),
    }
}

/// Red's `CONFIG`: checked as Red checks it. `delay` (Red's time to answer
/// a question) and `max_score` (the points that win) become the pack's
/// competition seconds and rounds; the rest has no counterpart here
/// (`timeout` is Red's stop after silence) and is named in a note.
fn config(line: usize, value: &MarkedYaml<'_>, builder: &mut Builder) {
    let YamlData::Mapping(settings) = &value.data else {
        if matches!(scalar_text(value), Some(None)) {
            return;
        }
        let (line, column) = position(value);
        builder.problem(
            line,
            Some(column),
            "CONFIG is a mapping of settings (`max_score: 10` lines)",
        );
        return;
    };
    let mut dropped = Vec::new();
    let mut kept = Vec::new();
    for (key, value) in settings {
        let (key_line, key_column) = position(key);
        let (value_line, value_column) = position(value);
        let Some(Some(name)) = scalar_text(key) else {
            builder.problem(key_line, Some(key_column), "a CONFIG key is text");
            continue;
        };
        let number = yaml_number(value);
        let valid = match name.as_str() {
            "max_score" => number.is_some_and(|n| n >= 1.0 && n.fract() == 0.0),
            "timeout" => number.is_some_and(|n| n > 0.0),
            "delay" => number.is_some_and(|n| n >= 4.0),
            "payout_multiplier" => number.is_some_and(|n| n >= 0.0),
            "bot_plays" | "reveal_answer" | "use_spoilers" => yaml11_bool(value).is_some(),
            _ => {
                builder.problem(
                    key_line,
                    Some(key_column),
                    format!(
                        "`{name}` is not a CONFIG key; Red's are {}",
                        CONFIG_KEYS.join(", ")
                    ),
                );
                continue;
            }
        };
        if !valid {
            let rule = match name.as_str() {
                "max_score" => "a positive whole number",
                "timeout" => "a positive number of seconds",
                "delay" => "a number of seconds, at least 4",
                "payout_multiplier" => "a number, at least 0",
                _ => "true or false",
            };
            builder.problem(
                value_line,
                Some(value_column),
                format!("CONFIG `{name}` must be {rule}"),
            );
            continue;
        }
        let written = scalar_text(value).flatten().unwrap_or_default();
        match (name.as_str(), number) {
            ("max_score", Some(n)) => {
                let rounds = within(n, CompetitionDefaults::ROUNDS);
                builder.competition.rounds = Some(rounds);
                kept.push(format!("max_score {written} -> {rounds} rounds"));
            }
            ("delay", Some(n)) => {
                let seconds = within(n, CompetitionDefaults::SECONDS);
                builder.competition.seconds = Some(seconds);
                kept.push(format!("delay {written} -> {seconds} seconds a question"));
            }
            _ => dropped.push(name),
        }
    }
    if !kept.is_empty() {
        builder.note(
            line,
            format!(
                "CONFIG {} become the pack's competition settings (`[pack.competition]`, used when its questions are the only ones on)",
                kept.join(", ")
            ),
        );
    }
    if !dropped.is_empty() {
        builder.note(
            line,
            format!(
                "CONFIG {} not carried over: studybot has no such settings",
                if dropped.len() == 1 {
                    format!("{} is", dropped[0])
                } else {
                    format!("({}) are", dropped.join(", "))
                }
            ),
        );
    }
}

/// Red's answers to a boolean, as Red's `_parse_answers` spells them.
fn red_bool_answers(value: bool) -> [&'static str; 3] {
    if value {
        ["True", "Yes", "On"]
    } else {
        ["False", "No", "Off"]
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
    let mut too_long = Vec::new();
    for item in items {
        let (line, column) = position(item);
        let mut texts = match scalar_text(item) {
            Some(Some(text)) => vec![one_line(&text)],
            Some(None) => vec![String::new()],
            None => {
                builder.problem(
                    line,
                    Some(column),
                    "an answer is one value, not a list or mapping",
                );
                continue;
            }
        };
        // Red reads `yes` as a boolean and then accepts True, Yes and On.
        if let Some(value) = yaml11_bool(item) {
            texts.extend(red_bool_answers(value).map(String::from));
        }
        for text in texts {
            if text.chars().count() > limits::FIELD {
                too_long.push((line, text.chars().count()));
            } else if let Err(message) = check_length(&text, "answer", limits::FIELD) {
                builder.problem(line, Some(column), message);
            } else if !is_typeable(&text) {
                builder.problem(
                    line,
                    Some(column),
                    format!(
                        "the answer `{text}` has no letters or digits, so no one could type it"
                    ),
                );
            } else if folded_seen.insert(crate::text::normalize(&text)) {
                // Spellings that differ only in case or punctuation match the
                // same typed answers; the first is kept as the one shown.
                answers.push(text);
            }
        }
    }
    if items.is_empty() {
        builder.problem(
            line,
            Some(column),
            "this question has no answers; list them below it as `- answer` lines",
        );
    }
    for (answer_line, length) in too_long {
        if answers.is_empty() {
            builder.problem(
                answer_line,
                None,
                format!(
                    "the answer is {length} characters long; at most {} fit, and the question has no other",
                    limits::FIELD
                ),
            );
        } else {
            builder.note(
                answer_line,
                format!(
                    "an answer of {length} characters is left out (at most {} fit); the question keeps its others",
                    limits::FIELD
                ),
            );
        }
    }
    if answers.is_empty() {
        return;
    }
    let id = builder.ids.fresh("q-", prompt, "", &format!("line {line}"));
    builder.questions.push(QuestionOut::free_text(
        id,
        prompt.to_string(),
        answers,
        Vec::new(),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{import_text, Builder, Format, ImportError};

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
        assert_eq!(
            problems("Q1?:\n  - a\nQ2?: [b, ~]\n"),
            ["list.yaml:3:10: the answer is empty"]
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
- \"{long}\"
Only punctuation?:
- \"?!\"
Not a list?: just text
"
        .replace("{long}", &"x".repeat(1100));
        assert_eq!(
            problems(&yaml),
            [
                "list.yaml:3:1: this question has no answers; list them below it as `- answer` lines",
                "list.yaml:4:1: this question has no answers; list them below it as `- answer` lines",
                "list.yaml:6:3: an answer is one value, not a list or mapping",
                "list.yaml:8: the answer is 1100 characters long; at most 1024 fit, and the question has no other",
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
    fn every_key_of_reds_schema_is_read() {
        let long = format!("Alexander Siddig, born {}", "Siddig El Fadil ".repeat(6));
        let yaml = format!(
            "\
$schema: https://schema.discord.red/trivia.json
AUTHOR: Red
DESCRIPTION: A list with every kind of key.
CONFIG:
  max_score: 10
  timeout: 120
  delay: 20.5
  bot_plays: true
  reveal_answer: no
  payout_multiplier: 0
  use_spoilers: off
Is the Moon a planet?:
- no
How many Soviet republics were there in 1991?:
- 15
What is pi to two places?:
- 3.14
Who played Dr Bashir?:
- {long}
- Siddig
Repeated?:
- first
Repeated?:
- last
"
        );
        let mut builder = Builder::new(false);
        read(&yaml, &mut builder);
        assert!(builder.problems.is_empty(), "{:?}", builder.problems);
        let notes: Vec<String> = builder.notes.iter().map(|n| n.at("l.yaml")).collect();
        assert_eq!(
            notes,
            [
                "l.yaml:1: `$schema` (the schema for editors to check the list against) is not kept",
                "l.yaml:4: CONFIG max_score 10 -> 10 rounds, delay 20.5 -> 21 seconds a question become the pack's competition settings (`[pack.competition]`, used when its questions are the only ones on)",
                "l.yaml:4: CONFIG (timeout, bot_plays, reveal_answer, payout_multiplier, use_spoilers) are not carried over: studybot has no such settings",
                "l.yaml:23: the question on line 21 is repeated on line 23; the last one is kept, as Red does",
            ]
        );
        assert_eq!(builder.author.as_deref(), Some("Red"));
        assert_eq!(
            (builder.competition.rounds, builder.competition.seconds),
            (Some(10), Some(21))
        );
        assert_eq!(
            builder.description.as_deref(),
            Some("A list with every kind of key.")
        );
        let answers: Vec<(&str, &[String])> = builder
            .questions
            .iter()
            .map(|q| (q.prompt.as_str(), q.answers.as_deref().unwrap()))
            .collect();
        assert_eq!(answers.len(), 5);
        // `no` is a boolean to Red, which then accepts False, No and Off.
        assert_eq!(answers[0].1, ["no", "False", "Off"]);
        assert_eq!(answers[1].1, ["15"]);
        assert_eq!(answers[2].1, ["3.14"]);
        // An answer longer than a button label stays an accepted typed answer.
        assert_eq!(answers[3].1, [long.trim().to_string(), "Siddig".into()]);
        assert_eq!(answers[4], ("Repeated?", &["last".to_string()][..]));
    }

    #[test]
    fn config_is_checked_as_red_checks_it() {
        let bad =
            problems("CONFIG:\n  max_score: 0\n  bot_plays: maybe\n  colour: red\nQ?:\n- a\n");
        assert_eq!(
            bad,
            [
                "list.yaml:2:14: CONFIG `max_score` must be a positive whole number",
                "list.yaml:3:14: CONFIG `bot_plays` must be true or false",
                "list.yaml:4:3: `colour` is not a CONFIG key; Red's are max_score, timeout, delay, bot_plays, reveal_answer, payout_multiplier, use_spoilers",
            ]
        );
    }
}

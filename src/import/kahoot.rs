//! Kahoot quiz spreadsheets: Kahoot's "quiz spreadsheet template" (`.xlsx`),
//! a header row (Question, Answer 1-4, Time limit, Correct answer(s)) above
//! one row per question. Each row becomes a `multiple_choice` question.
//!
//! Owns finding the template's columns by their headers (teachers move
//! them, and the template has title rows above) and reading the rows with
//! calamine; every problem names its row and column. Knows nothing of
//! Discord or of Kahoot beyond its spreadsheet template.

use super::{check_length, fit, limits, one_line, within, Builder, QuestionOut};
use crate::content::{CompetitionDefaults, Difficulty, QuestionKind};
use calamine::{Data, Reader, Xlsx};
use std::collections::{BTreeMap, HashMap};

/// The columns of the template, found by the start of their header text.
#[derive(Debug, Default)]
struct Columns {
    question: Option<usize>,
    answers: [Option<usize>; 4],
    time_limit: Option<usize>,
    correct: Option<usize>,
}

impl Columns {
    /// The columns named in `row`, when it is the template's header row.
    fn from_header(row: &[Data]) -> Option<Self> {
        let mut columns = Columns::default();
        for (index, cell) in row.iter().enumerate() {
            let header = cell.to_string().trim().to_lowercase();
            if header.starts_with("question") {
                columns.question.get_or_insert(index);
            } else if let Some(rest) = header.strip_prefix("answer ") {
                if let Some(n @ 1..=4) = rest.chars().next().and_then(|c| c.to_digit(10)) {
                    columns.answers[n as usize - 1].get_or_insert(index);
                }
            } else if header.starts_with("time limit") {
                columns.time_limit.get_or_insert(index);
            } else if header.starts_with("correct answer") {
                columns.correct.get_or_insert(index);
            }
        }
        (columns.question.is_some()
            && columns.answers[0].is_some()
            && columns.answers[1].is_some()
            && columns.correct.is_some())
        .then_some(columns)
    }
}

/// The largest spreadsheet read, in rows: Kahoot quizzes are far smaller.
const MAX_ROWS: usize = 10_000;

/// Reads a Kahoot spreadsheet into `builder`; every problem is recorded there.
pub(super) fn read(data: &[u8], builder: &mut Builder) {
    let mut workbook: Xlsx<_> = match calamine::open_workbook_from_rs(std::io::Cursor::new(data)) {
        Ok(workbook) => workbook,
        Err(e) => {
            builder.problem(
                1,
                None,
                format!("not a readable .xlsx spreadsheet ({e}); save the quiz as Excel .xlsx"),
            );
            return;
        }
    };
    let range = match workbook.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(e)) => {
            builder.problem(1, None, format!("the first sheet cannot be read: {e}"));
            return;
        }
        None => {
            builder.problem(1, None, "the spreadsheet has no sheets");
            return;
        }
    };
    // Positions in the sheet are 1-based, as a spreadsheet shows them; the
    // range starts at its first used cell.
    let (first_row, first_column) = range
        .start()
        .map_or((1, 1), |(r, c)| (r as usize + 1, c as usize + 1));
    let rows: Vec<&[Data]> = range.rows().take(MAX_ROWS).collect();
    let Some((header_index, columns)) = rows
        .iter()
        .enumerate()
        .find_map(|(i, row)| Columns::from_header(row).map(|c| (i, c)))
    else {
        builder.problem(
            first_row,
            None,
            "no header row naming the columns Question, Answer 1, Answer 2 and Correct answer(s): use Kahoot's quiz spreadsheet template",
        );
        return;
    };
    builder.start_progress(rows.len() - header_index - 1);
    let mut time_limits: BTreeMap<u64, usize> = BTreeMap::new();
    for (index, row) in rows.iter().enumerate().skip(header_index + 1) {
        let at = Row {
            cells: row,
            number: first_row + index,
            first_column,
        };
        if let Some(seconds) = question_row(&at, &columns, builder) {
            *time_limits.entry(seconds).or_default() += 1;
        }
        builder.advance();
    }
    // The most common time limit (the shorter of equals) times the pack's
    // competitions; the others are named.
    if let Some((&most_common, _)) = time_limits
        .iter()
        .max_by_key(|(seconds, count)| (**count, std::cmp::Reverse(**seconds)))
    {
        let seconds = within(most_common as f64, CompetitionDefaults::SECONDS);
        builder.competition.seconds = Some(seconds);
        let limits: Vec<String> = time_limits
            .iter()
            .map(|(seconds, count)| {
                format!(
                    "{seconds} s ({count} question{})",
                    if *count == 1 { "" } else { "s" }
                )
            })
            .collect();
        builder.note(
            first_row + header_index,
            format!(
                "time limits {}: the pack's competitions give {seconds} seconds a question (`[pack.competition]`)",
                limits.join(", ")
            ),
        );
    }
}

/// One row of the sheet and where it is.
struct Row<'a> {
    cells: &'a [Data],
    /// 1-based row number, as the spreadsheet shows it.
    number: usize,
    /// 1-based column number of `cells[0]`.
    first_column: usize,
}

impl Row<'_> {
    /// The cell's text, trimmed and on one line; empty for an empty cell.
    fn text(&self, column: Option<usize>) -> String {
        column
            .and_then(|c| self.cells.get(c))
            .map(|cell| match cell {
                // Whole numbers as typed: an answer `1945`, not `1945.0`.
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                other => other.to_string(),
            })
            .map(|text| one_line(&text))
            .unwrap_or_default()
    }

    /// 1-based column number of a column index.
    fn column(&self, column: Option<usize>) -> Option<usize> {
        column.map(|c| self.first_column + c)
    }
}

/// Reads one question row; returns its time limit in seconds, if it has one.
fn question_row(row: &Row<'_>, columns: &Columns, builder: &mut Builder) -> Option<u64> {
    let question = row.text(columns.question);
    let answers: Vec<String> = columns.answers.iter().map(|&c| row.text(c)).collect();
    let correct = row.text(columns.correct);
    let time_limit = row.text(columns.time_limit);
    if question.is_empty() && answers.iter().all(String::is_empty) {
        // The template numbers rows it leaves empty; so may a teacher.
        return None;
    }
    let problems_before = builder.problems.len();
    let question_column = row.column(columns.question);
    if let Err(message) = check_length(&question, "question", limits::FIELD) {
        builder.problem(row.number, question_column, message);
    }
    let mut options: Vec<(usize, String)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, answer) in answers.iter().enumerate() {
        let number = i + 1;
        if answer.is_empty() {
            continue;
        }
        let column = row.column(columns.answers[i]);
        if let Err(message) = check_length(answer, &format!("answer {number}"), limits::OPTION) {
            builder.problem(row.number, column, format!("{message} (a button label)"));
        } else if let Some(first) = seen.insert(crate::text::normalize(answer), number) {
            builder.problem(
                row.number,
                column,
                format!("answer {number} is the same as answer {first}"),
            );
        }
        options.push((number, answer.clone()));
    }
    if options.len() < 2 {
        builder.problem(
            row.number,
            row.column(columns.answers[0]),
            "a question needs at least two answers (Answer 1 to Answer 4)",
        );
    }
    let correct_column = row.column(columns.correct);
    let correct_numbers: Vec<usize> = match parse_numbers(&correct) {
        Some(numbers) if !numbers.is_empty() => numbers,
        Some(_) => {
            builder.problem(
                row.number,
                correct_column,
                "no correct answer: give its number, 1 to 4",
            );
            Vec::new()
        }
        None => {
            builder.problem(
                row.number,
                correct_column,
                format!(
                    "`{correct}` is not an answer number: give the correct answer's number, 1 to 4"
                ),
            );
            Vec::new()
        }
    };
    for &number in &correct_numbers {
        if !options.iter().any(|(n, _)| *n == number) {
            builder.problem(
                row.number,
                correct_column,
                format!("the correct answer is number {number}, but answer {number} is empty"),
            );
        }
    }
    let seconds = if time_limit.is_empty() {
        None
    } else {
        match time_limit.parse::<f64>() {
            Ok(seconds) if seconds > 0.0 && seconds <= 3600.0 && seconds.fract() == 0.0 => {
                Some(seconds as u64)
            }
            _ => {
                builder.problem(
                    row.number,
                    row.column(columns.time_limit),
                    format!("`{time_limit}` is not a time limit: give whole seconds (5, 10, 20, 30, 60, 90, 120 or 240)"),
                );
                None
            }
        }
    };
    if builder.problems.len() > problems_before {
        return None;
    }
    if correct_numbers.len() > 1 {
        let numbers: Vec<String> = correct_numbers.iter().map(usize::to_string).collect();
        builder.note(
            row.number,
            format!(
                "answers {} are all correct; a multiple-choice question here has one right answer, so this question is left out",
                numbers.join(", ")
            ),
        );
        return seconds;
    }
    let right = options
        .iter()
        .find(|(n, _)| *n == correct_numbers[0])
        .map(|(_, text)| text.clone())
        .expect("checked above");
    let id = builder
        .ids
        .fresh("q-", &question, "", &format!("row {}", row.number));
    builder.questions.push(QuestionOut {
        id,
        kind: QuestionKind::MultipleChoice,
        difficulty: Difficulty::Medium,
        prompt: question,
        options: Some(options.into_iter().map(|(_, text)| text).collect()),
        explanation: fit(&format!("The answer is {right}."), limits::FIELD),
        answer: Some(right),
        answers: None,
        answer_entry: None,
        related: Vec::new(),
        sources: Vec::new(),
        tags: Vec::new(),
    });
    seconds
}

/// `1`, `2`, `1,3`, `1, 3` or `1 3` -> the numbers 1-4 (sorted, once
/// each); `None` when anything else is in the cell.
fn parse_numbers(text: &str) -> Option<Vec<usize>> {
    let mut numbers = Vec::new();
    for part in text.split([',', ';', ' ']).filter(|p| !p.is_empty()) {
        match part.parse::<usize>() {
            Ok(n @ 1..=4) => numbers.push(n),
            _ => return None,
        }
    }
    numbers.sort_unstable();
    numbers.dedup();
    Some(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correct_answer_numbers_parse() {
        assert_eq!(parse_numbers("2"), Some(vec![2]));
        assert_eq!(parse_numbers("3, 1"), Some(vec![1, 3]));
        assert_eq!(parse_numbers(""), Some(vec![]));
        assert_eq!(parse_numbers("5"), None);
        assert_eq!(parse_numbers("B"), None);
    }

    #[test]
    fn the_header_row_is_found_by_its_texts() {
        let header: Vec<Data> = [
            "",
            "Question - max 120 characters",
            "Answer 1 - max 75 characters",
            "Answer 2 - max 75 characters",
            "Answer 3 - max 75 characters",
            "Answer 4 - max 75 characters",
            "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
            "Correct answer(s) - choose at least one",
        ]
        .into_iter()
        .map(|t| Data::String(t.to_string()))
        .collect();
        let columns = Columns::from_header(&header).expect("a header");
        assert_eq!(columns.question, Some(1));
        assert_eq!(columns.answers, [Some(2), Some(3), Some(4), Some(5)]);
        assert_eq!(columns.time_limit, Some(6));
        assert_eq!(columns.correct, Some(7));
        assert!(Columns::from_header(&header[..3]).is_none());
    }
}

//! `studybot import` through the real binary: small Red trivia lists and
//! Quizlet sets written for these tests become packs that the real content
//! checker loads, with the questions and answers they came with; malformed
//! input is reported at its lines and nothing is written.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use studybot::content::{Answer, Entry, EntryKind, Pack, Question, QuestionKind};
use studybot::Library;

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/import").join(name)
}

/// Runs `studybot import ARGS` in `dir`.
fn import(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    studybot(dir, &all)
}

/// Loads a written pack with the checker the bot uses; it must have no errors.
fn load_pack(path: &Path) -> Pack {
    let (library, warnings) = Library::load(&[path.to_path_buf()])
        .unwrap_or_else(|e| panic!("{} does not pass the checker:\n{e}", path.display()));
    assert!(warnings.is_empty(), "warnings: {warnings:?}");
    assert_eq!(library.content.packs.len(), 1);
    (*library.content.packs[0]).clone()
}

fn question<'a>(pack: &'a Pack, prompt: &str) -> &'a Question {
    pack.questions
        .iter()
        .find(|q| q.prompt == prompt)
        .unwrap_or_else(|| panic!("no question {prompt:?} in {:#?}", pack.questions))
}

fn free_text_answers(question: &Question) -> (&[String], Option<&str>) {
    match &question.answer {
        Answer::FreeText { answers, entry } => (answers, entry.as_deref()),
        other => panic!("{} is not free text: {other:?}", question.id),
    }
}

fn entry<'a>(pack: &'a Pack, name: &str) -> &'a Entry {
    pack.entries
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no entry {name:?}"))
}

/// Every item cites the pack's one source, which names the imported file.
fn assert_everything_cites(pack: &Pack, file: &str) {
    assert_eq!(pack.sources.len(), 1);
    let source = &pack.sources[0];
    assert_eq!(source.file.as_deref(), Some(file));
    for q in &pack.questions {
        assert_eq!(q.sources, [source.id.as_str()], "{}", q.id);
    }
    for e in &pack.entries {
        assert_eq!(e.sources, [source.id.as_str()], "{}", e.id);
    }
}

#[test]
fn red_trivia_list_round_trips_into_free_text_questions() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("great-terror.yaml");
    let out = import(
        dir.path(),
        &[
            "--from",
            "red-trivia",
            input.to_str().unwrap(),
            "--out",
            "packs",
        ],
    );
    assert!(out.status.success(), "import failed:\n{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "wrote packs/great-terror.toml: 0 entries, 5 questions (pack `great-terror`)"
    );
    // CONFIG is not a question: it is skipped with a note at its line.
    assert!(
        stderr(&out).contains(&format!("{}:3: note: CONFIG is ignored", input.display())),
        "{}",
        stderr(&out)
    );

    let path = dir.path().join("packs/great-terror.toml");
    let pack = load_pack(&path);
    assert_eq!(pack.id, "great-terror");
    assert_eq!(pack.title, "great-terror");
    assert_eq!(
        pack.description,
        "Imported from the Red trivia list great-terror.yaml, by Studybot test suite."
    );
    assert_eq!(
        pack.sources[0].author.as_deref(),
        Some("Studybot test suite")
    );
    assert_everything_cites(&pack, "great-terror.yaml");
    assert!(pack
        .questions
        .iter()
        .all(|q| q.kind() == QuestionKind::FreeText));

    // Answers as written; a spelling repeated in another case is kept once.
    let yagoda = question(
        &pack,
        "Who replaced Genrikh Yagoda as head of the NKVD in 1936?",
    );
    assert_eq!(
        yagoda.id,
        "q-who-replaced-genrikh-yagoda-as-head-of-the-nkvd-in-1936"
    );
    assert_eq!(
        free_text_answers(yagoda),
        (
            &[
                "Nikolai Yezhov".to_string(),
                "Yezhov".into(),
                "Ezhov".into()
            ][..],
            None
        )
    );
    assert_eq!(
        yagoda.explanation,
        "Accepted answers: Nikolai Yezhov, Yezhov, Ezhov."
    );
    // Numbers stay as written: `00447` is not read as the integer 447.
    let order = question(
        &pack,
        "What was the number of the NKVD order that launched the kulak operation?",
    );
    assert_eq!(free_text_answers(order).0, ["00447", "447"]);
    let end = question(&pack, "In which year did the Great Terror end?");
    assert_eq!(free_text_answers(end).0, ["1938"]);
    assert_eq!(end.explanation, "Accepted answer: 1938.");
    let kirov = question(
        &pack,
        "In which city was Sergei Kirov shot in December 1934?",
    );
    assert_eq!(free_text_answers(kirov).0, ["Leningrad", "St. Petersburg"]);
    // A question written as a YAML block keeps its line break.
    let troika = question(
        &pack,
        "Which three-member commissions\nsentenced people without trial?",
    );
    assert_eq!(free_text_answers(troika).0, ["troikas", "troika"]);

    // The quiz marks typed answers against the imported ones.
    assert!(studybot::quiz::is_correct(
        &pack,
        yagoda,
        None,
        Some("yezhov")
    ));
    assert!(studybot::quiz::is_correct(
        &pack,
        order,
        None,
        Some("00447")
    ));
    assert!(!studybot::quiz::is_correct(
        &pack,
        kirov,
        None,
        Some("Moscow")
    ));

    // And the command-line checker agrees.
    let check = studybot(
        dir.path(),
        &["check", "--content", "packs/great-terror.toml", "--json"],
    );
    assert!(check.status.success(), "{}", stderr(&check));
    let summary: serde_json::Value = serde_json::from_str(stdout(&check).trim()).unwrap();
    assert_eq!(summary["questions_by_kind"]["free_text"], 5);
}

#[test]
fn quizlet_tab_export_round_trips_into_glossary_and_questions() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("purge-terms.tsv");
    let out = import(
        dir.path(),
        &[
            "--from",
            "quizlet",
            input.to_str().unwrap(),
            "--out",
            "packs",
            "--id",
            "purge-terms",
            "--title",
            "Great Purge: key terms",
        ],
    );
    assert!(out.status.success(), "import failed:\n{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "wrote packs/purge-terms.toml: 5 entries, 10 questions (pack `purge-terms`)"
    );
    let pack = load_pack(&dir.path().join("packs/purge-terms.toml"));
    assert_eq!(pack.id, "purge-terms");
    assert_eq!(pack.title, "Great Purge: key terms");
    assert_everything_cites(&pack, "purge-terms.tsv");

    let terms = ["NKVD", "Troika", "Gulag", "Show trial", "Yezhovshchina"];
    let names: Vec<&str> = pack.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, terms);
    let troika = entry(&pack, "Troika");
    assert_eq!(troika.id, "troika");
    assert_eq!(troika.kind, EntryKind::Term);
    assert_eq!(
        troika.definition,
        "A three-member NKVD commission that sentenced people without trial in 1937-38."
    );

    // Each pair: a typed question answered by its term...
    let prompt = "Which term means: A three-member NKVD commission that sentenced people without trial in 1937-38?";
    let typed = pack
        .questions
        .iter()
        .find(|q| q.prompt == prompt && q.kind() == QuestionKind::FreeText)
        .expect("a free-text question for Troika");
    assert_eq!(typed.id, "q-troika");
    assert_eq!(
        free_text_answers(typed),
        (&["Troika".to_string()][..], Some("troika"))
    );
    assert_eq!(typed.related, ["troika"]);
    assert!(studybot::quiz::is_correct(
        &pack,
        typed,
        None,
        Some("troika")
    ));
    assert!(!studybot::quiz::is_correct(
        &pack,
        typed,
        None,
        Some("Gulag")
    ));

    // ...and a multiple-choice one whose wrong options are three other terms.
    for (index, term) in terms.iter().enumerate() {
        let choice = pack
            .questions
            .iter()
            .find(|q| {
                q.kind() == QuestionKind::MultipleChoice
                    && q.related == [entry(&pack, term).id.clone()]
            })
            .unwrap_or_else(|| panic!("no multiple-choice question for {term}"));
        let Answer::MultipleChoice { options, correct } = &choice.answer else {
            unreachable!()
        };
        assert_eq!(options.len(), 4);
        assert_eq!(options[*correct], *term);
        assert_eq!(*correct, index % 4, "the right answer moves down the set");
        for option in options {
            assert!(
                terms.contains(&option.as_str()),
                "{option} is not a term of the set"
            );
        }
        assert!(studybot::quiz::is_correct(
            &pack,
            choice,
            Some(*correct),
            None
        ));
    }
    // Wrong options are the terms closest in length: for "Troika" (6
    // letters) they are "Gulag" (5), "NKVD" (4) and "Show trial" (10).
    let troika_choice = pack
        .questions
        .iter()
        .find(|q| q.id == "q-troika-choice")
        .unwrap();
    let Answer::MultipleChoice { options, .. } = &troika_choice.answer else {
        unreachable!()
    };
    assert_eq!(options, &["Gulag", "Troika", "NKVD", "Show trial"]);
}

#[test]
fn quizlet_csv_export_reads_quoted_fields_and_skips_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("purge-terms.csv");
    // A `.csv` file is read as CSV without --separator.
    let out = import(
        dir.path(),
        &["--from", "quizlet", input.to_str().unwrap(), "--out", "."],
    );
    assert!(out.status.success(), "import failed:\n{}", stderr(&out));
    assert!(
        stderr(&out).contains(":1: note: skipped the header row"),
        "{}",
        stderr(&out)
    );
    let pack = load_pack(&dir.path().join("purge-terms.toml"));
    let names: Vec<&str> = pack.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Order 00447", "Dvoika", "Rehabilitation"]);
    assert_eq!(
        entry(&pack, "Dvoika").definition,
        "A two-member commission, NKVD chief and prosecutor, that sentenced people in the national operations."
    );
    assert_eq!(entry(&pack, "Order 00447").id, "order-00447");
    // Three pairs: too few for three wrong options, so typed questions only.
    assert_eq!(pack.questions.len(), 3);
    assert!(pack
        .questions
        .iter()
        .all(|q| q.kind() == QuestionKind::FreeText));
}

#[test]
fn quizlet_export_with_a_semicolon_separator() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("purge-people.txt");
    let out = import(
        dir.path(),
        &[
            "--from",
            "quizlet",
            input.to_str().unwrap(),
            "--separator",
            ";",
            "--out",
            ".",
        ],
    );
    assert!(out.status.success(), "import failed:\n{}", stderr(&out));
    let pack = load_pack(&dir.path().join("purge-people.toml"));
    // Only the first `;` ends the term; the definition keeps its own.
    assert_eq!(
        entry(&pack, "Kirov").definition,
        "Leningrad party leader murdered on 1 December 1934; his death was used to justify arrests."
    );
    let bukharin = question(
        &pack,
        "Which term means: Old Bolshevik tried and shot in 1938?",
    );
    assert_eq!(free_text_answers(bukharin).0, ["Bukharin"]);
}

#[test]
fn malformed_red_list_reports_every_problem_at_its_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("broken.yaml");
    let shown = input.display().to_string();
    let out = import(
        dir.path(),
        &["--from", "red-trivia", &shown, "--out", "packs"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let expected = [
        format!(
            "{shown}:4:1: this question has no answers; list them below it as `- answer` lines"
        ),
        format!("{shown}:5:40: the answers to a question are a list: one `- answer` line each"),
        format!("{shown}:8:3: an answer is one value, not a list or mapping"),
        format!("{shown}:10:3: the answer is 84 characters long; at most 80 fit"),
        format!("studybot import: 4 problems in {shown}; nothing written"),
    ];
    let lines: Vec<String> = stderr(&out).lines().map(String::from).collect();
    assert_eq!(lines, expected);
    assert!(!dir.path().join("packs").exists());
}

#[test]
fn yaml_syntax_error_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("broken-syntax.yaml");
    let shown = input.display().to_string();
    let out = import(dir.path(), &["--from", "red-trivia", &shown, "--out", "."]);
    assert_eq!(out.status.code(), Some(1));
    // The flow list opened on line 3 is never closed, so the `:` after the
    // next question, on line 4, lands inside it.
    assert_eq!(
        stderr(&out),
        format!(
            "{shown}:4:22: illegal placement of ':' indicator\n\
             studybot import: 1 problem in {shown}; nothing written\n"
        )
    );
}

#[test]
fn malformed_quizlet_lines_are_reported_with_their_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("broken-terms.tsv");
    let shown = input.display().to_string();
    let out = import(dir.path(), &["--from", "quizlet", &shown, "--out", "."]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stderr(&out).lines().map(String::from).collect();
    assert_eq!(
        lines,
        [
            format!("{shown}:3: no tab between term and definition (give the set's separator with --separator)"),
            format!("{shown}:4: the term is empty"),
            format!("{shown}:5: the definition is empty"),
            format!("{shown}:6: the term `The Gulag` is already on line 5 (ignoring case and punctuation); each term appears once"),
            format!("studybot import: 4 problems in {shown}; nothing written"),
        ]
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

#[test]
fn an_existing_pack_is_replaced_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("purge-people.txt");
    let args = [
        "--from",
        "quizlet",
        input.to_str().unwrap(),
        "--separator",
        ";",
        "--out",
        ".",
    ];
    std::fs::write(
        dir.path().join("purge-people.toml"),
        "# a teacher's edits\n",
    )
    .unwrap();
    let refused = import(dir.path(), &args);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("already exists; pass --force"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("purge-people.toml")).unwrap(),
        "# a teacher's edits\n"
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    let out = import(dir.path(), &forced);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        load_pack(&dir.path().join("purge-people.toml"))
            .entries
            .len(),
        2
    );
}

#[test]
fn bad_command_line_values_exit_with_usage_status() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("purge-terms.tsv");
    let input = input.to_str().unwrap();
    let bad_id = import(
        dir.path(),
        &[
            "--from",
            "quizlet",
            input,
            "--out",
            ".",
            "--id",
            "Purge Terms",
        ],
    );
    assert_eq!(bad_id.status.code(), Some(2));
    assert!(stderr(&bad_id).contains("--id `Purge Terms` is not a valid pack id"));
    let bad_format = import(dir.path(), &["--from", "anki", input, "--out", "."]);
    assert_eq!(bad_format.status.code(), Some(2));
    assert!(
        stderr(&bad_format).contains("unknown format `anki`"),
        "{}",
        stderr(&bad_format)
    );
}

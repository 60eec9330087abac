//! `studybot import` through the real binary, and `/pack upload` through the
//! handlers: Red trivia lists (small ones written here, and the 54 that
//! ship with Red-DiscordBot 3.5.24), Anki decks (packages made by genanki
//! and by Anki's own code, in both collection formats, and the plain-text
//! export), Kahoot spreadsheets in the template's layout and Quizlet sets
//! become packs that the real content checker loads, with the questions and
//! answers they came with; malformed input is reported at its lines (rows
//! and columns for a spreadsheet) and nothing is written. Inputs from the
//! Python registry are skipped when missing, unless CI is set.

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

/// Imported items cite no source (the files carry none): the pack declares
/// no `[[sources]]` and replies name the teacher's pack instead.
fn assert_unsourced(pack: &Pack) {
    assert!(pack.sources.is_empty(), "{:?}", pack.sources);
    for q in &pack.questions {
        assert!(q.sources.is_empty(), "{}", q.id);
    }
    for e in &pack.entries {
        assert!(e.sources.is_empty(), "{}", e.id);
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
    // CONFIG is not a question: its settings are named in a note at its line.
    assert_eq!(
        stderr(&out),
        format!(
            "{input}:3: note: CONFIG delay 20 -> 20 seconds a question, max_score 5 -> 5 rounds become the pack's competition settings (`[pack.competition]`, used when its questions are the only ones on)\n\
             {input}:3: note: CONFIG bot_plays is not carried over: studybot has no such settings\n",
            input = input.display()
        )
    );

    let path = dir.path().join("packs/great-terror.toml");
    let pack = load_pack(&path);
    assert_eq!(
        pack.competition,
        studybot::content::CompetitionDefaults {
            rounds: Some(5),
            seconds: Some(20)
        }
    );
    assert_eq!(pack.id, "great-terror");
    assert_eq!(pack.title, "great-terror");
    assert_eq!(
        pack.description,
        "Imported from the Red trivia list great-terror.yaml, by Studybot test suite."
    );
    assert_unsourced(&pack);
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
    assert_unsourced(&pack);

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
        format!("{shown}:10:10: CONFIG `delay` must be a number of seconds, at least 4"),
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
    let bad_format = import(dir.path(), &["--from", "word", input, "--out", "."]);
    assert_eq!(bad_format.status.code(), Some(2));
    assert!(
        stderr(&bad_format)
            .contains("unknown format `word`: use auto, red-trivia, quizlet, anki or kahoot"),
        "{}",
        stderr(&bad_format)
    );
}

// ---- the formats teachers have: Red's own lists, Anki, Kahoot -----------

/// Names the folder holding Red-DiscordBot 3.5.24's wheel (`.ci/run` fetches
/// it with `pip download Red-DiscordBot==3.5.24 --no-deps -d DIR`).
const RED_WHEEL_ENV: &str = "STUDYBOT_RED_WHEEL_DIR";

#[test]
fn reds_own_54_bundled_lists_import_and_pass_the_checker() {
    let Some(wheel_dir) = std::env::var_os(RED_WHEEL_ENV) else {
        skip_or_fail(&format!(
            "{RED_WHEEL_ENV} names no folder with Red-DiscordBot 3.5.24's wheel"
        ));
        return;
    };
    let wheel = std::fs::read_dir(&wheel_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("red_discordbot-3.5.24")
        })
        .expect("the wheel of Red-DiscordBot 3.5.24 in the folder");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&wheel).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lists_dir = dir.path().join("lists");
    std::fs::create_dir(&lists_dir).unwrap();
    let mut lists = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        if let Some(list) = name
            .strip_prefix("redbot/cogs/trivia/data/lists/")
            .filter(|n| n.ends_with(".yaml"))
        {
            let mut text = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut text).unwrap();
            std::fs::write(lists_dir.join(list), text).unwrap();
            lists.push(list.to_string());
        }
    }
    lists.sort();
    assert_eq!(lists.len(), 54, "{lists:?}");

    let mut imported = 0;
    let mut questions = 0;
    let mut notes = Vec::new();
    for list in &lists {
        let input = lists_dir.join(list);
        // No --from: the format is recognised from the file.
        let out = import(dir.path(), &[input.to_str().unwrap(), "--out", "packs"]);
        assert!(
            out.status.success(),
            "{list} was refused:\n{}",
            stderr(&out)
        );
        let line = stdout(&out);
        let count: usize = line
            .split(": 0 entries, ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{line}"));
        questions += count;
        imported += 1;
        notes.extend(stderr(&out).lines().map(|l| {
            l.strip_prefix(&format!("{}/", lists_dir.display()))
                .unwrap_or(l)
                .to_string()
        }));
    }
    eprintln!("imported {imported}/54 of Red's lists: {questions} questions");
    assert_eq!(imported, 54);
    // Red's own loader (PyYAML, the last of a repeated key kept) finds
    // 14,655 questions in these lists; every one comes across.
    assert_eq!(questions, 14_655);
    // The two repeated questions, named at both lines, and nothing else.
    assert_eq!(
        notes,
        [
            "music.yaml:93: note: the question on line 87 is repeated on line 93; the last one is kept, as Red does",
            "worldcup.yaml:667: note: the question on line 656 is repeated on line 667; the last one is kept, as Red does",
        ]
    );
    // Every pack together through the command-line checker.
    let check = studybot(dir.path(), &["check", "--content", "packs", "--json"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let summary: serde_json::Value = serde_json::from_str(stdout(&check).trim()).unwrap();
    assert_eq!(summary["packs"], 54, "{summary}");
    assert_eq!(summary["questions_by_kind"]["free_text"], 14_655);
    // The long answers Red accepts stay accepted typed answers.
    let hockey = load_pack(&dir.path().join("packs/hockey.toml"));
    let rained_out = question(&hockey, "How many NHL games have been rained out?");
    let (answers, _) = free_text_answers(rained_out);
    assert!(
        answers.iter().any(|a| a.chars().count() > 80),
        "{answers:?}"
    );
    // Image URLs in questions stay in the prompt as links.
    let flags = load_pack(&dir.path().join("packs/usflags.toml"));
    assert!(flags.questions[0].prompt.contains("https://i.imgur.com/"));
}

/// The questions of the test deck, whichever way it was packaged: (prompt,
/// accepted answers, tags).
fn assert_russia_deck(pack: &Pack) {
    assert_eq!(pack.title, "History - Russia 1917");
    assert_unsourced(pack);
    let got: Vec<(&str, &[String], &[String])> = pack
        .questions
        .iter()
        .map(|q| (q.prompt.as_str(), free_text_answers(q).0, &q.tags[..]))
        .collect();
    let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let expected = [
        (
            "Who led the Bolsheviks in 1917?",
            strings(&["Lenin"]),
            strings(&["revolution-1917", "russia"]),
        ),
        (
            "Tsar who abdicated in March 1917",
            strings(&["Nicholas II"]),
            vec![],
        ),
        (
            "Nicholas II",
            strings(&["Tsar who abdicated in March 1917"]),
            vec![],
        ),
        (
            "The [...] Revolution ended the rule of the Romanovs.",
            strings(&["February"]),
            vec![],
        ),
        (
            "The February Revolution ended the rule of the [dynasty].",
            strings(&["Romanovs"]),
            vec![],
        ),
    ];
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for ((prompt, answers, tags), (want_prompt, want_answers, want_tags)) in
        got.iter().zip(&expected)
    {
        assert_eq!(prompt, want_prompt);
        assert_eq!(*answers, &want_answers[..], "{prompt}");
        let mut tags = tags.to_vec();
        tags.sort();
        assert_eq!(tags, *want_tags, "{prompt}");
    }
    // Typed answers are marked against the deck's backs and deletions.
    let cloze = &pack.questions[3];
    assert!(studybot::quiz::is_correct(
        pack,
        cloze,
        None,
        Some("february")
    ));
}

/// A zip holding `members` (name, bytes), deflated as Anki writes them.
fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in members {
        writer
            .start_file(
                *name,
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated),
            )
            .unwrap();
        std::io::Write::write_all(&mut writer, data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn zip_member(package: &[u8], name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(package)).unwrap();
    let mut file = archive.by_name(name).unwrap();
    let mut data = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut data).unwrap();
    data
}

#[test]
fn anki_packages_made_by_genanki_import_in_both_collection_formats() {
    let dir = tempfile::tempdir().unwrap();
    let deck = dir.path().join("russia.apkg");
    if !python("genanki", GENANKI_SCRIPT, &[deck.to_str().unwrap(), "deck"]) {
        return;
    }
    // genanki writes the older form: collection.anki2 (SQLite) in a zip.
    let package = std::fs::read(&deck).unwrap();
    assert!(zip_member(&package, "collection.anki2").starts_with(b"SQLite format 3\0"));
    let out = import(dir.path(), &[deck.to_str().unwrap(), "--out", "packs"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "wrote packs/russia.toml: 0 entries, 5 questions (pack `russia`)\n"
    );
    assert_russia_deck(&load_pack(&dir.path().join("packs/russia.toml")));

    // genanki cannot write the newer form, so it is built here the way
    // Anki builds it: the same collection zstd-compressed as
    // collection.anki21b, beside a collection.anki2 that only tells old
    // Ankis to update. The reader must take the newer one.
    let placeholder = dir.path().join("placeholder.apkg");
    assert!(python(
        "genanki",
        GENANKI_SCRIPT,
        &[placeholder.to_str().unwrap(), "placeholder"]
    ));
    let compressed = zstd::encode_all(&zip_member(&package, "collection.anki2")[..], 0).unwrap();
    let newer = zip_of(&[
        (
            "collection.anki2",
            &zip_member(&std::fs::read(&placeholder).unwrap(), "collection.anki2"),
        ),
        ("collection.anki21b", &compressed),
        ("media", b"{}"),
    ]);
    let newer_path = dir.path().join("russia-new.apkg");
    std::fs::write(&newer_path, newer).unwrap();
    let out = import(
        dir.path(),
        &[
            "--from",
            "anki",
            newer_path.to_str().unwrap(),
            "--out",
            "packs",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_russia_deck(&load_pack(&dir.path().join("packs/russia-new.toml")));
}

/// The same deck made and exported by Anki itself (the `anki` package from
/// the Python registry, Anki's own code): a current `.apkg` (schema 18 in
/// collection.anki21b) and the plain-text notes export with every header.
const ANKI_SCRIPT: &str = r#"
import sys, os, tempfile
from anki.collection import Collection, ExportAnkiPackageOptions, DeckIdLimit
from anki.decks import DeckId
package, text = sys.argv[1], sys.argv[2]
col = Collection(os.path.join(tempfile.mkdtemp(), "collection.anki2"))
deck = DeckId(col.decks.id("History::Russia 1917"))
n = col.new_note(col.models.by_name("Basic"))
n["Front"] = "Who led the <b>Bolsheviks</b> in 1917?"; n["Back"] = "Lenin"; n.tags = ["russia", "Revolution::1917"]
col.add_note(n, deck)
n = col.new_note(col.models.by_name("Basic (and reversed card)"))
n["Front"] = "Tsar who abdicated in March 1917"; n["Back"] = "Nicholas&nbsp;II"
col.add_note(n, deck)
n = col.new_note(col.models.by_name("Cloze"))
n["Text"] = "The {{c1::February}} Revolution ended the rule of the {{c2::Romanovs::dynasty}}."
col.add_note(n, deck)
col.export_anki_package(out_path=package, options=ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False), limit=None)
col.export_note_csv(out_path=text, limit=DeckIdLimit(deck), with_html=True, with_tags=True, with_deck=True, with_notetype=True, with_guid=True)
col.close()
"#;

#[test]
fn anki_package_and_text_export_written_by_anki_itself_import() {
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join("anki-deck.apkg");
    let text = dir.path().join("anki-notes.txt");
    if !python(
        "anki",
        ANKI_SCRIPT,
        &[package.to_str().unwrap(), text.to_str().unwrap()],
    ) {
        return;
    }
    let data = std::fs::read(&package).unwrap();
    assert!(
        zstd::decode_all(&zip_member(&data, "collection.anki21b")[..])
            .unwrap()
            .starts_with(b"SQLite format 3\0"),
        "a current package holds the zstd-compressed collection"
    );
    let exported = std::fs::read_to_string(&text).unwrap();
    for header in [
        "#separator:tab",
        "#html:true",
        "#notetype column:",
        "#deck column:",
        "#tags column:",
    ] {
        assert!(exported.contains(header), "{header} in\n{exported}");
    }
    for input in [&package, &text] {
        let out = import(dir.path(), &[input.to_str().unwrap(), "--out", "packs"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_russia_deck(&load_pack(&dir.path().join("packs/anki-deck.toml")));
    assert_russia_deck(&load_pack(&dir.path().join("packs/anki-notes.toml")));
}

#[test]
fn anki_text_export_reads_every_header_quoting_and_note_type() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("russia-notes.txt");
    let out = import(dir.path(), &[input.to_str().unwrap(), "--out", "."]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "wrote ./russia-notes.toml: 0 entries, 6 questions (pack `russia-notes`)\n"
    );
    let pack = load_pack(&dir.path().join("russia-notes.toml"));
    assert_eq!(pack.title, "History - Russia 1917");
    assert_unsourced(&pack);
    let pairs: Vec<(&str, &str)> = pack
        .questions
        .iter()
        .map(|q| (q.prompt.as_str(), free_text_answers(q).0[0].as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("Who led the Bolsheviks in 1917?", "Lenin"),
            // "optional reversed": its third field is filled in, so both ways.
            ("Tsar who abdicated in March 1917", "Nicholas II"),
            ("Nicholas II", "Tsar who abdicated in March 1917"),
            // A quoted field keeps the separator inside it.
            ("Where did the Bolsheviks meet; in which city?", "Petrograd"),
            // <br> is a line break; each cloze number is one question.
            (
                "The [...] Revolution\nended the rule of the Romanovs.",
                "February"
            ),
            (
                "The February Revolution\nended the rule of the [dynasty].",
                "Romanovs"
            ),
        ]
    );
    assert_eq!(pack.questions[0].tags, ["russia", "revolution-1917"]);
}

#[test]
fn broken_anki_files_get_one_message_at_their_position_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let header = fixture("broken-anki-header.txt");
    let notes = fixture("broken-anki-notes.txt");
    let not_a_deck = dir.path().join("not-a-deck.apkg");
    std::fs::write(&not_a_deck, zip_of(&[("readme.txt", b"hello")])).unwrap();
    let truncated = dir.path().join("truncated.apkg");
    std::fs::write(&truncated, b"PK\x03\x04 and then nothing").unwrap();
    for (input, from, expected) in [
        (
            header,
            "auto",
            ":1:12: `two` is not a separator: use tab, comma, semicolon, space, pipe, colon or one character",
        ),
        (notes, "auto", ":4: a note needs a front and a back (two fields)"),
        (
            not_a_deck,
            "anki",
            ":1: no Anki collection inside (collection.anki21b, collection.anki21, collection.anki2); export the deck from Anki as a package (.apkg)",
        ),
        (
            truncated,
            "anki",
            ":1: not a readable zip archive, as an .apkg package is: ",
        ),
    ] {
        let shown = input.display().to_string();
        let out = import(dir.path(), &["--from", from, &shown, "--out", "packs"]);
        assert_eq!(out.status.code(), Some(1), "{shown}");
        let lines: Vec<String> = stderr(&out).lines().map(String::from).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with(&format!("{shown}{expected}")),
            "{lines:?}"
        );
        assert_eq!(
            lines[1],
            format!("studybot import: 1 problem in {shown}; nothing written")
        );
    }
    assert!(!dir.path().join("packs").exists());
}

#[test]
fn kahoot_spreadsheet_in_the_template_layout_becomes_multiple_choice() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("revolution-quiz.xlsx");
    std::fs::write(&input, kahoot_sheet(&KAHOOT_ROWS)).unwrap();
    let shown = input.display().to_string();
    let out = import(dir.path(), &[&shown, "--out", "packs"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "wrote packs/revolution-quiz.toml: 0 entries, 3 questions (pack `revolution-quiz`)\n"
    );
    // What cannot come across is named, at its row.
    assert_eq!(
        stderr(&out).lines().collect::<Vec<_>>(),
        [
            format!("{shown}:8: note: time limits 30 s (1 question), 60 s (2 questions): the pack's competitions give 60 seconds a question (`[pack.competition]`)"),
            format!("{shown}:12: note: answers 1, 3 are all correct; a multiple-choice question here has one right answer, so this question is left out"),
        ]
    );
    let pack = load_pack(&dir.path().join("packs/revolution-quiz.toml"));
    assert_eq!(pack.title, "revolution-quiz");
    assert_eq!(pack.competition.seconds, Some(60));
    assert_unsourced(&pack);
    let october = question(
        &pack,
        "In which year did the October Revolution take place?",
    );
    assert_eq!(october.kind(), QuestionKind::MultipleChoice);
    match &october.answer {
        studybot::content::Answer::MultipleChoice { options, correct } => {
            assert_eq!(options, &["1905", "1917", "1921", "1924"]);
            assert_eq!(options[*correct], "1917");
        }
        other => panic!("{other:?}"),
    }
    let red_army = question(&pack, "Who commanded the Red Army in the Civil War?");
    match &red_army.answer {
        studybot::content::Answer::MultipleChoice { options, correct } => {
            assert_eq!(options, &["Trotsky", "Kamenev"]);
            assert_eq!(*correct, 0);
        }
        other => panic!("{other:?}"),
    }
    question(&pack, "Where was the Tsar's family killed?");
}

#[test]
fn broken_kahoot_rows_are_reported_at_row_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("broken.xlsx");
    let too_long = "x".repeat(81);
    std::fs::write(
        &input,
        kahoot_sheet(&[
            ["Fine?", "yes", "no", "", "", "20", "1"],
            ["No correct answer?", "a", "b", "", "", "20", ""],
            ["Points at an empty answer?", "a", "b", "", "", "20", "4"],
            ["One answer only?", "a", "", "", "", "20", "1"],
            ["Long?", &too_long, "b", "", "", "20", "2"],
            ["", "an answer without its question", "b", "", "", "", "1"],
            ["Bad time?", "a", "b", "", "", "soon", "1"],
        ]),
    )
    .unwrap();
    let shown = input.display().to_string();
    let out = import(dir.path(), &["--from", "kahoot", &shown, "--out", "packs"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).lines().collect::<Vec<_>>(),
        [
            format!("{shown}:10:8: no correct answer: give its number, 1 to 4"),
            format!("{shown}:11:8: the correct answer is number 4, but answer 4 is empty"),
            format!("{shown}:12:3: a question needs at least two answers (Answer 1 to Answer 4)"),
            format!("{shown}:13:3: the answer 1 is 81 characters long; at most 80 fit (a button label)"),
            format!("{shown}:14:2: the question is empty"),
            format!("{shown}:15:7: `soon` is not a time limit: give whole seconds (5, 10, 20, 30, 60, 90, 120 or 240)"),
            format!("studybot import: 6 problems in {shown}; nothing written"),
        ]
    );
    assert!(!dir.path().join("packs").exists());
}

/// `/pack upload` through the handlers, as either edge sends it.
fn upload(app: &studybot::App, name: &str, data: &[u8]) -> studybot::Reply {
    let mut request = request(true, command("pack", &["upload"], &[]));
    request.attachment = Some(studybot::request::Upload {
        name: name.into(),
        data: data.to_vec(),
    });
    studybot::handlers::respond(app, &request)
}

const CLASS: u64 = 10;

fn request(teacher: bool, action: studybot::request::Action) -> studybot::request::Request {
    use chrono::TimeZone;
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    request_at(
        now,
        Some(CLASS),
        if teacher { 1 } else { 5 },
        teacher,
        action,
    )
}

#[test]
fn pack_upload_takes_every_format_by_content_and_extension() {
    let dir = tempfile::tempdir().unwrap();
    let (library, _) = Library::load(&[repo().join("tests/fixtures/quiz-pack.toml")]).unwrap();
    let store = studybot::store::open(dir.path().join("db.sqlite").to_str().unwrap()).unwrap();
    let app = studybot::App::new(studybot::config::Config::default(), library, store).unwrap();

    // A Kahoot spreadsheet: the pack's summary, where it came from, and
    // what did not come across.
    let reply = upload(&app, "revolution-quiz.xlsx", &kahoot_sheet(&KAHOOT_ROWS));
    assert_eq!(
        reply.title.as_deref(),
        Some("Pack uploaded"),
        "{}",
        reply.text
    );
    assert!(
        reply.text.starts_with(
            "**revolution-quiz** (`revolution-quiz`): 0 events, 0 glossary entries, 3 questions."
        ),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains(
            "Imported from revolution-quiz.xlsx (a Kahoot spreadsheet). Its questions cite no sources, so replies say they come from this pack"
        ),
        "{}",
        reply.text
    );
    assert!(
        reply
            .text
            .contains("revolution-quiz.xlsx:12: note: answers 1, 3 are all correct"),
        "{}",
        reply.text
    );

    // A Red list by its extension; an Anki export named without one, by its
    // headers.
    let red = std::fs::read(fixture("great-terror.yaml")).unwrap();
    let reply = upload(&app, "great-terror.yaml", &red);
    assert!(
        reply.text.starts_with(
            "**great-terror** (`great-terror`): 0 events, 0 glossary entries, 5 questions."
        ) && reply.text.contains("(a Red trivia list)"),
        "{}",
        reply.text
    );
    let anki = std::fs::read(fixture("russia-notes.txt")).unwrap();
    let reply = upload(&app, "russia", &anki);
    assert!(
        reply.text.starts_with(
            "**History - Russia 1917** (`russia`): 0 events, 0 glossary entries, 6 questions."
        ) && reply.text.contains("(an Anki deck)"),
        "{}",
        reply.text
    );

    // A broken file: the problems at row and column; nothing is stored.
    let broken = kahoot_sheet(&[["No correct answer?", "a", "b", "", "", "20", ""]]);
    let reply = upload(&app, "broken.xlsx", &broken);
    assert_eq!(reply.title.as_deref(), Some("Pack not uploaded"));
    assert_eq!(
        reply.text,
        "The pack was not stored: 1 error. Fix it and upload the file again.\n```\nbroken.xlsx:9:8: no correct answer: give its number, 1 to 4\n```"
    );
    let reply = upload(&app, "notes.pdf", b"%PDF-1.7");
    assert!(
        reply.text.starts_with("`notes.pdf` is neither a pack (`.toml`, see content/README.md) nor a file studybot can import. It imports a Red trivia list (`.yaml`)"),
        "{}",
        reply.text
    );
    let list = studybot::handlers::respond(&app, &request(true, command("pack", &["list"], &[])));
    let listed: Vec<&str> = list.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        listed,
        [
            "Quiz fixture (quizmini)",
            "revolution-quiz (revolution-quiz)",
            "great-terror (great-terror)",
            "History - Russia 1917 (russia)",
        ]
    );

    // Only the spreadsheet's questions on: an answer's reply names the
    // teacher's pack, never an invented source.
    for pack in ["quizmini", "great-terror", "russia"] {
        studybot::handlers::respond(
            &app,
            &request(true, command("pack", &["disable"], &[("pack", pack)])),
        );
    }
    let quiz = studybot::handlers::respond(&app, &request(false, command("quiz", &[], &[])));
    let button = &quiz.buttons[0];
    let answer = studybot::handlers::respond(
        &app,
        &request(
            false,
            studybot::request::Action::Press {
                custom_id: button.custom_id.clone(),
                input: None,
            },
        ),
    );
    assert_eq!(
        answer.footer.as_deref(),
        Some("Source: the teacher's pack \u{201c}revolution-quiz\u{201d}"),
        "{answer:?}"
    );

    // With only its questions on, a competition takes the spreadsheet's
    // most common time limit unless the starter gives one.
    let competition = studybot::handlers::respond(
        &app,
        &request(true, command("competition", &["start"], &[])),
    );
    assert!(
        competition
            .text
            .starts_with("**3 questions, 60 seconds each.**"),
        "{}",
        competition.text
    );
}

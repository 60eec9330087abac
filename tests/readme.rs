//! Every command README.md shows is run, in order, on a fresh database in a
//! fresh folder (issue #20, 11): a reader who copies them gets what the
//! README promises, not "That question does not exist (any more)".
//!
//! Commands are the lines of its code blocks that start with
//! `cargo run --release -- ` or `studybot ` (a trailing `# comment` is
//! dropped). `run` needs a Discord token and is the only one not run. Files
//! the README names as a teacher's own (a pack to check, a list to import)
//! are made from the test fixtures first (content/ is a copy, since the
//! README imports into it). A command must exit 0; an `ask`
//! must answer with a titled reply (a refusal or an error has no title).

mod common;
use common::*;
use std::path::Path;

/// Splits a shell command line into words: spaces separate, single and
/// double quotes group, as the README's commands use them.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// The README's commands: (line number, the words after `studybot`).
fn readme_commands(readme: &str) -> Vec<(usize, Vec<String>)> {
    let mut in_block = false;
    let mut found = Vec::new();
    for (n, line) in readme.lines().enumerate() {
        let line = line.trim();
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        let Some(rest) = line
            .strip_prefix("cargo run --release -- ")
            .or_else(|| line.strip_prefix("studybot "))
        else {
            continue;
        };
        let rest = match rest.find(" #") {
            Some(at) => &rest[..at],
            None => rest,
        };
        found.push((n + 1, words(rest.trim())));
    }
    found
}

/// The teacher's own files the README's commands name, made from the test
/// fixtures (an Anki package with genanki, as `tests/import_cli.rs` does).
/// Returns the files that could not be made here (no genanki outside CI).
fn make_teacher_files(dir: &Path) -> Vec<&'static str> {
    let fixtures = repo().join("tests/fixtures");
    for (name, fixture) in [
        ("my-pack.toml", "quiz-pack.toml"),
        ("history.yaml", "import/great-terror.yaml"),
        ("terms.tsv", "import/purge-terms.tsv"),
        ("russia-notes.txt", "import/russia-notes.txt"),
    ] {
        std::fs::copy(fixtures.join(fixture), dir.join(name)).unwrap();
    }
    let sheet = kahoot_sheet(&KAHOOT_ROWS);
    std::fs::write(dir.join("revolution-quiz.xlsx"), sheet).unwrap();
    let deck = dir.join("russia.apkg");
    if python("genanki", GENANKI_SCRIPT, &[deck.to_str().unwrap(), "deck"]) {
        Vec::new()
    } else {
        vec!["russia.apkg"]
    }
}

#[test]
fn every_command_in_the_readme_works_in_order_on_a_fresh_database() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let commands = readme_commands(&readme);
    assert!(commands.len() >= 15, "found only {commands:?}");
    let dir = tempfile::tempdir().unwrap();
    // A copy: the README's imports write into content/.
    copy_tree(&bundled_content(), &dir.path().join("content"));
    let missing = make_teacher_files(dir.path());
    let mut ran = 0;
    for (line, args) in &commands {
        if args.first().map(String::as_str) == Some("run") {
            continue;
        }
        if args.iter().any(|a| missing.contains(&a.as_str())) {
            eprintln!("skipped README.md:{line}: its input could not be made here");
            continue;
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = studybot(dir.path(), &args);
        let said = format!(
            "README.md:{line}: `studybot {}`\nstdout:\n{}\nstderr:\n{}",
            args.join(" "),
            stdout(&out),
            stderr(&out)
        );
        assert!(out.status.success(), "failed: {said}");
        if args.first() == Some(&"ask") && !args.contains(&"--json") {
            let first = stdout(&out).lines().next().unwrap_or("").to_string();
            assert!(
                first.starts_with("== "),
                "answered with a refusal or an error, not a titled reply (if the bundled content changed which question is asked, update the README's example): {said}"
            );
        }
        ran += 1;
    }
    assert!(ran >= 15, "ran {ran}");
}

#[test]
fn the_readme_command_reader_splits_quotes_and_drops_comments() {
    let found = readme_commands(
        "text\n```sh\ncargo run --release -- ask explain \"Georgy Zhukov\"   # a comment\nstudybot check --json\necho no\n```\ncargo run --release -- outside\n",
    );
    assert_eq!(
        found,
        vec![
            (
                3,
                vec!["ask".into(), "explain".into(), "Georgy Zhukov".into()]
            ),
            (4, vec!["check".into(), "--json".into()]),
        ]
    );
}

/// README's "Commands" section is the command table as `/help` lists it:
/// every command once, in order, with its usage and description.
#[test]
fn the_readme_lists_the_command_table() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme
        .split("\n## Commands\n")
        .nth(1)
        .expect("README.md has a \"## Commands\" section")
        .split("\n## ")
        .next()
        .unwrap();
    let listed: Vec<String> = section
        .lines()
        .filter(|line| line.starts_with("- `/"))
        .map(|line| line.trim_start_matches("- ").to_string())
        .collect();
    let table = studybot::handlers::help::command_lines();
    assert_eq!(
        listed,
        table,
        "README.md's command list and the command table (src/handlers/spec.rs) differ; the table's lines are:\n{}",
        table.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n")
    );
}

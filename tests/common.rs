//! Helpers shared by the integration tests: run the real binary on the
//! bundled content or on a copy of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bundled_content() -> PathBuf {
    repo().join("content")
}

/// Runs `studybot ARGS` in `dir` with no config file and no token.
pub fn studybot(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_studybot"))
        .args(args)
        .current_dir(dir)
        .env_remove("DISCORD_TOKEN")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the studybot binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Copies a folder tree (the content packs) into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Gives the pack file at `pack` the bundled pack's id, so a bot started
/// on it serves only this pack: the bundled pack is built into the binary,
/// and a content folder with its id replaces it (issue #26). Tests of a bot
/// process that must know which kind of question it will serve use it.
pub fn replace_the_bundled_pack(pack: &Path) {
    let text = std::fs::read_to_string(pack).unwrap();
    let id = "id = \"quizmini\"";
    assert!(text.contains(id), "{} has no `{id}`", pack.display());
    std::fs::write(pack, text.replacen(id, "id = \"great-purge\"", 1)).unwrap();
}

/// The quiz fixture pack (`tests/fixtures/quiz-pack.toml`, every question
/// medium) keeping only the questions of `kinds`, written to `dir/quiz.toml`:
/// tests that must know what kind of question they will be served use it.
pub fn quiz_pack_with(dir: &Path, kinds: &[&str]) -> PathBuf {
    let fixture = std::fs::read_to_string(repo().join("tests/fixtures/quiz-pack.toml")).unwrap();
    let mut blocks = fixture.split("\n[[questions]]\n");
    let mut pack = blocks.next().unwrap().to_string();
    for block in blocks {
        if kinds
            .iter()
            .any(|k| block.contains(&format!("kind = \"{k}\"")))
        {
            pack.push_str("\n[[questions]]\n");
            pack.push_str(block);
        }
    }
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("quiz.toml");
    std::fs::write(&path, pack).unwrap();
    path
}

/// A slash command: `/name subs... name=value...`.
pub fn command(name: &str, subs: &[&str], options: &[(&str, &str)]) -> studybot::request::Action {
    studybot::request::Action::Command {
        name: name.into(),
        subcommands: subs.iter().map(|s| s.to_string()).collect(),
        options: options
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// A request from `user` in `guild` (`None`: a direct message) at `now`,
/// with an interaction id no other request of the test binary has.
pub fn request_at(
    now: chrono::DateTime<chrono::Utc>,
    guild: Option<u64>,
    user: u64,
    teacher: bool,
    action: studybot::request::Action,
) -> studybot::request::Request {
    use studybot::request::{ChannelId, GuildId, InteractionId, UserId};
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    studybot::request::Request {
        action,
        guild: guild.map(GuildId),
        channel: guild.map(|g| ChannelId(g * 100)),
        user: UserId(user),
        display_name: format!("user{user}"),
        teacher,
        roles: Vec::new(),
        interaction: InteractionId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)),
        now,
        attachment: None,
    }
}

/// Runs SQL on the PostgreSQL server with a connection of its own, on a
/// thread of its own (the synchronous client must not run inside a tokio
/// runtime, and some tests are async).
pub fn pg_admin(server: &str, sql: &str) -> Result<(), String> {
    let (server, sql) = (server.to_string(), sql.to_string());
    std::thread::spawn(move || {
        let mut client =
            studybot::store::postgres::connect_client(&server).map_err(|e| e.to_string())?;
        client.batch_execute(&sql).map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| "the admin thread panicked".to_string())?
}

/// Whether a test that needs something from outside the repository must
/// run (CI) or may say it was skipped (a developer's machine without it).
pub fn skip_or_fail(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("CI is set, so this test is required, but {what}");
    }
    eprintln!("skipped: {what}");
}

/// Runs `python3 -c script args...`; `false` (after `skip_or_fail`) when
/// python3 or the module the script needs is missing.
pub fn python(module: &str, script: &str, args: &[&str]) -> bool {
    let probe = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        skip_or_fail(&format!(
            "python3 cannot import {module} (pip install {module})"
        ));
        return false;
    }
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "python3 failed:\n{}", stderr(&out));
    true
}

/// genanki's deck for the tests: a basic note with HTML and tags, a basic
/// and reversed note, a cloze note with two deletions (one with a hint),
/// in a nested deck. `placeholder`: what a new package holds as its
/// `collection.anki2`, one note telling old Ankis to update.
pub const GENANKI_SCRIPT: &str = r#"
import sys, genanki
out, mode = sys.argv[1], sys.argv[2]
if mode == "placeholder":
    deck = genanki.Deck(1, "Default")
    deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=["Please update to the latest Anki version, then import the .colpkg/.apkg file again.", "Update"]))
else:
    deck = genanki.Deck(2059400110, "History::Russia 1917")
    deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=["Who led the <b>Bolsheviks</b> in 1917?", "Lenin"], tags=["russia", "Revolution::1917"]))
    deck.add_note(genanki.Note(model=genanki.BASIC_AND_REVERSED_CARD_MODEL, fields=["Tsar who abdicated in March 1917", "Nicholas&nbsp;II"]))
    deck.add_note(genanki.Note(model=genanki.CLOZE_MODEL, fields=["The {{c1::February}} Revolution ended the rule of the {{c2::Romanovs::dynasty}}.", ""]))
genanki.Package(deck).write_to_file(out)
"#;

/// A spreadsheet in the layout of Kahoot's quiz template: a title and
/// instructions above the header row (row 8), then one numbered row per
/// question from row 9, with `rows` (question, answers 1-4, time limit,
/// correct answer(s)) filled in; a number stays a number cell.
pub fn kahoot_sheet(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 1, "Quiz template").unwrap();
    sheet
        .write_string(
            2,
            1,
            "Add questions, at least two answer alternatives, time limit and choose correct answers (at least one).",
        )
        .unwrap();
    let headers = [
        "Question - max 120 characters",
        "Answer 1 - max 75 characters",
        "Answer 2 - max 75 characters",
        "Answer 3 - max 75 characters",
        "Answer 4 - max 75 characters",
        "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
        "Correct answer(s) - choose at least one",
    ];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string(7, column as u16 + 1, *header).unwrap();
    }
    for (index, row) in rows.iter().enumerate() {
        let r = 8 + index as u32;
        sheet.write_number(r, 0, (index + 1) as f64).unwrap();
        for (column, value) in row.iter().enumerate() {
            let c = column as u16 + 1;
            if value.is_empty() {
                continue;
            }
            match value.parse::<f64>() {
                Ok(number) if column >= 5 => sheet.write_number(r, c, number).unwrap(),
                _ => sheet.write_string(r, c, *value).unwrap(),
            };
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// Five questions in the Kahoot template, for the import tests and the
/// README's `revolution-quiz.xlsx`.
pub const KAHOOT_ROWS: [[&str; 7]; 5] = [
    [
        "In which year did the October Revolution take place?",
        "1905",
        "1917",
        "1921",
        "1924",
        "60",
        "2",
    ],
    [
        "Who commanded the Red Army in the Civil War?",
        "Trotsky",
        "Kamenev",
        "",
        "",
        "30",
        "1",
    ],
    // The template numbers rows a quiz leaves empty.
    ["", "", "", "", "", "", ""],
    [
        "Which of these were Bolsheviks?",
        "Lenin",
        "Kerensky",
        "Stalin",
        "Milyukov",
        "60",
        "1,3",
    ],
    [
        "Where was the Tsar's family killed?",
        "Yekaterinburg",
        "Moscow",
        "Petrograd",
        "Kiev",
        "",
        "1",
    ],
];

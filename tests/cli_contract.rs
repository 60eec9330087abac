//! The command line as scripts and operators use it (issue #20): a closed
//! pipe, machine-readable output, attachments that are not files, packs
//! too large to upload, a folder with no content, backups that must not
//! lie, and a damaged database. Each case runs the real binary.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Stdio};

fn content_arg() -> String {
    bundled_content().display().to_string()
}

#[test]
fn a_closed_stdout_ends_every_subcommand_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let content = content_arg();
    let db = dir.path().join("pipe.db").display().to_string();
    for args in [
        vec![
            "--content",
            &content,
            "ask",
            "--db",
            &db,
            "explain",
            "troika",
        ],
        vec![
            "--content",
            &content,
            "ask",
            "--db",
            &db,
            "--json",
            "date",
            "1937",
        ],
        vec!["--content", &content, "check"],
        vec!["--content", &content, "ask", "--db", &db, "timeline"],
    ] {
        // The reader is gone before the first byte is written, as with
        // `| head -0`; `head -1` closes it after the first line.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_studybot"))
            .args(&args)
            .current_dir(dir.path())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
        use std::os::unix::process::ExitStatusExt;
        assert!(
            out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
            "{args:?}: {:?}",
            out.status
        );
    }
}

#[test]
fn tick_json_is_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let content = content_arg();
    let at = |t: &str| format!("1937-07-30T09:{t}Z");
    let run = |extra: &[&str], now: &str| {
        let mut args = vec![
            "--content",
            &content,
            "ask",
            "--db",
            "c.db",
            "--guild",
            "5",
            "--channel",
            "50",
            "--now",
            now,
        ];
        args.extend_from_slice(extra);
        studybot(dir.path(), &args)
    };
    let started = run(
        &["--user", "1", "competition", "start", "rounds=3"],
        &at("00:00"),
    );
    assert!(started.status.success(), "{}", stderr(&started));
    // Long after every round's deadline: several posts in one tick.
    let out = run(&["--json", "tick"], &at("59:00"));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(stdout(&out).trim())
        .unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{}", stdout(&out)));
    let posts = doc.as_array().expect("an array of replies");
    assert!(!posts.is_empty(), "{doc}");
    assert!(posts.iter().all(|p| p.get("text").is_some()), "{doc}");
}

#[test]
fn an_attachment_that_is_not_a_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let content = content_arg();
    let upload = |file: &str| {
        studybot(
            dir.path(),
            &[
                "--content",
                &content,
                "ask",
                "--db",
                "a.db",
                "--guild",
                "1",
                "--teacher",
                "--attach",
                file,
                "pack",
                "upload",
            ],
        )
    };
    let out = upload("/dev/zero");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--attach /dev/zero is not a regular file"),
        "{}",
        stderr(&out)
    );
    // A large regular file is read only up to the limit and refused by the
    // same rule as in Discord.
    let big = dir.path().join("big.toml");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(64 * 1024 * 1024).unwrap();
    let out = upload("big.toml");
    assert!(
        stdout(&out)
            .contains("`big.toml`: the file is over 1024 KiB, the most /pack upload accepts"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_says_when_a_pack_file_would_be_refused_on_upload() {
    let dir = tempfile::tempdir().unwrap();
    let mut pack = String::from(
        "[pack]\nid = \"big\"\ntitle = \"Big\"\ndescription = \"Large on purpose.\"\n\n",
    );
    // Valid content, padded with comments past 1 MiB.
    let padding = format!("# {}\n", "x".repeat(1000));
    while pack.len() <= 1024 * 1024 {
        pack.push_str(&padding);
    }
    std::fs::write(dir.path().join("big.toml"), &pack).unwrap();
    let out = studybot(dir.path(), &["check", "--content", "big.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("big.toml: warning: the file is over 1024 KiB, the most /pack upload accepts, so an upload would be refused"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ask_with_a_missing_content_folder_names_it_and_a_lookup_creates_no_database() {
    let dir = tempfile::tempdir().unwrap();
    // A folder that is named must exist (the bundled packs need none:
    // check_cli.rs runs lookups from an empty folder).
    let out = studybot(
        dir.path(),
        &["--content", "nowhere", "ask", "explain", "troika"],
    );
    assert_eq!(out.status.code(), Some(1));
    let looked_for = dir.path().canonicalize().unwrap().join("nowhere");
    assert!(
        stderr(&out).contains(&format!(
            "nowhere: no such file or folder (looked for {})",
            looked_for.display()
        )),
        "{}",
        stderr(&out)
    );
    let content = content_arg();
    for lookup in [
        &["explain", "troika"][..],
        &["date", "1 December 1934"],
        &["help"],
    ] {
        let mut args = vec!["--content", &content, "ask"];
        args.extend_from_slice(lookup);
        let out = studybot(dir.path(), &args);
        assert!(out.status.success(), "{lookup:?}: {}", stderr(&out));
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "lookups wrote {left:?}");
    // A command that keeps something does create it.
    let out = studybot(
        dir.path(),
        &["--content", &content, "ask", "--guild", "1", "daily"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("studybot.db").is_file());
}

/// Writes a database with some answers through the binary.
fn database_with_answers(dir: &Path) -> std::path::PathBuf {
    let content = content_arg();
    for user in 1..=5 {
        let user = user.to_string();
        let out = studybot(
            dir,
            &[
                "--content",
                &content,
                "ask",
                "--db",
                "live.db",
                "--guild",
                "7",
                "--user",
                &user,
                "quiz",
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    dir.join("live.db")
}

/// Overwrites pages 5 to 10 of an SQLite file (4 KiB pages) with garbage,
/// as a failing disk or a stray write would.
fn damage(path: &Path) {
    use std::io::{Seek, SeekFrom, Write};
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.seek(SeekFrom::Start(4096 * 4)).unwrap();
    file.write_all(&[0x07; 4096 * 6]).unwrap();
}

#[test]
fn backup_checks_the_copy_and_never_overwrites_by_accident() {
    let dir = tempfile::tempdir().unwrap();
    let live = database_with_answers(dir.path());
    let backup = |args: &[&str]| {
        let mut all = vec!["backup", "--db", "live.db"];
        all.extend_from_slice(args);
        studybot(dir.path(), &all)
    };
    let out = backup(&["b1.db"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("integrity_check: ok"),
        "{}",
        stdout(&out)
    );
    let first = std::fs::read(dir.path().join("b1.db")).unwrap();
    // A second backup to the same name is refused and leaves it alone.
    let out = backup(&["b1.db"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("b1.db already exists: choose another path, or add --force"));
    assert_eq!(std::fs::read(dir.path().join("b1.db")).unwrap(), first);
    assert!(backup(&["--force", "b1.db"]).status.success());
    // The source itself, under any spelling, is refused.
    for same in ["live.db", "./live.db", &live.display().to_string()] {
        let out = backup(&[same]);
        assert_eq!(out.status.code(), Some(1), "{same}");
        assert!(
            stderr(&out).contains("is the database itself"),
            "{same}: {}",
            stderr(&out)
        );
    }
    // The copy is a database that opens and still has the answers.
    let out = studybot(dir.path(), &["check", "--db", "b1.db"]);
    assert!(
        stderr(&out).contains("b1.db: the database is sound"),
        "{}",
        stderr(&out)
    );
    // A damaged database: the copy fails its check, exit 1, nothing left.
    std::fs::copy(dir.path().join("b1.db"), dir.path().join("bad.db")).unwrap();
    damage(&dir.path().join("bad.db"));
    let out = studybot(dir.path(), &["backup", "--db", "bad.db", "b2.db"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("the copy failed the integrity check, so the database itself is damaged"),
        "{}",
        stderr(&out)
    );
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("b2"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_damaged_database_stops_the_start_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    database_with_answers(dir.path());
    let out = studybot(dir.path(), &["backup", "--db", "live.db", "good.db"]);
    assert!(out.status.success());
    damage(&dir.path().join("good.db"));
    let content = content_arg();
    let out = studybot(
        dir.path(),
        &[
            "--content",
            &content,
            "ask",
            "--db",
            "good.db",
            "--guild",
            "7",
            "daily",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("the database file good.db is damaged"),
        "{err}"
    );
    assert!(
        err.contains("put back your last backup: `cp BACKUP good.db`"),
        "{err}"
    );
    assert_eq!(stdout(&out), "", "nothing was answered");
    // `check --db` reports the same, as a JSON error too.
    let out = studybot(
        dir.path(),
        &["--content", &content, "check", "--json", "--db", "good.db"],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(json["errors"][0]["path"], "good.db");
    assert!(json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("is damaged"));
}

#[test]
fn a_clock_past_what_can_be_recorded_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let content = content_arg();
    let out = studybot(
        dir.path(),
        &[
            "--content",
            &content,
            "ask",
            "--db",
            "t.db",
            "--guild",
            "1",
            "--channel",
            "2",
            "--now",
            "9999-12-31T23:59:50Z",
            "competition",
            "start",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--now `9999-12-31T23:59:50Z` is outside the years 1 to 9998"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("t.db").exists());
}

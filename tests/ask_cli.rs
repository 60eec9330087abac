//! `studybot ask` through the real binary on the bundled content: the same
//! handler Discord will call, printed as the Reply JSON contract.

mod common;
use common::*;
use serde_json::Value;

fn ask_json(args: &[&str]) -> Value {
    let mut all = vec!["ask", "--json"];
    all.extend_from_slice(args);
    let out = studybot(&repo(), &all);
    assert!(out.status.success(), "ask failed: {}", stderr(&out));
    serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(&out)))
}

#[test]
fn explain_troika_prints_a_sourced_reply() {
    let reply = ask_json(&["explain", "troika"]);
    assert_eq!(reply["title"], "Troika");
    let text = reply["text"].as_str().unwrap();
    assert!(text.contains("NKVD"), "{text}");
    assert!(text.to_lowercase().contains("three"), "{text}");
    assert_eq!(reply["ephemeral"], false);
    assert!(reply["footer"].as_str().unwrap().starts_with("Sources: "));
    for key in ["content", "fields", "buttons", "edits", "attachments"] {
        assert!(reply.get(key).is_some(), "key {key} missing");
    }
}

#[test]
fn aliases_and_spellings_find_the_same_entry() {
    let troika = ask_json(&["explain", "troika"]);
    for variant in ["TROYKA", "Troika!"] {
        assert_eq!(
            ask_json(&["explain", variant])["title"],
            troika["title"],
            "{variant}"
        );
    }
    let order = ask_json(&["explain", "Order", "00447"]);
    assert!(
        order["title"].as_str().unwrap().contains("00447"),
        "{order}"
    );
    assert_eq!(
        ask_json(&["explain", "the kulak operation"])["title"],
        order["title"]
    );
    let yezhov = ask_json(&["explain", "Yezhov"]);
    assert_eq!(ask_json(&["explain", "Ezhov"])["title"], yezhov["title"]);
}

#[test]
fn see_also_buttons_open_their_entries() {
    let troika = ask_json(&["explain", "troika"]);
    let button = &troika["buttons"][0];
    let custom_id = button["custom_id"]
        .as_str()
        .expect("troika has see-also buttons");
    assert!(custom_id.len() <= 100);
    let opened = ask_json(&["press", custom_id]);
    assert_eq!(opened["title"], button["label"]);
}

#[test]
fn unknown_terms_and_bad_usage() {
    let reply = ask_json(&["explain", "zzqx", "nothing"]);
    assert_eq!(reply["ephemeral"], true);
    assert!(reply["text"].as_str().unwrap().contains("zzqx nothing"));

    let out = studybot(&repo(), &["ask", "frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown command `frobnicate`"));

    let bad = ask_json(&["press", "nonsense"]);
    assert_eq!(bad["ephemeral"], true);
}

#[test]
fn run_without_a_token_exits_2_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let out = studybot(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("DISCORD_TOKEN"), "{}", stderr(&out));
}

#[test]
fn version_is_printed() {
    let out = studybot(&repo(), &["--version"]);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out).trim(),
        format!("studybot {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_class_can_be_scripted_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("class.db").display().to_string();
    let content = bundled_content().display().to_string();
    let ask = |user: &str, name: &str, interaction: &str, words: &[&str]| {
        let mut args = vec![
            "ask",
            "--json",
            "--content",
            &content,
            "--db",
            &db,
            "--guild",
            "10",
            "--user",
            user,
            "--name",
            name,
            "--interaction",
            interaction,
            "--now",
            "2026-11-23T09:00:00Z",
        ];
        args.extend_from_slice(words);
        let out = studybot(dir.path(), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str::<Value>(&stdout(&out)).unwrap()
    };
    // Each call is a new process: the question and the answers live in the database.
    let daily = ask("1", "Ada", "1", &["daily"]);
    assert_eq!(
        ask("2", "Ben", "2", &["daily"])["text"],
        daily["text"],
        "one question per guild and day"
    );
    let button = &daily["buttons"][0];
    let id = button["custom_id"].as_str().unwrap();
    let press = |user: &str, name: &str, interaction: &str| {
        if button["opens_input"].as_bool().unwrap() {
            ask(user, name, interaction, &["press", id, "some", "answer"])
        } else {
            ask(user, name, interaction, &["press", id])
        }
    };
    let first = press("1", "Ada", "11");
    assert_eq!(first["ephemeral"], true);
    assert!(
        first["title"].as_str().unwrap().starts_with("Correct!") || first["title"] == "Not quite"
    );
    assert_eq!(first["edits"][0]["message"], "daily:10:2026-11-23");
    assert!(first["edits"][0]["footer"]
        .as_str()
        .unwrap()
        .starts_with("1 answered"));
    assert_eq!(press("1", "Ada", "12")["title"], "Already answered");
    let board = ask("1", "Ada", "13", &["leaderboard"]);
    assert!(
        board["text"]
            .as_str()
            .unwrap()
            .starts_with("**1.** **Ada** — "),
        "{board}"
    );
    let stats = ask("1", "Ada", "14", &["stats"]);
    assert!(
        stats["text"].as_str().unwrap().starts_with("1 answered"),
        "{stats}"
    );
    let dm = studybot(
        dir.path(),
        &[
            "ask",
            "--json",
            "--content",
            &content,
            "--db",
            &db,
            "leaderboard",
        ],
    );
    let dm: Value = serde_json::from_str(&stdout(&dm)).unwrap();
    assert_eq!(dm["ephemeral"], true, "guild-only commands refuse in DMs");
}

#[test]
fn run_with_a_malformed_token_fails_cleanly_without_printing_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_studybot"))
        .args(["run", "--content", &bundled_content().display().to_string()])
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", "secret-but-malformed-token-value")
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("token was refused"), "{all}");
    assert!(
        !all.contains("secret-but-malformed-token-value"),
        "the token leaked: {all}"
    );
}

#[test]
fn backup_copies_a_database_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("class.db").display().to_string();
    let content = bundled_content().display().to_string();
    let base = [
        "ask",
        "--content",
        &content,
        "--db",
        &db,
        "--guild",
        "10",
        "--now",
        "2026-11-23T09:00:00Z",
    ];
    let daily = studybot(dir.path(), &[&base[..], &["--json", "daily"]].concat());
    let daily: Value = serde_json::from_str(&stdout(&daily)).unwrap();
    let id = daily["buttons"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    let press = studybot(
        dir.path(),
        &[
            &base[..],
            &["--user", "3", "--name", "Cy", "press", &id, "1937"],
        ]
        .concat(),
    );
    assert!(press.status.success());

    let out = studybot(dir.path(), &["backup", "copy.db", "--db", &db]);
    assert!(out.status.success(), "{}", stderr(&out));
    let copy = dir.path().join("copy.db").display().to_string();
    let board = studybot(
        dir.path(),
        &[
            "ask",
            "--content",
            &content,
            "--db",
            &copy,
            "--guild",
            "10",
            "--json",
            "leaderboard",
        ],
    );
    let board: Value = serde_json::from_str(&stdout(&board)).unwrap();
    assert!(
        board["text"]
            .as_str()
            .unwrap()
            .starts_with("**1.** **Cy** — "),
        "{board}"
    );

    let missing = studybot(dir.path(), &["backup", "x.db", "--db", "nowhere.db"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no SQLite database at nowhere.db"));
}

#[test]
fn a_competition_is_scripted_with_now_and_tick() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("class.db");
    let db = db.to_str().unwrap();
    let at = |s: &str| format!("2026-11-23T10:00:{s}Z");
    let base = |now: &str, user: &str| {
        vec![
            "--db".to_string(),
            db.to_string(),
            "--guild".into(),
            "1".into(),
            "--channel".into(),
            "5".into(),
            "--user".into(),
            user.to_string(),
            "--name".into(),
            format!("s{user}"),
            "--now".into(),
            now.to_string(),
        ]
    };
    let run = |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        ask_json(&refs)
    };
    let mut start = base(&at("00"), "7");
    start.extend(["competition", "start", "rounds=1", "seconds=10"].map(String::from));
    assert_eq!(run(start)["title"], "Quiz competition!");
    // tick: what the bot's runner does at --now; here it opens round 1.
    let out = studybot(&repo(), &["ask", "--db", db, "--now", &at("01"), "tick"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let round = stdout(&out);
    assert!(round.contains("Round 1 of 1"), "{round}");
    // Press the first button as student 8, then let the round run out.
    let button = round
        .split(|c: char| {
            c.is_whitespace() || c == '`' || c == '[' || c == ']' || c == '(' || c == ')'
        })
        .find(|w| w.starts_with("cq1:") || w.starts_with("cqa1:"))
        .unwrap_or_else(|| panic!("no competition button in:\n{round}"))
        .to_string();
    let mut press = base(&at("03"), "8");
    press.extend(["press".to_string(), button.clone()]);
    if button.starts_with("cqa1:") {
        press.push("1937".into());
    }
    let pressed = run(press);
    let title = pressed["title"].as_str().unwrap();
    assert!(
        title.starts_with("Correct!") || title == "Not quite",
        "{pressed}"
    );
    let out = studybot(&repo(), &["ask", "--db", db, "--now", &at("12"), "tick"]);
    let end = stdout(&out);
    assert!(end.contains("Round 1 of 1: the answer"), "{end}");
    assert!(end.contains("Competition over"), "{end}");
    assert!(
        end.contains("s8"),
        "the student's name is on the podium: {end}"
    );
}

#[test]
fn a_teacher_uploads_a_pack_with_attach_and_the_class_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("class.db").display().to_string();
    let content = bundled_content().display().to_string();
    let pack = repo().join("tests/fixtures/ww1-pack.toml");
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        std::fs::read_to_string(&pack)
            .unwrap()
            .replace("kind = \"true_false\"", "kind = \"true_falsy\""),
    )
    .unwrap();
    let ask = |guild: &str, extra: &[&str], words: &[&str]| {
        let mut args = vec![
            "ask",
            "--json",
            "--content",
            &content,
            "--db",
            &db,
            "--guild",
            guild,
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(words);
        let out = studybot(dir.path(), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str::<Value>(&stdout(&out)).unwrap()
    };
    let pack = pack.display().to_string();
    let rejected = ask(
        "10",
        &["--teacher", "--attach", "broken.toml"],
        &["pack", "upload"],
    );
    assert_eq!(rejected["title"], "Pack not uploaded");
    assert!(
        rejected["text"]
            .as_str()
            .unwrap()
            .contains("broken.toml:22:8: "),
        "{rejected}"
    );
    let uploaded = ask("10", &["--teacher", "--attach", &pack], &["pack", "upload"]);
    assert_eq!(uploaded["title"], "Pack uploaded", "{uploaded}");
    assert_eq!(
        ask("10", &[], &["explain", "schlieffen"])["title"],
        "Schlieffen Plan"
    );
    assert_ne!(
        ask("11", &[], &["explain", "schlieffen"])["title"],
        "Schlieffen Plan"
    );
    let listed = ask("10", &["--teacher"], &["pack", "list"]);
    assert!(
        listed["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "The First World War (ww1)"),
        "{listed}"
    );
}

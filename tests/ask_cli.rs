//! `studybot ask` through the real binary on the bundled content: the same
//! handler Discord will call, printed as the Reply JSON contract.

mod common;
use common::*;
use serde_json::Value;

/// `ask --json` from the repository's folder (its `content/`), with a
/// database of its own unless the call names one: a `studybot.db` left in
/// the work tree would outlive the test and meet the next branch's schema.
fn ask_json(args: &[&str]) -> Value {
    let scratch = tempfile::tempdir().unwrap();
    let db = scratch.path().join("studybot.db").display().to_string();
    let mut all = vec!["ask", "--json"];
    if !args.contains(&"--db") {
        all.extend(["--db", db.as_str()]);
    }
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

#[test]
fn a_team_competition_is_scripted_with_random_teams() {
    let dir = tempfile::tempdir().unwrap();
    // True-or-false rounds (tagged to be drawn apart from the bundled
    // packs): of two students pressing the two buttons, exactly one is right.
    let pack = common::quiz_pack_with(&dir.path().join("content"), &["true_false"]);
    let text = std::fs::read_to_string(&pack).unwrap();
    let text = text
        .replace("tags = [\"kirov\"]", "tags = [\"team-test\"]")
        .replace("tags = [\"trials\"]", "tags = [\"team-test\"]");
    std::fs::write(&pack, text).unwrap();
    let db = dir.path().join("class.db").display().to_string();
    let ask = |now: &str, user: u64, words: &[&str]| -> Value {
        let (user, name) = (user.to_string(), format!("s{user}"));
        let mut args = vec![
            "ask",
            "--json",
            "--content",
            "content",
            "--db",
            &db,
            "--guild",
            "1",
            "--channel",
            "5",
            "--user",
            &user,
            "--name",
            &name,
            "--now",
            now,
        ];
        args.extend_from_slice(words);
        let out = studybot(dir.path(), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let tick = |now: &str| -> String {
        let out = studybot(
            dir.path(),
            &[
                "ask",
                "--content",
                "content",
                "--db",
                &db,
                "--now",
                now,
                "tick",
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let button = |round: &str, n: usize| -> String {
        round
            .split_whitespace()
            .filter(|w| w.starts_with("cq1:"))
            .nth(n)
            .unwrap_or_else(|| panic!("no button {n} in:\n{round}"))
            .to_string()
    };
    // A first competition puts students 8-11 on the server's board, which
    // random teams are drawn from.
    ask(
        "2026-11-23T09:00:00Z",
        7,
        &[
            "competition",
            "start",
            "rounds=1",
            "seconds=10",
            "tag=team-test",
        ],
    );
    let round = tick("2026-11-23T09:00:01Z");
    for user in 8..12 {
        ask("2026-11-23T09:00:02Z", user, &["press", &button(&round, 0)]);
    }
    assert!(tick("2026-11-23T09:00:12Z").contains("Competition over"));

    let started = ask(
        "2026-11-23T10:00:00Z",
        7,
        &[
            "competition",
            "start",
            "rounds=1",
            "seconds=10",
            "tag=team-test",
            "team_mode=random",
            "teams=2",
        ],
    );
    assert_eq!(started["title"], "Team competition!", "{started}");
    // Five players dealt into two teams, each announced with its members.
    let teams: Vec<(String, Vec<String>)> = started["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let name = f["name"].as_str().unwrap();
            let members: Vec<String> = f["value"]
                .as_str()
                .unwrap()
                .split(", ")
                .map(String::from)
                .collect();
            let team = name.split(" (").next().unwrap().to_string();
            assert_eq!(name, format!("{team} ({} players)", members.len()));
            (team, members)
        })
        .collect();
    assert_eq!(
        teams.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        ["Red", "Blue"]
    );
    let mut sizes: Vec<usize> = teams.iter().map(|(_, m)| m.len()).collect();
    sizes.sort();
    assert_eq!(sizes, [2, 3], "{teams:?}");

    let round = tick("2026-11-23T10:00:01Z");
    assert!(round.contains("Round 1 of 1"), "{round}");
    // Students 7 and 8 press one button, 9 and 10 the other; 11 sits out.
    let mut points = std::collections::BTreeMap::new();
    for (user, choice) in [(7, 0), (8, 0), (9, 1), (10, 1)] {
        let pressed = ask(
            "2026-11-23T10:00:01Z",
            user,
            &["press", &button(&round, choice)],
        );
        let title = pressed["title"].as_str().unwrap();
        let got: i64 = match title.strip_prefix("Correct! +") {
            Some(rest) => rest.trim_end_matches(" points").parse().unwrap(),
            None => {
                assert_eq!(title, "Not quite");
                0
            }
        };
        points.insert(format!("s{user}"), got);
    }
    assert_eq!(points.values().filter(|&&p| p > 0).count(), 2, "{points:?}");

    // The podium ranks the teams by the mean of their members' points
    // (the one who sat out counts 0 in their team).
    let end = tick("2026-11-23T10:00:12Z");
    assert!(
        end.contains("== Competition over: the team podium =="),
        "{end}"
    );
    let mut means: Vec<(f64, &str, usize)> = teams
        .iter()
        .map(|(team, members)| {
            let sum: i64 = members
                .iter()
                .map(|m| points.get(m).copied().unwrap_or(0))
                .sum();
            (
                sum as f64 / members.len() as f64,
                team.as_str(),
                members.len(),
            )
        })
        .collect();
    means.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap());
    for (rank, (mean, team, size)) in means.iter().enumerate() {
        let shown = if mean.fract() == 0.0 {
            format!("{mean:.0}")
        } else {
            format!("{mean:.1}")
        };
        let line = format!(
            "{}. **{team}** — {shown} points each ({size} players)",
            rank + 1
        );
        assert!(end.contains(&line), "no `{line}` in:\n{end}");
    }
    // Each student's own points are listed with their team.
    for (team, members) in &teams {
        for member in members {
            let own = points.get(member).copied().unwrap_or(0);
            if own > 0 {
                assert!(
                    end.contains(&format!("{member} ({team}) — {own} points")),
                    "{member} in {team}: {end}"
                );
            }
        }
    }
}

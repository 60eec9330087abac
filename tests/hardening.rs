//! Hostile input, payloads that do not belong, and isolation between
//! servers, through the same handlers both edges call.
//!
//! - Every option of every command in the catalogue gets every hostile
//!   input (mentions, Markdown, control, zero-width and bidi characters,
//!   6,000 characters): the reply fits Discord's limits and never shows the
//!   input in a form that pings or formats.
//! - Button and modal payloads that are malformed, from another server, for
//!   an unknown or closed question, or for another student's question are
//!   refused privately and change no score.
//! - Two servers' leaderboards, settings, packs, seasons and exports never mix.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::command;
use std::path::PathBuf;
use studybot::config::Config;
use studybot::handlers::{self, spec};
use studybot::request::{Action, GuildId, Request, Upload, UserId};
use studybot::{App, Library, Reply};

const CLASS_A: u64 = 10;
const CLASS_B: u64 = 20;

fn app() -> App {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quiz-pack.toml");
    let (library, _) = Library::load(&[fixture]).unwrap();
    App::in_memory(Config::default(), library).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn request(guild: Option<u64>, user: u64, teacher: bool, action: Action) -> Request {
    common::request_at(now(), guild, user, teacher, action)
}

fn press(custom_id: &str, input: Option<&str>) -> Action {
    Action::Press {
        custom_id: custom_id.into(),
        input: input.map(String::from),
    }
}

/// Inputs a class of teenagers will try.
fn hostile_inputs() -> Vec<String> {
    vec![
        "@everyone".into(),
        "@here look".into(),
        "<@&123456789012345678> role ping".into(),
        "<@123456789012345678>".into(),
        "<#123456789012345678>".into(),
        "**bold** __underline__ ~~strike~~".into(),
        "`code` ```block```".into(),
        "||spoiler||".into(),
        "[click](https://example.com)".into(),
        "# heading\n> quote".into(),
        "a\u{0}b\u{7}c\u{1b}[31mred".into(),
        "zero\u{200b}width\u{200d}joiner\u{feff}".into(),
        "\u{202e}desrever\u{202c} text \u{2067}isolate".into(),
        "e\u{301}".repeat(300),
        "\r\n\r\n\t".into(),
        "x".repeat(6000),
        "€".repeat(6000),
        "troika @everyone **now**".into(),
        "1 December 1934 <@&1>".into(),
        "".into(),
    ]
}

/// Every string of a reply a user sees, edits included.
fn shown(reply: &Reply) -> Vec<String> {
    let mut out = vec![reply.text.clone()];
    out.extend(reply.title.clone());
    out.extend(reply.footer.clone());
    out.extend(reply.content.clone());
    for f in &reply.fields {
        out.push(f.name.clone());
        out.push(f.value.clone());
    }
    for b in &reply.buttons {
        out.push(b.label.clone());
    }
    for e in &reply.edits {
        out.extend(shown(&e.reply));
    }
    out
}

/// What must hold for any reply to any input: the problems found, if any.
fn problems(reply: &Reply, input: &str, what: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut check = |ok: bool, problem: &str| {
        if !ok {
            found.push(format!("{what}: {problem}"));
        }
    };
    check(
        reply.text.chars().count() <= 4096,
        "text over 4,096 characters",
    );
    check(
        reply
            .title
            .as_ref()
            .is_none_or(|t| t.chars().count() <= 256),
        "title over 256",
    );
    check(reply.fields.len() <= 25, "more than 25 fields");
    for f in &reply.fields {
        check(
            f.name.chars().count() <= 256 && f.value.chars().count() <= 1024,
            "field too long",
        );
    }
    check(reply.buttons.len() <= 25, "more than 25 buttons");
    for b in &reply.buttons {
        check(
            b.label.chars().count() <= 80 && b.custom_id.len() <= 100,
            "button too long",
        );
    }
    check(reply.content.is_none(), "text outside the embed");
    // A user or channel named by its mention is shown as that mention (it
    // reads as a name and cannot ping: replies allow no mentions).
    let names_one = |prefix: &str| {
        input
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix('>'))
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
    };
    let formats = input.contains(['@', '<', '*', '_', '~', '`', '|', '[', '#', '>'])
        && !names_one("<@")
        && !names_one("<#");
    // The role a teacher chose is shown as its mention (silent, as above).
    let shows_role =
        what.starts_with("/settings role") || what.starts_with("/settings teacher-role");
    for text in shown(reply) {
        check(
            !text.contains("@everyone")
                && !text.contains("@here")
                && (shows_role || !text.contains("<@&")),
            "a mention that could ping",
        );
        check(
            !text.contains(['\u{202e}', '\u{2067}', '\u{0}', '\u{1b}']),
            "a control or bidi character shown back",
        );
        if formats && input.len() >= 3 {
            check(!text.contains(input), "the input shown unescaped");
        }
    }
    found
}

fn assert_safe(reply: &Reply, input: &str, what: &str) {
    let found = problems(reply, input, what);
    assert!(found.is_empty(), "{found:?} in {reply:?}");
}

/// Every (command, subcommands, option) in the catalogue.
fn every_option() -> Vec<(String, Vec<String>, String)> {
    fn walk(
        spec: &spec::CommandSpec,
        root: &str,
        path: &[String],
        out: &mut Vec<(String, Vec<String>, String)>,
    ) {
        for option in spec.options {
            out.push((root.to_string(), path.to_vec(), option.name.to_string()));
        }
        for sub in spec.subcommands {
            let mut path = path.to_vec();
            path.push(sub.name.to_string());
            walk(sub, root, &path, out);
        }
    }
    let mut out = Vec::new();
    for command in spec::COMMANDS {
        walk(command, command.name, &[], &mut out);
    }
    out
}

#[test]
fn every_option_of_every_command_survives_every_hostile_input() {
    let app = app();
    let options = every_option();
    assert!(
        options.len() >= 20,
        "the catalogue has {} options",
        options.len()
    );
    let inputs = hostile_inputs();
    let mut cases = 0;
    let mut failures = Vec::new();
    for (name, subs, option) in &options {
        let subs: Vec<&str> = subs.iter().map(String::as_str).collect();
        for input in &inputs {
            for teacher in [false, true] {
                let request = request(
                    Some(CLASS_A),
                    7,
                    teacher,
                    command(name, &subs, &[(option.as_str(), input.as_str())]),
                );
                let reply = handlers::respond(&app, &request);
                let what = format!("/{name} {} {option}", subs.join(" "));
                failures.extend(problems(&reply, input, &what));
                cases += 1;
            }
        }
    }
    failures.sort();
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Typed answers and problem reports go through text inputs (modals).
    for input in &inputs {
        let quiz = handlers::respond(
            &app,
            &request(Some(CLASS_A), 8, false, command("quiz", &[], &[])),
        );
        for button in quiz.buttons.iter().filter(|b| b.opens_input) {
            let reply = handlers::respond(
                &app,
                &request(
                    Some(CLASS_A),
                    8,
                    false,
                    press(&button.custom_id, Some(input)),
                ),
            );
            assert_safe(&reply, input, &format!("typed into {}", button.custom_id));
            cases += 1;
        }
    }
    // The report texts reach the teacher escaped.
    let reports = handlers::respond(
        &app,
        &request(Some(CLASS_A), 1, true, command("pack", &["reports"], &[])),
    );
    for input in &inputs {
        assert_safe(&reports, input, "/pack reports");
    }
    println!(
        "{cases} hostile requests, {} inputs x {} options",
        inputs.len(),
        options.len()
    );
}

/// A press that does not belong: (guild, user, teacher, custom id, typed
/// input, the start of the refusal expected).
type Foreign<'a> = (Option<u64>, u64, bool, &'a str, Option<&'a str>, &'a str);

fn answered(app: &App, user: u64) -> u64 {
    app.store
        .question_results(None, UserId(user))
        .unwrap()
        .iter()
        .map(|r| r.answered)
        .sum()
}

#[test]
fn payloads_that_do_not_belong_are_refused_privately_and_change_no_score() {
    let app = app();
    // A daily question in class A, a practice question of student 5, and
    // yesterday's daily question.
    let daily = handlers::respond(
        &app,
        &request(Some(CLASS_A), 5, false, command("daily", &[], &[])),
    );
    let daily_button = daily.buttons[0].custom_id.clone();
    let practice = handlers::respond(
        &app,
        &request(Some(CLASS_A), 5, false, command("quiz", &[], &[])),
    );
    let practice_button = practice.buttons[0].custom_id.clone();
    let mut yesterday = request(Some(CLASS_B), 5, false, command("daily", &[], &[]));
    yesterday.now = now() - chrono::Duration::days(1);
    let old = handlers::respond(&app, &yesterday);
    let old_button = old.buttons[0].custom_id.clone();
    let before: Vec<u64> = (5..8).map(|u| answered(&app, u)).collect();

    let long = "q1:".to_string() + &"9".repeat(200);
    let table: Vec<Foreign> = vec![
        // (guild, user, teacher, custom id, typed input, expected start of the refusal)
        (
            Some(CLASS_A),
            6,
            false,
            "",
            None,
            "That button is not one studybot understands",
        ),
        (
            Some(CLASS_A),
            6,
            false,
            "q1:",
            None,
            "That button is not one studybot understands",
        ),
        (
            Some(CLASS_A),
            6,
            false,
            "q1:abc:0",
            None,
            "That button is not one studybot understands",
        ),
        (
            Some(CLASS_A),
            6,
            false,
            &long,
            None,
            "That button is not one studybot understands",
        ),
        (
            Some(CLASS_A),
            6,
            false,
            "zz9:1",
            None,
            "That button is not one studybot understands",
        ),
        (
            Some(CLASS_A),
            6,
            false,
            "q1:999999:0",
            None,
            "That question does not exist",
        ),
        (
            Some(CLASS_A),
            6,
            false,
            "qa1:999999",
            Some("Yezhov"),
            "That question does not exist",
        ),
        (Some(CLASS_A), 6, false, "cq1:999999:1:0", None, ""),
        (
            Some(CLASS_B),
            6,
            false,
            &daily_button,
            None,
            "This question belongs to another server.",
        ),
        (
            None,
            6,
            false,
            &daily_button,
            None,
            "This question belongs to another server.",
        ),
        (
            Some(CLASS_A),
            6,
            false,
            &practice_button,
            None,
            "This practice question belongs to someone else.",
        ),
        (
            Some(CLASS_B),
            7,
            false,
            &old_button,
            None,
            "This daily question has closed.",
        ),
        (
            Some(CLASS_A),
            6,
            false,
            "dq1:1:1",
            None,
            "Only teachers can use this button",
        ),
        (
            Some(CLASS_A),
            6,
            true,
            "se1:1:1",
            None,
            "This button belongs to the teacher who asked for it",
        ),
        (
            Some(CLASS_A),
            6,
            true,
            "pk1:1:quizmini",
            None,
            "This button belongs to the teacher who asked for it",
        ),
        (
            Some(CLASS_A),
            6,
            true,
            "sa1:1:1",
            None,
            "This button belongs to the teacher who asked for it",
        ),
        (
            Some(CLASS_A),
            6,
            false,
            "pv1:5",
            None,
            "This button belongs to someone else.",
        ),
    ];
    for (guild, user, teacher, custom_id, input, refusal) in &table {
        let reply = handlers::respond(
            &app,
            &request(*guild, *user, *teacher, press(custom_id, *input)),
        );
        assert!(reply.ephemeral, "{custom_id}: refused privately");
        assert!(reply.edits.is_empty(), "{custom_id}: no message changes");
        assert!(
            reply.text.starts_with(refusal),
            "{custom_id}: expected {refusal:?}, got {:?}",
            reply.text
        );
    }
    let after: Vec<u64> = (5..8).map(|u| answered(&app, u)).collect();
    assert_eq!(before, after, "no refused payload recorded an answer");
    // Student 5's data is still there (the pv1 refusal deleted nothing).
    assert_eq!(answered(&app, 5), before[0]);
    println!("{} refused payloads", table.len());
}

fn teacher(app: &App, guild: u64, subs: &[&str], name: &str, options: &[(&str, &str)]) -> Reply {
    handlers::respond(
        app,
        &request(Some(guild), 1, true, command(name, subs, options)),
    )
}

#[test]
fn two_servers_never_see_each_others_scores_settings_packs_seasons_or_exports() {
    let app = app();
    teacher(
        &app,
        CLASS_A,
        &["timezone"],
        "settings",
        &[("timezone", "Europe/London")],
    );
    teacher(
        &app,
        CLASS_B,
        &["timezone"],
        "settings",
        &[("timezone", "Asia/Tokyo")],
    );
    teacher(&app, CLASS_A, &["start"], "season", &[("name", "Autumn A")]);
    let mut upload = request(Some(CLASS_A), 1, true, command("pack", &["upload"], &[]));
    upload.attachment = Some(Upload {
        name: "ww1.toml".into(),
        data: include_bytes!("fixtures/ww1-pack.toml").to_vec(),
    });
    assert_eq!(
        handlers::respond(&app, &upload).title.as_deref(),
        Some("Pack uploaded")
    );
    // Ann answers in A, Bob in B.
    for (guild, user, name) in [(CLASS_A, 31, "Ann"), (CLASS_B, 32, "Bob")] {
        let mut r = request(Some(guild), user, false, command("daily", &[], &[]));
        r.display_name = name.into();
        let daily = handlers::respond(&app, &r);
        let button = daily
            .buttons
            .iter()
            .find(|b| !b.opens_input && b.custom_id.starts_with("q1:"));
        let action = match button {
            Some(b) => press(&b.custom_id, None),
            None => press(&daily.buttons[0].custom_id, Some("an answer")),
        };
        let mut r = request(Some(guild), user, false, action);
        r.display_name = name.into();
        handlers::respond(&app, &r);
    }

    for (guild, mine, theirs) in [(CLASS_A, "Ann", "Bob"), (CLASS_B, "Bob", "Ann")] {
        let board = handlers::respond(
            &app,
            &request(Some(guild), 40, false, command("leaderboard", &[], &[])),
        );
        assert!(
            board.text.contains(mine) && !board.text.contains(theirs),
            "{}",
            board.text
        );
        let export = teacher(&app, guild, &["scores"], "export", &[]);
        let csv = String::from_utf8(export.attachments[0].data.clone()).unwrap();
        assert!(csv.contains(mine) && !csv.contains(theirs), "{csv}");
    }
    let shown_a = teacher(&app, CLASS_A, &["show"], "settings", &[]);
    let shown_b = teacher(&app, CLASS_B, &["show"], "settings", &[]);
    let all = |r: &Reply| shown(r).join("\n");
    assert!(all(&shown_a).contains("Europe/London") && !all(&shown_a).contains("Asia/Tokyo"));
    assert!(all(&shown_b).contains("Asia/Tokyo") && !all(&shown_b).contains("Europe/London"));
    // The season runs in A only; ending B's (none) leaves A's running.
    let end_b = teacher(&app, CLASS_B, &["end"], "season", &[]);
    assert!(
        end_b.buttons.is_empty(),
        "no season to end in B: {}",
        end_b.text
    );
    assert!(app.store.open_season(GuildId(CLASS_A)).unwrap().is_some());
    assert!(app.store.open_season(GuildId(CLASS_B)).unwrap().is_none());
    let season_a = teacher(
        &app,
        CLASS_A,
        &["scores"],
        "export",
        &[("season", "current")],
    );
    assert!(String::from_utf8(season_a.attachments[0].data.clone())
        .unwrap()
        .contains("Ann"));
    let season_b = teacher(
        &app,
        CLASS_B,
        &["scores"],
        "export",
        &[("season", "current")],
    );
    assert!(season_b.attachments.is_empty(), "{}", season_b.text);
    // Packs: A's upload is A's alone.
    let packs_b = teacher(&app, CLASS_B, &["list"], "pack", &[]);
    assert!(packs_b.fields.iter().all(|f| !f.name.contains("ww1")));
    let remove_from_b = teacher(&app, CLASS_B, &["remove"], "pack", &[("pack", "ww1")]);
    assert!(
        remove_from_b
            .text
            .starts_with("This server has no uploaded pack"),
        "{}",
        remove_from_b.text
    );
    let off_in_b = teacher(&app, CLASS_B, &["disable"], "pack", &[("pack", "ww1")]);
    assert!(
        off_in_b.text.starts_with("This server has no pack `ww1`"),
        "{}",
        off_in_b.text
    );
    // Removing Ann in B removes nothing; in A it removes her.
    let none = teacher(&app, CLASS_B, &["remove"], "student", &[("user", "31")]);
    assert_eq!(none.title.as_deref(), Some("Nothing to remove"));
    assert!(answered(&app, 31) > 0);
    // Deleting guild B's data (the bot was removed there) leaves A whole.
    app.store.delete_guild(GuildId(CLASS_B)).unwrap();
    assert_eq!(answered(&app, 32), 0);
    assert!(answered(&app, 31) > 0);
    assert_eq!(
        app.store
            .guild_packs(GuildId(CLASS_A))
            .unwrap()
            .uploads
            .len(),
        1
    );
    let board = handlers::respond(
        &app,
        &request(Some(CLASS_A), 40, false, command("leaderboard", &[], &[])),
    );
    assert!(board.text.contains("Ann"), "{}", board.text);
}

/// Issue #20, 1: every button that does a teacher's action re-checks the
/// teacher rule when pressed. A student who forges the id with their own
/// user id in it, and a teacher who has since lost the teacher role, get a
/// private refusal and change nothing; the teacher who asked, still a
/// teacher, gets the action. Buttons are real ones from real replies.
#[test]
fn teacher_buttons_check_the_teacher_rule_when_pressed() {
    const TEACHER_ROLE: u64 = 900;
    const TEACHER: u64 = 300;
    const STUDENT: u64 = 102;
    let app = app();
    let as_member = |user: u64, roles: &[u64], action: Action| {
        let mut r = request(Some(CLASS_A), user, false, action);
        r.roles = roles.to_vec();
        handlers::respond(&app, &r)
    };
    // The head of department (Manage Server) makes role 900 the teachers'.
    let set = handlers::respond(
        &app,
        &request(
            Some(CLASS_A),
            1,
            true,
            command("settings", &["teacher-role"], &[("role", "900")]),
        ),
    );
    assert!(set.text.contains("now count as teachers"), "{}", set.text);
    let teacher = |action: Action| as_member(TEACHER, &[TEACHER_ROLE], action);

    // What the buttons act on: a season, a reported and wrongly answered
    // daily question, an uploaded pack.
    teacher(command("season", &["start"], &[("name", "Autumn")]));
    let daily = as_member(STUDENT, &[], command("daily", &[], &[]));
    let wrong = daily
        .buttons
        .iter()
        .find(|b| b.custom_id.starts_with("q1:"))
        .map(|b| press(&b.custom_id, None))
        .unwrap_or_else(|| press(&daily.buttons[0].custom_id, Some("certainly not this")));
    as_member(STUDENT, &[], wrong);
    let report_id = daily
        .buttons
        .iter()
        .find(|b| b.custom_id.starts_with("rp1:"))
        .expect("a report button")
        .custom_id
        .clone();
    as_member(STUDENT, &[], press(&report_id, Some("typo")));
    let mut upload = request(
        Some(CLASS_A),
        TEACHER,
        false,
        command("pack", &["upload"], &[]),
    );
    upload.roles = vec![TEACHER_ROLE];
    upload.attachment = Some(Upload {
        name: "ww1.toml".into(),
        data: include_bytes!("fixtures/ww1-pack.toml").to_vec(),
    });
    assert_eq!(
        handlers::respond(&app, &upload).title.as_deref(),
        Some("Pack uploaded")
    );

    let button_of = |reply: &Reply, prefix: &str| -> String {
        reply
            .buttons
            .iter()
            .map(|b| b.custom_id.clone())
            .find(|id| id.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} button in {reply:?}"))
    };
    let genuine = [
        button_of(&teacher(command("season", &["end"], &[])), "se1:"),
        button_of(&teacher(command("pack", &["reports"], &[])), "dq1:"),
        button_of(
            &teacher(command(
                "score",
                &["accept"],
                &[("user", &STUDENT.to_string())],
            )),
            "sa1:",
        ),
        button_of(
            &teacher(command("pack", &["remove"], &[("pack", "ww1")])),
            "pk1:",
        ),
    ];
    // The same ids with the student's own user id written in.
    let forged: Vec<String> = genuine
        .iter()
        .map(|id| id.replace(&TEACHER.to_string(), &STUDENT.to_string()))
        .collect();
    assert!(forged.iter().all(|f| f.contains(&STUDENT.to_string())));

    let state = || {
        let guild = GuildId(CLASS_A);
        (
            app.store.open_season(guild).unwrap().map(|s| s.name),
            app.store.disabled_questions(guild).unwrap(),
            app.store
                .wrong_daily_answers(guild, UserId(STUDENT), 50)
                .unwrap()
                .len(),
            app.store.guild_packs(guild).unwrap().uploads.len(),
        )
    };
    let before = state();
    assert_eq!(before.0.as_deref(), Some("Autumn"));
    assert_eq!(before.3, 1);
    for (id, forged_id) in genuine.iter().zip(&forged) {
        // The student, with a forged id and with the genuine one.
        for attempt in [forged_id, id] {
            let reply = as_member(STUDENT, &[], press(attempt, None));
            assert!(reply.ephemeral, "{attempt}: {reply:?}");
            assert!(
                reply.text.starts_with("Only teachers can use this button"),
                "{attempt}: {}",
                reply.text
            );
        }
        // The teacher after the teacher role was taken away.
        let reply = as_member(TEACHER, &[], press(id, None));
        assert!(
            reply.text.starts_with("Only teachers can use this button"),
            "{id}: {}",
            reply.text
        );
        // Another teacher pressing a button issued to someone else.
        let reply = as_member(301, &[TEACHER_ROLE], press(id, None));
        assert!(
            reply
                .text
                .starts_with("This button belongs to the teacher who asked for it"),
            "{id}: {}",
            reply.text
        );
        assert_eq!(state(), before, "{id} changed something when refused");
    }
    // The genuine teacher, still a teacher: every action happens.
    for id in &genuine {
        let reply = teacher(press(id, None));
        assert!(!reply.text.starts_with("Only"), "{id}: {}", reply.text);
    }
    let after = state();
    assert_eq!(after.0, None, "the season ended");
    assert_eq!(after.1.len(), 1, "the reported question is disabled");
    assert_eq!(before.2, 1, "the student's wrong answer is listed");
    assert_eq!(after.2, 0, "the wrong answer now counts as right");
    assert_eq!(after.3, 0, "the pack is removed");
}

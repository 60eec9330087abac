//! Per-server packs through the handlers: `/pack upload` checks the file
//! like `studybot check` and stores it for one server only; `/pack list`,
//! `enable`, `disable` and `remove` choose where questions come from; and
//! `/score accept` corrects a wrong mark, changing exactly the points it
//! should and mending the daily streak the mark broke. The database is a file, so "after a restart" is a new App on it.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::command;
use std::path::{Path, PathBuf};
use studybot::config::Config;
use studybot::handlers;
use studybot::request::{Action, GuildId, Request, Upload, UserId};
use studybot::{App, Library, Reply};

const CLASS: u64 = 10;
const OTHER_CLASS: u64 = 20;
const TEACHER: u64 = 1;
const OTHER_TEACHER: u64 = 2;
const STUDENT: u64 = 5;

fn open_app(db: &Path) -> App {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quiz-pack.toml");
    let (library, _) = Library::load(&[fixture]).unwrap();
    let store = studybot::store::open(db.to_str().unwrap()).unwrap();
    App::new(Config::default(), library, store).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
}

fn request(guild: u64, user: u64, teacher: bool, action: Action) -> Request {
    common::request_at(now(), Some(guild), user, teacher, action)
}

fn ask(
    app: &App,
    guild: u64,
    user: u64,
    name: &str,
    subs: &[&str],
    options: &[(&str, &str)],
) -> Reply {
    let teacher = user == TEACHER || user == OTHER_TEACHER;
    handlers::respond(
        app,
        &request(guild, user, teacher, command(name, subs, options)),
    )
}

fn press(app: &App, guild: u64, user: u64, custom_id: &str) -> Reply {
    let teacher = user == TEACHER || user == OTHER_TEACHER;
    let action = Action::Press {
        custom_id: custom_id.into(),
        input: None,
    };
    handlers::respond(app, &request(guild, user, teacher, action))
}

fn upload(app: &App, guild: u64, user: u64, name: &str, data: &[u8]) -> Reply {
    let teacher = user == TEACHER || user == OTHER_TEACHER;
    let mut request = request(guild, user, teacher, command("pack", &["upload"], &[]));
    request.attachment = Some(Upload {
        name: name.into(),
        data: data.to_vec(),
    });
    handlers::respond(app, &request)
}

/// A teacher's own pack on another topic: one entry, two questions.
const WW1_PACK: &str = include_str!("fixtures/ww1-pack.toml");

#[test]
fn a_broken_upload_names_the_file_line_and_column_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = open_app(&dir.path().join("db.sqlite"));
    // Two mistakes: a question kind that does not exist, and a source id
    // that the pack does not declare.
    let broken = WW1_PACK
        .replace("kind = \"true_false\"", "kind = \"true_falsy\"")
        .replace(
            "28 June 1914.\"\nsources = [\"textbook\"]",
            "28 June 1914.\"\nsources = [\"nowhere\"]",
        );
    assert_ne!(broken, WW1_PACK);
    let expected = studybot::content::load_pack_text("ww1.toml", broken.clone());
    let expected: Vec<String> = expected.errors().map(|d| d.to_string()).collect();
    assert!(!expected.is_empty());
    let reply = upload(&app, CLASS, TEACHER, "ww1.toml", broken.as_bytes());
    assert_eq!(
        reply.title.as_deref(),
        Some("Pack not uploaded"),
        "{}",
        reply.text
    );
    assert!(reply.ephemeral);
    let kind_line = broken
        .lines()
        .position(|l| l == "kind = \"true_falsy\"")
        .unwrap()
        + 1;
    assert!(
        reply.text.contains(&format!("ww1.toml:{kind_line}:8: ")),
        "the bad kind is pointed at, value column: {}",
        reply.text
    );
    for error in &expected {
        assert!(
            reply.text.contains(error.as_str()),
            "{error} in {}",
            reply.text
        );
    }
    assert!(app
        .store
        .guild_packs(GuildId(CLASS))
        .unwrap()
        .uploads
        .is_empty());

    // Not UTF-8: the first bad byte's line and column.
    let mut bytes = WW1_PACK.as_bytes().to_vec();
    let at = WW1_PACK.find("Germany").unwrap();
    bytes[at] = 0xff;
    let line = WW1_PACK[..at].matches('\n').count() + 1;
    let column = at - WW1_PACK[..at].rfind('\n').unwrap();
    let reply = upload(&app, CLASS, TEACHER, "ww1.toml", &bytes);
    assert!(
        reply.text.contains(&format!(
            "ww1.toml:{line}:{column}: the file is not UTF-8 text"
        )),
        "{}",
        reply.text
    );
}

#[test]
fn an_uploaded_pack_is_used_at_once_in_its_server_only_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let app = open_app(&db);
    // Before: the server knows nothing of the Schlieffen Plan.
    let before = ask(
        &app,
        CLASS,
        STUDENT,
        "explain",
        &[],
        &[("term", "Schlieffen Plan")],
    );
    assert!(!before.text.contains("Germany's plan"), "{}", before.text);

    let refused = upload(&app, CLASS, STUDENT, "ww1.toml", WW1_PACK.as_bytes());
    assert!(
        refused.text.starts_with("Only teachers"),
        "{}",
        refused.text
    );
    let reply = upload(&app, CLASS, TEACHER, "ww1.toml", WW1_PACK.as_bytes());
    assert_eq!(
        reply.title.as_deref(),
        Some("Pack uploaded"),
        "{}",
        reply.text
    );
    assert!(
        reply.text.starts_with(
            "**The First World War** (`ww1`): 0 events, 1 glossary entries, 2 questions."
        ),
        "{}",
        reply.text
    );

    for app in [&app, &open_app(&db)] {
        // In its server: explained, and its questions are asked.
        let explained = ask(
            app,
            CLASS,
            STUDENT,
            "explain",
            &[],
            &[("term", "schliefen")],
        );
        assert_eq!(
            explained.title.as_deref(),
            Some("Schlieffen Plan"),
            "{}",
            explained.text
        );
        assert!(explained.text.contains("Germany's plan to defeat France"));
        let quiz = ask(app, CLASS, STUDENT, "quiz", &[], &[("tag", "ww1")]);
        assert!(
            quiz.text.contains("Schlieffen Plan was halted") || quiz.text.contains("Sarajevo"),
            "{}",
            quiz.text
        );
        // In another server: unknown.
        let elsewhere = ask(
            app,
            OTHER_CLASS,
            STUDENT,
            "explain",
            &[],
            &[("term", "Schlieffen Plan")],
        );
        assert!(
            !elsewhere.text.contains("Germany's plan"),
            "{}",
            elsewhere.text
        );
        let quiz = ask(app, OTHER_CLASS, STUDENT, "quiz", &[], &[("tag", "ww1")]);
        assert!(
            quiz.text.starts_with("No questions match the tag \"ww1\""),
            "{}",
            quiz.text
        );
        let listed = ask(app, OTHER_CLASS, TEACHER, "pack", &["list"], &[]);
        assert!(listed.fields.iter().all(|f| !f.name.contains("ww1")));
        // Nor in DMs.
        let mut dm = request(
            CLASS,
            STUDENT,
            false,
            command("explain", &[], &[("term", "Schlieffen Plan")]),
        );
        dm.guild = None;
        assert!(!handlers::respond(app, &dm).text.contains("Germany's plan"));
    }

    let listed = ask(&app, CLASS, TEACHER, "pack", &["list"], &[]);
    let names: Vec<&str> = listed.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["Quiz fixture (quizmini)", "The First World War (ww1)"]
    );
    assert!(
        listed.fields[0].value.starts_with("questions on · bundled"),
        "{}",
        listed.fields[0].value
    );
    assert!(
        listed.fields[1].value.starts_with(
            "questions on · uploaded by <@1> on 23 Nov 2026\n0 events, 1 entries, 2 questions"
        ),
        "{}",
        listed.fields[1].value
    );

    // Uploading the same id again replaces it; a bundled id is refused.
    let again = upload(
        &app,
        CLASS,
        TEACHER,
        "ww1-v2.toml",
        WW1_PACK
            .replace("Class textbook", "Textbook, 2nd ed.")
            .as_bytes(),
    );
    assert_eq!(
        again.title.as_deref(),
        Some("Pack replaced"),
        "{}",
        again.text
    );
    assert_eq!(
        app.store.guild_packs(GuildId(CLASS)).unwrap().uploads.len(),
        1
    );
    let clash = upload(
        &app,
        CLASS,
        TEACHER,
        "mine.toml",
        WW1_PACK
            .replace("id = \"ww1\"", "id = \"quizmini\"")
            .as_bytes(),
    );
    assert!(
        clash
            .text
            .starts_with("A bundled pack already has the id `quizmini`"),
        "{}",
        clash.text
    );
}

#[test]
fn turning_packs_off_and_on_chooses_where_questions_come_from() {
    let dir = tempfile::tempdir().unwrap();
    let app = open_app(&dir.path().join("db.sqlite"));
    assert_eq!(
        upload(&app, CLASS, TEACHER, "ww1.toml", WW1_PACK.as_bytes())
            .title
            .as_deref(),
        Some("Pack uploaded")
    );

    let off = ask(
        &app,
        CLASS,
        TEACHER,
        "pack",
        &["disable"],
        &[("pack", "quizmini")],
    );
    assert!(
        off.text
            .starts_with("Questions from **Quiz fixture** are no longer asked"),
        "{}",
        off.text
    );
    assert!(!off.text.contains("No pack with questions"));
    // Only the uploaded pack's questions are asked now, by every route.
    for user in 30..45 {
        let quiz = ask(&app, CLASS, user, "quiz", &[], &[]);
        assert!(
            quiz.text.contains("Schlieffen Plan was halted") || quiz.text.contains("Sarajevo"),
            "{}",
            quiz.text
        );
    }
    let daily = ask(&app, CLASS, STUDENT, "daily", &[], &[]);
    assert!(
        daily.text.contains("Schlieffen") || daily.text.contains("Sarajevo"),
        "{}",
        daily.text
    );
    // Its facts still answer lookups; the other server is untouched.
    let explained = ask(&app, CLASS, STUDENT, "explain", &[], &[("term", "Yezhov")]);
    assert_eq!(explained.title.as_deref(), Some("Nikolai Yezhov"));
    let other = ask(&app, OTHER_CLASS, STUDENT, "quiz", &[], &[("tag", "nkvd")]);
    assert!(other.text.contains("NKVD"), "{}", other.text);
    let listed = ask(&app, CLASS, TEACHER, "pack", &["list"], &[]);
    assert!(
        listed.fields[0].value.starts_with("questions off"),
        "{}",
        listed.fields[0].value
    );

    let last = ask(
        &app,
        CLASS,
        TEACHER,
        "pack",
        &["disable"],
        &[("pack", "ww1")],
    );
    assert!(
        last.text.contains("No pack with questions is on now"),
        "{}",
        last.text
    );
    let none = ask(&app, CLASS, 50, "quiz", &[], &[]);
    assert!(none.ephemeral && none.title.is_none(), "{}", none.text);

    let on = ask(
        &app,
        CLASS,
        TEACHER,
        "pack",
        &["enable"],
        &[("pack", "QuizMini")],
    );
    assert!(
        on.text
            .starts_with("Questions from **Quiz fixture** are asked in this server again"),
        "{}",
        on.text
    );
    let quiz = ask(&app, CLASS, 51, "quiz", &[], &[("tag", "nkvd")]);
    assert!(quiz.text.contains("NKVD"), "{}", quiz.text);
    let unknown = ask(
        &app,
        CLASS,
        TEACHER,
        "pack",
        &["enable"],
        &[("pack", "nope")],
    );
    assert!(
        unknown.text.starts_with("This server has no pack `nope`"),
        "{}",
        unknown.text
    );
    let student = ask(
        &app,
        CLASS,
        STUDENT,
        "pack",
        &["disable"],
        &[("pack", "quizmini")],
    );
    assert!(student.text.starts_with("Only teachers"));
}

#[test]
fn only_the_teacher_who_asked_can_remove_an_uploaded_pack() {
    let dir = tempfile::tempdir().unwrap();
    let app = open_app(&dir.path().join("db.sqlite"));
    upload(&app, CLASS, TEACHER, "ww1.toml", WW1_PACK.as_bytes());
    let bundled = ask(
        &app,
        CLASS,
        TEACHER,
        "pack",
        &["remove"],
        &[("pack", "quizmini")],
    );
    assert!(
        bundled.text.starts_with("`quizmini` is a bundled pack"),
        "{}",
        bundled.text
    );

    let ask_remove = ask(
        &app,
        CLASS,
        TEACHER,
        "pack",
        &["remove"],
        &[("pack", "ww1")],
    );
    assert_eq!(ask_remove.title.as_deref(), Some("Remove a pack?"));
    let button = &ask_remove.buttons[0];
    assert_eq!(button.custom_id, "pk1:1:ww1");
    // Another teacher, a student, and the same teacher in another server are refused.
    assert!(press(&app, CLASS, OTHER_TEACHER, &button.custom_id)
        .text
        .starts_with("This button belongs to the teacher who asked for it"));
    assert!(press(&app, CLASS, STUDENT, "pk1:5:ww1")
        .text
        .starts_with("Only teachers"));
    let elsewhere = press(&app, OTHER_CLASS, TEACHER, &button.custom_id);
    assert!(
        elsewhere
            .text
            .starts_with("There is no uploaded pack `ww1` in this server"),
        "{}",
        elsewhere.text
    );
    assert_eq!(
        app.store.guild_packs(GuildId(CLASS)).unwrap().uploads.len(),
        1
    );

    let done = press(&app, CLASS, TEACHER, &button.custom_id);
    assert_eq!(done.text, "The pack `ww1` is removed from this server.");
    assert!(app
        .store
        .guild_packs(GuildId(CLASS))
        .unwrap()
        .uploads
        .is_empty());
    let gone = ask(
        &app,
        CLASS,
        STUDENT,
        "explain",
        &[],
        &[("term", "Schlieffen Plan")],
    );
    assert!(!gone.text.contains("Germany's plan"), "{}", gone.text);
}

#[test]
fn uploads_over_the_limits_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let app = open_app(&dir.path().join("db.sqlite"));
    let big = vec![b'#'; studybot::handlers::packs::MAX_UPLOAD_BYTES + 1];
    let reply = upload(&app, CLASS, TEACHER, "big.toml", &big);
    assert_eq!(
        reply.text,
        "`big.toml`: the file is over 1024 KiB, the most /pack upload accepts, so an upload would be refused. Split it into several packs."
    );
    let reply = upload(&app, CLASS, TEACHER, "ww1.pdf", b"%PDF-1.7");
    assert!(
        reply.text.starts_with(
            "`ww1.pdf` is neither a pack (`.toml`, see content/README.md) nor a file studybot can import."
        ),
        "{}",
        reply.text
    );
    let reply = ask(&app, CLASS, TEACHER, "pack", &["upload"], &[]);
    assert!(
        reply.text.starts_with("Attach the pack's `.toml` file"),
        "{}",
        reply.text
    );

    let cap = studybot::handlers::packs::MAX_GUILD_PACKS;
    for n in 0..cap {
        let text = WW1_PACK.replace("id = \"ww1\"", &format!("id = \"ww1-{n}\""));
        let reply = upload(&app, CLASS, TEACHER, "p.toml", text.as_bytes());
        assert_eq!(
            reply.title.as_deref(),
            Some("Pack uploaded"),
            "{}",
            reply.text
        );
    }
    let text = WW1_PACK.replace("id = \"ww1\"", "id = \"one-too-many\"");
    let reply = upload(&app, CLASS, TEACHER, "p.toml", text.as_bytes());
    assert_eq!(
        reply.text,
        format!("This server already has {cap} uploaded packs, the most it may have. Remove one with `/pack remove` first.")
    );
    // Replacing one of them is still allowed, and another server has its own allowance.
    let text = WW1_PACK.replace("id = \"ww1\"", "id = \"ww1-0\"");
    assert_eq!(
        upload(&app, CLASS, TEACHER, "p.toml", text.as_bytes())
            .title
            .as_deref(),
        Some("Pack replaced")
    );
    assert_eq!(
        upload(&app, OTHER_CLASS, TEACHER, "p.toml", WW1_PACK.as_bytes())
            .title
            .as_deref(),
        Some("Pack uploaded")
    );
}

/// Posts today's daily question in `guild` and has `user` answer it wrongly.
fn answer_daily_wrongly(app: &App, guild: u64, user: u64) -> String {
    let daily = ask(app, guild, user, "daily", &[], &[]);
    let question = app
        .store
        .daily_instance(GuildId(guild), now().date_naive())
        .unwrap()
        .unwrap();
    let library = app.library();
    let (_, q) = studybot::quiz::find(&library.content, &question.question).unwrap();
    let right = studybot::quiz::correct_answer(q);
    // A wrong button, or a wrong typed answer.
    let wrong = daily
        .buttons
        .iter()
        .find(|b| b.custom_id.starts_with("q1:") && b.label != right && !b.label.ends_with(&right))
        .map(|b| press(app, guild, user, &b.custom_id));
    let reply = match wrong {
        Some(reply) => reply,
        None => {
            let typed = daily.buttons.iter().find(|b| b.opens_input).unwrap();
            let mut r = request(
                guild,
                user,
                false,
                Action::Press {
                    custom_id: typed.custom_id.clone(),
                    input: Some("999999 nothing like it".into()),
                },
            );
            r.teacher = false;
            handlers::respond(app, &r)
        }
    };
    assert_eq!(reply.title.as_deref(), Some("Not quite"), "{}", reply.text);
    question.question
}

#[test]
fn accepting_a_wrong_answer_adds_its_points_once_to_every_leaderboard_it_counted_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let app = open_app(&db);
    ask(
        &app,
        CLASS,
        TEACHER,
        "season",
        &["start"],
        &[("name", "Autumn")],
    );
    let question = answer_daily_wrongly(&app, CLASS, STUDENT);
    answer_daily_wrongly(&app, OTHER_CLASS, STUDENT);
    let points = |app: &App, guild: u64, period: &str| {
        app.store
            .leaderboard(GuildId(guild), period, 10, UserId(STUDENT))
            .unwrap()
            .caller
            .map(|s| (s.points, s.answered, s.correct))
    };
    let season = format!(
        "season:{}",
        app.store.open_season(GuildId(CLASS)).unwrap().unwrap().id
    );
    let week = studybot::quiz::week_key(now().date_naive());
    for period in ["all", week.as_str(), season.as_str()] {
        assert_eq!(points(&app, CLASS, period), Some((0, 1, 0)), "{period}");
    }

    let student = ask(&app, CLASS, STUDENT, "score", &["accept"], &[("user", "5")]);
    assert!(student.text.starts_with("Only teachers"));
    let listed = ask(
        &app,
        CLASS,
        TEACHER,
        "score",
        &["accept"],
        &[("user", "<@5>")],
    );
    assert_eq!(
        listed.title.as_deref(),
        Some("Accept an answer"),
        "{}",
        listed.text
    );
    assert_eq!(listed.fields.len(), 1);
    assert!(
        listed.fields[0]
            .name
            .starts_with(&format!("1. {question} (2026-11-23)")),
        "{}",
        listed.fields[0].name
    );
    let button = listed.buttons[0].custom_id.clone();
    assert!(
        button.starts_with("sa1:") && button.ends_with(":1"),
        "{button}"
    );

    // Another teacher, and this teacher in the other server, are refused.
    assert!(press(&app, CLASS, OTHER_TEACHER, &button)
        .text
        .starts_with("This button belongs to the teacher who asked for it"));
    assert_eq!(
        press(&app, OTHER_CLASS, TEACHER, &button).text,
        "That answer does not belong to this server."
    );
    assert_eq!(points(&app, CLASS, "all"), Some((0, 1, 0)));

    let accepted = press(&app, CLASS, TEACHER, &button);
    assert_eq!(
        accepted.title.as_deref(),
        Some("Answer accepted"),
        "{}",
        accepted.text
    );
    assert!(
        accepted
            .text
            .ends_with("now counts as right: +20 points. Daily streak: 1 day (best 1)."),
        "{}",
        accepted.text
    );
    let again = press(&app, CLASS, TEACHER, &button);
    assert_eq!(
        again.title.as_deref(),
        Some("Already accepted"),
        "{}",
        again.text
    );

    // After a restart: +20 once on each board, the tally counts it right,
    // and the other server's wrong answer is untouched.
    let app = open_app(&db);
    for period in ["all", week.as_str(), season.as_str()] {
        assert_eq!(points(&app, CLASS, period), Some((20, 1, 1)), "{period}");
    }
    assert_eq!(points(&app, OTHER_CLASS, "all"), Some((0, 1, 0)));
    let instance = app
        .store
        .daily_instance(GuildId(CLASS), now().date_naive())
        .unwrap()
        .unwrap();
    let tally = app.store.tally(instance.id).unwrap();
    assert_eq!((tally.answered, tally.correct), (1, 1));
    let none = ask(&app, CLASS, TEACHER, "score", &["accept"], &[("user", "5")]);
    assert_eq!(
        none.text,
        "<@5> has no daily answers marked wrong in this server."
    );
    let board = ask(&app, CLASS, STUDENT, "leaderboard", &[], &[]);
    assert!(board.text.contains("20"), "{}", board.text);
}

/// Answers today's daily question in `guild` at `when`, rightly or wrongly
/// (a button, or a typed answer when the question wants one).
fn answer_daily_at(app: &App, when: DateTime<Utc>, guild: u64, user: u64, right: bool) -> Reply {
    let respond = |action| {
        handlers::respond(
            app,
            &common::request_at(when, Some(guild), user, false, action),
        )
    };
    let daily = respond(command("daily", &[], &[]));
    let instance = app
        .store
        .daily_instance(GuildId(guild), when.date_naive())
        .unwrap()
        .unwrap();
    let library = app.library();
    let (_, q) = studybot::quiz::find(&library.content, &instance.question).unwrap();
    let expected = studybot::quiz::correct_answer(q);
    let is_right = |label: &str| label == expected || label.ends_with(&expected);
    let chosen = daily
        .buttons
        .iter()
        .find(|b| b.custom_id.starts_with("q1:") && is_right(&b.label) == right);
    let action = match chosen {
        Some(b) => Action::Press {
            custom_id: b.custom_id.clone(),
            input: None,
        },
        None => Action::Press {
            custom_id: daily
                .buttons
                .iter()
                .find(|b| b.opens_input)
                .unwrap()
                .custom_id
                .clone(),
            input: Some(match (&q.answer, right) {
                (_, false) => "999999 nothing like it".into(),
                (studybot::content::Answer::Numeric { value, .. }, true) => value.to_string(),
                (_, true) => expected.clone(),
            }),
        },
    };
    let reply = respond(action);
    let title = if right { "Correct!" } else { "Not quite" };
    let shown = reply.title.as_deref().unwrap_or_default();
    assert!(shown.starts_with(title), "{shown}: {}", reply.text);
    reply
}

#[test]
fn accepting_an_answer_mends_the_daily_streak_its_wrong_mark_broke() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let app = open_app(&db);
    let day = |d: u32| Utc.with_ymd_and_hms(2026, 11, d, 9, 0, 0).unwrap();
    // Monday right, Tuesday marked wrong, Wednesday right: a streak of one.
    answer_daily_at(&app, day(23), CLASS, STUDENT, true);
    answer_daily_at(&app, day(24), CLASS, STUDENT, false);
    answer_daily_at(&app, day(25), CLASS, STUDENT, true);
    let streak = |app: &App| {
        let s = app.store.streak(GuildId(CLASS), UserId(STUDENT)).unwrap();
        (s.current, s.best)
    };
    assert_eq!(streak(&app), (1, 1));

    let teacher = |action| {
        handlers::respond(
            &app,
            &common::request_at(day(25), Some(CLASS), TEACHER, true, action),
        )
    };
    let listed = teacher(command("score", &["accept"], &[("user", "5")]));
    assert!(
        listed.fields[0].name.ends_with("(2026-11-24)"),
        "{}",
        listed.fields[0].name
    );
    let accepted = teacher(Action::Press {
        custom_id: listed.buttons[0].custom_id.clone(),
        input: None,
    });
    assert!(
        accepted
            .text
            .ends_with("now counts as right: +20 points. Daily streak: 3 days (best 3)."),
        "{}",
        accepted.text
    );
    // Kept after a restart, and Thursday's right answer continues it.
    let app = open_app(&db);
    assert_eq!(streak(&app), (3, 3));
    let thursday = answer_daily_at(&app, day(26), CLASS, STUDENT, true);
    assert!(
        thursday.text.contains("Daily streak: 4 days"),
        "{}",
        thursday.text
    );
    assert_eq!(streak(&app), (4, 4));
}

/// Presses the button labelled `label` under `reply`, as `user` in `guild`
/// (`None`: a direct message) at `when`.
fn press_labelled(
    app: &App,
    reply: &Reply,
    label: &str,
    guild: Option<u64>,
    when: DateTime<Utc>,
) -> Reply {
    let button = reply
        .buttons
        .iter()
        .find(|b| b.label == label)
        .unwrap_or_else(|| panic!("no {label} button: {reply:?}"));
    let action = Action::Press {
        custom_id: button.custom_id.clone(),
        input: None,
    };
    handlers::respond(
        app,
        &common::request_at(when, guild, STUDENT, false, action),
    )
}

#[test]
fn review_cards_of_uploaded_packs_belong_to_their_server_and_come_back_in_direct_messages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let app = open_app(&db);
    // Two servers upload different packs with one id and one question id.
    let only_marne = WW1_PACK
        .split("[[questions]]\nid = \"archduke\"")
        .next()
        .unwrap();
    let (prompt_a, prompt_b) = (
        "The Schlieffen Plan was halted at the Marne in 1914.",
        "The Marne flows into the Seine.",
    );
    let pack_b = only_marne.replace(prompt_a, prompt_b);
    for (guild, text) in [(CLASS, only_marne), (OTHER_CLASS, pack_b.as_str())] {
        let uploaded = upload(&app, guild, TEACHER, "ww1.toml", text.as_bytes());
        assert_eq!(
            uploaded.title.as_deref(),
            Some("Pack uploaded"),
            "{}",
            uploaded.text
        );
    }
    // Missed in each server.
    for (guild, prompt) in [(CLASS, prompt_a), (OTHER_CLASS, prompt_b)] {
        let quiz = ask(&app, guild, STUDENT, "quiz", &[], &[("tag", "ww1")]);
        assert!(quiz.text.contains(prompt), "{}", quiz.text);
        let missed = press_labelled(&app, &quiz, "False", Some(guild), now());
        assert_eq!(
            missed.title.as_deref(),
            Some("Not quite"),
            "{}",
            missed.text
        );
    }
    let cards: Vec<String> = app
        .store
        .next_reviews(UserId(STUDENT), None, 10)
        .unwrap()
        .into_iter()
        .map(|c| c.question)
        .collect();
    assert_eq!(
        cards,
        ["ww1/marne@10", "ww1/marne@20"],
        "one card per server"
    );

    // In a direct message an hour later, after a restart: the first server
    // disabled its question, so the second server's comes back, found in
    // that server's pack; answering it in the DM reschedules its card.
    let app = open_app(&db);
    app.store
        .disable_question(GuildId(CLASS), "ww1/marne", UserId(TEACHER), now())
        .unwrap();
    let later = now() + chrono::Duration::hours(1);
    let dm = |action| {
        handlers::respond(
            &app,
            &common::request_at(later, None, STUDENT, false, action),
        )
    };
    let review = dm(command("review", &[], &[]));
    assert_eq!(
        review.title.as_deref(),
        Some("Review (easy)"),
        "{}",
        review.text
    );
    assert!(review.text.contains(prompt_b), "{}", review.text);
    let right = press_labelled(&app, &review, "True", None, later);
    assert!(
        right
            .title
            .as_deref()
            .unwrap_or_default()
            .starts_with("Correct!"),
        "{}",
        right.text
    );
    let card = |key: &str| {
        app.store
            .review_card(UserId(STUDENT), key)
            .unwrap()
            .unwrap()
    };
    assert_eq!(card("ww1/marne@20").reps, 2);
    assert_eq!(
        card("ww1/marne@10").reps,
        1,
        "the other server's card is its own"
    );
    assert!(card("ww1/marne@20").due > later + chrono::Duration::hours(12));
    // The disabled question's card waits (though due first): the next the
    // student can be served is the one just answered, tomorrow.
    let none = dm(command("review", &[], &[]));
    assert_eq!(
        none.text,
        format!(
            "Nothing is due right now. Your next review is <t:{}:R>.",
            card("ww1/marne@20").due.timestamp()
        )
    );
}

//! Teacher tools through the handlers: settings need the teacher permission,
//! are saved and shown; a season starts, counts answers, and ends only when
//! the teacher who asked confirms.

use chrono::{DateTime, TimeZone, Utc};
use std::path::PathBuf;
use studybot::config::Config;
use studybot::handlers;
use studybot::request::{Action, GuildId, InteractionId, Request, UserId};
use studybot::{App, Library, Reply};

fn app() -> App {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quiz-pack.toml");
    let (library, _) = Library::load(&[fixture]).unwrap();
    App::in_memory(Config::default(), library).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
}

fn ask(
    app: &App,
    user: u64,
    teacher: bool,
    name: &str,
    subs: &[&str],
    options: &[(&str, &str)],
) -> Reply {
    ask_with_roles(app, user, teacher, &[], name, subs, options)
}

fn ask_with_roles(
    app: &App,
    user: u64,
    teacher: bool,
    roles: &[u64],
    name: &str,
    subs: &[&str],
    options: &[(&str, &str)],
) -> Reply {
    let request = Request {
        action: Action::Command {
            name: name.into(),
            subcommands: subs.iter().map(|s| s.to_string()).collect(),
            options: options
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        },
        guild: Some(GuildId(10)),
        channel: Some(studybot::request::ChannelId(1)),
        user: UserId(user),
        display_name: format!("user{user}"),
        teacher,
        roles: roles.to_vec(),
        interaction: InteractionId(user * 1000 + options.len() as u64),
        now: now(),
        attachment: None,
    };
    handlers::respond(app, &request)
}

fn press(app: &App, user: u64, custom_id: &str) -> Reply {
    let request = Request {
        action: Action::Press {
            custom_id: custom_id.into(),
            input: None,
        },
        guild: Some(GuildId(10)),
        channel: None,
        user: UserId(user),
        display_name: format!("user{user}"),
        teacher: true,
        roles: Vec::new(),
        interaction: InteractionId(99_000 + user),
        now: now(),
        attachment: None,
    };
    handlers::respond(app, &request)
}

#[test]
fn settings_need_a_teacher_and_are_shown() {
    let app = app();
    let refused = ask(&app, 5, false, "settings", &["time"], &[("time", "07:30")]);
    assert!(
        refused.ephemeral && refused.text.starts_with("Only teachers"),
        "{}",
        refused.text
    );
    assert_eq!(
        app.store.settings(GuildId(10)).unwrap().post_time,
        None,
        "nothing saved"
    );

    assert_eq!(
        ask(
            &app,
            1,
            true,
            "settings",
            &["channel"],
            &[("channel", "<#4242>")]
        )
        .title
        .as_deref(),
        Some("Settings saved")
    );
    ask(&app, 1, true, "settings", &["time"], &[("time", "07:30")]);
    ask(
        &app,
        1,
        true,
        "settings",
        &["timezone"],
        &[("timezone", "Europe/London")],
    );
    ask(&app, 1, true, "settings", &["days"], &[("days", "mon-fri")]);
    let bad = ask(
        &app,
        1,
        true,
        "settings",
        &["timezone"],
        &[("timezone", "Mars/Olympus")],
    );
    assert!(bad.ephemeral && bad.text.contains("not a time zone"));
    let bad = ask(&app, 1, true, "settings", &["time"], &[("time", "25:00")]);
    assert!(bad.text.contains("is not a time"));

    let show = ask(&app, 1, true, "settings", &["show"], &[]);
    let field = |name: &str| {
        show.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(field("Channel"), "<#4242>");
    assert_eq!(field("Time"), "07:30");
    assert_eq!(field("Time zone"), "Europe/London");
    assert_eq!(field("Days"), "Monday to Friday");
    // Monday 23 November 2026, 08:00 UTC: today's 07:30 has passed, so the next post is Tuesday 07:30 GMT.
    let tuesday = Utc
        .with_ymd_and_hms(2026, 11, 24, 7, 30, 0)
        .unwrap()
        .timestamp();
    assert_eq!(field("Next post"), format!("<t:{tuesday}:F>"));
    assert!(show.ephemeral);
}

#[test]
fn members_with_the_teacher_role_are_teachers_and_others_are_not() {
    let app = app();
    let time = |user, roles: &[u64], at: &str| {
        ask_with_roles(
            &app,
            user,
            false,
            roles,
            "settings",
            &["time"],
            &[("time", at)],
        )
    };
    // No teacher role set yet: a role makes nobody a teacher.
    assert!(time(5, &[77], "07:00").text.starts_with("Only teachers"));
    let set = ask(
        &app,
        1,
        true,
        "settings",
        &["teacher-role"],
        &[("role", "77")],
    );
    assert_eq!(set.title.as_deref(), Some("Settings saved"), "{}", set.text);
    assert_eq!(
        app.store.settings(GuildId(10)).unwrap().teacher_role,
        Some(77)
    );
    // Now a member holding role 77 is a teacher; other roles are not.
    assert!(time(6, &[12, 99], "07:15")
        .text
        .starts_with("Only teachers"));
    assert_eq!(
        time(5, &[12, 77], "07:45").title.as_deref(),
        Some("Settings saved")
    );
    assert_eq!(
        app.store
            .settings(GuildId(10))
            .unwrap()
            .post_time
            .as_deref(),
        Some("07:45")
    );
}

#[test]
fn a_season_ends_only_when_its_teacher_confirms() {
    let app = app();
    let started = ask(
        &app,
        1,
        true,
        "season",
        &["start"],
        &[("name", "Autumn term")],
    );
    assert_eq!(started.title.as_deref(), Some("New season"));
    let twice = ask(&app, 1, true, "season", &["start"], &[("name", "Again")]);
    assert!(twice.text.contains("still running"));

    // A student scores on the daily question: it counts in the season.
    let daily = ask(&app, 7, false, "daily", &[], &[]);
    let id = daily.buttons[0].custom_id.clone();
    let answer = if daily.buttons[0].opens_input {
        Action::Press {
            custom_id: id,
            input: Some("anything".into()),
        }
    } else {
        Action::Press {
            custom_id: id,
            input: None,
        }
    };
    let mut request = Request::command("x", &[], now());
    request.action = answer;
    request.guild = Some(GuildId(10));
    request.user = UserId(7);
    request.display_name = "Ada".into();
    handlers::respond(&app, &request);
    let board = ask(&app, 7, false, "leaderboard", &[], &[("period", "season")]);
    assert!(board.title.as_deref().unwrap().contains("Autumn term"));
    assert!(
        board.text.starts_with("**1.** **user7**"),
        "the latest name seen: {}",
        board.text
    );

    let confirm = ask(&app, 1, true, "season", &["end"], &[]);
    let button = &confirm.buttons[0];
    assert_eq!(
        button.custom_id,
        format!(
            "se1:{}:1",
            app.store.open_season(GuildId(10)).unwrap().unwrap().id
        )
    );
    let stranger = press(&app, 2, &button.custom_id);
    assert!(
        stranger.ephemeral
            && stranger
                .text
                .contains("This button belongs to the teacher who asked for it")
    );
    assert!(
        app.store.open_season(GuildId(10)).unwrap().is_some(),
        "still running"
    );
    let ended = press(&app, 1, &button.custom_id);
    assert_eq!(
        ended.title.as_deref(),
        Some("Season \"Autumn term\" has ended: final standings")
    );
    assert!(ended.text.starts_with("**1.** **user7**"), "{}", ended.text);
    assert!(app.store.open_season(GuildId(10)).unwrap().is_none());
    assert!(press(&app, 1, &button.custom_id)
        .text
        .contains("already ended"));
}

#[test]
fn a_broken_reload_is_rejected_and_the_old_content_stays_live() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini-pack.toml");
    let pack = dir.path().join("pack.toml");
    std::fs::copy(&fixture, &pack).unwrap();
    let (library, _) = Library::load(std::slice::from_ref(&pack)).unwrap();
    let app = App::in_memory(Config::default(), library).unwrap();
    let explain = |term: &str| {
        handlers::respond(&app, &Request::command("explain", &[("term", term)], now())).title
    };

    // A typo in the new version: rejected with its position; old content serves on.
    let text = std::fs::read_to_string(&fixture).unwrap();
    std::fs::write(
        &pack,
        text.replace("name = \"Troika\"", "nmae = \"Troika\""),
    )
    .unwrap();
    let error = app
        .reload(std::slice::from_ref(&pack))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("pack.toml:") && error.contains("unknown field `nmae`"),
        "{error}"
    );
    assert_eq!(explain("troika").as_deref(), Some("Troika"));

    // A good new version replaces it.
    std::fs::write(
        &pack,
        text.replace("name = \"Troika\"", "name = \"Troika (NKVD)\""),
    )
    .unwrap();
    app.reload(&[pack]).unwrap();
    assert_eq!(explain("troika").as_deref(), Some("Troika (NKVD)"));
}

#[test]
fn settings_show_warns_when_the_ping_role_cannot_ping() {
    let app = app();
    ask(&app, 1, true, "settings", &["role"], &[("role", "<@&77>")]);
    let field = |reply: &Reply| {
        reply
            .fields
            .iter()
            .find(|f| f.name == "Mention in the daily post")
            .unwrap()
            .value
            .clone()
    };
    // The Discord adapter passes the role's flag; without it the note is generic.
    let unknown = ask(&app, 1, true, "settings", &["show"], &[]);
    assert_eq!(
        field(&unknown),
        "<@&77> (the role must be mentionable to ping)"
    );
    let blocked = ask(
        &app,
        1,
        true,
        "settings",
        &["show"],
        &[("mentionable_roles", "5,6")],
    );
    assert!(
        field(&blocked).contains("this role is not mentionable"),
        "{}",
        field(&blocked)
    );
    let fine = ask(
        &app,
        1,
        true,
        "settings",
        &["show"],
        &[("mentionable_roles", "5,77")],
    );
    assert_eq!(field(&fine), "<@&77>");
}

/// Records a daily answer through the store, as a press would.
fn record(app: &App, guild: u64, user: u64, name: &str, question: &str, correct: bool) {
    // One daily question a day: each question gets its own day (mc-2: +2).
    let offset: i64 = question
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let day = now().date_naive() + chrono::Duration::days(offset - 1);
    let instance = app
        .store
        .create_instance(&studybot::store::NewInstance {
            kind: studybot::store::InstanceKind::Daily,
            guild: Some(GuildId(guild)),
            owner: None,
            day: Some(day),
            class: 0,
            question: question.into(),
            option_order: vec![0, 1, 2, 3],
            created_at: now(),
        })
        .unwrap();
    let season = app.store.open_season(GuildId(guild)).unwrap();
    app.store
        .record_answer(&studybot::store::NewAnswer {
            instance: instance.id,
            guild: Some(GuildId(guild)),
            user: UserId(user),
            interaction: InteractionId(guild * 1_000_000 + user * 1000 + offset as u64),
            question: question.into(),
            answer: "x".into(),
            correct,
            points: if correct { 20 } else { 0 },
            at: now() + chrono::Duration::days(offset - 1),
            periods: studybot::quiz::periods(day, season.as_ref()),
            streak: None,
            display_name: Some(name.into()),
            review: None,
        })
        .unwrap();
}

#[test]
fn exported_scores_are_csv_that_a_spreadsheet_cannot_run() {
    let app = app();
    record(
        &app,
        10,
        5,
        "=HYPERLINK(\"http://x\",\"click\")",
        "quizmini/mc-1",
        true,
    );
    record(&app, 10, 6, "Zoë, \"the best\"", "quizmini/mc-1", false);
    record(&app, 11, 7, "other server", "quizmini/mc-1", true);
    let refused = ask(&app, 5, false, "export", &["scores"], &[]);
    assert!(
        refused.text.starts_with("Only teachers"),
        "{}",
        refused.text
    );
    assert!(refused.attachments.is_empty());

    let export = ask(&app, 1, true, "export", &["scores"], &[]);
    assert_eq!(export.title.as_deref(), Some("Score export"));
    assert!(export.ephemeral);
    let file = &export.attachments[0];
    assert_eq!(file.name, "scores-all-time.csv");
    assert_eq!(file.media_type, "text/csv");
    assert_eq!(
        String::from_utf8(file.data.clone()).unwrap(),
        "user_id,display_name,answered,correct,points,streak\r\n\
         5,\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\",1,1,20,0\r\n\
         6,\"Zoë, \"\"the best\"\"\",1,0,0,0\r\n",
        "guild 11's student is not in guild 10's export"
    );

    // A season's export holds only what was scored in it.
    ask(&app, 1, true, "season", &["start"], &[("name", "Spring")]);
    record(&app, 10, 6, "Zoë", "quizmini/mc-2", true);
    let season = ask(
        &app,
        1,
        true,
        "export",
        &["scores"],
        &[("season", "spring")],
    );
    let csv = String::from_utf8(season.attachments[0].data.clone()).unwrap();
    assert_eq!(
        csv,
        "user_id,display_name,answered,correct,points,streak\r\n6,Zoë,1,1,20,0\r\n"
    );
    let unknown = ask(
        &app,
        1,
        true,
        "export",
        &["scores"],
        &[("season", "autumn")],
    );
    assert!(
        unknown.text.starts_with("There is no season"),
        "{}",
        unknown.text
    );
}

#[test]
fn removing_a_student_deletes_their_answers_and_scores_in_this_server_only() {
    let app = app();
    record(&app, 10, 5, "Ada", "quizmini/mc-1", true);
    record(&app, 10, 6, "Bob", "quizmini/mc-1", true);
    record(&app, 11, 5, "Ada", "quizmini/mc-1", true);
    let instance = app
        .store
        .daily_instance(GuildId(10), now().date_naive())
        .unwrap()
        .expect("mc-1 is the daily question of today");
    assert_eq!(app.store.tally(instance.id).unwrap().answered, 2);

    let refused = ask(&app, 6, false, "student", &["remove"], &[("user", "<@5>")]);
    assert!(refused.text.starts_with("Only teachers"));
    let removed = ask(&app, 1, true, "student", &["remove"], &[("user", "<@5>")]);
    assert_eq!(
        removed.title.as_deref(),
        Some("Student removed"),
        "{}",
        removed.text
    );
    assert!(
        removed.text.starts_with("Removed <@5>'s 1 answer"),
        "{}",
        removed.text
    );

    let board = app
        .store
        .leaderboard(GuildId(10), "all", 10, UserId(5))
        .unwrap();
    let top: Vec<u64> = board.top.iter().map(|s| s.user.0).collect();
    assert_eq!(top, [6], "only Bob is left");
    assert_eq!(board.players, 1);
    assert!(board.caller.is_none());
    assert_eq!(
        app.store.tally(instance.id).unwrap(),
        studybot::store::Tally {
            answered: 1,
            correct: 1
        }
    );
    // The other server keeps Ada.
    let other = app
        .store
        .leaderboard(GuildId(11), "all", 10, UserId(5))
        .unwrap();
    assert_eq!(other.top[0].user.0, 5);
    // A second removal finds nothing.
    let again = ask(&app, 1, true, "student", &["remove"], &[("user", "5")]);
    assert_eq!(again.title.as_deref(), Some("Nothing to remove"));
}

#[test]
fn the_class_report_names_the_weakest_questions_and_topics() {
    let app = app();
    // mc-1 (nkvd): 1 of 3 right; mc-2 (mass-operations): 2 of 2 right.
    for (user, correct) in [(5, true), (6, false), (7, false)] {
        record(&app, 10, user, "s", "quizmini/mc-1", correct);
    }
    for user in [5, 6] {
        record(&app, 10, user, "s", "quizmini/mc-2", true);
    }
    let report = ask(&app, 1, true, "class", &["report"], &[]);
    assert_eq!(report.title.as_deref(), Some("Class report: all time"));
    assert_eq!(report.text, "5 answers to 2 questions, 60% correct.");
    assert_eq!(
        report.fields[0].value,
        "33% (1 of 3): Who headed the NKVD in 1937?\n100% (2 of 2): Which order launched the kulak operation?"
    );
    assert_eq!(
        report.fields[1].value,
        "`nkvd`: 33% (1 of 3)\n`mass-operations`: 100% (2 of 2)"
    );
    assert!(report.ephemeral);
    let refused = ask(&app, 5, false, "class", &["report"], &[]);
    assert!(refused.text.starts_with("Only teachers"));
}

#[test]
fn a_reported_question_reaches_the_teacher_who_can_disable_it() {
    let app = app();
    // A student gets mc-1 as practice (the only medium nkvd choice question).
    let practice = ask(
        &app,
        5,
        false,
        "quiz",
        &[],
        &[("tag", "nkvd"), ("difficulty", "medium")],
    );
    let report_button = practice
        .buttons
        .iter()
        .find(|b| b.label == "Report a problem")
        .expect("every question can be reported");
    assert!(report_button.opens_input);
    let mut request = Request::command("x", &[], now());
    request.action = Action::Press {
        custom_id: report_button.custom_id.clone(),
        input: Some("The answer should be *Yezhov*, @everyone".into()),
    };
    request.guild = Some(GuildId(10));
    request.user = UserId(5);
    let thanks = handlers::respond(&app, &request);
    assert_eq!(
        thanks.title.as_deref(),
        Some("Problem reported"),
        "{}",
        thanks.text
    );

    let refused = ask(&app, 5, false, "pack", &["reports"], &[]);
    assert!(refused.text.starts_with("Only teachers"));
    let reports = ask(&app, 1, true, "pack", &["reports"], &[]);
    assert_eq!(reports.title.as_deref(), Some("Reports"));
    assert!(reports.ephemeral);
    let reported = practice.text.clone();
    let field = &reports.fields[0];
    assert!(
        field.name.ends_with(". quizmini/mc-1") || field.name.contains("quizmini/"),
        "{}",
        field.name
    );
    assert!(field.value.contains(&reported), "{}", field.value);
    assert!(
        field
            .value
            .contains("<@5>: \"The answer should be \\*Yezhov\\*, @\u{200b}everyone\""),
        "the report is shown escaped, @everyone defused: {}",
        field.value
    );
    let disable = reports.buttons[0].custom_id.clone();
    assert!(
        disable.starts_with("dq1:") && disable.ends_with(":1"),
        "{disable}"
    );

    // Another teacher cannot press this teacher's button; the teacher can.
    assert!(press(&app, 2, &disable)
        .text
        .starts_with("This button belongs to the teacher who asked for it"));
    let disabled = press(&app, 1, &disable);
    assert_eq!(
        disabled.title.as_deref(),
        Some("Question disabled"),
        "{}",
        disabled.text
    );
    let question = field.name.split(". ").nth(1).unwrap().to_string();
    assert!(app
        .store
        .disabled_questions(GuildId(10))
        .unwrap()
        .contains(&question));
    // The report is dealt with, and the question is no longer served here.
    let after = ask(&app, 1, true, "pack", &["reports"], &[]);
    assert!(after.text.starts_with("No open reports"), "{}", after.text);
    for user in 20..30 {
        let again = ask(
            &app,
            user,
            false,
            "quiz",
            &[],
            &[("tag", "nkvd"), ("difficulty", "medium")],
        );
        assert_ne!(again.text, reported, "a disabled question is not served");
    }
}

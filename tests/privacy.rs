//! `/privacy delete-me`: after a confirmation only the student can press,
//! everything stored about them goes, in every server and in DMs; nobody
//! else's data changes.

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
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn ask(app: &App, user: u64, guild: Option<u64>, action: Action, interaction: u64) -> Reply {
    handlers::respond(
        app,
        &Request {
            action,
            guild: guild.map(GuildId),
            channel: None,
            user: UserId(user),
            display_name: format!("user{user}"),
            teacher: false,
            roles: Vec::new(),
            interaction: InteractionId(interaction),
            now: now(),
            attachment: None,
        },
    )
}

fn command(name: &str, sub: &[&str]) -> Action {
    Action::Command {
        name: name.into(),
        subcommands: sub.iter().map(|s| s.to_string()).collect(),
        options: Default::default(),
    }
}

fn press(custom_id: &str, input: Option<&str>) -> Action {
    Action::Press {
        custom_id: custom_id.into(),
        input: input.map(str::to_string),
    }
}

/// Answers today's daily question of `guild` (typed or choice), as `user`.
fn answer_daily(app: &App, user: u64, guild: u64, interaction: u64) {
    let daily = ask(app, user, Some(guild), command("daily", &[]), interaction);
    let button = &daily.buttons[0];
    let action = if button.opens_input {
        press(&button.custom_id, Some("1937"))
    } else {
        press(&button.custom_id, None)
    };
    let reply = ask(app, user, Some(guild), action, interaction + 1);
    assert!(
        reply
            .title
            .as_deref()
            .is_some_and(|t| t.starts_with("Correct") || t == "Not quite"),
        "{reply:?}"
    );
}

#[test]
fn delete_me_erases_a_student_everywhere_after_their_own_confirmation() {
    let app = app();
    answer_daily(&app, 7, 10, 100);
    answer_daily(&app, 7, 11, 200);
    answer_daily(&app, 8, 10, 300);
    // A practice question in DMs, answered.
    let practice = ask(&app, 7, None, command("quiz", &[]), 400);
    let button = &practice.buttons[0];
    let input = button.opens_input.then_some("1937");
    ask(&app, 7, None, press(&button.custom_id, input), 401);
    assert!(app.store.next_review(UserId(7), None).unwrap().is_some());

    let confirm = ask(&app, 7, None, command("privacy", &["delete-me"]), 500);
    assert_eq!(confirm.title.as_deref(), Some("Delete your data?"));
    assert!(confirm.ephemeral);
    let button = confirm.buttons[0].custom_id.clone();
    assert_eq!(button, "pv1:7");

    // Someone else pressing it changes nothing.
    let refused = ask(&app, 8, Some(10), press(&button, None), 501);
    assert!(
        refused
            .text
            .starts_with("This button belongs to someone else"),
        "{}",
        refused.text
    );
    assert_eq!(
        app.store
            .leaderboard(GuildId(10), "all", 10, UserId(7))
            .unwrap()
            .players,
        2
    );

    let done = ask(&app, 7, None, press(&button, None), 502);
    assert_eq!(
        done.title.as_deref(),
        Some("Your data is deleted"),
        "{}",
        done.text
    );
    assert!(
        done.text.starts_with("Done. Deleted 3 answers and 0 competition answers, and your places on the leaderboards of 2 servers"),
        "{}",
        done.text
    );
    for guild in [10, 11] {
        let board = app
            .store
            .leaderboard(GuildId(guild), "all", 10, UserId(7))
            .unwrap();
        assert!(board.top.iter().all(|s| s.user.0 != 7), "guild {guild}");
        assert!(board.caller.is_none());
    }
    assert!(app
        .store
        .question_results(None, UserId(7))
        .unwrap()
        .is_empty());
    assert!(app.store.next_review(UserId(7), None).unwrap().is_none());
    assert_eq!(app.store.streak(GuildId(10), UserId(7)).unwrap().best, 0);
    // The other student keeps everything.
    let board = app
        .store
        .leaderboard(GuildId(10), "all", 10, UserId(8))
        .unwrap();
    assert_eq!(board.players, 1);
    assert_eq!(board.top[0].user.0, 8);
    assert_eq!(
        app.store
            .question_results(Some(GuildId(10)), UserId(8))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_removed_servers_data_is_deleted_after_the_grace_period_unless_it_returns() {
    let app = app();
    assert_eq!(app.config.privacy.guild_grace_days, 30);
    for (guild, user, interaction) in [(10, 5, 100), (20, 6, 200), (30, 7, 300)] {
        answer_daily(&app, user, guild, interaction);
    }
    assert_eq!(
        app.store.known_guilds().unwrap(),
        [GuildId(10), GuildId(20), GuildId(30)]
    );
    // The bot is removed from 10 and 20; 20 adds it back 10 days later.
    app.store.guild_left(GuildId(10), now()).unwrap();
    app.store.guild_left(GuildId(20), now()).unwrap();
    app.store
        .guild_left(GuildId(10), now() + chrono::Duration::days(5))
        .unwrap(); // a second removal notice does not restart the clock
    assert!(app.store.guild_returned(GuildId(20)).unwrap());
    assert_eq!(
        app.store.known_guilds().unwrap(),
        [GuildId(20), GuildId(30)]
    );

    let day = |d: i64| now() + chrono::Duration::days(d);
    assert!(handlers::privacy::purge_departed(&app, day(29))
        .unwrap()
        .is_empty());
    let board = |guild: u64, user: u64| {
        app.store
            .leaderboard(GuildId(guild), "all", 10, UserId(user))
            .unwrap()
            .players
    };
    assert_eq!(board(10, 5), 1, "kept during the grace period");
    let purged = handlers::privacy::purge_departed(&app, day(31)).unwrap();
    assert_eq!(purged.len(), 1);
    assert_eq!(purged[0].0, GuildId(10));
    assert!(
        purged[0].1 > 5,
        "settings, names, the question, the answer, totals..."
    );
    assert_eq!(board(10, 5), 0);
    assert!(app
        .store
        .daily_instance(GuildId(10), now().date_naive())
        .unwrap()
        .is_none());
    assert!(app
        .store
        .question_results(Some(GuildId(10)), UserId(5))
        .unwrap()
        .is_empty());
    // The server that came back, and the one that never left, keep everything.
    assert_eq!((board(20, 6), board(30, 7)), (1, 1));
    assert!(handlers::privacy::purge_departed(&app, day(400))
        .unwrap()
        .is_empty());
}

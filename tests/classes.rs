//! Several classes in one server, scripted with `studybot ask` through the
//! real binary: a teacher creates 10A on channel 11 and 10B on channel 12,
//! students answer each class's daily question in its channel, and the
//! leaderboards show one class, the whole server, or the classes ranked.

mod common;
use common::*;
use serde_json::Value;

struct Server {
    dir: tempfile::TempDir,
    db: String,
    content: String,
    interaction: std::cell::Cell<u64>,
}

impl Server {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pack = quiz_pack_with(dir.path(), &["multiple_choice", "true_false"]);
        Self {
            db: dir.path().join("school.db").display().to_string(),
            content: pack.display().to_string(),
            dir,
            interaction: std::cell::Cell::new(100),
        }
    }

    /// `ask` in guild 1 as `user` (a teacher when `user` is 9) in `channel`.
    fn ask(&self, user: (u64, &str), channel: u64, words: &[&str]) -> Value {
        self.ask_at(user, channel, "2026-11-23T10:00:00Z", words)
    }

    /// [`Server::ask`] at another time (`tick` included: the competition
    /// runners' step at that time, a list of posts).
    fn ask_at(&self, user: (u64, &str), channel: u64, now: &str, words: &[&str]) -> Value {
        self.interaction.set(self.interaction.get() + 1);
        let (id, interaction) = (user.0.to_string(), self.interaction.get().to_string());
        let channel = channel.to_string();
        let mut args = vec![
            "ask",
            "--json",
            "--content",
            &self.content,
            "--db",
            &self.db,
            "--guild",
            "1",
            "--channel",
            &channel,
            "--user",
            &id,
            "--name",
            user.1,
            "--interaction",
            &interaction,
            "--now",
            now,
        ];
        if user.0 == 9 {
            args.push("--teacher");
        }
        args.extend_from_slice(words);
        let out = studybot(self.dir.path(), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    }

    /// A student answers the daily question of `channel` with its first
    /// button (a typed question with "14"); returns the points it scored.
    /// The bundled packs join the test's, so either kind may come up.
    fn answer_daily(&self, user: (u64, &str), channel: u64) -> i64 {
        let daily = self.ask(user, channel, &["daily"]);
        self.press(user, channel, "2026-11-23T10:00:00Z", &daily["buttons"][0])
    }

    /// `user` presses `button` (a typed one with "14"); returns the points
    /// it scored.
    fn press(&self, user: (u64, &str), channel: u64, now: &str, button: &Value) -> i64 {
        let id = button["custom_id"].as_str().unwrap().to_string();
        let reply = if button["opens_input"] == true {
            self.ask_at(user, channel, now, &["press", &id, "14"])
        } else {
            self.ask_at(user, channel, now, &["press", &id])
        };
        let title = reply["title"].as_str().unwrap();
        match title.strip_prefix("Correct! +") {
            Some(points) => points.trim_end_matches(" points").parse().unwrap(),
            None => {
                assert_eq!(title, "Not quite", "{reply}");
                0
            }
        }
    }
}

const TEACHER: (u64, &str) = (9, "Ms Green");
const ADA: (u64, &str) = (1, "Ada");
const BEN: (u64, &str) = (2, "Ben");
const CY: (u64, &str) = (3, "Cy");

fn text(reply: &Value) -> &str {
    reply["text"].as_str().unwrap()
}

#[test]
fn two_classes_have_their_own_daily_question_and_leaderboards() {
    let school = Server::new();
    let created = school.ask(TEACHER, 11, &["class", "create", "name=10A", "channel=11"]);
    assert_eq!(created["title"], "Class created", "{created}");
    assert!(
        text(&created).contains("Class **10A** created"),
        "{created}"
    );
    assert!(text(&created).contains("<#11>"));
    school.ask(TEACHER, 12, &["class", "create", "name=10B", "channel=12"]);
    let taken = school.ask(TEACHER, 12, &["class", "create", "name=10a", "channel=13"]);
    assert_eq!(
        text(&taken),
        "This server already has a class called \"10A\"."
    );
    let student = school.ask(ADA, 11, &["class", "create", "name=10C", "channel=14"]);
    assert_eq!(
        text(&student),
        "Only teachers can create a class (Manage Server, or the teacher role)."
    );

    // Each class's question is its own instance, answered in its channel.
    let daily_a = school.ask(ADA, 11, &["daily"]);
    let daily_b = school.ask(CY, 12, &["daily"]);
    assert_ne!(
        daily_a["buttons"][0]["custom_id"], daily_b["buttons"][0]["custom_id"],
        "two instances"
    );
    let ada = school.answer_daily(ADA, 11);
    let ben = school.answer_daily(BEN, 11);
    let cy = school.answer_daily(CY, 12);

    let board_a = school.ask(ADA, 11, &["leaderboard"]);
    assert_eq!(board_a["title"], "Leaderboard: 10A, all time");
    assert!(text(&board_a).contains("**Ada**"), "{board_a}");
    assert!(text(&board_a).contains("**Ben**"), "{board_a}");
    assert!(!text(&board_a).contains("Cy"), "10B's student: {board_a}");
    assert_eq!(board_a["footer"], "2 students have scored");
    let board_b = school.ask(CY, 12, &["leaderboard"]);
    assert_eq!(board_b["title"], "Leaderboard: 10B, all time");
    assert!(text(&board_b).starts_with(&format!("**1.** **Cy** — {cy} points")));
    assert_eq!(board_b["footer"], "1 student has scored");

    let server = school.ask(ADA, 11, &["leaderboard", "scope=server"]);
    assert_eq!(server["title"], "Leaderboard: all time");
    assert_eq!(server["footer"], "3 students have scored");
    for name in ["Ada", "Ben", "Cy"] {
        assert!(text(&server).contains(&format!("**{name}**")), "{server}");
    }

    // Classes against each other: points per active student.
    let ranked = school.ask(BEN, 11, &["leaderboard", "scope=classes"]);
    assert_eq!(ranked["title"], "Classes: all time");
    let per_a = (ada + ben) as f64 / 2.0;
    let line_a = format!(
        "**10A** — {per_a:.1} points per active student (2 active, {} points)",
        ada + ben
    );
    let line_b = format!(
        "**10B** — {:.1} points per active student (1 active, {cy} points)",
        cy as f64
    );
    let lines: Vec<&str> = text(&ranked).lines().collect();
    assert_eq!(lines.len(), 2, "{ranked}");
    let (first, second) = if (cy as f64) > per_a {
        (&line_b, &line_a)
    } else {
        (&line_a, &line_b)
    };
    assert!(lines[0].ends_with(first.as_str()), "{ranked}");
    assert!(lines[1].ends_with(second.as_str()), "{ranked}");

    // A student's stats show their rank in each of their classes.
    let stats = school.ask(ADA, 11, &["stats"]);
    let ranks = stats["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Class ranks")
        .unwrap_or_else(|| panic!("{stats}"));
    assert!(ranks["value"]
        .as_str()
        .unwrap()
        .starts_with(&format!("10A: {ada} points, rank ")));

    // The score export of one class: its students only.
    let export = school.ask(TEACHER, 11, &["export", "scores", "class=10A"]);
    assert_eq!(
        text(&export),
        "Scores of 2 students (10A, all time), most points first. Names are the ones last seen."
    );
    let file = &export["attachments"][0];
    assert!(
        file["name"].as_str().unwrap().starts_with("scores-class-"),
        "{file}"
    );

    let list = school.ask(TEACHER, 11, &["class", "list"]);
    assert_eq!(list["title"], "Classes (2)");
    assert!(
        text(&list).starts_with("**10A** — <#11>, anyone who answers"),
        "{list}"
    );

    // Removing 10B asks first; its student's points stay in the server's totals.
    let ask_remove = school.ask(TEACHER, 12, &["class", "remove", "class=10B"]);
    assert_eq!(ask_remove["title"], "Remove the class?");
    let button = ask_remove["buttons"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    let not_yours = school.ask(ADA, 12, &["press", &button]);
    assert_eq!(not_yours["ephemeral"], true);
    assert_eq!(
        school.ask(TEACHER, 11, &["class", "list"])["title"],
        "Classes (2)"
    );
    let removed = school.ask(TEACHER, 12, &["press", &button]);
    assert_eq!(removed["title"], "Class removed", "{removed}");
    assert_eq!(
        school.ask(TEACHER, 11, &["class", "list"])["title"],
        "Classes (1)"
    );
    let server = school.ask(CY, 12, &["leaderboard"]);
    assert_eq!(
        server["title"], "Leaderboard: all time",
        "channel 12 is no class now"
    );
    assert_eq!(server["footer"], "3 students have scored");
}

#[test]
fn a_class_keeps_its_own_settings_and_the_server_its_daily_channel() {
    let school = Server::new();
    // A server that posted its daily question before it had classes.
    school.ask(TEACHER, 11, &["settings", "channel", "channel=11"]);
    school.ask(TEACHER, 11, &["settings", "time", "time=09:00"]);
    let before = school.answer_daily(ADA, 11);
    let created = school.ask(
        TEACHER,
        12,
        &["class", "create", "name=Year 12", "channel=12"],
    );
    assert!(
        text(&created).contains("The server's daily channel <#11> is now the class **main**"),
        "{created}"
    );
    // Ada's answer from before counts on the class board of her channel.
    let board = school.ask(ADA, 11, &["leaderboard"]);
    assert_eq!(board["title"], "Leaderboard: main, all time");
    assert!(text(&board).starts_with(&format!("**1.** **Ada** — {before} points")));
    // The same question as before the class existed: already answered.
    let daily = school.ask(ADA, 11, &["daily"]);
    let id = daily["buttons"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        school.ask(ADA, 11, &["press", &id, "14"])["title"],
        "Already answered"
    );

    // Settings with `class:` change that class only.
    let saved = school.ask(
        TEACHER,
        12,
        &["settings", "time", "time=14:15", "class=Year 12"],
    );
    assert_eq!(
        text(&saved),
        "The daily question will be posted at 14:15 (server time zone) (class Year 12)"
    );
    let list = school.ask(TEACHER, 12, &["class", "list"]);
    let lines: Vec<&str> = text(&list).lines().collect();
    assert!(
        lines[0].starts_with("**main** — <#11>, anyone who answers, 09:00 UTC, every day"),
        "{list}"
    );
    assert!(
        lines[1].starts_with("**Year 12** — <#12>, anyone who answers, 14:15 UTC, every day"),
        "{list}"
    );
    let several = school.ask(TEACHER, 12, &["settings", "channel", "channel=13"]);
    assert!(
        text(&several).starts_with("This server has several classes"),
        "{several}"
    );
    let renamed = school.ask(TEACHER, 11, &["class", "edit", "class=main", "name=10A"]);
    assert_eq!(text(&renamed), "Class **main**: it is now called **10A**.");
    assert_eq!(
        school.ask(ADA, 11, &["leaderboard"])["title"],
        "Leaderboard: 10A, all time"
    );
}

/// The line of `name` on a board, e.g. "**2.** **Ada** — 20 points (1 of 1 correct)".
fn board_line(board: &Value, name: &str) -> Option<String> {
    text(board)
        .lines()
        .find(|l| l.contains(&format!("**{name}**")))
        .map(str::to_string)
}

fn points_line(rank: u64, name: &str, points: i64) -> String {
    let correct = u8::from(points > 0);
    format!("**{rank}.** **{name}** — {points} points ({correct} of 1 correct)")
}

#[test]
fn a_class_runs_seasons_of_its_own_and_falls_back_to_the_servers() {
    let school = Server::new();
    school.ask(TEACHER, 11, &["class", "create", "name=10A", "channel=11"]);
    school.ask(TEACHER, 12, &["class", "create", "name=10B", "channel=12"]);
    let none = school.ask(ADA, 11, &["leaderboard", "period=season"]);
    assert_eq!(
        text(&none),
        "No season is running in this server or in the class 10A. A teacher can start one with /season start (`class:10A` for the class alone)."
    );
    let server = school.ask(TEACHER, 12, &["season", "start", "name=Year"]);
    assert_eq!(
        text(&server),
        "Season \"Year\" has started. `/leaderboard period:season` shows its standings."
    );
    let own = school.ask(
        TEACHER,
        12,
        &["season", "start", "class=10a", "name=Spring term"],
    );
    assert_eq!(own["title"], "New class season");
    assert_eq!(
        text(&own),
        "Season \"Spring term\" has started for the class **10A**. `/leaderboard period:season` in <#11> shows its standings; the server's own season is not changed."
    );
    let list = school.ask(TEACHER, 11, &["class", "list"]);
    assert!(
        text(&list)
            .lines()
            .next()
            .unwrap()
            .contains(", season \"Spring term\""),
        "{list}"
    );
    let twice = school.ask(TEACHER, 11, &["season", "start", "class=10A"]);
    assert_eq!(
        text(&twice),
        "The class **10A**'s season \"Spring term\" is still running. End it with `/season end class:10A` first."
    );
    let student = school.ask(ADA, 11, &["season", "start", "class=10A"]);
    assert_eq!(
        text(&student),
        "Only teachers can start or end a season (Manage Server, or the teacher role)."
    );

    let ada = school.answer_daily(ADA, 11);
    let cy = school.answer_daily(CY, 12);
    // 10A's board for the season is its own; 10B has none and shows the server's.
    let a_season = school.ask(ADA, 11, &["leaderboard", "period=season"]);
    assert_eq!(
        a_season["title"],
        "Leaderboard: 10A, season \"Spring term\""
    );
    assert_eq!(text(&a_season), points_line(1, "Ada", ada));
    let b_season = school.ask(CY, 12, &["leaderboard", "period=season"]);
    assert_eq!(b_season["title"], "Leaderboard: 10B, season \"Year\"");
    assert_eq!(text(&b_season), points_line(1, "Cy", cy));
    // The server's season counts every class's answers.
    let whole = school.ask(CY, 12, &["leaderboard", "period=season", "scope=server"]);
    assert_eq!(whole["title"], "Leaderboard: season \"Year\"");
    assert_eq!(whole["footer"], "2 students have scored");
    assert!(board_line(&whole, "Ada").is_some(), "{whole}");

    // Ending the class's season asks first, then shows its final standings.
    let ask_end = school.ask(TEACHER, 11, &["season", "end", "class=10A"]);
    assert_eq!(ask_end["title"], "End the class's season?");
    assert_eq!(
        text(&ask_end),
        "End the class **10A**'s season \"Spring term\"? Its standings are kept, but new answers will no longer count towards it."
    );
    let button = ask_end["buttons"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    let not_yours = school.ask(ADA, 11, &["press", &button]);
    assert_eq!(
        text(&not_yours),
        "Only teachers can use this button (Manage Server, or the teacher role)."
    );
    let ended = school.ask(TEACHER, 11, &["press", &button]);
    assert_eq!(
        ended["title"],
        "10A's season \"Spring term\" has ended: final standings"
    );
    assert_eq!(text(&ended), format!("**1.** **Ada** — {ada} points"));
    assert_eq!(
        text(&school.ask(TEACHER, 11, &["press", &button])),
        "That season has already ended."
    );
    // Without its own season, 10A's season board is the server's again.
    let after = school.ask(ADA, 11, &["leaderboard", "period=season"]);
    assert_eq!(after["title"], "Leaderboard: 10A, season \"Year\"");
    assert_eq!(text(&after), points_line(1, "Ada", ada));
    assert_eq!(
        text(&school.ask(TEACHER, 11, &["season", "end", "class=10A"])),
        "The class **10A** has no season of its own running. Start one with `/season start class:10A`."
    );
    assert_eq!(
        text(&school.ask(TEACHER, 11, &["season", "end", "class=10C"])),
        "This server has no class by that name. `/class list` shows its classes."
    );
    // The server's season was never touched.
    let server_end = school.ask(TEACHER, 11, &["season", "end"]);
    assert_eq!(
        text(&server_end),
        "End the season \"Year\"? Its standings are kept and can still be shown, but new answers will no longer count towards it."
    );
}

#[test]
fn a_class_report_covers_its_own_students_and_questions() {
    let school = Server::new();
    school.ask(TEACHER, 11, &["class", "create", "name=10A", "channel=11"]);
    school.ask(TEACHER, 12, &["class", "create", "name=10B", "channel=12"]);
    let ada = school.answer_daily(ADA, 11);
    let ben = school.answer_daily(BEN, 11);
    let cy = school.answer_daily(CY, 12);
    let percent = |right: usize, of: usize| (right * 100 + of / 2) / of;
    let right = |points: &[i64]| points.iter().filter(|p| **p > 0).count();

    let report = school.ask(TEACHER, 12, &["class", "report", "class=10A"]);
    assert_eq!(report["title"], "Class report: 10A, all time");
    assert_eq!(
        text(&report),
        format!(
            "2 answers to 1 questions, {}% correct.",
            percent(right(&[ada, ben]), 2)
        )
    );
    // 10A's question only, never 10B's.
    let a_question = school.ask(ADA, 11, &["daily"])["text"].clone();
    let weakest = report["fields"][0]["value"].as_str().unwrap();
    assert!(
        a_question
            .as_str()
            .unwrap()
            .contains(weakest.split(": ").nth(1).unwrap()),
        "{report} / {a_question}"
    );
    let report_b = school.ask(TEACHER, 11, &["class", "report", "class=10B"]);
    assert_eq!(report_b["title"], "Class report: 10B, all time");
    assert_eq!(
        text(&report_b),
        format!(
            "1 answers to 1 questions, {}% correct.",
            percent(right(&[cy]), 1)
        )
    );
    // Without `class:`, the whole server, wherever it is asked.
    let server = school.ask(TEACHER, 11, &["class", "report"]);
    assert_eq!(server["title"], "Class report: all time");
    assert!(text(&server).starts_with("3 answers to "), "{server}");
    // Over the class's own season once it runs one: nothing answered yet.
    school.ask_at(
        TEACHER,
        11,
        "2026-11-23T10:01:00Z",
        &["season", "start", "class=10A", "name=Spring"],
    );
    let fresh = school.ask_at(
        TEACHER,
        11,
        "2026-11-23T10:05:00Z",
        &["class", "report", "class=10A"],
    );
    assert_eq!(fresh["title"], "Class report: 10A, season \"Spring\"");
    assert_eq!(
        text(&fresh),
        "Nobody has answered a question yet in this period."
    );
    assert_eq!(
        text(&school.ask(TEACHER, 11, &["class", "report", "class=12Z"])),
        "This server has no class by that name. `/class list` shows its classes."
    );
}

#[test]
fn a_class_pauses_days_and_draws_from_its_own_packs_and_tags() {
    let school = Server::new();
    school.ask(TEACHER, 11, &["class", "create", "name=10A", "channel=11"]);
    let edited = school.ask(
        TEACHER,
        11,
        &[
            "class",
            "edit",
            "class=10A",
            "paused=2026-11-24..2026-11-26, 2026-12-01, 2026-11-01",
            "packs=QuizMini",
            "tags=trials",
        ],
    );
    assert_eq!(
        text(&edited),
        "Class **10A**: no daily question is posted on 24 Nov–26 Nov, 1 Dec; its questions come from the pack(s) `quizmini`; its questions have one of the tags `trials`.",
        "1 November has passed"
    );
    let list = school.ask(TEACHER, 11, &["class", "list"]);
    assert!(
        text(&list).contains(", paused 24 Nov–26 Nov, 1 Dec, packs `quizmini`, tags `trials`"),
        "{list}"
    );
    // The one question of the pack with that tag is the class's question.
    let daily = school.ask(ADA, 11, &["daily"]);
    assert!(
        text(&daily).contains("Bukharin was acquitted in 1938."),
        "{daily}"
    );

    for (option, refused) in [
        (
            "paused=christmas",
            "`christmas` is not a date: write days as 2026-12-21 and ranges as 2026-12-21..2027-01-03, separated by commas.",
        ),
        (
            "paused=2026-12-21..2027-03-01",
            "`2026-12-21..2027-03-01` is more than 62 days: pause a long break in parts, or change the class's days.",
        ),
        (
            "packs=nosuch",
            "This server asks no questions from a pack `nosuch`: `/pack list` shows its packs.",
        ),
        (
            "tags=nosuchtag",
            "No question in this server's packs has the tag `nosuchtag`.",
        ),
        (
            "tags=comintern",
            "No question is in those packs with those tags, so the class would have no daily question. Widen one of them (`all` takes every one).",
        ),
    ] {
        let reply = school.ask(TEACHER, 11, &["class", "edit", "class=10A", option]);
        assert_eq!(text(&reply), refused, "{option}");
    }
    let student = school.ask(ADA, 11, &["class", "edit", "class=10A", "paused=none"]);
    assert_eq!(
        text(&student),
        "Only teachers can change a class (Manage Server, the teacher role, or the class's teacher role)."
    );
    let cleared = school.ask(
        TEACHER,
        11,
        &[
            "class",
            "edit",
            "class=10A",
            "paused=none",
            "packs=all",
            "tags=all",
        ],
    );
    assert_eq!(
        text(&cleared),
        "Class **10A**: no day is paused; its questions come from every pack; its questions have any tag."
    );
    let list = school.ask(TEACHER, 11, &["class", "list"]);
    assert!(!text(&list).contains("paused"), "{list}");
}

#[test]
fn competition_points_in_a_class_channel_count_on_its_board() {
    let school = Server::new();
    school.ask(TEACHER, 11, &["class", "create", "name=10A", "channel=11"]);
    school.ask(TEACHER, 12, &["class", "create", "name=10B", "channel=12"]);
    let cy = school.answer_daily(CY, 12);
    let start = "2026-11-23T11:00:00Z";
    let started = school.ask_at(
        ADA,
        11,
        start,
        &["competition", "start", "rounds=1", "seconds=30"],
    );
    assert_eq!(started["title"], "Quiz competition!", "{started}");
    let posts = school.ask_at(ADA, 11, start, &["tick"]);
    let round = &posts[0];
    assert_eq!(
        round["title"].as_str().unwrap().get(..10),
        Some("Round 1 of")
    );
    // Each presses another button, so someone is right whatever came up.
    let buttons = round["buttons"].as_array().unwrap();
    let press_at = "2026-11-23T11:00:05Z";
    let ada = school.press(ADA, 11, press_at, &buttons[0]);
    let ben = school.press(BEN, 11, press_at, &buttons[buttons.len() - 1]);

    let board = school.ask(ADA, 11, &["leaderboard"]);
    assert_eq!(board["title"], "Leaderboard: 10A, all time");
    assert_eq!(board["footer"], "2 students have scored");
    let ada_line = board_line(&board, "Ada").unwrap();
    assert!(
        ada_line.ends_with(&format!(
            "**Ada** — {ada} points ({} of 1 correct)",
            u8::from(ada > 0)
        )),
        "{board}"
    );
    let ben_line = board_line(&board, "Ben").unwrap();
    assert!(
        ben_line.ends_with(&format!(
            "**Ben** — {ben} points ({} of 1 correct)",
            u8::from(ben > 0)
        )),
        "{board}"
    );
    // 10B's board is its own; the server's has everyone.
    let other = school.ask(CY, 12, &["leaderboard"]);
    assert_eq!(text(&other), points_line(1, "Cy", cy));
    let server = school.ask(CY, 12, &["leaderboard", "scope=server"]);
    assert_eq!(server["footer"], "3 students have scored");
}

#[test]
fn an_accepted_answer_and_the_export_of_a_class_season_count_for_the_class() {
    let school = Server::new();
    school.ask(TEACHER, 11, &["class", "create", "name=10A", "channel=11"]);
    // 10A's one question: "Bukharin was acquitted in 1938." (false).
    school.ask(
        TEACHER,
        11,
        &[
            "class",
            "edit",
            "class=10A",
            "packs=quizmini",
            "tags=trials",
        ],
    );
    school.ask_at(
        TEACHER,
        11,
        "2026-11-23T09:00:00Z",
        &["season", "start", "class=10A", "name=Spring"],
    );
    let daily = school.ask(ADA, 11, &["daily"]);
    assert!(text(&daily).contains("Bukharin was acquitted in 1938."));
    let wrong = daily["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["label"] == "True")
        .unwrap_or_else(|| panic!("{daily}"));
    assert_eq!(school.press(ADA, 11, "2026-11-23T10:00:00Z", wrong), 0);
    let before = school.ask(ADA, 11, &["leaderboard", "period=season"]);
    assert_eq!(text(&before), points_line(1, "Ada", 0));

    // The teacher counts it as right: the class's boards get its points.
    let listed = school.ask(TEACHER, 11, &["score", "accept", "user=1"]);
    let accept = listed["buttons"][0]["custom_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{listed}"))
        .to_string();
    let accepted = school.ask(TEACHER, 11, &["press", &accept]);
    assert_eq!(accepted["title"], "Answer accepted", "{accepted}");
    assert!(
        text(&accepted).contains("now counts as right: +20 points"),
        "{accepted}"
    );
    let right = "**1.** **Ada** — 20 points (1 of 1 correct)";
    for period in ["period=all-time", "period=season"] {
        let board = school.ask(ADA, 11, &["leaderboard", period]);
        assert_eq!(text(&board), right, "{period}: {board}");
    }
    assert_eq!(
        text(&school.ask(ADA, 11, &["leaderboard", "scope=server"])),
        right
    );

    // The export of the class's own season, by `current` or by its name.
    for season in ["season=current", "season=spring"] {
        let export = school.ask(TEACHER, 11, &["export", "scores", "class=10A", season]);
        assert_eq!(
            text(&export),
            "Scores of 1 student (10A, season \"Spring\"), most points first. Names are the ones last seen.",
            "{season}"
        );
        let file = export["attachments"][0]["name"].as_str().unwrap();
        assert!(
            file.starts_with("scores-class-") && file.contains("-class-season-"),
            "{file}"
        );
    }
    let unknown = school.ask(
        TEACHER,
        11,
        &["export", "scores", "class=10A", "season=Winter"],
    );
    assert_eq!(
        text(&unknown),
        "There is no season \"Winter\" in this server. Use `current` or a season's name."
    );
}

#[test]
fn a_class_pause_does_not_break_its_students_streaks() {
    let school = Server::new();
    school.ask(TEACHER, 11, &["class", "create", "name=10A", "channel=11"]);
    // 10A's one question: "Bukharin was acquitted in 1938." (false), and
    // no post from Tuesday to Thursday.
    school.ask(
        TEACHER,
        11,
        &[
            "class",
            "edit",
            "class=10A",
            "packs=quizmini",
            "tags=trials",
            "paused=2026-11-24..2026-11-26",
        ],
    );
    let answer_right = |now: &str| {
        let daily = school.ask_at(ADA, 11, now, &["daily"]);
        assert!(
            text(&daily).contains("Bukharin was acquitted in 1938."),
            "{daily}"
        );
        let right = daily["buttons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["label"] == "False")
            .unwrap_or_else(|| panic!("{daily}"))["custom_id"]
            .as_str()
            .unwrap()
            .to_string();
        school.ask_at(ADA, 11, now, &["press", &right])
    };
    let monday = answer_right("2026-11-23T10:00:00Z");
    assert_eq!(monday["title"], "Correct! +20 points", "{monday}");
    // Wednesday, in the pause: the streak still stands.
    let stats = school.ask_at(ADA, 11, "2026-11-25T10:00:00Z", &["stats"]);
    let streak = stats["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Daily streak")
        .unwrap_or_else(|| panic!("{stats}"));
    assert_eq!(streak["value"], "current 1 day(s), best 1 day(s)");
    // Friday, after it: the streak goes on, with its bonus.
    let friday = answer_right("2026-11-27T10:00:00Z");
    assert_eq!(friday["title"], "Correct! +22 points", "{friday}");
    assert!(
        text(&friday).ends_with("Daily streak: 2 days (+2 bonus)."),
        "{friday}"
    );
}

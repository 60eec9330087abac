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
            "2026-11-23T10:00:00Z",
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
        let button = &daily["buttons"][0];
        let id = button["custom_id"].as_str().unwrap().to_string();
        let reply = if button["opens_input"] == true {
            self.ask(user, channel, &["press", &id, "14"])
        } else {
            self.ask(user, channel, &["press", &id])
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

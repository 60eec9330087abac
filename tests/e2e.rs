//! End-to-end: the real bot (serenity, poise, the scheduler, SQLite) runs
//! against a fake Discord on 127.0.0.1 (`fake_discord`), and every test
//! asserts the exact requests the bot sends. Each test ends by checking all
//! captured request bodies against Discord's own API description.

mod common;
mod fake_discord;

use chrono::{DateTime, Utc};
use fake_discord::*;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use studybot::clock::FixedClock;
use studybot::config::{Config, Secret};
use studybot::discord::{serve, RunOptions};
use studybot::App;

/// Where the test's content comes from.
enum Content {
    Bundled,
    /// The quiz fixture pack with only questions of these kinds.
    QuizKinds(&'static [&'static str]),
}

/// One fake Discord, one database file and, while started, one bot.
struct Harness {
    fake: FakeDiscord,
    dir: tempfile::TempDir,
    content: PathBuf,
    clock: Arc<FixedClock>,
    app: Option<Arc<App>>,
    bot: Option<(
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    )>,
    starts: usize,
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

impl Harness {
    async fn new(content: Content, now: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let content = match content {
            Content::Bundled => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content"),
            Content::QuizKinds(kinds) => {
                let folder = dir.path().join("content");
                common::quiz_pack_with(&folder, kinds);
                folder
            }
        };
        Self {
            fake: FakeDiscord::start().await,
            dir,
            content,
            clock: Arc::new(FixedClock::new(at(now))),
            app: None,
            bot: None,
            starts: 0,
        }
    }

    /// Starts the bot (a fresh App on the same database file, as a restarted
    /// process would have) and waits until it has registered its commands.
    async fn start(&mut self) -> Value {
        let mut config = Config::default();
        config.database.url = format!("sqlite://{}", self.dir.path().join("studybot.db").display());
        config.content.folders = vec![self.content.clone()];
        config.time.default_timezone = "Europe/London".into();
        let (library, _) = studybot::app::Library::load(&config.content.folders).unwrap();
        let store = studybot::store::open(&config.database.url).unwrap();
        let app = Arc::new(
            App::new(config, library, store)
                .unwrap()
                .with_clock(self.clock.clone()),
        );
        let options = RunOptions {
            proxy: Some(self.fake.proxy_url()),
            schedule_tick: Duration::from_millis(50),
            edit_window: Duration::from_millis(200),
            retry_base: Duration::from_millis(20),
            ..RunOptions::default()
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let bot_app = app.clone();
        let task = tokio::spawn(async move {
            let token = Secret::new(TOKEN);
            let result = serve(bot_app, &token, options, async {
                let _ = stopped.await;
            })
            .await;
            if let Err(e) = result {
                panic!("the bot stopped with an error: {e}");
            }
        });
        self.app = Some(app);
        self.bot = Some((stop, task));
        self.starts += 1;
        self.fake.wait_for_registration(self.starts).await.body
    }

    /// Stops the bot as SIGTERM would, and waits for it to finish.
    async fn stop(&mut self) {
        let (stop, task) = self.bot.take().expect("the bot is running");
        let _ = stop.send(());
        tokio::time::timeout(Duration::from_secs(15), task)
            .await
            .expect("the bot stops within 15 s")
            .expect("the bot task did not panic");
        self.app = None;
    }

    fn app(&self) -> &App {
        self.app.as_ref().expect("the bot is running")
    }
}

fn option(name: &str, value: &str) -> Value {
    json!({"name": name, "type": 3, "value": value})
}

fn subcommand(name: &str, options: Value) -> Value {
    json!([{"name": name, "type": 1, "options": options}])
}

/// The embed of a message callback (type 4).
fn embed(callback: &Value) -> &Value {
    assert_eq!(callback["type"], 4, "a message callback: {callback:#}");
    &callback["data"]["embeds"][0]
}

fn is_ephemeral(callback: &Value) -> bool {
    callback["data"]["flags"].as_u64().unwrap_or(0) & 64 != 0
}

/// Nothing a reply says may ping anyone.
fn assert_pings_nobody(data: &Value) {
    let mentions = &data["allowed_mentions"];
    assert_eq!(mentions["parse"], json!([]), "{data:#}");
    for key in ["users", "roles"] {
        assert!(
            mentions.get(key).is_none() || mentions[key] == json!([]),
            "{key} may be pinged: {data:#}"
        );
    }
}

fn custom_ids(components: &Value) -> Vec<String> {
    components
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// The answer buttons of a question (without its "Report a problem").
fn answer_ids(components: &Value) -> Vec<String> {
    let all = custom_ids(components);
    assert!(
        all.iter().any(|id| id.starts_with("rp1:")),
        "every question can be reported: {all:?}"
    );
    all.into_iter()
        .filter(|id| !id.starts_with("rp1:"))
        .collect()
}

fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn registration_declares_every_command_with_its_options_contexts_and_permissions() {
    multi_thread().block_on(async {
        let mut h = Harness::new(Content::Bundled, "2026-11-23T09:00:00Z").await;
        let registration = h.start().await;
        let request = h.fake.wait_for_registration(1).await;
        assert_eq!(
            request.path,
            format!("/applications/{APPLICATION_ID}/commands"),
            "registered globally"
        );
        let commands = registration.as_array().unwrap();
        let names: Vec<&str> = commands
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        let catalogue: Vec<&str> = studybot::handlers::spec::COMMANDS
            .iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, catalogue);
        let by_name = |name: &str| commands.iter().find(|c| c["name"] == name).unwrap();

        let explain = by_name("explain");
        assert_eq!(explain["options"][0]["name"], "term");
        assert_eq!(explain["options"][0]["type"], 3);
        assert_eq!(explain["options"][0]["required"], true);
        assert_eq!(explain["options"][0]["autocomplete"], true);
        assert_eq!(explain["options"][0]["max_length"], 200);
        assert!(
            explain.get("contexts").is_none() || explain["contexts"].is_null(),
            "usable everywhere: {explain}"
        );

        // Who may run each command and where, as the command table says
        // (the payload's other fields are checked against the table in
        // src/discord/commands.rs).
        use studybot::handlers::spec::{Place, Who};
        for command in studybot::handlers::spec::COMMANDS {
            let registered = by_name(command.name);
            match command.place {
                Place::Server => assert_eq!(
                    registered["contexts"],
                    json!([0]),
                    "/{} is guild-only",
                    command.name
                ),
                Place::Anywhere => assert!(
                    registered.get("contexts").is_none() || registered["contexts"].is_null(),
                    "/{} is usable everywhere",
                    command.name
                ),
            }
            match command.who {
                Who::Teachers => assert_eq!(
                    registered["default_member_permissions"],
                    json!(MANAGE_GUILD),
                    "/{} needs Manage Server by default",
                    command.name
                ),
                Who::Everyone => assert!(
                    registered["default_member_permissions"].is_null(),
                    "/{} is open to everyone",
                    command.name
                ),
            }
        }
        for teacher in ["settings", "pack", "class"] {
            assert_eq!(
                by_name(teacher)["default_member_permissions"],
                json!(MANAGE_GUILD),
                "/{teacher} needs Manage Server by default"
            );
        }
        assert_eq!(
            by_name("daily")["contexts"],
            json!([0]),
            "/daily is guild-only"
        );
        let upload = &by_name("pack")["options"][0];
        assert_eq!(upload["name"], "upload");
        assert_eq!(upload["options"][0]["name"], "file");
        assert_eq!(upload["options"][0]["type"], 11, "an attachment option");
        let settings: Vec<&str> = by_name("settings")["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                assert_eq!(o["type"], 1, "a subcommand");
                o["name"].as_str().unwrap()
            })
            .collect();
        assert_eq!(
            settings,
            [
                "channel",
                "time",
                "timezone",
                "days",
                "role",
                "teacher-role",
                "competitions",
                "show"
            ]
        );
        let channel = &by_name("settings")["options"][0]["options"][0];
        assert_eq!(channel["type"], 7);
        assert_eq!(channel["channel_types"], json!([0]), "text channels only");

        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

#[test]
fn explain_answers_with_an_embed_that_pings_nobody_even_when_misspelled() {
    multi_thread().block_on(async {
        let mut h = Harness::new(Content::Bundled, "2026-11-23T09:00:00Z").await;
        h.start().await;
        let exact = h
            .fake
            .command(ANNA, "explain", json!([option("term", "troika")]))
            .await;
        let card = embed(&exact);
        let title = card["title"].as_str().unwrap();
        assert!(title.to_lowercase().contains("troika"), "{title}");
        let description = card["description"].as_str().unwrap();
        assert!(description.contains("NKVD"), "{description}");
        assert!(
            !is_ephemeral(&exact),
            "an explanation is for the whole channel"
        );
        assert_pings_nobody(&exact["data"]);
        let sources = card["footer"]["text"].as_str().unwrap();
        assert!(
            sources.starts_with("Sources: "),
            "names its sources: {sources}"
        );
        let dates = &card["fields"][0];
        assert_eq!(dates["name"], "Key dates");
        assert!(
            dates["value"]
                .as_str()
                .unwrap()
                .contains("**30 July 1937**"),
            "{dates}"
        );
        let see_also = custom_ids(&exact["data"]["components"]);
        assert!(
            see_also.contains(&"ex1:great-purge/order-00447".to_string()),
            "{see_also:?}"
        );

        // Misspelled and transliterated: the same entry.
        let misspelled = h
            .fake
            .command(BORIS, "explain", json!([option("term", "troyka")]))
            .await;
        assert_eq!(embed(&misspelled)["title"], card["title"]);
        assert_eq!(embed(&misspelled)["description"], card["description"]);
        assert_pings_nobody(&misspelled["data"]);

        // A term nobody knows: a private "did you mean".
        let unknown = h
            .fake
            .command(ANNA, "explain", json!([option("term", "@everyone xqzzv")]))
            .await;
        assert!(is_ephemeral(&unknown), "{unknown:#}");
        assert_pings_nobody(&unknown["data"]);

        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

#[test]
fn autocomplete_offers_at_most_25_choices_of_at_most_100_characters() {
    multi_thread().block_on(async {
        let mut h = Harness::new(Content::Bundled, "2026-11-23T09:00:00Z").await;
        h.start().await;
        for typed in ["", "y", "ezhov", "order", "trial"] {
            let (id, _) = h
                .fake
                .dispatch(
                    h.fake
                        .autocomplete_interaction(ANNA, "explain", "term", typed),
                )
                .await;
            let callback = h.fake.callback(id).await;
            assert_eq!(callback["type"], 8, "an autocomplete result: {callback:#}");
            let choices = callback["data"]["choices"].as_array().unwrap();
            assert!(choices.len() <= 25, "{typed:?}: {} choices", choices.len());
            assert!(
                !choices.is_empty() || typed.is_empty(),
                "{typed:?} suggests something"
            );
            for choice in choices {
                let name = choice["name"].as_str().unwrap();
                assert!((1..=100).contains(&name.chars().count()), "{name}");
                assert!(choice["value"].as_str().unwrap().chars().count() <= 100);
            }
            if typed == "ezhov" {
                assert!(
                    choices
                        .iter()
                        .any(|c| c["name"].as_str().unwrap().contains("Yezhov")),
                    "Ezhov finds Yezhov: {choices:?}"
                );
            }
        }
        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

#[test]
fn an_invalid_date_gets_a_private_explanation_and_a_range_gets_events() {
    multi_thread().block_on(async {
        let mut h = Harness::new(Content::Bundled, "2026-11-23T09:00:00Z").await;
        h.start().await;
        let bad = h
            .fake
            .command(ANNA, "date", json!([option("when", "31 February 1937")]))
            .await;
        assert_eq!(bad["type"], 4);
        assert!(is_ephemeral(&bad), "{bad:#}");
        let text = serde_json::to_string(&bad["data"]).unwrap();
        assert!(text.contains("February"), "says what is wrong: {text}");
        assert_pings_nobody(&bad["data"]);

        let kirov = h
            .fake
            .command(ANNA, "date", json!([option("when", "1 December 1934")]))
            .await;
        assert!(!is_ephemeral(&kirov));
        let text = serde_json::to_string(&embed(&kirov)).unwrap();
        assert!(text.contains("Kirov"), "{text}");
        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

/// Runs a teacher's `/settings` subcommand and checks it was accepted.
async fn set(h: &Harness, sub: &str, options: Value) {
    let (id, _) = h
        .fake
        .dispatch(h.fake.command_interaction(
            TEACHER,
            GUILD,
            CHANNEL,
            "settings",
            subcommand(sub, options),
        ))
        .await;
    let callback = h.fake.callback(id).await;
    assert!(
        is_ephemeral(&callback),
        "settings replies are private: {callback:#}"
    );
    let text = serde_json::to_string(&callback["data"]).unwrap();
    assert!(!text.contains("Sorry"), "/settings {sub} failed: {text}");
}

/// Configures the class channel to post at 08:30 London time.
async fn configure_daily_post(h: &Harness) -> Value {
    let mut channel = h.fake.command_interaction(
        TEACHER,
        GUILD,
        CHANNEL,
        "settings",
        subcommand(
            "channel",
            json!([{"name": "channel", "type": 7, "value": CHANNEL.to_string()}]),
        ),
    );
    channel["data"]["resolved"] = json!({"channels": {CHANNEL.to_string(): {
        "id": CHANNEL.to_string(), "name": "history-9b", "type": 0,
        "permissions": STUDENT_PERMISSIONS.to_string(), "parent_id": null
    }}});
    let (id, _) = h.fake.dispatch(channel).await;
    let callback = h.fake.callback(id).await;
    assert!(is_ephemeral(&callback));
    set(h, "timezone", json!([option("timezone", "Europe/London")])).await;
    set(h, "time", json!([option("time", "08:30")])).await;
    callback
}

fn is_channel_post(c: &Captured) -> bool {
    c.is("POST", &format!("/channels/{CHANNEL}/messages"))
}

/// The position of the correct button of a choice question instance, from
/// the core's own record of the instance and the content.
fn correct_position(app: &App, instance: i64) -> usize {
    let instance = app.store.instance(instance).unwrap().unwrap();
    let library = app.library();
    let (pack, question) = studybot::quiz::find(&library.content, &instance.question).unwrap();
    instance
        .option_order
        .iter()
        .position(|&index| studybot::quiz::is_correct(pack, question, Some(index), None))
        .unwrap()
}

/// `q1:<instance>:<position>` parts.
fn choice_id(custom_id: &str) -> (i64, usize) {
    let mut parts = custom_id.split(':').skip(1);
    (
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap().parse().unwrap(),
    )
}

async fn press(h: &Harness, who: Person, message: &Value, custom_id: &str) -> Value {
    let (id, _) = h
        .fake
        .dispatch(h.fake.button_interaction(who, message, custom_id))
        .await;
    h.fake.callback(id).await
}

#[test]
fn the_daily_question_is_channel_posted_once_at_local_time_and_scored_once_per_student() {
    multi_thread().block_on(async {
        // 08:00 in London (GMT in November): not yet time.
        let mut h = Harness::new(
            Content::QuizKinds(&["multiple_choice"]),
            "2026-11-23T08:00:00Z",
        )
        .await;
        h.start().await;
        configure_daily_post(&h).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(h.fake.count(is_channel_post), 0, "nothing before 08:30");

        h.clock.set(at("2026-11-23T08:30:00Z"));
        let post = h.fake.wait_for("the daily post", is_channel_post).await;
        assert_eq!(post.body["enforce_nonce"], true);
        assert!(
            post.body["nonce"].as_str().unwrap().len() <= 25,
            "Discord's nonce limit"
        );
        assert_pings_nobody(&post.body);
        let title = post.body["embeds"][0]["title"].as_str().unwrap();
        assert!(
            title.starts_with("Daily question, 23 November 2026"),
            "{title}"
        );
        // Ticks go on; the post is not repeated.
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(h.fake.count(is_channel_post), 1, "posted once");

        let message = post.response.clone();
        let buttons = answer_ids(&message["components"]);
        assert!(buttons.len() >= 3, "{buttons:?}");
        let (instance, _) = choice_id(&buttons[0]);
        let right = correct_position(h.app(), instance);
        let wrong = (right + 1) % buttons.len();

        // Anna is right, Boris is wrong; both privately told.
        let anna = press(&h, ANNA, &message, &format!("q1:{instance}:{right}")).await;
        let points = studybot::quiz::points_for(studybot::content::Difficulty::Medium)
            + studybot::quiz::streak_bonus(1);
        assert_eq!(embed(&anna)["title"], format!("Correct! +{points} points"));
        assert!(is_ephemeral(&anna));
        assert_pings_nobody(&anna["data"]);
        let boris = press(&h, BORIS, &message, &format!("q1:{instance}:{wrong}")).await;
        assert_eq!(embed(&boris)["title"], "Not quite");

        // A second press scores nothing more.
        let again = press(&h, ANNA, &message, &format!("q1:{instance}:{wrong}")).await;
        assert!(is_ephemeral(&again));
        let again_text = serde_json::to_string(&again["data"]).unwrap();
        assert!(again_text.contains("already answered"), "{again_text}");

        // The tally on the daily message is edited (coalesced) to 2 answers, 1 correct.
        let edit_path = format!(
            "/channels/{CHANNEL}/messages/{}",
            message["id"].as_str().unwrap()
        );
        let edit = h
            .fake
            .wait_for("the tally edit", |c| {
                c.is("PATCH", &edit_path)
                    && c.body["embeds"][0]["footer"]["text"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("2 answered, 1 correct"))
            })
            .await;
        assert_pings_nobody(&edit.body);

        let board = h.fake.command(BORIS, "leaderboard", json!([])).await;
        let text = embed(&board)["description"].as_str().unwrap().to_string();
        assert!(
            text.starts_with(&format!(
                "**1.** **anna** — {points} points (1 of 1 correct)"
            )),
            "{text}"
        );
        assert!(
            text.contains("**2.** **boris** — 0 points (0 of 1 correct)"),
            "{text}"
        );

        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

#[test]
fn a_restart_between_presses_keeps_the_buttons_working_and_the_score_exact() {
    multi_thread().block_on(async {
        let mut h = Harness::new(
            Content::QuizKinds(&["multiple_choice"]),
            "2026-11-23T08:40:00Z",
        )
        .await;
        h.start().await;
        configure_daily_post(&h).await;
        let post = h.fake.wait_for("the daily post", is_channel_post).await;
        let message = post.response.clone();
        let (instance, _) = choice_id(&answer_ids(&message["components"])[0]);
        let right = correct_position(h.app(), instance);
        let anna = press(&h, ANNA, &message, &format!("q1:{instance}:{right}")).await;
        assert!(embed(&anna)["title"]
            .as_str()
            .unwrap()
            .starts_with("Correct!"));

        // The process stops and a new one starts on the same database.
        h.stop().await;
        h.clock.set(at("2026-11-23T09:10:00Z"));
        h.start().await;
        // The new scheduler knows today's post is out.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            h.fake.count(is_channel_post),
            1,
            "no second daily post after the restart"
        );

        // A button on the message posted before the restart still scores...
        let boris = press(&h, BORIS, &message, &format!("q1:{instance}:{right}")).await;
        assert!(
            embed(&boris)["title"]
                .as_str()
                .unwrap()
                .starts_with("Correct!"),
            "{boris:#}"
        );
        // ...and Anna's earlier answer still counts once.
        let again = press(&h, ANNA, &message, &format!("q1:{instance}:{right}")).await;
        assert!(serde_json::to_string(&again["data"])
            .unwrap()
            .contains("already answered"));
        let tally = h.app().store.tally(instance).unwrap();
        assert_eq!((tally.answered, tally.correct), (2, 2));
        let points = studybot::quiz::points_for(studybot::content::Difficulty::Medium)
            + studybot::quiz::streak_bonus(1);
        let board = h.fake.command(ANNA, "leaderboard", json!([])).await;
        let text = embed(&board)["description"].as_str().unwrap().to_string();
        assert!(
            text.contains(&format!("**anna** — {points} points (1 of 1 correct)")),
            "{text}"
        );
        assert!(
            text.contains(&format!("**boris** — {points} points (1 of 1 correct)")),
            "{text}"
        );

        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

#[test]
fn a_typed_answer_goes_through_the_modal_and_only_its_owner_may_answer() {
    multi_thread().block_on(async {
        let mut h = Harness::new(Content::QuizKinds(&["free_text"]), "2026-11-23T10:00:00Z").await;
        h.start().await;
        let practice = h.fake.command(ANNA, "quiz", json!([])).await;
        assert!(is_ephemeral(&practice), "practice questions are private");
        let buttons = answer_ids(&practice["data"]["components"]);
        assert_eq!(
            buttons.len(),
            1,
            "one button that opens the text input: {buttons:?}"
        );
        assert!(buttons[0].starts_with("qa1:"), "{buttons:?}");
        let instance: i64 = buttons[0][4..].parse().unwrap();
        let message = h.fake.message_from_reply(CHANNEL, &practice["data"]);

        // The button opens a modal (as the first response; it cannot follow a deferral).
        let modal = press(&h, ANNA, &message, &buttons[0]).await;
        assert_eq!(modal["type"], 9, "a modal: {modal:#}");
        let modal_id = modal["data"]["custom_id"].as_str().unwrap().to_string();
        assert_eq!(modal_id, format!("m1:{}", buttons[0]));
        let input = &modal["data"]["components"][0]["components"][0];
        assert_eq!(input["type"], 4, "a text input");
        let input_id = input["custom_id"].as_str().unwrap();

        // The accepted answer, from the core's record of the question.
        let stored = h.app().store.instance(instance).unwrap().unwrap();
        let library = h.app().library();
        let (_, question) = studybot::quiz::find(&library.content, &stored.question).unwrap();
        let accepted = studybot::quiz::correct_answer(question);

        // Boris cannot answer Anna's question, through the button or the modal.
        let refused = press(&h, BORIS, &message, &buttons[0]).await;
        assert_eq!(
            refused["type"], 9,
            "the modal opens for anyone; the answer is checked"
        );
        let (id, _) = h
            .fake
            .dispatch(h.fake.modal_interaction(
                BORIS,
                Some(&message),
                &modal_id,
                input_id,
                &accepted,
            ))
            .await;
        let refused = h.fake.callback(id).await;
        assert!(is_ephemeral(&refused));
        let text = serde_json::to_string(&refused["data"]).unwrap();
        assert!(text.contains("belongs to someone else"), "{text}");

        // Anna types the answer in lower case with a typo-free surname.
        let typed = accepted.to_lowercase();
        let (id, _) = h
            .fake
            .dispatch(
                h.fake
                    .modal_interaction(ANNA, Some(&message), &modal_id, input_id, &typed),
            )
            .await;
        let result = h.fake.callback(id).await;
        assert!(is_ephemeral(&result));
        // Practice never reaches the leaderboard, so the reply promises no points.
        assert_eq!(embed(&result)["title"], "Correct!", "{result:#}");
        assert_pings_nobody(&result["data"]);
        let answer_field = &embed(&result)["fields"][0];
        assert_eq!(answer_field["name"], "Your answer");

        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

#[test]
fn only_the_teacher_who_asked_can_confirm_the_end_of_a_season() {
    multi_thread().block_on(async {
        let mut h = Harness::new(
            Content::QuizKinds(&["multiple_choice"]),
            "2026-11-23T10:00:00Z",
        )
        .await;
        let registration = h.start().await;
        let season = registration
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "season")
            .unwrap();
        assert_eq!(season["default_member_permissions"], json!(MANAGE_GUILD));

        let start = h
            .fake
            .command(
                TEACHER,
                "season",
                subcommand("start", json!([option("name", "Autumn term")])),
            )
            .await;
        assert_eq!(embed(&start)["title"], "New season");
        let end = h
            .fake
            .command(TEACHER, "season", subcommand("end", json!([])))
            .await;
        assert!(is_ephemeral(&end));
        let buttons = custom_ids(&end["data"]["components"]);
        assert_eq!(buttons.len(), 1, "{buttons:?}");
        let confirm = &buttons[0];
        assert!(
            confirm.starts_with("se1:") && confirm.ends_with(&TEACHER.id.to_string()),
            "{confirm}"
        );
        let message = h.fake.message_from_reply(CHANNEL, &end["data"]);

        // Another member (even one with Manage Server) cannot press it.
        let deputy = Person {
            id: 1_300_000_000_000_000_010,
            name: "mr-ivanov",
            ..TEACHER
        };
        // A student is not a teacher at press time; a deputy is, but the
        // button was issued to someone else (the teacher guard, issue #20).
        for (intruder, refusal) in [
            (BORIS, "Only teachers can use this button"),
            (
                deputy,
                "This button belongs to the teacher who asked for it",
            ),
        ] {
            let refused = press(&h, intruder, &message, confirm).await;
            assert!(is_ephemeral(&refused));
            let text = serde_json::to_string(&refused["data"]).unwrap();
            assert!(text.contains(refusal), "{text}");
        }
        let guild = studybot::request::GuildId(GUILD);
        assert!(
            h.app().store.open_season(guild).unwrap().is_some(),
            "still running"
        );

        let ended = press(&h, TEACHER, &message, confirm).await;
        let title = embed(&ended)["title"].as_str().unwrap();
        assert!(
            title.starts_with("Season \"Autumn term\" has ended"),
            "{title}"
        );
        assert!(h.app().store.open_season(guild).unwrap().is_none(), "ended");

        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

#[test]
fn a_competition_runs_in_the_channel_with_timed_rounds_and_a_podium() {
    multi_thread().block_on(async {
        let mut h = Harness::new(
            Content::QuizKinds(&["multiple_choice"]),
            "2026-11-23T10:00:00Z",
        )
        .await;
        h.start().await;
        let started = h
            .fake
            .command(
                ANNA,
                "competition",
                subcommand(
                    "start",
                    json!([
                        {"name": "rounds", "type": 4, "value": 1},
                        {"name": "seconds", "type": 4, "value": 10}
                    ]),
                ),
            )
            .await;
        assert_eq!(embed(&started)["title"], "Quiz competition!");
        assert!(!is_ephemeral(&started), "the class sees it");
        assert_pings_nobody(&started["data"]);

        // The round is an ordinary channel message, with a countdown.
        let round = h
            .fake
            .wait_for("the round's message", is_channel_post)
            .await;
        assert_eq!(round.body["embeds"][0]["title"], "Round 1 of 1 (medium)");
        let countdown = format!("Closes <t:{}:R>.", at("2026-11-23T10:00:10Z").timestamp());
        assert!(
            round.body["embeds"][0]["description"]
                .as_str()
                .unwrap()
                .ends_with(&countdown),
            "{:#}",
            round.body
        );
        assert_pings_nobody(&round.body);
        let message = round.response.clone();
        let buttons = custom_ids(&message["components"]);
        let competition: i64 = buttons[0].split(':').nth(1).unwrap().parse().unwrap();
        let stored = h.app().store.competition(competition).unwrap().unwrap();
        let library = h.app().library();
        let (pack, question) =
            studybot::quiz::find(&library.content, &stored.rounds[0].question).unwrap();
        let right = stored.rounds[0]
            .option_order
            .iter()
            .position(|&i| studybot::quiz::is_correct(pack, question, Some(i), None))
            .unwrap();
        let right = format!("cq1:{competition}:1:{right}");

        // Instant and right: full points, privately.
        let boris = press(&h, BORIS, &message, &right).await;
        assert_eq!(embed(&boris)["title"], "Correct! +20 points");
        assert!(is_ephemeral(&boris));

        // The deadline passes: the buttons go, the answer and the podium come.
        h.clock.set(at("2026-11-23T10:00:11Z"));
        let message_path = format!(
            "/channels/{CHANNEL}/messages/{}",
            message["id"].as_str().unwrap()
        );
        let closed = h
            .fake
            .wait_for("the round's buttons removed", |c| {
                c.is("PATCH", &message_path)
            })
            .await;
        assert_eq!(closed.body["components"], json!([]));
        let podium = h
            .fake
            .wait_for_nth(3, "the results and the podium", is_channel_post)
            .await;
        assert_eq!(
            podium.body["embeds"][0]["title"],
            "Competition over: the podium"
        );
        assert_eq!(
            podium.body["embeds"][0]["description"],
            "🥇 **boris** — 20 points"
        );
        // With its picture: a multipart message carrying podium.png.
        assert!(
            podium.content_type.starts_with("multipart/form-data"),
            "{}",
            podium.content_type
        );
        assert_eq!(podium.body["attachments"][0]["filename"], "podium.png");
        assert_eq!(podium.files.len(), 1);
        assert_eq!(podium.files[0].0, "podium.png");
        assert!(podium.files[0].1.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
        let results = &h
            .fake
            .requests()
            .into_iter()
            .filter(is_channel_post)
            .nth(1)
            .unwrap();
        assert_eq!(
            results.body["embeds"][0]["title"],
            "Round 1 of 1: the answer"
        );
        assert!(results.body["embeds"][0]["fields"][0]["value"]
            .as_str()
            .unwrap()
            .starts_with("1. boris — 0.0 s (+20)"));

        // Over: a late press is refused and scores nothing.
        let late = press(&h, ANNA, &message, &right).await;
        assert!(is_ephemeral(&late));
        assert!(serde_json::to_string(&late["data"])
            .unwrap()
            .contains("has ended"));
        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

#[test]
fn a_team_competition_announces_its_teams_and_posts_team_results() {
    multi_thread().block_on(async {
        let mut h = Harness::new(
            Content::QuizKinds(&["multiple_choice"]),
            "2026-11-23T10:00:00Z",
        )
        .await;
        h.start().await;
        let started = h
            .fake
            .command(
                ANNA,
                "competition",
                subcommand(
                    "start",
                    json!([
                        {"name": "rounds", "type": 4, "value": 1},
                        {"name": "seconds", "type": 4, "value": 10},
                        option("team_mode", "random"),
                        {"name": "teams", "type": 4, "value": 2}
                    ]),
                ),
            )
            .await;
        assert_eq!(embed(&started)["title"], "Team competition!", "{started:#}");
        assert!(!is_ephemeral(&started), "the class sees the teams");
        assert_pings_nobody(&started["data"]);
        // Nobody has played in this server yet: the starter is drawn into
        // one of the two teams, the other waits for latecomers.
        let fields: Vec<(String, String)> = embed(&started)["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["name"].as_str().unwrap().to_string(),
                    f["value"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let (anna_team, other) = match fields.as_slice() {
            [(red, a), (blue, b)] if a == "anna" && b == "Nobody yet." => (red, blue),
            [(red, a), (blue, b)] if b == "anna" && a == "Nobody yet." => (blue, red),
            _ => panic!("{fields:?}"),
        };
        let anna_team = anna_team.strip_suffix(" (1 player)").unwrap().to_string();
        let other = other.strip_suffix(" (0 players)").unwrap().to_string();

        let round = h
            .fake
            .wait_for("the round's message", is_channel_post)
            .await;
        let message = round.response.clone();
        let buttons = custom_ids(&message["components"]);
        let competition: i64 = buttons[0].split(':').nth(1).unwrap().parse().unwrap();
        let stored = h.app().store.competition(competition).unwrap().unwrap();
        let library = h.app().library();
        let (pack, question) =
            studybot::quiz::find(&library.content, &stored.rounds[0].question).unwrap();
        let button = |right: bool| {
            let position = stored.rounds[0]
                .option_order
                .iter()
                .position(|&i| studybot::quiz::is_correct(pack, question, Some(i), None) == right)
                .unwrap();
            format!("cq1:{competition}:1:{position}")
        };
        let anna = press(&h, ANNA, &message, &button(true)).await;
        assert_eq!(embed(&anna)["title"], "Correct! +20 points");
        // Boris comes late: his first answer puts him in the empty team.
        let boris = press(&h, BORIS, &message, &button(false)).await;
        assert_eq!(embed(&boris)["title"], "Not quite");
        let team_field = embed(&boris)["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "Your team")
            .cloned();
        assert_eq!(team_field.unwrap()["value"], other.as_str());

        h.clock.set(at("2026-11-23T10:00:11Z"));
        let podium = h
            .fake
            .wait_for_nth(3, "the results and the podium", is_channel_post)
            .await;
        let lines = format!(
            "1. **{anna_team}** — 20 points each (1 player)\n2. **{other}** — 0 points each (1 player)"
        );
        let results = h
            .fake
            .requests()
            .into_iter()
            .filter(is_channel_post)
            .nth(1)
            .unwrap();
        assert_eq!(results.body["embeds"][0]["title"], "Round 1 of 1: the answer");
        let result_fields = results.body["embeds"][0]["fields"].as_array().unwrap();
        assert_eq!(result_fields[1]["name"], "Teams this round");
        assert_eq!(result_fields[1]["value"], lines.as_str());
        assert_eq!(result_fields[2]["name"], "Teams so far");
        assert_pings_nobody(&results.body);

        let embed = &podium.body["embeds"][0];
        assert_eq!(embed["title"], "Competition over: the team podium");
        assert_eq!(
            embed["description"],
            format!("🥇 **{anna_team}** — 20 points each (1 player)")
        );
        assert_eq!(embed["fields"][0]["name"], "Teams");
        assert_eq!(embed["fields"][0]["value"], lines.as_str());
        assert_eq!(
            embed["fields"][1]["value"],
            format!(
                "1. anna ({anna_team}) — 20 points, 1 of 1 correct\n2. boris ({other}) — 0 points, 0 of 1 correct"
            )
        );
        assert_eq!(podium.files.len(), 1);
        assert_eq!(podium.files[0].0, "podium.png");
        assert!(podium.files[0].1.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
        assert_pings_nobody(&podium.body);
        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

/// A role as Discord resolves it in an interaction's `resolved.roles`.
fn resolved_role(id: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(), "name": name, "color": 0, "colors": {"primary_color": 0},
        "hoist": false, "icon": null, "unicode_emoji": null, "position": 1,
        "permissions": "0", "managed": false, "mentionable": false, "flags": 0
    })
}

#[test]
fn house_teams_are_named_after_the_roles_discord_resolves() {
    multi_thread().block_on(async {
        const GRYPHON: u64 = 1_400_000_000_000_000_001;
        const OTTER: u64 = 1_400_000_000_000_000_002;
        let mut h = Harness::new(
            Content::QuizKinds(&["multiple_choice"]),
            "2026-11-23T10:00:00Z",
        )
        .await;
        h.start().await;
        let mut start = h.fake.command_interaction(
            ANNA,
            GUILD,
            CHANNEL,
            "competition",
            subcommand(
                "start",
                json!([
                    {"name": "rounds", "type": 4, "value": 1},
                    {"name": "seconds", "type": 4, "value": 10},
                    option("team_mode", "role"),
                    {"name": "house1", "type": 8, "value": GRYPHON.to_string()},
                    {"name": "house2", "type": 8, "value": OTTER.to_string()}
                ]),
            ),
        );
        start["data"]["resolved"] = json!({"roles": {
            GRYPHON.to_string(): resolved_role(GRYPHON, "Gryphon"),
            OTTER.to_string(): resolved_role(OTTER, "Otter")
        }});
        start["member"]["roles"] = json!([OTTER.to_string()]);
        let (id, _) = h.fake.dispatch(start).await;
        let started = h.fake.callback(id).await;
        assert_eq!(embed(&started)["title"], "Team competition!", "{started:#}");
        assert_eq!(
            embed(&started)["fields"],
            json!([
                {"name": "Gryphon (0 players)", "value": "Nobody yet.", "inline": false},
                {"name": "Otter (1 player)", "value": "anna", "inline": false}
            ])
        );

        // Boris holds the Gryphon role: his first answer puts him there.
        let round = h
            .fake
            .wait_for("the round's message", is_channel_post)
            .await;
        let message = round.response.clone();
        let buttons = custom_ids(&message["components"]);
        let mut press = h.fake.button_interaction(BORIS, &message, &buttons[0]);
        press["member"]["roles"] = json!([GRYPHON.to_string()]);
        let (id, _) = h.fake.dispatch(press).await;
        let boris = h.fake.callback(id).await;
        let team = embed(&boris)["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "Your team")
            .cloned()
            .unwrap();
        assert_eq!(team["value"], "Gryphon");
        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

#[test]
fn a_score_export_arrives_as_a_csv_file_for_the_teacher_only() {
    multi_thread().block_on(async {
        let mut h = Harness::new(Content::QuizKinds(&["multiple_choice"]), "2026-11-23T10:00:00Z").await;
        h.start().await;
        // Boris scores on today's question.
        let daily = h.fake.command(BORIS, "daily", json!([])).await;
        let message = h.fake.message_from_reply(CHANNEL, &daily["data"]);
        let (instance, _) = choice_id(&answer_ids(&message["components"])[0]);
        let right = correct_position(h.app(), instance);
        press(&h, BORIS, &message, &format!("q1:{instance}:{right}")).await;

        let (id, _) = h
            .fake
            .dispatch(h.fake.command_interaction(TEACHER, GUILD, CHANNEL, "export", subcommand("scores", json!([]))))
            .await;
        let prefix = format!("/interactions/{id}/");
        let callback = h
            .fake
            .wait_for("the export callback", |c| c.method == "POST" && c.path.starts_with(&prefix))
            .await;
        assert!(callback.content_type.starts_with("multipart/form-data"), "{}", callback.content_type);
        assert!(is_ephemeral(&callback.body), "only the teacher sees it");
        assert_pings_nobody(&callback.body["data"]);
        assert_eq!(callback.body["data"]["attachments"][0]["filename"], "scores-all-time.csv");
        let (name, data) = &callback.files[0];
        assert_eq!(name, "scores-all-time.csv");
        let points = studybot::quiz::points_for(studybot::content::Difficulty::Medium)
            + studybot::quiz::streak_bonus(1);
        assert_eq!(
            String::from_utf8(data.clone()).unwrap(),
            format!(
                "user_id,display_name,answered,correct,points,streak\r\n{},boris,1,1,{points},1\r\n",
                BORIS.id
            )
        );
        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

#[test]
fn a_pack_uploaded_through_discord_is_downloaded_checked_and_used_in_that_server_only() {
    multi_thread().block_on(async {
        let mut h = Harness::new(
            Content::QuizKinds(&["multiple_choice"]),
            "2026-11-23T10:00:00Z",
        )
        .await;
        h.start().await;
        let pack = include_str!("fixtures/ww1-pack.toml");
        let upload = |name: &str, data: &[u8]| {
            h.fake
                .attachment_interaction(TEACHER, "pack", "upload", name, data)
        };
        // A broken file: the teacher gets the checker's file:line:col.
        let broken = pack.replace("kind = \"true_false\"", "kind = \"true_falsy\"");
        let line = broken
            .lines()
            .position(|l| l == "kind = \"true_falsy\"")
            .unwrap()
            + 1;
        let (id, _) = h.fake.dispatch(upload("ww1.toml", broken.as_bytes())).await;
        let callback = h.fake.callback(id).await;
        assert!(is_ephemeral(&callback), "{callback}");
        assert_pings_nobody(&callback["data"]);
        let text = embed(&callback)["description"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(text.contains(&format!("ww1.toml:{line}:8: ")), "{text}");
        assert_eq!(embed(&callback)["title"], "Pack not uploaded");

        // A good file is stored and used at once, in this server only.
        let (id, _) = h.fake.dispatch(upload("ww1.toml", pack.as_bytes())).await;
        let callback = h.fake.callback(id).await;
        assert_eq!(embed(&callback)["title"], "Pack uploaded", "{callback}");
        let here = h
            .fake
            .command(BORIS, "explain", json!([option("term", "Schlieffen Plan")]))
            .await;
        assert_eq!(embed(&here)["title"], "Schlieffen Plan", "{here}");
        let (id, _) = h
            .fake
            .dispatch(h.fake.command_interaction(
                BORIS,
                GUILD + 1,
                CHANNEL + 1,
                "explain",
                json!([option("term", "Schlieffen Plan")]),
            ))
            .await;
        let elsewhere = h.fake.callback(id).await;
        assert_ne!(embed(&elsewhere)["title"], "Schlieffen Plan", "{elsewhere}");
        assert_eq!(
            h.app()
                .store
                .guild_packs(studybot::request::GuildId(GUILD))
                .unwrap()
                .uploads[0]
                .pack_id,
            "ww1"
        );
        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

#[test]
fn a_server_that_removes_the_bot_starts_its_grace_period_and_one_that_returns_ends_it() {
    multi_thread().block_on(async {
        let mut h = Harness::new(
            Content::QuizKinds(&["multiple_choice"]),
            "2026-11-23T10:00:00Z",
        )
        .await;
        h.start().await;
        h.fake.command(BORIS, "daily", json!([])).await;
        let guild = studybot::request::GuildId(GUILD);
        assert_eq!(h.app().store.known_guilds().unwrap(), [guild]);
        h.fake.remove_bot_from(GUILD);
        let app = h.app.clone().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while app.store.known_guilds().unwrap() == [guild] {
            assert!(
                std::time::Instant::now() < deadline,
                "GUILD_DELETE was not noted"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let cutoff = at("2026-11-23T10:00:01Z");
        assert_eq!(app.store.guilds_left_before(cutoff).unwrap(), [guild]);
        // Nothing is deleted yet: the grace period has just begun.
        assert!(app
            .store
            .daily_instance(guild, at("2026-11-23T10:00:00Z").date_naive())
            .unwrap()
            .is_some());
        // A restart whose READY lists the server again (it was re-added) ends it.
        h.stop().await;
        h.start().await;
        h.fake
            .wait_for("a command registration", |c| c.method == "PUT")
            .await;
        let app = h.app.clone().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while app.store.known_guilds().unwrap().is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "the returning server was not noted"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        h.stop().await;
    });
}

/// The teacher's `/settings show`, as one string.
async fn settings_shown(h: &Harness) -> String {
    let (id, _) = h
        .fake
        .dispatch(h.fake.command_interaction(
            TEACHER,
            GUILD,
            CHANNEL,
            "settings",
            subcommand("show", json!([])),
        ))
        .await;
    serde_json::to_string(&h.fake.callback(id).await["data"]).unwrap()
}

#[test]
fn a_daily_post_is_retried_through_rate_limits_and_server_errors_and_posted_once() {
    multi_thread().block_on(async {
        let mut h = Harness::new(Content::QuizKinds(&["multiple_choice"]), "2026-11-23T08:00:00Z").await;
        h.start().await;
        configure_daily_post(&h).await;
        let path = format!("POST /channels/{CHANNEL}/messages");
        h.fake.fail_next(
            &path,
            &[
                (429, json!({"message": "You are being rate limited.", "retry_after": 0.05, "global": false, "code": 0})),
                (500, json!({"message": "500: Internal Server Error", "code": 0})),
                (502, json!({"message": "502: Bad Gateway", "code": 0})),
            ],
        );
        h.clock.set(at("2026-11-23T08:30:00Z"));
        let posted = h
            .fake
            .wait_for("the successful daily post", |c| is_channel_post(c) && c.response.get("id").is_some())
            .await;
        // Ticks go on: nothing more is sent.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let attempts: Vec<Captured> = h.fake.requests().into_iter().filter(is_channel_post).collect();
        assert_eq!(attempts.len(), 4, "three failures, then one success");
        let nonce = &posted.body["nonce"];
        assert!(attempts.iter().all(|a| &a.body["nonce"] == nonce && a.body["enforce_nonce"] == true));
        let statuses: Vec<bool> = attempts.iter().map(|a| a.response.get("id").is_some()).collect();
        assert_eq!(statuses, [false, false, false, true]);
        assert!(!settings_shown(&h).await.contains("Problem with the daily post"));
        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

#[test]
fn a_daily_post_that_keeps_failing_is_shown_to_teachers_and_recovers() {
    multi_thread().block_on(async {
        let mut h = Harness::new(
            Content::QuizKinds(&["multiple_choice"]),
            "2026-11-23T08:00:00Z",
        )
        .await;
        h.start().await;
        configure_daily_post(&h).await;
        let path = format!("POST /channels/{CHANNEL}/messages");
        let missing = json!({"message": "Missing Permissions", "code": 50013});
        h.fake.fail_next(&path, &vec![(403, missing); 1000]);
        h.clock.set(at("2026-11-23T08:30:00Z"));
        h.fake
            .wait_for("a failed daily post", is_channel_post)
            .await;
        // A missing permission is not retried at once (only at the next
        // tick). The problem is saved just after Discord's answer, so wait
        // for it rather than for a fixed time (a slow disk takes longer).
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let shown = loop {
            let shown = settings_shown(&h).await;
            if shown.contains("Problem with the daily post") || std::time::Instant::now() > deadline
            {
                break shown;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(shown.contains("Problem with the daily post"), "{shown}");
        assert!(shown.contains("could not be posted"), "{shown}");
        // The teacher fixes the permission: the next tick posts, once.
        h.fake.clear_failures();
        h.fake
            .wait_for("the daily post", |c| {
                is_channel_post(c) && c.response.get("id").is_some()
            })
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let posted = h
            .fake
            .count(|c| is_channel_post(c) && c.response.get("id").is_some());
        assert_eq!(posted, 1);
        assert!(!settings_shown(&h)
            .await
            .contains("Problem with the daily post"));
        h.stop().await;
    });
}

#[test]
fn sigterm_during_a_burst_of_answers_keeps_every_acknowledged_answer_and_exits_promptly() {
    multi_thread().block_on(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        // Only this pack, so every daily question is a multiple-choice one.
        common::replace_the_bundled_pack(&common::quiz_pack_with(&content, &["multiple_choice"]));
        let db = dir.path().join("studybot.db");
        let config = dir.path().join("studybot.toml");
        std::fs::write(
            &config,
            format!(
                "[discord]\nproxy = \"{}\"\n[database]\nurl = \"sqlite://{}\"\n[content]\nfolders = [\"{}\"]\n[log]\nlevel = \"warn\"\n",
                fake.proxy_url(),
                db.display(),
                content.display()
            ),
        )
        .unwrap();
        // The real binary, as an operator runs it.
        let mut bot = std::process::Command::new(env!("CARGO_BIN_EXE_studybot"))
            .args(["--config", config.to_str().unwrap(), "run"])
            .env("DISCORD_TOKEN", TOKEN)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        fake.wait_for_registration(1).await;
        let daily = fake.command(BORIS, "daily", json!([])).await;
        let message = fake.message_from_reply(CHANNEL, &daily["data"]);
        let button = answer_ids(&message["components"])[0].clone();

        // Sixty students press at once; SIGTERM arrives as the first answers
        // are acknowledged, with the rest still in flight.
        let mut callbacks = Vec::new();
        for n in 0..60u64 {
            let who = Person {
                id: 1_300_000_000_000_100_000 + n,
                name: Box::leak(format!("student{n}").into_boxed_str()),
                permissions: STUDENT_PERMISSIONS,
            };
            let press = fake.button_interaction(who, &message, &button);
            let id: u64 = press["id"].as_str().unwrap().parse().unwrap();
            callbacks.push((who.id, fake.await_callback(id)));
            fake.dispatch_unchecked(press);
        }
        let mut acknowledged = Vec::new();
        let (first_user, first) = callbacks.remove(0);
        first.await.unwrap();
        acknowledged.push(first_user);
        let terminated = std::time::Instant::now();
        unsafe {
            libc::kill(bot.id() as i32, libc::SIGTERM);
        }
        let status = loop {
            if let Some(status) = bot.try_wait().unwrap() {
                break status;
            }
            assert!(terminated.elapsed() < Duration::from_secs(15), "the bot exits within 15 s of SIGTERM");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let exit = terminated.elapsed();
        // The process is gone: every callback it sent has arrived.
        let mut refused = Vec::new();
        for (user, mut callback) in callbacks {
            if let Ok((_, body)) = callback.try_recv() {
                // An acknowledged answer says whether it was right; any other
                // reply (a polite refusal while shutting down) saved nothing.
                let title = body["data"]["embeds"][0]["title"].as_str().unwrap_or("");
                if title.starts_with("Correct") || title == "Not quite" {
                    acknowledged.push(user);
                } else {
                    // The only other reply: the handler never ran, so the
                    // student is told nothing was saved.
                    assert_eq!(
                        body["data"]["embeds"][0]["description"],
                        studybot::discord::SHUTTING_DOWN,
                        "{body}"
                    );
                    refused.push(user);
                }
            }
        }
        let mut stderr = String::new();
        std::io::Read::read_to_string(bot.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        for user in &refused {
            let results = studybot::store::open(&format!("sqlite://{}", db.display()))
                .unwrap()
                .question_results(Some(studybot::request::GuildId(GUILD)), studybot::request::UserId(*user))
                .unwrap();
            assert!(results.is_empty(), "told nothing was saved, and nothing was");
        }
        assert!(status.success(), "a clean exit: {status:?}\n{stderr}");

        // Every acknowledged answer is in the database, once.
        let store = studybot::store::open(&format!("sqlite://{}", db.display())).unwrap();
        let guild = studybot::request::GuildId(GUILD);
        for user in &acknowledged {
            let results = store
                .question_results(Some(guild), studybot::request::UserId(*user))
                .unwrap();
            assert_eq!(results.iter().map(|r| r.answered).sum::<u64>(), 1, "student {user}");
        }
        let board = store
            .leaderboard(guild, "all", 100, studybot::request::UserId(0))
            .unwrap();
        assert!(board.players as usize >= acknowledged.len());
        println!(
            "{} of 60 answers acknowledged around SIGTERM, all committed; {} told to retry, none saved; {} committed in all; exit {exit:?} after SIGTERM",
            acknowledged.len(),
            refused.len(),
            board.players
        );
    });
}

/// The content loads while the gateway connects: a broken pack still stops
/// the start with its errors (exit 1), and no commands are registered.
#[test]
fn a_broken_pack_found_while_connecting_stops_the_start_with_its_errors() {
    multi_thread().block_on(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let pack = dir.path().join("broken.toml");
        std::fs::write(&pack, "[pack]\nid = \"broken\"\n[[questions]\nid = \"q\"\n").unwrap();
        let config = dir.path().join("studybot.toml");
        std::fs::write(
            &config,
            format!(
                "[discord]\nproxy = \"{}\"\n[database]\nurl = \"sqlite://{}\"\n[content]\nfolders = [\"{}\"]\n[log]\nlevel = \"warn\"\n",
                fake.proxy_url(),
                dir.path().join("studybot.db").display(),
                pack.display()
            ),
        )
        .unwrap();
        let started = std::time::Instant::now();
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_studybot"))
                .args(["--config", config.to_str().unwrap(), "run"])
                .env("DISCORD_TOKEN", TOKEN)
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(started.elapsed() < Duration::from_secs(15));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("content did not load")
                && stderr.contains(&format!("{}:3:13: unclosed array table", pack.display())),
            "{stderr}"
        );
        let registrations = fake.count(|c| c.method == "PUT" && c.path.ends_with("/commands"));
        assert_eq!(registrations, 0);
    });
}

/// An operator's stop (SIGTERM from systemd or `docker stop`, Ctrl-C in a
/// terminal) closes the store: its last connection goes, and it leaves the
/// clean-close marker, so the next start skips `quick_check` (which reads
/// the whole file: most of a large database's start-up).
#[test]
fn sigterm_and_ctrl_c_leave_the_clean_close_marker_and_the_next_start_skips_the_check() {
    multi_thread().block_on(async {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        common::replace_the_bundled_pack(&common::quiz_pack_with(&content, &["multiple_choice"]));
        let db = dir.path().join("studybot.db");
        let marker = dir.path().join("studybot.db-clean");
        let config = dir.path().join("studybot.toml");
        std::fs::write(
            &config,
            format!(
                "[discord]\nproxy = \"{}\"\n[database]\nurl = \"sqlite://{}\"\n[content]\nfolders = [\"{}\"]\n",
                fake.proxy_url(),
                db.display(),
                content.display()
            ),
        )
        .unwrap();
        // Starts the real binary, with the start-up log in a file of its own.
        let start = |n: usize| {
            let log = dir.path().join(format!("start-{n}.log"));
            let bot = std::process::Command::new(env!("CARGO_BIN_EXE_studybot"))
                .args(["--config", config.to_str().unwrap(), "run"])
                .env("DISCORD_TOKEN", TOKEN)
                .env("RUST_LOG", "warn,studybot::startup=info")
                .env("NO_COLOR", "1")
                .stdout(std::process::Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .unwrap();
            (bot, log)
        };
        let stop = |bot: &mut std::process::Child, signal: i32| {
            // SAFETY: signals a child process this test started.
            unsafe {
                libc::kill(bot.id() as i32, signal);
            }
            let sent = std::time::Instant::now();
            loop {
                if let Some(status) = bot.try_wait().unwrap() {
                    return status;
                }
                assert!(sent.elapsed() < Duration::from_secs(15), "the bot exits within 15 s");
                std::thread::sleep(Duration::from_millis(20));
            }
        };

        let (mut bot, log) = start(1);
        fake.wait_for_registration(1).await;
        // A write, so the store has a WAL to fold back in before it closes.
        let daily = fake.command(BORIS, "daily", json!([])).await;
        let message = fake.message_from_reply(CHANNEL, &daily["data"]);
        let button = answer_ids(&message["components"])[0].clone();
        let (id, _) = fake
            .dispatch(fake.button_interaction(BORIS, &message, &button))
            .await;
        let answered = fake.callback(id).await;
        assert!(embed(&answered)["title"].is_string(), "{answered}");
        let status = stop(&mut bot, libc::SIGTERM);
        let first = std::fs::read_to_string(&log).unwrap();
        assert!(status.success(), "a clean exit on SIGTERM: {status:?}\n{first}");
        assert!(first.contains("no clean-close marker: checking the database"), "{first}");
        assert!(marker.is_file(), "SIGTERM leaves the clean-close marker\n{first}");
        assert!(!dir.path().join("studybot.db-wal").exists(), "and no WAL");

        let (mut bot, log) = start(2);
        fake.wait_for_registration(2).await;
        let second = std::fs::read_to_string(&log).unwrap();
        assert!(second.contains("closed cleanly last time: quick_check skipped"), "{second}");
        assert!(!marker.exists(), "the running bot's store took the marker");
        let status = stop(&mut bot, libc::SIGINT);
        let second = std::fs::read_to_string(&log).unwrap();
        assert!(status.success(), "a clean exit on Ctrl-C: {status:?}\n{second}");
        assert!(marker.is_file(), "Ctrl-C leaves the marker too\n{second}");
        assert!(studybot::store::sqlite_file::closed_cleanly(&db));
        // The answer given before the first stop is still there.
        let store = studybot::store::open(&format!("sqlite://{}", db.display())).unwrap();
        let results = store
            .question_results(Some(studybot::request::GuildId(GUILD)), studybot::request::UserId(BORIS.id))
            .unwrap();
        assert_eq!(results.iter().map(|r| r.answered).sum::<u64>(), 1);
    });
}

/// A teacher's `/class create name:<name> channel:<channel>`, as Discord
/// sends it (the channel resolved in the interaction).
async fn create_class(h: &Harness, name: &str, channel: u64) -> Value {
    let mut create = h.fake.command_interaction(
        TEACHER,
        GUILD,
        channel,
        "class",
        subcommand(
            "create",
            json!([
                option("name", name),
                {"name": "channel", "type": 7, "value": channel.to_string()}
            ]),
        ),
    );
    create["data"]["resolved"] = json!({"channels": {channel.to_string(): {
        "id": channel.to_string(), "name": name, "type": 0,
        "permissions": STUDENT_PERMISSIONS.to_string(), "parent_id": null
    }}});
    let (id, _) = h.fake.dispatch(create).await;
    h.fake.callback(id).await
}

#[test]
fn two_classes_get_their_daily_questions_in_their_own_channels_at_their_own_times() {
    multi_thread().block_on(async {
        let mut h = Harness::new(
            Content::QuizKinds(&["multiple_choice"]),
            "2026-11-23T08:00:00Z",
        )
        .await;
        h.start().await;
        // 10A in the usual channel, 10B in another; 10B posts later.
        const TEN_B: u64 = CHANNEL + 1000;
        let created = create_class(&h, "10A", CHANNEL).await;
        assert!(is_ephemeral(&created));
        assert_eq!(embed(&created)["title"], "Class created", "{created:#}");
        create_class(&h, "10B", TEN_B).await;
        set(&h, "timezone", json!([option("timezone", "Europe/London")])).await;
        set(&h, "time", json!([option("time", "08:30")])).await;
        set(
            &h,
            "time",
            json!([option("time", "10:15"), option("class", "10B")]),
        )
        .await;
        let posted_in = |channel: u64| {
            move |c: &Captured| c.is("POST", &format!("/channels/{channel}/messages"))
        };

        h.clock.set(at("2026-11-23T08:30:00Z"));
        let post_a = h
            .fake
            .wait_for("10A's daily post", posted_in(CHANNEL))
            .await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(h.fake.count(posted_in(TEN_B)), 0, "10B posts at 10:15");
        h.clock.set(at("2026-11-23T10:15:00Z"));
        let post_b = h.fake.wait_for("10B's daily post", posted_in(TEN_B)).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(h.fake.count(posted_in(CHANNEL)), 1, "10A posted once");
        assert_eq!(h.fake.count(posted_in(TEN_B)), 1, "10B posted once");
        assert_ne!(post_a.body["nonce"], post_b.body["nonce"]);

        // Anna answers 10A's question in 10A's channel: on 10A's board.
        let message = post_a.response.clone();
        let (instance, _) = choice_id(&answer_ids(&message["components"])[0]);
        let right = correct_position(h.app(), instance);
        let anna = press(&h, ANNA, &message, &format!("q1:{instance}:{right}")).await;
        assert!(embed(&anna)["title"]
            .as_str()
            .unwrap()
            .starts_with("Correct!"));
        let board = h.fake.command(BORIS, "leaderboard", json!([])).await;
        assert_eq!(embed(&board)["title"], "Leaderboard: 10A, all time");
        let text = embed(&board)["description"].as_str().unwrap();
        assert!(text.starts_with("**1.** **anna** — "), "{text}");
        let classes = h
            .fake
            .command(BORIS, "leaderboard", json!([option("scope", "classes")]))
            .await;
        let ranked = embed(&classes)["description"].as_str().unwrap();
        assert!(ranked.starts_with("**1.** **10A** — "), "{ranked}");
        assert!(
            ranked.contains("**10B** — 0.0 points per active student (0 active, 0 points)"),
            "{ranked}"
        );

        h.fake.assert_traffic_valid();
        h.stop().await;
    });
}

//! The token never reaches the logs: the real bot runs against the fake
//! Discord with every crate logging at trace level into a buffer, through
//! the same subscriber `studybot run` installs, and the buffer holds the
//! requests serenity made but not the token. A panic message that contains
//! the token is printed redacted. (Its own test binary: it installs the
//! process's global subscriber and panic hook.)

mod fake_discord;

use fake_discord::*;
use serde_json::json;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use studybot::config::{Config, Secret};
use studybot::discord::{serve, RunOptions};
use studybot::logging::{Redactor, REDACTED};
use studybot::{App, Library};

/// A log sink tests can read.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[test]
fn the_token_is_in_no_log_line_at_trace_level_nor_in_a_panic_message() {
    let logs = Buffer::default();
    let redactor = Redactor::new([TOKEN.to_string()]);
    let filter: tracing_subscriber::filter::Targets = "trace".parse().unwrap();
    let sink = logs.clone();
    tracing::subscriber::set_global_default(studybot::logging::subscriber(
        filter,
        &redactor,
        move || sink.clone(),
        studybot::logging::LogStyle::Text { colour: false },
    ))
    .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let fake = FakeDiscord::start().await;
        let fixture =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quiz-pack.toml");
        let (library, _) = Library::load(&[fixture]).unwrap();
        let app = Arc::new(App::in_memory(Config::default(), library).unwrap());
        let options = RunOptions {
            proxy: Some(fake.proxy_url()),
            ..RunOptions::default()
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let bot = tokio::spawn(async move {
            serve(app, &Secret::new(TOKEN), options, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        fake.wait_for_registration(1).await;
        let reply = fake
            .command(
                BORIS,
                "explain",
                json!([{"name": "term", "type": 3, "value": "Yezhov"}]),
            )
            .await;
        assert_eq!(reply["type"], 4, "{reply}");
        let _ = stop.send(());
        bot.await.unwrap();
    });

    // A line that carries the token itself (as a careless log call or a
    // library's error text might) is written redacted.
    tracing::error!(detail = TOKEN, "connection failed with token {TOKEN}");
    let text = logs.text();
    assert!(
        text.contains("TRACE") && text.contains("serenity"),
        "the capture works: serenity's trace lines are in it"
    );
    assert!(
        text.contains("route: InteractionResponse"),
        "the requests made are logged (so the test looks where a token could leak)"
    );
    assert!(
        text.contains(&format!("connection failed with token {REDACTED}"))
            && text.matches(REDACTED).count() >= 2,
        "the redactor rewrites a line that had the token"
    );
    assert!(!text.contains(TOKEN), "the token is in the logs");
    // Nor the interaction's token (the fake Discord names them
    // `interaction-token-<id>`), which lets a reader answer as the bot.
    // serenity logs each request's route with it: that place is masked.
    assert!(
        text.contains("route: InteractionResponse { interaction_id: InteractionId(")
            && text.contains("token: \"[redacted]\" }"),
        "the interaction response's route is logged, its token masked"
    );
    assert!(
        !text.contains("interaction-token-"),
        "an interaction token is in the logs"
    );
    // Its distinctive middle part neither (a token cut or re-encoded).
    assert!(!text.contains("fake-token-for-the-loopback"));

    // The hook catches this test's own failures too, so it is in place only
    // around the panic under test.
    let panics = Buffer::default();
    let sink = panics.clone();
    redactor.install_panic_hook(move || sink.clone());
    let caught = std::panic::catch_unwind(|| panic!("could not connect with token {TOKEN}"));
    let _ = std::panic::take_hook();
    assert!(caught.is_err());
    let printed = panics.text();
    assert!(
        printed.contains(&format!("could not connect with token {REDACTED}")),
        "{printed}"
    );
    assert!(!printed.contains(TOKEN));
    // The config never shows it either.
    let mut config = Config::default();
    config.discord.token = Some(Secret::new(TOKEN));
    assert!(!format!("{config:?}").contains(TOKEN));
}

//! Log and panic output with secrets removed.
//!
//! Every formatted log line, whichever crate wrote it (serenity and reqwest
//! log requests at trace level), passes through a [`Redactor`] that replaces
//! each secret (the bot token) with `[redacted]` before it is written; the
//! panic hook does the same for panic messages and backtraces. So a token
//! never reaches a terminal or a log file, even at `RUST_LOG=trace`.
//! Interaction tokens are masked too: each lets anyone who reads it answer
//! as the bot in that channel for 15 minutes, and serenity's trace lines
//! carry them in request paths and payloads.
//! Knows nothing of Discord beyond being handed the secrets.

use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;
use tracing_subscriber::fmt::MakeWriter;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Replaces known secrets in text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Arc<Vec<String>>,
}

impl Redactor {
    /// Secrets shorter than 8 characters are ignored: replacing every "a"
    /// would wreck the logs and protect nothing (a real token is ~70).
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| s.len() >= 8).collect();
        // Longest first, so a secret containing another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Self {
            secrets: Arc::new(secrets),
        }
    }

    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for secret in self.secrets.iter() {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
            }
        }
        match mask_interaction_tokens(&out) {
            Some(masked) => Cow::Owned(masked),
            None => out,
        }
    }

    /// A tracing writer factory whose writers redact before writing to `inner`.
    pub fn writer<M>(&self, inner: M) -> RedactingMakeWriter<M> {
        RedactingMakeWriter {
            inner,
            redactor: self.clone(),
        }
    }

    /// Replaces the panic hook with one that prints the panic message (and a
    /// backtrace when `RUST_BACKTRACE` asks for one) redacted, to `out`.
    pub fn install_panic_hook<W>(&self, out: impl Fn() -> W + Send + Sync + 'static)
    where
        W: Write,
    {
        let redactor = self.clone();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("<unnamed>");
            let backtrace = std::backtrace::Backtrace::capture();
            let mut text = format!("thread '{name}' {info}\n");
            if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
                text.push_str(&format!("{backtrace}\n"));
            }
            let _ = out().write_all(redactor.redact(&text).as_bytes());
        }));
    }
}

/// Discord makes an interaction token by base64-encoding
/// `interaction:<id>:...`, so every real one starts with this.
const INTERACTION_TOKEN_PREFIX: &str = "aW50ZXJhY3Rpb246";

/// Request paths whose segment after the next id is an interaction token:
/// `/interactions/<id>/<token>/callback`, `/webhooks/<app id>/<token>/...`.
const TOKEN_AFTER_ID: [&str; 2] = ["/interactions/", "/webhooks/"];

/// A quoted token in a payload, as JSON or as Rust's `{:?}` output.
const QUOTED_TOKEN: [&str; 3] = ["\"token\":\"", "\"token\": \"", "token: \""];

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'=')
}

/// `text` with every interaction token replaced, or `None` when it has none
/// (the usual case: three substring searches and no copy).
fn mask_interaction_tokens(text: &str) -> Option<String> {
    let mut spans: Vec<std::ops::Range<usize>> = Vec::new();
    for marker in TOKEN_AFTER_ID {
        for (at, _) in text.match_indices(marker) {
            let after = at + marker.len();
            let id = text[after..].bytes().take_while(u8::is_ascii_digit).count();
            if id == 0 || text.as_bytes().get(after + id) != Some(&b'/') {
                continue;
            }
            let start = after + id + 1;
            let len = text[start..]
                .bytes()
                .take_while(|b| is_token_byte(*b))
                .count();
            if len > 0 {
                spans.push(start..start + len);
            }
        }
    }
    for marker in QUOTED_TOKEN {
        for (at, _) in text.match_indices(marker) {
            let start = at + marker.len();
            let len = text[start..].bytes().take_while(|b| *b != b'"').count();
            if len > 0 && &text[start..start + len] != REDACTED {
                spans.push(start..start + len);
            }
        }
    }
    for (at, _) in text.match_indices(INTERACTION_TOKEN_PREFIX) {
        let len = text[at..].bytes().take_while(|b| is_token_byte(*b)).count();
        spans.push(at..at + len);
    }
    if spans.is_empty() {
        return None;
    }
    spans.sort_by_key(|span| span.start);
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for span in spans {
        if span.end <= done {
            continue; // inside a span already masked
        }
        if span.start >= done {
            out.push_str(&text[done..span.start]);
            out.push_str(REDACTED);
        }
        done = span.end;
    }
    out.push_str(&text[done..]);
    Some(out)
}

/// See [`Redactor::writer`].
#[derive(Clone)]
pub struct RedactingMakeWriter<M> {
    inner: M,
    redactor: Redactor,
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for RedactingMakeWriter<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            inner: self.inner.make_writer(),
            redactor: self.redactor.clone(),
        }
    }
}

/// Writes redacted text. tracing's formatter writes each event with one
/// `write_all` of the whole line, so a secret is never split across writes.
pub struct RedactingWriter<W> {
    inner: W,
    redactor: Redactor,
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.inner
            .write_all(self.redactor.redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStyle {
    /// One line per event; `colour` adds ANSI colours (only for a terminal:
    /// in a file or journald they are noise).
    Text { colour: bool },
    /// One JSON object per line, for log shippers.
    Json,
}

impl LogStyle {
    /// The style for `format`, writing to stderr: colour only when stderr
    /// is a terminal and `NO_COLOR` is not set (<https://no-color.org>).
    pub fn for_stderr(
        format: crate::config::LogFormat,
        stderr_is_terminal: bool,
        no_color: bool,
    ) -> Self {
        match format {
            crate::config::LogFormat::Json => LogStyle::Json,
            crate::config::LogFormat::Text => LogStyle::Text {
                colour: stderr_is_terminal && !no_color,
            },
        }
    }
}

/// The process's subscriber: `filter` (tracing's `Targets`), lines in
/// `style` written through `redactor` to `out`.
pub fn subscriber<M>(
    filter: tracing_subscriber::filter::Targets,
    redactor: &Redactor,
    out: M,
    style: LogStyle,
) -> impl tracing::Subscriber + Send + Sync
where
    M: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    use tracing_subscriber::prelude::*;
    let writer = redactor.writer(out);
    let (text, json) = match style {
        LogStyle::Text { colour } => (
            Some(
                tracing_subscriber::fmt::layer()
                    .with_ansi(colour)
                    .with_writer(writer),
            ),
            None,
        ),
        LogStyle::Json => (
            None,
            Some(tracing_subscriber::fmt::layer().json().with_writer(writer)),
        ),
    };
    tracing_subscriber::registry()
        .with(text)
        .with(json)
        .with(filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Log lines written in `style`, with the secret `tok3n-s3cret-value`.
    fn lines_in(style: LogStyle) -> String {
        let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        let sink = buffer.clone();
        let redactor = Redactor::new(["tok3n-s3cret-value".to_string()]);
        let subscriber = subscriber(
            "info".parse().unwrap(),
            &redactor,
            move || SharedBuffer(sink.clone()),
            style,
        );
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(guild = 7, "could not post with tok3n-s3cret-value");
            tracing::info!("second line");
        });
        let text = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
        text
    }

    struct SharedBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for SharedBuffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn logs_are_coloured_only_on_a_terminal_and_json_is_one_object_a_line() {
        use crate::config::LogFormat;
        assert_eq!(
            LogStyle::for_stderr(LogFormat::Text, true, false),
            LogStyle::Text { colour: true }
        );
        for (terminal, no_color) in [(false, false), (true, true), (false, true)] {
            assert_eq!(
                LogStyle::for_stderr(LogFormat::Text, terminal, no_color),
                LogStyle::Text { colour: false }
            );
        }
        assert_eq!(
            LogStyle::for_stderr(LogFormat::Json, true, false),
            LogStyle::Json
        );

        let plain = lines_in(LogStyle::Text { colour: false });
        assert!(!plain.contains('\u{1b}'), "{plain:?}");
        assert!(plain.contains("could not post with [redacted]"), "{plain}");
        let coloured = lines_in(LogStyle::Text { colour: true });
        assert!(coloured.contains('\u{1b}'), "{coloured:?}");

        let json = lines_in(LogStyle::Json);
        let lines: Vec<serde_json::Value> = json
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        assert_eq!(lines.len(), 2, "{json}");
        assert_eq!(lines[0]["level"], "WARN");
        assert_eq!(
            lines[0]["fields"]["message"],
            "could not post with [redacted]"
        );
        assert_eq!(lines[0]["fields"]["guild"], 7);
        assert!(!json.contains("tok3n"), "{json}");
    }

    #[test]
    fn every_secret_is_replaced_and_short_ones_are_ignored() {
        let r = Redactor::new(["abcdefgh1234".to_string(), "abc".to_string()]);
        assert_eq!(
            r.redact("token=abcdefgh1234; again abcdefgh1234 abc"),
            "token=[redacted]; again [redacted] abc"
        );
        assert!(matches!(r.redact("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn interaction_tokens_are_masked_in_paths_payloads_and_by_their_prefix() {
        let r = Redactor::new(Vec::new());
        assert_eq!(
            r.redact("POST /api/v10/interactions/1234567890/abc-DEF_123.x/callback done"),
            "POST /api/v10/interactions/1234567890/[redacted]/callback done"
        );
        assert_eq!(
            r.redact(
                "PATCH https://discord.com/api/v10/webhooks/42/tok3n-value/messages/@original"
            ),
            "PATCH https://discord.com/api/v10/webhooks/42/[redacted]/messages/@original"
        );
        assert_eq!(
            r.redact(r#"{"id":"5","token":"interaction-token-5","type":2}"#),
            r#"{"id":"5","token":"[redacted]","type":2}"#
        );
        assert_eq!(
            r.redact(r#"Interaction { id: 5, token: "interaction-token-5", kind: 2 }"#),
            r#"Interaction { id: 5, token: "[redacted]", kind: 2 }"#
        );
        assert_eq!(
            r.redact("seen aW50ZXJhY3Rpb246MTIzOmFiYw.x-y_z then"),
            "seen [redacted] then"
        );
        // A path and the prefix rule on the same token: masked once.
        assert_eq!(
            r.redact("/interactions/7/aW50ZXJhY3Rpb246Nzp4/callback"),
            "/interactions/7/[redacted]/callback"
        );
        // Not a token: an id path with no token segment, other fields.
        for text in [
            "GET /api/v10/interactions/7",
            "route: InteractionResponse",
            r#"{"user_token_count":"3"}"#,
        ] {
            assert!(matches!(r.redact(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn the_writer_redacts_what_it_writes() {
        let r = Redactor::new(["s3cr3t-t0ken".to_string()]);
        let mut out = Vec::new();
        {
            let mut w = RedactingWriter {
                inner: &mut out,
                redactor: r,
            };
            w.write_all(b"Authorization: Bot s3cr3t-t0ken\n").unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Authorization: Bot [redacted]\n"
        );
    }
}

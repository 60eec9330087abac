//! Log and panic output with secrets removed.
//!
//! Every formatted log line, whichever crate wrote it (serenity and reqwest
//! log requests at trace level), passes through a [`Redactor`] that replaces
//! each secret (the bot token) with `[redacted]` before it is written; the
//! panic hook does the same for panic messages and backtraces. So a token
//! never reaches a terminal or a log file, even at `RUST_LOG=trace`.
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
        out
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

/// The process's subscriber: `filter` (tracing's `Targets`), lines written
/// through `redactor` to `out`.
pub fn subscriber<M>(
    filter: tracing_subscriber::filter::Targets,
    redactor: &Redactor,
    out: M,
) -> impl tracing::Subscriber + Send + Sync
where
    M: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    use tracing_subscriber::prelude::*;
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(redactor.writer(out)))
        .with(filter)
}

#[cfg(test)]
mod tests {
    use super::*;

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

//! The library's error types (thiserror). `anyhow` appears only in `main.rs`.
//!
//! [`Error`] is what handlers return; [`Error::User`] is a mistake by the
//! person asking (shown to them, ephemerally) and everything else is ours
//! (logged, answered with an apology). The mapping to a Reply lives in
//! `handlers::respond`, the one error path every edge goes through.

/// Defined beside the content it reports on (so `content` needs nothing
/// from here); re-exported because handlers and imports name it as an error.
pub use crate::content::ContentError;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user asked for something that cannot be done; the text says why
    /// and how to ask instead. Never logged as a failure.
    #[error("{0}")]
    User(String),
    #[error(transparent)]
    Content(#[from] ContentError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn user(message: impl Into<String>) -> Self {
        Error::User(message.into())
    }
}

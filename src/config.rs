//! Typed configuration: built-in defaults, then a TOML file, then the
//! environment (`DISCORD_TOKEN`, `RUST_LOG`). Every setting is documented in
//! `config.example.toml`.
//!
//! The token is a [`Secret`]: its Debug and Display never show it, so logging
//! a config cannot leak it. Knows nothing of Discord's API beyond the token.

use crate::error::ConfigError;
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// The config file read when `--config` is not given (if it exists).
pub const DEFAULT_CONFIG_FILE: &str = "studybot.toml";
pub const TOKEN_ENV: &str = "DISCORD_TOKEN";

/// A string that must never be printed: Debug and Display show `[redacted]`.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The only way to read the value; call it where the token is handed to
    /// the HTTP client, nowhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub discord: DiscordConfig,
    pub database: DatabaseConfig,
    pub content: ContentConfig,
    /// `[log]` (also accepted as `[logging]`).
    #[serde(alias = "logging")]
    pub log: LogConfig,
    pub time: TimeConfig,
    pub privacy: PrivacyConfig,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DiscordConfig {
    /// Prefer the `DISCORD_TOKEN` environment variable; this is the fallback.
    pub token: Option<Secret>,
    /// Send all REST traffic through this HTTP proxy (a rate-limiting proxy,
    /// or the fake Discord of the end-to-end tests).
    pub proxy: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` (the default, `sqlite://studybot.db`), a plain path
    /// (SQLite too), or `postgres://USER:PASSWORD@HOST/DATABASE` for several
    /// bot processes sharing one database (docs/scaling.md).
    pub url: String,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://studybot.db".to_string(),
        }
    }
}

/// The folder of packs read when no folder is named, if it exists.
pub const DEFAULT_CONTENT_FOLDER: &str = "content";

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ContentConfig {
    /// Folders of packs (or single pack files) on disk, loaded together
    /// with the packs built into the binary; a pack here with a bundled
    /// pack's id replaces it. None named: `./content` if it exists.
    pub folders: Vec<PathBuf>,
}

impl ContentConfig {
    /// The folders to read: those named, else [`DEFAULT_CONTENT_FOLDER`]
    /// when it exists (a missing default is no error: the bundled packs
    /// serve alone), else none.
    pub fn folders_to_read(&self) -> Vec<PathBuf> {
        if !self.folders.is_empty() {
            return self.folders.clone();
        }
        let default = PathBuf::from(DEFAULT_CONTENT_FOLDER);
        if default.is_dir() {
            vec![default]
        } else {
            Vec::new()
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter such as `info` or `studybot=debug`; `RUST_LOG` wins.
    pub level: String,
    /// `text` (one line per event, coloured only on a terminal) or `json`
    /// (one JSON object per line, for log shippers).
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".to_string(),
            format: LogFormat::Text,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TimeConfig {
    /// IANA timezone used until a guild sets its own ("Europe/London").
    pub default_timezone: String,
}

impl Default for TimeConfig {
    fn default() -> Self {
        Self {
            default_timezone: "UTC".to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacyConfig {
    /// Days a server's data is kept after the bot is removed from it, so a
    /// server that re-adds the bot by mistake loses nothing. Then it is
    /// deleted. See docs/privacy.md.
    pub guild_grace_days: u32,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        Self {
            guild_grace_days: 30,
        }
    }
}

impl Config {
    /// Reads `path` if given (it must exist), else `./studybot.toml` if it
    /// exists, else the defaults.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => PathBuf::from(DEFAULT_CONFIG_FILE),
            None => return Ok(Self::default()),
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    pub fn parse(label: &str, text: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let source =
                crate::content::diagnostic::SourceText::new(Path::new(label), text.to_string());
            let (line, column) = source.locate(e.span().map(|s| s.start).unwrap_or(0));
            ConfigError::Parse {
                path: label.to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        config.timezone()?;
        Ok(config)
    }

    pub fn timezone(&self) -> Result<chrono_tz::Tz, ConfigError> {
        self.time.default_timezone.parse().map_err(|_| {
            ConfigError::Invalid(format!(
                "time.default_timezone `{}` is not an IANA timezone such as \"Europe/London\"",
                self.time.default_timezone
            ))
        })
    }

    /// The token from `DISCORD_TOKEN` (if set and not empty), else the config.
    pub fn token(&self, env: Option<String>) -> Option<Secret> {
        env.filter(|t| !t.trim().is_empty())
            .map(|t| Secret::new(t.trim()))
            .or_else(|| {
                self.discord
                    .token
                    .clone()
                    .filter(|t| !t.expose().trim().is_empty())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_a_config_never_shows_the_token() {
        let config =
            Config::parse("c.toml", "[discord]\ntoken = \"MTIz.secret-token-value\"\n").unwrap();
        let shown = format!("{config:?} {}", config.token(None).unwrap());
        assert!(!shown.contains("secret-token-value"), "{shown}");
        assert!(shown.contains("[redacted]"));
        assert_eq!(
            config.token(None).unwrap().expose(),
            "MTIz.secret-token-value"
        );
    }

    #[test]
    fn environment_token_wins_and_empty_means_none() {
        let config = Config::parse("c.toml", "[discord]\ntoken = \"from-file\"\n").unwrap();
        assert_eq!(
            config.token(Some("from-env".into())).unwrap().expose(),
            "from-env"
        );
        assert_eq!(
            config.token(Some("  ".into())).unwrap().expose(),
            "from-file"
        );
        assert!(Config::default().token(None).is_none());
    }

    #[test]
    fn unknown_settings_are_located() {
        let err = Config::parse("c.toml", "[database]\nurl = \"x\"\nsize = 3\n").unwrap_err();
        assert_eq!(err.to_string().split(": ").next().unwrap(), "c.toml:3:1");
        let err =
            Config::parse("c.toml", "[time]\ndefault_timezone = \"Mars/Base\"\n").unwrap_err();
        assert!(err.to_string().contains("Mars/Base"));
    }

    #[test]
    fn the_log_format_is_read_under_log_or_logging() {
        for section in ["log", "logging"] {
            let config =
                Config::parse("c.toml", &format!("[{section}]\nformat = \"json\"\n")).unwrap();
            assert_eq!(config.log.format, LogFormat::Json, "[{section}]");
        }
        assert_eq!(Config::default().log.format, LogFormat::Text);
        let err = Config::parse("c.toml", "[log]\nformat = \"xml\"\n").unwrap_err();
        assert!(err.to_string().starts_with("c.toml:2:10"), "{err}");
    }
}

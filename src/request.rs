//! What a handler is asked: who, where, when, and which command or button.
//!
//! The core's own id newtypes stand in for Discord's snowflakes, so nothing
//! below the edges depends on serenity. Ids serialise as strings, because
//! JSON numbers lose precision above 2^53 and Discord ids are larger.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map($name)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// A server (Discord guild).
    GuildId
);
id_type!(
    /// A text channel.
    ChannelId
);
id_type!(
    /// A person.
    UserId
);
id_type!(
    /// One interaction; Discord may deliver the same one twice.
    InteractionId
);

/// A file the user attached to a command (a pack upload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub name: String,
    pub data: Vec<u8>,
}

/// What was invoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A slash command: `/season start name:Autumn` is name "season",
    /// subcommands ["start"], options {name: "Autumn"}.
    Command {
        name: String,
        subcommands: Vec<String>,
        options: BTreeMap<String, String>,
    },
    /// A button press, or the submission of the text input a button opened.
    Press {
        custom_id: String,
        input: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub action: Action,
    /// `None` in a direct message.
    pub guild: Option<GuildId>,
    pub channel: Option<ChannelId>,
    pub user: UserId,
    /// The name to show for the user, as seen in this interaction.
    pub display_name: String,
    /// Whether the user may use teacher commands here by their permissions
    /// (Manage Server, or a command Discord only lets such members use).
    /// Holding the guild's teacher role also makes a teacher: the handlers
    /// that need it check [`Request::roles`] against the guild's setting, so
    /// the edge never reads settings for every interaction.
    pub teacher: bool,
    /// The member's role ids in this guild (empty in DMs).
    pub roles: Vec<u64>,
    pub interaction: InteractionId,
    pub now: DateTime<Utc>,
    pub attachment: Option<Upload>,
}

impl Request {
    /// A command request with everything else defaulted: handy in tests.
    pub fn command(name: &str, options: &[(&str, &str)], now: DateTime<Utc>) -> Self {
        Self {
            action: Action::Command {
                name: name.to_string(),
                subcommands: Vec::new(),
                options: options
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            },
            guild: None,
            channel: None,
            user: UserId(1),
            display_name: "student".to_string(),
            teacher: false,
            roles: Vec::new(),
            interaction: InteractionId(1),
            now,
            attachment: None,
        }
    }

    /// The command's name (`settings time` -> `settings`); `None` for a press.
    pub fn command_name(&self) -> Option<&str> {
        match &self.action {
            Action::Command { name, .. } => Some(name),
            Action::Press { .. } => None,
        }
    }

    /// The first subcommand of a command (`settings time` -> `time`).
    pub fn subcommand(&self) -> Option<&str> {
        match &self.action {
            Action::Command { subcommands, .. } => subcommands.first().map(String::as_str),
            Action::Press { .. } => None,
        }
    }

    /// The typed text of a modal submit.
    pub fn input(&self) -> Option<&str> {
        match &self.action {
            Action::Press { input, .. } => input.as_deref(),
            Action::Command { .. } => None,
        }
    }

    /// An option's text as given; `respond` has already checked it against
    /// the command table and brought it to its one form (see
    /// `handlers::spec`), so the typed readers below cannot disagree with it.
    pub fn option(&self, name: &str) -> Option<&str> {
        match &self.action {
            Action::Command { options, .. } => options.get(name).map(String::as_str),
            Action::Press { .. } => None,
        }
    }

    /// A boolean option (`picture`): false when not given.
    pub fn flag(&self, name: &str) -> bool {
        self.option(name) == Some("true")
    }

    /// A whole-number option (`rounds`).
    pub fn number(&self, name: &str) -> Option<i64> {
        self.option(name).and_then(|n| n.parse().ok())
    }

    /// A user, channel or role option as its id; `None` when not given or
    /// `none`.
    pub fn id(&self, name: &str) -> Option<u64> {
        self.option(name).and_then(|n| n.parse().ok())
    }
}

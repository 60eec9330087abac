//! The command table: every slash command once, with everything both edges
//! need to know about it.
//!
//! Each entry ([`CommandSpec`]) holds the name, the description, the typed
//! options (kind, limits, autocomplete), who may run it, whether its reply is
//! private, whether it answers in place or may need a deferral, and the
//! handler. Everything else is derived from this table:
//! - [`super::respond`] dispatches through it and checks the options here
//!   ([`CommandSpec::check_options`]) before any handler runs, so a handler
//!   reads options already in their one canonical form;
//! - [`super::is_lookup`] (answer in place, no deferral) and the privacy of a
//!   deferral come from [`Speed`] and the `private` field;
//! - `/help` ([`super::help`]) lists it, and README.md's "Commands" section
//!   must match that list (`tests/readme.rs`);
//! - the CLI (`studybot ask`, [`crate::cli::parse_ask`]) parses words by it;
//! - the Discord adapter builds its poise commands and the registration
//!   payload from it at run time (`discord::commands`).
//!
//! To add a command: write its handler (`fn(&App, &Request) -> Result<Reply,
//! Error>`) in a module under `handlers/`, add one entry to [`COMMANDS`] in
//! the order `/help` should list it, and add its line to README's
//! "Commands" section. Nothing else names it.
//!
//! This module knows nothing of Discord: option kinds are described in core
//! terms, and the adapter maps them to Discord's option types.

use crate::app::App;
use crate::error::Error;
use crate::reply::Reply;
use crate::request::{Action, Request};
use std::borrow::Cow;

use super::{
    classes, competition, date, explain, help, packs, privacy, quiz, settings, teacher, timeline,
};

/// What runs a command: the same function for both edges.
pub type Handler = fn(&App, &Request) -> Result<Reply, Error>;

/// A command's answer from memory alone (no store I/O), if it has one.
pub type FromMemory = fn(&App, &Request) -> Option<Reply>;

/// Who may run a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Everyone,
    /// Teachers: Discord restricts the command to Manage Server by default
    /// (a server admin may grant it to other roles), and whoever Discord
    /// lets run it counts as a teacher for it.
    Teachers,
}

/// Where a command may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In a server or in a direct message.
    Anywhere,
    /// In a server only (it reads or writes a class's data).
    Server,
}

/// How quickly a command answers, which decides how the Discord edge runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speed {
    /// A lookup in the content held in memory: microseconds, no store work.
    /// It runs in place, with no task, no blocking thread and no deferral.
    InPlace,
    /// Store work: it runs on the blocking pool and is deferred if it has
    /// not answered in time.
    MayDefer,
}

/// What the Discord edge does after replying, beyond sending the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Nothing,
    /// Run the channel's competition rounds (they are channel messages sent
    /// by a runner, not follow-ups of the command's interaction).
    RunCompetition,
}

/// A fact only the Discord edge knows, passed to the handler as an option
/// the user never types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeFact {
    /// `mentionable_roles`: the server's roles that can be pinged, comma
    /// separated (the edge reads them from its cache).
    MentionableRoles,
}

/// Where an option's suggestions come from while the user types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Autocomplete {
    /// Entry and event names of the server's content.
    Terms,
}

/// What an option holds. The Discord edge declares it with the matching
/// Discord type; both edges' values are checked and brought to one form by
/// [`OptionSpec::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// Free text, at most `max_length` characters.
    Text { max_length: Option<u16> },
    /// A whole number from `min` to `max`.
    Integer { min: i64, max: i64 },
    /// `true` or `false` (the CLI also takes yes/no and 1/0).
    Boolean,
    /// One of fixed words (case ignored).
    Choice(&'static [&'static str]),
    /// A person: an id or a mention; kept as the id.
    User,
    /// A text channel: an id, a mention, or `none`; kept as the id.
    Channel,
    /// A role: an id, a mention, or `none`; kept as the id.
    Role,
    /// An uploaded file (the request's attachment, not an option value).
    File,
}

#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub required: bool,
    pub kind: OptionKind,
    pub autocomplete: Option<Autocomplete>,
}

#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [OptionSpec],
    pub subcommands: &'static [CommandSpec],
    /// Who may run it; set on top-level commands (Discord decides
    /// permissions per command, not per subcommand).
    pub who: Who,
    /// Where it may run; set on top-level commands.
    pub place: Place,
    /// Whether only the asker sees the reply (and the deferral).
    pub private: bool,
    pub speed: Speed,
    pub after: After,
    pub edge_fact: Option<EdgeFact>,
    /// `None` exactly for commands with subcommands.
    pub run: Option<Handler>,
    /// Answers a request from memory when it can (a reply kept while the
    /// store has not changed: `crate::memo`), so that the Discord edge
    /// answers it in place instead of on the blocking pool.
    pub from_memory: Option<FromMemory>,
}

impl OptionSpec {
    const fn new(name: &'static str, description: &'static str, kind: OptionKind) -> Self {
        Self {
            name,
            description,
            required: false,
            kind,
            autocomplete: None,
        }
    }
    const fn text(name: &'static str, description: &'static str) -> Self {
        Self::new(name, description, OptionKind::Text { max_length: None })
    }
    const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    const fn max_length(mut self, max_length: u16) -> Self {
        self.kind = OptionKind::Text {
            max_length: Some(max_length),
        };
        self
    }
    const fn autocomplete(mut self, source: Autocomplete) -> Self {
        self.autocomplete = Some(source);
        self
    }

    /// Checks a value given for this option and returns it in its one form:
    /// trimmed; a number or a boolean as Rust prints it; a choice in lower
    /// case; a user, channel or role as its id (`none` for no channel or
    /// role). An empty value counts as not given (`None`).
    pub fn check<'a>(&self, value: &'a str) -> Result<Option<Cow<'a, str>>, Error> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        let name = self.name;
        let checked = match self.kind {
            OptionKind::Text { max_length } => {
                if let Some(max) = max_length {
                    if value.chars().count() > usize::from(max) {
                        return Err(Error::user(format!(
                            "`{name}` is at most {max} characters."
                        )));
                    }
                }
                Cow::Borrowed(value)
            }
            OptionKind::Integer { min, max } => {
                let number = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (min..=max).contains(n))
                    .ok_or_else(|| {
                        Error::user(format!("`{name}` is a whole number from {min} to {max}."))
                    })?;
                if number.to_string() == value {
                    Cow::Borrowed(value)
                } else {
                    Cow::Owned(number.to_string())
                }
            }
            OptionKind::Boolean => match value.to_lowercase().as_str() {
                "true" | "yes" | "1" => Cow::Borrowed("true"),
                "false" | "no" | "0" => Cow::Borrowed("false"),
                _ => return Err(Error::user(format!("`{name}` is `true` or `false`."))),
            },
            OptionKind::Choice(words) => {
                let lower = value.to_lowercase();
                match words.iter().find(|w| **w == lower) {
                    Some(word) => Cow::Borrowed(*word),
                    None => return Err(Error::user(format!("`{name}` is {}.", one_of(words)))),
                }
            }
            OptionKind::User => match mentioned_id(value, &["<@!", "<@"]) {
                Some(id) => Cow::Owned(id.to_string()),
                None => {
                    return Err(Error::user(format!(
                        "Name the student in `{name}` by mentioning them, e.g. `@name`."
                    )))
                }
            },
            OptionKind::Channel | OptionKind::Role
                if value.eq_ignore_ascii_case("none") || value.eq_ignore_ascii_case("off") =>
            {
                Cow::Borrowed("none")
            }
            OptionKind::Channel => match mentioned_id(value, &["<#"]) {
                Some(id) => Cow::Owned(id.to_string()),
                None => {
                    return Err(Error::user(format!(
                        "Name the channel in `{name}`, e.g. `#history`, or `none`."
                    )))
                }
            },
            OptionKind::Role => match mentioned_id(value, &["<@&"]) {
                Some(id) => Cow::Owned(id.to_string()),
                None => {
                    return Err(Error::user(format!(
                        "Name the role in `{name}`, e.g. `@Year 10`, or `none`."
                    )))
                }
            },
            OptionKind::File => Cow::Borrowed(value),
        };
        Ok(Some(checked))
    }
}

/// `a`, `b` or `c`, for messages.
pub(crate) fn one_of(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// An id written plainly or as a Discord mention with one of `openers`.
fn mentioned_id(text: &str, openers: &[&str]) -> Option<u64> {
    let inner = openers
        .iter()
        .find_map(|o| text.strip_prefix(o).and_then(|t| t.strip_suffix('>')))
        .unwrap_or(text);
    inner.parse().ok()
}

impl CommandSpec {
    const fn new(name: &'static str, description: &'static str) -> Self {
        Self {
            name,
            description,
            options: &[],
            subcommands: &[],
            who: Who::Everyone,
            place: Place::Anywhere,
            private: false,
            speed: Speed::MayDefer,
            after: After::Nothing,
            edge_fact: None,
            run: None,
            from_memory: None,
        }
    }
    const fn run(mut self, handler: Handler) -> Self {
        self.run = Some(handler);
        self
    }
    const fn answers_from_memory(mut self, answer: FromMemory) -> Self {
        self.from_memory = Some(answer);
        self
    }
    const fn options(mut self, options: &'static [OptionSpec]) -> Self {
        self.options = options;
        self
    }
    const fn subcommands(mut self, subcommands: &'static [CommandSpec]) -> Self {
        self.subcommands = subcommands;
        self
    }
    const fn teachers(mut self) -> Self {
        self.who = Who::Teachers;
        self.place = Place::Server;
        self.private = true;
        self
    }
    const fn server(mut self) -> Self {
        self.place = Place::Server;
        self
    }
    const fn private(mut self) -> Self {
        self.private = true;
        self
    }
    const fn in_place(mut self) -> Self {
        self.speed = Speed::InPlace;
        self
    }
    const fn after(mut self, after: After) -> Self {
        self.after = after;
        self
    }
    const fn edge_fact(mut self, fact: EdgeFact) -> Self {
        self.edge_fact = Some(fact);
        self
    }

    pub fn subcommand(&self, name: &str) -> Option<&'static CommandSpec> {
        self.subcommands.iter().find(|s| s.name == name)
    }
    pub fn option(&self, name: &str) -> Option<&'static OptionSpec> {
        self.options.iter().find(|o| o.name == name)
    }

    /// How `/help` and README write it: `/explain <term>`,
    /// `/timeline [from] [to] [tag] [picture]`, `/season start|end`.
    pub fn usage(&self) -> String {
        if !self.subcommands.is_empty() {
            let subs: Vec<&str> = self.subcommands.iter().map(|s| s.name).collect();
            return format!("/{} {}", self.name, subs.join("|"));
        }
        let mut usage = format!("/{}", self.name);
        for option in self.options {
            if option.required {
                usage.push_str(&format!(" <{}>", option.name));
            } else {
                usage.push_str(&format!(" [{}]", option.name));
            }
        }
        usage
    }

    /// The request's options checked against this (leaf) command's, each
    /// in its one form; borrowed when nothing needed changing, which is the
    /// common case. Options this command does not declare are kept for the
    /// edge facts and tests; a missing required option is left to the
    /// handler, which says what to give.
    pub fn check_options<'r>(&self, request: &'r Request) -> Result<Cow<'r, Request>, Error> {
        let Action::Command { options, .. } = &request.action else {
            return Ok(Cow::Borrowed(request));
        };
        let mut changed: Vec<(&str, Option<String>)> = Vec::new();
        for (name, value) in options {
            let Some(spec) = self.option(name) else {
                continue;
            };
            match spec.check(value)? {
                Some(Cow::Borrowed(same)) if same == value => {}
                Some(other) => changed.push((spec.name, Some(other.into_owned()))),
                None => changed.push((spec.name, None)),
            }
        }
        if changed.is_empty() {
            return Ok(Cow::Borrowed(request));
        }
        let mut request = request.clone();
        if let Action::Command { options, .. } = &mut request.action {
            for (name, value) in changed {
                match value {
                    Some(value) => options.insert(name.to_string(), value),
                    None => options.remove(name),
                };
            }
        }
        Ok(Cow::Owned(request))
    }
}

/// Every command, in the order `/help` and Discord list them.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "explain",
        "Explain a term, person, place, document or organisation",
    )
    .options(&[OptionSpec::text(
        "term",
        "What to explain, e.g. troika, Yezhov, Order 00447",
    )
    .required()
    .max_length(200)
    .autocomplete(Autocomplete::Terms)])
    .in_place()
    .run(explain::explain),
    CommandSpec::new(
        "date",
        "What happened on a date, in a month, a year or a period",
    )
    .options(&[OptionSpec::text(
        "when",
        "e.g. 1 December 1934, July 1937, 1936-1938, today, on this day",
    )
    .required()
    .max_length(100)])
    .in_place()
    .run(date::date),
    CommandSpec::new(
        "timeline",
        "Browse the events of a period or a tag, page by page",
    )
    .options(&[
        OptionSpec::text("from", "Start: a date or year, e.g. 1936"),
        OptionSpec::text("to", "End: a date or year, e.g. 1938"),
        OptionSpec::text("tag", "Only events with this tag, e.g. trials, army, nkvd"),
        PICTURE,
    ])
    .in_place()
    .run(timeline::timeline),
    CommandSpec::new("quiz", "A practice question just for you")
        .options(&[
            OptionSpec::text(
                "tag",
                "Only questions on this topic, e.g. trials, army, nkvd",
            ),
            OptionSpec::new("difficulty", "easy, medium or hard", DIFFICULTY),
        ])
        .server()
        .private()
        .run(quiz::practice),
    CommandSpec::new("review", "Revise what you got wrong, when it is due")
        .private()
        .run(quiz::review),
    CommandSpec::new("daily", "Today's class question")
        .server()
        .run(quiz::daily),
    CommandSpec::new("leaderboard", "The class leaderboard")
        .options(&[
            OptionSpec::new(
                "period",
                "all-time, season or week",
                OptionKind::Choice(&["all-time", "season", "week"]),
            ),
            OptionSpec::new(
                "scope",
                "class (this channel's, the default), server, or classes ranked",
                OptionKind::Choice(&["class", "server", "classes"]),
            ),
            CLASS,
            PICTURE,
        ])
        .server()
        .run(quiz::leaderboard)
        .answers_from_memory(quiz::leaderboard_from_memory),
    CommandSpec::new("stats", "Answers, accuracy, streaks and topics")
        .options(&[OptionSpec::new(
            "user",
            "Whose stats (default: yours)",
            OptionKind::User,
        )])
        .server()
        .private()
        .run(quiz::stats),
    CommandSpec::new(
        "competition",
        "A timed group quiz in this channel: speed points and a podium",
    )
    .server()
    .subcommands(&[
        CommandSpec::new("start", "Start a competition in this channel")
            .options(&[
                OptionSpec::new(
                    "rounds",
                    "How many questions (1-20, default 5)",
                    OptionKind::Integer {
                        min: competition::MIN_ROUNDS as i64,
                        max: competition::MAX_ROUNDS as i64,
                    },
                ),
                OptionSpec::new(
                    "seconds",
                    "Seconds per question (10-120, default 20)",
                    OptionKind::Integer {
                        min: competition::MIN_SECONDS as i64,
                        max: competition::MAX_SECONDS as i64,
                    },
                ),
                OptionSpec::text("tag", "Only questions with this tag, e.g. trials"),
                OptionSpec::new("difficulty", "Only questions of this difficulty", DIFFICULTY),
                OptionSpec::new(
                    "team_mode",
                    "Play in teams: class against class, by house role, or random teams",
                    OptionKind::Choice(competition::TEAM_MODES),
                ),
                OptionSpec::new(
                    "teams",
                    "How many random teams (2-8, default 2)",
                    OptionKind::Integer {
                        min: crate::teams::MIN_TEAMS as i64,
                        max: crate::teams::MAX_TEAMS as i64,
                    },
                ),
                OptionSpec::new("house1", "A house role (team_mode:role)", OptionKind::Role),
                OptionSpec::new("house2", "A house role (team_mode:role)", OptionKind::Role),
                OptionSpec::new("house3", "A house role (team_mode:role)", OptionKind::Role),
                OptionSpec::new("house4", "A house role (team_mode:role)", OptionKind::Role),
            ])
            .after(After::RunCompetition)
            .run(competition::start),
        CommandSpec::new(
            "stop",
            "Stop this channel's competition (its starter or a teacher)",
        )
        .run(competition::stop),
    ]),
    CommandSpec::new(
        "settings",
        "Teacher settings: the daily question's channel, time and days",
    )
    .teachers()
    .subcommands(&[
        CommandSpec::new("channel", "The channel the daily question is posted in")
            .options(&[OptionSpec::new(
                "channel",
                "The class channel (or none)",
                OptionKind::Channel,
            )
            .required(), CLASS])
            .private()
            .run(settings::settings),
        CommandSpec::new("time", "The local time of the daily post")
            .options(&[OptionSpec::text("time", "24-hour time, e.g. 07:30").required(), CLASS])
            .private()
            .run(settings::settings),
        CommandSpec::new("timezone", "This server's time zone")
            .options(&[
                OptionSpec::text("timezone", "An IANA time zone, e.g. Europe/London").required(), CLASS,
            ])
            .private()
            .run(settings::settings),
        CommandSpec::new("days", "The weekdays the daily question is posted")
            .options(&[
                OptionSpec::text("days", "e.g. mon-fri, every day, mon,wed,fri").required(), CLASS,
            ])
            .private()
            .run(settings::settings),
        CommandSpec::new("role", "A role to mention in the daily post")
            .options(&[
                OptionSpec::new("role", "The role to mention (or none)", OptionKind::Role)
                    .required(), CLASS,
            ])
            .private()
            .run(settings::settings),
        CommandSpec::new("teacher-role", "The role that counts as teachers")
            .options(&[
                OptionSpec::new("role", "The teachers' role (or none)", OptionKind::Role)
                    .required(),
            ])
            .private()
            .run(settings::settings),
        CommandSpec::new("competitions", "Who may start a competition")
            .options(&[OptionSpec::new(
                "who",
                "everyone (the default) or teachers",
                OptionKind::Choice(&["everyone", "teachers"]),
            )
            .required()])
            .private()
            .run(settings::settings),
        CommandSpec::new("show", "Show the settings and how to set studybot up")
            .options(&[CLASS])
            .private()
            .edge_fact(EdgeFact::MentionableRoles)
            .run(settings::settings),
    ]),
    CommandSpec::new(
        "season",
        "Teacher tools: start or end a leaderboard season",
    )
    .teachers()
    .subcommands(&[
        CommandSpec::new("start", "Start a named season (of one class with class:)")
            .options(&[
                OptionSpec::text("name", "The season's name, e.g. Autumn term").max_length(60),
                ONE_CLASS,
            ])
            .private()
            .run(settings::season),
        CommandSpec::new("end", "End the running season (asks for confirmation)")
            .options(&[ONE_CLASS])
            .private()
            .run(settings::season),
    ]),
    CommandSpec::new("pack", "Teacher tools: the questions your class gets")
        .teachers()
        .subcommands(&[
            CommandSpec::new(
                "upload",
                "Add a pack for this server: a .toml pack, a Red list, an Anki deck or a Kahoot sheet",
            )
            .options(&[OptionSpec::new(
                "file",
                "The file (.toml, .yaml, .apkg, .txt or .xlsx; at most 1 MiB)",
                OptionKind::File,
            )
            .required()])
            .private()
            .run(packs::pack),
            CommandSpec::new("list", "The packs this server's questions come from")
                .private()
                .run(packs::pack),
            CommandSpec::new("enable", "Ask a pack's questions in this server again")
                .options(PACK)
                .private()
                .run(packs::pack),
            CommandSpec::new("disable", "Stop asking a pack's questions in this server")
                .options(PACK)
                .private()
                .run(packs::pack),
            CommandSpec::new(
                "remove",
                "Delete a pack uploaded for this server (asks for confirmation)",
            )
            .options(PACK)
            .private()
            .run(packs::pack),
            CommandSpec::new("reports", "Problems students reported with questions")
                .private()
                .run(packs::pack),
        ]),
    CommandSpec::new("score", "Teacher tools: correct a student's marks")
        .teachers()
        .subcommands(&[CommandSpec::new("accept", "Count an answer marked wrong as right")
            .options(STUDENT)
            .private()
            .run(teacher::score)]),
    CommandSpec::new("export", "Teacher tools: export the class's scores")
        .teachers()
        .subcommands(&[
            CommandSpec::new("scores", "The scores as a CSV file for a spreadsheet")
                .options(&[OptionSpec::text(
                    "season",
                    "current, or a season's name (default: all time)",
                )
                .max_length(60), CLASS])
                .private()
                .run(teacher::export),
        ]),
    CommandSpec::new("student", "Teacher tools: manage one student's data")
        .teachers()
        .subcommands(&[CommandSpec::new(
            "remove",
            "Delete a student's answers and scores in this server",
        )
        .options(STUDENT)
        .private()
        .run(teacher::student)]),
    CommandSpec::new(
        "class",
        "Teacher tools: the server's classes, and how a class is doing",
    )
    .teachers()
    .subcommands(&[
        CommandSpec::new(
            "create",
            "A class with its own channel, daily question and leaderboard",
        )
        .options(&[
            OptionSpec::text("name", "Its name, unique in this server, e.g. 10A")
                .required()
                .max_length(crate::classes::MAX_NAME as u16),
            OptionSpec::new(
                "channel",
                "Its channel (default: this one)",
                OptionKind::Channel,
            ),
            OptionSpec::new("role", "Members with this role belong to it", OptionKind::Role),
            OptionSpec::new(
                "teacher-role",
                "Members with this role teach it",
                OptionKind::Role,
            ),
        ])
        .private()
        .run(classes::class),
        CommandSpec::new(
            "edit",
            "Rename a class, change its channel or roles, pause it, pick its packs and tags",
        )
            .options(&[
                CLASS.required(),
                OptionSpec::text("name", "Its new name").max_length(crate::classes::MAX_NAME as u16),
                OptionSpec::new("channel", "Its new channel", OptionKind::Channel),
                OptionSpec::new("role", "Its students' role (or none)", OptionKind::Role),
                OptionSpec::new(
                    "teacher-role",
                    "Its teachers' role (or none)",
                    OptionKind::Role,
                ),
                OptionSpec::text(
                    "paused",
                    "Days with no daily post, e.g. 2026-12-21..2027-01-03, 2027-02-16 (or none)",
                )
                .max_length(200),
                OptionSpec::text("packs", "Draw its questions from these packs only (or all)")
                    .max_length(200),
                OptionSpec::text("tags", "Only questions with one of these tags (or all)")
                    .max_length(200),
            ])
            .private()
            .run(classes::class),
        CommandSpec::new("list", "The classes, their channels, roles and times")
            .private()
            .run(classes::class),
        CommandSpec::new(
            "remove",
            "Remove a class (asks for confirmation; its points stay)",
        )
        .options(&[CLASS.required()])
        .private()
        .run(classes::class),
        CommandSpec::new("report", "The weakest questions and topics this season")
            .options(&[ONE_CLASS])
            .private()
            .run(teacher::class_report),
    ]),
    CommandSpec::new(
        "privacy",
        "Your data: delete everything studybot stores about you",
    )
    .private()
    .subcommands(&[CommandSpec::new(
        "delete-me",
        "Delete your answers, scores and review schedule everywhere",
    )
    .private()
    .run(privacy::privacy)]),
    CommandSpec::new("help", "What studybot can do and how to set it up")
        .private()
        .in_place()
        .run(help::help),
];

/// `class:`: a class of the server, by name.
const CLASS: OptionSpec = OptionSpec::text(
    "class",
    "A class, by name (default: this channel's class, else the server)",
)
.max_length(crate::classes::MAX_NAME as u16);

/// A class a teacher command is about, named: without it the command is
/// the whole server's wherever it is run.
const ONE_CLASS: OptionSpec = OptionSpec::text("class", "One class, by name (default: the server)")
    .max_length(crate::classes::MAX_NAME as u16);

const PICTURE: OptionSpec = OptionSpec::new(
    "picture",
    "Also send it as a picture (true or false)",
    OptionKind::Boolean,
);

const DIFFICULTY: OptionKind = OptionKind::Choice(&["easy", "medium", "hard"]);

const PACK: &[OptionSpec] = &[OptionSpec::text("pack", "The pack's id (see /pack list)")
    .required()
    .max_length(30)];

const STUDENT: &[OptionSpec] =
    &[OptionSpec::new("user", "The student", OptionKind::User).required()];

/// A top-level command by name.
pub fn command(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// The command a request runs, with its top-level command (which holds
/// `who` and `place`): `settings time` is (settings, time). `None` for a
/// press, an unknown name or a subcommand path that does not end at a
/// command with a handler.
pub fn resolve(request: &Request) -> Option<(&'static CommandSpec, &'static CommandSpec)> {
    let Action::Command {
        name, subcommands, ..
    } = &request.action
    else {
        return None;
    };
    let top = command(name)?;
    let mut leaf = top;
    for sub in subcommands {
        leaf = leaf.subcommand(sub)?;
    }
    leaf.run.is_some().then_some((top, leaf))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_command() -> Vec<(&'static CommandSpec, &'static CommandSpec)> {
        let mut all = Vec::new();
        for top in COMMANDS {
            if top.subcommands.is_empty() {
                all.push((top, top));
            }
            for sub in top.subcommands {
                all.push((top, sub));
            }
        }
        all
    }

    #[test]
    fn exactly_the_commands_without_subcommands_have_handlers_and_names_are_unique() {
        let mut names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len(), "a command name is repeated");
        for (top, leaf) in every_command() {
            assert!(
                leaf.run.is_some(),
                "/{} {} has no handler",
                top.name,
                leaf.name
            );
            assert!(leaf.subcommands.is_empty(), "only one level of subcommands");
            let mut options: Vec<&str> = leaf.options.iter().map(|o| o.name).collect();
            options.sort();
            options.dedup();
            assert_eq!(options.len(), leaf.options.len(), "/{}", top.name);
        }
        for top in COMMANDS.iter().filter(|c| !c.subcommands.is_empty()) {
            assert!(top.run.is_none() && top.options.is_empty(), "/{}", top.name);
        }
    }

    #[test]
    fn discord_limits_hold_for_every_name_and_description() {
        for (top, leaf) in every_command() {
            for (name, description) in [(top.name, top.description), (leaf.name, leaf.description)]
                .into_iter()
                .chain(leaf.options.iter().map(|o| (o.name, o.description)))
            {
                assert!(
                    // Discord takes lower-case letters, digits, `-` and `_`
                    // (`team_mode`, as the issue names it).
                    (1..=32).contains(&name.len())
                        && name.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                        }),
                    "{name}"
                );
                assert!((1..=100).contains(&description.chars().count()), "{name}");
            }
            // Discord wants required options before optional ones.
            let first_optional = leaf.options.iter().position(|o| !o.required);
            let last_required = leaf.options.iter().rposition(|o| o.required);
            if let (Some(optional), Some(required)) = (first_optional, last_required) {
                assert!(required < optional, "/{} {}", top.name, leaf.name);
            }
        }
    }

    #[test]
    fn teacher_commands_are_private_and_for_servers_only() {
        for (top, leaf) in every_command() {
            if top.who == Who::Teachers {
                assert_eq!(top.place, Place::Server, "/{}", top.name);
                assert!(leaf.private, "/{} {}", top.name, leaf.name);
            }
            if leaf.speed == Speed::InPlace {
                assert_eq!(top.who, Who::Everyone, "a lookup reads no settings");
            }
        }
    }

    #[test]
    fn options_are_checked_and_brought_to_one_form() {
        let spec = |command: &str, sub: Option<&str>, option: &str| {
            let top = command_spec(command);
            let leaf = sub.map_or(top, |s| top.subcommand(s).unwrap());
            *leaf.option(option).unwrap()
        };
        let rounds = spec("competition", Some("start"), "rounds");
        assert_eq!(rounds.check(" 07 ").unwrap().as_deref(), Some("7"));
        assert_eq!(rounds.check("").unwrap(), None);
        for bad in ["0", "21", "x", "2.5"] {
            assert_eq!(
                rounds.check(bad).unwrap_err().to_string(),
                "`rounds` is a whole number from 1 to 20."
            );
        }
        let picture = spec("timeline", None, "picture");
        assert_eq!(picture.check("Yes").unwrap().as_deref(), Some("true"));
        assert_eq!(picture.check("0").unwrap().as_deref(), Some("false"));
        assert_eq!(
            picture.check("maybe").unwrap_err().to_string(),
            "`picture` is `true` or `false`."
        );
        let period = spec("leaderboard", None, "period");
        assert_eq!(period.check("WEEK").unwrap().as_deref(), Some("week"));
        assert_eq!(
            period.check("month").unwrap_err().to_string(),
            "`period` is `all-time`, `season` or `week`."
        );
        let user = spec("stats", None, "user");
        assert_eq!(user.check("<@!42>").unwrap().as_deref(), Some("42"));
        assert_eq!(user.check("<@42>").unwrap().as_deref(), Some("42"));
        assert!(user.check("Anna").is_err());
        let channel = spec("settings", Some("channel"), "channel");
        assert_eq!(channel.check("<#5>").unwrap().as_deref(), Some("5"));
        assert_eq!(channel.check("None").unwrap().as_deref(), Some("none"));
        assert!(channel.check("<@5>").is_err());
        let role = spec("settings", Some("role"), "role");
        assert_eq!(role.check("<@&9>").unwrap().as_deref(), Some("9"));
        let term = spec("explain", None, "term");
        assert_eq!(term.check(&"a".repeat(200)).unwrap().unwrap().len(), 200);
        assert_eq!(
            term.check(&"a".repeat(201)).unwrap_err().to_string(),
            "`term` is at most 200 characters."
        );
    }

    fn command_spec(name: &str) -> &'static CommandSpec {
        command(name).unwrap()
    }

    #[test]
    fn requests_resolve_to_their_command_and_borrow_options_already_in_form() {
        let now = chrono::Utc::now();
        let explain = Request::command("explain", &[("term", "troika")], now);
        let (top, leaf) = resolve(&explain).unwrap();
        assert_eq!((top.name, leaf.name), ("explain", "explain"));
        assert!(matches!(
            leaf.check_options(&explain).unwrap(),
            Cow::Borrowed(_)
        ));
        let mut start = Request::command("competition", &[("rounds", " 3")], now);
        if let Action::Command { subcommands, .. } = &mut start.action {
            subcommands.push("start".into());
        }
        let (top, leaf) = resolve(&start).unwrap();
        assert_eq!((top.name, leaf.name), ("competition", "start"));
        assert_eq!(
            leaf.check_options(&start).unwrap().option("rounds"),
            Some("3")
        );
        assert!(resolve(&Request::command("competition", &[], now)).is_none());
        assert!(resolve(&Request::command("frobnicate", &[], now)).is_none());
    }
}

//! One handler per command: a [`Request`] in, a [`Reply`] out.
//!
//! Both edges (the Discord adapter and `studybot ask`) call [`respond`], the
//! single error path: a user mistake becomes an ephemeral explanation and
//! anything else is logged and answered with a short apology. Handlers are
//! plain functions over [`App`]; they never know which edge called them.
//! Commands are dispatched through the command table ([`spec::COMMANDS`]),
//! which checks each option against its kind first; buttons by their
//! decoded [`CustomId`].

pub mod classes;
pub mod competition;
pub mod daily;
pub mod date;
pub mod events;
pub mod explain;
pub mod guilds;
pub mod help;
pub mod packs;
pub mod privacy;
pub mod quiz;
pub mod settings;
pub mod spec;
pub mod teacher;
pub mod timeline;

use crate::app::App;
use crate::custom_id::CustomId;
use crate::error::Error;
use crate::reply::Reply;
use crate::request::{Action, Request};
use crate::search::Suggestion;

/// What a person sees when something broke on our side.
pub const APOLOGY: &str = "Sorry, something went wrong on studybot's side. It has been logged; please try again in a moment.";

/// What a person sees when the database cannot be written.
pub const UNWRITABLE: &str = "studybot cannot save anything right now (its storage is full or unavailable), so this was not recorded. Lookups such as /explain still work, and your teacher can see the problem in /settings show. Please try again later.";

/// Runs the request through its handler and turns every error into a reply.
pub fn respond(app: &App, request: &Request) -> Reply {
    respond_with(app, request, decode_press(request))
}

/// A request ready to run: a button press's id decoded once, for every
/// question the edge asks of it (does it open a text input, is it a lookup)
/// and for its handler.
pub struct Prepared {
    pub request: Request,
    press: Option<Result<CustomId, Error>>,
}

impl Prepared {
    pub fn new(request: Request) -> Self {
        let press = decode_press(&request);
        Self { request, press }
    }

    /// The pressed button, when the request is a press of one studybot
    /// understands.
    pub fn button(&self) -> Option<&CustomId> {
        self.press.as_ref()?.as_ref().ok()
    }

    /// See [`is_lookup`].
    pub fn is_lookup(&self) -> bool {
        match &self.press {
            None => command_is_lookup(&self.request),
            Some(press) => press.as_ref().is_ok_and(CustomId::is_lookup),
        }
    }
}

/// The reply to a command that its handler kept in memory (see
/// [`spec::CommandSpec::from_memory`]), when the store has not changed since:
/// no store I/O, so the Discord edge may run it on its async executor.
/// `None`: run the handler.
pub fn from_memory(app: &App, prepared: &Prepared) -> Option<Reply> {
    if prepared.press.is_some() {
        return None;
    }
    let (_, leaf) = spec::resolve(&prepared.request)?;
    let answer = leaf.from_memory?;
    let request = leaf.check_options(&prepared.request).ok()?;
    answer(app, &request)
}

/// [`respond`] for a request whose button id is already decoded.
pub fn respond_prepared(app: &App, prepared: Prepared) -> Reply {
    respond_with(app, &prepared.request, prepared.press)
}

fn decode_press(request: &Request) -> Option<Result<CustomId, Error>> {
    match &request.action {
        Action::Press { custom_id, .. } => Some(CustomId::decode(custom_id)),
        Action::Command { .. } => None,
    }
}

fn respond_with(app: &App, request: &Request, press: Option<Result<CustomId, Error>>) -> Reply {
    match handle(app, request, press) {
        Ok(reply) => reply,
        Err(Error::User(message)) => Reply::ephemeral_text(message),
        Err(Error::Store(crate::store::StoreError::Unwritable(why))) => {
            tracing::error!(interaction = %request.interaction, %why, "the database cannot be written; nothing was saved");
            Reply::ephemeral_text(UNWRITABLE)
        }
        Err(Error::Store(crate::store::StoreError::Busy)) => {
            tracing::warn!(interaction = %request.interaction, "database busy; asked the user to retry");
            Reply::ephemeral_text("studybot is very busy right now and nothing was saved. Please try again in a moment.")
        }
        Err(error) => {
            tracing::error!(
                interaction = %request.interaction,
                user = %request.user,
                guild = ?request.guild.map(|g| g.0),
                action = ?request.action,
                %error,
                "request failed"
            );
            Reply::ephemeral_text(APOLOGY)
        }
    }
}

/// Attaches the PNG `draw` makes as `name`; the text reply stands alone if
/// drawing fails (logged) or this build has no pictures.
#[cfg_attr(not(feature = "pictures"), allow(unused_variables))]
pub(crate) fn attach_picture(
    reply: &mut Reply,
    name: &str,
    draw: impl FnOnce() -> Result<Vec<u8>, String>,
) {
    #[cfg(feature = "pictures")]
    match draw() {
        Ok(data) => reply.attachments.push(crate::reply::Attachment {
            name: name.to_string(),
            media_type: "image/png".to_string(),
            data,
        }),
        Err(error) => tracing::error!(%error, picture = name, "could not draw a picture"),
    }
    #[cfg(not(feature = "pictures"))]
    {
        let note = "(This bot was built without pictures.)";
        reply.footer = Some(match reply.footer.take() {
            Some(footer) => format!("{footer} {note}"),
            None => note.to_string(),
        });
    }
}

/// Whether the asker is a teacher in `guild`: Manage Server (or a command
/// Discord restricts to such members), or the guild's teacher role.
pub fn is_teacher(
    app: &App,
    request: &Request,
    guild: crate::request::GuildId,
) -> Result<bool, Error> {
    if request.teacher {
        return Ok(true);
    }
    Ok(!request.roles.is_empty()
        && app
            .store
            .settings(guild)?
            .teacher_role
            .is_some_and(|role| request.roles.contains(&role)))
}

/// The one guard of every button that does a teacher's action (ending a
/// season, removing a pack, disabling a question, accepting an answer),
/// checked when the button is pressed, not when it was sent: the presser
/// must be the teacher the button was issued to AND still a teacher in
/// this server, so a teacher who lost the role loses the power of buttons
/// already sent, and a student who forges an id with their own user id in
/// it gets nothing. Returns the server the action belongs to.
pub(crate) fn guard_teacher_press(
    app: &App,
    request: &Request,
    issued_to: u64,
) -> Result<crate::request::GuildId, Error> {
    let guild = request
        .guild
        .ok_or_else(|| Error::user("This button belongs to a server."))?;
    if !is_teacher(app, request, guild)? {
        return Err(Error::user(
            "Only teachers can use this button (Manage Server, or the teacher role).",
        ));
    }
    if request.user.0 != issued_to {
        return Err(Error::user(
            "This button belongs to the teacher who asked for it. Run the command yourself to get your own.",
        ));
    }
    Ok(guild)
}

/// Whether a request is a lookup in the content: no writes, and no database
/// read beyond one settings row (a date "today" needs the guild's timezone).
/// It takes microseconds, so the Discord edge runs it in place instead of
/// handing it to the blocking pool. Commands say so in the command table
/// ([`spec::Speed::InPlace`]); of the buttons, those that page or open
/// content.
pub fn is_lookup(request: &Request) -> bool {
    match decode_press(request) {
        None => command_is_lookup(request),
        Some(press) => press.is_ok_and(|id| id.is_lookup()),
    }
}

fn command_is_lookup(request: &Request) -> bool {
    spec::resolve(request).is_some_and(|(_, leaf)| leaf.speed == spec::Speed::InPlace)
}

fn handle(
    app: &App,
    request: &Request,
    press: Option<Result<CustomId, Error>>,
) -> Result<Reply, Error> {
    if let Some(id) = press {
        return self::press(app, request, id?);
    }
    match &request.action {
        Action::Command {
            name, subcommands, ..
        } => match spec::resolve(request) {
            Some((_, leaf)) => {
                let request = leaf.check_options(request)?;
                let run = leaf
                    .run
                    .ok_or_else(|| Error::Internal(format!("/{name} has no handler")))?;
                run(app, &request)
            }
            None => Err(unknown_command(name, subcommands)),
        },
        Action::Press { .. } => Err(Error::Internal("a press without its decoded id".into())),
    }
}

/// What a user is told for a command the table does not have, or a command
/// named without (or with a wrong) subcommand.
fn unknown_command(name: &str, subcommands: &[String]) -> Error {
    let Some(top) = spec::command(name) else {
        return Error::user(format!(
            "There is no command `{name}`. Try /help for the list."
        ));
    };
    let _ = subcommands;
    let choices: Vec<String> = top
        .subcommands
        .iter()
        .map(|sub| format!("/{name} {}", sub.name))
        .collect();
    let choices: Vec<&str> = choices.iter().map(String::as_str).collect();
    Error::user(format!("Use {}.", spec::one_of(&choices)))
}

/// A button press, decoded once. Teacher actions pass [`guard_teacher_press`]
/// here, before any handler runs, so no handler can forget it.
fn press(app: &App, request: &Request, id: CustomId) -> Result<Reply, Error> {
    let teacher_guild = match id.teacher_action() {
        Some(issued_to) => Some(guard_teacher_press(app, request, issued_to)?),
        None => None,
    };
    // Set for exactly the variants whose `teacher_action` is `Some`.
    let guild = || teacher_guild.ok_or_else(|| Error::Internal("teacher guard skipped".into()));
    match id {
        CustomId::Explain { pack, entry } => explain::open(app, request.guild, &pack, &entry),
        CustomId::Date { period, page } => date::page(app, request.guild, &period, page),
        CustomId::Timeline {
            from,
            to,
            tag,
            page,
        } => timeline::page(app, request.guild, from, to, tag, page),
        CustomId::DeleteMyData { user } => privacy::confirm(app, request, user),
        CustomId::ReportProblem { instance } => teacher::report(app, request, instance),
        CustomId::DisableQuestion { report, .. } => {
            teacher::disable_reported(app, request, guild()?, report)
        }
        CustomId::RemovePack { pack, .. } => packs::confirm_remove(app, guild()?, &pack),
        CustomId::AcceptAnswer { answer, .. } => {
            teacher::accept_answer(app, request, guild()?, answer)
        }
        CustomId::RemoveClass { class, .. } => classes::confirm_remove(app, guild()?, class),
        CustomId::EndSeason { season, .. } => {
            settings::confirm_end_season(app, request, guild()?, season)
        }
        CustomId::EndClassSeason { class, season, .. } => {
            settings::confirm_end_class_season(app, request, guild()?, class, season)
        }
        CustomId::Choice { instance, position } => {
            quiz::answer(app, request, instance, Some(position), None)
        }
        CustomId::TypedAnswer { instance } => {
            quiz::answer(app, request, instance, None, request.input())
        }
        CustomId::CompetitionChoice {
            competition,
            round,
            position,
        } => competition::answer(app, request, competition, round, Some(position), None),
        CustomId::CompetitionTyped { competition, round } => {
            competition::answer(app, request, competition, round, None, request.input())
        }
    }
}

/// Autocomplete for a command's option while the user types: at most 25
/// suggestions of at most 100 characters, best first. `command` is the
/// command's qualified name (`explain`, `pack enable`); empty for options
/// the command table gives no autocomplete.
pub fn autocomplete(
    app: &App,
    guild: Option<crate::request::GuildId>,
    command: &str,
    option: &str,
    partial: &str,
) -> Vec<Suggestion> {
    let mut words = command.split(' ');
    let leaf = words
        .next()
        .and_then(spec::command)
        .and_then(|top| match words.next() {
            Some(sub) => top.subcommand(sub),
            None => Some(top),
        });
    match leaf.and_then(|leaf| leaf.option(option)?.autocomplete) {
        Some(spec::Autocomplete::Terms) => match app.library_for(guild) {
            Ok(library) => library.search.suggest(partial),
            Err(error) => {
                tracing::warn!(%error, "autocomplete without the server's own packs");
                app.library().search.suggest(partial)
            }
        },
        None => Vec::new(),
    }
}

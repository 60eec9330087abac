//! `/class create|edit|list|remove` and the confirmation of a removal; the
//! helpers that find which class a request is about.
//!
//! The rules (names, channels, membership, fallback to the server's
//! settings) are `classes`'; this module reads and writes classes through
//! the store and words the replies. Teacher commands, as `/settings`:
//! Manage Server or the server's teacher role (a class's own teacher role
//! also lets its teachers edit that class).

use crate::app::App;
use crate::classes::{self, Class, ClassSettings, Resolved};
use crate::custom_id::CustomId;
use crate::error::Error;
use crate::markup::{escape_markdown, mention};
use crate::reply::{ButtonStyle, Reply};
use crate::request::{GuildId, Request};
use crate::store::GuildSettings;

impl From<classes::ClassError> for Error {
    fn from(e: classes::ClassError) -> Self {
        Error::user(e.to_string())
    }
}

impl From<classes::DatesError> for Error {
    fn from(e: classes::DatesError) -> Self {
        Error::user(e.to_string())
    }
}

/// A class with its settings resolved against the server's.
pub(crate) fn resolve(app: &App, class: &Class, settings: &GuildSettings) -> Resolved {
    classes::resolve(class, &settings.into(), app.timezone)
}

/// The class a request names with `class:`, if it does.
pub(crate) fn named<'a>(request: &Request, all: &'a [Class]) -> Result<Option<&'a Class>, Error> {
    match request
        .option("class")
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(name) => Ok(Some(classes::find_by_name(all, name)?)),
        None => Ok(None),
    }
}

/// The class a request is about: the one it names, else the class of the
/// channel it was made in.
pub(crate) fn here<'a>(request: &Request, all: &'a [Class]) -> Result<Option<&'a Class>, Error> {
    if let Some(class) = named(request, all)? {
        return Ok(Some(class));
    }
    Ok(request
        .channel
        .and_then(|channel| classes::for_channel(all, channel.0)))
}

/// The class boards that points won in `channel` (a competition's) count
/// on besides the server's `server_periods`: those of the class whose
/// channel it is, if the player counts for it (as for its daily question),
/// its own running season included.
pub(crate) fn periods_in_channel(
    app: &App,
    guild: GuildId,
    channel: u64,
    roles: &[u64],
    server_periods: &[String],
) -> Result<Vec<String>, Error> {
    let all = app.store.classes(guild)?;
    let Some(class) = classes::for_channel(&all, channel).filter(|c| classes::counts_for(c, roles))
    else {
        return Ok(Vec::new());
    };
    let own_season = app.store.open_class_season(guild, class.id)?.map(|s| s.id);
    Ok(classes::periods(class.id, server_periods, own_season))
}

fn name_of(class: &Class) -> String {
    format!("**{}**", escape_markdown(&class.name))
}

/// A server teacher's guild, or the user error saying who may.
fn teacher_guild(app: &App, request: &Request, what: &str) -> Result<GuildId, Error> {
    let guild = request
        .guild
        .ok_or_else(|| Error::user("Classes belong to a server: use this in your server."))?;
    if !super::is_teacher(app, request, guild)? {
        return Err(Error::user(format!(
            "Only teachers can {what} (Manage Server, or the teacher role)."
        )));
    }
    Ok(guild)
}

/// An id given as a number or a Discord mention (`<#1>`, `<@&2>`).
fn id_option(request: &Request, name: &str) -> Result<Option<Option<u64>>, Error> {
    let Some(text) = request
        .option(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    if text.eq_ignore_ascii_case("none") {
        return Ok(Some(None));
    }
    text.trim_start_matches("<#")
        .trim_start_matches("<@&")
        .trim_end_matches('>')
        .parse()
        .map(|id| Some(Some(id)))
        .map_err(|_| {
            Error::user(format!(
                "`{name}` is a {}, e.g. `{}`.",
                if name == "channel" { "channel" } else { "role" },
                if name == "channel" {
                    "#year-10-history"
                } else {
                    "@10A"
                }
            ))
        })
}

/// `/class ...`.
pub fn class(app: &App, request: &Request) -> Result<Reply, Error> {
    match request.subcommand() {
        Some("create") => create(app, request),
        Some("edit") => edit(app, request),
        Some("list") => list(app, request),
        Some("remove") => remove(app, request),
        Some("report") => super::teacher::class_report(app, request),
        _ => Err(Error::user(
            "Use `/class create`, `/class edit`, `/class list`, `/class remove` or `/class report`.",
        )),
    }
}

/// When a server that posts its own daily question gets its first class,
/// that daily channel becomes a class first (as when classes arrived), so
/// nothing of it is lost: the new class itself if it takes that channel,
/// else a class named `main`. Returns the name of the class it became.
fn adopt_server_daily(
    app: &App,
    guild: GuildId,
    existing: &[Class],
    settings: &GuildSettings,
    new: &mut Class,
) -> Result<Option<String>, Error> {
    let (true, Some(channel)) = (existing.is_empty(), settings.channel) else {
        return Ok(None);
    };
    if channel == new.channel {
        *new = app.store.save_class(new, &classes::name_key(&new.name))?;
        app.store.adopt_server_daily(guild, new.id)?;
        return Ok(Some(new.name.clone()));
    }
    let main = Class {
        id: 0,
        guild,
        name: classes::FIRST_CLASS_NAME.to_string(),
        channel,
        role: None,
        teacher_role: None,
        settings: ClassSettings::default(),
    };
    let main = app
        .store
        .save_class(&main, &classes::name_key(&main.name))?;
    app.store.adopt_server_daily(guild, main.id)?;
    Ok(Some(main.name))
}

fn create(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request, "create a class")?;
    let existing = app.store.classes(guild)?;
    let settings = app.store.settings(guild)?;
    let name = request.option("name").unwrap_or("");
    let channel = id_option(request, "channel")?
        .flatten()
        .or(request.channel.map(|c| c.0))
        .ok_or_else(|| Error::user("Name the class's channel, e.g. `channel:#10a-history`."))?;
    let mut all = existing.clone();
    let name = classes::check_new(&all, None, name, channel)?;
    let mut class = Class {
        id: 0,
        guild,
        name,
        channel,
        role: id_option(request, "role")?.flatten(),
        teacher_role: id_option(request, "teacher-role")?.flatten(),
        settings: ClassSettings::default(),
    };
    let adopted = adopt_server_daily(app, guild, &existing, &settings, &mut class)?;
    if class.id == 0 {
        if let Some(main) = &adopted {
            all = app.store.classes(guild)?;
            // `main` may now hold a name or channel the check above allowed.
            classes::check_new(&all, None, &class.name, class.channel).map_err(|e| {
                Error::user(format!(
                    "{e} (`{main}` took over the server's daily channel)"
                ))
            })?;
        }
        class = app
            .store
            .save_class(&class, &classes::name_key(&class.name))?;
    }
    let resolved = resolve(app, &class, &settings);
    let mut text = format!(
        "Class {} created. Its daily question is posted in {}{}; its students answer there, and their points count for the class and for the server.",
        name_of(&class),
        mention::channel(class.channel),
        match resolved.post_time {
            Some(time) => format!(" at {} ({})", time.format("%H:%M"), resolved.timezone.name()),
            None => " once a time is set (`/settings time class:...`)".to_string(),
        }
    );
    match class.role {
        Some(role) => text.push_str(&format!(
            "\n\nMembers with {} belong to it; an answer from anyone else in its channel counts for the server only.",
            mention::role(role)
        )),
        None => text.push_str(
            "\n\nWithout a role, whoever answers its daily question in its channel joins it.",
        ),
    }
    if let Some(main) = adopted.filter(|m| *m != class.name) {
        text.push_str(&format!(
            "\n\nThe server's daily channel {} is now the class **{}**, with its leaderboard as it was. Rename it with `/class edit class:{} name:...`.",
            mention::channel(settings.channel.unwrap_or_default()),
            escape_markdown(&main),
            main
        ));
    }
    Ok(Reply::new(text).title("Class created").ephemeral())
}

fn edit(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = request
        .guild
        .ok_or_else(|| Error::user("Classes belong to a server: use this in your server."))?;
    let all = app.store.classes(guild)?;
    let class = named(request, &all)?
        .ok_or_else(|| Error::user("Name the class to change, e.g. `class:10A`."))?;
    let server_teacher = super::is_teacher(app, request, guild)?;
    if !classes::teaches(class, &request.roles, server_teacher) {
        return Err(Error::user(
            "Only teachers can change a class (Manage Server, the teacher role, or the class's teacher role).",
        ));
    }
    let mut changed = class.clone();
    let mut done = Vec::new();
    if let Some(name) = request.option("name").filter(|n| !n.trim().is_empty()) {
        changed.name = name.to_string();
    }
    if let Some(channel) = id_option(request, "channel")? {
        changed.channel = channel
            .ok_or_else(|| Error::user("A class always has a channel: name another one."))?;
        done.push(format!(
            "its channel is {}",
            mention::channel(changed.channel)
        ));
    }
    if let Some(role) = id_option(request, "role")? {
        changed.role = role;
        done.push(match role {
            Some(r) => format!("members with {} belong to it", mention::role(r)),
            None => "whoever answers in its channel joins it (no role)".to_string(),
        });
    }
    if let Some(role) = id_option(request, "teacher-role")? {
        changed.teacher_role = role;
        done.push(match role {
            Some(r) => format!("members with {} teach it", mention::role(r)),
            None => "only the server's teachers teach it".to_string(),
        });
    }
    let settings = app.store.settings(guild)?;
    if let Some(text) = request.option("paused") {
        let today = resolve(app, class, &settings).local_day(request.now);
        changed.settings.paused = classes::parse_paused(text, today)?;
        done.push(if changed.settings.paused.is_empty() {
            "no day is paused".to_string()
        } else {
            format!(
                "no daily question is posted on {}",
                classes::describe_paused(&changed.settings.paused)
            )
        });
    }
    let draws_changed = request.option("packs").is_some() || request.option("tags").is_some();
    if draws_changed {
        draw_from(app, request, guild, &mut changed, &mut done)?;
    }
    changed.name = classes::check_new(&all, Some(class.id), &changed.name, changed.channel)?;
    if changed.name != class.name {
        done.insert(
            0,
            format!("it is now called **{}**", escape_markdown(&changed.name)),
        );
    }
    if done.is_empty() {
        return Err(Error::user(
            "Say what to change: `name`, `channel`, `role`, `teacher-role`, `paused`, `packs` or `tags` (times and days: `/settings ... class:`).",
        ));
    }
    app.store
        .save_class(&changed, &classes::name_key(&changed.name))?;
    Ok(
        Reply::ephemeral_text(format!("Class {}: {}.", name_of(class), done.join("; ")))
            .title("Class changed"),
    )
}

/// `/class edit packs: tags:`: the packs and tags a class's daily question
/// is drawn from (`all`: every one), checked against the server's content,
/// so a class is never left with no question to draw.
fn draw_from(
    app: &App,
    request: &Request,
    guild: GuildId,
    changed: &mut Class,
    done: &mut Vec<String>,
) -> Result<(), Error> {
    let library = app.library_for(Some(guild))?;
    let content = &library.content;
    if let Some(text) = request.option("packs") {
        let mut packs = Vec::new();
        for wanted in classes::parse_list(text) {
            let pack = content
                .question_packs()
                .find(|p| p.id.eq_ignore_ascii_case(&wanted))
                .ok_or_else(|| {
                    Error::user(format!(
                        "This server asks no questions from a pack `{}`: `/pack list` shows its packs.",
                        crate::markup::fit(&wanted, 30)
                    ))
                })?;
            packs.push(pack.id.clone());
        }
        done.push(if packs.is_empty() {
            "its questions come from every pack".to_string()
        } else {
            format!("its questions come from the pack(s) {}", code_list(&packs))
        });
        changed.settings.packs = packs;
    }
    if let Some(text) = request.option("tags") {
        let mut tags = Vec::new();
        for wanted in classes::parse_list(text) {
            let tag = content
                .question_packs()
                .flat_map(|p| p.questions.iter())
                .flat_map(|q| q.tags.iter())
                .find(|t| t.eq_ignore_ascii_case(&wanted))
                .ok_or_else(|| {
                    Error::user(format!(
                        "No question in this server's packs has the tag `{}`.",
                        crate::markup::fit(&wanted, 30)
                    ))
                })?;
            tags.push(tag.clone());
        }
        done.push(if tags.is_empty() {
            "its questions have any tag".to_string()
        } else {
            format!("its questions have one of the tags {}", code_list(&tags))
        });
        changed.settings.tags = tags;
    }
    let settings = app.store.settings(guild)?;
    let resolved = resolve(app, changed, &settings);
    let any = content.question_packs().any(|pack| {
        pack.questions
            .iter()
            .any(|q| resolved.draws(&crate::quiz::question_key(pack, q), &q.tags))
    });
    if !any {
        return Err(Error::user(
            "No question is in those packs with those tags, so the class would have no daily question. Widen one of them (`all` takes every one).",
        ));
    }
    Ok(())
}

fn code_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One class as `/class list` and `/settings show` describe it.
pub(crate) fn describe(
    app: &App,
    class: &Class,
    settings: &GuildSettings,
    request: &Request,
) -> String {
    let r = resolve(app, class, settings);
    let mut parts = vec![mention::channel(class.channel)];
    parts.push(match class.role {
        Some(role) => format!("role {}", mention::role(role)),
        None => "anyone who answers".to_string(),
    });
    parts.push(match r.post_time {
        Some(time) => format!(
            "{} {}, {}",
            time.format("%H:%M"),
            r.timezone.name(),
            super::settings::describe_days(r.post_days.as_deref())
        ),
        None => "no time set".to_string(),
    });
    let today = r.local_day(request.now);
    let paused: std::collections::BTreeSet<_> =
        r.paused.iter().filter(|d| **d >= today).copied().collect();
    if !paused.is_empty() {
        parts.push(format!("paused {}", classes::describe_paused(&paused)));
    }
    if !r.packs.is_empty() {
        parts.push(format!("packs {}", code_list(&r.packs)));
    }
    if !r.tags.is_empty() {
        parts.push(format!("tags {}", code_list(&r.tags)));
    }
    // A list line is worth showing even if the season cannot be read now.
    if let Ok(Some(season)) = app.store.open_class_season(class.guild, class.id) {
        parts.push(format!("season \"{}\"", escape_markdown(&season.name)));
    }
    if let Some(next) = r.next_post(request.now) {
        parts.push(format!("next {}", mention::time(next, 'R')));
    }
    format!("{} — {}", name_of(class), parts.join(", "))
}

fn list(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = request
        .guild
        .ok_or_else(|| Error::user("Classes belong to a server: use this in your server."))?;
    let all = app.store.classes(guild)?;
    if all.is_empty() {
        return Ok(Reply::ephemeral_text(
            "This server has no classes yet: one daily question for everyone. A teacher adds one with `/class create name:10A channel:#10a-history`.",
        )
        .title("Classes"));
    }
    let settings = app.store.settings(guild)?;
    let lines: Vec<String> = all
        .iter()
        .map(|c| describe(app, c, &settings, request))
        .collect();
    Ok(
        Reply::ephemeral_text(crate::markup::fit(&lines.join("\n"), 4000))
            .title(format!("Classes ({})", all.len())),
    )
}

fn remove(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request, "remove a class")?;
    let all = app.store.classes(guild)?;
    let class = named(request, &all)?
        .ok_or_else(|| Error::user("Name the class to remove, e.g. `class:10A`."))?;
    Ok(Reply::ephemeral_text(format!(
        "Remove the class {}? Its daily question stops and its leaderboard goes; its students' answers and points stay in the server's totals.",
        name_of(class)
    ))
    .title("Remove the class?")
    .button(
        "Remove the class",
        CustomId::RemoveClass {
            class: class.id,
            teacher: request.user.0,
        }
        .encode(),
        ButtonStyle::Danger,
    ))
}

/// The confirmation button of `/class remove` (the teacher guard has run).
pub fn confirm_remove(app: &App, guild: GuildId, class: i64) -> Result<Reply, Error> {
    let all = app.store.classes(guild)?;
    let Some(found) = all.iter().find(|c| c.id == class) else {
        return Err(Error::user("That class has already been removed."));
    };
    app.store.remove_class(guild, class)?;
    Ok(Reply::ephemeral_text(format!(
        "The class {} is removed. Its students' points stay in the server's leaderboard.",
        name_of(found)
    ))
    .title("Class removed"))
}

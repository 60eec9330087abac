//! Teacher tools: `/settings ...` (the daily post's channel, time, timezone,
//! weekdays, ping role, teacher role; `show`) and `/season start|end`.
//!
//! These commands need the teacher permission: in Discord they carry
//! Manage Server as their default permission and Discord enforces it (a
//! server admin may grant them to other roles, and that choice wins), so the
//! adapter marks such invocations as a teacher's; in the CLI `--teacher`
//! grants it. Buttons are not covered by command permissions: the
//! season-end confirmation passes `handlers::guard_teacher_press` (the
//! teacher who asked, and still a teacher) before it reaches this module.

use crate::app::App;
use crate::classes;
use crate::custom_id::CustomId;
use crate::error::Error;
use crate::markup::escape_markdown;
use crate::markup::mention;
use crate::reply::{ButtonStyle, Reply};
use crate::request::{Action, GuildId, Request};
use crate::schedule::{self, parse_time};
use crate::store::GuildSettings;

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The guild of a teacher's request: the asker has Manage Server (or used a
/// command Discord restricts to such members), or holds the guild's
/// teacher role.
fn teacher_guild(app: &App, request: &Request) -> Result<GuildId, Error> {
    let guild = request.guild.ok_or_else(|| {
        Error::user("Settings belong to a class server: use this in your server.")
    })?;
    if !super::is_teacher(app, request, guild)? {
        let what = match (request.command_name(), request.subcommand()) {
            (Some("settings"), Some("show")) => "see studybot's settings",
            (Some("season"), _) => "start or end a season",
            _ => "change studybot's settings",
        };
        return Err(Error::user(format!(
            "Only teachers can {what} (Manage Server, or the teacher role)."
        )));
    }
    Ok(guild)
}

fn subcommand(request: &Request) -> Option<&str> {
    match &request.action {
        Action::Command { subcommands, .. } => subcommands.first().map(String::as_str),
        _ => None,
    }
}

/// Reads "mon-fri", "weekdays", "every day", "mon,wed,fri", "sat sun".
pub fn parse_days(text: &str) -> Option<Option<Vec<u8>>> {
    let t = text.trim().to_lowercase();
    match t.as_str() {
        "every day" | "everyday" | "daily" | "all" | "every-day" => return Some(None),
        "weekdays" | "school days" | "mon-fri" | "monday-friday" => {
            return Some(Some(vec![0, 1, 2, 3, 4]))
        }
        "weekends" | "weekend" | "sat-sun" => return Some(Some(vec![5, 6])),
        _ => {}
    }
    let day = |w: &str| {
        DAY_NAMES
            .iter()
            .position(|d| w.starts_with(d) && w.len() >= 3)
            .map(|i| i as u8)
    };
    let mut days = Vec::new();
    for part in t.split([',', ' ']).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                if a > b {
                    return None;
                }
                days.extend(a..=b);
            }
            None => days.push(day(part)?),
        }
    }
    days.sort_unstable();
    days.dedup();
    (!days.is_empty()).then_some(Some(days))
}

pub(crate) fn describe_days(days: Option<&[u8]>) -> String {
    match days.filter(|d| !d.is_empty()) {
        None => "every day".to_string(),
        Some(d) if d == [0, 1, 2, 3, 4] => "Monday to Friday".to_string(),
        Some(d) => d
            .iter()
            .map(|&i| DAY_NAMES[usize::from(i).min(6)])
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// An id given as a number or a Discord mention (`<#1>`, `<@&2>`); `none` clears.
fn parse_id(text: &str) -> Option<Option<u64>> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("none") || t.eq_ignore_ascii_case("off") {
        return Some(None);
    }
    t.trim_start_matches("<#")
        .trim_start_matches("<@&")
        .trim_end_matches('>')
        .parse()
        .ok()
        .map(Some)
}

/// Whether `role` can be pinged, by the edge's list of the server's
/// mentionable roles (`None`: the edge did not say).
fn mentionable(request: &Request, role: u64) -> Option<bool> {
    request
        .option("mentionable_roles")
        .map(|roles| roles.split(',').any(|id| id.trim().parse() == Ok(role)))
}

pub fn settings(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request)?;
    let server = app.store.settings(guild)?;
    let all = app.store.classes(guild)?;
    let sub = subcommand(request);
    let class = match super::classes::named(request, &all)? {
        Some(class) => Some(class.clone()),
        // A server with classes posts in its classes' channels.
        None if sub == Some("channel") && !all.is_empty() => match all.as_slice() {
            [only] => Some(only.clone()),
            _ => {
                return Err(Error::user(
                    "This server has several classes, each posting in its own channel: name the class, e.g. `/settings channel class:10A channel:#10a-history`.",
                ))
            }
        },
        None => None,
    };
    let Some(mut class) = class else {
        if matches!(sub, Some("show") | None) {
            return show(app, guild, request);
        }
        let mut s = server;
        let done = apply(request, &mut s)?;
        app.store.save_settings(guild, &s, request.now)?;
        // The time zone is held in memory for the lookups (`/date today`).
        app.refresh_guild(guild)?;
        return Ok(Reply::ephemeral_text(done).title("Settings saved"));
    };
    if matches!(sub, Some("show") | None) {
        return Ok(
            Reply::ephemeral_text(super::classes::describe(app, &class, &server, request)).title(
                format!("Settings of the class {}", escape_markdown(&class.name)),
            ),
        );
    }
    if matches!(sub, Some("teacher-role" | "competitions")) {
        return Err(Error::user(
            "That is a setting of the whole server: leave out `class:`.",
        ));
    }
    // The class's own values in the server's shape, so every setting reads
    // and answers the same way for a class as for the server.
    let own = &class.settings;
    let mut s = GuildSettings {
        timezone: own.timezone.clone(),
        channel: Some(class.channel),
        post_time: own.post_time.clone(),
        post_days: own.post_days.clone(),
        ping_role: own.ping_role,
        ..server.clone()
    };
    let done = apply(request, &mut s)?;
    class.channel = s
        .channel
        .ok_or_else(|| Error::user("A class always has a channel: name another one, or remove the class with `/class remove`."))?;
    classes::check_new(&all, Some(class.id), &class.name, class.channel)?;
    class.settings.timezone = s.timezone;
    class.settings.post_time = s.post_time;
    class.settings.post_days = s.post_days;
    class.settings.ping_role = s.ping_role;
    app.store
        .save_class(&class, &classes::name_key(&class.name))?;
    Ok(Reply::ephemeral_text(format!(
        "{} (class {})",
        done.trim_end_matches('.'),
        escape_markdown(&class.name)
    ))
    .title("Settings saved"))
}

/// Applies one `/settings` subcommand to `s`; returns what to tell the teacher.
fn apply(request: &Request, s: &mut GuildSettings) -> Result<String, Error> {
    let value = |name: &str| {
        request
            .option(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let done = match subcommand(request) {
        Some("show") | None => return Err(Error::user("Use `/settings show`.")),
        Some("channel") => {
            let id = value("channel").and_then(parse_id).ok_or_else(|| Error::user("Name the channel, e.g. `/settings channel #history`, or `none` to stop posting."))?;
            s.channel = id;
            match id {
                Some(id) => format!("The daily question will be posted in {}.", mention::channel(id)),
                None => "The daily question will not be posted any more (students can still use /daily).".to_string(),
            }
        }
        Some("time") => {
            let text = value("time")
                .ok_or_else(|| Error::user("Give a time like `07:30` (24-hour clock)."))?;
            let time = parse_time(text).ok_or_else(|| {
                Error::user(format!(
                    "\"{}\" is not a time like `07:30` (24-hour clock).",
                    crate::markup::quote(text)
                ))
            })?;
            s.post_time = Some(time.format("%H:%M").to_string());
            format!(
                "The daily question will be posted at {} (server time zone).",
                time.format("%H:%M")
            )
        }
        Some("timezone") => {
            let text = value("timezone").ok_or_else(|| {
                Error::user("Give an IANA time zone such as `Europe/London` or `America/New_York`.")
            })?;
            let tz: chrono_tz::Tz = text.parse().map_err(|_| Error::user(format!("\"{}\" is not a time zone I know. Use an IANA name such as `Europe/London`, `Europe/Berlin` or `America/Chicago`.", crate::markup::quote(text))))?;
            s.timezone = Some(tz.name().to_string());
            format!("This server's time zone is now {}.", tz.name())
        }
        Some("days") => {
            let text = value("days").ok_or_else(|| {
                Error::user("Give the days, e.g. `mon-fri`, `every day` or `mon,wed,fri`.")
            })?;
            let days = parse_days(text).ok_or_else(|| {
                Error::user(format!(
                    "\"{}\" is not a list of days. Try `mon-fri`, `every day` or `mon,wed,fri`.",
                    crate::markup::quote(text)
                ))
            })?;
            s.post_days = days;
            format!(
                "The daily question will be posted {}. Paused days do not break streaks.",
                describe_days(s.post_days.as_deref())
            )
        }
        Some("role") => {
            let id = value("role").and_then(parse_id).ok_or_else(|| {
                Error::user("Name the role to mention in the daily post, or `none`.")
            })?;
            s.ping_role = id;
            match id {
                Some(id) => format!("The daily post will mention {}. The role must be mentionable (Server Settings > Roles) for the mention to ping.", mention::role(id)),
                None => "The daily post will not mention anyone.".to_string(),
            }
        }
        Some("teacher-role") => {
            let id = value("role")
                .and_then(parse_id)
                .ok_or_else(|| Error::user("Name the teachers' role, or `none`."))?;
            s.teacher_role = id;
            match id {
                Some(id) => {
                    format!(
                        "Members with {} now count as teachers for studybot's buttons.",
                        mention::role(id)
                    )
                }
                None => "Only members with Manage Server count as teachers.".to_string(),
            }
        }
        Some("competitions") => {
            let who = value("who").map(str::to_lowercase);
            s.competitions_teachers_only = match who.as_deref() {
                Some("teachers") | Some("teacher") => true,
                Some("everyone") | Some("all") => false,
                _ => {
                    return Err(Error::user(
                        "Say who may start a competition: `everyone` or `teachers`.",
                    ))
                }
            };
            if s.competitions_teachers_only {
                "Only teachers can start a competition now.".to_string()
            } else {
                "Everyone can start a competition now.".to_string()
            }
        }
        Some(other) => {
            return Err(Error::user(format!(
                "There is no setting `{}`.",
                crate::markup::quote(other)
            )))
        }
    };
    Ok(done)
}

fn show(app: &App, guild: GuildId, request: &Request) -> Result<Reply, Error> {
    let s = app.store.settings(guild)?;
    let tz = schedule::timezone(&s, app.timezone);
    let unset = "not set";
    let mut reply = Reply::new(
        "studybot posts a daily question in the class channel at the time you choose. Set `/settings channel` and `/settings time` to start; students can always use /daily, /quiz, /explain and /date.",
    )
    .title("studybot settings")
    .field("Channel", s.channel.map(mention::channel).unwrap_or_else(|| unset.to_string()))
    .field("Time", s.post_time.clone().unwrap_or_else(|| unset.to_string()))
    .field(
        "Time zone",
        match &s.timezone {
            Some(t) => t.clone(),
            None => format!("{} (the bot's default)", app.timezone.name()),
        },
    )
    .field("Days", describe_days(s.post_days.as_deref()))
    .field(
        "Mention in the daily post",
        // The Discord edge passes the server's mentionable roles (an edge
        // fact of `/settings show` in the command table) when it knows them.
        match s.ping_role.map(|r| (r, mentionable(request, r))) {
            None => "nobody".to_string(),
            Some((r, Some(false))) => format!(
                "{}: **this role is not mentionable**, so the daily post cannot ping it. Make it mentionable under Server Settings > Roles, or give studybot the Mention @everyone permission.",
                mention::role(r)
            ),
            Some((r, Some(true))) => mention::role(r),
            Some((r, None)) => format!("{} (the role must be mentionable to ping)", mention::role(r)),
        },
    )
    .field("Teacher role", s.teacher_role.map(mention::role).unwrap_or_else(|| "Manage Server only".to_string()))
    .field(
        "Competitions",
        if s.competitions_teachers_only { "teachers start them" } else { "anyone can start one" },
    );
    if let (Some(_), Some(time)) = (s.channel, s.post_time.as_deref().and_then(parse_time)) {
        let mut day = request.now.with_timezone(&tz).date_naive();
        for _ in 0..8 {
            let at = schedule::post_instant(tz, day, time);
            if schedule::posts_on(day, s.post_days.as_deref()) && at > request.now {
                reply = reply.field("Next post", mention::time(at, 'F'));
                break;
            }
            day = day.succ_opt().unwrap_or(day);
        }
    }
    let classes = app.store.classes(guild)?;
    if !classes.is_empty() {
        let lines: Vec<String> = classes
            .iter()
            .map(|c| super::classes::describe(app, c, &s, request))
            .collect();
        reply = reply.field(
            "Classes (each posts in its own channel)",
            crate::markup::fit(&lines.join("\n"), 1024),
        );
    }
    if let Some(season) = app.store.open_season(guild)? {
        reply = reply.field(
            "Season",
            format!(
                "\"{}\" since {}",
                escape_markdown(&season.name),
                mention::time(season.started_at, 'D')
            ),
        );
    }
    if let Some(problem) = app.store.post_problem(guild)? {
        reply = reply.field("Problem with the daily post", problem);
    }
    if let Some(problem) = app.store.write_problem() {
        reply = reply.field(
            "Problem with the database",
            crate::markup::fit(
                &format!("studybot cannot save answers or settings right now: {problem}. The bot's operator needs to free disk space or fix the database file's permissions; it recovers by itself afterwards."),
                1024,
            ),
        );
    }
    Ok(reply.ephemeral())
}

pub fn season(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request)?;
    let all = app.store.classes(guild)?;
    if let Some(class) = super::classes::named(request, &all)? {
        return class_season(app, request, guild, class);
    }
    match subcommand(request) {
        Some("start") => {
            let name = season_name(request);
            if let Some(open) = app.store.open_season(guild)? {
                return Err(Error::user(format!(
                    "The season \"{}\" is still running. End it with /season end first.",
                    escape_markdown(&open.name)
                )));
            }
            let season = app.store.start_season(guild, &name, request.now)?;
            Ok(Reply::new(format!(
                "Season \"{}\" has started. `/leaderboard period:season` shows its standings.",
                escape_markdown(&season.name)
            ))
            .title("New season"))
        }
        Some("end") => {
            let season = app.store.open_season(guild)?.ok_or_else(|| {
                Error::user("No season is running. Start one with /season start.")
            })?;
            Ok(Reply::ephemeral_text(format!(
                "End the season \"{}\"? Its standings are kept and can still be shown, but new answers will no longer count towards it.",
                escape_markdown(&season.name)
            ))
            .title("End the season?")
            .button(
                "End the season",
                CustomId::EndSeason { season: season.id, teacher: request.user.0 }.encode(),
                ButtonStyle::Danger,
            ))
        }
        _ => Err(Error::user("Use `/season start` or `/season end`.")),
    }
}

/// The name `/season start` gives, cut to fit.
fn season_name(request: &Request) -> String {
    let name = request
        .option("name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("Season");
    crate::markup::fit(name, 60)
}

/// `/season start|end class:`: a season of the class's own. Its board is
/// the class's alone; the server's season (if one runs) goes on counting
/// the class's answers too, and a class without a season of its own shows
/// the server's.
fn class_season(
    app: &App,
    request: &Request,
    guild: GuildId,
    class: &classes::Class,
) -> Result<Reply, Error> {
    let class_name = format!("**{}**", escape_markdown(&class.name));
    match subcommand(request) {
        Some("start") => {
            let name = season_name(request);
            if let Some(open) = app.store.open_class_season(guild, class.id)? {
                return Err(Error::user(format!(
                    "The class {class_name}'s season \"{}\" is still running. End it with `/season end class:{}` first.",
                    escape_markdown(&open.name),
                    class.name
                )));
            }
            let season = app
                .store
                .start_class_season(guild, class.id, &name, request.now)?;
            Ok(Reply::new(format!(
                "Season \"{}\" has started for the class {class_name}. `/leaderboard period:season` in {} shows its standings; the server's own season is not changed.",
                escape_markdown(&season.name),
                mention::channel(class.channel)
            ))
            .title("New class season"))
        }
        Some("end") => {
            let season = app.store.open_class_season(guild, class.id)?.ok_or_else(|| {
                Error::user(format!(
                    "The class {class_name} has no season of its own running. Start one with `/season start class:{}`.",
                    class.name
                ))
            })?;
            Ok(Reply::ephemeral_text(format!(
                "End the class {class_name}'s season \"{}\"? Its standings are kept, but new answers will no longer count towards it.",
                escape_markdown(&season.name)
            ))
            .title("End the class's season?")
            .button(
                "End the season",
                CustomId::EndClassSeason {
                    class: class.id,
                    season: season.id,
                    teacher: request.user.0,
                }
                .encode(),
                ButtonStyle::Danger,
            ))
        }
        _ => Err(Error::user("Use `/season start` or `/season end`.")),
    }
}

/// The top ten of a board that has just closed.
fn final_standings(
    app: &App,
    request: &Request,
    guild: GuildId,
    period: &str,
) -> Result<String, Error> {
    let board = app.store.leaderboard(guild, period, 10, request.user)?;
    let standings: Vec<String> = board
        .top
        .iter()
        .map(|s| {
            format!(
                "**{}.** **{}** — {} points",
                s.rank,
                escape_markdown(&crate::markup::fit(&s.name, 32)),
                s.points
            )
        })
        .collect();
    Ok(if standings.is_empty() {
        "Nobody scored this season.".to_string()
    } else {
        standings.join("\n")
    })
}

/// The season-end confirmation button: only the teacher who asked may press it.
pub fn confirm_end_season(
    app: &App,
    request: &Request,
    guild: GuildId,
    season_id: i64,
) -> Result<Reply, Error> {
    let open = app.store.open_season(guild)?;
    match open {
        Some(season) if season.id == season_id => {
            app.store.end_season(guild, request.now)?;
            let standings =
                final_standings(app, request, guild, &crate::quiz::season_key(season.id))?;
            Ok(Reply::new(standings).title(format!(
                "Season \"{}\" has ended: final standings",
                escape_markdown(&season.name)
            )))
        }
        _ => Err(Error::user("That season has already ended.")),
    }
}

/// The confirmation button of `/season end class:` (the teacher guard has run).
pub fn confirm_end_class_season(
    app: &App,
    request: &Request,
    guild: GuildId,
    class: i64,
    season_id: i64,
) -> Result<Reply, Error> {
    let all = app.store.classes(guild)?;
    let class = all
        .iter()
        .find(|c| c.id == class)
        .ok_or_else(|| Error::user("That class has been removed."))?;
    match app.store.open_class_season(guild, class.id)? {
        Some(season) if season.id == season_id => {
            app.store.end_class_season(guild, class.id, request.now)?;
            let period = classes::class_period(class.id, &classes::season_key(season.id));
            let standings = final_standings(app, request, guild, &period)?;
            Ok(Reply::new(standings).title(format!(
                "{}'s season \"{}\" has ended: final standings",
                escape_markdown(&class.name),
                escape_markdown(&season.name)
            )))
        }
        _ => Err(Error::user("That season has already ended.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_as_teachers_write_them() {
        assert_eq!(parse_days("mon-fri"), Some(Some(vec![0, 1, 2, 3, 4])));
        assert_eq!(parse_days("Every day"), Some(None));
        assert_eq!(parse_days("mon, wed,fri"), Some(Some(vec![0, 2, 4])));
        assert_eq!(parse_days("tue-thu sat"), Some(Some(vec![1, 2, 3, 5])));
        assert_eq!(parse_days("fri-mon"), None);
        assert_eq!(parse_days("someday"), None);
        assert_eq!(describe_days(Some(&[0, 1, 2, 3, 4])), "Monday to Friday");
        assert_eq!(parse_id("<#123>"), Some(Some(123)));
        assert_eq!(parse_id("<@&9>"), Some(Some(9)));
        assert_eq!(parse_id("none"), Some(None));
        assert_eq!(parse_id("#general"), None);
    }
}

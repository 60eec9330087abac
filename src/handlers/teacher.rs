//! Teacher tools for running a class week after week: `/export scores`
//! (a CSV safe to open in a spreadsheet), `/student remove` (one student's
//! answers and scores gone from this server), `/class report` (what the
//! class keeps getting wrong this season), `/pack reports` (students'
//! reports of problems, with a button to disable the question) and
//! `/score accept` (an answer marked wrong counted as right after all).
//!
//! Every tool needs a teacher (Manage Server, or the server's teacher role)
//! and works on the asker's server only. Nothing here knows Discord: the
//! export is a `Reply` attachment that each edge delivers its own way.

use super::quiz::guild_of;
use crate::app::App;
use crate::error::Error;
use crate::markup::mention;
use crate::markup::{escape_markdown, fit};
use crate::quiz;
use crate::reply::{Attachment, Reply};
use crate::request::{GuildId, Request, UserId};
use std::collections::BTreeMap;

pub(crate) fn teacher_guild(app: &App, request: &Request) -> Result<GuildId, Error> {
    let guild = guild_of(request)?;
    if !super::is_teacher(app, request, guild)? {
        return Err(Error::user(
            "Only teachers can use this (Manage Server, or the teacher role).",
        ));
    }
    Ok(guild)
}

/// One CSV cell. Line breaks and other control characters become spaces
/// and bidirectional overrides are dropped (a display name must not split a
/// row or reorder the columns after it on screen). A spreadsheet runs a cell
/// that starts with `=`, `+`, `-` or `@` as a formula, so such a cell gets a
/// leading apostrophe; then the usual quoting.
pub fn csv_cell(text: &str) -> String {
    let text: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let safe = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text
    };
    if safe.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

/// `/export scores [season] [class]`: the scores as CSV. Without `season`,
/// all time; `current` (or the running season's name) or a past season's
/// name exports that season. With `class:`, that class's board: its own
/// seasons first (`current` is its own running season, else the server's),
/// then the server's.
pub fn export(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request)?;
    if request.subcommand() != Some("scores") {
        return Err(Error::user("Use `/export scores`."));
    }
    let all = app.store.classes(guild)?;
    let class = super::classes::named(request, &all)?;
    let wanted = request
        .option("season")
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (period, label, file) = match wanted {
        None => (
            "all".to_string(),
            "all time".to_string(),
            "scores-all-time.csv".to_string(),
        ),
        Some(name) => {
            let current = name.eq_ignore_ascii_case("current");
            let named = |s: &crate::store::Season| s.name.trim().eq_ignore_ascii_case(name);
            // A class's own season: its period is the class's own key.
            let own = match class {
                Some(class) if current => app.store.open_class_season(guild, class.id)?,
                Some(class) => app
                    .store
                    .class_seasons(guild, class.id)?
                    .into_iter()
                    .find(|s| named(s)),
                None => None,
            };
            match own {
                Some(season) => (
                    crate::classes::season_key(season.id),
                    format!("season \"{}\"", escape_markdown(&season.name)),
                    format!("scores-class-season-{}.csv", season.id),
                ),
                None => {
                    let season = if current {
                        app.store.open_season(guild)?
                    } else {
                        app.store.seasons(guild)?.into_iter().find(|s| named(s))
                    }
                    .ok_or_else(|| {
                        Error::user(format!(
                            "There is no season \"{}\" in this server. Use `current` or a season's name.",
                            crate::markup::quote(name)
                        ))
                    })?;
                    (
                        quiz::season_key(season.id),
                        format!("season \"{}\"", escape_markdown(&season.name)),
                        format!("scores-season-{}.csv", season.id),
                    )
                }
            }
        }
    };
    // `class:` narrows it to one class's board (the same period, counted
    // for the class alone).
    let (period, label, file) = match class {
        Some(class) => (
            crate::classes::class_period(class.id, &period),
            format!("{}, {label}", escape_markdown(&class.name)),
            format!(
                "scores-class-{}-{}",
                class.id,
                file.trim_start_matches("scores-")
            ),
        ),
        None => (period, label, file),
    };
    let rows = app.store.export_rows(guild, &period)?;
    let mut csv = String::from("user_id,display_name,answered,correct,points,streak\r\n");
    for row in &rows {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            row.user.0,
            csv_cell(&row.name),
            row.answered,
            row.correct,
            row.points,
            row.streak
        ));
    }
    let mut reply = Reply::new(format!(
        "Scores of {} student{} ({label}), most points first. Names are the ones last seen.",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    ))
    .title("Score export")
    .ephemeral();
    reply.attachments.push(Attachment {
        name: file,
        media_type: "text/csv".to_string(),
        data: csv.into_bytes(),
    });
    Ok(reply)
}

/// `/student remove <user>`: deletes one student's answers and scores in
/// this server.
pub fn student(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request)?;
    if request.subcommand() != Some("remove") {
        return Err(Error::user("Use `/student remove`."));
    }
    let user = request
        .id("user")
        .ok_or_else(|| Error::user("Name the student to remove, e.g. `/student remove @name`."))?;
    let removed = app.store.remove_student(guild, UserId(user))?;
    if removed.answers + removed.competition_answers + removed.totals == 0 {
        return Ok(Reply::ephemeral_text(format!(
            "{} has no answers or scores in this server; nothing was removed.",
            mention::user(user)
        ))
        .title("Nothing to remove"));
    }
    Ok(Reply::ephemeral_text(format!(
        "Removed {}'s {} answer{} (and {} competition answer{}) and their place on {} leaderboard{} in this server.",
        mention::user(user),
        removed.answers,
        if removed.answers == 1 { "" } else { "s" },
        removed.competition_answers,
        if removed.competition_answers == 1 { "" } else { "s" },
        removed.totals,
        if removed.totals == 1 { "" } else { "s" },
    ))
    .title("Student removed"))
}

fn percent(correct: u64, answered: u64) -> u64 {
    (correct * 100 + answered / 2) / answered.max(1)
}

/// `/class report [class]`: the weakest questions and tags of the season
/// (all time when no season runs), so the next lesson can revisit them.
/// With `class:`, the class's students only (those on its board), their
/// answers to its own daily questions and their practice, over the class's
/// own season if it runs one, else the server's.
pub fn class_report(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request)?;
    let all = app.store.classes(guild)?;
    let class = super::classes::named(request, &all)?;
    let own_season = match class {
        Some(class) => app.store.open_class_season(guild, class.id)?,
        None => None,
    };
    let season = match own_season {
        Some(season) => Some(season),
        None => app.store.open_season(guild)?,
    };
    let since = season.as_ref().map(|s| s.started_at);
    let results = match class {
        Some(class) => app.store.class_report_results(guild, class.id, since)?,
        None => app.store.class_results(guild, since)?,
    };
    let span = match &season {
        Some(s) => format!("season \"{}\"", escape_markdown(&s.name)),
        None => "all time".to_string(),
    };
    let title = match class {
        Some(class) => format!("Class report: {}, {span}", escape_markdown(&class.name)),
        None => format!("Class report: {span}"),
    };
    if results.is_empty() {
        return Ok(
            Reply::ephemeral_text("Nobody has answered a question yet in this period.")
                .title(title),
        );
    }
    let library = app.library_for(Some(guild))?;
    let mut questions: Vec<(String, u64, u64)> = Vec::new();
    let mut tags: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in &results {
        let Some((_, question)) = quiz::find(&library.content, &r.question) else {
            continue;
        };
        questions.push((question.prompt.clone(), r.answered, r.correct));
        for tag in &question.tags {
            let t = tags.entry(tag.clone()).or_default();
            t.0 += r.answered;
            t.1 += r.correct;
        }
    }
    // Weakest first; among equals, the more answered (the surer signal).
    questions.sort_by(|a, b| {
        percent(a.2, a.1)
            .cmp(&percent(b.2, b.1))
            .then(b.1.cmp(&a.1))
            .then(a.0.cmp(&b.0))
    });
    let mut tag_list: Vec<(String, u64, u64)> =
        tags.into_iter().map(|(t, (a, c))| (t, a, c)).collect();
    tag_list.sort_by(|a, b| {
        percent(a.2, a.1)
            .cmp(&percent(b.2, b.1))
            .then(b.1.cmp(&a.1))
            .then(a.0.cmp(&b.0))
    });
    let answered: u64 = results.iter().map(|r| r.answered).sum();
    let correct: u64 = results.iter().map(|r| r.correct).sum();
    let weakest_questions = questions
        .iter()
        .take(5)
        .map(|(prompt, a, c)| {
            format!(
                "{}% ({c} of {a}): {}",
                percent(*c, *a),
                escape_markdown(&fit(prompt, 120))
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let weakest_tags = tag_list
        .iter()
        .take(5)
        .map(|(tag, a, c)| format!("`{tag}`: {}% ({c} of {a})", percent(*c, *a)))
        .collect::<Vec<_>>()
        .join("\n");
    let mut reply = Reply::new(format!(
        "{answered} answers to {} questions, {}% correct.",
        results.len(),
        percent(correct, answered)
    ))
    .title(title)
    .field("Weakest questions", fit(&weakest_questions, 1024));
    if !weakest_tags.is_empty() {
        reply = reply.field("Weakest topics", fit(&weakest_tags, 1024));
    }
    Ok(reply.ephemeral())
}

/// "Report a problem" under a question: the student's typed report is kept
/// for the server's teachers (`/pack reports`).
pub fn report(app: &App, request: &Request, instance: i64) -> Result<Reply, Error> {
    let guild = request.guild.ok_or_else(|| {
        Error::user(
            "Reports go to a server's teachers: report the question from your class server.",
        )
    })?;
    let instance = app
        .store
        .instance(instance)?
        .ok_or_else(|| Error::user("That question does not exist (any more)."))?;
    let text = request
        .input()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::user("Say what is wrong in the box the button opens."))?;
    app.store.add_report(
        guild,
        request.user,
        &instance.question,
        &fit(text, 500),
        request.now,
    )?;
    Ok(
        Reply::ephemeral_text("Thank you! Your teachers will see your report in `/pack reports`.")
            .title("Problem reported"),
    )
}

/// `/pack reports`: the open reports, newest first, each with a button
/// that disables its question in this server.
pub fn reports(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request)?;
    let reports = app.store.open_reports(guild, 10)?;
    if reports.is_empty() {
        return Ok(Reply::ephemeral_text(
            "No open reports. Students report problems with the button under each question.",
        )
        .title("Reports"));
    }
    let library = app.library_for(Some(guild))?;
    let mut reply = Reply::new(format!(
        "{} open report{}, newest first. Disabling a question stops it being asked in this server.",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" }
    ))
    .title("Reports");
    for (n, r) in reports.iter().enumerate() {
        let prompt = quiz::find(&library.content, &r.question)
            .map(|(_, q)| fit(&q.prompt, 150))
            .unwrap_or_else(|| "(no longer in the content)".to_string());
        reply = reply.field(
            fit(&format!("{}. {}", n + 1, r.question), 256),
            fit(
                &format!(
                    "{}\n{}: \"{}\"",
                    escape_markdown(&prompt),
                    mention::user(r.user.0),
                    escape_markdown(&r.text)
                ),
                1024,
            ),
        );
        reply = reply.button(
            format!("Disable question {}", n + 1),
            crate::custom_id::CustomId::DisableQuestion {
                report: r.id,
                teacher: request.user.0,
            }
            .encode(),
            crate::reply::ButtonStyle::Danger,
        );
    }
    Ok(reply.ephemeral())
}

/// The "Disable question" button of `/pack reports`: only the teacher who
/// listed the reports can press it.
pub fn disable_reported(
    app: &App,
    request: &Request,
    guild: GuildId,
    report: i64,
) -> Result<Reply, Error> {
    let report = app
        .store
        .report(report)?
        .filter(|r| r.guild == guild)
        .ok_or_else(|| Error::user("That report does not belong to this server."))?;
    app.store
        .disable_question(report.guild, &report.question, request.user, request.now)?;
    Ok(Reply::ephemeral_text(format!(
        "`{}` will no longer be asked in this server (daily, /quiz, /review or competitions).",
        report.question
    ))
    .title("Question disabled"))
}

/// How many of a student's wrong answers `/score accept` lists.
const ACCEPT_LISTED: usize = 5;

/// `/score accept user:<student>`: the student's latest daily answers marked
/// wrong, each with a button that counts it as right.
pub fn score(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = teacher_guild(app, request)?;
    if request.subcommand() != Some("accept") {
        return Err(Error::user("Use `/score accept`."));
    }
    let user = request
        .id("user")
        .ok_or_else(|| Error::user("Name the student, e.g. `/score accept @name`."))?;
    let wrong = app
        .store
        .wrong_daily_answers(guild, UserId(user), ACCEPT_LISTED)?;
    if wrong.is_empty() {
        return Ok(Reply::ephemeral_text(format!(
            "{} has no daily answers marked wrong in this server.",
            mention::user(user)
        ))
        .title("Accept an answer"));
    }
    let library = app.library_for(Some(guild))?;
    let mut reply = Reply::new(format!(
        "{}'s latest daily answers marked wrong, newest first. Accepting one counts it as right, gives its points (without a streak bonus) on every leaderboard it counted on, and mends the daily streak it broke.",
        mention::user(user)
    ))
    .title("Accept an answer");
    for (n, a) in wrong.iter().enumerate() {
        let (prompt, expected) = match quiz::find(&library.content, &a.question) {
            Some((_, q)) => (fit(&q.prompt, 200), quiz::correct_answer(q)),
            None => ("(no longer in the content)".to_string(), String::new()),
        };
        reply = reply.field(
            fit(&format!("{}. {} ({})", n + 1, a.question, a.day), 256),
            fit(
                &format!(
                    "{}
Answered: \"{}\"{}",
                    escape_markdown(&prompt),
                    escape_markdown(&fit(&a.answer, 200)),
                    if expected.is_empty() {
                        String::new()
                    } else {
                        format!(" · expected: {}", escape_markdown(&expected))
                    }
                ),
                1024,
            ),
        );
        reply = reply.button(
            format!("Accept answer {}", n + 1),
            crate::custom_id::CustomId::AcceptAnswer {
                answer: a.id,
                teacher: request.user.0,
            }
            .encode(),
            crate::reply::ButtonStyle::Success,
        );
    }
    Ok(reply.ephemeral())
}

/// The class boards an accepted answer also gets its points on: those of
/// the class whose daily question it answered, if it counted for the class
/// when given (the student is on the class's board: a visitor without the
/// class's role is not), with the class's own season then running.
fn class_periods_of(
    app: &App,
    guild: GuildId,
    answer: &crate::store::ScoredAnswer,
    server_periods: &[String],
) -> Result<Vec<String>, Error> {
    let class = match app.store.instance(answer.instance)? {
        Some(instance) if instance.class != 0 => instance.class,
        _ => return Ok(Vec::new()),
    };
    let board = crate::classes::class_period(class, "all");
    if app
        .store
        .leaderboard(guild, &board, 1, answer.user)?
        .caller
        .is_none()
    {
        return Ok(Vec::new());
    }
    let own_season = app
        .store
        .class_seasons(guild, class)?
        .into_iter()
        .find(|s| s.started_at <= answer.at && s.ended_at.is_none_or(|end| answer.at < end))
        .map(|s| s.id);
    Ok(crate::classes::periods(class, server_periods, own_season))
}

/// The "Accept answer" button of `/score accept`: only the teacher who
/// listed the answers, in their server. The answer gets its question's
/// points on the leaderboards it counted on when given (all time, its week,
/// the season then running), and the student's streak is rebuilt as if the
/// answer had been marked right (a wrong mark had ended it); the streak
/// bonus it would have earned is not added.
pub fn accept_answer(
    app: &App,
    request: &Request,
    guild: GuildId,
    answer: i64,
) -> Result<Reply, Error> {
    let answer = app
        .store
        .scored_answer(answer)?
        .filter(|a| a.guild == guild)
        .ok_or_else(|| Error::user("That answer does not belong to this server."))?;
    if answer.correct {
        return Ok(Reply::ephemeral_text(format!(
            "{}'s answer \"{}\" already counts as right.",
            mention::user(answer.user.0),
            escape_markdown(&fit(&answer.answer, 200))
        ))
        .title("Already accepted"));
    }
    let library = app.library_for(Some(guild))?;
    let (_, question) = quiz::find(&library.content, &answer.question).ok_or_else(|| {
        Error::user(
            "That question is no longer in this server's content, so its points are unknown.",
        )
    })?;
    let points = quiz::points_for(question.difficulty);
    let season = app
        .store
        .seasons(guild)?
        .into_iter()
        .find(|s| s.started_at <= answer.at && s.ended_at.is_none_or(|end| answer.at < end));
    let mut periods = quiz::periods(answer.day, season.as_ref());
    periods.extend(class_periods_of(app, guild, &answer, &periods)?);
    let settings = app.store.settings(guild)?;
    // The streak is rebuilt by the calendar of the question's class (its
    // days and pauses), as its answers were counted.
    let class = match app.store.instance(answer.instance)? {
        Some(instance) if instance.class != 0 => app
            .store
            .classes(guild)?
            .into_iter()
            .find(|c| c.id == instance.class),
        _ => None,
    };
    let resolved = class
        .as_ref()
        .map(|c| super::classes::resolve(app, c, &settings));
    let (post_days, paused) = match &resolved {
        Some(r) => (r.post_days.clone(), r.paused.clone()),
        None => (settings.post_days.clone(), Default::default()),
    };
    let calendar = (post_days.clone(), paused.clone());
    let rebuild: crate::store::StreakRebuild = std::sync::Arc::new(move |stored, daily| {
        quiz::rebuild_streak_skipping(stored, daily, calendar.0.as_deref(), &calendar.1)
    });
    let Some(streak) = app
        .store
        .accept_answer(answer.id, points, &periods, &rebuild)?
    else {
        return Ok(
            Reply::ephemeral_text("That answer already counts as right.").title("Already accepted"),
        );
    };
    let today = match &resolved {
        Some(r) => r.local_day(request.now),
        None => crate::schedule::local_day(&settings, app.timezone, request.now),
    };
    let days = quiz::streak_on_skipping(&streak, today, post_days.as_deref(), &paused);
    Ok(Reply::ephemeral_text(format!(
        "{}'s answer \"{}\" to `{}` ({}) now counts as right: +{points} points. Daily streak: {days} day{} (best {}).",
        mention::user(answer.user.0),
        escape_markdown(&fit(&answer.answer, 200)),
        answer.question,
        answer.day,
        if days == 1 { "" } else { "s" },
        streak.best,
    ))
    .title("Answer accepted"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_defused_and_quoted() {
        assert_eq!(csv_cell("Ada"), "Ada");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), " x");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("line\nbreak"), "line break");
        assert_eq!(csv_cell("Ann\u{202E}001\u{2066}"), "Ann001");
        assert_eq!(csv_cell("x\r\n=1"), "x  =1");
        assert_eq!(csv_cell("Zoë \"Z\""), "\"Zoë \"\"Z\"\"\"");
    }
}

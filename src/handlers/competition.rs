//! Group quiz competitions: timed rounds in a channel, speed points, a podium.
//!
//! Everything a competition is lives in the store (its rounds, chosen up
//! front, and every answer), so a restart resumes it where it was. The
//! engine is driven from outside: `/competition start` and `stop` are
//! commands, presses are answers, and [`advance`] closes the round that is
//! due and opens the next; the Discord edge calls it from a runner task and
//! `studybot ask tick` calls it for scripts and tests. Nothing here knows
//! Discord, and the time always comes from the caller (an injected clock).
//!
//! A competition may be played in teams (`team_mode:`): the teams are drawn
//! here when it starts (with [`crate::teams`], which owns the rules) and
//! stored with it, a player who was not in a team joins one with their first
//! answer, and the results and the podium rank the teams by the mean of
//! their members' points beside each student's own.

use super::quiz::{
    difficulty_label, display_name, guild_of, matching_questions, question_filter, remember,
    source_titles,
};
use crate::app::App;
use crate::content::Question;
use crate::custom_id::CustomId;
use crate::error::Error;
use crate::markup::mention;
use crate::markup::{escape_markdown, fit};
use crate::quiz;
use crate::reply::Reply;
use crate::request::Request;
use crate::request::UserId;
use crate::store::{
    Competition, CompetitionStatus, CompetitionTeam, NewCompetition, NewCompetitionAnswer,
    RecordOutcome, Round,
};
use crate::teams::{self, Assignment, Team, TeamError, TeamMode, TeamScore};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub const DEFAULT_ROUNDS: u32 = 5;
pub const MIN_ROUNDS: u32 = 1;
pub const MAX_ROUNDS: u32 = 20;
pub const DEFAULT_SECONDS: u32 = 20;
pub const MIN_SECONDS: u32 = 10;
pub const MAX_SECONDS: u32 = 120;

/// The words `team_mode` takes (the command table's choice).
pub const TEAM_MODES: &[&str] = &["individual", "class", "role", "random"];

/// The house role options of `/competition start team_mode:role`, in the
/// order their teams are listed.
const HOUSE_OPTIONS: [&str; 4] = ["house1", "house2", "house3", "house4"];

impl From<TeamError> for Error {
    fn from(e: TeamError) -> Self {
        Error::user(e.to_string())
    }
}

/// Points for a correct answer: the question's points when instant, falling
/// linearly to half of them at the deadline (classroom quiz games score
/// speed this way), rounded.
pub fn speed_points(base: i64, elapsed_ms: i64, duration_ms: i64) -> i64 {
    let fraction = elapsed_ms.clamp(0, duration_ms.max(1)) as f64 / duration_ms.max(1) as f64;
    (base as f64 * (1.0 - fraction / 2.0)).round() as i64
}

/// The bonus for a run of `run` correct rounds in a row (this one
/// included): the daily streak's rule, 2 points per round beyond the first,
/// at most 10.
pub fn run_bonus(run: u32) -> i64 {
    quiz::streak_bonus(run)
}

/// Something the edge must send to a competition's channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub channel: u64,
    pub reply: Reply,
    /// Edit this message instead of sending a new one.
    pub edit: Option<u64>,
    /// The round this message shows: its id is stored once sent, so the
    /// round's buttons can be closed later.
    pub shows_round: Option<u32>,
}

/// What [`advance`] did, and when to call it again (`None`: it is over).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub competition: i64,
    pub posts: Vec<Post>,
    pub next: Option<DateTime<Utc>>,
}

/// The competition running in `channel`, if any (the edge starts its runner).
pub fn running_in(app: &App, channel: u64) -> Result<Option<i64>, Error> {
    Ok(app.store.running_competition_in(channel)?.map(|c| c.id))
}

/// The running competitions of the servers this process owns (resumed
/// after a restart).
pub fn running_here(app: &App) -> Result<Vec<i64>, Error> {
    Ok(app
        .store
        .running_competitions()?
        .into_iter()
        .filter(|c| app.owns(c.guild))
        .map(|c| c.id)
        .collect())
}

/// Notes the message that shows a round, so its results can edit it.
pub fn record_round_message(app: &App, id: i64, round: u32, message: u64) -> Result<(), Error> {
    app.store.set_round_message(id, round, message)?;
    Ok(())
}

/// `/competition start [rounds] [seconds] [tag] [difficulty]`.
pub fn start(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = guild_of(request)?;
    let channel = request
        .channel
        .ok_or_else(|| Error::user("A competition runs in a channel: start it in one."))?;
    if app.store.settings(guild)?.competitions_teachers_only
        && !super::is_teacher(app, request, guild)?
    {
        return Err(Error::user(
            "In this server only teachers can start a competition.",
        ));
    }
    // In range: the command table checked them (see `spec`).
    let option = |name: &str, default: u32| {
        request
            .number(name)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(default)
    };
    let mut rounds = option("rounds", DEFAULT_ROUNDS);
    let mut seconds = option("seconds", DEFAULT_SECONDS);
    let (tag, difficulty) = question_filter(request)?;
    let mode = teams::parse_mode(
        request.option("team_mode"),
        request
            .number("teams")
            .and_then(|n| usize::try_from(n).ok()),
    )?;
    remember(app, request)?;
    let library = app.library_for(Some(guild))?;
    let disabled = super::quiz::disabled_for(app, Some(guild))?;
    let candidates = matching_questions(&library.content, &disabled, tag.as_deref(), difficulty)?;
    // A pack's own settings (`[pack.competition]`: an imported quiz's timing)
    // apply when every question this competition can draw comes from it and
    // the starter left the option out.
    if let Some((first, _)) = candidates.first() {
        if candidates.iter().all(|(pack, _)| pack.id == first.id) {
            let given = |name: &str| request.option(name).is_some_and(|v| !v.trim().is_empty());
            if let Some(pack_rounds) = first.competition.rounds.filter(|_| !given("rounds")) {
                rounds = pack_rounds;
            }
            if let Some(pack_seconds) = first.competition.seconds.filter(|_| !given("seconds")) {
                seconds = pack_seconds;
            }
        }
    }
    let mut rng = quiz::rng(&[request.interaction.0, channel.0, 0xC0]);
    let order = quiz::shuffled(candidates.len(), &mut rng);
    let questions: Vec<(String, Vec<usize>)> = order
        .into_iter()
        .take(rounds as usize)
        .map(|i| {
            let (pack, question) = candidates[i];
            (
                quiz::question_key(pack, question),
                quiz::option_order(question, &mut rng),
            )
        })
        .collect();
    let count = questions.len();
    // Drawn after the questions, from the same seeded stream: the same
    // interaction draws the same questions and the same teams.
    let (assignment, names) = draw_teams(app, request, guild, channel.0, &mode, &mut rng)?;
    let created = app.store.create_competition(&NewCompetition {
        guild,
        channel: channel.0,
        starter: request.user,
        seconds,
        questions,
        created_at: request.now,
        team_mode: mode_text(&mode).to_string(),
        teams: stored_teams(&assignment),
    })?;
    if created.is_none() {
        return Err(Error::user(
            "A competition is already running in this channel. Its starter or a teacher can end it with `/competition stop`.",
        ));
    }
    let mut text = format!(
        "**{count} question{}, {seconds} seconds each.** Answer with the buttons under each question. \
         A correct answer scores its full points when instant, falling to half at the deadline, and a run of \
         correct answers earns a bonus. Points count towards this server's leaderboard. The first question follows now.",
        if count == 1 { "" } else { "s" }
    );
    if (count as u32) < rounds {
        text.push_str(&format!(
            "\n\n(Only {count} question{} matched, so there are fewer rounds.)",
            if count == 1 { "" } else { "s" }
        ));
    }
    if mode == TeamMode::Individual {
        return Ok(Reply::new(text).title("Quiz competition!"));
    }
    text.push_str(&format!(
        "\n\n**Played in teams: {}.** A team scores the mean of its members' points, \
         so a bigger team does not win by being bigger; your own points still count for you. {}",
        team_mode_label(&mode),
        match mode {
            TeamMode::Random { .. } =>
                "A player not drawn joins the smallest team with their first answer.",
            TeamMode::ByClass =>
                "A player not listed joins their class's team with their first answer.",
            _ => "Each player joins their house's team with their first answer.",
        }
    ));
    let mut reply = Reply::new(text).title("Team competition!");
    for team in &assignment.teams {
        reply = reply.field(
            format!(
                "{} ({})",
                escape_markdown(&team.name),
                players(team.members.len() as u64)
            ),
            members_text(&team.members, &names),
        );
    }
    Ok(reply)
}

/// The stored form of a team mode (`NewCompetition::team_mode`).
fn mode_text(mode: &TeamMode) -> &'static str {
    match mode {
        TeamMode::Individual => "",
        TeamMode::ByClass => "class",
        TeamMode::ByRole => "role",
        TeamMode::Random { .. } => "random",
    }
}

fn team_mode_label(mode: &TeamMode) -> String {
    match mode {
        TeamMode::Individual => "everyone for themselves".to_string(),
        TeamMode::ByClass => "class against class".to_string(),
        TeamMode::ByRole => "house against house".to_string(),
        TeamMode::Random { teams } => format!("{teams} random teams"),
    }
}

/// "1 player", "3 players".
fn players(n: u64) -> String {
    format!("{n} player{}", if n == 1 { "" } else { "s" })
}

/// A team's members by name, for the announcement.
fn members_text(members: &[UserId], names: &BTreeMap<UserId, String>) -> String {
    if members.is_empty() {
        return "Nobody yet.".to_string();
    }
    let listed: Vec<String> = members
        .iter()
        .map(|m| name_or_id(names.get(m).map_or("", String::as_str), m.0))
        .collect();
    fit(&listed.join(", "), 1024)
}

/// Draws the teams of a competition starting now, with the names of the
/// players drawn (for the announcement). Class teams take each class's
/// students (those on its board, with its role or by answering in its
/// channel); random teams deal out this channel's class, or the server's
/// players when the channel is no class's; house teams start with the
/// starter, as only the edge knows who holds a role, and everyone else joins
/// with their first answer. The starter always plays.
fn draw_teams(
    app: &App,
    request: &Request,
    guild: crate::request::GuildId,
    channel: u64,
    mode: &TeamMode,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> Result<(Assignment, BTreeMap<UserId, String>), Error> {
    let mut names: BTreeMap<UserId, String> = BTreeMap::new();
    names.insert(request.user, request.display_name.clone());
    let mut roster = |period: &str| -> Result<Vec<UserId>, Error> {
        Ok(app
            .store
            .export_rows(guild, period)?
            .into_iter()
            .map(|row| {
                names.entry(row.user).or_insert(row.name);
                row.user
            })
            .collect())
    };
    let assignment = match mode {
        TeamMode::Individual => Assignment::default(),
        TeamMode::ByClass => {
            let classes = app.store.classes(guild)?;
            let mut players: BTreeMap<UserId, Vec<i64>> = BTreeMap::new();
            for class in &classes {
                for user in roster(&crate::classes::class_period(class.id, "all"))? {
                    players.entry(user).or_default().push(class.id);
                }
            }
            let starter = players.entry(request.user).or_default();
            starter.extend(
                crate::classes::for_roles(&classes, &request.roles)
                    .iter()
                    .map(|c| c.id),
            );
            let listed: Vec<(i64, String)> =
                classes.iter().map(|c| (c.id, c.name.clone())).collect();
            let players: Vec<(UserId, Vec<i64>)> = players.into_iter().collect();
            teams::by_class(&listed, &players)?
        }
        TeamMode::ByRole => {
            let houses: Vec<(u64, String)> = HOUSE_OPTIONS
                .iter()
                .enumerate()
                .filter_map(|(i, option)| {
                    let role = request.id(option)?;
                    let name = request
                        .option(&format!("{option}_name"))
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                        .map_or_else(|| format!("House {}", i + 1), str::to_string);
                    Some((role, name))
                })
                .collect();
            teams::by_role(&houses, &[(request.user, request.roles.clone())])?
        }
        TeamMode::Random { teams } => {
            let classes = app.store.classes(guild)?;
            let period = match crate::classes::for_channel(&classes, channel) {
                Some(class) => crate::classes::class_period(class.id, "all"),
                None => "all".to_string(),
            };
            let mut pool = roster(&period)?;
            pool.push(request.user);
            teams::random(&pool, *teams, rng)?
        }
    };
    Ok((assignment, names))
}

/// The assignment as stored with the competition.
fn stored_teams(assignment: &Assignment) -> Vec<CompetitionTeam> {
    assignment
        .teams
        .iter()
        .map(|t| CompetitionTeam {
            number: t.number as u32,
            name: t.name.clone(),
            key: t.key,
            members: t.members.clone(),
        })
        .collect()
}

/// A stored competition's teams, as the team rules take them.
fn assignment_of(competition: &Competition) -> Assignment {
    Assignment {
        teams: competition
            .teams
            .iter()
            .map(|t| Team {
                number: t.number as usize,
                name: t.name.clone(),
                key: t.key,
                members: t.members.clone(),
            })
            .collect(),
    }
}

/// Puts a player who is in no team yet into theirs: random teams take them
/// into the smallest team, class teams into their first class's, house
/// teams into their first house's. Returns the name of their team (`None`
/// when the competition is not played in teams, or no team is theirs: they
/// still score for themselves).
fn join_team(
    app: &App,
    competition: &Competition,
    request: &Request,
) -> Result<Option<String>, Error> {
    if competition.teams.is_empty() {
        return Ok(None);
    }
    let mut assignment = assignment_of(competition);
    if let Some(team) = assignment.team_of(request.user) {
        return Ok(Some(team.name.clone()));
    }
    let number = match competition.team_mode.as_str() {
        "random" => assignment.add_late(request.user),
        "class" => {
            let classes = app.store.classes(competition.guild)?;
            let mut answered = std::collections::BTreeSet::new();
            for class in classes.iter().filter(|c| c.role.is_none()) {
                let period = crate::classes::class_period(class.id, "all");
                if app
                    .store
                    .leaderboard(competition.guild, &period, 0, request.user)?
                    .caller
                    .is_some()
                {
                    answered.insert(class.id);
                }
            }
            // The first of their classes that has a team, in the teams' order.
            let mine = crate::classes::memberships(&classes, &request.roles, &answered);
            let key = competition
                .teams
                .iter()
                .filter_map(|t| t.key)
                .find(|k| mine.contains(k));
            key.and_then(|k| assignment.add_to(request.user, k))
        }
        _ => {
            let key = competition
                .teams
                .iter()
                .filter_map(|t| t.key)
                .find(|k| request.roles.iter().any(|r| *r as i64 == *k));
            key.and_then(|k| assignment.add_to(request.user, k))
        }
    };
    let Some(number) = number else {
        return Ok(None);
    };
    // Another press (or process) may have put them in a team first: the
    // store keeps the first and says which.
    let joined = app
        .store
        .join_competition_team(competition.id, number as u32, request.user)?;
    Ok(competition
        .teams
        .iter()
        .find(|t| t.number == joined)
        .map(|t| t.name.clone()))
}

/// Teams ranked by the mean of their members' `points`, one line each:
/// "1. **Red** — 12.5 points each (4 players)".
fn team_lines(scores: &[TeamScore]) -> String {
    let lines: Vec<String> = scores
        .iter()
        .map(|t| {
            format!(
                "{}. **{}** — {} points each ({})",
                t.rank,
                escape_markdown(&t.name),
                t.mean_text(),
                players(t.members)
            )
        })
        .collect();
    fit(&lines.join("\n"), 1024)
}

/// `/competition stop`: its starter or a teacher ends the channel's
/// competition; the podium so far is shown.
pub fn stop(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = guild_of(request)?;
    let channel = request.channel.map(|c| c.0).unwrap_or_default();
    let competition = app
        .store
        .running_competition_in(channel)?
        .filter(|c| c.guild == guild)
        .ok_or_else(|| Error::user("No competition is running in this channel."))?;
    if competition.starter != request.user && !super::is_teacher(app, request, guild)? {
        return Err(Error::user(
            "Only the student who started this competition, or a teacher, can stop it.",
        ));
    }
    if let Some(open) = competition.open_round() {
        app.store.close_round(competition.id, open.number)?;
    }
    app.store
        .end_competition(competition.id, CompetitionStatus::Stopped, request.now)?;
    let mut reply = podium(app, &competition)?;
    reply.title = Some("Competition stopped: the podium so far".to_string());
    Ok(reply)
}

/// Closes the round that is due and opens the next one, or ends the
/// competition after its last round. Safe to call at any time and from a
/// restarted process: a round is closed and opened once.
pub fn advance(app: &App, id: i64, now: DateTime<Utc>) -> Result<Step, Error> {
    let mut step = Step {
        competition: id,
        posts: Vec::new(),
        next: None,
    };
    let Some(competition) = app.store.competition(id)? else {
        return Ok(step);
    };
    if competition.status != CompetitionStatus::Running {
        return Ok(step);
    }
    if let Some(open) = competition.open_round() {
        let closes_at = open.closes_at.unwrap_or(now);
        if now < closes_at {
            step.next = Some(closes_at);
            return Ok(step);
        }
        if app.store.close_round(id, open.number)? {
            if let Some(message) = open.message {
                step.posts.push(Post {
                    channel: competition.channel,
                    reply: round_reply(app, &competition, open, true)?,
                    edit: Some(message),
                    shows_round: None,
                });
            }
            step.posts.push(Post {
                channel: competition.channel,
                reply: round_results(app, &competition, open)?,
                edit: None,
                shows_round: None,
            });
        }
    }
    match competition.rounds.iter().find(|r| r.opened_at.is_none()) {
        Some(round) => {
            let closes_at = now + chrono::Duration::seconds(i64::from(competition.seconds));
            // The claim comes before the post, as the daily post's does:
            // a second runner (or a tick repeated after a restart) that
            // loses it posts nothing and waits for the round's deadline.
            if !app.store.open_round(id, round.number, now, closes_at)? {
                step.next = Some(closes_at);
                return Ok(step);
            }
            let opened = Round {
                opened_at: Some(now),
                closes_at: Some(closes_at),
                ..round.clone()
            };
            step.posts.push(Post {
                channel: competition.channel,
                reply: round_reply(app, &competition, &opened, false)?,
                edit: None,
                shows_round: Some(round.number),
            });
            step.next = Some(closes_at);
        }
        None => {
            if app
                .store
                .end_competition(id, CompetitionStatus::Finished, now)?
            {
                step.posts.push(Post {
                    channel: competition.channel,
                    reply: podium(app, &competition)?,
                    edit: None,
                    shows_round: None,
                });
            }
        }
    }
    Ok(step)
}

/// Advances every running competition (the scripted form of the runners).
pub fn advance_all(app: &App, now: DateTime<Utc>) -> Result<Vec<Step>, Error> {
    app.store
        .running_competitions()?
        .iter()
        .map(|c| advance(app, c.id, now))
        .collect()
}

fn find_question<'a>(
    library: &'a crate::app::Library,
    key: &str,
) -> Result<(&'a crate::content::Pack, &'a Question), Error> {
    quiz::find(&library.content, key).ok_or_else(|| {
        Error::user(
            "This question has been removed from the content, so it can no longer be answered.",
        )
    })
}

/// A round's message: the question and its buttons, with Discord's
/// relative countdown; once closed, the same without buttons.
fn round_reply(
    app: &App,
    competition: &Competition,
    round: &Round,
    closed: bool,
) -> Result<Reply, Error> {
    let library = app.library_for(Some(competition.guild))?;
    let (_, question) = find_question(&library, &round.question)?;
    let total = competition.rounds.len();
    let mut text = question.prompt.clone();
    let closes = mention::time(round.closes_at.unwrap_or_default(), 'R');
    if closed {
        text.push_str("\n\nThis round has closed.");
    } else {
        text.push_str(&format!("\n\nCloses {closes}."));
    }
    let mut reply = Reply::new(text).title(format!(
        "Round {} of {total} ({})",
        round.number,
        difficulty_label(question.difficulty)
    ));
    if closed {
        return Ok(reply);
    }
    reply.buttons = super::quiz::buttons_for(
        question,
        &round.option_order,
        |position| CustomId::CompetitionChoice {
            competition: competition.id,
            round: round.number,
            position,
        },
        CustomId::CompetitionTyped {
            competition: competition.id,
            round: round.number,
        },
    );
    Ok(reply)
}

fn seconds_text(millis: i64) -> String {
    format!("{:.1} s", millis as f64 / 1000.0)
}

/// One player's line in a podium's "Results": place, name, then `team`
/// (" (Red)", or empty), points and right answers.
fn result_line(
    place: usize,
    s: &crate::model::CompetitionStanding,
    rounds: usize,
    team: &str,
) -> String {
    format!(
        "{place}. {}{team} — {} points, {} of {rounds} correct",
        name_or_id(&s.name, s.user.0),
        s.points,
        s.correct,
    )
}

fn name_or_id(name: &str, user: u64) -> String {
    if name.trim().is_empty() {
        format!("student {user}")
    } else {
        escape_markdown(name)
    }
}

/// After a round: the answer, its explanation and the fastest three.
fn round_results(app: &App, competition: &Competition, round: &Round) -> Result<Reply, Error> {
    let library = app.library_for(Some(competition.guild))?;
    let (pack, question) = find_question(&library, &round.question)?;
    let answers = app
        .store
        .competition_answers(competition.id, Some(round.number))?;
    let correct: Vec<_> = answers.iter().filter(|a| a.correct).collect();
    let fastest = if correct.is_empty() {
        "Nobody got it right this time.".to_string()
    } else {
        correct
            .iter()
            .take(3)
            .enumerate()
            .map(|(i, a)| {
                format!(
                    "{}. {} — {} (+{})",
                    i + 1,
                    name_or_id(&a.name, a.user.0),
                    seconds_text(a.millis),
                    a.points
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut reply = Reply::new(format!(
        "**{}**\n{}",
        quiz::correct_answer(question),
        fit(&question.explanation, 1500)
    ))
    .title(format!(
        "Round {} of {}: the answer",
        round.number,
        competition.rounds.len()
    ))
    .field("Fastest correct", fastest);
    if !competition.teams.is_empty() {
        // The teams as they are now: late joiners of this round included.
        let assignment = match app.store.competition(competition.id)? {
            Some(now) => assignment_of(&now),
            None => assignment_of(competition),
        };
        let this_round: Vec<(UserId, i64)> = answers.iter().map(|a| (a.user, a.points)).collect();
        let so_far: Vec<(UserId, i64)> = app
            .store
            .competition_standings(competition.id)?
            .iter()
            .map(|s| (s.user, s.points))
            .collect();
        reply = reply
            .field(
                "Teams this round",
                team_lines(&teams::scores(&assignment, &this_round)),
            )
            .field(
                "Teams so far",
                team_lines(&teams::scores(&assignment, &so_far)),
            );
    }
    Ok(reply.footer(format!(
        "{} answered, {} correct · source: {}",
        answers.len(),
        correct.len(),
        source_titles(pack, &question.sources)
    )))
}

/// The podium (top three) and everyone's results.
fn podium(app: &App, competition: &Competition) -> Result<Reply, Error> {
    if !competition.teams.is_empty() {
        return team_podium(app, competition);
    }
    let standings = app.store.competition_standings(competition.id)?;
    if standings.is_empty() {
        return Ok(
            Reply::new("Nobody answered, so there is no podium this time.")
                .title("Competition over"),
        );
    }
    let medals = ["🥇", "🥈", "🥉"];
    // A medal is for points: nobody stands on the podium with 0.
    let top: Vec<String> = standings
        .iter()
        .filter(|s| s.points > 0)
        .take(3)
        .zip(medals)
        .map(|(s, medal)| {
            format!(
                "{medal} **{}** — {} points",
                name_or_id(&s.name, s.user.0),
                s.points
            )
        })
        .collect();
    let all: Vec<String> = standings
        .iter()
        .enumerate()
        .map(|(i, s)| result_line(i + 1, s, competition.rounds.len(), ""))
        .collect();
    let rows: Vec<(u64, String, i64)> = standings
        .iter()
        .filter(|s| s.points > 0)
        .take(10)
        .enumerate()
        .map(|(i, s)| (i as u64 + 1, name_or_id(&s.name, s.user.0), s.points))
        .collect();
    let mut reply = if top.is_empty() {
        Reply::new("Nobody scored a point, so there is no podium this time.")
    } else {
        Reply::new(top.join("\n"))
    };
    if !rows.is_empty() {
        super::attach_picture(&mut reply, "podium.png", || {
            super::quiz::draw_ranking("Competition podium", &rows)
        });
    }
    Ok(reply
        .title("Competition over: the podium")
        .field("Results", fit(&all.join("\n"), 1024))
        .footer(
            "Points count towards this server's leaderboard (all time, this week and the season).",
        ))
}

/// The podium of a team competition: the teams by the mean of their
/// members' points (a picture too), then every student's own results.
fn team_podium(app: &App, competition: &Competition) -> Result<Reply, Error> {
    let assignment = match app.store.competition(competition.id)? {
        Some(now) => assignment_of(&now),
        None => assignment_of(competition),
    };
    let standings = app.store.competition_standings(competition.id)?;
    let points: Vec<(UserId, i64)> = standings.iter().map(|s| (s.user, s.points)).collect();
    let scores = teams::scores(&assignment, &points);
    let medals = ["🥇", "🥈", "🥉"];
    // A medal is for points: no team stands on the podium with 0.
    let top: Vec<String> = scores
        .iter()
        .filter(|t| t.points > 0 && t.members > 0)
        .take(3)
        .zip(medals)
        .map(|(t, medal)| {
            format!(
                "{medal} **{}** — {} points each ({})",
                escape_markdown(&t.name),
                t.mean_text(),
                players(t.members)
            )
        })
        .collect();
    let mut reply = if top.is_empty() {
        Reply::new("No team scored a point, so there is no podium this time.")
    } else {
        Reply::new(top.join("\n"))
    };
    if !top.is_empty() {
        let rows = &scores[..scores.len().min(10)];
        super::attach_picture(&mut reply, "podium.png", || {
            super::quiz::draw_team_ranking("Team podium", rows)
        });
    }
    reply = reply
        .title("Competition over: the team podium")
        .field("Teams", team_lines(&scores));
    if !standings.is_empty() {
        let all: Vec<String> = standings
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let team = assignment
                    .team_of(s.user)
                    .map(|t| format!(" ({})", escape_markdown(&t.name)))
                    .unwrap_or_default();
                result_line(i + 1, s, competition.rounds.len(), &team)
            })
            .collect();
        reply = reply.field("Results", fit(&all.join("\n"), 1024));
    }
    Ok(reply.footer(
        "A team's score is the mean of its members' points. Each student's own points count \
         towards this server's leaderboard (all time, this week and the season).",
    ))
}

/// A press on a competition round: `choice` for a button, `typed` for text.
pub fn answer(
    app: &App,
    request: &Request,
    id: i64,
    round_number: u32,
    choice: Option<usize>,
    typed: Option<&str>,
) -> Result<Reply, Error> {
    let competition = app
        .store
        .competition(id)?
        .ok_or_else(|| Error::user("That competition does not exist (any more)."))?;
    if request.guild != Some(competition.guild) {
        return Err(Error::user("This competition belongs to another server."));
    }
    // A round is answered where it is played: a button id copied into
    // another channel of the server is not a way to play unseen.
    if request
        .channel
        .is_some_and(|channel| channel.0 != competition.channel)
    {
        return Err(Error::user(format!(
            "This competition is played in {}: answer there.",
            mention::channel(competition.channel)
        )));
    }
    if competition.status != CompetitionStatus::Running {
        return Err(Error::user("This competition has ended."));
    }
    let round = competition
        .round(round_number)
        .ok_or_else(|| Error::user("That button does not belong to this competition."))?;
    let (Some(opened_at), Some(closes_at)) = (round.opened_at, round.closes_at) else {
        return Err(Error::user("That round has not started yet."));
    };
    if round.closed || request.now > closes_at {
        return Err(Error::user(
            "Too late: this round has closed. The answer is shown in the channel.",
        ));
    }
    let library = app.library_for(Some(competition.guild))?;
    let (pack, question) = find_question(&library, &round.question)?;
    let (judgement, given) =
        super::quiz::grade(pack, question, &round.option_order, choice, typed)?;
    let correct = judgement.correct;
    let duration = (closes_at - opened_at).num_milliseconds();
    let millis = (request.now - opened_at)
        .num_milliseconds()
        .clamp(0, duration);
    let run = if correct {
        1 + correct_run_before(app, &competition, request, round_number)?
    } else {
        0
    };
    let (base, bonus) = if correct {
        (
            speed_points(quiz::points_for(question.difficulty), millis, duration),
            run_bonus(run),
        )
    } else {
        (0, 0)
    };
    let guild = competition.guild;
    let day = super::quiz::local_day(app, Some(guild), request.now)?;
    let season = app.store.open_season(guild)?;
    let mut periods = quiz::periods(day, season.as_ref());
    // Played in a class's channel: the class's board counts it too.
    periods.extend(super::classes::periods_in_channel(
        app,
        guild,
        competition.channel,
        &request.roles,
        &periods,
    )?);
    let outcome = app.store.record_competition_answer(&NewCompetitionAnswer {
        competition: id,
        round: round_number,
        guild,
        user: request.user,
        interaction: request.interaction,
        answer: given.clone(),
        correct,
        points: base + bonus,
        millis,
        at: request.now,
        periods,
        display_name: display_name(request),
    })?;
    match outcome {
        RecordOutcome::Recorded | RecordOutcome::Duplicate(_) => {}
        RecordOutcome::AlreadyAnswered(past) => {
            return Ok(Reply::ephemeral_text(format!(
                "You already answered this round (\"{}\"). One answer per round.",
                escape_markdown(&past.answer)
            ))
            .title("Already answered"))
        }
    }
    let note = judgement
        .message()
        .map(|note| format!("{note}\n\n"))
        .unwrap_or_default();
    let reply = if correct {
        let mut text = format!("{note}Answered in {}.", seconds_text(millis));
        if bonus > 0 {
            text.push_str(&format!(" {run} right in a row: +{bonus} bonus."));
        }
        Reply::new(text).title(format!("Correct! +{} points", base + bonus))
    } else {
        Reply::new(format!(
            "{note}The answer is shown in the channel when the round closes."
        ))
        .title("Not quite")
    };
    let mut reply = reply.field("Your answer", escape_markdown(&fit(&given, 200)));
    if let Some(team) = join_team(app, &competition, request)? {
        reply = reply.field("Your team", escape_markdown(&team));
    }
    Ok(reply.ephemeral())
}

/// How many rounds right before `round` the student answered correctly, in
/// a row.
fn correct_run_before(
    app: &App,
    competition: &Competition,
    request: &Request,
    round: u32,
) -> Result<u32, Error> {
    let mine: Vec<(u32, bool)> = app
        .store
        .competition_answers(competition.id, None)?
        .into_iter()
        .filter(|a| a.user == request.user && a.round < round)
        .map(|a| (a.round, a.correct))
        .collect();
    let mut run = 0;
    let mut expected = round;
    while expected > 1 {
        expected -= 1;
        match mine.iter().find(|(r, _)| *r == expected) {
            Some((_, true)) => run += 1,
            _ => break,
        }
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_points_fall_linearly_to_half_at_the_deadline() {
        assert_eq!(speed_points(20, 0, 20_000), 20);
        assert_eq!(speed_points(20, 10_000, 20_000), 15);
        assert_eq!(speed_points(20, 20_000, 20_000), 10);
        assert_eq!(speed_points(20, 30_000, 20_000), 10, "never below half");
        assert_eq!(speed_points(30, 5_000, 20_000), 26);
        assert_eq!(run_bonus(1), 0);
        assert_eq!(run_bonus(3), 4);
        assert_eq!(run_bonus(9), 10);
    }

    #[test]
    fn team_lines_rank_by_mean_with_the_team_size() {
        let team = |number: usize, name: &str, members: &[u64]| Team {
            number,
            name: name.into(),
            key: None,
            members: members.iter().map(|&m| UserId(m)).collect(),
        };
        let assignment = Assignment {
            teams: vec![team(1, "Red", &[1, 2]), team(2, "Blue", &[3])],
        };
        // Red scores more in all (15) but less per player (7.5) than Blue.
        let scores = teams::scores(&assignment, &[(UserId(1), 15), (UserId(3), 9)]);
        assert_eq!(
            team_lines(&scores),
            "1. **Blue** — 9 points each (1 player)\n2. **Red** — 7.5 points each (2 players)"
        );
        // Stored and read back, the teams are the same.
        let stored = stored_teams(&assignment);
        assert_eq!(
            stored
                .iter()
                .map(|t| (t.number, t.name.as_str(), t.members.len()))
                .collect::<Vec<_>>(),
            [(1, "Red", 2), (2, "Blue", 1)]
        );
    }

    #[test]
    fn every_team_mode_word_is_stored_as_the_mode_it_reads_as() {
        let stored: Vec<&str> = TEAM_MODES
            .iter()
            .map(|word| mode_text(&teams::parse_mode(Some(word), Some(3)).unwrap()))
            .collect();
        assert_eq!(stored, ["", "class", "role", "random"]);
    }

    #[test]
    fn announced_members_are_named_or_numbered() {
        let names = BTreeMap::from([(UserId(1), "Ada".to_string()), (UserId(2), " ".to_string())]);
        assert_eq!(
            members_text(&[UserId(1), UserId(2)], &names),
            "Ada, student 2"
        );
        assert_eq!(members_text(&[], &names), "Nobody yet.");
    }
}

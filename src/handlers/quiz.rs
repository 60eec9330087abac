//! The daily question, practice questions, answers, leaderboards and stats.
//!
//! Handlers only: question choice, checking, points and streaks are the
//! `quiz` engine's; durability and exactly-once are the store's. A student
//! is told the result only after the store has committed it.

use crate::app::App;
use crate::content::{Answer, Difficulty, Pack, Question};
use crate::custom_id::CustomId;
use crate::error::Error;
use crate::markup::{escape_markdown, fit};
use crate::quiz::{self, check};
use crate::reply::{Button, ButtonStyle, Edit, Reply};
use crate::request::{GuildId, Request, UserId};
use crate::store::{AnswerPlan, Instance, InstanceKind, NewInstance, RecordOutcome, Tally};
use chrono::{DateTime, NaiveDate, Utc};

const GUILD_ONLY: &str = "This command belongs to a class server: use it in your server's channel.";

pub(crate) fn guild_of(request: &Request) -> Result<GuildId, Error> {
    request.guild.ok_or_else(|| Error::user(GUILD_ONLY))
}

/// The timezone a guild lives in: its setting, else the config's default.
pub fn guild_timezone(app: &App, guild: Option<GuildId>) -> Result<chrono_tz::Tz, Error> {
    app.timezone_for(guild)
}

/// The guild-local day at `now`.
pub fn local_day(
    app: &App,
    guild: Option<GuildId>,
    now: DateTime<Utc>,
) -> Result<NaiveDate, Error> {
    Ok(now.with_timezone(&guild_timezone(app, guild)?).date_naive())
}

/// The name to remember for the asker, if they have one.
pub(crate) fn display_name(request: &Request) -> Option<String> {
    let name = request.display_name.trim();
    (!name.is_empty()).then(|| fit(name, 64))
}

pub(crate) fn remember(app: &App, request: &Request) -> Result<(), Error> {
    if let Some(name) = display_name(request) {
        app.store
            .remember_name(request.guild, request.user, &name, request.now)?;
    }
    Ok(())
}

/// `/daily`: today's question: of the class whose channel this is, else of
/// the student's class (by role, else the server's first class), else of
/// the server (created on first use, then the same for everyone, across
/// restarts).
pub fn daily(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = guild_of(request)?;
    remember(app, request)?;
    let all = app.store.classes(guild)?;
    let class = match super::classes::here(request, &all)? {
        Some(class) => Some(class),
        None => crate::classes::default_for(&all, &request.roles),
    };
    let instance = match class {
        Some(class) => {
            let settings = app.store.settings(guild)?;
            let resolved = super::classes::resolve(app, class, &settings);
            let day = resolved.local_day(request.now);
            ensure_class_daily(app, guild, Some(&resolved), day, request.now)?
        }
        None => {
            let day = local_day(app, Some(guild), request.now)?;
            ensure_daily(app, guild, day, request.now)?
        }
    };
    daily_reply(app, &instance)
}

/// Today's daily instance of a server without classes, created if it does
/// not exist yet.
pub fn ensure_daily(
    app: &App,
    guild: GuildId,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Instance, Error> {
    ensure_class_daily(app, guild, None, day, now)
}

/// A class's daily instance on its day (`None`: the server's own), created
/// if it does not exist yet, from the questions the class draws from.
pub fn ensure_class_daily(
    app: &App,
    guild: GuildId,
    class: Option<&crate::classes::Resolved>,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Instance, Error> {
    let class_id = class.map_or(0, |c| c.class);
    if let Some(instance) = app.store.class_daily(guild, class_id, day)? {
        return Ok(instance);
    }
    let library = app.library_for(Some(guild))?;
    let disabled = disabled_for(app, Some(guild))?;
    let pool: Vec<String> = quiz::daily_pool(&library.content)
        .into_iter()
        .filter(|key| !disabled.contains(key))
        .filter(|key| {
            class.is_none_or(|c| {
                quiz::find(&library.content, key).is_some_and(|(_, q)| c.draws(key, &q.tags))
            })
        })
        .collect();
    let history = app.store.class_daily_history(guild, class_id)?;
    // Each class draws its own question: the class's id joins the seed (0,
    // the server's own, leaves the seed as it always was).
    let seed = GuildId(guild.0 ^ (class_id as u64).rotate_left(32));
    let key = quiz::pick_daily(&pool, &history, seed, day).ok_or_else(|| {
        Error::user(if class.is_some_and(|c| !c.packs.is_empty() || !c.tags.is_empty()) {
            "No questions match this class's packs and tags. A teacher can check them with /class list."
        } else {
            "There are no questions in this server's content packs yet."
        })
    })?;
    let (_, question) = quiz::find(&library.content, &key)
        .ok_or_else(|| Error::Internal(format!("picked unknown question {key}")))?;
    let mut rng = quiz::rng(&[
        seed.0,
        day.to_string().len() as u64,
        chrono::Datelike::num_days_from_ce(&day) as u64,
        0x0B7,
    ]);
    Ok(app.store.create_instance(&NewInstance {
        kind: InstanceKind::Daily,
        guild: Some(guild),
        owner: None,
        day: Some(day),
        class: class_id,
        question: key,
        option_order: quiz::option_order(question, &mut rng),
        created_at: now,
    })?)
}

/// The message key of a daily question's post, for edits of its tally.
fn daily_message(instance: &Instance, guild: GuildId, day: NaiveDate) -> String {
    match instance.class {
        0 => format!("daily:{guild}:{day}"),
        class => format!("daily:{guild}:{class}:{day}"),
    }
}

pub(crate) fn difficulty_label(d: Difficulty) -> &'static str {
    match d {
        Difficulty::Easy => "easy",
        Difficulty::Medium => "medium",
        Difficulty::Hard => "hard",
    }
}

/// The question with its answer buttons.
fn question_reply(question: &Question, instance: &Instance, title: String) -> Reply {
    let reply = answer_buttons(question, instance, title);
    // Every question a student sees can be reported to the teachers.
    let mut reply = reply;
    reply.buttons.push(Button {
        label: "Report a problem".to_string(),
        custom_id: CustomId::ReportProblem {
            instance: instance.id,
        }
        .encode(),
        style: ButtonStyle::Secondary,
        opens_input: true,
    });
    reply
}

fn answer_buttons(question: &Question, instance: &Instance, title: String) -> Reply {
    let mut reply = Reply::new(question.prompt.clone()).title(title);
    reply.buttons = buttons_for(
        question,
        &instance.option_order,
        |position| CustomId::Choice {
            instance: instance.id,
            position,
        },
        CustomId::TypedAnswer {
            instance: instance.id,
        },
    );
    reply
}

/// The answer buttons of a question: one per option (in `option_order`)
/// for choice questions, else one button that opens a text input.
pub(crate) fn buttons_for(
    question: &Question,
    option_order: &[usize],
    choice: impl Fn(usize) -> CustomId,
    typed: CustomId,
) -> Vec<Button> {
    let typed_button = |label: String| Button {
        label,
        custom_id: typed.encode(),
        style: ButtonStyle::Primary,
        opens_input: true,
    };
    match &question.answer {
        Answer::MultipleChoice { .. } | Answer::TrueFalse(_) => option_order
            .iter()
            .enumerate()
            .map(|(position, &index)| Button {
                label: fit(
                    &quiz::option_label(question, index).unwrap_or_default(),
                    crate::markup::BUTTON_LABEL,
                ),
                custom_id: choice(position).encode(),
                style: ButtonStyle::Primary,
                opens_input: false,
            })
            .collect(),
        Answer::Numeric { unit, .. } => vec![typed_button(match unit {
            Some(unit) => fit(
                &format!("Answer (a number, {unit})"),
                crate::markup::BUTTON_LABEL,
            ),
            None => "Answer (a number)".to_string(),
        })],
        Answer::FreeText { .. } => vec![typed_button("Type your answer".to_string())],
    }
}

fn tally_line(tally: Tally) -> String {
    let answered = if tally.answered == 1 {
        "1 answered".to_string()
    } else {
        format!("{} answered", tally.answered)
    };
    format!(
        "{answered}, {} correct · the answer is revealed with the next daily question",
        tally.correct
    )
}

/// The public daily message: question, buttons, tally, yesterday's answer.
pub fn daily_reply(app: &App, instance: &Instance) -> Result<Reply, Error> {
    daily_reply_tallied(app, instance, app.store.tally(instance.id)?)
}

/// [`daily_reply`] with the instance's tally already known (an answer's
/// transaction returns it).
fn daily_reply_tallied(app: &App, instance: &Instance, tally: Tally) -> Result<Reply, Error> {
    let library = app.library_for(instance.guild)?;
    let (_, question) = quiz::find(&library.content, &instance.question).ok_or_else(|| {
        Error::user(
            "Today's question has been removed from the content. A teacher can check the packs.",
        )
    })?;
    let day = instance
        .day
        .map(|d| crate::dates::PartialDate::from_naive(d).to_string())
        .unwrap_or_default();
    let mut reply = question_reply(
        question,
        instance,
        format!(
            "Daily question, {day} ({})",
            difficulty_label(question.difficulty)
        ),
    );
    reply.footer = Some(tally_line(tally));
    if let (Some(guild), Some(day)) = (instance.guild, instance.day) {
        if let Some(previous) = app.store.previous_class_daily(guild, instance.class, day)? {
            if let Some((pack, q)) = quiz::find(&library.content, &previous.question) {
                let tally = app.store.tally(previous.id)?;
                reply = reply.field(
                    "Yesterday's answer",
                    fit(
                        &format!(
                            "{}\n**{}**: {}\n({} of {} answered correctly; source: {})",
                            fit(&q.prompt, 300),
                            quiz::correct_answer(q),
                            fit(&q.explanation, 400),
                            tally.correct,
                            tally.answered,
                            source_titles(pack, &q.sources)
                        ),
                        1024,
                    ),
                );
            }
        }
    }
    Ok(reply)
}

/// The titles of the sources a question cites; for an unsourced question
/// (an imported pack's) the teacher's pack it comes from, never an invented
/// source.
pub(crate) fn source_titles(pack: &Pack, ids: &[String]) -> String {
    let titles: Vec<&str> = ids
        .iter()
        .filter_map(|id| pack.source(id))
        .map(|s| s.title.as_str())
        .collect();
    if titles.is_empty() {
        teachers_pack(pack)
    } else {
        titles.join("; ")
    }
}

/// How replies name an unsourced item's origin.
pub(crate) fn teachers_pack(pack: &Pack) -> String {
    format!("the teacher's pack \u{201c}{}\u{201d}", pack.title)
}

/// The `tag` and `difficulty` options of `/quiz` and `/competition start`.
pub(crate) fn question_filter(
    request: &Request,
) -> Result<(Option<String>, Option<Difficulty>), Error> {
    let tag = request
        .option("tag")
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty());
    let difficulty = match request
        .option("difficulty")
        .map(|d| d.trim().to_lowercase())
    {
        None => None,
        Some(d) if d.is_empty() => None,
        Some(d) => Some(match d.as_str() {
            "easy" => Difficulty::Easy,
            "medium" => Difficulty::Medium,
            "hard" => Difficulty::Hard,
            _ => return Err(Error::user("Difficulty is `easy`, `medium` or `hard`.")),
        }),
    };
    Ok((tag, difficulty))
}

/// The questions disabled where the request comes from (none in DMs).
pub(crate) fn disabled_for(
    app: &App,
    guild: Option<GuildId>,
) -> Result<std::collections::HashSet<String>, Error> {
    Ok(match guild {
        Some(guild) => app.store.disabled_questions(guild)?,
        None => Default::default(),
    })
}

/// Up to three tags that the loaded content's questions (at `difficulty`,
/// if given) really have: the closest in spelling to `typed` first, then
/// the most used. Suggestions never name a tag that would find nothing.
fn known_tags(
    content: &crate::content::Content,
    typed: &str,
    difficulty: Option<Difficulty>,
) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for question in content.question_packs().flat_map(|p| p.questions.iter()) {
        if difficulty.is_none_or(|d| question.difficulty == d) {
            for tag in &question.tags {
                *counts.entry(tag.as_str()).or_default() += 1;
            }
        }
    }
    let typed = typed.trim().to_lowercase();
    let mut tags: Vec<(&str, usize)> = counts.into_iter().collect();
    tags.sort_by(|a, b| {
        let closeness = |t: &str| strsim::jaro_winkler(&typed, t);
        closeness(b.0)
            .total_cmp(&closeness(a.0))
            .then(b.1.cmp(&a.1))
            .then(a.0.cmp(b.0))
    });
    tags.into_iter()
        .take(3)
        .map(|(t, _)| t.to_string())
        .collect()
}

/// Every question matching a filter that is not `disabled`; a user error
/// when none does.
pub(crate) fn matching_questions<'a>(
    content: &'a crate::content::Content,
    disabled: &std::collections::HashSet<String>,
    tag: Option<&str>,
    difficulty: Option<Difficulty>,
) -> Result<Vec<(&'a Pack, &'a Question)>, Error> {
    let candidates: Vec<(&Pack, &Question)> = content
        .question_packs()
        .flat_map(|p| p.questions.iter().map(move |q| (p, q)))
        .filter(|(_, q)| tag.is_none_or(|t| q.tags.iter().any(|qt| qt == t)))
        .filter(|(_, q)| difficulty.is_none_or(|d| q.difficulty == d))
        .collect();
    if candidates.is_empty() {
        let known = known_tags(content, tag.unwrap_or(""), difficulty);
        let suggestion = match known.as_slice() {
            [] => String::new(),
            tags => format!(
                " Try {}: {}.",
                if tags.len() == 1 {
                    "this tag"
                } else {
                    "one of these tags"
                },
                tags.iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return Err(Error::user(format!(
            "No questions match{}{}.{suggestion}",
            tag.map(|t| format!(" the tag \"{}\"", crate::markup::quote(t)))
                .unwrap_or_default(),
            difficulty
                .map(|d| format!(" at {} difficulty", difficulty_label(d)))
                .unwrap_or_default()
        )));
    }
    let candidates: Vec<_> = candidates
        .into_iter()
        .filter(|(p, q)| !disabled.contains(&quiz::question_key(p, q)))
        .collect();
    if candidates.is_empty() {
        return Err(Error::user(
            "Every question matching that has been disabled in this server.",
        ));
    }
    Ok(candidates)
}

/// A personal practice question (also what `/review` serves). `guild` is
/// where its question is found: the request's server, or for a review card
/// from another server's uploaded pack, that server.
fn practice_instance(
    app: &App,
    request: &Request,
    guild: Option<GuildId>,
    pack: &Pack,
    question: &Question,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> Result<Instance, Error> {
    Ok(app.store.create_instance(&NewInstance {
        kind: InstanceKind::Practice,
        guild,
        owner: Some(request.user),
        day: None,
        class: 0,
        question: quiz::question_key(pack, question),
        option_order: quiz::option_order(question, rng),
        created_at: request.now,
    })?)
}

/// `/quiz [tag] [difficulty]`: a personal practice question.
pub fn practice(app: &App, request: &Request) -> Result<Reply, Error> {
    remember(app, request)?;
    let (tag, difficulty) = question_filter(request)?;
    let library = app.library_for(request.guild)?;
    let disabled = disabled_for(app, request.guild)?;
    let candidates = matching_questions(&library.content, &disabled, tag.as_deref(), difficulty)?;
    let mut rng = quiz::rng(&[request.interaction.0, request.user.0, 0x9A]);
    let (pack, question) = candidates[quiz::below(&mut rng, candidates.len())];
    let instance = practice_instance(app, request, request.guild, pack, question, &mut rng)?;
    Ok(question_reply(
        question,
        &instance,
        format!(
            "Practice question ({})",
            difficulty_label(question.difficulty)
        ),
    )
    .ephemeral())
}

/// `/review`: the question the student should see again now (FSRS: what
/// they got wrong comes back first and soonest), as a personal practice
/// question; answering it reschedules it. In a server or in DMs, across all
/// the student's servers: a question from a pack a server uploaded is found
/// in that server's content (its card says which, see
/// [`crate::review::card_key`]), wherever the student asks.
pub fn review(app: &App, request: &Request) -> Result<Reply, Error> {
    let here = app.library_for(request.guild)?;
    let cards = app.store.next_reviews(request.user, request.guild, 50)?;
    // A card whose question cannot be shown (its pack removed or turned
    // off, or the question disabled in the server that uploaded it) waits;
    // the next one is served.
    let mut servable = None;
    // Each uploading server's disabled questions, read once.
    let mut disabled = std::collections::HashMap::new();
    for card in &cards {
        let (key, uploaded_in) = crate::review::split_card_key(&card.question);
        let library = match uploaded_in {
            Some(guild) => app.library_for(Some(guild))?,
            None => here.clone(),
        };
        if quiz::find(&library.content, key).is_none() {
            continue;
        }
        if let Some(guild) = uploaded_in {
            let off = match disabled.entry(guild) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(disabled_for(app, Some(guild))?)
                }
            };
            if off.contains(key) {
                continue;
            }
        }
        servable = Some((card, key, uploaded_in, library));
        break;
    }
    let Some(card) = servable.as_ref().map(|(card, ..)| *card).or(cards.first()) else {
        return Ok(Reply::ephemeral_text(
            "Nothing to review yet: answer the daily question or a /quiz, and the questions you miss will come back here.",
        )
        .title("Review"));
    };
    if card.due > request.now {
        return Ok(Reply::ephemeral_text(format!(
            "Nothing is due right now. Your next review is {}.",
            crate::markup::mention::time(card.due, 'R')
        ))
        .title("Review"));
    }
    let Some((_, key, uploaded_in, library)) = &servable else {
        return Err(Error::user(
            "Your next review question has been removed from the content.",
        ));
    };
    let (pack, question) =
        quiz::find(&library.content, key).expect("a servable card's question was found above");
    let mut rng = quiz::rng(&[request.interaction.0, request.user.0, 0x5E]);
    let guild = uploaded_in.or(request.guild);
    let instance = practice_instance(app, request, guild, pack, question, &mut rng)?;
    let due = app.store.reviews_due(request.user, request.now)?;
    let mut reply = question_reply(
        question,
        &instance,
        format!("Review ({})", difficulty_label(question.difficulty)),
    );
    reply.footer = Some(format!(
        "{due} question{} due for review",
        if due == 1 { "" } else { "s" }
    ));
    Ok(reply.ephemeral())
}

/// Grades a press: `choice` is a display position (through `option_order`)
/// for choice questions, `typed` the text of a typed answer. The input must
/// fit the question's kind. Returns the one checker's judgement (right or
/// not, and what to tell the student) and what was given.
pub(crate) fn grade(
    pack: &Pack,
    question: &Question,
    option_order: &[usize],
    choice: Option<usize>,
    typed: Option<&str>,
) -> Result<(check::Judgement, String), Error> {
    Ok(match (&question.answer, choice, typed) {
        (Answer::MultipleChoice { .. } | Answer::TrueFalse(_), Some(position), _) => {
            let index = *option_order
                .get(position)
                .ok_or_else(|| Error::user("That button does not belong to this question."))?;
            (
                quiz::judge(pack, question, Some(index), None),
                quiz::option_label(question, index).unwrap_or_default(),
            )
        }
        (Answer::Numeric { .. } | Answer::FreeText { .. }, _, Some(text))
            if !text.trim().is_empty() =>
        {
            let text = fit(text.trim(), 200);
            if matches!(question.answer, Answer::Numeric { .. }) && !check::reads_as_number(&text) {
                return Err(Error::user(format!(
                    "\"{}\" is not a number I can read. Write it like `1937`, `259,450`, `259.45k` or `1.5 million`.",
                    escape_markdown(&text)
                )));
            }
            (quiz::judge(pack, question, None, Some(&text)), text)
        }
        (Answer::Numeric { .. } | Answer::FreeText { .. }, _, _) => {
            return Err(Error::user(
                "Type your answer in the box that the button opens.",
            ));
        }
        _ => return Err(Error::user("That button does not belong to this question.")),
    })
}

/// A press of an answer button (`choice`), or a typed answer (`typed`).
pub fn answer(
    app: &App,
    request: &Request,
    instance_id: i64,
    choice: Option<usize>,
    typed: Option<&str>,
) -> Result<Reply, Error> {
    let instance = app.store.instance(instance_id)?.ok_or_else(|| {
        Error::user("That question does not exist (any more). Try /daily or /quiz.")
    })?;
    let library = app.library_for(instance.guild)?;
    let (pack, question) = quiz::find(&library.content, &instance.question).ok_or_else(|| {
        Error::user(
            "This question has been removed from the content, so it can no longer be answered.",
        )
    })?;
    // For a daily question: the guild's settings and local day, read once.
    let mut today = None;
    match instance.kind {
        InstanceKind::Practice => {
            if instance.owner != Some(request.user) {
                return Err(Error::user("This practice question belongs to someone else. Use /quiz for one of your own."));
            }
        }
        InstanceKind::Daily => {
            let Some(guild) = instance.guild.filter(|g| request.guild == Some(*g)) else {
                return Err(Error::user("This question belongs to another server."));
            };
            let settings = app.store.settings(guild)?;
            // A class's question follows the class's time zone and days;
            // an answer from a student outside a class with a role counts
            // for the server only.
            let class = match instance.class {
                0 => None,
                id => app.store.classes(guild)?.into_iter().find(|c| c.id == id),
            };
            let resolved = class
                .as_ref()
                .map(|c| super::classes::resolve(app, c, &settings));
            let day = match &resolved {
                Some(r) => r.local_day(request.now),
                None => crate::schedule::local_day(&settings, app.timezone, request.now),
            };
            let post_days = match &resolved {
                Some(r) => r.post_days.clone(),
                None => settings.post_days.clone(),
            };
            let counts_for = class
                .as_ref()
                .filter(|c| crate::classes::counts_for(c, &request.roles))
                .map(|c| c.id);
            if instance.day != Some(day) {
                return Err(Error::user(format!(
                    "This daily question has closed. The answer was **{}**. Today's question is at /daily.",
                    quiz::correct_answer(question)
                )));
            }
            // A class's pause does not break its students' streaks.
            let paused = resolved.map(|r| r.paused).unwrap_or_default();
            today = Some((guild, day, (post_days, paused), counts_for));
        }
    }
    let (judgement, given) = grade(pack, question, &instance.option_order, choice, typed)?;
    let correct = judgement.correct;
    // A question from a pack its server uploaded has a card of that server's.
    let uploaded_in = instance
        .guild
        .filter(|_| app.library().content.pack(&pack.id).is_none());
    let card = crate::review::card_key(&instance.question, uploaded_in);
    let (day, (post_days, paused), class) = match today {
        Some((_, day, calendar, counts_for)) => (Some(day), calendar, counts_for),
        None => (None, (None, Default::default()), None),
    };
    // One transaction reads the streak, the season and the review card,
    // applies these rules to them and records the answer (issue #24: a
    // streak read before it could be overwritten by a teacher's accept).
    let answered = app.store.answer(&AnswerPlan {
        instance: instance.id,
        kind: instance.kind,
        guild: request.guild,
        user: request.user,
        interaction: request.interaction,
        question: instance.question.clone(),
        answer: given.clone(),
        correct,
        points: if correct {
            quiz::points_for(question.difficulty)
        } else {
            0
        },
        at: request.now,
        // Remembered with the answer: one commit per press.
        display_name: display_name(request),
        card,
        rules: std::sync::Arc::new(quiz::Rules {
            day,
            post_days,
            paused,
            class,
            correct,
            now: request.now,
        }),
    })?;
    let mut reply = match answered.outcome {
        RecordOutcome::Recorded => result_reply(
            pack,
            question,
            &given,
            (correct, judgement.message()),
            counted(instance.kind, answered.points),
            answered
                .streak
                .as_ref()
                .map(|s| (s.current, answered.bonus)),
        ),
        RecordOutcome::Duplicate(past) => result_reply(
            pack,
            question,
            &past.answer,
            (past.correct, judgement.message()),
            counted(instance.kind, past.points),
            None,
        ),
        RecordOutcome::AlreadyAnswered(past) => {
            return Ok(Reply::ephemeral_text(format!(
                "You already answered this question (\"{}\", {}). Each question counts once.",
                escape_markdown(&past.answer),
                if past.correct {
                    "correct"
                } else {
                    "not correct"
                }
            ))
            .title("Already answered"))
        }
    };
    if instance.kind == InstanceKind::Daily {
        if let (Some(guild), Some(day)) = (instance.guild, instance.day) {
            reply.edits.push(Edit {
                message: daily_message(&instance, guild, day),
                reply: daily_reply_tallied(app, &instance, answered.tally)?,
            });
        }
    }
    Ok(reply)
}

/// The points a reply announces: a daily answer's; none for practice (and
/// review), which never reach the leaderboard.
fn counted(kind: InstanceKind, points: i64) -> Option<i64> {
    (kind == InstanceKind::Daily).then_some(points)
}

/// `verdict`: whether the answer is right and what the checker noted
/// ("Accepted: the usual spelling is Yezhov."); `points`: what it adds to
/// the leaderboard, `None` for practice.
fn result_reply(
    pack: &Pack,
    question: &Question,
    given: &str,
    (correct, note): (bool, Option<String>),
    points: Option<i64>,
    streak: Option<(u32, i64)>,
) -> Reply {
    let title = match (correct, points) {
        (true, Some(points)) => format!("Correct! +{points} points"),
        (true, None) => "Correct!".to_string(),
        (false, _) => "Not quite".to_string(),
    };
    let mut text = note.map(|note| format!("{note}\n\n")).unwrap_or_default();
    text.push_str(&format!(
        "The answer: **{}**\n\n{}",
        quiz::correct_answer(question),
        question.explanation
    ));
    if let Some((days, bonus)) = streak.filter(|(days, _)| *days > 0) {
        text.push_str(&format!(
            "\n\nDaily streak: {days} day{}{}.",
            if days == 1 { "" } else { "s" },
            if bonus > 0 {
                format!(" (+{bonus} bonus)")
            } else {
                String::new()
            }
        ));
    }
    Reply::new(text)
        .title(title)
        .field("Your answer", escape_markdown(&fit(given, 200)))
        .footer(format!(
            "Source: {}",
            source_titles(pack, &question.sources)
        ))
        .ephemeral()
}

/// `/leaderboard [period] [scope] [class]`: the top 10 and the caller's
/// own place, of the class whose channel this is (or the class named),
/// else of the server; `scope:server` the whole server's; `scope:classes`
/// the classes ranked against each other.
///
/// The reply is kept in [`App::memo`] until the store next changes (see
/// [`crate::memo`]), and [`leaderboard_from_memory`] answers the same
/// request from it: a class asking for its board again and again costs
/// the store nothing until someone answers.
pub fn leaderboard(app: &App, request: &Request) -> Result<Reply, Error> {
    // Read before the board: a write landing while it is built makes the
    // kept reply stale at once, never a stale reply current.
    let generation = app.store.generation();
    let reply = build_leaderboard(app, request)?;
    if let (Some(generation), Some(key)) = (generation, leaderboard_key(request)) {
        app.memo.put(key, generation, reply.clone());
    }
    Ok(reply)
}

/// The kept reply to this `/leaderboard` request, if the store has not
/// changed since it was built: memory only, so the Discord edge may ask on
/// its async executor.
pub fn leaderboard_from_memory(app: &App, request: &Request) -> Option<Reply> {
    let generation = app.store.generation()?;
    app.memo.get(&leaderboard_key(request)?, generation)
}

/// What a leaderboard reply depends on besides the store, or `None` when it
/// must not be kept: a week's board depends on the day too, and a picture
/// is drawn afresh rather than held.
fn leaderboard_key(request: &Request) -> Option<crate::memo::MemoKey> {
    let week = request
        .option("period")
        .is_some_and(|p| matches!(p.trim().to_lowercase().as_str(), "week" | "this-week"));
    if week || request.flag("picture") {
        return None;
    }
    crate::memo::MemoKey::of("leaderboard", request)
}

fn build_leaderboard(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = guild_of(request)?;
    remember(app, request)?;
    let scope = request
        .option("scope")
        .map(|s| s.trim().to_lowercase())
        .unwrap_or_default();
    let all = app.store.classes(guild)?;
    // The class whose board this is, if any: the period is then the
    // class's (and `season` its own season, if it runs one).
    let class = match scope.as_str() {
        "server" | "all" | "classes" => None,
        "" | "class" => match super::classes::here(request, &all)? {
            Some(class) => Some(class),
            None if scope == "class" => return Err(Error::user(
                "This channel belongs to no class: name one with `class:`, or use `scope:server`.",
            )),
            None => None,
        },
        _ => {
            return Err(Error::user(
                "The scope is `class` (this channel's), `server` or `classes`.",
            ))
        }
    };
    let period_name = request
        .option("period")
        .map(|p| p.trim().to_lowercase())
        .unwrap_or_default();
    let (period, label) = match period_name.as_str() {
        "" | "all-time" | "all" | "alltime" => ("all".to_string(), "all time".to_string()),
        "week" | "this-week" => {
            let day = local_day(app, Some(guild), request.now)?;
            (quiz::week_key(day), "this week".to_string())
        }
        "season" => season_period(app, guild, class)?,
        _ => return Err(Error::user("The period is `all-time`, `season` or `week`.")),
    };
    if scope == "classes" {
        return class_ranking(app, guild, &all, &period, &label);
    }
    let (period, label) = match class {
        Some(class) => (
            crate::classes::class_period(class.id, &period),
            format!("{}, {label}", escape_markdown(&class.name)),
        ),
        None => (period, label),
    };
    let board = app.store.leaderboard(guild, &period, 10, request.user)?;
    let title = format!("Leaderboard: {label}");
    if board.top.is_empty() {
        return Ok(Reply::new(
            "Nobody has scored yet. Answer the daily question to get on the board!",
        )
        .title(title));
    }
    // The name is set off in bold and cut to Discord's 32 characters, so a
    // display name such as "Bob — 9999 points" cannot pass for a score.
    let line = |s: &crate::store::Standing| {
        format!(
            "**{}.** **{}** — {} points ({} of {} correct)",
            s.rank,
            escape_markdown(&fit(&s.name, 32)),
            s.points,
            s.correct,
            s.answered
        )
    };
    let mut text: Vec<String> = board.top.iter().map(line).collect();
    match &board.caller {
        Some(me) if me.rank > board.top.len() as u64 => {
            text.push("…".to_string());
            text.push(format!("{} (you)", line(me)));
        }
        None => text.push("You are not on this board yet.".to_string()),
        _ => {}
    }
    let mut reply = Reply::new(text.join("\n"))
        .title(title.clone())
        .footer(match board.players {
            1 => "1 student has scored".to_string(),
            n => format!("{n} students have scored"),
        });
    if request.flag("picture") {
        let rows: Vec<(u64, String, i64)> = board
            .top
            .iter()
            .map(|s| (s.rank, s.name.clone(), s.points))
            .collect();
        super::attach_picture(&mut reply, "leaderboard.png", || {
            draw_ranking(&title, &rows)
        });
    }
    Ok(reply)
}

/// The period `period:season` means and its label: a class's own running
/// season when the board is a class's that has one (the period then is
/// the class's own, `class-season:ID`, which only a class board has), else
/// the server's running season.
pub(crate) fn season_period(
    app: &App,
    guild: GuildId,
    class: Option<&crate::classes::Class>,
) -> Result<(String, String), Error> {
    if let Some(class) = class {
        if let Some(season) = app.store.open_class_season(guild, class.id)? {
            return Ok((
                crate::classes::season_key(season.id),
                format!("season \"{}\"", escape_markdown(&season.name)),
            ));
        }
    }
    match app.store.open_season(guild)? {
        Some(season) => Ok((
            quiz::season_key(season.id),
            format!("season \"{}\"", escape_markdown(&season.name)),
        )),
        None => Err(Error::user(match class {
            Some(class) => format!(
                "No season is running in this server or in the class {}. A teacher can start one with /season start (`class:{}` for the class alone).",
                escape_markdown(&class.name),
                class.name
            ),
            None => "No season is running in this server. A teacher can start one with /season start.".to_string(),
        })),
    }
}

/// `scope:classes`: the classes ranked by points per active student.
fn class_ranking(
    app: &App,
    guild: GuildId,
    all: &[crate::classes::Class],
    period: &str,
    label: &str,
) -> Result<Reply, Error> {
    let title = format!("Classes: {label}");
    if all.is_empty() {
        return Err(Error::user(
            "This server has no classes to rank. A teacher adds them with `/class create`.",
        ));
    }
    let mut totals = Vec::with_capacity(all.len());
    for class in all {
        let rows = app
            .store
            .export_rows(guild, &crate::classes::class_period(class.id, period))?;
        totals.push(crate::classes::ClassTotal {
            class: class.id,
            name: class.name.clone(),
            points: rows.iter().map(|r| r.points).sum(),
            active: rows.iter().filter(|r| r.answered > 0).count() as u64,
        });
    }
    let lines: Vec<String> = crate::classes::rank(totals)
        .iter()
        .map(|r| {
            format!(
                "**{}.** **{}** — {:.1} points per active student ({} active, {} points)",
                r.rank,
                escape_markdown(&fit(&r.total.name, 32)),
                r.per_student(),
                r.total.active,
                r.total.points
            )
        })
        .collect();
    Ok(Reply::new(lines.join("\n"))
        .title(title)
        .footer("Points per active student: a class's points shared among the students who answered, so a small class can beat a big one."))
}

/// A ranking card of (rank, name, points) rows.
#[cfg(feature = "pictures")]
pub(crate) fn draw_ranking(title: &str, rows: &[(u64, String, i64)]) -> Result<Vec<u8>, String> {
    let rows: Vec<crate::pictures::Ranked> = rows
        .iter()
        .map(|(rank, name, points)| crate::pictures::Ranked {
            rank: *rank,
            name: name.clone(),
            points: *points,
        })
        .collect();
    crate::pictures::ranking(title, &rows).map_err(|e| e.to_string())
}

/// A team ranking card from team scores (the pictures module knows no
/// teams module).
#[cfg(feature = "pictures")]
pub(crate) fn draw_team_ranking(
    title: &str,
    scores: &[crate::teams::TeamScore],
) -> Result<Vec<u8>, String> {
    let rows: Vec<crate::pictures::RankedTeam> = scores
        .iter()
        .map(|t| crate::pictures::RankedTeam {
            rank: t.rank,
            name: t.name.clone(),
            mean: t.mean(),
            mean_text: t.mean_text(),
            members: t.members,
        })
        .collect();
    crate::pictures::team_ranking(title, &rows).map_err(|e| e.to_string())
}

#[cfg(not(feature = "pictures"))]
pub(crate) fn draw_team_ranking(
    _title: &str,
    _scores: &[crate::teams::TeamScore],
) -> Result<Vec<u8>, String> {
    Err("pictures are not built in".to_string())
}

#[cfg(not(feature = "pictures"))]
pub(crate) fn draw_ranking(_title: &str, _rows: &[(u64, String, i64)]) -> Result<Vec<u8>, String> {
    Err("pictures are not built in".to_string())
}

/// `/stats [user]`: answered, accuracy, streaks, strongest and weakest tags.
pub fn stats(app: &App, request: &Request) -> Result<Reply, Error> {
    let guild = guild_of(request)?;
    remember(app, request)?;
    let user = request.id("user").map_or(request.user, UserId);
    let results = app.store.question_results(Some(guild), user)?;
    let board = app.store.leaderboard(guild, "all", 0, user)?;
    let name = board
        .caller
        .as_ref()
        .map(|s| s.name.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| {
            if user == request.user {
                request.display_name.clone()
            } else {
                format!("student {user}")
            }
        });
    // One's own stats without a known name are "Your stats", never "Stats: ".
    let title = if name.trim().is_empty() {
        "Your stats".to_string()
    } else {
        format!("Stats: {}", escape_markdown(&fit(&name, 64)))
    };
    let answered: u64 = results.iter().map(|r| r.answered).sum();
    let correct: u64 = results.iter().map(|r| r.correct).sum();
    if answered == 0 {
        let who = if user == request.user {
            "You have".to_string()
        } else {
            format!("{} has", escape_markdown(&name))
        };
        return Ok(
            Reply::new(format!("{who} not answered any questions here yet."))
                .title(title)
                .ephemeral(),
        );
    }
    let settings = app.store.settings(guild)?;
    // The streak by the calendar of the class asked about (this channel's,
    // else the asker's), as its daily answers count it: its days and pauses.
    let all = app.store.classes(guild)?;
    let class = match super::classes::here(request, &all)? {
        Some(class) => Some(class),
        None => crate::classes::default_for(&all, &request.roles),
    };
    let (day, post_days, paused) = match class {
        Some(class) => {
            let r = super::classes::resolve(app, class, &settings);
            (r.local_day(request.now), r.post_days.clone(), r.paused)
        }
        None => (
            local_day(app, Some(guild), request.now)?,
            settings.post_days.clone(),
            Default::default(),
        ),
    };
    let streak = app.store.streak(guild, user)?;
    let library = app.library_for(Some(guild))?;
    let mut by_tag: std::collections::BTreeMap<String, (u64, u64)> =
        std::collections::BTreeMap::new();
    for r in &results {
        if let Some((_, q)) = quiz::find(&library.content, &r.question) {
            for tag in &q.tags {
                let e = by_tag.entry(tag.clone()).or_default();
                e.0 += r.answered;
                e.1 += r.correct;
            }
        }
    }
    let mut tags: Vec<(String, f64, u64)> = by_tag
        .into_iter()
        .filter(|(_, (n, _))| *n >= 2)
        .map(|(t, (n, c))| (t, c as f64 / n as f64, n))
        .collect();
    tags.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    let describe = |items: &[(String, f64, u64)]| {
        items
            .iter()
            .map(|(t, rate, n)| format!("{t} ({:.0}% of {n})", rate * 100.0))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut reply = Reply::new(format!(
        "{} answered, {} correct ({:.0}% accuracy).",
        answered,
        correct,
        correct as f64 * 100.0 / answered as f64
    ))
    .title(title)
    .field(
        "Daily streak",
        format!(
            "current {} day(s), best {} day(s)",
            quiz::streak_on_skipping(&streak, day, post_days.as_deref(), &paused),
            streak.best
        ),
    );
    if let Some(me) = &board.caller {
        reply = reply.field(
            "Class leaderboard",
            format!(
                "{} points, rank {} of {}",
                me.points, me.rank, board.players
            ),
        );
    }
    let mut ranks = Vec::new();
    for class in app.store.classes(guild)? {
        let period = crate::classes::class_period(class.id, "all");
        let board = app.store.leaderboard(guild, &period, 0, user)?;
        if let Some(me) = board.caller {
            ranks.push(format!(
                "{}: {} points, rank {} of {}",
                escape_markdown(&class.name),
                me.points,
                me.rank,
                board.players
            ));
        }
    }
    if !ranks.is_empty() {
        reply = reply.field("Class ranks", fit(&ranks.join("\n"), 1024));
    }
    if user == request.user {
        let due = app.store.reviews_due(user, request.now)?;
        reply = reply.field(
            "Review",
            format!(
                "{due} question{} due (/review)",
                if due == 1 { "" } else { "s" }
            ),
        );
    }
    // A topic is never both: the strongest come from the better half and
    // must have some right answers; the weakest are the rest, lowest first,
    // and must have some wrong ones.
    let strong = tags
        .iter()
        .take(tags.len().div_ceil(2).min(3))
        .take_while(|(_, rate, _)| *rate > 0.0)
        .count();
    let weakest: Vec<_> = tags[strong..]
        .iter()
        .rev()
        .filter(|(_, rate, _)| *rate < 1.0)
        .take(3)
        .cloned()
        .collect();
    if strong > 0 {
        reply = reply.field("Strongest topics", describe(&tags[..strong]));
    }
    if !weakest.is_empty() {
        reply = reply.field("Weakest topics", describe(&weakest));
    }
    Ok(reply.ephemeral())
}

//! The daily post: which servers' and classes' questions are due now ([`plan`]), and what
//! became of each one sent ([`record_post`], [`record_post_problem`]).
//!
//! `plan` claims each due post in the store before it is sent, so a restart
//! or a REST timeout never posts twice: an unfinished claim is re-sent with
//! the same nonce, which Discord deduplicates. The rules of when a post is
//! due are `schedule`'s (pure, over settings); the Discord edge only sends
//! what this plans and reports back.

use crate::app::App;
use crate::error::Error;
use crate::reply::Reply;
use crate::request::GuildId;
use crate::schedule::{due, DuePost};
use crate::store::PostClaim;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::quiz::{daily_reply, ensure_class_daily};

/// A post to send: where, with which nonce, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedPost {
    pub post: DuePost,
    /// At most 25 characters, the same for every attempt at this post.
    pub nonce: String,
    pub reply: Reply,
}

/// A stable nonce for a guild's post on a day (Discord allows 25 characters).
pub fn nonce(guild: GuildId, day: NaiveDate) -> String {
    class_nonce(guild, 0, day)
}

/// A stable nonce for a class's post on a day (class 0: the server's own,
/// whose nonce is as it always was).
pub fn class_nonce(guild: GuildId, class: i64, day: NaiveDate) -> String {
    use rand_core::RngCore;
    let mut parts = vec![guild.0, day.num_days_from_ce() as u64, 0x9057];
    if class != 0 {
        parts.push(class as u64);
    }
    let mut rng = crate::quiz::rng(&parts);
    format!("sb{:016x}", rng.next_u64())
}

/// Claims and prepares every post due at `now`. A post already sent is
/// skipped; one whose earlier attempt did not finish is planned again with
/// its original nonce.
pub fn plan(app: &App, now: DateTime<Utc>) -> Result<Vec<PlannedPost>, Error> {
    // Another process posts for servers on its shards.
    let classes: Vec<_> = app
        .store
        .all_classes()?
        .into_iter()
        .filter(|class| app.owns(class.guild))
        .collect();
    // A server with classes posts per class, each in its own channel.
    let with_classes: std::collections::BTreeSet<GuildId> =
        classes.iter().map(|c| c.guild).collect();
    let guilds: Vec<_> = app
        .store
        .scheduled_guilds()?
        .into_iter()
        .filter(|(guild, _)| app.owns(*guild) && !with_classes.contains(guild))
        .collect();
    let mut resolved = Vec::with_capacity(classes.len());
    let mut settings: Option<(GuildId, crate::store::GuildSettings)> = None;
    for class in &classes {
        if settings.as_ref().is_none_or(|(g, _)| *g != class.guild) {
            settings = Some((class.guild, app.store.settings(class.guild)?));
        }
        if let Some((_, s)) = &settings {
            resolved.push(super::classes::resolve(app, class, s));
        }
    }
    let class_posts = crate::classes::due(now, &resolved)
        .into_iter()
        .map(|p| DuePost {
            guild: p.guild,
            class: p.class,
            channel: p.channel,
            day: p.day,
            ping_role: p.ping_role,
        });
    let mut planned = Vec::new();
    for post in due(now, &guilds, app.timezone)
        .into_iter()
        .chain(class_posts)
    {
        let fresh = class_nonce(post.guild, post.class, post.day);
        let nonce = match app
            .store
            .claim_class_post(post.guild, post.class, post.day, &fresh, now)?
        {
            PostClaim::Sent { .. } => continue,
            PostClaim::New => fresh,
            PostClaim::Pending { nonce } => nonce,
        };
        let class = resolved.iter().find(|r| r.class == post.class);
        let instance = ensure_class_daily(app, post.guild, class, post.day, now)?;
        let mut reply = daily_reply(app, &instance)?;
        if let Some(role) = post.ping_role {
            // The one message that may ping: the configured role, in the
            // content (mentions inside embeds never ping).
            reply.content = Some(format!(
                "{} today's question is here.",
                crate::markup::mention::role(role)
            ));
        }
        planned.push(PlannedPost { post, nonce, reply });
    }
    Ok(planned)
}

/// Notes that a planned post was sent as `message`, and clears the server's
/// posting problem.
pub fn record_post(
    app: &App,
    guild: GuildId,
    class: i64,
    day: NaiveDate,
    message: u64,
) -> Result<(), Error> {
    let now = app.clock.now();
    app.store
        .mark_class_posted(guild, class, day, message, now)?;
    app.store.set_post_problem(guild, None, now)?;
    Ok(())
}

/// Notes why a planned post could not be sent in `channel`, for teachers
/// to see in `/settings show`; the next plan tries again.
pub fn record_post_problem(
    app: &App,
    guild: GuildId,
    day: NaiveDate,
    channel: u64,
    error: &str,
) -> Result<(), Error> {
    let problem = format!(
        "The daily question of {day} could not be posted in {}: {error}. Check that the channel exists and that studybot may view it, send messages and embed links there.",
        crate::markup::mention::channel(channel)
    );
    app.store
        .set_post_problem(guild, Some(&problem), app.clock.now())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::schedule::tests::{at, settings};
    use chrono::Duration;

    #[test]
    fn nonces_fit_discord() {
        let spring: NaiveDate = "2026-03-29".parse().unwrap();
        assert_eq!(nonce(GuildId(u64::MAX), spring).len(), 18);
    }

    #[test]
    fn a_post_is_planned_once_and_retried_with_its_nonce() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/quiz-pack.toml");
        let (library, _) = crate::Library::load(&[dir]).unwrap();
        let app = App::in_memory(Config::default(), library).unwrap();
        let mut s = settings("Europe/London", "09:00", None);
        s.ping_role = Some(77);
        app.store
            .save_settings(GuildId(1), &s, at("2026-11-23T08:00:00Z"))
            .unwrap();
        let now = at("2026-11-23T09:05:00Z");
        let first = plan(&app, now).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(
            first[0].reply.content.as_deref(),
            Some("<@&77> today's question is here.")
        );
        assert!(first[0]
            .reply
            .title
            .as_deref()
            .unwrap()
            .starts_with("Daily question, 23 November 2026"));
        // Not yet marked as sent (a timeout, a crash): planned again, same nonce.
        let retry = plan(&app, now + Duration::minutes(1)).unwrap();
        assert_eq!(retry[0].nonce, first[0].nonce);
        assert_eq!(
            retry[0].reply.text, first[0].reply.text,
            "the same question"
        );
        app.store
            .mark_posted(GuildId(1), first[0].post.day, 123, now)
            .unwrap();
        assert!(
            plan(&app, now + Duration::hours(3)).unwrap().is_empty(),
            "never twice"
        );
        // The next day posts again, with a different question and nonce.
        let tomorrow = plan(&app, now + Duration::days(1)).unwrap();
        assert_eq!(tomorrow.len(), 1);
        assert_ne!(tomorrow[0].nonce, first[0].nonce);
        assert!(tomorrow[0]
            .reply
            .fields
            .iter()
            .any(|f| f.name == "Yesterday's answer"));
    }

    #[test]
    fn the_app_clock_drives_the_plan() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/quiz-pack.toml");
        let (library, _) = crate::Library::load(&[dir]).unwrap();
        let clock = std::sync::Arc::new(crate::clock::FixedClock::new(at("2026-11-23T08:59:00Z")));
        let app = App::in_memory(Config::default(), library)
            .unwrap()
            .with_clock(clock.clone());
        app.store
            .save_settings(
                GuildId(1),
                &settings("Europe/London", "09:00", None),
                app.clock.now(),
            )
            .unwrap();
        assert!(
            plan(&app, app.clock.now()).unwrap().is_empty(),
            "a minute early"
        );
        clock.advance(Duration::minutes(1));
        assert_eq!(
            plan(&app, app.clock.now()).unwrap().len(),
            1,
            "due at 09:00"
        );
    }

    #[test]
    fn two_classes_post_in_their_channels_at_their_own_local_times() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/quiz-pack.toml");
        let (library, _) = crate::Library::load(&[dir]).unwrap();
        let app = App::in_memory(Config::default(), library).unwrap();
        let server = settings("Europe/London", "09:00", None);
        let saved_at = at("2026-11-23T08:00:00Z");
        app.store
            .save_settings(GuildId(1), &server, saved_at)
            .unwrap();
        let class = |name: &str, channel, settings| crate::store::Class {
            id: 0,
            guild: GuildId(1),
            name: name.into(),
            channel,
            role: None,
            teacher_role: None,
            settings,
        };
        // 10A keeps the server's 09:00 London; 10B posts at 08:30 in New York.
        let ten_a = app
            .store
            .save_class(&class("10A", 11, Default::default()), "10a")
            .unwrap();
        let ten_b = app
            .store
            .save_class(
                &class(
                    "10B",
                    12,
                    crate::store::ClassSettings {
                        post_time: Some("08:30".into()),
                        timezone: Some("America/New_York".into()),
                        ping_role: Some(502),
                        ..Default::default()
                    },
                ),
                "10b",
            )
            .unwrap();
        let posted = |now: &str| {
            plan(&app, at(now))
                .unwrap()
                .into_iter()
                .map(|p| (p.post.class, p.post.channel))
                .collect::<Vec<_>>()
        };
        // With classes, the server's own channel (555) posts nothing.
        assert!(posted("2026-11-23T08:59:00Z").is_empty());
        assert_eq!(posted("2026-11-23T09:00:00Z"), [(ten_a.id, 11)]);
        // 08:30 in New York is 13:30 UTC; 10A's post is still unsent and
        // planned again (same nonce), as any unsent post is.
        let both = plan(&app, at("2026-11-23T13:30:00Z")).unwrap();
        assert_eq!(
            both.iter().map(|p| p.post.class).collect::<Vec<_>>(),
            [ten_a.id, ten_b.id]
        );
        assert_ne!(both[0].nonce, both[1].nonce, "a nonce per class");
        assert_eq!(
            both[1].reply.content.as_deref(),
            Some("<@&502> today's question is here.")
        );
        let day = both[0].post.day;
        app.store
            .mark_class_posted(GuildId(1), ten_a.id, day, 1, at("2026-11-23T13:30:00Z"))
            .unwrap();
        assert_eq!(
            posted("2026-11-23T13:31:00Z"),
            [(ten_b.id, 12)],
            "10A was sent; 10B not yet"
        );
        // Each class has its own question instance for the day.
        let a = app
            .store
            .class_daily(GuildId(1), ten_a.id, day)
            .unwrap()
            .unwrap();
        let b = app
            .store
            .class_daily(GuildId(1), ten_b.id, day)
            .unwrap()
            .unwrap();
        assert_ne!(a.id, b.id);
        assert_eq!((a.class, b.class), (ten_a.id, ten_b.id));
        assert_eq!(app.store.class_daily(GuildId(1), 0, day).unwrap(), None);
    }

    #[test]
    fn a_class_skips_its_paused_days_and_draws_from_its_tags() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/quiz-pack.toml");
        let (library, _) = crate::Library::load(&[dir]).unwrap();
        let app = App::in_memory(Config::default(), library).unwrap();
        app.store
            .save_settings(
                GuildId(1),
                &settings("Europe/London", "09:00", None),
                at("2026-11-23T08:00:00Z"),
            )
            .unwrap();
        let paused = ["2026-11-24", "2026-11-25"]
            .iter()
            .map(|d| d.parse().unwrap())
            .collect();
        let class = app
            .store
            .save_class(
                &crate::store::Class {
                    id: 0,
                    guild: GuildId(1),
                    name: "10A".into(),
                    channel: 11,
                    role: None,
                    teacher_role: None,
                    settings: crate::store::ClassSettings {
                        paused,
                        packs: vec!["quizmini".into()],
                        tags: vec!["trials".into()],
                        ..Default::default()
                    },
                },
                "10a",
            )
            .unwrap();
        let planned = |now: &str| plan(&app, at(now)).unwrap();
        let monday = planned("2026-11-23T09:00:00Z");
        assert_eq!(monday.len(), 1);
        // Every day's question is one of the pack's questions tagged trials.
        let drawn = |day: &str| {
            let instance = app
                .store
                .class_daily(GuildId(1), class.id, day.parse().unwrap())
                .unwrap()
                .unwrap();
            let library = app.library();
            let (pack, question) = crate::quiz::find(&library.content, &instance.question).unwrap();
            (pack.id.clone(), question.tags.clone())
        };
        let (pack, tags) = drawn("2026-11-23");
        assert_eq!(pack, "quizmini");
        assert!(tags.contains(&"trials".to_string()), "{tags:?}");
        app.store
            .mark_class_posted(
                GuildId(1),
                class.id,
                monday[0].post.day,
                1,
                at("2026-11-23T09:00:00Z"),
            )
            .unwrap();
        assert!(planned("2026-11-24T12:00:00Z").is_empty(), "paused");
        assert!(planned("2026-11-25T12:00:00Z").is_empty(), "paused");
        let thursday = planned("2026-11-26T09:00:00Z");
        assert_eq!(
            thursday
                .iter()
                .map(|p| (p.post.class, p.post.channel))
                .collect::<Vec<_>>(),
            [(class.id, 11)]
        );
        assert!(drawn("2026-11-26").1.contains(&"trials".to_string()));
    }
}

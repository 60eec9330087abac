//! The daily post: which class questions are due now ([`plan`]), and what
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

use super::quiz::{daily_reply, ensure_daily};

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
    use rand_core::RngCore;
    let mut rng = crate::quiz::rng(&[guild.0, day.num_days_from_ce() as u64, 0x9057]);
    format!("sb{:016x}", rng.next_u64())
}

/// Claims and prepares every post due at `now`. A post already sent is
/// skipped; one whose earlier attempt did not finish is planned again with
/// its original nonce.
pub fn plan(app: &App, now: DateTime<Utc>) -> Result<Vec<PlannedPost>, Error> {
    // Another process posts for servers on its shards.
    let guilds: Vec<_> = app
        .store
        .scheduled_guilds()?
        .into_iter()
        .filter(|(guild, _)| app.owns(*guild))
        .collect();
    let mut planned = Vec::new();
    for post in due(now, &guilds, app.timezone) {
        let fresh = nonce(post.guild, post.day);
        let nonce = match app.store.claim_post(post.guild, post.day, &fresh, now)? {
            PostClaim::Sent { .. } => continue,
            PostClaim::New => fresh,
            PostClaim::Pending { nonce } => nonce,
        };
        let instance = ensure_daily(app, post.guild, post.day, now)?;
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
pub fn record_post(app: &App, guild: GuildId, day: NaiveDate, message: u64) -> Result<(), Error> {
    let now = app.clock.now();
    app.store.mark_posted(guild, day, message, now)?;
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
    use crate::store::GuildSettings;
    use chrono::Duration;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn settings(tz: &str, time: &str, days: Option<Vec<u8>>) -> GuildSettings {
        GuildSettings {
            timezone: Some(tz.into()),
            channel: Some(555),
            post_time: Some(time.into()),
            post_days: days,
            ..Default::default()
        }
    }

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
}

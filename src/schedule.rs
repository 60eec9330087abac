//! When each class's daily question is posted.
//!
//! Pure rules over settings and an injected "now": a guild with a channel
//! and a local time posts once per posting day, at that time in its timezone,
//! or as soon as the bot is up if it was down then (catch-up, same day only).
//! `plan` claims each due post in the store before it is sent, so a restart
//! or a REST timeout never posts twice: an unfinished claim is re-sent with
//! the same nonce, which Discord deduplicates. Knows nothing of Discord.
//!
//! Daylight saving: a local time that does not exist on a day (the spring
//! gap, e.g. 02:30 in Europe/London on the last Sunday of March) posts at the
//! first minute after the gap; a time that occurs twice (the autumn overlap)
//! posts at the first occurrence.

use crate::app::App;
use crate::error::Error;
use crate::handlers::quiz::{daily_reply, ensure_daily};
use crate::reply::Reply;
use crate::request::GuildId;
use crate::store::{GuildSettings, PostClaim};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Reads "HH:MM" (24-hour).
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
}

/// The UTC instant of `time` on `day` in `tz`, resolving DST as documented.
pub fn post_instant(tz: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = day.and_time(time);
    for minutes in 0..=180 {
        match tz.from_local_datetime(&(local + Duration::minutes(minutes))) {
            chrono::LocalResult::Single(t) => return t.with_timezone(&Utc),
            chrono::LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            chrono::LocalResult::None => continue,
        }
    }
    // No zone has a gap of three hours; fall back to reading the time as UTC.
    Utc.from_utc_datetime(&local)
}

/// Whether a guild posts on `day`: `post_days` lists weekdays Monday = 0 ..
/// Sunday = 6; `None` (or empty) means every day.
pub fn posts_on(day: NaiveDate, post_days: Option<&[u8]>) -> bool {
    match post_days.filter(|d| !d.is_empty()) {
        None => true,
        Some(days) => days.contains(&(day.weekday().num_days_from_monday() as u8)),
    }
}

/// A daily post that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuePost {
    pub guild: GuildId,
    pub channel: u64,
    pub day: NaiveDate,
    pub ping_role: Option<u64>,
}

/// The guild's timezone: its setting, else the default.
pub fn timezone(settings: &GuildSettings, default: Tz) -> Tz {
    settings
        .timezone
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(default)
}

/// The guild's local day at `now`, for a caller that has its settings.
pub fn local_day(settings: &GuildSettings, default: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&timezone(settings, default)).date_naive()
}

/// The posts due at `now`: guilds whose local posting time today has passed
/// (today being a posting day). Whether each was already sent is the store's
/// to say (see [`plan`]).
pub fn due(now: DateTime<Utc>, guilds: &[(GuildId, GuildSettings)], default: Tz) -> Vec<DuePost> {
    guilds
        .iter()
        .filter_map(|(guild, s)| {
            let channel = s.channel?;
            let time = parse_time(s.post_time.as_deref()?)?;
            let tz = timezone(s, default);
            let day = now.with_timezone(&tz).date_naive();
            (posts_on(day, s.post_days.as_deref()) && now >= post_instant(tz, day, time)).then_some(
                DuePost {
                    guild: *guild,
                    channel,
                    day,
                    ping_role: s.ping_role,
                },
            )
        })
        .collect()
}

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
            reply.content = Some(format!("<@&{role}> today's question is here."));
        }
        planned.push(PlannedPost { post, nonce, reply });
    }
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

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
    fn posts_fall_due_at_local_time_and_catch_up_the_same_day() {
        let guilds = vec![
            (GuildId(1), settings("Europe/London", "09:00", None)),
            (GuildId(2), settings("America/New_York", "07:30", None)),
        ];
        // 08:59 London (GMT in November): nothing yet.
        assert!(due(at("2026-11-23T08:59:00Z"), &guilds, chrono_tz::UTC).is_empty());
        let due_london = due(at("2026-11-23T09:00:00Z"), &guilds, chrono_tz::UTC);
        assert_eq!(
            due_london.iter().map(|d| d.guild.0).collect::<Vec<_>>(),
            [1]
        );
        // The bot was down until 15:00 UTC: both are due (catch-up), New York
        // at 07:30 EST = 12:30 UTC.
        let later = due(at("2026-11-23T15:00:00Z"), &guilds, chrono_tz::UTC);
        assert_eq!(later.len(), 2);
        assert_eq!(later[1].day, "2026-11-23".parse::<NaiveDate>().unwrap());
        // Just after midnight in London, the new day's post is not due yet.
        assert!(due(at("2026-11-24T00:30:00Z"), &guilds[..1], chrono_tz::UTC).is_empty());
    }

    #[test]
    fn paused_days_do_not_post() {
        let weekdays = vec![(
            GuildId(1),
            settings("Europe/London", "09:00", Some(vec![0, 1, 2, 3, 4])),
        )];
        assert!(
            due(at("2026-11-28T12:00:00Z"), &weekdays, chrono_tz::UTC).is_empty(),
            "Saturday"
        );
        assert_eq!(
            due(at("2026-11-30T12:00:00Z"), &weekdays, chrono_tz::UTC).len(),
            1,
            "Monday"
        );
    }

    #[test]
    fn daylight_saving_gaps_and_overlaps_resolve_sensibly() {
        let london: Tz = "Europe/London".parse().unwrap();
        let time = |s: &str| parse_time(s).unwrap();
        // 28 March 2027: clocks jump from 01:00 to 02:00 GMT->BST; 01:30 does not exist.
        let spring: NaiveDate = "2027-03-28".parse().unwrap();
        assert_eq!(
            post_instant(london, spring, time("01:30")),
            at("2027-03-28T01:00:00Z"),
            "first minute after the gap (02:00 BST)"
        );
        // 25 October 2026: 01:30 happens twice; the first (BST) is 00:30 UTC.
        let autumn: NaiveDate = "2026-10-25".parse().unwrap();
        assert_eq!(
            post_instant(london, autumn, time("01:30")),
            at("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            post_instant(london, autumn, time("09:00")),
            at("2026-10-25T09:00:00Z"),
            "GMT again after the change"
        );
        assert!(parse_time("25:00").is_none());
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

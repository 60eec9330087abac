//! When each class's daily question is posted.
//!
//! Pure rules over settings and an injected "now": a guild with a channel
//! and a local time posts once per posting day, at that time in its timezone,
//! or as soon as the bot is up if it was down then (catch-up, same day only).
//! Claiming and preparing the due posts is `handlers::daily`'s; this module
//! knows nothing of the store's writes, the handlers or Discord.
//!
//! Daylight saving: a local time that does not exist on a day (the spring
//! gap, e.g. 02:30 in Europe/London on the last Sunday of March) posts at the
//! first minute after the gap; a time that occurs twice (the autumn overlap)
//! posts at the first occurrence.

use crate::request::GuildId;
use crate::store::GuildSettings;
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
    /// The class posted to; 0 for a server without classes.
    pub class: i64,
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
/// to say (see `handlers::daily::plan`).
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
                    class: 0,
                    channel,
                    day,
                    ping_role: s.ping_role,
                },
            )
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A UTC instant from RFC 3339 (also used by the daily planner's tests).
    pub(crate) fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// A server posting in channel 555 at `time` in `tz` on `days`.
    pub(crate) fn settings(tz: &str, time: &str, days: Option<Vec<u8>>) -> GuildSettings {
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
    }
}

//! Classes: several classes in one server.
//!
//! A history department runs one server with a channel per class; each
//! class has its own daily question, time, days and leaderboard. This
//! module owns the class model and its rules as pure functions over plain
//! values: names (unique in a server), which class a channel or a role
//! maps to, who belongs to a class, how a class's settings fall back to the
//! server's, which classes' daily posts are due at an injected "now", and
//! how classes rank against each other. It knows nothing of Discord or of
//! how classes are stored: the store keeps what these functions decide, and
//! the handlers turn their errors into replies.

use crate::request::GuildId;
use crate::schedule::{parse_time, post_instant, posts_on};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// The longest class name: it heads leaderboards and fits a Discord
/// choice's label with room to spare.
pub const MAX_NAME: usize = 32;

/// How many classes one server may have (a large department has a dozen
/// sets; the cap keeps `/class list` and `scope:classes` one message).
pub const MAX_CLASSES: usize = 25;

pub use crate::model::{class_period, Class, ClassSettings, FIRST_CLASS_NAME};

/// The server's own settings that a class falls back to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerDefaults {
    pub timezone: Option<String>,
    pub post_time: Option<String>,
    pub post_days: Option<Vec<u8>>,
    pub ping_role: Option<u64>,
}

impl From<&crate::model::GuildSettings> for ServerDefaults {
    fn from(s: &crate::model::GuildSettings) -> Self {
        Self {
            timezone: s.timezone.clone(),
            post_time: s.post_time.clone(),
            post_days: s.post_days.clone(),
            ping_role: s.ping_role,
        }
    }
}

/// The period of a class's own season (`/season start class:`), before
/// the class's prefix: "class-season:4". Its own key, apart from the
/// server's `season:ID`, as the two kinds of season are numbered apart.
pub fn season_key(season: i64) -> String {
    format!("class-season:{season}")
}

/// The class periods an answer counting for `class` adds to: each of the
/// server's periods it counts in, for the class alone, and the class's own
/// running season (`own_season`), if it has one.
pub fn periods(class: i64, server_periods: &[String], own_season: Option<i64>) -> Vec<String> {
    server_periods
        .iter()
        .cloned()
        .chain(own_season.map(season_key))
        .map(|p| class_period(class, &p))
        .collect()
}

/// The most days `/class edit paused:` takes in one range (a long holiday
/// is a few weeks; a year-long typo is refused, not stored day by day).
pub const MAX_PAUSED_RANGE: i64 = 62;

/// Why a list of paused dates cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatesError {
    #[error("`{0}` is not a date: write days as 2026-12-21 and ranges as 2026-12-21..2027-01-03, separated by commas.")]
    NotADate(String),
    #[error("`{0}` ends before it starts.")]
    Backwards(String),
    #[error("`{0}` is more than {MAX_PAUSED_RANGE} days: pause a long break in parts, or change the class's days.")]
    TooLong(String),
}

/// Reads paused dates as a teacher types them: days (`2026-12-21`) and
/// ranges (`2026-12-21..2027-01-03`, both ends included), separated by
/// commas or spaces. Days before `today` are dropped: they can no longer
/// stop a post. `none` (or nothing) is no paused day.
pub fn parse_paused(text: &str, today: NaiveDate) -> Result<BTreeSet<NaiveDate>, DatesError> {
    let mut days = BTreeSet::new();
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(days);
    }
    let day = |s: &str, whole: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| DatesError::NotADate(whole.to_string()))
    };
    for item in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|i| !i.is_empty())
    {
        let (from, to) = match item.split_once("..") {
            Some((from, to)) => (day(from, item)?, day(to, item)?),
            None => (day(item, item)?, day(item, item)?),
        };
        if to < from {
            return Err(DatesError::Backwards(item.to_string()));
        }
        if (to - from).num_days() >= MAX_PAUSED_RANGE {
            return Err(DatesError::TooLong(item.to_string()));
        }
        days.extend(
            from.iter_days()
                .take_while(|d| *d <= to)
                .filter(|d| *d >= today),
        );
    }
    Ok(days)
}

/// Paused days as `/class list` shows them: runs of consecutive days as
/// ranges, "21 Dec–3 Jan, 16 Feb".
pub fn describe_paused(paused: &BTreeSet<NaiveDate>) -> String {
    let mut runs: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for &day in paused {
        match runs.last_mut() {
            Some((_, end)) if end.succ_opt() == Some(day) => *end = day,
            _ => runs.push((day, day)),
        }
    }
    runs.iter()
        .map(|(from, to)| {
            if from == to {
                from.format("%-d %b").to_string()
            } else {
                format!("{}–{}", from.format("%-d %b"), to.format("%-d %b"))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a list of packs or tags (`all` or nothing: every one), commas or
/// spaces between, lower-cased and without repeats, in the order given.
pub fn parse_list(text: &str) -> Vec<String> {
    if text.trim().eq_ignore_ascii_case("all") {
        return Vec::new();
    }
    let mut items: Vec<String> = Vec::new();
    for item in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|i| i.trim().to_lowercase())
        .filter(|i| !i.is_empty())
    {
        if !items.contains(&item) {
            items.push(item);
        }
    }
    items
}

/// The class a student's request is about where no channel says so: the
/// first class whose role they hold, else the server's first class.
pub fn default_for<'a>(classes: &'a [Class], roles: &[u64]) -> Option<&'a Class> {
    for_roles(classes, roles)
        .into_iter()
        .next()
        .or(classes.first())
}

/// A class's settings after falling back to the server's and the bot's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub class: i64,
    pub guild: GuildId,
    pub channel: u64,
    pub timezone: Tz,
    /// `None`: no time is set anywhere, so the class is never posted to
    /// (its students can still ask for the question).
    pub post_time: Option<NaiveTime>,
    pub post_days: Option<Vec<u8>>,
    pub paused: BTreeSet<NaiveDate>,
    pub packs: Vec<String>,
    pub tags: Vec<String>,
    pub ping_role: Option<u64>,
}

/// Why a class cannot be created or changed as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassError {
    #[error("Give the class a name, e.g. `10A` or `Year 12 History`.")]
    EmptyName,
    #[error("A class name is at most {MAX_NAME} characters.")]
    NameTooLong,
    #[error("A class name is made of letters, digits, spaces and - . ' & / +, e.g. `10A` or `Year 12 History`.")]
    BadName,
    #[error("This server already has a class called \"{0}\".")]
    NameTaken(String),
    /// `channel` as its mention.
    #[error(
        "{channel} already belongs to the class \"{class}\": each class has a channel of its own."
    )]
    ChannelTaken { channel: String, class: String },
    #[error("This server has {MAX_CLASSES} classes, the most it can have. Remove one first.")]
    TooMany,
    /// What was typed is not shown back: `/class list` shows the names.
    #[error("This server has no class by that name. `/class list` shows its classes.")]
    Unknown,
}

/// How class names are compared: case, surrounding spaces and runs of
/// spaces do not make two names different ("10a" is "10A ").
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Checks a new class (or a class's new name and channel) against the
/// server's other classes; `editing` is the class being changed, which may
/// keep its own name and channel. Returns the name as it will be stored.
pub fn check_new(
    existing: &[Class],
    editing: Option<i64>,
    name: &str,
    channel: u64,
) -> Result<String, ClassError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(ClassError::EmptyName);
    }
    if name.chars().count() > MAX_NAME {
        return Err(ClassError::NameTooLong);
    }
    // Names are shown in leaderboards and replies: plain words only, so a
    // name can never be a mention, a link or Markdown.
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || " -.'&/+".contains(c))
    {
        return Err(ClassError::BadName);
    }
    let others = || existing.iter().filter(|c| Some(c.id) != editing);
    if let Some(same) = others().find(|c| name_key(&c.name) == name_key(&name)) {
        return Err(ClassError::NameTaken(same.name.clone()));
    }
    if let Some(owner) = others().find(|c| c.channel == channel) {
        return Err(ClassError::ChannelTaken {
            channel: crate::markup::mention::channel(channel),
            class: owner.name.clone(),
        });
    }
    if editing.is_none() && existing.len() >= MAX_CLASSES {
        return Err(ClassError::TooMany);
    }
    Ok(name)
}

/// The class a teacher names in a `class:` option.
pub fn find_by_name<'a>(classes: &'a [Class], name: &str) -> Result<&'a Class, ClassError> {
    let key = name_key(name);
    classes
        .iter()
        .find(|c| name_key(&c.name) == key)
        .ok_or(ClassError::Unknown)
}

/// The class whose channel this is.
pub fn for_channel(classes: &[Class], channel: u64) -> Option<&Class> {
    classes.iter().find(|c| c.channel == channel)
}

/// The classes whose role the member holds, in the order given.
pub fn for_roles<'a>(classes: &'a [Class], roles: &[u64]) -> Vec<&'a Class> {
    classes
        .iter()
        .filter(|c| c.role.is_some_and(|r| roles.contains(&r)))
        .collect()
}

/// Whether an answer to a class's daily question counts for the class (it
/// always counts for the server). A class with a role is its role's
/// members: an answer from someone without it (a student of another set
/// visiting the channel) counts for the server only. A class without a
/// role takes whoever answers its question, which is how they join it.
pub fn counts_for(class: &Class, roles: &[u64]) -> bool {
    class.role.is_none_or(|role| roles.contains(&role))
}

/// The classes a student belongs to: those whose role they hold, and those
/// without a role whose daily question they have answered (`answered`:
/// the ids of the classes they have an answer in). A student may be in
/// several classes. Ordered by class id (the order they were created).
pub fn memberships(classes: &[Class], roles: &[u64], answered: &BTreeSet<i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = classes
        .iter()
        .filter(|c| match c.role {
            Some(role) => roles.contains(&role),
            None => answered.contains(&c.id),
        })
        .map(|c| c.id)
        .collect();
    ids.sort_unstable();
    ids
}

/// Whether a member with `roles` teaches `class`: the server's teachers
/// (`server_teacher`) teach every class, a class's teacher role its own.
pub fn teaches(class: &Class, roles: &[u64], server_teacher: bool) -> bool {
    server_teacher || class.teacher_role.is_some_and(|r| roles.contains(&r))
}

/// A class's settings with everything it leaves unset taken from the
/// server, and the time zone from the bot's default when neither sets one.
/// A setting the server has but cannot read (a time zone name no longer
/// known) counts as unset, as the server's own schedule treats it.
pub fn resolve(class: &Class, server: &ServerDefaults, default_tz: Tz) -> Resolved {
    let own = &class.settings;
    let timezone = own
        .timezone
        .as_deref()
        .and_then(|t| t.parse::<Tz>().ok())
        .or_else(|| server.timezone.as_deref().and_then(|t| t.parse().ok()))
        .unwrap_or(default_tz);
    let post_time = own
        .post_time
        .as_deref()
        .and_then(parse_time)
        .or_else(|| server.post_time.as_deref().and_then(parse_time));
    Resolved {
        class: class.id,
        guild: class.guild,
        channel: class.channel,
        timezone,
        post_time,
        post_days: own
            .post_days
            .clone()
            .filter(|d| !d.is_empty())
            .or_else(|| server.post_days.clone()),
        paused: own.paused.clone(),
        packs: own.packs.clone(),
        tags: own.tags.clone(),
        ping_role: own.ping_role.or(server.ping_role),
    }
}

impl Resolved {
    /// The class's local day at `now`.
    pub fn local_day(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.timezone).date_naive()
    }

    /// Whether the class has a question on `day`: a posting weekday that
    /// is not paused.
    pub fn posts_on(&self, day: NaiveDate) -> bool {
        posts_on(day, self.post_days.as_deref()) && !self.paused.contains(&day)
    }

    /// When the class's post on `day` is due (`None` without a time or on
    /// a day without a post).
    pub fn post_at(&self, day: NaiveDate) -> Option<DateTime<Utc>> {
        let time = self.post_time?;
        self.posts_on(day)
            .then(|| post_instant(self.timezone, day, time))
    }

    /// The next post strictly after `now`, within two weeks.
    pub fn next_post(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut day = self.local_day(now);
        for _ in 0..15 {
            if let Some(at) = self.post_at(day).filter(|at| *at > now) {
                return Some(at);
            }
            day = day.succ_opt()?;
        }
        None
    }

    /// Whether a question pool key (`pack-id/question-id`, with the
    /// question's tags) is one this class draws from.
    pub fn draws(&self, key: &str, tags: &[String]) -> bool {
        let pack = key.split_once('/').map_or(key, |(pack, _)| pack);
        (self.packs.is_empty() || self.packs.iter().any(|p| p == pack))
            && (self.tags.is_empty() || tags.iter().any(|t| self.tags.contains(t)))
    }
}

/// A class's daily post that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueClassPost {
    pub guild: GuildId,
    pub class: i64,
    pub channel: u64,
    /// The class-local day the post is for.
    pub day: NaiveDate,
    pub ping_role: Option<u64>,
}

/// The class posts due at `now`: classes whose local posting time today has
/// passed, today being one of their posting days and not paused. As for a
/// server's post, a bot that was down at the time catches up the same day;
/// whether a post was already sent is the store's to say.
pub fn due(now: DateTime<Utc>, classes: &[Resolved]) -> Vec<DueClassPost> {
    classes
        .iter()
        .filter_map(|class| {
            let day = class.local_day(now);
            let at = class.post_at(day)?;
            (now >= at).then_some(DueClassPost {
                guild: class.guild,
                class: class.class,
                channel: class.channel,
                day,
                ping_role: class.ping_role,
            })
        })
        .collect()
}

/// One class's totals over a period, as the store counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassTotal {
    pub class: i64,
    pub name: String,
    pub points: i64,
    /// Students with at least one answer counted for the class in the period.
    pub active: u64,
}

/// A class's place when classes are ranked against each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassRank {
    pub rank: u64,
    pub total: ClassTotal,
}

impl ClassRank {
    /// Points per active student (0 for a class nobody has played in yet).
    pub fn per_student(&self) -> f64 {
        if self.total.active == 0 {
            0.0
        } else {
            self.total.points as f64 / self.total.active as f64
        }
    }
}

/// Compares two classes' points per active student exactly (no rounding:
/// 100/3 and 200/6 are equal), a class with no active students lowest.
fn by_points_per_student(a: &ClassTotal, b: &ClassTotal) -> Ordering {
    match (a.active, b.active) {
        (0, 0) => Ordering::Equal,
        (0, _) => Ordering::Less,
        (_, 0) => Ordering::Greater,
        _ => (i128::from(a.points) * i128::from(b.active))
            .cmp(&(i128::from(b.points) * i128::from(a.active))),
    }
}

/// Ranks classes by points per active student, so a class of 12 can beat a
/// class of 30. Equal averages share a rank (1, 2, 2, 4) and are listed by
/// total points, then by name.
pub fn rank(totals: Vec<ClassTotal>) -> Vec<ClassRank> {
    let mut totals = totals;
    totals.sort_by(|a, b| {
        by_points_per_student(b, a)
            .then(b.points.cmp(&a.points))
            .then_with(|| name_key(&a.name).cmp(&name_key(&b.name)))
    });
    let mut ranked: Vec<ClassRank> = Vec::with_capacity(totals.len());
    for (i, total) in totals.into_iter().enumerate() {
        let rank = match ranked.last() {
            Some(prev) if by_points_per_student(&prev.total, &total) == Ordering::Equal => {
                prev.rank
            }
            _ => i as u64 + 1,
        };
        ranked.push(ClassRank { rank, total });
    }
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(id: i64, name: &str, channel: u64, role: Option<u64>) -> Class {
        Class {
            id,
            guild: GuildId(1),
            name: name.into(),
            channel,
            role,
            teacher_role: None,
            settings: ClassSettings::default(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn names_are_unique_in_a_server_whatever_their_case_and_spacing() {
        let classes = vec![class(1, "10A", 11, None), class(2, "Year 12", 12, None)];
        assert_eq!(check_new(&classes, None, "  10B ", 13), Ok("10B".into()));
        assert_eq!(
            check_new(&classes, None, "10a", 13),
            Err(ClassError::NameTaken("10A".into()))
        );
        assert_eq!(
            check_new(&classes, None, "year   12", 13),
            Err(ClassError::NameTaken("Year 12".into()))
        );
        assert_eq!(
            check_new(&classes, None, "Year  12  History", 14),
            Ok("Year 12 History".into()),
            "inner runs of spaces are stored as one"
        );
        assert_eq!(
            check_new(&classes, None, "   ", 13),
            Err(ClassError::EmptyName)
        );
        for bad in ["<@&1>", "@everyone", "**10A**", "10A\u{202e}", "[x](y)"] {
            assert_eq!(
                check_new(&classes, None, bad, 13),
                Err(ClassError::BadName),
                "{bad}"
            );
        }
        assert_eq!(
            check_new(&classes, None, "Année 12 - Histoire & Géo", 13),
            Ok("Année 12 - Histoire & Géo".into())
        );
        assert_eq!(
            check_new(&classes, None, &"x".repeat(MAX_NAME + 1), 13),
            Err(ClassError::NameTooLong)
        );
        assert_eq!(
            check_new(&classes, None, "10B", 11)
                .unwrap_err()
                .to_string(),
            "<#11> already belongs to the class \"10A\": each class has a channel of its own."
        );
        // A class being edited may keep its own name and channel.
        assert_eq!(check_new(&classes, Some(1), "10a", 11), Ok("10a".into()));
        assert_eq!(
            check_new(&classes, Some(1), "Year 12", 11),
            Err(ClassError::NameTaken("Year 12".into()))
        );
        let full: Vec<Class> = (0..MAX_CLASSES as i64)
            .map(|i| class(i, &format!("c{i}"), 100 + i as u64, None))
            .collect();
        assert_eq!(
            check_new(&full, None, "one more", 1),
            Err(ClassError::TooMany)
        );
        assert_eq!(
            check_new(&full, Some(3), "renamed", 103),
            Ok("renamed".into())
        );
    }

    #[test]
    fn paused_dates_are_days_and_ranges_from_today_on() {
        let today = day("2026-12-18");
        let paused = parse_paused("2026-12-21..2026-12-23, 2027-02-16 2026-12-01", today).unwrap();
        assert_eq!(
            paused.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            ["2026-12-21", "2026-12-22", "2026-12-23", "2027-02-16"],
            "1 December has passed"
        );
        assert_eq!(describe_paused(&paused), "21 Dec–23 Dec, 16 Feb");
        assert!(parse_paused("none", today).unwrap().is_empty());
        assert!(parse_paused("", today).unwrap().is_empty());
        assert_eq!(
            parse_paused("2026-12-21, christmas", today),
            Err(DatesError::NotADate("christmas".into()))
        );
        assert_eq!(
            parse_paused("2027-01-03..2026-12-21", today),
            Err(DatesError::Backwards("2027-01-03..2026-12-21".into()))
        );
        assert_eq!(
            parse_paused("2026-12-21..2027-12-21", today)
                .unwrap_err()
                .to_string(),
            "`2026-12-21..2027-12-21` is more than 62 days: pause a long break in parts, or change the class's days."
        );
        assert_eq!(
            parse_list(" Core, russia core  TRIALS"),
            ["core", "russia", "trials"]
        );
        assert!(parse_list("all").is_empty());
    }

    #[test]
    fn a_class_board_is_the_servers_periods_and_its_own_season() {
        let server = vec!["all".to_string(), "season:3".to_string()];
        assert_eq!(
            periods(7, &server, Some(4)),
            ["class:7/all", "class:7/season:3", "class:7/class-season:4"]
        );
        assert_eq!(
            periods(7, &server, None),
            ["class:7/all", "class:7/season:3"]
        );
    }

    #[test]
    fn channels_and_roles_map_to_their_classes() {
        let classes = vec![
            class(1, "10A", 11, Some(501)),
            class(2, "10B", 12, Some(502)),
            class(3, "Revision club", 13, None),
        ];
        assert_eq!(for_channel(&classes, 12).map(|c| c.id), Some(2));
        assert_eq!(for_channel(&classes, 99), None);
        let ids = |v: Vec<&Class>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(for_roles(&classes, &[502, 7, 501])), [1, 2]);
        assert!(for_roles(&classes, &[]).is_empty());
        assert_eq!(find_by_name(&classes, " revision CLUB").unwrap().id, 3);
        assert_eq!(
            find_by_name(&classes, "10C").unwrap_err().to_string(),
            "This server has no class by that name. `/class list` shows its classes."
        );
    }

    #[test]
    fn role_holders_belong_else_answering_in_the_channel_joins() {
        let classes = vec![
            class(1, "10A", 11, Some(501)),
            class(2, "10B", 12, Some(502)),
            class(3, "Revision club", 13, None),
        ];
        // Role holders belong before they answer anything.
        assert_eq!(memberships(&classes, &[501], &BTreeSet::new()), [1]);
        // Answering a role-less class's question joins it; answering in a
        // class with a role does not make a member of it without the role.
        let answered: BTreeSet<i64> = [2, 3].into();
        assert_eq!(memberships(&classes, &[501], &answered), [1, 3]);
        // Several classes at once.
        assert_eq!(memberships(&classes, &[502, 501], &answered), [1, 2, 3]);
        assert!(memberships(&classes, &[], &BTreeSet::new()).is_empty());
        assert!(counts_for(&classes[0], &[501]));
        assert!(!counts_for(&classes[0], &[502]), "a visitor from 10B");
        assert!(counts_for(&classes[2], &[]), "no role: whoever answers");
        let mut taught = classes[1].clone();
        taught.teacher_role = Some(900);
        assert!(teaches(&taught, &[900], false));
        assert!(!teaches(&taught, &[501], false));
        assert!(teaches(&classes[0], &[], true), "server teachers teach all");
    }

    #[test]
    fn unset_class_settings_fall_back_to_the_server_then_the_default() {
        let server = ServerDefaults {
            timezone: Some("Europe/London".into()),
            post_time: Some("09:00".into()),
            post_days: Some(vec![0, 1, 2, 3, 4]),
            ping_role: Some(70),
        };
        let plain = class(1, "10A", 11, None);
        let r = resolve(&plain, &server, chrono_tz::UTC);
        assert_eq!(r.timezone, chrono_tz::Europe::London);
        assert_eq!(r.post_time, parse_time("09:00"));
        assert_eq!(r.post_days.as_deref(), Some(&[0, 1, 2, 3, 4][..]));
        assert_eq!(r.ping_role, Some(70));
        assert_eq!(r.channel, 11);
        let mut own = class(2, "Year 12", 12, None);
        own.settings = ClassSettings {
            post_time: Some("14:15".into()),
            timezone: Some("America/New_York".into()),
            post_days: Some(vec![5]),
            paused: [day("2026-12-25")].into(),
            packs: vec!["russia".into()],
            tags: vec!["stalin".into()],
            ping_role: Some(71),
        };
        let r = resolve(&own, &server, chrono_tz::UTC);
        assert_eq!(r.timezone, chrono_tz::America::New_York);
        assert_eq!(r.post_time, parse_time("14:15"));
        assert_eq!(r.post_days.as_deref(), Some(&[5][..]));
        assert_eq!(r.ping_role, Some(71));
        assert!(r.draws("russia/q1", &["stalin".into()]));
        assert!(!r.draws("russia/q2", &["lenin".into()]), "tag");
        assert!(!r.draws("germany/q1", &["stalin".into()]), "pack");
        assert!(resolve(&plain, &server, chrono_tz::UTC).draws("any/q", &[]));
        // Nothing set anywhere: the bot's zone and no time (never posted);
        // an unreadable zone counts as unset.
        let mut broken = plain.clone();
        broken.settings.timezone = Some("Mars/Olympus".into());
        let r = resolve(&broken, &ServerDefaults::default(), chrono_tz::Asia::Tokyo);
        assert_eq!(r.timezone, chrono_tz::Asia::Tokyo);
        assert_eq!(r.post_time, None);
        assert_eq!(r.next_post(at("2026-11-23T00:00:00Z")), None);
    }

    #[test]
    fn two_classes_post_at_their_own_local_times() {
        let server = ServerDefaults {
            timezone: Some("Europe/London".into()),
            post_time: Some("09:00".into()),
            ..Default::default()
        };
        let ten_a = class(1, "10A", 11, None);
        let mut ten_b = class(2, "10B", 12, Some(502));
        ten_b.settings.post_time = Some("13:30".into());
        ten_b.settings.timezone = Some("Europe/Berlin".into());
        ten_b.settings.ping_role = Some(502);
        let resolved = vec![
            resolve(&ten_a, &server, chrono_tz::UTC),
            resolve(&ten_b, &server, chrono_tz::UTC),
        ];
        let classes_due = |now: &str| {
            due(at(now), &resolved)
                .into_iter()
                .map(|p| p.class)
                .collect::<Vec<_>>()
        };
        // Monday 23 November 2026: London is UTC, Berlin UTC+1.
        assert!(classes_due("2026-11-23T08:59:00Z").is_empty());
        assert_eq!(classes_due("2026-11-23T09:00:00Z"), [1]);
        assert_eq!(classes_due("2026-11-23T12:29:00Z"), [1], "13:29 in Berlin");
        assert_eq!(classes_due("2026-11-23T12:30:00Z"), [1, 2]);
        let posts = due(at("2026-11-23T12:30:00Z"), &resolved);
        assert_eq!(
            posts[1],
            DueClassPost {
                guild: GuildId(1),
                class: 2,
                channel: 12,
                day: day("2026-11-23"),
                ping_role: Some(502),
            }
        );
        assert_eq!(posts[0].channel, 11);
        assert_eq!(
            resolved[1].next_post(at("2026-11-23T12:30:00Z")),
            Some(at("2026-11-24T12:30:00Z"))
        );
        // Berlin's new day starts an hour before London's.
        let late = due(at("2026-11-23T23:30:00Z"), &resolved);
        assert_eq!(late[0].day, day("2026-11-23"));
        assert!(
            late.iter().all(|p| p.class != 2),
            "00:30 in Berlin: not yet"
        );
    }

    #[test]
    fn paused_dates_and_days_off_post_nothing() {
        let mut ten_a = class(1, "10A", 11, None);
        ten_a.settings.post_time = Some("09:00".into());
        ten_a.settings.post_days = Some(vec![0, 1, 2, 3, 4]);
        ten_a.settings.paused = [day("2026-11-24")].into();
        let r = vec![resolve(&ten_a, &ServerDefaults::default(), chrono_tz::UTC)];
        assert_eq!(due(at("2026-11-23T10:00:00Z"), &r).len(), 1, "Monday");
        assert!(due(at("2026-11-24T10:00:00Z"), &r).is_empty(), "paused");
        assert!(due(at("2026-11-28T10:00:00Z"), &r).is_empty(), "Saturday");
        assert_eq!(
            r[0].next_post(at("2026-11-23T10:00:00Z")),
            Some(at("2026-11-25T09:00:00Z")),
            "skips the paused Tuesday"
        );
    }

    #[test]
    fn classes_rank_by_points_per_active_student() {
        let total = |class, name: &str, points, active| ClassTotal {
            class,
            name: name.into(),
            points,
            active,
        };
        let ranked = rank(vec![
            total(1, "10A", 3000, 30), // 100 each
            total(2, "10B", 1320, 12), // 110 each: the small class wins
            total(3, "Year 12", 0, 0),
            total(4, "11C", 1000, 10), // 100 each, fewer points than 10A
        ]);
        let order: Vec<(u64, &str)> = ranked
            .iter()
            .map(|r| (r.rank, r.total.name.as_str()))
            .collect();
        assert_eq!(order, [(1, "10B"), (2, "10A"), (2, "11C"), (4, "Year 12")]);
        assert_eq!(ranked[0].per_student(), 110.0);
        assert_eq!(ranked[3].per_student(), 0.0);
        // Exact comparison: 100/3 and 200/6 tie.
        let exact = rank(vec![total(1, "a", 100, 3), total(2, "b", 200, 6)]);
        assert_eq!(exact[0].rank, exact[1].rank);
        assert_eq!(exact[0].total.name, "b", "the larger total first");
        assert!(rank(Vec::new()).is_empty());
    }
}

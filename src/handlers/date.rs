//! `/date <when>`: every event that overlaps the period asked for, at each
//! event's own precision, ranked by how it fits the period
//! ([`crate::dates::Fit`]): the period's own events first, most precise
//! first and in date order, then longer events around it, shortest first;
//! so the first page of a day or month shows that day's or month's events.
//! "Today" and "on this day" resolve in the asker's timezone.

use super::events::{event_block, paged};
use crate::app::App;
use crate::custom_id::{CustomId, DatePeriod};
use crate::dates::query::{self, DateQuery, QueryError};
use crate::dates::{PartialDate, When};
use crate::error::Error;
use crate::markup::escape_markdown;
use crate::reply::{ButtonStyle, Reply};
use crate::request::Request;
use chrono::{Datelike, NaiveDate};

pub fn date(app: &App, request: &Request) -> Result<Reply, Error> {
    let text = request.option("when").unwrap_or("").trim();
    if text.is_empty() {
        return Err(Error::user(format!("Tell me a date. {}", query::EXAMPLES)));
    }
    // "Today" is the asker's day: the guild's timezone, else the config's
    // (read only when asked for: other dates need no database).
    let today = || super::quiz::local_day(app, request.guild, request.now);
    let period = match query::parse(text) {
        Ok(DateQuery::Period(when)) => DatePeriod::When(when.iso()),
        Ok(DateQuery::Today) => {
            DatePeriod::When(When::point(PartialDate::from_naive(today()?)).iso())
        }
        Ok(DateQuery::OnThisDay) => {
            let today = today()?;
            DatePeriod::OnThisDay {
                month: today.month(),
                day: today.day(),
            }
        }
        Err(QueryError::Unreadable(_)) => {
            return Err(Error::user(format!(
                "I could not read \"{}\" as a date. {}",
                escape_markdown(&crate::markup::fit(text, 100)),
                query::EXAMPLES
            )))
        }
        Err(QueryError::Impossible(e)) => {
            return Err(Error::user(format!("{e}. {}", query::EXAMPLES)));
        }
    };
    page(app, request.guild, &period, 0)
}

/// A page of a resolved date lookup (also the Previous/Next buttons).
pub fn page(
    app: &App,
    guild: Option<crate::request::GuildId>,
    period: &DatePeriod,
    page: usize,
) -> Result<Reply, Error> {
    let library = app.library_for(guild)?;
    let mut events = Vec::new();
    let title;
    let mut asked = None;
    match period {
        DatePeriod::When(iso) => {
            let when = When::parse_iso(iso).map_err(|e| Error::Internal(e.to_string()))?;
            title = format!("What happened: {when}");
            asked = Some((when.first_day(), when.last_day()));
            for pack in library.content.packs.iter().map(|p| &**p) {
                for event in pack.events_overlapping(when.first_day(), when.last_day()) {
                    events.push((pack, event));
                }
            }
            if events.is_empty() {
                return Ok(nothing_on(&library.content, when));
            }
        }
        DatePeriod::OnThisDay { month, day } => {
            let month_name = crate::dates::MONTH_NAMES[(*month as usize).clamp(1, 12) - 1];
            title = format!("On this day, {day} {month_name}");
            for pack in library.content.packs.iter().map(|p| &**p) {
                for event in &pack.events {
                    let hit = |d: PartialDate| {
                        d.month_number() == Some(*month) && d.day_number() == Some(*day)
                    };
                    if hit(event.when.start()) || hit(event.when.end()) {
                        events.push((pack, event));
                    }
                }
            }
            if events.is_empty() {
                return Ok(Reply::new(format!(
                    "Nothing in studybot's timeline happened on {day} {month_name}. Try `/date {month_name} 1937` or `/timeline`."
                ))
                .title(title));
            }
        }
    }
    match asked {
        Some((first, last)) => {
            // Each pack's events come in date order; several packs' merge.
            events.sort_by_key(|(_, e)| (e.when.first_day(), e.when.last_day()));
            events = crate::dates::rank_by_fit(events, |(_, e)| e.when, first, last);
        }
        // On this day: one day in many years, in date order.
        None => events.sort_by_key(|(_, e)| (e.when.first_day(), e.when.last_day())),
    }
    Ok(paged(title, &events, page, |p| CustomId::Date {
        period: period.clone(),
        page: p,
    }))
}

/// A real period with no events: say so and offer the nearest before and after.
fn nothing_on(content: &crate::content::Content, when: When) -> Reply {
    let (first, last) = (when.first_day(), when.last_day());
    let mut before: Option<&crate::content::Event> = None;
    let mut after: Option<&crate::content::Event> = None;
    for event in content.packs.iter().flat_map(|p| p.events.iter()) {
        if event.when.last_day() < first
            && before.is_none_or(|b| event.when.last_day() > b.when.last_day())
        {
            before = Some(event);
        }
        if event.when.first_day() > last
            && after.is_none_or(|a| event.when.first_day() < a.when.first_day())
        {
            after = Some(event);
        }
    }
    // "on 4 December 2026", but "in December 2026" and "in 1936-1938".
    let on_or_in = if first == last { "on" } else { "in" };
    let mut reply = Reply::new(format!(
        "Nothing in studybot's timeline happened {on_or_in} {when}."
    ))
    .title(format!("What happened: {when}"));
    for (label, event) in [("Nearest before", before), ("Nearest after", after)] {
        if let Some(event) = event {
            reply = reply.field(label, event_block(event)).button(
                format!("{label}: {}", event.when),
                CustomId::Date {
                    period: DatePeriod::When(event.when.iso()),
                    page: 0,
                }
                .encode(),
                ButtonStyle::Secondary,
            );
        }
    }
    reply
}

/// The first and last day of a period typed by a user, for timeline bounds.
pub fn bounds(text: &str) -> Result<(NaiveDate, NaiveDate), Error> {
    match query::parse(text) {
        Ok(DateQuery::Period(when)) => Ok((when.first_day(), when.last_day())),
        Ok(_) => Err(Error::user(
            "A timeline bound is a date or a year, such as `1936` or `July 1937`.",
        )),
        Err(QueryError::Impossible(e)) => Err(Error::user(format!("{e}. {}", query::EXAMPLES))),
        Err(QueryError::Unreadable(_)) => Err(Error::user(format!(
            "I could not read \"{}\" as a date. {}",
            escape_markdown(&crate::markup::fit(text, 100)),
            query::EXAMPLES
        ))),
    }
}

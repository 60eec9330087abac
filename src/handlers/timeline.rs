//! `/timeline [from] [to] [tag] [picture]`: browse the events of a period or
//! a tag, page by page; with `picture`, a timeline chart of them all too.

use super::date::bounds;
use super::events::paged;
use crate::app::App;
use crate::custom_id::CustomId;
use crate::error::Error;
use crate::markup::escape_markdown;
use crate::reply::Reply;
use crate::request::Request;

pub fn timeline(app: &App, request: &Request) -> Result<Reply, Error> {
    let opt = |name: &str| {
        request
            .option(name)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    page_with(
        app,
        request.guild,
        opt("from"),
        opt("to"),
        opt("tag").map(|t| t.to_lowercase()),
        0,
        request.flag("picture"),
    )
}

/// A page of the timeline (the Previous/Next buttons).
pub fn page(
    app: &App,
    guild: Option<crate::request::GuildId>,
    from: Option<String>,
    to: Option<String>,
    tag: Option<String>,
    page: usize,
) -> Result<Reply, Error> {
    page_with(app, guild, from, to, tag, page, false)
}

#[allow(clippy::too_many_arguments)]
fn page_with(
    app: &App,
    guild: Option<crate::request::GuildId>,
    from: Option<String>,
    to: Option<String>,
    tag: Option<String>,
    page: usize,
    picture: bool,
) -> Result<Reply, Error> {
    let library = app.library_for(guild)?;
    let start = from
        .as_deref()
        .map(bounds)
        .transpose()?
        .map(|(first, _)| first);
    let end = to.as_deref().map(bounds).transpose()?.map(|(_, last)| last);
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(Error::user(
                "The timeline's `from` is after its `to`; swap them.",
            ));
        }
    }
    let mut events = Vec::new();
    for pack in library.content.packs.iter().map(|p| &**p) {
        for event in &pack.events {
            let in_range = start.is_none_or(|s| event.when.last_day() >= s)
                && end.is_none_or(|e| event.when.first_day() <= e);
            let tagged = tag
                .as_ref()
                .is_none_or(|t| event.tags.iter().any(|x| x == t));
            if in_range && tagged {
                events.push((pack, event));
            }
        }
    }
    if events.is_empty() {
        if let Some(t) = &tag {
            let mut tags: Vec<&str> = library
                .content
                .packs
                .iter()
                .flat_map(|p| {
                    p.events
                        .iter()
                        .flat_map(|e| e.tags.iter().map(String::as_str))
                })
                .collect();
            tags.sort_unstable();
            tags.dedup();
            return Err(Error::user(format!(
                "No events match the tag \"{}\" in that period. Tags: {}.",
                crate::markup::quote(t),
                tags.join(", ")
            )));
        }
        return Err(Error::user(
            "No events fall in that period. Try a wider one, such as `from:1934 to:1939`.",
        ));
    }
    events.sort_by_key(|(_, e)| (e.when.first_day(), e.when.last_day()));
    let mut title = String::from("Timeline");
    let shown = |s: &String| escape_markdown(&crate::markup::fit(s, 40));
    match (&from, &to) {
        (Some(f), Some(t)) => title.push_str(&format!(": {} to {}", shown(f), shown(t))),
        (Some(f), None) => title.push_str(&format!(": from {}", shown(f))),
        (None, Some(t)) => title.push_str(&format!(": up to {}", shown(t))),
        (None, None) => {}
    }
    if let Some(t) = &tag {
        title.push_str(&format!(" (tag: {t})"));
    }
    let iso = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let (from_iso, to_iso) = (iso(start), iso(end));
    let title = crate::markup::fit(&title, 256);
    let mut reply = paged(title.clone(), &events, page, |p| CustomId::Timeline {
        from: from_iso.clone(),
        to: to_iso.clone(),
        tag: tag.clone(),
        page: p,
    });
    if picture {
        super::attach_picture(&mut reply, "timeline.png", || {
            draw_timeline(&title, &events)
        });
    }
    Ok(reply)
}

#[cfg(feature = "pictures")]
fn draw_timeline(
    title: &str,
    events: &[(&crate::content::Pack, &crate::content::Event)],
) -> Result<Vec<u8>, String> {
    let items: Vec<crate::pictures::TimelineItem> = events
        .iter()
        .map(|(_, e)| crate::pictures::TimelineItem {
            label: format!("{} ({})", e.title, e.when),
            first: e.when.first_day(),
            last: e.when.last_day(),
            span: e.when.is_range(),
        })
        .collect();
    crate::pictures::timeline(title, &items).map_err(|e| e.to_string())
}

#[cfg(not(feature = "pictures"))]
fn draw_timeline(
    _title: &str,
    _events: &[(&crate::content::Pack, &crate::content::Event)],
) -> Result<Vec<u8>, String> {
    Err("pictures are not built in".to_string())
}

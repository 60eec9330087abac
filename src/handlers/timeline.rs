//! `/timeline [from] [to] [tag]`: browse the events of a period or a tag,
//! page by page.

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
    page(
        app,
        request.guild,
        opt("from"),
        opt("to"),
        opt("tag").map(|t| t.to_lowercase()),
        0,
    )
}

pub fn page(
    app: &App,
    guild: Option<crate::request::GuildId>,
    from: Option<String>,
    to: Option<String>,
    tag: Option<String>,
    page: usize,
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
    Ok(paged(crate::markup::fit(&title, 256), &events, page, |p| {
        CustomId::Timeline {
            from: from_iso.clone(),
            to: to_iso.clone(),
            tag: tag.clone(),
            page: p,
        }
    }))
}

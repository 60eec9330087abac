//! Shared by `/date` and `/timeline`: a page of events at their own
//! precision, with Previous/Next buttons whose custom ids carry the resolved
//! query, so a press works the same after a restart.

use crate::content::{Event, Pack};
use crate::custom_id::CustomId;
use crate::markup::fit;
use crate::reply::{ButtonStyle, Reply};

/// Events per page: with descriptions cut to 300 characters a page stays well
/// inside a 4,096-character embed description.
pub const PAGE_SIZE: usize = 6;
const DESCRIPTION_CUT: usize = 300;

/// One line block for an event: "**1 December 1934** — title" + description.
pub fn event_block(event: &Event) -> String {
    format!(
        "**{}** — {}\n{}",
        event.when,
        event.title,
        fit(&event.description, DESCRIPTION_CUT)
    )
}

/// Pages through `events`; `page_id` builds the custom id of another page.
pub fn paged(
    title: String,
    events: &[(&Pack, &Event)],
    page: usize,
    page_id: impl Fn(usize) -> CustomId,
) -> Reply {
    let pages = events.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.min(pages - 1);
    let shown = &events[page * PAGE_SIZE..((page + 1) * PAGE_SIZE).min(events.len())];
    let text = shown
        .iter()
        .map(|(_, e)| event_block(e))
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut reply = Reply::new(text).title(title);
    let mut sources: Vec<String> = Vec::new();
    for (pack, event) in shown {
        for id in &event.sources {
            if let Some(source) = pack.source(id) {
                if !sources.contains(&source.title) {
                    sources.push(source.title.clone());
                }
            }
        }
    }
    let footer = if pages > 1 {
        format!(
            "{} events, page {} of {}. Sources: {}",
            events.len(),
            page + 1,
            pages,
            sources.join("; ")
        )
    } else {
        format!("Sources: {}", sources.join("; "))
    };
    reply = reply.footer(fit(&footer, 2000));
    if page > 0 {
        reply = reply.button(
            "Previous",
            page_id(page - 1).encode(),
            ButtonStyle::Secondary,
        );
    }
    if page + 1 < pages {
        reply = reply.button("Next", page_id(page + 1).encode(), ButtonStyle::Secondary);
    }
    reply
}

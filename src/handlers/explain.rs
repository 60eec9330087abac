//! `/explain <term>`: a glossary entry, with its dates, figures (disputed ones
//! show every value and who gives it), common mistakes with their
//! corrections, "see also" buttons and sources; or a timeline event, with
//! its date, description, common mistakes, related entries and sources.
//! Only a hit the search is sure of is shown as the answer; anything less
//! says there is no such entry and offers the nearest as buttons.

use crate::app::{App, Library};
use crate::content::{Entry, EntryKind, Event, Misconception, Pack};
use crate::custom_id::CustomId;
use crate::error::Error;
use crate::reply::{ButtonStyle, Reply};
use crate::request::Request;
use crate::search::{Hit, Item, ItemRef, Lookup};

/// "See also" buttons at most (one action row).
const MAX_SEE_ALSO: usize = 5;
/// "Did you mean" buttons at most (one action row).
const MAX_DID_YOU_MEAN: usize = 4;
/// A runner-up this close to a misspelt answer is offered beside it.
const NEAR_TIE: f64 = 0.12;

pub fn explain(app: &App, request: &Request) -> Result<Reply, Error> {
    let term = request.option("term").unwrap_or("").trim();
    if term.is_empty() {
        return Err(Error::user(
            "Tell me what to explain, for example `/explain troika` or `/explain Order 00447`.",
        ));
    }
    let library = app.library_for(request.guild)?;
    let lookup = library.search.lookup(term);
    let Some(best) = lookup.answer() else {
        return Ok(nothing_found(&library, term, &lookup));
    };
    let mut reply = item_reply(&library, best.item);
    // Another pack's item of the same name, or a near tie for a misspelling:
    // offer it beside the answer.
    let others = lookup.hits[1..]
        .iter()
        .take_while(|h| {
            if best.kind.is_exact() {
                h.kind.is_exact() && h.score >= best.score
            } else {
                h.score >= crate::search::SUGGEST_THRESHOLD && best.score - h.score < NEAR_TIE
            }
        })
        .take(MAX_DID_YOU_MEAN);
    for other in others {
        let label = format!("Did you mean {}?", item_name(&library, other.item));
        reply = item_button(reply, &library, other.item, &label, ButtonStyle::Primary);
    }
    Ok(reply)
}

/// No item answers the query: say so, and offer the nearest as buttons.
fn nothing_found(library: &Library, term: &str, lookup: &Lookup) -> Reply {
    let shown = crate::markup::escape_markdown(&crate::markup::fit(term, 200));
    let near: Vec<&Hit> = lookup.suggestions().take(MAX_DID_YOU_MEAN).collect();
    let mut text = format!("No entry for \"{shown}\".");
    if near.is_empty() {
        text.push_str(" Check the spelling, or try a surname, a term, an event or an order number, such as `troika`, `Yezhov`, `Shakhty trial` or `00447`.");
    } else {
        let names: Vec<String> = near
            .iter()
            .map(|h| crate::markup::escape_markdown(&item_name(library, h.item)))
            .collect();
        text.push_str(&format!(" Did you mean: {}?", names.join(", ")));
    }
    let mut reply = Reply::ephemeral_text(text).title("Nothing found");
    for hit in near {
        let name = item_name(library, hit.item);
        reply = item_button(reply, library, hit.item, &name, ButtonStyle::Primary);
    }
    reply
}

/// A "see also" or "did you mean" button press: the id names an entry or,
/// ids being one namespace per pack, an event.
pub fn open(
    app: &App,
    guild: Option<crate::request::GuildId>,
    pack_id: &str,
    item_id: &str,
) -> Result<Reply, Error> {
    let library = app.library_for(guild)?;
    let Some(pack) = library.content.pack(pack_id) else {
        return Err(gone());
    };
    if let Some(entry) = pack.entry(item_id) {
        return Ok(entry_reply(&library, pack, entry));
    }
    match pack.event(item_id) {
        Some(event) => Ok(event_reply(pack, event)),
        None => Err(gone()),
    }
}

fn gone() -> Error {
    Error::user("That entry is no longer in studybot's content. Try /explain with its name.")
}

fn item_reply(library: &Library, item: ItemRef) -> Reply {
    let pack = &library.content.packs[item.pack];
    match item.item {
        Item::Entry(e) => entry_reply(library, pack, &pack.entries[e]),
        Item::Event(e) => event_reply(pack, &pack.events[e]),
    }
}

/// An entry's name, or an event's title.
fn item_name(library: &Library, item: ItemRef) -> String {
    let pack = &library.content.packs[item.pack];
    match item.item {
        Item::Entry(e) => pack.entries[e].name.clone(),
        Item::Event(e) => pack.events[e].title.clone(),
    }
}

fn item_button(
    reply: Reply,
    library: &Library,
    item: ItemRef,
    label: &str,
    style: ButtonStyle,
) -> Reply {
    let pack = &library.content.packs[item.pack];
    let id = match item.item {
        Item::Entry(e) => &pack.entries[e].id,
        Item::Event(e) => &pack.events[e].id,
    };
    button(reply, pack, id, label, style)
}

/// A button that opens an entry or event ("see also", "did you mean").
fn button(reply: Reply, pack: &Pack, id: &str, label: &str, style: ButtonStyle) -> Reply {
    let id = CustomId::Explain {
        pack: pack.id.clone(),
        entry: id.to_string(),
    };
    reply.button(
        crate::markup::fit(label, crate::markup::BUTTON_LABEL),
        id.encode(),
        style,
    )
}

/// An event as `/explain` shows it: title, date and description; related
/// entries and events named, with buttons to open them; sources.
fn event_reply(pack: &Pack, event: &Event) -> Reply {
    let mut reply = Reply::new(format!(
        "*Event* — **{}**\n\n{}",
        event.when, event.description
    ))
    .title(event.title.clone());
    let related: Vec<String> = event
        .related
        .iter()
        .filter_map(|id| {
            pack.entry(id).map(|e| e.name.clone()).or_else(|| {
                pack.event(id)
                    .map(|e| format!("**{}**: {}", e.when, e.title))
            })
        })
        .collect();
    reply = with_common_mistakes(reply, pack, &event.misconceptions);
    if !related.is_empty() {
        reply = reply.field("Related", related.join("\n"));
    }
    for id in event.related.iter().take(MAX_SEE_ALSO) {
        if let Some(entry) = pack.entry(id) {
            reply = button(reply, pack, &entry.id, &entry.name, ButtonStyle::Secondary);
        } else if let Some(other) = pack.event(id) {
            reply = button(reply, pack, &other.id, &other.title, ButtonStyle::Secondary);
        }
    }
    reply.footer(sources_line(pack, &event.sources))
}

fn sources_line(pack: &Pack, ids: &[String]) -> String {
    let titles: Vec<String> = ids
        .iter()
        .filter_map(|id| pack.source(id))
        .map(|s| s.title.clone())
        .collect();
    if titles.is_empty() {
        // An imported pack's items cite nothing: name the pack, invent nothing.
        return format!("Source: {}", super::quiz::teachers_pack(pack));
    }
    format!("Sources: {}", titles.join("; "))
}

pub fn kind_label(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Term => "Term",
        EntryKind::Person => "Person",
        EntryKind::Place => "Place",
        EntryKind::Document => "Document",
        EntryKind::Organisation => "Organisation",
        EntryKind::Event => "Event",
    }
}

/// One "Common mistake" field per misconception: the claim as students meet
/// it, the correction and the published work(s) it rests on. Kept apart from
/// disputed figures: a mistake is not a side of a dispute. The checker keeps
/// each field within Discord's limit (`validate::MISCONCEPTION_FRAME` counts
/// the labels added here).
fn with_common_mistakes(mut reply: Reply, pack: &Pack, misconceptions: &[Misconception]) -> Reply {
    for mistake in misconceptions {
        let sources: Vec<&str> = mistake
            .sources
            .iter()
            .filter_map(|id| pack.source(id))
            .map(|s| s.title.as_str())
            .collect();
        reply = reply.field(
            "Common mistake",
            format!(
                "**Claim:** {}\n**In fact:** {}\n*Source: {}*",
                mistake.claim,
                mistake.correction,
                sources.join("; ")
            ),
        );
    }
    reply
}

fn entry_reply(_library: &Library, pack: &Pack, entry: &Entry) -> Reply {
    let mut reply = Reply::new(format!(
        "*{}* — {}\n\n{}",
        kind_label(entry.kind),
        entry.definition,
        entry.explanation
    ))
    .title(entry.name.clone());

    if !entry.dates.is_empty() {
        let lines: Vec<String> = entry
            .dates
            .iter()
            .map(|d| format!("**{}**: {}", d.when, d.text))
            .collect();
        reply = reply.field("Key dates", lines.join("\n"));
    }
    for figure in &entry.figures {
        if figure.is_disputed() {
            let lines: Vec<String> = figure
                .values
                .iter()
                .map(|v| {
                    format!(
                        "• {} — {}",
                        v.value,
                        v.given_by.as_deref().unwrap_or("unattributed")
                    )
                })
                .collect();
            reply = reply.field(format!("{} (disputed)", figure.label), lines.join("\n"));
        } else if let Some(value) = figure.values.first() {
            reply = reply.field(figure.label.clone(), value.value.clone());
        }
    }
    reply = with_common_mistakes(reply, pack, &entry.misconceptions);
    let related_events: Vec<String> = entry
        .related
        .iter()
        .filter_map(|id| pack.event(id))
        .map(|e| format!("**{}**: {}", e.when, e.title))
        .collect();
    if !related_events.is_empty() {
        reply = reply.field("Related events", related_events.join("\n"));
    }
    for related in entry
        .related
        .iter()
        .filter_map(|id| pack.entry(id))
        .take(MAX_SEE_ALSO)
    {
        reply = button(
            reply,
            pack,
            &related.id,
            &related.name,
            ButtonStyle::Secondary,
        );
    }
    reply.footer(sources_line(pack, &entry.sources))
}

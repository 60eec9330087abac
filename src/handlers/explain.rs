//! `/explain <term>`: a glossary entry, with its dates, figures (disputed ones
//! show every value and who gives it), "see also" buttons and sources.

use crate::app::{App, Library};
use crate::content::{Entry, EntryKind, Pack};
use crate::custom_id::CustomId;
use crate::error::Error;
use crate::reply::{ButtonStyle, Reply};
use crate::request::Request;

/// "See also" buttons at most: one action row of five leaves room for paging.
const MAX_SEE_ALSO: usize = 5;

pub fn explain(app: &App, request: &Request) -> Result<Reply, Error> {
    let term = request.option("term").unwrap_or("").trim();
    if term.is_empty() {
        return Err(Error::user(
            "Tell me what to explain, for example `/explain troika` or `/explain Order 00447`.",
        ));
    }
    let library = app.library();
    let hits = library.search.lookup(term);
    let Some(best) = hits.first() else {
        return Ok(Reply::ephemeral_text(format!(
            "I have no entry for \"{}\" yet. Check the spelling, or try a shorter name (a surname, a term, an order number).",
            crate::markup::escape_markdown(term)
        ))
        .title("Nothing found"));
    };
    let pack = &library.content.packs[best.entry.pack];
    Ok(entry_reply(&library, pack, &pack.entries[best.entry.entry]))
}

/// A "see also" or "did you mean" button press.
pub fn open(app: &App, pack_id: &str, entry_id: &str) -> Result<Reply, Error> {
    let library = app.library();
    let entry = library
        .content
        .pack(pack_id)
        .and_then(|pack| pack.entry(entry_id).map(|entry| (pack, entry)));
    match entry {
        Some((pack, entry)) => Ok(entry_reply(&library, pack, entry)),
        None => Err(Error::user(
            "That entry is no longer in studybot's content. Try /explain with its name.",
        )),
    }
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
        let id = CustomId::Explain {
            pack: pack.id.clone(),
            entry: related.id.clone(),
        };
        reply = reply.button(
            crate::markup::fit(&related.name, crate::markup::BUTTON_LABEL),
            id.encode(),
            ButtonStyle::Secondary,
        );
    }
    let sources: Vec<String> = entry
        .sources
        .iter()
        .filter_map(|id| pack.source(id))
        .map(|s| s.title.clone())
        .collect();
    reply.footer(format!("Sources: {}", sources.join("; ")))
}

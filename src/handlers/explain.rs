//! `/explain <term>`: a glossary entry, with its dates, figures (disputed ones
//! show every value and who gives it), common mistakes with their
//! corrections, "see also" buttons and sources.

use crate::app::{App, Library};
use crate::content::{Entry, EntryKind, Misconception, Pack};
use crate::custom_id::CustomId;
use crate::error::Error;
use crate::reply::{ButtonStyle, Reply};
use crate::request::Request;
use crate::search::{Hit, ANSWER_THRESHOLD, SUGGEST_THRESHOLD};

/// "See also" buttons at most (one action row).
const MAX_SEE_ALSO: usize = 5;
/// "Did you mean" buttons at most (one action row).
const MAX_DID_YOU_MEAN: usize = 4;

pub fn explain(app: &App, request: &Request) -> Result<Reply, Error> {
    let term = request.option("term").unwrap_or("").trim();
    if term.is_empty() {
        return Err(Error::user(
            "Tell me what to explain, for example `/explain troika` or `/explain Order 00447`.",
        ));
    }
    let library = app.library_for(request.guild)?;
    let hits = library.search.lookup(term);
    let name_of = |hit: &Hit| {
        let pack = &library.content.packs[hit.entry.pack];
        (pack, &pack.entries[hit.entry.entry])
    };
    match hits.first() {
        Some(best) if best.score >= ANSWER_THRESHOLD => {
            let (pack, entry) = name_of(best);
            let mut reply = entry_reply(&library, pack, entry);
            // A near tie: offer the runners-up as "did you mean" buttons.
            if best.score < 1.0 {
                for other in hits[1..]
                    .iter()
                    .take_while(|h| h.score >= SUGGEST_THRESHOLD && best.score - h.score < 0.12)
                    .take(MAX_DID_YOU_MEAN)
                {
                    let (pack, entry) = name_of(other);
                    reply = entry_button(
                        reply,
                        pack,
                        entry,
                        &format!("Did you mean {}?", entry.name),
                        ButtonStyle::Primary,
                    );
                }
            }
            Ok(reply)
        }
        _ => {
            let shown = crate::markup::escape_markdown(&crate::markup::fit(term, 200));
            let mut reply = Reply::ephemeral_text(format!("I have no entry for \"{shown}\"."))
                .title("Nothing found");
            let near: Vec<&Hit> = hits
                .iter()
                .filter(|h| h.score >= SUGGEST_THRESHOLD)
                .take(MAX_DID_YOU_MEAN)
                .collect();
            if near.is_empty() {
                reply.text.push_str(" Check the spelling, or try a surname, a term or an order number, such as `troika`, `Yezhov` or `00447`.");
            } else {
                reply.text.push_str(" The nearest entries are below.");
                for hit in near {
                    let (pack, entry) = name_of(hit);
                    reply = entry_button(reply, pack, entry, &entry.name, ButtonStyle::Primary);
                }
            }
            Ok(reply)
        }
    }
}

/// A "see also" or "did you mean" button press.
pub fn open(
    app: &App,
    guild: Option<crate::request::GuildId>,
    pack_id: &str,
    entry_id: &str,
) -> Result<Reply, Error> {
    let library = app.library_for(guild)?;
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

/// A button that opens an entry ("see also", "did you mean").
fn entry_button(
    reply: Reply,
    pack: &Pack,
    entry: &Entry,
    label: &str,
    style: ButtonStyle,
) -> Reply {
    let id = CustomId::Explain {
        pack: pack.id.clone(),
        entry: entry.id.clone(),
    };
    reply.button(
        crate::markup::fit(label, crate::markup::BUTTON_LABEL),
        id.encode(),
        style,
    )
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
        reply = entry_button(reply, pack, related, &related.name, ButtonStyle::Secondary);
    }
    let sources: Vec<String> = entry
        .sources
        .iter()
        .filter_map(|id| pack.source(id))
        .map(|s| s.title.clone())
        .collect();
    reply.footer(format!("Sources: {}", sources.join("; ")))
}

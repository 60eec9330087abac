//! Reply -> Discord message: one embed plus button rows, within Discord's
//! limits, with `allowed_mentions` empty so nothing a reply says can ping.
//!
//! The one place that knows Discord's limits (title 256, description 4,096,
//! 25 fields, field value 1,024, 6,000 characters per message, 5 rows of 5
//! buttons, custom id 100, label 80). The core builds replies inside these
//! limits already; what still does not fit is split (long fields continue in
//! a second field) or, as a last resort, shortened at a word boundary with
//! "…" and logged, never cut mid-word and never sent for Discord to reject.

use crate::markup::fit;
use crate::reply::{ButtonStyle, Reply};
use poise::serenity_prelude as serenity;

pub mod limits {
    pub const CONTENT: usize = 2000;
    pub const TITLE: usize = 256;
    pub const DESCRIPTION: usize = 4096;
    pub const FIELDS: usize = 25;
    pub const FIELD_NAME: usize = 256;
    pub const FIELD_VALUE: usize = 1024;
    pub const FOOTER: usize = 2048;
    pub const EMBED_TOTAL: usize = 6000;
    pub const BUTTONS_PER_ROW: usize = 5;
    pub const ROWS: usize = 5;
    pub const LABEL: usize = 80;
    pub const CUSTOM_ID: usize = 100;
}

/// A field as it will be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedField {
    pub name: String,
    pub value: String,
}

/// A reply laid out for Discord, before it becomes a builder. Kept as plain
/// data so that tests can check every limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub content: Option<String>,
    pub title: Option<String>,
    pub description: String,
    pub fields: Vec<EmbedField>,
    pub footer: Option<String>,
    /// Rows of (label, custom id, style).
    pub rows: Vec<Vec<(String, String, ButtonStyle)>>,
    pub ephemeral: bool,
    /// Files sent with the message (name, bytes), e.g. a score export.
    pub files: Vec<(String, Vec<u8>)>,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Splits `text` into pieces of at most `max` characters, at line breaks
/// where possible, else at spaces.
fn split(text: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if chars(&current) + chars(line) > max && !current.is_empty() {
            pieces.push(current.trim_end().to_string());
            current = String::new();
        }
        if chars(line) > max {
            for word in line.split_inclusive(' ') {
                if chars(&current) + chars(word) > max && !current.is_empty() {
                    pieces.push(current.trim_end().to_string());
                    current = String::new();
                }
                current.push_str(&fit(word, max));
            }
        } else {
            current.push_str(line);
        }
    }
    if !current.trim().is_empty() {
        pieces.push(current.trim_end().to_string());
    }
    pieces
}

/// Lays a reply out within Discord's limits.
pub fn layout(reply: &Reply) -> Layout {
    let title = reply.title.as_ref().map(|t| fit(t, limits::TITLE));
    let mut description = reply.text.clone();
    let mut fields = Vec::new();
    for field in &reply.fields {
        let name = fit(&field.name, limits::FIELD_NAME - 10);
        for (i, value) in split(&field.value, limits::FIELD_VALUE)
            .into_iter()
            .enumerate()
        {
            let name = if i == 0 {
                name.clone()
            } else {
                format!("{name} (cont.)")
            };
            fields.push(EmbedField { name, value });
        }
    }
    if chars(&description) > limits::DESCRIPTION {
        tracing::warn!(
            length = chars(&description),
            "reply text longer than an embed description; shortened"
        );
        description = fit(&description, limits::DESCRIPTION);
    }
    let footer = reply.footer.as_ref().map(|f| fit(f, limits::FOOTER));
    // The whole embed must stay within 6,000 characters: drop trailing fields
    // (and say so) rather than have Discord reject the message.
    let total = |fields: &[EmbedField], footer: &Option<String>| {
        title.as_deref().map_or(0, chars)
            + chars(&description)
            + footer.as_deref().map_or(0, chars)
            + fields
                .iter()
                .map(|f| chars(&f.name) + chars(&f.value))
                .sum::<usize>()
    };
    let mut dropped = 0;
    while (fields.len() > limits::FIELDS || total(&fields, &footer) > limits::EMBED_TOTAL - 40)
        && !fields.is_empty()
    {
        fields.pop();
        dropped += 1;
    }
    let footer = if dropped > 0 {
        tracing::warn!(dropped, "reply fields over Discord's limits were left out");
        Some(fit(
            &format!(
                "{}{}(some details left out to fit)",
                footer.as_deref().unwrap_or(""),
                if footer.is_some() { " · " } else { "" }
            ),
            limits::FOOTER,
        ))
    } else {
        footer
    };
    if total(&fields, &footer) > limits::EMBED_TOTAL {
        description = fit(
            &description,
            limits::DESCRIPTION
                .min(limits::EMBED_TOTAL - total(&fields, &footer) + chars(&description) - 10),
        );
    }
    let mut rows: Vec<Vec<(String, String, ButtonStyle)>> = Vec::new();
    for button in &reply.buttons {
        if button.custom_id.len() > limits::CUSTOM_ID {
            tracing::error!(custom_id = %button.custom_id, "button custom id over 100 characters; button left out");
            continue;
        }
        if rows
            .last()
            .is_none_or(|r| r.len() == limits::BUTTONS_PER_ROW)
        {
            if rows.len() == limits::ROWS {
                tracing::warn!("more than 25 buttons; the rest are left out");
                break;
            }
            rows.push(Vec::new());
        }
        rows.last_mut().expect("a row was just ensured").push((
            fit(&button.label, limits::LABEL),
            button.custom_id.clone(),
            button.style,
        ));
    }
    Layout {
        content: reply.content.as_ref().map(|c| fit(c, limits::CONTENT)),
        title,
        description,
        fields,
        footer,
        rows,
        ephemeral: reply.ephemeral,
        files: reply
            .attachments
            .iter()
            .map(|a| (a.name.clone(), a.data.clone()))
            .collect(),
    }
}

/// Fills any of serenity's message builders (they share method names but no
/// trait) with a layout's components, embed and content, and the mentions
/// allowed: the one place a message's parts are set.
macro_rules! fill {
    ($builder:expr, $layout:expr, $mentions:expr) => {{
        let layout: &$crate::discord::render::Layout = $layout;
        let mut builder = $builder
            .components(layout.components())
            .allowed_mentions($mentions);
        if let Some(embed) = layout.embed() {
            builder = builder.embed(embed);
        }
        if let Some(content) = &layout.content {
            builder = builder.content(content.clone());
        }
        builder
    }};
}
pub(crate) use fill;

fn style(style: ButtonStyle) -> serenity::ButtonStyle {
    match style {
        ButtonStyle::Primary => serenity::ButtonStyle::Primary,
        ButtonStyle::Secondary => serenity::ButtonStyle::Secondary,
        ButtonStyle::Success => serenity::ButtonStyle::Success,
        ButtonStyle::Danger => serenity::ButtonStyle::Danger,
    }
}

impl Layout {
    pub fn embed(&self) -> Option<serenity::CreateEmbed> {
        if self.title.is_none() && self.description.is_empty() && self.fields.is_empty() {
            return None;
        }
        let mut embed = serenity::CreateEmbed::new().description(self.description.clone());
        if let Some(title) = &self.title {
            embed = embed.title(title.clone());
        }
        for f in &self.fields {
            embed = embed.field(f.name.clone(), f.value.clone(), false);
        }
        if let Some(footer) = &self.footer {
            embed = embed.footer(serenity::CreateEmbedFooter::new(footer.clone()));
        }
        Some(embed)
    }

    pub fn components(&self) -> Vec<serenity::CreateActionRow> {
        self.rows
            .iter()
            .map(|row| {
                serenity::CreateActionRow::Buttons(
                    row.iter()
                        .map(|(label, id, s)| {
                            serenity::CreateButton::new(id.clone())
                                .label(label.clone())
                                .style(style(*s))
                        })
                        .collect(),
                )
            })
            .collect()
    }

    /// As the response to a slash command (through poise).
    pub fn to_poise(&self) -> poise::CreateReply {
        let mut reply = fill!(
            poise::CreateReply::default().ephemeral(self.ephemeral),
            self,
            serenity::CreateAllowedMentions::new()
        );
        for (name, data) in &self.files {
            reply = reply.attachment(serenity::CreateAttachment::bytes(
                data.clone(),
                name.clone(),
            ));
        }
        reply
    }

    /// As the response to a button press or a modal submit.
    pub fn to_interaction_message(&self) -> serenity::CreateInteractionResponseMessage {
        fill!(
            serenity::CreateInteractionResponseMessage::new().ephemeral(self.ephemeral),
            self,
            serenity::CreateAllowedMentions::new()
        )
    }

    /// As a follow-up after a deferral.
    pub fn to_followup(&self) -> serenity::CreateInteractionResponseFollowup {
        fill!(
            serenity::CreateInteractionResponseFollowup::new().ephemeral(self.ephemeral),
            self,
            serenity::CreateAllowedMentions::new()
        )
    }

    /// As an edit of an existing message (a daily question's tally).
    /// The files as serenity attachments, in order.
    pub fn create_attachments(&self) -> Vec<serenity::CreateAttachment> {
        self.files
            .iter()
            .map(|(name, data)| serenity::CreateAttachment::bytes(data.clone(), name.clone()))
            .collect()
    }

    /// The body's `attachments` list for the files: ids as the strings
    /// Discord's API description declares (serenity would send integers).
    pub fn attachment_list(&self) -> Vec<serde_json::Value> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, (name, _))| serde_json::json!({"id": i.to_string(), "filename": name}))
            .collect()
    }

    pub fn to_edit(&self) -> serenity::EditMessage {
        let mut edit = serenity::EditMessage::new()
            .components(self.components())
            .allowed_mentions(serenity::CreateAllowedMentions::new());
        if let Some(embed) = self.embed() {
            edit = edit.embed(embed);
        }
        edit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Reply;

    fn total(l: &Layout) -> usize {
        l.title.as_deref().map_or(0, chars)
            + chars(&l.description)
            + l.footer.as_deref().map_or(0, chars)
            + l.fields
                .iter()
                .map(|f| chars(&f.name) + chars(&f.value))
                .sum::<usize>()
    }

    fn assert_within_limits(l: &Layout) {
        assert!(l.title.as_deref().map_or(0, chars) <= limits::TITLE);
        assert!(chars(&l.description) <= limits::DESCRIPTION);
        assert!(l.fields.len() <= limits::FIELDS);
        assert!(l.fields.iter().all(|f| chars(&f.name) <= limits::FIELD_NAME
            && chars(&f.value) <= limits::FIELD_VALUE
            && !f.value.is_empty()));
        assert!(total(l) <= limits::EMBED_TOTAL, "{}", total(l));
        assert!(l.rows.len() <= limits::ROWS);
        assert!(l.rows.iter().all(|r| r.len() <= limits::BUTTONS_PER_ROW));
        assert!(l
            .rows
            .iter()
            .flatten()
            .all(|(label, id, _)| chars(label) <= limits::LABEL && id.len() <= limits::CUSTOM_ID));
    }

    #[test]
    fn long_fields_continue_and_oversized_replies_still_fit() {
        let lines: Vec<String> = (0..40)
            .map(|i| format!("**{i} March 1938**: something that happened on this day"))
            .collect();
        let reply = Reply::new("word ".repeat(200))
            .title("Dates")
            .field("Key dates", lines.join("\n"));
        let l = layout(&reply);
        assert_within_limits(&l);
        assert_eq!(l.fields[0].name, "Key dates");
        assert_eq!(l.fields[1].name, "Key dates (cont.)");
        assert!(
            l.fields[0].value.ends_with("on this day"),
            "split at a line break"
        );
        assert_eq!(
            l.fields
                .iter()
                .map(|f| f.value.lines().count())
                .sum::<usize>(),
            40,
            "nothing lost"
        );
        assert!(l.footer.is_none());

        let mut huge = Reply::new("word ".repeat(1500))
            .title("T".repeat(300))
            .field("Key dates", lines.join("\n"));
        for i in 0..30 {
            huge = huge.field(format!("Figure {i}"), "x ".repeat(400));
            huge = huge.button(
                format!("Button {i} {}", "long ".repeat(30)),
                format!("ex1:p/e{i}"),
                ButtonStyle::Secondary,
            );
        }
        let l = layout(&huge);
        assert_within_limits(&l);
        assert!(l.footer.as_deref().unwrap().contains("left out to fit"));
        assert_eq!(l.rows.len(), 5);
        assert!(
            l.description.ends_with("word…"),
            "cut at a word boundary, visibly"
        );
    }

    #[test]
    fn embeds_never_allow_mentions_and_keep_custom_ids() {
        let reply = Reply::new("@everyone <@&1> hello")
            .title("T")
            .button("See", "ex1:great-purge/nkvd", ButtonStyle::Secondary)
            .ephemeral();
        let l = layout(&reply);
        let message = serde_json::to_value(l.to_interaction_message()).unwrap();
        // Nothing may ping: no parsed mention types, no listed users or roles.
        let mentions = &message["allowed_mentions"];
        for key in ["parse", "roles", "users"] {
            assert_eq!(mentions[key], serde_json::json!([]), "{message}");
        }
        assert_eq!(message["flags"], 64, "ephemeral");
        assert_eq!(
            message["components"][0]["components"][0]["custom_id"],
            "ex1:great-purge/nkvd"
        );
        assert_eq!(message["components"][0]["components"][0]["style"], 2);
        assert_eq!(message["embeds"][0]["title"], "T");
        let public =
            serde_json::to_value(layout(&Reply::new("x")).to_interaction_message()).unwrap();
        assert!(public.get("flags").is_none_or(|f| f == 0), "{public}");
    }

    #[test]
    fn every_bundled_reply_kind_fits() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
        let (library, _) = crate::Library::load(&[dir]).unwrap();
        let app = crate::App::in_memory(crate::config::Config::default(), library).unwrap();
        let library = app.library();
        let now = chrono::Utc::now();
        let mut checked = 0;
        for entry in &library.content.packs[0].entries {
            let reply = crate::handlers::respond(
                &app,
                &crate::Request::command("explain", &[("term", &entry.name)], now),
            );
            assert_within_limits(&layout(&reply));
            checked += 1;
        }
        for when in ["1937", "1936-1938", "1930 to 1960", "on this day"] {
            assert_within_limits(&layout(&crate::handlers::respond(
                &app,
                &crate::Request::command("date", &[("when", when)], now),
            )));
        }
        assert!(checked >= 60);
    }
}

//! The transport-neutral answer to every command and button press.
//!
//! A [`Reply`] is what a handler returns; the Discord adapter renders it as an
//! embed with components, the CLI as text or JSON. Its JSON form is a public
//! contract (`studybot ask --json`): keys may be added, never renamed.
//! Knows nothing of Discord's types or limits (rendering enforces those).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// Plain message text outside any embed: the only place a mention can ping.
    pub content: Option<String>,
    pub title: Option<String>,
    pub text: String,
    pub fields: Vec<Field>,
    pub footer: Option<String>,
    pub buttons: Vec<Button>,
    /// Shown only to the person who asked.
    pub ephemeral: bool,
    /// Other messages this action changes (for example a public tally).
    #[serde(default)]
    pub edits: Vec<Edit>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ButtonStyle {
    Primary,
    Secondary,
    Success,
    Danger,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub label: String,
    pub custom_id: String,
    pub style: ButtonStyle,
    /// True for a button that asks for typed text (a modal in Discord).
    pub opens_input: bool,
}

/// A change to another message, identified by `message` (a store reference
/// such as `daily:<guild>:<date>` or a Discord message id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edit {
    pub message: String,
    #[serde(flatten)]
    pub reply: Reply,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub media_type: String,
    #[serde(skip)]
    pub data: Vec<u8>,
}

impl Reply {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// A private explanation: for user mistakes and personal results.
    pub fn ephemeral_text(text: impl Into<String>) -> Self {
        Self::new(text).ephemeral()
    }

    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push(Field {
            name: name.into(),
            value: value.into(),
        });
        self
    }

    pub fn footer(mut self, footer: impl Into<String>) -> Self {
        self.footer = Some(footer.into());
        self
    }

    pub fn button(
        mut self,
        label: impl Into<String>,
        custom_id: impl Into<String>,
        style: ButtonStyle,
    ) -> Self {
        self.buttons.push(Button {
            label: label.into(),
            custom_id: custom_id.into(),
            style,
            opens_input: false,
        });
        self
    }

    pub fn ephemeral(mut self) -> Self {
        self.ephemeral = true;
        self
    }

    /// The reply as plain text, the way the CLI prints it.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if let Some(content) = &self.content {
            out.push_str(content);
            out.push_str("\n\n");
        }
        if let Some(title) = &self.title {
            out.push_str(&format!("== {title} ==\n"));
        }
        if !self.text.is_empty() {
            out.push_str(&self.text);
            out.push('\n');
        }
        for field in &self.fields {
            out.push_str(&format!("\n-- {} --\n{}\n", field.name, field.value));
        }
        if let Some(footer) = &self.footer {
            out.push_str(&format!("\n{footer}\n"));
        }
        if !self.buttons.is_empty() {
            out.push('\n');
            for b in &self.buttons {
                let input = if b.opens_input {
                    " (opens a text input)"
                } else {
                    ""
                };
                out.push_str(&format!("[{}] press {}{}\n", b.label, b.custom_id, input));
            }
        }
        for a in &self.attachments {
            out.push_str(&format!("attachment: {} ({})\n", a.name, a.media_type));
        }
        if self.ephemeral {
            out.push_str("(only you can see this)\n");
        }
        for edit in &self.edits {
            out.push_str(&format!("\n>> edits message {}:\n", edit.message));
            for line in edit.reply.to_text().lines() {
                out.push_str(&format!("   {line}\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_the_documented_keys() {
        let reply = Reply::new("hello")
            .title("T")
            .button("See", "ex1:p/x", ButtonStyle::Secondary);
        let json = serde_json::to_value(&reply).unwrap();
        for key in [
            "content",
            "title",
            "text",
            "fields",
            "footer",
            "buttons",
            "ephemeral",
            "edits",
            "attachments",
        ] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
        assert_eq!(json["buttons"][0]["style"], "secondary");
        assert_eq!(json["buttons"][0]["opens_input"], false);
        let back: Reply = serde_json::from_value(json).unwrap();
        assert_eq!(back, reply);
    }
}

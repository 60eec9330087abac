//! Text shaping shared by every reply: escaping what users typed so it cannot
//! format or ping, and fitting text into a length without cutting a word.
//!
//! Knows the few length limits that replies are built to (they are Discord's,
//! but stated here as plain numbers so the core needs no Discord types).

/// A button label.
pub const BUTTON_LABEL: usize = 80;

/// Escapes Markdown and neutralises mentions in user-typed text shown back.
/// `@everyone` gets a zero-width space after the `@` so it reads the same but
/// can never ping, even where allowed_mentions would permit it.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (at, c) in text.char_indices() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' | '(' | ')' | '<' => {
                out.push('\\');
                out.push(c);
            }
            // Only a link's `://` needs defusing (so typed text never
            // becomes a link); a time such as 25:00 keeps its colon bare.
            ':' if text[at + 1..].starts_with("//") => out.push_str("\\:"),
            '@' => {
                out.push('@');
                out.push('\u{200B}');
            }
            c if c.is_control() => out.push(' '),
            // Bidirectional overrides and isolates would reorder the rest of
            // the line (and the bot's own words after it).
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

/// What a user typed, shown back inside one of our sentences ("no season
/// \"…\""): escaped, and cut to 100 characters so a 6,000-character
/// option cannot crowd out the sentence or break the reply's limits.
pub fn quote(text: &str) -> String {
    escape_markdown(&fit(text, 100))
}

/// Fits `text` into `max` characters, cutting at a word boundary and adding
/// "…" when it had to cut.
pub fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let budget = max.saturating_sub(1);
    let cut: String = text.chars().take(budget).collect();
    let trimmed = match cut.rfind(char::is_whitespace) {
        Some(i) if i > budget / 2 => cut[..i].trim_end().to_string(),
        _ => cut,
    };
    format!("{trimmed}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_defuses_formatting_and_mentions() {
        assert_eq!(
            escape_markdown("*bold* @everyone"),
            "\\*bold\\* @\u{200B}everyone"
        );
        assert_eq!(escape_markdown("<@&123>"), "\\<@\u{200B}&123\\>");
        assert_eq!(escape_markdown("a\u{202E}b\u{2067}c"), "abc");
        // A time keeps its colon; a link's `://` is defused.
        assert_eq!(escape_markdown("25:00"), "25:00");
        assert_eq!(escape_markdown("https://x.io"), "https\\://x.io");
    }

    #[test]
    fn fit_cuts_at_words() {
        assert_eq!(fit("short", 10), "short");
        let long = "Nikolai Ivanovich Yezhov, People's Commissar for Internal Affairs of the USSR from 1936";
        let fitted = fit(long, 40);
        assert!(fitted.chars().count() <= 40);
        assert!(fitted.ends_with('…'));
        assert!(long.starts_with(fitted.trim_end_matches('…')));
    }
}

/// Discord's markup for naming a user, channel or role, or showing a time
/// in the reader's own zone. Handlers name things through these instead of
/// writing the markup themselves: replies never ping anyone (the edge sends
/// them with no allowed mentions), and the one message that does ping, the
/// daily post's role, allows exactly that role.
pub mod mention {
    /// `<@id>`: shown as the user's name.
    pub fn user(id: u64) -> String {
        format!("<@{id}>")
    }

    /// `<#id>`: shown as the channel's name, a link.
    pub fn channel(id: u64) -> String {
        format!("<#{id}>")
    }

    /// `<@&id>`: shown as the role's name.
    pub fn role(id: u64) -> String {
        format!("<@&{id}>")
    }

    /// `<t:seconds:style>`: a time shown in the reader's zone; `style` is
    /// Discord's letter (`R` relative, `F` full, `D` date).
    pub fn time(at: chrono::DateTime<chrono::Utc>, style: char) -> String {
        format!("<t:{}:{style}>", at.timestamp())
    }
}

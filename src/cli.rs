//! The command-line edge: turns `studybot ask` words into the same
//! [`Request`] a Discord interaction becomes, and prints the [`Reply`] as
//! text or JSON. Parsing follows the command catalogue, so subcommand words
//! and `name=value` options mean what they would mean in Discord.

use crate::handlers::spec::{self, CommandSpec};
use crate::reply::Reply;
use crate::request::Action;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Parses the words after `ask`: `<command> [SUBCOMMAND]... [OPTIONS]...` or
/// `press <CUSTOM_ID> [TEXT]...`.
///
/// Options are `name=value` (name must be an option of the (sub)command);
/// the remaining bare words are joined with spaces and become the first
/// option, so `explain order 447` asks for term "order 447".
pub fn parse_ask(words: &[String]) -> Result<Action, UsageError> {
    let (first, rest) = words
        .split_first()
        .ok_or_else(|| UsageError("ask needs a command, for example: ask explain troika".into()))?;
    if first == "press" {
        let (custom_id, text) = rest.split_first().ok_or_else(|| {
            UsageError("press needs a button's custom id: ask press <CUSTOM_ID> [TEXT]".into())
        })?;
        let input = (!text.is_empty()).then(|| text.join(" "));
        return Ok(Action::Press {
            custom_id: custom_id.clone(),
            input,
        });
    }
    let mut current: &CommandSpec = spec::command(first).ok_or_else(|| {
        let names: Vec<&str> = spec::COMMANDS.iter().map(|c| c.name).collect();
        UsageError(format!(
            "unknown command `{first}`; commands: {}, press",
            names.join(", ")
        ))
    })?;
    let mut subcommands = Vec::new();
    let mut rest = rest;
    while let Some((word, tail)) = rest.split_first() {
        match current.subcommand(word) {
            Some(sub) => {
                subcommands.push(sub.name.to_string());
                current = sub;
                rest = tail;
            }
            None => break,
        }
    }
    if !current.subcommands.is_empty() {
        let names: Vec<&str> = current.subcommands.iter().map(|s| s.name).collect();
        return Err(UsageError(format!(
            "`{}` needs a subcommand: {}",
            current.name,
            names.join(", ")
        )));
    }
    let mut options = BTreeMap::new();
    let mut bare = Vec::new();
    for word in rest {
        match word.split_once('=') {
            Some((name, value)) if current.option(name).is_some() => {
                options.insert(name.to_string(), value.to_string());
            }
            _ => bare.push(word.as_str()),
        }
    }
    if !bare.is_empty() {
        let first_option = current.options.first().ok_or_else(|| {
            UsageError(format!(
                "`{}` takes no options, but got: {}",
                current.name,
                bare.join(" ")
            ))
        })?;
        if options.contains_key(first_option.name) {
            return Err(UsageError(format!(
                "`{}` was given twice (as {}=... and as bare words: {})",
                first_option.name,
                first_option.name,
                bare.join(" ")
            )));
        }
        options.insert(first_option.name.to_string(), bare.join(" "));
    }
    Ok(Action::Command {
        name: first.clone(),
        subcommands,
        options,
    })
}

/// The reply as the CLI prints it.
pub fn render(reply: &Reply, json: bool) -> String {
    if json {
        serde_json::to_string_pretty(reply).expect("a Reply always serialises")
    } else {
        reply.to_text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn options(action: &Action) -> &BTreeMap<String, String> {
        match action {
            Action::Command { options, .. } => options,
            _ => panic!("not a command"),
        }
    }

    #[test]
    fn bare_words_become_the_first_option() {
        let a = parse_ask(&words("explain order 447")).unwrap();
        assert_eq!(options(&a)["term"], "order 447");
        let a = parse_ask(&words("explain term=troika")).unwrap();
        assert_eq!(options(&a)["term"], "troika");
        // An unknown name=value is just text.
        let a = parse_ask(&words("explain x=y")).unwrap();
        assert_eq!(options(&a)["term"], "x=y");
    }

    #[test]
    fn press_and_errors() {
        assert_eq!(
            parse_ask(&words("press ex1:p/x two words")).unwrap(),
            Action::Press {
                custom_id: "ex1:p/x".into(),
                input: Some("two words".into())
            }
        );
        assert!(parse_ask(&words("frobnicate")).is_err());
        assert!(parse_ask(&words("help extra")).is_err());
        assert!(parse_ask(&[]).is_err());
        assert!(parse_ask(&words("explain term=a b")).is_err());
    }
}

//! `/help`: what studybot does, listed from the command table
//! ([`super::spec::COMMANDS`]); README's "Commands" section is the same list.

use super::spec::COMMANDS;
use crate::app::App;
use crate::error::Error;
use crate::reply::Reply;
use crate::request::Request;

/// One line per command, `usage: description`, in the table's order.
pub fn command_lines() -> Vec<String> {
    COMMANDS
        .iter()
        .map(|command| format!("`{}`: {}", command.usage(), command.description))
        .collect()
}

pub fn help(_app: &App, _request: &Request) -> Result<Reply, Error> {
    let mut lines = command_lines();
    lines.push(String::new());
    lines.push("Teachers: set the class channel and time with `/settings channel` and `/settings time`, then `/settings show`. studybot posts nothing until then.".to_string());
    Ok(Reply::new(lines.join("\n"))
        .title("studybot: revise history with your class")
        .ephemeral())
}

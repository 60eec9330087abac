//! `/help`: what studybot does, listed from the command catalogue.

use super::spec::COMMANDS;
use crate::reply::Reply;

pub fn help() -> Reply {
    let mut lines = Vec::new();
    for command in COMMANDS {
        let options: Vec<String> = command
            .options
            .iter()
            .map(|o| {
                if o.required {
                    format!("<{}>", o.name)
                } else {
                    format!("[{}]", o.name)
                }
            })
            .collect();
        let usage = if !command.subcommands.is_empty() {
            let subs: Vec<&str> = command.subcommands.iter().map(|s| s.name).collect();
            format!("/{} {}", command.name, subs.join("|"))
        } else if options.is_empty() {
            format!("/{}", command.name)
        } else {
            format!("/{} {}", command.name, options.join(" "))
        };
        lines.push(format!("`{usage}`: {}", command.description));
    }
    lines.push(String::new());
    lines.push("Teachers: set the class channel and time with `/settings channel` and `/settings time`, then `/settings show`. studybot posts nothing until then.".to_string());
    Reply::new(lines.join("\n"))
        .title("studybot: revise history with your class")
        .ephemeral()
}

//! Thin slash commands: read the options, call the core, render, respond.
//! Option names and descriptions match `handlers::spec` (a test keeps them
//! in step), so the CLI and Discord accept the same commands.

use super::{asker, render, respond, Context, Error};
use crate::request::Action;
use crate::search::Suggestion;
use poise::serenity_prelude as serenity;
use std::collections::BTreeMap;

/// Every command, in the order `/help` lists them.
pub fn all() -> Vec<poise::Command<std::sync::Arc<crate::App>, Error>> {
    vec![
        explain(),
        date(),
        timeline(),
        quiz(),
        daily(),
        leaderboard(),
        stats(),
        help(),
    ]
}

async fn run(
    ctx: Context<'_>,
    name: &str,
    options: Vec<(&str, Option<String>)>,
) -> Result<(), Error> {
    let app = ctx.data().clone();
    let (guild, channel) = (ctx.guild_id(), ctx.channel_id());
    let interaction = match ctx {
        poise::Context::Application(a) => a.interaction.id,
        poise::Context::Prefix(_) => return Ok(()),
    };
    let member = ctx.author_member().await.map(|m| m.into_owned());
    let who = asker(
        &app,
        guild,
        channel,
        ctx.author(),
        member.as_ref(),
        interaction,
    );
    let options: BTreeMap<String, String> = options
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
    let request = who.request(Action::Command {
        name: name.to_string(),
        subcommands: Vec::new(),
        options,
    });
    let reply = respond(&app, request).await;
    ctx.send(render::layout(&reply).to_poise()).await?;
    Ok(())
}

async fn autocomplete_term(ctx: Context<'_>, partial: &str) -> Vec<serenity::AutocompleteChoice> {
    let suggestions: Vec<Suggestion> =
        crate::handlers::autocomplete(ctx.data(), "explain", "term", partial);
    suggestions
        .into_iter()
        .map(|s| serenity::AutocompleteChoice::new(s.name, s.value))
        .collect()
}

/// Explain a term, person, place, document or organisation
#[poise::command(slash_command)]
pub async fn explain(
    ctx: Context<'_>,
    #[description = "What to explain, e.g. troika, Yezhov, Order 00447"]
    #[autocomplete = "autocomplete_term"]
    #[max_length = 200]
    term: String,
) -> Result<(), Error> {
    run(ctx, "explain", vec![("term", Some(term))]).await
}

/// What happened on a date, in a month, a year or a period
#[poise::command(slash_command)]
pub async fn date(
    ctx: Context<'_>,
    #[description = "e.g. 1 December 1934, July 1937, 1936-1938, today, on this day"]
    #[max_length = 100]
    when: String,
) -> Result<(), Error> {
    run(ctx, "date", vec![("when", Some(when))]).await
}

/// Browse the events of a period or a tag, page by page
#[poise::command(slash_command)]
pub async fn timeline(
    ctx: Context<'_>,
    #[description = "Start: a date or year, e.g. 1936"] from: Option<String>,
    #[description = "End: a date or year, e.g. 1938"] to: Option<String>,
    #[description = "Only events with this tag, e.g. trials, army, nkvd"] tag: Option<String>,
) -> Result<(), Error> {
    run(
        ctx,
        "timeline",
        vec![("from", from), ("to", to), ("tag", tag)],
    )
    .await
}

#[derive(Debug, poise::ChoiceParameter)]
pub enum Difficulty {
    #[name = "easy"]
    Easy,
    #[name = "medium"]
    Medium,
    #[name = "hard"]
    Hard,
}

/// A practice question just for you
#[poise::command(slash_command, guild_only)]
pub async fn quiz(
    ctx: Context<'_>,
    #[description = "Only questions on this topic, e.g. trials, army, nkvd"] tag: Option<String>,
    #[description = "easy, medium or hard"] difficulty: Option<Difficulty>,
) -> Result<(), Error> {
    let difficulty = difficulty.map(|d| format!("{d:?}").to_lowercase());
    run(ctx, "quiz", vec![("tag", tag), ("difficulty", difficulty)]).await
}

/// Today's class question
#[poise::command(slash_command, guild_only)]
pub async fn daily(ctx: Context<'_>) -> Result<(), Error> {
    run(ctx, "daily", vec![]).await
}

#[derive(Debug, poise::ChoiceParameter)]
pub enum Period {
    #[name = "all-time"]
    AllTime,
    #[name = "season"]
    Season,
    #[name = "week"]
    Week,
}

/// The class leaderboard
#[poise::command(slash_command, guild_only)]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[description = "all-time, season or week"] period: Option<Period>,
) -> Result<(), Error> {
    let period = period.map(|p| match p {
        Period::AllTime => "all-time".to_string(),
        Period::Season => "season".to_string(),
        Period::Week => "week".to_string(),
    });
    run(ctx, "leaderboard", vec![("period", period)]).await
}

/// Answers, accuracy, streaks and topics
#[poise::command(slash_command, guild_only)]
pub async fn stats(
    ctx: Context<'_>,
    #[description = "Whose stats (default: yours)"] user: Option<serenity::User>,
) -> Result<(), Error> {
    run(
        ctx,
        "stats",
        vec![("user", user.map(|u| u.id.get().to_string()))],
    )
    .await
}

/// What studybot can do and how to set it up
#[poise::command(slash_command)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    run(ctx, "help", vec![]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discord_commands_match_the_core_catalogue() {
        for command in all() {
            let spec = crate::handlers::spec::command(&command.name)
                .unwrap_or_else(|| panic!("/{} is not in handlers::spec", command.name));
            let names: Vec<&str> = command.parameters.iter().map(|p| p.name.as_str()).collect();
            let spec_names: Vec<&str> = spec.options.iter().map(|o| o.name).collect();
            assert_eq!(names, spec_names, "/{}", command.name);
            for (p, o) in command.parameters.iter().zip(spec.options) {
                assert_eq!(p.required, o.required, "/{} {}", command.name, o.name);
                assert_eq!(
                    p.description.as_deref(),
                    Some(o.description),
                    "/{} {}",
                    command.name,
                    o.name
                );
            }
            assert_eq!(
                command.description.as_deref(),
                Some(spec.description),
                "/{}",
                command.name
            );
        }
        assert_eq!(all().len(), crate::handlers::spec::COMMANDS.len());
        let guild_only: Vec<String> = all()
            .into_iter()
            .filter(|c| c.guild_only)
            .map(|c| c.name)
            .collect();
        assert_eq!(guild_only, ["quiz", "daily", "leaderboard", "stats"]);
    }
}

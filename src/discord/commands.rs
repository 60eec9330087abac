//! Slash commands, built at run time from the command table
//! ([`crate::handlers::spec::COMMANDS`]): one poise [`poise::Command`] per
//! entry, all sharing one action (`slash_action`) that reads Discord's
//! typed options into the core's [`Request`], runs it through the same
//! handler the CLI uses, and renders the reply. The registration payload
//! ([`registration`]) is written from the same table, so what Discord shows,
//! what the bot dispatches and what `/help` lists cannot drift apart.
//!
//! Nothing here names a command: a command is added in the table alone.

use super::{asker, render, respond_in_time, Context, Error};
use crate::app::App;
use crate::handlers::spec::{self, After, CommandSpec, EdgeFact, OptionKind, Place, Who};
use crate::request::{Action, Request};
use poise::serenity_prelude as serenity;
use serenity::ResolvedValue;
use std::collections::BTreeMap;
use std::sync::Arc;

type Command = poise::Command<Arc<App>, Error>;
type AppContext<'a> = poise::ApplicationContext<'a, Arc<App>, Error>;

/// Every command, in the table's order, as poise dispatches them.
pub fn all() -> Vec<Command> {
    spec::COMMANDS.iter().map(|c| command(c, None)).collect()
}

fn command(spec: &'static CommandSpec, parent: Option<&'static CommandSpec>) -> Command {
    let qualified_name = match parent {
        Some(parent) => format!("{} {}", parent.name, spec.name),
        None => spec.name.to_string(),
    };
    let top = parent.unwrap_or(spec);
    Command {
        slash_action: Some(slash_action),
        subcommands: spec
            .subcommands
            .iter()
            .map(|sub| command(sub, Some(spec)))
            .collect(),
        subcommand_required: !spec.subcommands.is_empty(),
        name: spec.name.to_string(),
        identifying_name: qualified_name.replace(' ', "_"),
        source_code_name: qualified_name.replace(' ', "_"),
        qualified_name,
        description: Some(spec.description.to_string()),
        guild_only: parent.is_none() && top.place == Place::Server,
        default_member_permissions: match (parent, top.who) {
            (None, Who::Teachers) => serenity::Permissions::MANAGE_GUILD,
            _ => serenity::Permissions::empty(),
        },
        parameters: spec.options.iter().map(parameter).collect(),
        ..Default::default()
    }
}

/// An option as poise needs it to route autocomplete; its Discord type is
/// declared in [`registration`].
fn parameter(option: &'static spec::OptionSpec) -> poise::CommandParameter<Arc<App>, Error> {
    poise::CommandParameter {
        name: option.name.to_string(),
        name_localizations: Default::default(),
        description: Some(option.description.to_string()),
        description_localizations: Default::default(),
        required: option.required,
        channel_types: matches!(option.kind, OptionKind::Channel)
            .then(|| vec![serenity::ChannelType::Text]),
        choices: Vec::new(),
        type_setter: None,
        autocomplete_callback: option.autocomplete.map(|_| autocomplete as _),
        __non_exhaustive: (),
    }
}

/// The body of the command registration (`PUT .../commands`), from the
/// table: each option with its Discord type and limits, teacher commands
/// defaulting to Manage Server, server commands usable in servers only.
/// `default_member_permissions` is sent as the integer Discord's API
/// description declares (serenity would send a string).
pub fn registration() -> Vec<serde_json::Value> {
    spec::COMMANDS
        .iter()
        .map(|spec| {
            let mut builder = serenity::CreateCommand::new(spec.name).description(spec.description);
            if spec.who == Who::Teachers {
                builder = builder.default_member_permissions(serenity::Permissions::MANAGE_GUILD);
            }
            if spec.place == Place::Server {
                builder = builder.contexts(vec![serenity::InteractionContext::Guild]);
            }
            for option in spec.options {
                builder = builder.add_option(option_builder(option));
            }
            for sub in spec.subcommands {
                let mut sub_builder = serenity::CreateCommandOption::new(
                    serenity::CommandOptionType::SubCommand,
                    sub.name,
                    sub.description,
                );
                for option in sub.options {
                    sub_builder = sub_builder.add_sub_option(option_builder(option));
                }
                builder = builder.add_option(sub_builder);
            }
            let mut command = serde_json::to_value(builder).unwrap_or_default();
            let bits = command
                .get("default_member_permissions")
                .and_then(|p| p.as_str())
                .and_then(|p| p.parse::<u64>().ok());
            if let Some(bits) = bits {
                command["default_member_permissions"] = bits.into();
            }
            command
        })
        .collect()
}

fn option_builder(option: &spec::OptionSpec) -> serenity::CreateCommandOption {
    use serenity::CommandOptionType as Type;
    let kind = match option.kind {
        OptionKind::Text { .. } | OptionKind::Choice(_) => Type::String,
        OptionKind::Integer { .. } => Type::Integer,
        OptionKind::Boolean => Type::Boolean,
        OptionKind::User => Type::User,
        OptionKind::Channel => Type::Channel,
        OptionKind::Role => Type::Role,
        OptionKind::File => Type::Attachment,
    };
    let mut builder = serenity::CreateCommandOption::new(kind, option.name, option.description)
        .required(option.required);
    match option.kind {
        OptionKind::Text {
            max_length: Some(max),
        } => builder = builder.max_length(max),
        OptionKind::Integer { min, max } => {
            builder = builder
                .min_int_value(u64::try_from(min).unwrap_or(0))
                .max_int_value(u64::try_from(max).unwrap_or(0))
        }
        OptionKind::Choice(words) => {
            for word in words {
                builder = builder.add_string_choice(*word, *word);
            }
        }
        OptionKind::Channel => {
            builder = builder.channel_types(vec![serenity::ChannelType::Text]);
        }
        _ => {}
    }
    if option.autocomplete.is_some() {
        builder = builder.set_autocomplete(true);
    }
    builder
}

/// The table entries a poise command stands for: (top-level, leaf).
fn specs_of(command: &Command) -> Option<(&'static CommandSpec, &'static CommandSpec)> {
    let mut words = command.qualified_name.split(' ');
    let top = spec::command(words.next()?)?;
    let leaf = match words.next() {
        Some(sub) => top.subcommand(sub)?,
        None => top,
    };
    Some((top, leaf))
}

/// The one action of every slash command.
fn slash_action(
    ctx: AppContext<'_>,
) -> poise::BoxFuture<'_, Result<(), poise::FrameworkError<'_, Arc<App>, Error>>> {
    Box::pin(async move {
        run(ctx)
            .await
            .map_err(|error| poise::FrameworkError::new_command(ctx.into(), error))
    })
}

/// Reads the interaction's options into the core's words, runs the
/// command, and sends the reply (deferring first, privately or not as the
/// table says, if the handler is slow).
async fn run(ctx: AppContext<'_>) -> Result<(), Error> {
    let (top, leaf) = specs_of(ctx.command).ok_or_else(|| {
        format!(
            "/{} is not in the command table",
            ctx.command.qualified_name
        )
    })?;
    let mut options = BTreeMap::new();
    let mut attachment = None;
    for option in ctx.args {
        let value = match &option.value {
            ResolvedValue::String(text) => text.to_string(),
            ResolvedValue::Integer(number) => number.to_string(),
            ResolvedValue::Number(number) => number.to_string(),
            ResolvedValue::Boolean(flag) => flag.to_string(),
            ResolvedValue::User(user, _) => user.id.get().to_string(),
            ResolvedValue::Channel(channel) => channel.id.get().to_string(),
            ResolvedValue::Role(role) => {
                // The role's name travels beside its id (a house team of
                // `/competition start team_mode:role` is named after it);
                // the command table does not declare it, so no check
                // touches it.
                options.insert(format!("{}_name", option.name), role.name.to_string());
                role.id.get().to_string()
            }
            ResolvedValue::Attachment(file) => match upload(ctx, file).await? {
                Some(file) => {
                    attachment = Some(file);
                    continue;
                }
                None => return Ok(()),
            },
            _ => continue,
        };
        options.insert(option.name.to_string(), value);
    }
    let ctx_any = poise::Context::Application(ctx);
    if let Some(EdgeFact::MentionableRoles) = leaf.edge_fact {
        if let Some(roles) = mentionable_roles(ctx_any) {
            options.insert("mentionable_roles".to_string(), roles);
        }
    }
    let app = ctx.data.clone();
    let member = ctx_any.author_member().await.map(|m| m.into_owned());
    let mut who = asker(
        &app,
        ctx_any.guild_id(),
        ctx_any.channel_id(),
        ctx_any.author(),
        member.as_ref(),
        ctx.interaction.id,
    );
    // Discord has already authorised a teacher command through its default
    // member permission (Manage Server, or what a server admin granted
    // instead): whoever runs it acts as a teacher for it.
    who.teacher |= top.who == Who::Teachers;
    let mut request: Request = who.request(Action::Command {
        name: top.name.to_string(),
        subcommands: if std::ptr::eq(top, leaf) {
            Vec::new()
        } else {
            vec![leaf.name.to_string()]
        },
        options,
    });
    request.attachment = attachment;
    let private = leaf.private;
    let prepared = crate::handlers::Prepared::new(request);
    let (reply, deferred) = respond_in_time(&app, prepared, || async move {
        if private {
            ctx_any.defer_ephemeral().await?;
        } else {
            ctx_any.defer().await?;
        }
        Ok(())
    })
    .await?;
    let layout = render::layout(&reply);
    if layout.files.is_empty() {
        ctx_any.send(layout.to_poise()).await?;
    } else {
        send_with_files(
            &ctx.serenity_context.http,
            ctx.interaction,
            &layout,
            deferred,
        )
        .await?;
    }
    if leaf.after == After::RunCompetition {
        // The rounds are channel messages sent by a runner, not follow-ups:
        // an interaction token expires after 15 minutes.
        super::competitions::run_in_channel(ctx.serenity_context, ctx.data, ctx_any.channel_id())
            .await;
    }
    Ok(())
}

/// The server's mentionable roles from the cache, comma separated (`None`
/// outside a server or when the cache does not hold it).
fn mentionable_roles(ctx: Context<'_>) -> Option<String> {
    let guild = ctx.guild_id()?;
    let guild = ctx.cache().guild(guild)?;
    let roles: Vec<String> = guild
        .roles
        .values()
        .filter(|role| role.mentionable)
        .map(|role| role.id.get().to_string())
        .collect();
    Some(roles.join(","))
}

/// Downloads an attached file for the handler, checking its size before
/// anything is downloaded (the handler checks it again, and everything
/// else, for either edge). `None` when the download failed and the user was
/// told.
async fn upload(
    ctx: AppContext<'_>,
    file: &serenity::Attachment,
) -> Result<Option<crate::request::Upload>, Error> {
    let limit = crate::handlers::packs::MAX_UPLOAD_BYTES;
    let data = if (file.size as usize) <= limit {
        match download(&file.url, limit).await {
            Ok(data) => data,
            Err(error) => {
                tracing::warn!(%error, "could not download an uploaded file");
                poise::Context::Application(ctx)
                    .send(
                        poise::CreateReply::default()
                            .content(
                                "studybot could not download that file from Discord. Please try again.",
                            )
                            .ephemeral(true)
                            .allowed_mentions(serenity::CreateAllowedMentions::new()),
                    )
                    .await?;
                return Ok(None);
            }
        }
    } else {
        // Stands in for the file: the handler refuses it by its size alone.
        vec![0; limit + 1]
    };
    Ok(Some(crate::request::Upload {
        name: file.filename.clone(),
        data,
    }))
}

/// Fetches an attachment from Discord's CDN, refusing an error status
/// (serenity's `Attachment::download` would return an error page as the
/// file) and stopping at `limit + 1` bytes.
async fn download(url: &str, limit: usize) -> Result<Vec<u8>, String> {
    let mut response = reqwest::get(url).await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()));
    }
    let mut data = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        data.extend_from_slice(&chunk);
        if data.len() > limit {
            break;
        }
    }
    Ok(data)
}

/// Sends a reply that carries files (a score export). Discord's API
/// description declares each attachment's `id` a snowflake string, and
/// serenity's builders write integers, so the body's attachment list is
/// written here.
async fn send_with_files(
    http: &serenity::Http,
    interaction: &serenity::CommandInteraction,
    layout: &render::Layout,
    deferred: bool,
) -> Result<(), Error> {
    let files = layout.create_attachments();
    let attachments = layout.attachment_list();
    if deferred {
        let mut body = serde_json::to_value(layout.to_followup())?;
        body["attachments"] = attachments.into();
        http.create_followup_message(&interaction.token, &body, files)
            .await?;
    } else {
        let mut body = serde_json::to_value(serenity::CreateInteractionResponse::Message(
            layout.to_interaction_message(),
        ))?;
        body["data"]["attachments"] = attachments.into();
        http.create_interaction_response(interaction.id, &interaction.token, &body, files)
            .await?;
    }
    Ok(())
}

/// Suggestions while the user types an option the table marks for
/// autocomplete.
fn autocomplete<'a>(
    ctx: AppContext<'a>,
    partial: &'a str,
) -> poise::BoxFuture<'a, Result<serenity::CreateAutocompleteResponse, poise::SlashArgError>> {
    Box::pin(async move {
        let focused = ctx.args.iter().find_map(|o| match o.value {
            ResolvedValue::Autocomplete { .. } => Some(o.name),
            _ => None,
        });
        let guild = ctx
            .interaction
            .guild_id
            .map(|g| crate::request::GuildId(g.get()));
        let (command, partial) = (ctx.command.qualified_name.clone(), partial.to_string());
        let suggest = move |app: &App, option: &str| {
            crate::handlers::autocomplete(app, guild, &command, option, &partial)
        };
        let suggestions = match focused {
            // In place when the server's content is in memory; its first
            // use builds it from the store, off the executor.
            Some(option) if ctx.data.holds(guild) => suggest(ctx.data, option),
            Some(option) => {
                let option = option.to_string();
                super::blocking(ctx.data, move |app| suggest(app, &option))
                    .await
                    .unwrap_or_default()
            }
            None => Vec::new(),
        };
        let choices = suggestions
            .into_iter()
            .map(|s| serenity::AutocompleteChoice::new(s.name, s.value))
            .collect();
        Ok(serenity::CreateAutocompleteResponse::new().set_choices(choices))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The poise commands (what is dispatched) against the table.
    fn same(command: &Command, spec: &CommandSpec) {
        let at = &command.qualified_name;
        assert_eq!(command.name, spec.name);
        assert_eq!(
            command.description.as_deref(),
            Some(spec.description),
            "/{at}"
        );
        let names: Vec<&str> = command.parameters.iter().map(|p| p.name.as_str()).collect();
        let spec_names: Vec<&str> = spec.options.iter().map(|o| o.name).collect();
        assert_eq!(names, spec_names, "/{at}");
        for (p, o) in command.parameters.iter().zip(spec.options) {
            assert_eq!(p.required, o.required, "/{at} {}", o.name);
            assert_eq!(
                p.autocomplete_callback.is_some(),
                o.autocomplete.is_some(),
                "/{at} {}",
                o.name
            );
        }
        let subs: Vec<&str> = command
            .subcommands
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        let spec_subs: Vec<&str> = spec.subcommands.iter().map(|c| c.name).collect();
        assert_eq!(subs, spec_subs, "/{at}");
        assert!(command.slash_action.is_some(), "/{at}");
        for (sub, spec_sub) in command.subcommands.iter().zip(spec.subcommands) {
            same(sub, spec_sub);
            assert_eq!(
                specs_of(sub).map(|(_, leaf)| leaf.name),
                Some(spec_sub.name)
            );
        }
    }

    #[test]
    fn dispatched_commands_are_the_table() {
        let commands = all();
        assert_eq!(commands.len(), spec::COMMANDS.len());
        for (command, spec) in commands.iter().zip(spec::COMMANDS) {
            same(command, spec);
            assert_eq!(command.guild_only, spec.place == Place::Server);
            assert_eq!(
                command.default_member_permissions == serenity::Permissions::MANAGE_GUILD,
                spec.who == Who::Teachers
            );
        }
    }

    /// Discord's option type number of a kind (its API's table).
    fn discord_type(kind: OptionKind) -> u64 {
        match kind {
            OptionKind::Text { .. } | OptionKind::Choice(_) => 3,
            OptionKind::Integer { .. } => 4,
            OptionKind::Boolean => 5,
            OptionKind::User => 6,
            OptionKind::Channel => 7,
            OptionKind::Role => 8,
            OptionKind::File => 11,
        }
    }

    fn same_options(registered: &serde_json::Value, options: &[spec::OptionSpec], at: &str) {
        let registered = registered.as_array().map(Vec::as_slice).unwrap_or_default();
        assert_eq!(registered.len(), options.len(), "{at}");
        for (r, o) in registered.iter().zip(options) {
            assert_eq!(r["name"], o.name, "{at}");
            assert_eq!(r["description"], o.description, "{at} {}", o.name);
            assert_eq!(r["type"], discord_type(o.kind), "{at} {}", o.name);
            assert_eq!(r["required"], o.required, "{at} {}", o.name);
            assert_eq!(
                r["autocomplete"].as_bool().unwrap_or(false),
                o.autocomplete.is_some(),
                "{at} {}",
                o.name
            );
            match o.kind {
                OptionKind::Text { max_length } => {
                    assert_eq!(r["max_length"].as_u64(), max_length.map(u64::from), "{at}")
                }
                OptionKind::Integer { min, max } => {
                    assert_eq!(r["min_value"], min, "{at}");
                    assert_eq!(r["max_value"], max, "{at}");
                }
                OptionKind::Choice(words) => {
                    let choices: Vec<&str> = r["choices"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| {
                            assert_eq!(c["name"], c["value"]);
                            c["name"].as_str().unwrap()
                        })
                        .collect();
                    assert_eq!(choices, words, "{at}");
                }
                OptionKind::Channel => assert_eq!(r["channel_types"], serde_json::json!([0])),
                _ => {}
            }
        }
    }

    #[test]
    fn the_registration_payload_is_the_table() {
        let registered = registration();
        assert_eq!(registered.len(), spec::COMMANDS.len());
        let manage_guild = serenity::Permissions::MANAGE_GUILD.bits();
        for (r, spec) in registered.iter().zip(spec::COMMANDS) {
            let at = format!("/{}", spec.name);
            assert_eq!(r["name"], spec.name);
            assert_eq!(r["description"], spec.description, "{at}");
            match spec.who {
                // An integer, as Discord's API description declares.
                Who::Teachers => assert_eq!(
                    r["default_member_permissions"],
                    serde_json::json!(manage_guild),
                    "{at}"
                ),
                Who::Everyone => assert!(
                    r.get("default_member_permissions")
                        .is_none_or(|p| p.is_null()),
                    "{at}"
                ),
            }
            match spec.place {
                Place::Server => assert_eq!(r["contexts"], serde_json::json!([0]), "{at}"),
                Place::Anywhere => assert!(r.get("contexts").is_none_or(|c| c.is_null()), "{at}"),
            }
            if spec.subcommands.is_empty() {
                same_options(&r["options"], spec.options, &at);
            } else {
                let subs = r["options"].as_array().unwrap();
                assert_eq!(subs.len(), spec.subcommands.len(), "{at}");
                for (sub, sub_spec) in subs.iter().zip(spec.subcommands) {
                    assert_eq!(sub["type"], 1, "{at}: a subcommand");
                    assert_eq!(sub["name"], sub_spec.name, "{at}");
                    assert_eq!(sub["description"], sub_spec.description, "{at}");
                    same_options(
                        &sub["options"],
                        sub_spec.options,
                        &format!("{at} {}", sub_spec.name),
                    );
                }
            }
        }
    }
}

//! Thin slash commands: read the options, call the core, render, respond.
//! Option names and descriptions match `handlers::spec` (a test keeps them
//! in step), so the CLI and Discord accept the same commands.

use super::{asker, render, respond_in_time, Context, Error};
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
        review(),
        daily(),
        leaderboard(),
        stats(),
        competition(),
        settings(),
        season(),
        pack(),
        score(),
        export(),
        student(),
        class(),
        privacy(),
        help(),
    ]
}

/// The body of the command registration (`PUT .../commands`): poise's
/// builders, except that `default_member_permissions` is sent as the integer
/// Discord's API description declares (serenity would send a string).
pub fn registration(
    commands: &[poise::Command<std::sync::Arc<crate::App>, Error>],
) -> Vec<serde_json::Value> {
    poise::builtins::create_application_commands(commands)
        .into_iter()
        .map(|builder| {
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

async fn run(
    ctx: Context<'_>,
    name: &str,
    options: Vec<(&str, Option<String>)>,
) -> Result<(), Error> {
    run_as(ctx, name, &[], options, false).await
}

/// Runs a command. `teacher_command` marks commands whose use Discord has
/// already authorised through their default member permission (Manage
/// Server, or whatever a server admin granted instead): the invoker acts as
/// a teacher for them.
async fn run_as(
    ctx: Context<'_>,
    name: &str,
    subcommands: &[&str],
    options: Vec<(&str, Option<String>)>,
    teacher_command: bool,
) -> Result<(), Error> {
    run_full(ctx, name, subcommands, options, teacher_command, None).await
}

/// Runs a teacher command that carries a file (a pack upload).
async fn run_with_file(
    ctx: Context<'_>,
    name: &str,
    subcommands: &[&str],
    file: crate::request::Upload,
) -> Result<(), Error> {
    run_full(ctx, name, subcommands, vec![], true, Some(file)).await
}

async fn run_full(
    ctx: Context<'_>,
    name: &str,
    subcommands: &[&str],
    options: Vec<(&str, Option<String>)>,
    teacher_command: bool,
    attachment: Option<crate::request::Upload>,
) -> Result<(), Error> {
    let app = ctx.data().clone();
    let (guild, channel) = (ctx.guild_id(), ctx.channel_id());
    let interaction = match ctx {
        poise::Context::Application(a) => a.interaction.id,
        poise::Context::Prefix(_) => return Ok(()),
    };
    let member = ctx.author_member().await.map(|m| m.into_owned());
    let mut who = asker(
        &app,
        guild,
        channel,
        ctx.author(),
        member.as_ref(),
        interaction,
    );
    who.teacher |= teacher_command;
    let options: BTreeMap<String, String> = options
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
    let mut request = who.request(Action::Command {
        name: name.to_string(),
        subcommands: subcommands.iter().map(|s| s.to_string()).collect(),
        options,
    });
    request.attachment = attachment;
    // Personal and teacher replies are private; if the handler is slow, the
    // deferral must already say so.
    let private = matches!(
        name,
        "quiz"
            | "review"
            | "stats"
            | "settings"
            | "season"
            | "help"
            | "export"
            | "student"
            | "class"
            | "privacy"
            | "pack"
            | "score"
    );
    let (reply, deferred) = respond_in_time(&app, request, || async move {
        if private {
            ctx.defer_ephemeral().await?;
        } else {
            ctx.defer().await?;
        }
        Ok(())
    })
    .await?;
    let layout = render::layout(&reply);
    if let (false, poise::Context::Application(a)) = (layout.files.is_empty(), ctx) {
        return send_with_files(
            &ctx.serenity_context().http,
            a.interaction,
            &layout,
            deferred,
        )
        .await;
    }
    ctx.send(layout.to_poise()).await?;
    Ok(())
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

async fn autocomplete_term(ctx: Context<'_>, partial: &str) -> Vec<serenity::AutocompleteChoice> {
    let suggestions: Vec<Suggestion> = crate::handlers::autocomplete(
        ctx.data(),
        ctx.guild_id().map(|g| crate::request::GuildId(g.get())),
        "explain",
        "term",
        partial,
    );
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
    #[description = "Also send it as a picture (true or false)"] picture: Option<bool>,
) -> Result<(), Error> {
    run(
        ctx,
        "timeline",
        vec![
            ("from", from),
            ("to", to),
            ("tag", tag),
            ("picture", picture.map(|p| p.to_string())),
        ],
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

/// Revise what you got wrong, when it is due
#[poise::command(slash_command)]
pub async fn review(ctx: Context<'_>) -> Result<(), Error> {
    run(ctx, "review", vec![]).await
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
    #[description = "Also send it as a picture (true or false)"] picture: Option<bool>,
) -> Result<(), Error> {
    let period = period.map(|p| match p {
        Period::AllTime => "all-time".to_string(),
        Period::Season => "season".to_string(),
        Period::Week => "week".to_string(),
    });
    run(
        ctx,
        "leaderboard",
        vec![
            ("period", period),
            ("picture", picture.map(|p| p.to_string())),
        ],
    )
    .await
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

/// A timed group quiz in this channel: speed points and a podium
#[poise::command(
    slash_command,
    guild_only,
    subcommands("competition_start", "competition_stop"),
    subcommand_required
)]
pub async fn competition(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Start a competition in this channel
#[poise::command(slash_command, rename = "start")]
pub async fn competition_start(
    ctx: Context<'_>,
    #[description = "How many questions (1-20, default 5)"]
    #[min = 1]
    #[max = 20]
    rounds: Option<u32>,
    #[description = "Seconds per question (10-120, default 20)"]
    #[min = 10]
    #[max = 120]
    seconds: Option<u32>,
    #[description = "Only questions with this tag, e.g. trials"] tag: Option<String>,
    #[description = "Only questions of this difficulty"] difficulty: Option<Difficulty>,
) -> Result<(), Error> {
    let difficulty = difficulty.map(|d| format!("{d:?}").to_lowercase());
    run_as(
        ctx,
        "competition",
        &["start"],
        vec![
            ("rounds", rounds.map(|r| r.to_string())),
            ("seconds", seconds.map(|s| s.to_string())),
            ("tag", tag),
            ("difficulty", difficulty),
        ],
        false,
    )
    .await?;
    // The rounds are channel messages sent by a runner, not follow-ups: an
    // interaction token expires after 15 minutes.
    super::competitions::run_in_channel(ctx.serenity_context(), ctx.data(), ctx.channel_id()).await;
    Ok(())
}

/// Stop this channel's competition (its starter or a teacher)
#[poise::command(slash_command, rename = "stop")]
pub async fn competition_stop(ctx: Context<'_>) -> Result<(), Error> {
    run_as(ctx, "competition", &["stop"], vec![], false).await
}

#[derive(Debug, poise::ChoiceParameter)]
pub enum Who {
    #[name = "everyone"]
    Everyone,
    #[name = "teachers"]
    Teachers,
}

/// Who may start a competition
#[poise::command(slash_command, rename = "competitions")]
pub async fn settings_competitions(
    ctx: Context<'_>,
    #[description = "everyone (the default) or teachers"] who: Who,
) -> Result<(), Error> {
    let who = match who {
        Who::Everyone => "everyone",
        Who::Teachers => "teachers",
    };
    setting(ctx, "competitions", "who", Some(who.to_string())).await
}

/// Teacher settings: the daily question's channel, time and days
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands(
        "settings_channel",
        "settings_time",
        "settings_timezone",
        "settings_days",
        "settings_role",
        "settings_teacher_role",
        "settings_competitions",
        "settings_show"
    ),
    subcommand_required
)]
pub async fn settings(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

async fn setting(
    ctx: Context<'_>,
    sub: &str,
    option: &str,
    value: Option<String>,
) -> Result<(), Error> {
    run_as(ctx, "settings", &[sub], vec![(option, value)], true).await
}

/// The channel the daily question is posted in
#[poise::command(slash_command, rename = "channel")]
pub async fn settings_channel(
    ctx: Context<'_>,
    #[description = "The class channel (or none)"]
    #[channel_types("Text")]
    // Resolved from the interaction itself: no REST call to fetch it.
    channel: serenity::PartialChannel,
) -> Result<(), Error> {
    setting(
        ctx,
        "channel",
        "channel",
        Some(channel.id.get().to_string()),
    )
    .await
}

/// The local time of the daily post
#[poise::command(slash_command, rename = "time")]
pub async fn settings_time(
    ctx: Context<'_>,
    #[description = "24-hour time, e.g. 07:30"] time: String,
) -> Result<(), Error> {
    setting(ctx, "time", "time", Some(time)).await
}

/// This server's time zone
#[poise::command(slash_command, rename = "timezone")]
pub async fn settings_timezone(
    ctx: Context<'_>,
    #[description = "An IANA time zone, e.g. Europe/London"] timezone: String,
) -> Result<(), Error> {
    setting(ctx, "timezone", "timezone", Some(timezone)).await
}

/// The weekdays the daily question is posted
#[poise::command(slash_command, rename = "days")]
pub async fn settings_days(
    ctx: Context<'_>,
    #[description = "e.g. mon-fri, every day, mon,wed,fri"] days: String,
) -> Result<(), Error> {
    setting(ctx, "days", "days", Some(days)).await
}

/// A role to mention in the daily post
#[poise::command(slash_command, rename = "role")]
pub async fn settings_role(
    ctx: Context<'_>,
    #[description = "The role to mention (or none)"] role: serenity::Role,
) -> Result<(), Error> {
    setting(ctx, "role", "role", Some(role.id.get().to_string())).await
}

/// The role that counts as teachers
#[poise::command(slash_command, rename = "teacher-role")]
pub async fn settings_teacher_role(
    ctx: Context<'_>,
    #[description = "The teachers' role (or none)"] role: serenity::Role,
) -> Result<(), Error> {
    setting(ctx, "teacher-role", "role", Some(role.id.get().to_string())).await
}

/// Show the settings and how to set studybot up
#[poise::command(slash_command, rename = "show")]
pub async fn settings_show(ctx: Context<'_>) -> Result<(), Error> {
    // Whether the configured ping role can be pinged is Discord's to know:
    // read its flag from the cache and pass it on.
    let mentionable = match (
        ctx.guild_id(),
        ctx.guild_id().and_then(|g| {
            ctx.data()
                .store
                .settings(crate::request::GuildId(g.get()))
                .ok()
        }),
    ) {
        (Some(guild), Some(settings)) => settings.ping_role.and_then(|role| {
            ctx.cache().guild(guild).and_then(|g| {
                g.roles
                    .get(&serenity::RoleId::new(role))
                    .map(|r| r.mentionable.to_string())
            })
        }),
        _ => None,
    };
    run_as(
        ctx,
        "settings",
        &["show"],
        vec![("role_mentionable", mentionable)],
        true,
    )
    .await
}

/// Teacher tools: start or end a leaderboard season
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("season_start", "season_end"),
    subcommand_required
)]
pub async fn season(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Start a named season
#[poise::command(slash_command, rename = "start")]
pub async fn season_start(
    ctx: Context<'_>,
    #[description = "The season's name, e.g. Autumn term"]
    #[max_length = 60]
    name: Option<String>,
) -> Result<(), Error> {
    run_as(ctx, "season", &["start"], vec![("name", name)], true).await
}

/// End the running season (asks for confirmation)
#[poise::command(slash_command, rename = "end")]
pub async fn season_end(ctx: Context<'_>) -> Result<(), Error> {
    run_as(ctx, "season", &["end"], vec![], true).await
}

/// Teacher tools: the questions your class gets
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands(
        "pack_upload",
        "pack_list",
        "pack_enable",
        "pack_disable",
        "pack_remove",
        "pack_reports"
    ),
    subcommand_required
)]
pub async fn pack(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Add a pack for this server: a .toml pack, a Red list, an Anki deck or a Kahoot sheet
#[poise::command(slash_command, rename = "upload")]
pub async fn pack_upload(
    ctx: Context<'_>,
    #[description = "The file (.toml, .yaml, .apkg, .txt or .xlsx; at most 1 MiB)"]
    file: serenity::Attachment,
) -> Result<(), Error> {
    // The size is checked before anything is downloaded; the handler checks
    // it again (and everything else) for either edge.
    let limit = crate::handlers::packs::MAX_UPLOAD_BYTES;
    let data = if (file.size as usize) <= limit {
        match download(&file.url, limit).await {
            Ok(data) => data,
            Err(error) => {
                tracing::warn!(%error, "could not download an uploaded pack");
                ctx.send(
                    poise::CreateReply::default()
                        .content(
                            "studybot could not download that file from Discord. Please try again.",
                        )
                        .ephemeral(true)
                        .allowed_mentions(serenity::CreateAllowedMentions::new()),
                )
                .await?;
                return Ok(());
            }
        }
    } else {
        // Stands in for the file: the handler refuses it by its size alone.
        vec![0; limit + 1]
    };
    run_with_file(
        ctx,
        "pack",
        &["upload"],
        crate::request::Upload {
            name: file.filename.clone(),
            data,
        },
    )
    .await
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

/// The packs this server's questions come from
#[poise::command(slash_command, rename = "list")]
pub async fn pack_list(ctx: Context<'_>) -> Result<(), Error> {
    run_as(ctx, "pack", &["list"], vec![], true).await
}

/// Ask a pack's questions in this server again
#[poise::command(slash_command, rename = "enable")]
pub async fn pack_enable(
    ctx: Context<'_>,
    #[description = "The pack's id (see /pack list)"]
    #[max_length = 30]
    pack: String,
) -> Result<(), Error> {
    run_as(ctx, "pack", &["enable"], vec![("pack", Some(pack))], true).await
}

/// Stop asking a pack's questions in this server
#[poise::command(slash_command, rename = "disable")]
pub async fn pack_disable(
    ctx: Context<'_>,
    #[description = "The pack's id (see /pack list)"]
    #[max_length = 30]
    pack: String,
) -> Result<(), Error> {
    run_as(ctx, "pack", &["disable"], vec![("pack", Some(pack))], true).await
}

/// Delete a pack uploaded for this server (asks for confirmation)
#[poise::command(slash_command, rename = "remove")]
pub async fn pack_remove(
    ctx: Context<'_>,
    #[description = "The pack's id (see /pack list)"]
    #[max_length = 30]
    pack: String,
) -> Result<(), Error> {
    run_as(ctx, "pack", &["remove"], vec![("pack", Some(pack))], true).await
}

/// Problems students reported with questions
#[poise::command(slash_command, rename = "reports")]
pub async fn pack_reports(ctx: Context<'_>) -> Result<(), Error> {
    run_as(ctx, "pack", &["reports"], vec![], true).await
}

/// Teacher tools: correct a student's marks
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("score_accept"),
    subcommand_required
)]
pub async fn score(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Count an answer marked wrong as right
#[poise::command(slash_command, rename = "accept")]
pub async fn score_accept(
    ctx: Context<'_>,
    #[description = "The student"] user: serenity::User,
) -> Result<(), Error> {
    let user = Some(user.id.get().to_string());
    run_as(ctx, "score", &["accept"], vec![("user", user)], true).await
}

/// Teacher tools: export the class's scores
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("export_scores"),
    subcommand_required
)]
pub async fn export(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// The scores as a CSV file for a spreadsheet
#[poise::command(slash_command, rename = "scores")]
pub async fn export_scores(
    ctx: Context<'_>,
    #[description = "current, or a season's name (default: all time)"]
    #[max_length = 60]
    season: Option<String>,
) -> Result<(), Error> {
    run_as(ctx, "export", &["scores"], vec![("season", season)], true).await
}

/// Teacher tools: manage one student's data
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("student_remove"),
    subcommand_required
)]
pub async fn student(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Delete a student's answers and scores in this server
#[poise::command(slash_command, rename = "remove")]
pub async fn student_remove(
    ctx: Context<'_>,
    #[description = "The student"] user: serenity::User,
) -> Result<(), Error> {
    let user = Some(user.id.get().to_string());
    run_as(ctx, "student", &["remove"], vec![("user", user)], true).await
}

/// Teacher tools: how the class is doing
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("class_report"),
    subcommand_required
)]
pub async fn class(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// The weakest questions and topics this season
#[poise::command(slash_command, rename = "report")]
pub async fn class_report(ctx: Context<'_>) -> Result<(), Error> {
    run_as(ctx, "class", &["report"], vec![], true).await
}

/// Your data: delete everything studybot stores about you
#[poise::command(slash_command, subcommands("privacy_delete_me"), subcommand_required)]
pub async fn privacy(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Delete your answers, scores and review schedule everywhere
#[poise::command(slash_command, rename = "delete-me")]
pub async fn privacy_delete_me(ctx: Context<'_>) -> Result<(), Error> {
    run_as(ctx, "privacy", &["delete-me"], vec![], false).await
}

/// What studybot can do and how to set it up
#[poise::command(slash_command)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    run(ctx, "help", vec![]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(
        command: &poise::Command<std::sync::Arc<crate::App>, Error>,
        spec: &crate::handlers::spec::CommandSpec,
    ) {
        let names: Vec<&str> = command.parameters.iter().map(|p| p.name.as_str()).collect();
        let spec_names: Vec<&str> = spec.options.iter().map(|o| o.name).collect();
        assert_eq!(names, spec_names, "/{}", command.qualified_name);
        for (p, o) in command.parameters.iter().zip(spec.options) {
            assert_eq!(
                p.required, o.required,
                "/{} {}",
                command.qualified_name, o.name
            );
            assert_eq!(
                p.description.as_deref(),
                Some(o.description),
                "/{} {}",
                command.qualified_name,
                o.name
            );
        }
        assert_eq!(
            command.description.as_deref(),
            Some(spec.description),
            "/{}",
            command.qualified_name
        );
        let subs: Vec<&str> = command
            .subcommands
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        let spec_subs: Vec<&str> = spec.subcommands.iter().map(|c| c.name).collect();
        assert_eq!(subs, spec_subs, "/{}", command.qualified_name);
        for (sub, spec_sub) in command.subcommands.iter().zip(spec.subcommands) {
            same(sub, spec_sub);
        }
    }

    #[test]
    fn discord_commands_match_the_core_catalogue() {
        for command in all() {
            let spec = crate::handlers::spec::command(&command.name)
                .unwrap_or_else(|| panic!("/{} is not in handlers::spec", command.name));
            same(&command, spec);
        }
        assert_eq!(all().len(), crate::handlers::spec::COMMANDS.len());
        let guild_only: Vec<String> = all()
            .into_iter()
            .filter(|c| c.guild_only)
            .map(|c| c.name)
            .collect();
        assert_eq!(
            guild_only,
            [
                "quiz",
                "daily",
                "leaderboard",
                "stats",
                "competition",
                "settings",
                "season",
                "pack",
                "score",
                "export",
                "student",
                "class"
            ]
        );
        let teacher: Vec<String> = all()
            .into_iter()
            .filter(|c| c.default_member_permissions == serenity::Permissions::MANAGE_GUILD)
            .map(|c| c.name)
            .collect();
        assert_eq!(
            teacher,
            ["settings", "season", "pack", "score", "export", "student", "class"],
            "teacher commands default to Manage Server"
        );
    }

    #[test]
    fn registration_payload_carries_permissions_as_integers_and_fits_discord_limits() {
        // Names, options, contexts and permissions as Discord receives them
        // are checked end to end (tests/e2e.rs); this checks what the
        // payload function itself adds.
        let commands = registration(&all());
        let by_name = |name: &str| {
            commands
                .iter()
                .find(|c| c["name"] == name)
                .unwrap_or_else(|| panic!("/{name} not registered"))
                .clone()
        };
        let manage_guild = serenity::Permissions::MANAGE_GUILD.bits();
        for name in ["settings", "season"] {
            assert_eq!(
                by_name(name)["default_member_permissions"],
                serde_json::json!(manage_guild),
                "/{name}: an integer, as Discord's API description declares"
            );
        }
        assert!(by_name("daily")
            .get("default_member_permissions")
            .is_none_or(|p| p.is_null()));
        assert_eq!(
            by_name("settings")["options"][4]["options"][0]["type"],
            8,
            "a role option"
        );
        let period = &by_name("leaderboard")["options"][0];
        let choices: Vec<&str> = period["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(choices, ["all-time", "season", "week"]);
        for command in &commands {
            assert!(command["description"].as_str().unwrap().chars().count() <= 100);
        }
    }
}

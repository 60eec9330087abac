//! The Discord adapter: the only module that knows serenity and poise.
//!
//! It turns interactions into core [`Request`]s, calls the same handlers the
//! CLI calls ([`crate::handlers::respond`]), and renders the [`Reply`] with
//! `render`. Commands are thin (`commands.rs`); buttons and modal submits are
//! routed by custom id (`components.rs`), with no in-memory collectors, so
//! they keep working after a restart. Handlers run on tokio's blocking pool
//! (they use the store), and no lock is held across an `.await`: every piece
//! of store work from async code goes through [`blocking`], and the only
//! work run on the executor itself is a content lookup for a server whose
//! content is already in memory ([`App::holds`]), kept current by
//! [`keep_guilds_current`].

pub mod commands;
pub mod competitions;
pub mod components;
pub mod edits;
pub mod guilds;
pub mod render;
pub mod scheduler;

use crate::app::App;
use crate::config::Secret;
use crate::handlers::Prepared;
use crate::request::{ChannelId, GuildId, InteractionId, Request, UserId};
use crate::Reply;
use poise::serenity_prelude as serenity;
use std::sync::Arc;

/// Errors at the edge. Core errors never reach here: `respond` turns them
/// into replies.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Context<'a> = poise::Context<'a, Arc<App>, Error>;

#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    #[error("the Discord token was refused: check DISCORD_TOKEN (the bot token from the developer portal's Bot page)")]
    InvalidToken,
    #[error("Discord client error: {0}")]
    Client(String),
    /// The App could not be built (content or database) while the gateway
    /// was connecting: the connection is closed and this is the reason.
    #[error("{0}")]
    Startup(String),
}

/// How `studybot run` connects.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Register commands in this guild only (instant) instead of globally.
    pub dev_guild: Option<u64>,
    /// Send REST traffic through this HTTP proxy (with serenity's own rate
    /// limiter off: the proxy must handle rate limits).
    pub proxy: Option<String>,
    /// The content folders, reloaded on SIGHUP with the bundled packs.
    pub content: Vec<std::path::PathBuf>,
    /// How often the daily-post scheduler asks the core what is due.
    pub schedule_tick: std::time::Duration,
    /// How long edits of one message are coalesced (see `edits`).
    pub edit_window: std::time::Duration,
    /// The first wait before a daily post is retried after a rate limit,
    /// a server error or a timeout; it doubles with each retry.
    pub retry_base: std::time::Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            dev_guild: None,
            proxy: None,
            content: Vec::new(),
            schedule_tick: scheduler::TICK,
            edit_window: edits::WINDOW,
            retry_base: scheduler::RETRY_BASE,
        }
    }
}

/// Who is asking, where, in core terms.
pub struct Asker {
    pub now: chrono::DateTime<chrono::Utc>,
    pub guild: Option<GuildId>,
    pub channel: Option<ChannelId>,
    pub user: UserId,
    pub display_name: String,
    pub teacher: bool,
    pub roles: Vec<u64>,
    pub interaction: InteractionId,
}

impl Asker {
    pub fn request(self, action: crate::request::Action) -> Request {
        Request {
            action,
            guild: self.guild,
            channel: self.channel,
            user: self.user,
            display_name: self.display_name,
            teacher: self.teacher,
            roles: self.roles,
            interaction: self.interaction,
            now: self.now,
            attachment: None,
        }
    }
}

/// Builds the asker from an interaction's parts, with no I/O: a member with
/// Manage Server (or Administrator) is a teacher; the guild's teacher role is
/// checked by the core from `roles`, only where it matters.
pub fn asker(
    app: &App,
    guild: Option<serenity::GuildId>,
    channel: serenity::ChannelId,
    user: &serenity::User,
    member: Option<&serenity::Member>,
    interaction: serenity::InteractionId,
) -> Asker {
    let guild_id = guild.map(|g| GuildId(g.get()));
    let teacher = member.is_some_and(|m| {
        m.permissions
            .is_some_and(|p| p.manage_guild() || p.administrator())
    });
    let roles = member
        .map(|m| m.roles.iter().map(|r| r.get()).collect())
        .unwrap_or_default();
    let display_name = member
        .and_then(|m| m.nick.clone())
        .or_else(|| user.global_name.clone())
        .unwrap_or_else(|| user.name.clone());
    Asker {
        now: app.clock.now(),
        guild: guild_id,
        channel: Some(ChannelId(channel.get())),
        user: UserId(user.id.get()),
        display_name,
        teacher,
        roles,
        interaction: InteractionId(interaction.get()),
    }
}

/// Runs blocking work (anything that touches the store) from async code:
/// on tokio's blocking pool, a few at a time. The database serialises its
/// work anyway: a few callers at a time keep it busy, while more would only
/// queue on its lock as parked threads; waiting for a slot here is a cheap
/// async wait instead. Every store call of the Discord edge goes through
/// here, so none blocks the executor.
pub async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    work: impl FnOnce(&App) -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    static DATABASE_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);
    let _slot = DATABASE_SLOTS.acquire().await;
    let app = app.clone();
    tokio::task::spawn_blocking(move || work(&app)).await
}

/// Keeps every held server's content (its uploaded packs, its time zone)
/// current with the store, so that lookups never read the store on the
/// executor: other processes' changes arrive within [`crate::app::PACK_RECHECK`].
/// Runs until `stop` turns true or its sender is dropped.
pub async fn keep_guilds_current(app: Arc<App>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(crate::app::PACK_RECHECK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
                continue;
            }
        }
        if let Err(error) = blocking(&app, |app| app.refresh_guilds()).await {
            tracing::error!(%error, "refreshing the servers' content panicked");
        }
    }
}

/// Runs a request that uses the database through the core, on the
/// blocking pool (content lookups run in place: see [`respond_in_time`]).
pub async fn respond(app: &Arc<App>, prepared: Prepared) -> Reply {
    match blocking(app, move |app| {
        crate::handlers::respond_prepared(app, prepared)
    })
    .await
    {
        Ok(reply) => reply,
        // The process is shutting down and the handler never ran: nothing
        // was saved, and the student can simply try again.
        Err(e) if e.is_cancelled() => {
            tracing::info!("a request arrived as the bot was shutting down; asked to retry");
            Reply::ephemeral_text(SHUTTING_DOWN)
        }
        Err(e) => {
            tracing::error!(error = %e, "a handler panicked");
            Reply::ephemeral_text(crate::handlers::APOLOGY)
        }
    }
}

/// The reply to a request that reached the bot as it was shutting down.
pub const SHUTTING_DOWN: &str =
    "studybot is restarting and nothing was saved. Please try again in a moment.";

/// Discord wants a first response within 3 seconds. A handler that has not
/// answered by this time is deferred (and its reply follows up).
pub const DEFER_AFTER: std::time::Duration = std::time::Duration::from_millis(2000);

/// Runs a request; if it has not answered within [`DEFER_AFTER`], calls
/// `defer` first. The caller chooses the deferral's ephemerality in advance,
/// because a deferral fixes it for the reply that follows. Returns the reply
/// and whether the interaction was deferred.
pub async fn respond_in_time<F, Fut>(
    app: &Arc<App>,
    prepared: Prepared,
    defer: F,
) -> Result<(Reply, bool), Error>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), Error>>,
{
    // A content lookup takes microseconds: it runs in place, with no task,
    // no blocking thread and no deferral window, once the server's content
    // is in memory (its first request builds it on the blocking pool).
    if prepared.is_lookup() && app.holds(prepared.request.guild) {
        return Ok((crate::handlers::respond_prepared(app, prepared), false));
    }
    // So does a reply kept while the store has not changed (a leaderboard
    // asked again): a memory read.
    if let Some(reply) = crate::handlers::from_memory(app, &prepared) {
        return Ok((reply, false));
    }
    let app = app.clone();
    within_window(
        tokio::spawn(async move { respond(&app, prepared).await }),
        defer,
    )
    .await
}

/// Awaits `task`, calling `defer` first if it takes longer than [`DEFER_AFTER`].
pub async fn within_window<T, F, Fut>(
    mut task: tokio::task::JoinHandle<T>,
    defer: F,
) -> Result<(T, bool), Error>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), Error>>,
{
    match tokio::time::timeout(DEFER_AFTER, &mut task).await {
        Ok(done) => Ok((done?, false)),
        Err(_) => {
            defer().await?;
            Ok((task.await?, true))
        }
    }
}

/// Commands, buttons and modals share this path for edge failures (Discord
/// refused a response, a timeout): logged with context, never shown raw.
async fn on_error(error: poise::FrameworkError<'_, Arc<App>, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            tracing::error!(command = %ctx.command().qualified_name, %error, "command failed");
            let apology =
                render::layout(&Reply::ephemeral_text(crate::handlers::APOLOGY)).to_poise();
            if let Err(e) = ctx.send(apology).await {
                tracing::error!(error = %e, "could not send the apology either");
            }
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "error while handling an error");
            }
        }
    }
}

/// Connects to Discord while `loading` builds the App, and serves until
/// SIGINT or SIGTERM; SIGHUP reloads the content. `shards`: the shards this
/// process runs (`None`: all).
///
/// Start-up is the gateway connection and the App's loading (content,
/// database) side by side rather than one after the other: commands are
/// registered, and answered, once both are done (docs/performance.md).
pub async fn run(
    loading: impl std::future::Future<Output = Result<Arc<App>, String>> + Send + 'static,
    shards: Option<crate::shards::ShardSet>,
    token: &Secret,
    options: RunOptions,
) -> Result<(), DiscordError> {
    let (loaded, mut ready) = tokio::sync::watch::channel(None::<Arc<App>>);
    let folders = options.content.clone();
    let reload = tokio::spawn(async move {
        let app = match ready.wait_for(Option::is_some).await {
            Ok(app) => app.clone(),
            Err(_) => return,
        };
        if let Some(app) = app {
            reload_on_hangup(app, folders).await;
        }
    });
    let loading = async move {
        let app = loading.await?;
        let _ = loaded.send(Some(app.clone()));
        Ok(app)
    };
    let served = serve_loading(loading, shards, token, options, shutdown_signal()).await;
    reload.abort();
    served
}

/// Connects to Discord and serves until `shutdown` completes, then closes
/// the shards and stops the scheduler. `run` is this with the process's
/// signals; the end-to-end tests call it with their own trigger, which is
/// how they restart the bot in the middle of a test.
pub async fn serve(
    app: Arc<App>,
    token: &Secret,
    options: RunOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), DiscordError> {
    let shards = app.shards;
    serve_loading(async move { Ok(app) }, shards, token, options, shutdown).await
}

/// [`serve`] with the App still being built: the gateway connects
/// meanwhile, and the App is awaited when the first shard is ready, before
/// commands are registered. If it cannot be built, the shards are closed and
/// its error returned.
pub async fn serve_loading(
    loading: impl std::future::Future<Output = Result<Arc<App>, String>> + Send + 'static,
    app_shards: Option<crate::shards::ShardSet>,
    token: &Secret,
    options: RunOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), DiscordError> {
    let token = token.expose().trim().to_string();
    if serenity::validate_token(&token).is_err() {
        return Err(DiscordError::InvalidToken);
    }
    let dev_guild = options.dev_guild;
    let loading = tokio::spawn(loading);
    // The App once built (or None if it failed), for the setup below.
    let (loaded, app_ready) = tokio::sync::watch::channel(None::<Result<Arc<App>, String>>);
    let outcome = app_ready.clone();
    let schedule_tick = options.schedule_tick;
    let retry_base = options.retry_base;
    // Ends the scheduler when this client stops (it is spawned on READY).
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let stop_for_runners = stop.clone();
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |error| Box::pin(on_error(error)),
            event_handler: |ctx, event, _framework, app| {
                Box::pin(async move {
                    // Every shard's READY (poise's setup sees only the first).
                    if let serenity::FullEvent::Ready { data_about_bot } = event {
                        guilds::on_ready(data_about_bot, app).await;
                    }
                    guilds::on_event(event, app).await;
                    components::on_event(ctx, event, app).await
                })
            },
            ..Default::default()
        })
        // Owners are not used: skip the application-info request at start-up.
        .initialize_owners(false)
        .setup(move |ctx, ready, _framework| {
            let mut app_ready = app_ready.clone();
            Box::pin(async move {
                let built = match app_ready.wait_for(Option::is_some).await {
                    Ok(built) => built.clone(),
                    Err(_) => None,
                };
                let app = built.ok_or("the App was never built")??;
                let payload = commands::registration();
                match dev_guild {
                    Some(guild) => ctx.http.create_guild_commands(serenity::GuildId::new(guild), &payload).await?,
                    None => ctx.http.create_global_commands(&payload).await?,
                };
                tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected; commands registered");
                tokio::spawn(keep_guilds_current(app.clone(), stop.clone()));
                tokio::spawn(scheduler::run(ctx.http.clone(), app.clone(), schedule_tick, retry_base, stop));
                competitions::resume_all(ctx, &app).await;
                Ok(app)
            })
        })
        .build();
    let intents = serenity::GatewayIntents::GUILDS;
    let builder = match &options.proxy {
        Some(proxy) => {
            let http = serenity::HttpBuilder::new(&token)
                .proxy(proxy.clone())
                .ratelimiter_disabled(true)
                .build();
            serenity::ClientBuilder::new_with_http(http, intents)
        }
        None => serenity::ClientBuilder::new(&token, intents),
    };
    let mut client = builder
        .framework(framework)
        .type_map_insert::<components::EditsKey>(components::Edits::new(options.edit_window))
        .type_map_insert::<competitions::RunnersKey>(competitions::Runners::new(
            options.schedule_tick,
            stop_for_runners,
        ))
        .await
        .map_err(|e| DiscordError::Client(e.to_string()))?;
    let shards = client.shard_manager.clone();
    let closer = tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: closing shards");
        shards.shutdown_all().await;
    });
    let shards = client.shard_manager.clone();
    let loader = tokio::spawn(async move {
        let built = match loading.await {
            Ok(built) => built,
            Err(e) => Err(format!("loading panicked: {e}")),
        };
        let failed = built.is_err();
        let _ = loaded.send(Some(built));
        if failed {
            shards.shutdown_all().await;
        }
    });
    let started = match app_shards {
        // serenity's range end is inclusive here (`start_shards` passes
        // `total - 1`), so `first..last` runs shards first to last.
        Some(s) => {
            tracing::info!(shards = %s, "running a range of shards");
            client.start_shard_range(s.first..s.last, s.total).await
        }
        None => client.start_autosharded().await,
    };
    let result = started.map_err(|e| match e {
        serenity::Error::Gateway(serenity::GatewayError::InvalidAuthentication) => {
            DiscordError::InvalidToken
        }
        other => DiscordError::Client(other.to_string()),
    });
    closer.abort();
    let _ = stopping.send(true);
    loader.abort();
    // A failed load is what closed the shards: it is the reason to give.
    if let Some(Err(failed)) = &*outcome.borrow() {
        return Err(DiscordError::Startup(failed.clone()));
    }
    result
}

/// SIGHUP reloads the content; a broken pack is rejected with its errors
/// and the content in use stays live.
async fn reload_on_hangup(app: Arc<App>, folders: Vec<std::path::PathBuf>) {
    #[cfg(unix)]
    {
        let Ok(mut hangups) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hangups.recv().await.is_some() {
            let folders = folders.clone();
            match blocking(&app, move |app| app.reload_with_bundled(&folders)).await {
                Ok(Ok(warnings)) => tracing::info!(warnings = warnings.len(), "content reloaded"),
                Ok(Err(e)) => tracing::error!(
                    "content reload rejected; the previous content stays live:\n{e}"
                ),
                Err(e) => tracing::error!(error = %e, "content reload panicked"),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (app, folders);
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[tokio::test(start_paused = true)]
    async fn slow_work_is_deferred_first_and_fast_work_is_not() {
        let deferred = Arc::new(AtomicBool::new(false));
        let flag = deferred.clone();
        let fast = tokio::spawn(async { 1 });
        let (value, was) = within_window(fast, || async move {
            flag.store(true, Ordering::SeqCst);
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!((value, was), (1, false));
        assert!(!deferred.load(Ordering::SeqCst));

        let flag = deferred.clone();
        let slow = tokio::spawn(async {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            2
        });
        let (value, was) = within_window(slow, || async move {
            flag.store(true, Ordering::SeqCst);
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!((value, was), (2, true));
        assert!(deferred.load(Ordering::SeqCst), "deferred before the reply");
    }
}

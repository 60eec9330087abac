//! Which servers the bot is in, as the gateway tells it: translates
//! GUILD_CREATE, GUILD_DELETE and READY into calls of `handlers::guilds`,
//! which decides what they mean for the stored data.

use super::blocking;
use crate::app::App;
use crate::handlers::guilds;
use crate::request::GuildId;
use poise::serenity_prelude as serenity;
use std::sync::Arc;

pub async fn on_event(event: &serenity::FullEvent, app: &Arc<App>) {
    let (guild, left) = match event {
        serenity::FullEvent::GuildCreate { guild, .. } => (guild.id, false),
        // `unavailable` means a Discord outage, not a removal: keep everything.
        serenity::FullEvent::GuildDelete { incomplete, .. } if !incomplete.unavailable => {
            (incomplete.id, true)
        }
        _ => return,
    };
    let guild = GuildId(guild.get());
    match blocking(app, move |app| guilds::note_membership(app, guild, left)).await {
        Ok(Ok(true)) if left => tracing::info!(
            guild = guild.0,
            grace_days = app.config.privacy.guild_grace_days,
            "removed from a server; its data will be deleted after the grace period"
        ),
        Ok(Ok(true)) => tracing::info!(guild = guild.0, "back in a server; its data is kept"),
        Ok(Ok(false)) => {}
        Ok(Err(error)) => {
            tracing::error!(guild = guild.0, %error, "could not note a server joining or leaving")
        }
        Err(error) => tracing::error!(%error, "noting a server joining or leaving panicked"),
    }
}

/// On READY: the shard's servers, reconciled with the stored ones (see
/// `handlers::guilds::reconcile`).
pub async fn on_ready(ready: &serenity::Ready, app: &Arc<App>) {
    let present = ready.guilds.iter().map(|g| GuildId(g.id.get())).collect();
    let (shard, shards) = ready.shard.map(|s| (s.id.0, s.total)).unwrap_or((0, 1));
    match blocking(app, move |app| {
        guilds::reconcile(app, &present, shard, shards)
    })
    .await
    {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => tracing::info!(
            servers = n,
            "removed from servers while offline; their grace period starts now"
        ),
        Ok(Err(error)) => {
            tracing::error!(%error, "could not check for servers that removed the bot")
        }
        Err(error) => tracing::error!(%error, "checking for servers that removed the bot panicked"),
    }
}

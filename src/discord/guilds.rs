//! Which servers the bot is in: a removal starts the server's grace period
//! (its data is deleted when it ends, see `handlers::privacy`), and being
//! added back (or the server coming back after an outage) ends it.
//! Only notes membership in the store; knows nothing of the data itself.

use crate::app::App;
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
    let store_app = app.clone();
    let noted = tokio::task::spawn_blocking(move || {
        if left {
            let now = store_app.clock.now();
            store_app.store.guild_left(guild, now).map(|()| true)
        } else {
            store_app.store.guild_returned(guild)
        }
    })
    .await;
    match noted {
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

/// On READY: a server with data that is not among this shard's servers
/// removed the bot while it was offline (no GUILD_DELETE came), so its grace
/// period starts now; a server marked as left that is among them added the
/// bot back while it was offline, so its grace period ends. Servers of other
/// shards are left to their shard.
pub async fn on_ready(ready: &serenity::Ready, app: &Arc<App>) {
    let present: std::collections::HashSet<u64> = ready.guilds.iter().map(|g| g.id.get()).collect();
    let (shard, shards) = ready
        .shard
        .map(|s| (u64::from(s.id.0), u64::from(s.total)))
        .unwrap_or((0, 1));
    let store_app = app.clone();
    let marked = tokio::task::spawn_blocking(move || -> Result<usize, crate::store::StoreError> {
        let now = store_app.clock.now();
        let mut marked = 0;
        let departed = store_app
            .store
            .guilds_left_before(now + chrono::Duration::days(1))?;
        for guild in departed {
            if present.contains(&guild.0) {
                store_app.store.guild_returned(guild)?;
            }
        }
        for guild in store_app.store.known_guilds()? {
            let ours = (guild.0 >> 22) % shards.max(1) == shard;
            if ours && !present.contains(&guild.0) {
                store_app.store.guild_left(guild, now)?;
                marked += 1;
            }
        }
        Ok(marked)
    })
    .await;
    match marked {
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

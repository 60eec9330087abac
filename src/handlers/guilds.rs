//! Which servers the bot is in: a removal starts the server's grace period
//! (its data is deleted when it ends, see [`super::privacy::purge_departed`]),
//! and being added back (or the server coming back after an outage) ends it.
//! The Discord edge reports what the gateway said; this decides what it
//! means for the stored data.

use crate::app::App;
use crate::error::Error;
use crate::request::GuildId;
use crate::shards::ShardSet;
use std::collections::HashSet;

/// The bot was removed from `guild` (`left`) or is in it again. Returns
/// whether anything changed.
pub fn note_membership(app: &App, guild: GuildId, left: bool) -> Result<bool, Error> {
    if left {
        app.store.guild_left(guild, app.clock.now())?;
        Ok(true)
    } else {
        Ok(app.store.guild_returned(guild)?)
    }
}

/// On a shard's READY, with the servers it is in (`present`): a server with
/// data that is not among them removed the bot while it was offline, so its
/// grace period starts now; a server marked as left that is among them added
/// the bot back, so its grace period ends. Servers of other shards are left
/// to their shard. Returns how many servers were marked as left.
pub fn reconcile(
    app: &App,
    present: &HashSet<GuildId>,
    shard: u32,
    shards: u32,
) -> Result<usize, Error> {
    let now = app.clock.now();
    for guild in app
        .store
        .guilds_left_before(now + chrono::Duration::days(1))?
    {
        if present.contains(&guild) {
            app.store.guild_returned(guild)?;
        }
    }
    let mut marked = 0;
    for guild in app.store.known_guilds()? {
        if ShardSet::shard_of(guild, shards) == shard && !present.contains(&guild) {
            app.store.guild_left(guild, now)?;
            marked += 1;
        }
    }
    Ok(marked)
}

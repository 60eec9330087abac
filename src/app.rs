//! [`App`]: what every handler gets — the loaded content with its search
//! index, the configuration and the store.
//!
//! Content lives in a [`Library`] behind an `Arc` that a reload swaps whole,
//! so a handler keeps a consistent snapshot for its whole run and no lock is
//! ever held while it works.
//!
//! A server whose teachers uploaded packs or turned packs off gets its own
//! [`Library`]: the bundled packs (shared, not copied) plus its uploads, with
//! its choices applied. With its time zone it makes the server's
//! [`GuildContent`], built from the store on first use (by a handler on the
//! blocking pool, or the CLI) and then only read from memory:
//! [`App::refresh_guild`] rebuilds it after a change made through this
//! process, and [`App::refresh_guilds`], run every [`PACK_RECHECK`] by a
//! background task of the Discord edge, brings in other processes' changes.
//! So the lookups the edge runs in place on the async executor
//! ([`App::holds`] says when they may) do no store I/O at all.

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::content::{self, Content, Diagnostic};
use crate::error::Error;
use crate::request::GuildId;
use crate::search::SearchIndex;
use crate::store::GuildPacks;
use crate::store::Store;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How often the background task reads each held server's pack revision and
/// time zone again. Changes made through this process show at once; those
/// made through another process (several shards on one database) within
/// this time.
pub const PACK_RECHECK: Duration = Duration::from_secs(30);

/// Content and everything derived from it, built together.
pub struct Library {
    pub content: Content,
    pub search: SearchIndex,
}

impl Library {
    pub fn new(content: Content) -> Self {
        let search = SearchIndex::build(&content);
        Self { content, search }
    }

    /// A server's library: `base`'s packs (shared) and the uploads of
    /// `packs`, with the turned-off packs' questions left out. An upload
    /// that no longer loads, or whose id a bundled pack now uses (after a
    /// reload), is skipped and logged rather than failing the server.
    pub fn for_guild(base: &Library, packs: &GuildPacks) -> Self {
        let mut content = base.content.clone();
        for upload in &packs.uploads {
            if content.pack(&upload.pack_id).is_some() {
                tracing::warn!(pack = %upload.pack_id, "uploaded pack skipped: a bundled pack has its id");
                continue;
            }
            match content::load_pack_text(&upload.file_name, upload.text.clone()).into_result() {
                Ok((loaded, _)) => content.packs.extend(loaded.packs),
                Err(error) => {
                    tracing::warn!(pack = %upload.pack_id, %error, "uploaded pack skipped: it no longer loads")
                }
            }
        }
        content.quiet_packs = packs.turned_off.iter().cloned().collect();
        let search = SearchIndex::extend(&base.search, &base.content, &content);
        Self { content, search }
    }

    /// Loads and checks every pack under `folders` (and only those).
    pub fn load(folders: &[PathBuf]) -> Result<(Self, Vec<Diagnostic>), Error> {
        let (content, warnings) = content::load_paths(folders).into_result()?;
        Ok((Self::new(content), warnings))
    }

    /// What the bot serves: the packs under `folders` and the bundled packs
    /// built into the binary that none of them replaces (`content::bundled`).
    pub fn load_with_bundled(folders: &[PathBuf]) -> Result<(Self, Vec<Diagnostic>), Error> {
        let (content, warnings) = content::load_with_bundled(folders).into_result()?;
        Ok((Self::new(content), warnings))
    }
}

pub struct App {
    pub config: Config,
    /// The config's default timezone, for guilds that set none and for DMs.
    pub timezone: chrono_tz::Tz,
    pub store: Arc<dyn Store>,
    /// The time for the parts that decide when to act (the daily posts) and
    /// for requests built at the Discord edge; tests fix or advance it.
    pub clock: Arc<dyn Clock>,
    /// The shards this process runs when several share the database
    /// (`None`: every shard, so every server).
    pub shards: Option<crate::shards::ShardSet>,
    /// Replies kept while the store has not changed (see [`crate::memo`]).
    pub memo: crate::memo::Memo,
    library: RwLock<Arc<Library>>,
    guilds: RwLock<HashMap<GuildId, Arc<GuildContent>>>,
}

/// What a server's lookups need, held in memory: its library as built, what
/// it was built from, and its time zone ("today" in `/date`).
pub struct GuildContent {
    /// The bundled library it extends: a reload makes it stale.
    base: Arc<Library>,
    revision: i64,
    pub library: Arc<Library>,
    pub timezone: chrono_tz::Tz,
}

impl App {
    pub fn new(config: Config, library: Library, store: Arc<dyn Store>) -> Result<Self, Error> {
        let timezone = config.timezone()?;
        Ok(Self {
            config,
            timezone,
            store,
            clock: Arc::new(SystemClock),
            shards: None,
            memo: crate::memo::Memo::default(),
            library: RwLock::new(Arc::new(library)),
            guilds: RwLock::new(HashMap::new()),
        })
    }

    /// The same App reading time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The same App running only `shards` (see [`crate::shards`]).
    pub fn with_shards(mut self, shards: crate::shards::ShardSet) -> Self {
        self.shards = Some(shards);
        self
    }

    /// Whether this process answers for a server's scheduled work (daily
    /// post, competitions, removal): true unless another process's shards
    /// hold it.
    pub fn owns(&self, guild: GuildId) -> bool {
        self.shards.is_none_or(|s| s.owns(guild))
    }

    /// An App with a fresh in-memory database: for tests and benchmarks.
    pub fn in_memory(config: Config, library: Library) -> Result<Self, Error> {
        let store = crate::store::open("sqlite::memory:")?;
        Self::new(config, library, store)
    }

    /// A snapshot of the current content; cheap (an `Arc` clone).
    pub fn library(&self) -> Arc<Library> {
        self.library
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The content as a server sees it (the bundled packs in DMs): its own
    /// library if its teachers changed its packs, else the bundled one. A
    /// memory read once the server is held; the first use builds it from the
    /// store (see [`App::holds`] for who may call it where).
    pub fn library_for(&self, guild: Option<GuildId>) -> Result<Arc<Library>, Error> {
        match guild {
            None => Ok(self.library()),
            Some(guild) => Ok(self.guild(guild)?.library.clone()),
        }
    }

    /// The time zone of a server (the config's in DMs and for servers that
    /// set none); like [`App::library_for`], from memory once held.
    pub fn timezone_for(&self, guild: Option<GuildId>) -> Result<chrono_tz::Tz, Error> {
        match guild {
            None => Ok(self.timezone),
            Some(guild) => Ok(self.guild(guild)?.timezone),
        }
    }

    /// Whether a server's content is in memory, so that a lookup for it
    /// does no store I/O and may run on the async executor.
    pub fn holds(&self, guild: Option<GuildId>) -> bool {
        guild.is_none_or(|guild| self.read_guilds().contains_key(&guild))
    }

    fn read_guilds(&self) -> std::sync::RwLockReadGuard<'_, HashMap<GuildId, Arc<GuildContent>>> {
        self.guilds.read().unwrap_or_else(|e| e.into_inner())
    }

    fn guild(&self, guild: GuildId) -> Result<Arc<GuildContent>, Error> {
        if let Some(held) = self.read_guilds().get(&guild) {
            return Ok(held.clone());
        }
        self.refresh_guild(guild)
    }

    /// Reads a server's pack revision and settings from the store and
    /// rebuilds its content if its packs or the bundled library changed:
    /// after its teachers change its packs or settings through this process,
    /// and from the background refresh. Blocking: never on the executor.
    pub fn refresh_guild(&self, guild: GuildId) -> Result<Arc<GuildContent>, Error> {
        let base = self.library();
        let revision = self.store.pack_revision(guild)?;
        let timezone = crate::schedule::timezone(&self.store.settings(guild)?, self.timezone);
        let held = self.read_guilds().get(&guild).cloned();
        let library = match held {
            Some(held) if held.revision == revision && Arc::ptr_eq(&held.base, &base) => {
                if held.timezone == timezone {
                    return Ok(held);
                }
                held.library.clone()
            }
            // Built without the lock held: it parses the server's uploads.
            _ if revision == 0 => base.clone(),
            _ => {
                let packs = self.store.guild_packs(guild)?;
                Arc::new(Library::for_guild(&base, &packs))
            }
        };
        let content = Arc::new(GuildContent {
            base,
            revision,
            library,
            timezone,
        });
        self.guilds
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(guild, content.clone());
        Ok(content)
    }

    /// [`App::refresh_guild`] for every server held, logging failures (the
    /// server keeps what it had). Returns how many were refreshed.
    pub fn refresh_guilds(&self) -> usize {
        let held: Vec<GuildId> = self.read_guilds().keys().copied().collect();
        let mut refreshed = 0;
        for guild in held {
            match self.refresh_guild(guild) {
                Ok(_) => refreshed += 1,
                Err(error) => {
                    tracing::warn!(guild = guild.0, %error, "could not refresh a server's content")
                }
            }
        }
        refreshed
    }

    /// Drops a server's content (its data was deleted): its next request
    /// builds it again.
    pub fn forget_guild(&self, guild: GuildId) {
        self.guilds
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&guild);
    }

    /// Replaces the content for every later request.
    pub fn replace_library(&self, library: Library) {
        *self.library.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(library);
    }

    /// Reloads the content from `folders`. A pack with errors is rejected
    /// with all its diagnostics and the content in use stays live; on success
    /// the new content serves every later request (requests under way finish
    /// with the snapshot they started with). Returns the warnings.
    pub fn reload(&self, folders: &[PathBuf]) -> Result<Vec<Diagnostic>, Error> {
        let (library, warnings) = Library::load(folders)?;
        self.replace_library(library);
        // Each held server's library extends the bundled one: rebuild them.
        self.refresh_guilds();
        Ok(warnings)
    }

    /// [`App::reload`] with the bundled packs, as the bot started (SIGHUP).
    pub fn reload_with_bundled(&self, folders: &[PathBuf]) -> Result<Vec<Diagnostic>, Error> {
        let (library, warnings) = Library::load_with_bundled(folders)?;
        self.replace_library(library);
        self.refresh_guilds();
        Ok(warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::GuildSettings;

    #[test]
    fn a_servers_content_is_read_from_memory_once_held_and_refreshed_on_demand() {
        let app = App::in_memory(Config::default(), Library::new(Content::default())).unwrap();
        let class = GuildId(7);
        assert!(
            app.holds(None),
            "direct messages need nothing from the store"
        );
        assert!(!app.holds(Some(class)));
        assert_eq!(app.timezone_for(Some(class)).unwrap(), app.timezone);
        assert!(app.holds(Some(class)), "the first use holds it");

        // Another process changes the server's time zone: this one keeps
        // what it holds (no store read per lookup) until it refreshes.
        let tokyo = GuildSettings {
            timezone: Some("Asia/Tokyo".into()),
            ..Default::default()
        };
        app.store
            .save_settings(class, &tokyo, chrono::Utc::now())
            .unwrap();
        assert_eq!(app.timezone_for(Some(class)).unwrap(), app.timezone);
        assert_eq!(app.refresh_guilds(), 1);
        assert_eq!(
            app.timezone_for(Some(class)).unwrap(),
            chrono_tz::Asia::Tokyo
        );

        // A server without packs of its own shares the bundled library.
        assert!(Arc::ptr_eq(
            &app.library_for(Some(class)).unwrap(),
            &app.library()
        ));
        app.forget_guild(class);
        assert!(!app.holds(Some(class)));
    }
}

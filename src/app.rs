//! [`App`]: what every handler gets — the loaded content with its search
//! index, the configuration and the store.
//!
//! Content lives in a [`Library`] behind an `Arc` that a reload swaps whole,
//! so a handler keeps a consistent snapshot for its whole run and no lock is
//! ever held while it works.
//!
//! A server whose teachers uploaded packs or turned packs off gets its own
//! [`Library`]: the bundled packs (shared, not copied) plus its uploads, with
//! its choices applied. It is built from the store on first use, kept, and
//! rebuilt when the guild's pack revision in the store changes (checked at
//! most every [`PACK_RECHECK`], so other bot processes' changes arrive too).

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
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// How long a server's library is trusted before its pack revision is read
/// again. Changes made through this process show at once; those made through
/// another process (several shards on one database) within this time.
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

    /// Loads and checks every pack under `folders`.
    pub fn load(folders: &[PathBuf]) -> Result<(Self, Vec<Diagnostic>), Error> {
        let (content, warnings) = content::load_paths(folders).into_result()?;
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
    library: RwLock<Arc<Library>>,
    guild_libraries: Mutex<HashMap<GuildId, GuildLibrary>>,
}

/// A server's library as built, and what it was built from.
struct GuildLibrary {
    /// The bundled library it extends: a reload makes it stale.
    base: Arc<Library>,
    revision: i64,
    checked: Instant,
    library: Arc<Library>,
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
            library: RwLock::new(Arc::new(library)),
            guild_libraries: Mutex::new(HashMap::new()),
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
    /// library if its teachers changed its packs, else the bundled one.
    pub fn library_for(&self, guild: Option<GuildId>) -> Result<Arc<Library>, Error> {
        let base = self.library();
        let Some(guild) = guild else {
            return Ok(base);
        };
        let cached = |fresh: &dyn Fn(&GuildLibrary) -> bool| {
            let mut cache = self
                .guild_libraries
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let entry = cache.get_mut(&guild)?;
            if !Arc::ptr_eq(&entry.base, &base) || !fresh(entry) {
                return None;
            }
            entry.checked = Instant::now();
            Some(entry.library.clone())
        };
        if let Some(library) = cached(&|e| e.checked.elapsed() < PACK_RECHECK) {
            return Ok(library);
        }
        let revision = self.store.pack_revision(guild)?;
        if let Some(library) = cached(&|e| e.revision == revision) {
            return Ok(library);
        }
        // Built without the lock held: it parses the server's uploads.
        let (revision, library) = if revision == 0 {
            (0, base.clone())
        } else {
            let packs = self.store.guild_packs(guild)?;
            (packs.revision, Arc::new(Library::for_guild(&base, &packs)))
        };
        self.guild_libraries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                guild,
                GuildLibrary {
                    base,
                    revision,
                    checked: Instant::now(),
                    library: library.clone(),
                },
            );
        Ok(library)
    }

    /// Drops a server's library, so its next request rebuilds it: called
    /// after its teachers change its packs through this process.
    pub fn forget_guild_library(&self, guild: GuildId) {
        self.guild_libraries
            .lock()
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
        Ok(warnings)
    }
}

//! [`App`]: what every handler gets — the loaded content with its search
//! index, the configuration and the store.
//!
//! Content lives in a [`Library`] behind an `Arc` that a reload swaps whole,
//! so a handler keeps a consistent snapshot for its whole run and no lock is
//! ever held while it works.

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::content::{self, Content, Diagnostic};
use crate::error::Error;
use crate::search::SearchIndex;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

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
    library: RwLock<Arc<Library>>,
}

impl App {
    pub fn new(config: Config, library: Library, store: Arc<dyn Store>) -> Result<Self, Error> {
        let timezone = config.timezone()?;
        Ok(Self {
            config,
            timezone,
            store,
            clock: Arc::new(SystemClock),
            library: RwLock::new(Arc::new(library)),
        })
    }

    /// The same App reading time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
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

//! Replies kept in memory while the store has not changed, so that asking
//! the same thing again (a `/leaderboard` of 100,000 students, asked over
//! and over by a class) costs a hash lookup instead of the store's queries.
//!
//! A reply is kept with the store's [`generation`](crate::store::Store::generation)
//! as it was read *before* the reply was built, and served only while the
//! store reports that same generation. The store changes its generation
//! after every write it commits (whatever the write: an answer, an accepted
//! answer, a forgotten student, a season, a class, a name), so a kept reply
//! can never outlive the data it was built from: at worst a write landing
//! while a reply is built makes that reply stale at once. A store that
//! cannot tell when its data changed (PostgreSQL, which other processes
//! write) reports no generation, and then nothing is kept.
//!
//! What the reply depends on beyond the store must be in the [`MemoKey`]:
//! the command, the server, the channel, the asker and their display name,
//! and the options as given. A handler that also depends on the time (a
//! week's board) must not keep its reply. This module knows nothing of
//! Discord nor of which commands use it.

use crate::reply::Reply;
use crate::request::{Action, Request};
use std::collections::HashMap;
use std::sync::Mutex;

/// How many replies are kept at most; past it, the stale ones go first,
/// then all. A leaderboard reply is about a kilobyte.
const MEMO_ENTRIES: usize = 4096;

/// Everything a kept reply depends on besides the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemoKey {
    command: &'static str,
    guild: Option<u64>,
    channel: Option<u64>,
    user: u64,
    display_name: String,
    options: Vec<(String, String)>,
}

impl MemoKey {
    /// The key of a command request (`None` for a button press or a
    /// command with subcommands, which nothing keeps).
    pub fn of(command: &'static str, request: &Request) -> Option<Self> {
        let Action::Command {
            name,
            subcommands,
            options,
        } = &request.action
        else {
            return None;
        };
        if name != command || !subcommands.is_empty() {
            return None;
        }
        Some(Self {
            command,
            guild: request.guild.map(|g| g.0),
            channel: request.channel.map(|c| c.0),
            user: request.user.0,
            display_name: request.display_name.clone(),
            options: options
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }
}

/// The kept replies, each with the store generation it was built at.
#[derive(Default)]
pub struct Memo {
    entries: Mutex<HashMap<MemoKey, (u64, Reply)>>,
}

impl Memo {
    /// The reply kept for `key`, if it was built at `generation` (the
    /// store's current one).
    pub fn get(&self, key: &MemoKey, generation: u64) -> Option<Reply> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((built_at, reply)) if *built_at == generation => Some(reply.clone()),
            _ => None,
        }
    }

    /// Keeps `reply`, built from what the store held at `generation`
    /// (read before the reply was built).
    pub fn put(&self, key: MemoKey, generation: u64, reply: Reply) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MEMO_ENTRIES && !entries.contains_key(&key) {
            entries.retain(|_, (built_at, _)| *built_at >= generation);
            if entries.len() >= MEMO_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (generation, reply));
    }

    /// How many replies are kept (stale ones included).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{ChannelId, GuildId, UserId};

    fn board(user: u64, name: &str, options: &[(&str, &str)]) -> Request {
        let mut request = Request::command("leaderboard", options, chrono::Utc::now());
        request.guild = Some(GuildId(7));
        request.channel = Some(ChannelId(8));
        request.user = UserId(user);
        request.display_name = name.to_string();
        request
    }

    #[test]
    fn a_reply_is_served_only_at_the_generation_it_was_built_at() {
        let memo = Memo::default();
        let key = MemoKey::of("leaderboard", &board(1, "Ada", &[])).unwrap();
        memo.put(key.clone(), 3, Reply::new("top 10"));
        assert_eq!(memo.get(&key, 3).map(|r| r.text), Some("top 10".into()));
        assert_eq!(memo.get(&key, 4), None);
    }

    #[test]
    fn the_key_holds_the_asker_their_name_and_the_options() {
        let key = |user, name, options| MemoKey::of("leaderboard", &board(user, name, options));
        let ada = key(1, "Ada", &[]);
        assert!(ada.is_some());
        assert_ne!(ada, key(2, "Ada", &[]));
        assert_ne!(ada, key(1, "Ada L.", &[]));
        assert_ne!(ada, key(1, "Ada", &[("scope", "server")]));
        // Another command, or a press, is not this command's key.
        assert_eq!(MemoKey::of("stats", &board(1, "Ada", &[])), None);
    }

    #[test]
    fn the_memo_is_bounded_and_drops_stale_replies_first() {
        let memo = Memo::default();
        for user in 0..MEMO_ENTRIES as u64 {
            let key = MemoKey::of("leaderboard", &board(user, "s", &[])).unwrap();
            memo.put(key, if user == 0 { 2 } else { 1 }, Reply::new("old"));
        }
        assert_eq!(memo.len(), MEMO_ENTRIES);
        let fresh = MemoKey::of("leaderboard", &board(u64::MAX, "s", &[])).unwrap();
        memo.put(fresh.clone(), 2, Reply::new("new"));
        // Only the generation-2 replies survive the bound.
        assert_eq!(memo.len(), 2);
        assert!(memo.get(&fresh, 2).is_some());
    }
}

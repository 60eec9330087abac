//! Which servers this process answers for when several bot processes share
//! one database. Discord puts a server on shard `(server id >> 22) % total`;
//! a process that runs shards `first..=last` of `total` owns exactly the
//! servers of those shards: it alone posts their daily question, runs their
//! competitions and notices when they remove the bot. Interactions need no
//! such rule: Discord sends each to the process holding its server's shard,
//! and the database records every answer once whoever records it.
//! Knows nothing of serenity; the formula is Discord's documented one.

use crate::request::GuildId;

/// A range of shards `first..=last` out of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSet {
    pub first: u32,
    pub last: u32,
    pub total: u32,
}

impl ShardSet {
    /// Parses `--shards A-B` (or a single `A`) with `--total-shards N`.
    pub fn parse(range: &str, total: u32) -> Result<Self, String> {
        let number = |s: &str| {
            s.trim()
                .parse::<u32>()
                .map_err(|_| format!("`{s}` is not a shard number"))
        };
        let (first, last) = match range.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => (number(range)?, number(range)?),
        };
        if total == 0 {
            return Err("--total-shards must be at least 1".into());
        }
        if first > last || last >= total {
            return Err(format!(
                "shards {first}-{last} are not within 0-{} (there are {total})",
                total - 1
            ));
        }
        Ok(Self { first, last, total })
    }

    /// The shard Discord puts a server on.
    pub fn shard_of(guild: GuildId, total: u32) -> u32 {
        ((guild.0 >> 22) % u64::from(total.max(1))) as u32
    }

    /// Whether this range holds the server's shard.
    pub fn owns(&self, guild: GuildId) -> bool {
        (self.first..=self.last).contains(&Self::shard_of(guild, self.total))
    }
}

impl std::fmt::Display for ShardSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{} of {}", self.first, self.last, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_split_between_shard_ranges_exactly_once() {
        let halves = [
            ShardSet::parse("0-1", 4).unwrap(),
            ShardSet::parse("2-3", 4).unwrap(),
        ];
        for id in [
            1_200_000_000_000_000_001u64,
            81_384_788_765_712_384,
            41_771_983_423_143_937,
            4_194_304 * 7,
        ] {
            let owners = halves.iter().filter(|h| h.owns(GuildId(id))).count();
            assert_eq!(owners, 1, "guild {id}");
        }
        // Discord's documented example: guild 81384788765712384 of 2 shards is on shard 0... (>>22 = 19403735... even)
        assert_eq!(ShardSet::shard_of(GuildId(81_384_788_765_712_384), 1), 0);
        assert_eq!(ShardSet::shard_of(GuildId(4_194_304 * 7), 4), 3);
        assert_eq!(
            ShardSet::parse("3", 4).unwrap(),
            ShardSet {
                first: 3,
                last: 3,
                total: 4
            }
        );
        assert!(ShardSet::parse("2-1", 4).is_err());
        assert!(ShardSet::parse("0-4", 4).is_err());
        assert!(ShardSet::parse("x", 4).is_err());
        assert!(ShardSet::parse("0", 0).is_err());
    }
}

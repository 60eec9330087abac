//! Team competitions: who plays in which team, and how teams score.
//!
//! A competition may be played in teams (`team_mode:`): class against class,
//! by role (a school's houses), or random balanced teams drawn when the
//! competition starts. A team's score in a round is the mean of its
//! members' points, so the bigger team does not win by being bigger; each
//! student's own points still count for them as in any competition. Pure
//! functions over plain values, randomness from the seeded generator the
//! caller passes in; nothing here knows Discord or the store, which keeps
//! the assignment these functions make.

use crate::quiz::{below, shuffled};
use crate::request::UserId;
use rand_chacha::ChaCha8Rng;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Team names of random teams, in order; more teams than names are numbered.
const COLOURS: [&str; 8] = [
    "Red", "Blue", "Green", "Yellow", "Purple", "Orange", "Silver", "Gold",
];

/// The fewest and most random teams a competition may draw.
pub const MIN_TEAMS: usize = 2;
pub const MAX_TEAMS: usize = 8;

/// How a competition's players are put in teams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamMode {
    /// Everyone for themselves (the default).
    Individual,
    /// Each player plays for their class.
    ByClass,
    /// Each player plays for the first of the given roles they hold (houses).
    ByRole,
    /// Random teams of (nearly) equal size, drawn at the start.
    Random { teams: usize },
}

/// Why a `team_mode` cannot be used as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeamError {
    #[error("`team_mode` is `class`, `role`, `random` or `none`.")]
    UnknownMode,
    #[error("Random teams number from {MIN_TEAMS} to {MAX_TEAMS}.")]
    TeamCount,
    #[error("A team competition needs at least two teams: {0}")]
    TooFewTeams(&'static str),
}

/// Reads `team_mode` ("class", "role"/"house", "random", "none") and the
/// number of random teams (2 when not given).
pub fn parse_mode(text: Option<&str>, teams: Option<usize>) -> Result<TeamMode, TeamError> {
    let mode = text.map(|t| t.trim().to_lowercase()).unwrap_or_default();
    match mode.as_str() {
        "" | "none" | "individual" | "off" => Ok(TeamMode::Individual),
        "class" | "classes" | "by class" => Ok(TeamMode::ByClass),
        "role" | "roles" | "house" | "houses" | "by role" => Ok(TeamMode::ByRole),
        "random" => {
            let teams = teams.unwrap_or(MIN_TEAMS);
            if (MIN_TEAMS..=MAX_TEAMS).contains(&teams) {
                Ok(TeamMode::Random { teams })
            } else {
                Err(TeamError::TeamCount)
            }
        }
        _ => Err(TeamError::UnknownMode),
    }
}

/// One team: what it is called, what it stands for (a class id or a role
/// id; the random team's number), and its members in the order added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub number: usize,
    pub name: String,
    /// The class or role the team is; `None` for a random team.
    pub key: Option<i64>,
    pub members: Vec<UserId>,
}

/// Which team each player is in. Kept with the competition so a restart
/// plays on with the same teams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment {
    pub teams: Vec<Team>,
}

impl Assignment {
    /// The team a player is in.
    pub fn team_of(&self, user: UserId) -> Option<&Team> {
        self.teams.iter().find(|t| t.members.contains(&user))
    }

    /// Puts a player who was not there when the teams were drawn into the
    /// smallest team (the first of equals), so random teams stay balanced.
    /// Returns the team's number; a player already in a team stays there.
    pub fn add_late(&mut self, user: UserId) -> Option<usize> {
        if let Some(team) = self.team_of(user) {
            return Some(team.number);
        }
        let team = self.teams.iter_mut().min_by_key(|t| t.members.len())?;
        team.members.push(user);
        Some(team.number)
    }

    /// Puts a player in the team standing for `key` (their class or house),
    /// if there is one. Returns the team's number.
    pub fn add_to(&mut self, user: UserId, key: i64) -> Option<usize> {
        if let Some(team) = self.team_of(user) {
            return Some(team.number);
        }
        let team = self.teams.iter_mut().find(|t| t.key == Some(key))?;
        team.members.push(user);
        Some(team.number)
    }
}

/// Teams by class: one team per class (`classes`: id and name, in display
/// order); a player in several classes plays for the first of them that
/// has a team; players in none sit out as a team (they still score for
/// themselves). `players`: each player and their class ids.
pub fn by_class(
    classes: &[(i64, String)],
    players: &[(UserId, Vec<i64>)],
) -> Result<Assignment, TeamError> {
    keyed(classes, players, "this server needs two classes.")
}

/// Teams by role (houses): `houses` are the roles that make teams, with
/// their names, in display order; each player plays for the first house
/// role they hold. `players`: each player and their roles.
pub fn by_role(
    houses: &[(u64, String)],
    players: &[(UserId, Vec<u64>)],
) -> Result<Assignment, TeamError> {
    let houses: Vec<(i64, String)> = houses
        .iter()
        .map(|(role, name)| (*role as i64, name.clone()))
        .collect();
    let players: Vec<(UserId, Vec<i64>)> = players
        .iter()
        .map(|(user, roles)| (*user, roles.iter().map(|r| *r as i64).collect()))
        .collect();
    keyed(&houses, &players, "name at least two house roles.")
}

fn keyed(
    groups: &[(i64, String)],
    players: &[(UserId, Vec<i64>)],
    too_few: &'static str,
) -> Result<Assignment, TeamError> {
    let mut seen = BTreeSet::new();
    let groups: Vec<&(i64, String)> = groups.iter().filter(|(k, _)| seen.insert(*k)).collect();
    if groups.len() < MIN_TEAMS {
        return Err(TeamError::TooFewTeams(too_few));
    }
    let mut assignment = Assignment {
        teams: groups
            .iter()
            .enumerate()
            .map(|(i, (key, name))| Team {
                number: i + 1,
                name: name.clone(),
                key: Some(*key),
                members: Vec::new(),
            })
            .collect(),
    };
    for (user, keys) in players {
        if let Some(key) = groups.iter().map(|(k, _)| *k).find(|k| keys.contains(k)) {
            assignment.add_to(*user, key);
        }
    }
    Ok(assignment)
}

/// Random balanced teams: the players shuffled with `rng` and dealt out in
/// turn, so sizes differ by at most one; which team gets the extra player
/// is drawn too. Teams are named by colour.
pub fn random(
    players: &[UserId],
    teams: usize,
    rng: &mut ChaCha8Rng,
) -> Result<Assignment, TeamError> {
    if !(MIN_TEAMS..=MAX_TEAMS).contains(&teams) {
        return Err(TeamError::TeamCount);
    }
    // Sorted first, so the draw depends on who plays, not on the order the
    // caller listed them in.
    let mut pool: Vec<UserId> = players.to_vec();
    pool.sort_unstable();
    pool.dedup();
    let order = shuffled(pool.len(), rng);
    let first = below(rng, teams);
    let mut assignment = Assignment {
        teams: (0..teams)
            .map(|i| Team {
                number: i + 1,
                name: COLOURS
                    .get(i)
                    .map_or_else(|| format!("Team {}", i + 1), |c| c.to_string()),
                key: None,
                members: Vec::new(),
            })
            .collect(),
    };
    for (i, index) in order.into_iter().enumerate() {
        assignment.teams[(first + i) % teams]
            .members
            .push(pool[index]);
    }
    Ok(assignment)
}

/// A team's score: its members' points added up and shared among all its
/// members, those who did not answer included, so a team of 12 and a team
/// of 30 are compared fairly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamScore {
    pub rank: u64,
    pub number: usize,
    pub name: String,
    pub members: u64,
    pub points: i64,
}

impl TeamScore {
    /// The mean of the members' points (0 for an empty team).
    pub fn mean(&self) -> f64 {
        if self.members == 0 {
            0.0
        } else {
            self.points as f64 / self.members as f64
        }
    }

    /// The mean as shown: one decimal, none when it is whole ("12.5", "10").
    pub fn mean_text(&self) -> String {
        let tenths = (self.mean() * 10.0).round() as i64;
        if tenths % 10 == 0 {
            format!("{}", tenths / 10)
        } else {
            format!("{:.1}", tenths as f64 / 10.0)
        }
    }
}

/// Compares two teams' means exactly; an empty team lowest.
fn by_mean(a: &TeamScore, b: &TeamScore) -> Ordering {
    match (a.members, b.members) {
        (0, 0) => Ordering::Equal,
        (0, _) => Ordering::Less,
        (_, 0) => Ordering::Greater,
        _ => (i128::from(a.points) * i128::from(b.members))
            .cmp(&(i128::from(b.points) * i128::from(a.members))),
    }
}

/// The teams ranked by the mean of their members' points (`points`: each
/// student's points in a round, or over the whole competition: the mean of
/// the sums is the sum of the round means). Points of players in no team
/// are left out. Equal means share a rank and keep the teams' order.
pub fn scores(assignment: &Assignment, points: &[(UserId, i64)]) -> Vec<TeamScore> {
    let mut by_user: BTreeMap<UserId, i64> = BTreeMap::new();
    for (user, p) in points {
        *by_user.entry(*user).or_default() += p;
    }
    let mut scores: Vec<TeamScore> = assignment
        .teams
        .iter()
        .map(|team| TeamScore {
            rank: 0,
            number: team.number,
            name: team.name.clone(),
            members: team.members.len() as u64,
            points: team.members.iter().filter_map(|m| by_user.get(m)).sum(),
        })
        .collect();
    scores.sort_by(|a, b| by_mean(b, a).then(a.number.cmp(&b.number)));
    for i in 0..scores.len() {
        scores[i].rank = if i > 0 && by_mean(&scores[i - 1], &scores[i]) == Ordering::Equal {
            scores[i - 1].rank
        } else {
            i as u64 + 1
        };
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::rng;

    fn users(ids: std::ops::Range<u64>) -> Vec<UserId> {
        ids.map(UserId).collect()
    }

    #[test]
    fn modes_read_as_teachers_write_them() {
        assert_eq!(parse_mode(None, None), Ok(TeamMode::Individual));
        assert_eq!(parse_mode(Some(" Class "), None), Ok(TeamMode::ByClass));
        assert_eq!(parse_mode(Some("houses"), None), Ok(TeamMode::ByRole));
        assert_eq!(
            parse_mode(Some("random"), None),
            Ok(TeamMode::Random { teams: 2 })
        );
        assert_eq!(
            parse_mode(Some("random"), Some(4)),
            Ok(TeamMode::Random { teams: 4 })
        );
        assert_eq!(
            parse_mode(Some("random"), Some(9)).unwrap_err().to_string(),
            "Random teams number from 2 to 8."
        );
        assert_eq!(
            parse_mode(Some("pairs"), None).unwrap_err().to_string(),
            "`team_mode` is `class`, `role`, `random` or `none`."
        );
    }

    #[test]
    fn random_teams_are_balanced_reproducible_and_cover_everyone() {
        let players = users(1..12);
        let a = random(&players, 3, &mut rng(&[42])).unwrap();
        let sizes: Vec<usize> = a.teams.iter().map(|t| t.members.len()).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 11);
        assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
        assert_eq!(
            a.teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["Red", "Blue", "Green"]
        );
        for p in &players {
            assert!(a.team_of(*p).is_some(), "{p} has a team");
        }
        // The same seed and players draw the same teams, whatever the order
        // the players were listed in; another seed draws other teams.
        let mut reversed = players.clone();
        reversed.reverse();
        assert_eq!(random(&reversed, 3, &mut rng(&[42])).unwrap(), a);
        assert_ne!(random(&players, 3, &mut rng(&[43])).unwrap(), a);
        assert_eq!(
            random(&players, 1, &mut rng(&[1])),
            Err(TeamError::TeamCount)
        );
        // A player who comes late joins the smallest team.
        let mut late = a.clone();
        let smallest = late
            .teams
            .iter()
            .min_by_key(|t| t.members.len())
            .unwrap()
            .number;
        assert_eq!(late.add_late(UserId(99)), Some(smallest));
        assert_eq!(late.add_late(UserId(99)), Some(smallest), "stays put");
        let sizes: Vec<usize> = late.teams.iter().map(|t| t.members.len()).collect();
        assert!(sizes.iter().all(|&s| s == 4), "{sizes:?}");
        let eight = random(&users(1..40), MAX_TEAMS, &mut rng(&[5])).unwrap();
        assert_eq!(eight.teams[7].name, "Gold");
    }

    #[test]
    fn class_and_house_teams_follow_membership() {
        let classes = vec![(10, "10A".to_string()), (20, "10B".to_string())];
        let players = vec![
            (UserId(1), vec![10]),
            (UserId(2), vec![20]),
            (UserId(3), vec![20, 10]), // in both: plays for the first listed class
            (UserId(4), vec![]),       // in no class: no team
        ];
        let a = by_class(&classes, &players).unwrap();
        assert_eq!(a.teams[0].members, [UserId(1), UserId(3)]);
        assert_eq!(a.teams[1].members, [UserId(2)]);
        assert!(a.team_of(UserId(4)).is_none());
        assert_eq!(
            by_class(&classes[..1], &players).unwrap_err().to_string(),
            "A team competition needs at least two teams: this server needs two classes."
        );
        let houses = vec![
            (700, "Gryphon".to_string()),
            (701, "Otter".to_string()),
            (702, "Heron".to_string()),
        ];
        let a = by_role(
            &houses,
            &[(UserId(1), vec![5, 701]), (UserId(2), vec![702, 700])],
        )
        .unwrap();
        assert_eq!(a.team_of(UserId(1)).unwrap().name, "Otter");
        assert_eq!(a.team_of(UserId(2)).unwrap().name, "Gryphon");
        assert!(a.teams[2].members.is_empty());
        let mut a = a;
        assert_eq!(a.add_to(UserId(3), 702), Some(3), "a late Heron");
        assert_eq!(a.add_to(UserId(4), 999), None, "no such house");
    }

    #[test]
    fn a_team_scores_the_mean_of_its_members_points() {
        let assignment = Assignment {
            teams: vec![
                Team {
                    number: 1,
                    name: "Big".into(),
                    key: None,
                    members: users(1..5), // 4 members
                },
                Team {
                    number: 2,
                    name: "Small".into(),
                    key: None,
                    members: users(5..7), // 2 members
                },
                Team {
                    number: 3,
                    name: "Empty".into(),
                    key: None,
                    members: Vec::new(),
                },
            ],
        };
        // The big team scores more in total (60) but less per member (15)
        // than the small one (40 over 2 = 20); member 4 did not answer and
        // counts as 0; player 99 is in no team and is left out.
        let round = [
            (UserId(1), 20),
            (UserId(2), 20),
            (UserId(3), 20),
            (UserId(5), 30),
            (UserId(6), 10),
            (UserId(99), 500),
        ];
        let s = scores(&assignment, &round);
        assert_eq!(
            s.iter()
                .map(|t| (t.rank, t.name.as_str(), t.points, t.members))
                .collect::<Vec<_>>(),
            [(1, "Small", 40, 2), (2, "Big", 60, 4), (3, "Empty", 0, 0)]
        );
        assert_eq!(s[0].mean_text(), "20");
        assert_eq!(s[1].mean_text(), "15");
        // Rounds add up: a student's points over rounds are summed first.
        let two_rounds = [(UserId(1), 5), (UserId(1), 6), (UserId(5), 11)];
        let s = scores(&assignment, &two_rounds);
        assert_eq!(
            (s[0].name.as_str(), s[0].mean_text()),
            ("Small", "5.5".into())
        );
        assert_eq!(s[1].mean_text(), "2.8", "11 over 4, shown to one decimal");
        // Equal means share a rank, the first team first.
        let even = scores(&assignment, &[(UserId(1), 40), (UserId(5), 20)]);
        assert_eq!((even[0].rank, even[0].name.as_str()), (1, "Big"));
        assert_eq!((even[1].rank, even[1].name.as_str()), (1, "Small"));
        assert_eq!(even[2].rank, 3);
    }
}

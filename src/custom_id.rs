//! Custom ids: the small, versioned strings a button carries back to us.
//!
//! Every custom id is built and decoded here and nowhere else. Each starts
//! with a short tag and a version (`ex1:`), so an old button still decodes
//! after an upgrade, or is refused clearly. Discord caps custom ids at 100
//! characters; [`CustomId::encode`] output always fits (ids are at most 64
//! characters and pack ids at most 30).

use crate::error::Error;

pub const MAX_LEN: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomId {
    /// Open an entry: "see also" and "did you mean" buttons.
    Explain { pack: String, entry: String },
    /// A page of a date lookup. The resolved period is encoded (not the
    /// text typed), so "today" still means the same day when pressed later.
    Date { period: DatePeriod, page: usize },
    /// A choice button of a question instance: the option at this display position.
    Choice { instance: i64, position: usize },
    /// The button that asks for a typed answer to a question instance.
    TypedAnswer { instance: i64 },
    /// A choice button of a competition round.
    CompetitionChoice {
        competition: i64,
        round: u32,
        position: usize,
    },
    /// The button of a competition round that asks for a typed answer.
    CompetitionTyped { competition: i64, round: u32 },
    /// "Report a problem" under a question instance (opens a text input).
    ReportProblem { instance: i64 },
    /// Disabling a reported question, valid only for the teacher who listed it.
    DisableQuestion { report: i64, teacher: u64 },
    /// The confirmation of `/privacy delete-me`, valid only for its user.
    DeleteMyData { user: u64 },
    /// The confirmation of `/season end`, valid only for the teacher who asked.
    EndSeason { season: i64, teacher: u64 },
    /// The confirmation of `/season end class:`, valid only for the
    /// teacher who asked (class seasons are numbered apart from the server's).
    EndClassSeason {
        class: i64,
        season: i64,
        teacher: u64,
    },
    /// The confirmation of `/pack remove`, valid only for the teacher who asked.
    RemovePack { pack: String, teacher: u64 },
    /// The confirmation of `/class remove`, valid only for the teacher who asked.
    RemoveClass { class: i64, teacher: u64 },
    /// Accepting an answer marked wrong (`/score accept`), valid only for
    /// the teacher who listed it.
    AcceptAnswer { answer: i64, teacher: u64 },
    /// A page of the timeline: optional bounds (ISO) and tag.
    Timeline {
        from: Option<String>,
        to: Option<String>,
        tag: Option<String>,
        page: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatePeriod {
    /// A period in content-file ISO form ("1936/1938", "1934-12-01").
    When(String),
    /// Events on this month and day in any year.
    OnThisDay { month: u32, day: u32 },
}

impl CustomId {
    pub fn encode(&self) -> String {
        match self {
            CustomId::Explain { pack, entry } => format!("ex1:{pack}/{entry}"),
            CustomId::Date {
                period: DatePeriod::When(iso),
                page,
            } => format!("dt1:{iso}:{page}"),
            CustomId::Date {
                period: DatePeriod::OnThisDay { month, day },
                page,
            } => format!("dt1:otd-{month:02}-{day:02}:{page}"),
            CustomId::Choice { instance, position } => format!("q1:{instance}:{position}"),
            CustomId::TypedAnswer { instance } => format!("qa1:{instance}"),
            CustomId::EndSeason { season, teacher } => format!("se1:{season}:{teacher}"),
            CustomId::RemoveClass { class, teacher } => format!("cr1:{class}:{teacher}"),
            CustomId::EndClassSeason {
                class,
                season,
                teacher,
            } => format!("cs1:{class}:{season}:{teacher}"),
            CustomId::DeleteMyData { user } => format!("pv1:{user}"),
            CustomId::RemovePack { pack, teacher } => format!("pk1:{teacher}:{pack}"),
            CustomId::AcceptAnswer { answer, teacher } => format!("sa1:{answer}:{teacher}"),
            CustomId::ReportProblem { instance } => format!("rp1:{instance}"),
            CustomId::DisableQuestion { report, teacher } => format!("dq1:{report}:{teacher}"),
            CustomId::CompetitionChoice {
                competition,
                round,
                position,
            } => format!("cq1:{competition}:{round}:{position}"),
            CustomId::CompetitionTyped { competition, round } => {
                format!("cqa1:{competition}:{round}")
            }
            CustomId::Timeline {
                from,
                to,
                tag,
                page,
            } => format!(
                "tl1:{}:{}:{}:{page}",
                from.as_deref().unwrap_or(""),
                to.as_deref().unwrap_or(""),
                tag.as_deref().unwrap_or("")
            ),
        }
    }

    /// The teacher a button doing a teacher's action was issued to, or
    /// `None` for a button any student may press. The match names every
    /// variant on purpose: a new button cannot be added without saying which
    /// kind it is, so the teacher guard in `handlers` covers it.
    pub fn teacher_action(&self) -> Option<u64> {
        match self {
            CustomId::DisableQuestion { teacher, .. }
            | CustomId::EndSeason { teacher, .. }
            | CustomId::EndClassSeason { teacher, .. }
            | CustomId::RemoveClass { teacher, .. }
            | CustomId::RemovePack { teacher, .. }
            | CustomId::AcceptAnswer { teacher, .. } => Some(*teacher),
            CustomId::Explain { .. }
            | CustomId::Date { .. }
            | CustomId::Choice { .. }
            | CustomId::TypedAnswer { .. }
            | CustomId::CompetitionChoice { .. }
            | CustomId::CompetitionTyped { .. }
            | CustomId::ReportProblem { .. }
            | CustomId::DeleteMyData { .. }
            | CustomId::Timeline { .. } => None,
        }
    }

    /// Whether pressing it only pages or opens content (no store writes):
    /// the Discord edge answers it in place.
    pub fn is_lookup(&self) -> bool {
        matches!(
            self,
            CustomId::Explain { .. } | CustomId::Date { .. } | CustomId::Timeline { .. }
        )
    }

    /// Whether pressing it opens a text input first (a typed answer, a
    /// problem report).
    pub fn opens_input(&self) -> bool {
        matches!(
            self,
            CustomId::TypedAnswer { .. }
                | CustomId::CompetitionTyped { .. }
                | CustomId::ReportProblem { .. }
        )
    }

    pub fn decode(text: &str) -> Result<Self, Error> {
        let bad = || {
            Error::user("That button is not one studybot understands (it may come from an older version). Run the command again.")
        };
        if text.len() > MAX_LEN {
            return Err(bad());
        }
        let (tag, rest) = text.split_once(':').ok_or_else(bad)?;
        match tag {
            "ex1" => {
                let (pack, entry) = rest.split_once('/').ok_or_else(bad)?;
                if pack.is_empty() || entry.is_empty() {
                    return Err(bad());
                }
                Ok(CustomId::Explain {
                    pack: pack.to_string(),
                    entry: entry.to_string(),
                })
            }
            "dt1" => {
                let (period, page) = rest.rsplit_once(':').ok_or_else(bad)?;
                let page = page.parse().map_err(|_| bad())?;
                let period = match period.strip_prefix("otd-") {
                    Some(md) => {
                        let (m, d) = md.split_once('-').ok_or_else(bad)?;
                        DatePeriod::OnThisDay {
                            month: m.parse().map_err(|_| bad())?,
                            day: d.parse().map_err(|_| bad())?,
                        }
                    }
                    None => {
                        crate::dates::When::parse_iso(period).map_err(|_| bad())?;
                        DatePeriod::When(period.to_string())
                    }
                };
                Ok(CustomId::Date { period, page })
            }
            "q1" => {
                let (instance, position) = rest.split_once(':').ok_or_else(bad)?;
                Ok(CustomId::Choice {
                    instance: instance.parse().map_err(|_| bad())?,
                    position: position.parse().map_err(|_| bad())?,
                })
            }
            "pk1" => {
                let (teacher, pack) = rest.split_once(':').ok_or_else(bad)?;
                if pack.is_empty() {
                    return Err(bad());
                }
                Ok(CustomId::RemovePack {
                    pack: pack.to_string(),
                    teacher: teacher.parse().map_err(|_| bad())?,
                })
            }
            "sa1" => {
                let (answer, teacher) = rest.split_once(':').ok_or_else(bad)?;
                Ok(CustomId::AcceptAnswer {
                    answer: answer.parse().map_err(|_| bad())?,
                    teacher: teacher.parse().map_err(|_| bad())?,
                })
            }
            "se1" => {
                let (season, teacher) = rest.split_once(':').ok_or_else(bad)?;
                Ok(CustomId::EndSeason {
                    season: season.parse().map_err(|_| bad())?,
                    teacher: teacher.parse().map_err(|_| bad())?,
                })
            }
            "cs1" => {
                let parts: Vec<&str> = rest.split(':').collect();
                let [class, season, teacher] = parts.as_slice() else {
                    return Err(bad());
                };
                Ok(CustomId::EndClassSeason {
                    class: class.parse().map_err(|_| bad())?,
                    season: season.parse().map_err(|_| bad())?,
                    teacher: teacher.parse().map_err(|_| bad())?,
                })
            }
            "cr1" => {
                let (class, teacher) = rest.split_once(':').ok_or_else(bad)?;
                Ok(CustomId::RemoveClass {
                    class: class.parse().map_err(|_| bad())?,
                    teacher: teacher.parse().map_err(|_| bad())?,
                })
            }
            "cq1" => {
                let parts: Vec<&str> = rest.split(':').collect();
                let [competition, round, position] = parts.as_slice() else {
                    return Err(bad());
                };
                Ok(CustomId::CompetitionChoice {
                    competition: competition.parse().map_err(|_| bad())?,
                    round: round.parse().map_err(|_| bad())?,
                    position: position.parse().map_err(|_| bad())?,
                })
            }
            "cqa1" => {
                let (competition, round) = rest.split_once(':').ok_or_else(bad)?;
                Ok(CustomId::CompetitionTyped {
                    competition: competition.parse().map_err(|_| bad())?,
                    round: round.parse().map_err(|_| bad())?,
                })
            }
            "rp1" => Ok(CustomId::ReportProblem {
                instance: rest.parse().map_err(|_| bad())?,
            }),
            "dq1" => {
                let (report, teacher) = rest.split_once(':').ok_or_else(bad)?;
                Ok(CustomId::DisableQuestion {
                    report: report.parse().map_err(|_| bad())?,
                    teacher: teacher.parse().map_err(|_| bad())?,
                })
            }
            "pv1" => Ok(CustomId::DeleteMyData {
                user: rest.parse().map_err(|_| bad())?,
            }),
            "qa1" => Ok(CustomId::TypedAnswer {
                instance: rest.parse().map_err(|_| bad())?,
            }),
            "tl1" => {
                let parts: Vec<&str> = rest.split(':').collect();
                let [from, to, tag, page] = parts.as_slice() else {
                    return Err(bad());
                };
                let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
                Ok(CustomId::Timeline {
                    from: opt(from),
                    to: opt(to),
                    tag: opt(tag),
                    page: page.parse().map_err(|_| bad())?,
                })
            }
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let id = CustomId::Explain {
            pack: "great-purge".into(),
            entry: "order-00447".into(),
        };
        assert_eq!(id.encode(), "ex1:great-purge/order-00447");
        assert_eq!(CustomId::decode(&id.encode()).unwrap(), id);
        for id in [
            CustomId::Date {
                period: DatePeriod::When("1936-08-19/1936-08-24".into()),
                page: 2,
            },
            CustomId::Date {
                period: DatePeriod::OnThisDay { month: 12, day: 1 },
                page: 0,
            },
            CustomId::Choice {
                instance: 123_456,
                position: 3,
            },
            CustomId::TypedAnswer { instance: 9 },
            CustomId::DeleteMyData { user: u64::MAX },
            CustomId::ReportProblem { instance: 77 },
            CustomId::DisableQuestion {
                report: 3,
                teacher: u64::MAX,
            },
            CustomId::CompetitionChoice {
                competition: i64::MAX,
                round: 20,
                position: 3,
            },
            CustomId::CompetitionTyped {
                competition: 4,
                round: 1,
            },
            CustomId::EndSeason {
                season: 3,
                teacher: u64::MAX,
            },
            CustomId::RemoveClass {
                class: i64::MAX,
                teacher: u64::MAX,
            },
            CustomId::EndClassSeason {
                class: i64::MAX,
                season: i64::MAX,
                teacher: u64::MAX,
            },
            CustomId::RemovePack {
                pack: "a".repeat(30),
                teacher: u64::MAX,
            },
            CustomId::AcceptAnswer {
                answer: i64::MAX,
                teacher: u64::MAX,
            },
            CustomId::Timeline {
                from: Some("1936".into()),
                to: None,
                tag: Some("trials".into()),
                page: 1,
            },
        ] {
            assert_eq!(CustomId::decode(&id.encode()).unwrap(), id);
            assert!(id.encode().len() <= MAX_LEN);
        }
        for bad in [
            "",
            "ex1",
            "ex1:",
            "ex1:/x",
            "zz9:a/b",
            "ex1:nopack",
            "dt1:1937-02-31:0",
            "dt1:1937:x",
            "tl1:a:b:0",
            "cq1:1:2",
            "cq1:1:x:0",
            "cqa1:7",
            "pk1:12:",
            "pk1:x:pack",
            "sa1:1",
            "sa1:x:2",
            "cr1:7",
            "cr1:x:1",
        ] {
            assert!(
                matches!(CustomId::decode(bad), Err(Error::User(_))),
                "{bad}"
            );
        }
    }
}

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
}

impl CustomId {
    pub fn encode(&self) -> String {
        match self {
            CustomId::Explain { pack, entry } => format!("ex1:{pack}/{entry}"),
        }
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
        for bad in ["", "ex1", "ex1:", "ex1:/x", "zz9:a/b", "ex1:nopack"] {
            assert!(
                matches!(CustomId::decode(bad), Err(Error::User(_))),
                "{bad}"
            );
        }
    }
}

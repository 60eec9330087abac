//! The packs built into the binary: every folder of the repository's
//! `content/` with a `pack.toml`, embedded by `build.rs`, so the bot runs
//! from any folder and `cargo install --path .` gives a working bot.
//!
//! Owns how the bundled packs and the packs on disk combine: the packs under
//! the configured folders load first, then each bundled pack whose id none
//! of them has (a folder with a bundled pack's id replaces it, e.g. an
//! author's working copy of `content/`). Knows nothing of the pack format
//! (that is `load.rs` and `validate.rs`), search, the store or Discord.

use super::load::{load_pack_files, load_paths, LoadReport};
use std::path::PathBuf;

/// One bundled pack: its id (read from its `pack.toml` at build time) and
/// its `.toml` files, each with its path in the repository.
pub struct BundledPack {
    pub id: &'static str,
    pub files: &'static [(&'static str, &'static str)],
}

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// What the bot serves: the packs under `folders` (files on disk), then the
/// bundled packs that no pack under `folders` replaces.
pub fn load_with_bundled(folders: &[PathBuf]) -> LoadReport {
    let mut report = load_paths(folders);
    for pack in BUNDLED {
        if report.content.pack(pack.id).is_none() {
            load_pack_files(pack.files, &mut report);
        }
    }
    report
}

/// The bundled packs alone, as built into this binary.
pub fn load_bundled() -> LoadReport {
    load_with_bundled(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_packs_load_with_the_ids_build_rs_read() {
        assert!(!BUNDLED.is_empty(), "content/ has at least one pack");
        let (content, warnings) = load_bundled().into_result().expect("bundled packs load");
        assert_eq!(warnings.len(), 0, "{warnings:?}");
        let loaded: Vec<&str> = content.packs.iter().map(|p| p.id.as_str()).collect();
        let built: Vec<&str> = BUNDLED.iter().map(|p| p.id).collect();
        assert_eq!(loaded, built);
        // Paths are the repository's, for diagnostics and `check`.
        assert!(BUNDLED[0]
            .files
            .iter()
            .any(|(path, _)| *path == "content/great-purge/pack.toml"));
    }

    #[test]
    fn a_folder_with_a_bundled_packs_id_replaces_it_and_others_add() {
        let dir = tempfile::tempdir().unwrap();
        let id = BUNDLED[0].id;
        let pack = |id: &str, title: &str| {
            format!(
                "[pack]\nid = \"{id}\"\ntitle = \"{title}\"\ndescription = \"D\"\n\n[[sources]]\nid = \"s\"\nkind = \"book\"\ntitle = \"S\"\n\n[[questions]]\nid = \"q\"\nkind = \"true_false\"\ndifficulty = \"easy\"\nprompt = \"P\"\nanswer = true\nexplanation = \"E\"\nsources = [\"s\"]\n"
            )
        };
        std::fs::write(dir.path().join("mine.toml"), pack(id, "Replacement")).unwrap();
        std::fs::write(dir.path().join("extra.toml"), pack("extra", "Extra")).unwrap();
        let (content, _) = load_with_bundled(&[dir.path().to_path_buf()])
            .into_result()
            .unwrap();
        let titles: Vec<(&str, &str)> = content
            .packs
            .iter()
            .map(|p| (p.id.as_str(), p.title.as_str()))
            .collect();
        assert_eq!(titles, [("extra", "Extra"), (id, "Replacement")]);

        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join("extra.toml"), pack("extra", "Extra")).unwrap();
        let (content, _) = load_with_bundled(&[other.path().to_path_buf()])
            .into_result()
            .unwrap();
        let ids: Vec<&str> = content.packs.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["extra", id]);
    }
}

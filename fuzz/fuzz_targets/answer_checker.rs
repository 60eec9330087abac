//! Any typed answer against any accepted answers: normalising and checking
//! never panic, and an accepted answer always matches itself.
#![no_main]
use libfuzzer_sys::fuzz_target;
use studybot::quiz::check;
use studybot::text::SpellingFolder;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (guess, accepted) = text.split_once('\u{0}').unwrap_or((text, text));
    let folder = SpellingFolder::new(&[
        vec!["yezh".to_string(), "ezh".to_string()],
        vec!["shch".to_string(), "sch".to_string()],
    ]);
    let _ = studybot::text::normalize(guess);
    let _ = check::parse_number(guess);
    let _ = check::judge_number(guess, 1937.0, 0.5, "In which year?");
    let accepted = vec![accepted.to_string()];
    // The guess is also a rival and the question's wording: whatever it
    // holds, judging must not panic.
    let rivals = vec![guess.to_string()];
    let _ = check::judge_text(
        guess,
        &check::TextAnswer {
            accepted: &accepted,
            rivals: &rivals,
            context: guess,
        },
        &folder,
    );
    let alone = check::TextAnswer {
        accepted: &accepted,
        rivals: &[],
        context: "",
    };
    if !folder.key(&accepted[0]).is_empty() {
        assert!(check::judge_text(&accepted[0], &alone, &folder).correct);
    }
});

//! Any button custom id: decoded or refused, never a panic; whatever decodes
//! encodes back to an id that decodes to the same thing and fits Discord.
#![no_main]
use libfuzzer_sys::fuzz_target;
use studybot::custom_id::{CustomId, MAX_LEN};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = CustomId::decode(text) {
        let again = id.encode();
        assert!(again.len() <= MAX_LEN, "{again}");
        assert_eq!(CustomId::decode(&again).ok(), Some(id));
    }
});

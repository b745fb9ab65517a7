//! Share-link decoding. The first byte picks what the rest is: the text of a link (anything a
//! person could paste or a stranger could send), or the JSON payload inside one, packed here as
//! `share::encode` packs it so the fuzzer reaches the payload's reading. A session that opens
//! must survive a round trip and its options must convert.
#![no_main]

use base64::Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let link = if mode % 2 == 0 {
        statelab_fuzz::text(rest)
    } else {
        let packed = miniz_oxide::deflate::compress_to_vec(rest, 6);
        format!("#s=1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed))
    };
    let Ok(session) = statelab::share::decode(&link) else { return };
    let _ = session.options.to_options();
    let again = statelab::share::decode(&statelab::share::link("http://x/", &session));
    assert_eq!(again.as_ref().ok(), Some(&session), "a decoded session does not survive a round trip");
});

//! The `retrieve` reply parser (and the other storage reply parsers) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_swarm::{
    parse_batch_reply, parse_delete_reply, parse_expire_reply, parse_retrieve_reply,
    parse_store_reply, MAX_STORE_DATA_LEN,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(reply) = parse_retrieve_reply(data) {
        for message in &reply.messages {
            assert!(message.data.len() <= MAX_STORE_DATA_LEN);
            assert_eq!(message.hash.as_str().len(), 43);
        }
    }
    let _ = parse_store_reply(data);
    let _ = parse_delete_reply(data);
    let _ = parse_expire_reply(data);
    let _ = parse_batch_reply(data);
});

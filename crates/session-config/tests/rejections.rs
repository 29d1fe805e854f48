//! Every rejection of §11.2, the parser's deliberate leniencies, and the object-level
//! behaviours that differ from libsession on purpose.
#![allow(clippy::unwrap_used)]

use session_bencode::Error as Bt;
use session_config::{
    encrypt, merge, message_hash, pad, ConfigMessage, EditError, GroupKind, GroupSigning,
    MergeSource, ParseError, PushError, Redundancy, SyncState, UserKind, Value,
};
use session_config::{Config, UserProfile};
use session_identity::{Identity, Seed};

fn parse(bytes: &[u8]) -> Result<ConfigMessage, ParseError> {
    ConfigMessage::parse(bytes, None)
}

fn account(byte: u8) -> Identity {
    Identity::from_seed(Seed::from_full_bytes([byte; 32]))
}

const H: [u8; 32] = [0x11; 32];

fn row(seqno: i64, hash: &[u8], diff: &[u8]) -> Vec<u8> {
    [
        format!("li{seqno}e{}:", hash.len()).as_bytes(),
        hash,
        diff,
        b"e",
    ]
    .concat()
}

fn message_with_lagged(seqno: i64, rows: &[Vec<u8>]) -> Vec<u8> {
    [
        format!("d1:#i{seqno}e1:&de1:<l").as_bytes(),
        &rows.concat(),
        b"e1:=dee",
    ]
    .concat()
}

#[test]
fn structure() {
    assert!(matches!(parse(b"x"), Err(ParseError::Encoding(_))));
    assert!(matches!(
        parse(b"d1:#i1e"),
        Err(ParseError::Encoding(Bt::UnexpectedEnd { .. }))
    ));
    assert_eq!(
        parse(b"d1:!i1e1:#i0e1:&de1:=dee"),
        Err(ParseError::FutureFormat { at: 1 })
    );
    assert_eq!(
        parse(b"d1:&de1:=dee"),
        Err(ParseError::MissingSeqno { at: 1 })
    );
    assert_eq!(parse(b"de"), Err(ParseError::MissingSeqno { at: 1 }));
    assert!(matches!(
        parse(b"d1:#1:x1:&de1:=dee"),
        Err(ParseError::Encoding(Bt::WrongKind { .. }))
    ));
    assert_eq!(
        parse(b"d1:#i0e1:=dee"),
        Err(ParseError::MissingData { at: 7 })
    );
    assert!(matches!(
        parse(b"d1:#i0e1:&le1:=dee"),
        Err(ParseError::Encoding(Bt::WrongKind { .. }))
    ));
    assert!(matches!(
        parse(b"d1:#i0e1:&de1:&de1:=dee"),
        Err(ParseError::Encoding(Bt::DuplicateKey { .. }))
    ));
    assert!(matches!(
        parse(b"d1:#i0e1:=de1:&dee"),
        Err(ParseError::MissingData { .. })
    ));
    // libsession needs a key from `=` on.
    assert_eq!(
        parse(b"d1:#i0e1:&dee"),
        Err(ParseError::EndsBeforeDiff { at: 12 })
    );
    assert_eq!(
        parse(b"d1:#i0e1:&de1:<lee"),
        Err(ParseError::EndsBeforeDiff { at: 17 })
    );
    assert!(parse(b"d1:#i0e1:&de1:=dee").is_ok());
    assert!(parse(b"d1:#i0e1:&de1:>i1ee").is_ok());
    assert_eq!(
        parse(b"d1:#i9223372036854775807e1:&de1:=dee"),
        Err(ParseError::SeqnoTooLarge { seqno: i64::MAX })
    );
    assert!(matches!(
        parse(b"d1:#i9223372036854775808e1:&de1:=dee"),
        Err(ParseError::Encoding(Bt::IntegerOutOfRange { .. }))
    ));
    assert!(parse(b"d1:#i-3e1:&de1:=dee").is_ok());
}

#[test]
fn data() {
    assert!(matches!(
        parse(b"d1:#i0e1:&d1:bi1e1:ai1ee1:=dee"),
        Err(ParseError::Encoding(Bt::KeyNotAscending { .. }))
    ));
    assert!(matches!(
        parse(b"d1:#i0e1:&d1:ai1e1:ai1ee1:=dee"),
        Err(ParseError::Encoding(Bt::DuplicateKey { .. }))
    ));
    assert_eq!(
        parse(b"d1:#i0e1:&d1:ad1:bdeee1:=dee"),
        Err(ParseError::EmptyDict { at: 18 })
    );
    assert_eq!(
        parse(b"d1:#i0e1:&d1:alee1:=dee"),
        Err(ParseError::EmptySet { at: 14 })
    );
    assert_eq!(
        parse(b"d1:#i0e1:&d1:ali1eli2eeee1:=dee"),
        Err(ParseError::NonScalarMember { at: 18 })
    );
    assert_eq!(
        parse(b"d1:#i0e1:&d1:ali2ei1eee1:=dee"),
        Err(ParseError::UnsortedMember { at: 18 })
    );
    assert_eq!(
        parse(b"d1:#i0e1:&d1:al1:ai1eee1:=dee"),
        Err(ParseError::UnsortedMember { at: 18 })
    );
    assert_eq!(
        parse(b"d1:#i0e1:&d1:ali1ei1eee1:=dee"),
        Err(ParseError::DuplicateMember { at: 18 })
    );
    assert!(matches!(
        parse(b"d1:#i0e1:&d1:ai9223372036854775808ee1:=dee"),
        Err(ParseError::Encoding(Bt::IntegerOutOfRange { .. }))
    ));
    let ok = parse(b"d1:#i0e1:&d1:ali-1ei1e0:1:aee1:=dee").unwrap();
    assert_eq!(ok.data().len(), 1);
}

#[test]
fn lagged_diffs() {
    let ok = message_with_lagged(10, &[row(8, &H, b"de"), row(9, &H, b"d1:a0:e")]);
    assert_eq!(parse(&ok).unwrap().lagged().count(), 2);
    let own = message_with_lagged(10, &[row(10, &H, b"de")]);
    assert!(matches!(
        parse(&own),
        Err(ParseError::LaggedSeqnoNotBelow {
            seqno: 10,
            own: 10,
            ..
        })
    ));
    let short = message_with_lagged(10, &[row(9, &H[..31], b"de")]);
    assert!(matches!(parse(&short), Err(ParseError::LaggedHash { .. })));
    let unsorted = message_with_lagged(10, &[row(9, &H, b"de"), row(8, &H, b"de")]);
    assert!(matches!(
        parse(&unsorted),
        Err(ParseError::LaggedOutOfOrder { .. })
    ));
    let repeated = message_with_lagged(10, &[row(9, &H, b"de"), row(9, &H, b"de")]);
    assert!(matches!(
        parse(&repeated),
        Err(ParseError::LaggedOutOfOrder { .. })
    ));
    let long = message_with_lagged(10, &[[b"li9e32:", &H[..], b"dei1ee"].concat()]);
    assert!(matches!(
        parse(&long),
        Err(ParseError::LaggedTooLong { .. })
    ));
    let two = message_with_lagged(10, &[[b"li9e32:", &H[..], b"e"].concat()]);
    assert!(matches!(
        parse(&two),
        Err(ParseError::Encoding(Bt::ContainerEnd { .. }))
    ));
    let not_list = message_with_lagged(10, &[b"i9e".to_vec()]);
    assert!(matches!(
        parse(&not_list),
        Err(ParseError::LaggedNotList { .. })
    ));
    // Rows 5 or more seqnos old are dropped unread, as libsession drops them.
    let old = message_with_lagged(10, &[b"li5e3:abci7ee".to_vec(), row(9, &H, b"de")]);
    let parsed = parse(&old).unwrap();
    assert_eq!(parsed.lagged().map(|(s, _, _)| s).collect::<Vec<_>>(), [9]);
}

#[test]
fn diffs() {
    let with_diff = |diff: &[u8]| [&b"d1:#i1e1:&de1:<le1:="[..], diff, b"e"].concat();
    assert!(parse(&with_diff(b"d1:a0:1:b1:-1:cdee")).is_ok());
    assert!(matches!(
        parse(&with_diff(b"d1:a1:xe")),
        Err(ParseError::DiffString { .. })
    ));
    assert!(matches!(
        parse(&with_diff(b"d1:ai1ee")),
        Err(ParseError::DiffInteger { .. })
    ));
    assert!(matches!(
        parse(&with_diff(b"d1:alleee")),
        Err(ParseError::DiffSet { .. })
    ));
    assert!(matches!(
        parse(&with_diff(b"d1:allelelee")),
        Err(ParseError::DiffSet { .. })
    ));
    assert!(matches!(
        parse(&with_diff(b"d1:ali1elee")),
        Err(ParseError::DiffSet { .. })
    ));
    assert!(matches!(
        parse(&with_diff(b"d1:alli2ei1eeleee")),
        Err(ParseError::UnsortedMember { .. })
    ));
    // A lone member must be a scalar too (libsession checks only pairs, then fails merging).
    assert!(matches!(
        parse(&with_diff(b"d1:alldeeleee")),
        Err(ParseError::NonScalarMember { .. })
    ));
    assert!(matches!(
        parse(&with_diff(b"d1:b0:1:a0:e")),
        Err(ParseError::Encoding(Bt::KeyNotAscending { .. }))
    ));
}

#[test]
fn signatures() {
    let group = account(3);
    let body = b"d1:#i1e1:&d1:ai1ee1:<le1:=d1:a0:e".to_vec();
    let signature: [u8; 64] = group.sign(&body).to_bytes();
    let signed = [&body[..], b"1:~64:", &signature, b"e"].concat();
    assert!(ConfigMessage::parse(&signed, Some(&group)).is_ok());
    assert_eq!(
        ConfigMessage::parse(&signed, Some(&account(4))),
        Err(ParseError::BadSignature)
    );
    let unsigned = [&body[..], b"e"].concat();
    assert_eq!(
        ConfigMessage::parse(&unsigned, Some(&group)),
        Err(ParseError::MissingSignature)
    );
    let short = [&body[..], b"1:~63:", &signature[..63], b"e"].concat();
    assert!(matches!(
        ConfigMessage::parse(&short, None),
        Err(ParseError::Encoding(Bt::SignatureLength { .. }))
    ));
    let after = [&body[..], b"1:~64:", &signature, b"2:~~i1ee"].concat();
    assert!(matches!(
        ConfigMessage::parse(&after, None),
        Err(ParseError::Encoding(Bt::KeyAfterSignature { .. }))
    ));
    let beyond = [&body[..], b"2:~~i1ee"].concat();
    assert!(matches!(
        ConfigMessage::parse(&beyond, None),
        Err(ParseError::Encoding(Bt::KeyAfterSignature { .. }))
    ));
}

#[test]
fn leniencies() {
    // Leading zeros parse; the hash is over the bytes received; re-encoding is canonical.
    let loose = b"d1:#i01e1:&d1:ai007ee1:<le1:=d01:a0:ee";
    let m = parse(loose).unwrap();
    assert_eq!(m.seqno(), 1);
    assert_eq!(m.hash(None), message_hash(loose));
    assert_eq!(m.serialize(None), b"d1:#i1e1:&d1:ai7ee1:<le1:=d1:a0:ee");
    // Bytes after the message are ignored (and hashed), as libsession ignores them.
    let trailing = b"d1:#i1e1:&de1:<le1:=deeJUNK";
    let m = parse(trailing).unwrap();
    assert_eq!(m.hash(None), message_hash(trailing));
    assert_eq!(m.serialize(None), &trailing[..trailing.len() - 4]);
    // Unknown keys are kept in their places, any type.
    let unknown = b"d1:#i1e1:$i5e1:&de1:;l1:xe1:<le1:=de1:>d1:ki-1eee";
    let m = parse(unknown).unwrap();
    assert_eq!(m.unknown().count(), 3);
    assert_eq!(m.serialize(None), unknown);
    let next = m.increment(None);
    assert_eq!(next.unknown().count(), 3);
}

fn encrypted(config: &Config, plaintext: &[u8]) -> Vec<u8> {
    let key = config.keys().next().unwrap();
    encrypt(&pad(plaintext), key, config.kind().domain()).unwrap()
}

#[test]
fn current_message_is_never_obsolete() {
    let me = account(1);
    let mut a = Config::new_user(UserKind::UserProfile, &me);
    a.set(&[b"n"], "x").unwrap();
    let push = a.push().unwrap();
    a.confirm_pushed(push.seqno, "h1");
    // The poll returns the current message again (twice).
    assert_eq!(
        a.merge([("h1", &push.data), ("h1", &push.data)]),
        ["h1", "h1"]
    );
    assert_eq!(a.current_hashes(), ["h1"]);
    assert!(a.push().unwrap().obsolete.is_empty());

    // A fresh device adopting a message listed twice does not obsolete it either.
    let mut b = Config::new_user(UserKind::UserProfile, &me);
    b.merge([("h1", &push.data), ("h1", &push.data)]);
    assert_eq!(b.current_hashes(), ["h1"]);
    assert!(b.take_obsolete_hashes().is_empty());
}

#[test]
fn a_bad_input_does_not_shift_the_adopted_hash() {
    let me = account(1);
    let mut a = Config::new_user(UserKind::Contacts, &me);
    a.set(&[b"c", b"k", b"n"], "v").unwrap();
    let push = a.push().unwrap();
    let mut b = Config::new_user(UserKind::Contacts, &me);
    let garbage = encrypted(&b, b"dnot a config");
    assert_eq!(
        b.merge([("bad", &garbage[..]), ("good", &push.data[..])]),
        ["good"]
    );
    assert_eq!(b.current_hashes(), ["good"]);
    assert!(b.take_obsolete_hashes().is_empty());
    assert_eq!(b.get_bytes(&[b"c", b"k", b"n"]), Some(&b"v"[..]));
}

#[test]
fn skipped_inputs() {
    let me = account(1);
    let mut c = Config::new_user(UserKind::UserGroups, &me);
    let multipart = encrypted(&c, b"mpart");
    let zeros = encrypted(&c, &[0u8; 10]);
    let bad_zstd = encrypted(&c, b"zjunk");
    let other_key = encrypt(&pad(b"d1:#i1e1:&de1:=dee"), &[0xee; 32], "UserGroups").unwrap(); // not this account's key
    let accepted = c.merge([
        ("m", &multipart[..]),
        ("0", &zeros[..]),
        ("z", &bad_zstd[..]),
        ("k", &other_key[..]),
        ("x", &b"not even encrypted"[..]),
    ]);
    assert!(accepted.is_empty(), "{accepted:?}");
    assert_eq!(c.seqno(), 0);
    assert!(!c.needs_push());
}

#[test]
fn unpushed_edits_survive_a_far_newer_message() {
    let me = account(2);
    let mut phone = UserProfile::new(&me);
    let mut laptop = UserProfile::new(&me);
    phone.set_name("base").unwrap();
    let first = phone.push().unwrap();
    phone.confirm_pushed(first.seqno, "h1");
    laptop.merge([("h1", &first.data)]);

    // The laptop edits offline while the phone pushes six more times.
    laptop.set_nts_priority(7).unwrap();
    let mut last = None;
    for i in 0..6 {
        phone.set_nts_expiry(100 + i).unwrap();
        let push = phone.push().unwrap();
        phone.confirm_pushed(push.seqno, format!("p{}", push.seqno));
        last = Some(push);
    }
    let last = last.unwrap();
    assert_eq!(last.seqno, 7);
    assert_eq!(laptop.seqno(), 2);

    let hash = format!("p{}", last.seqno);
    assert_eq!(laptop.merge([(hash.as_str(), &last.data)]), [hash.as_str()]);
    // libsession would keep seqno 7's data alone; the edit is applied again on top.
    assert_eq!(laptop.nts_priority(), 7);
    assert_eq!(laptop.nts_expiry(), Some(105));
    assert_eq!(laptop.state(), SyncState::Dirty);
    let push = laptop.push().unwrap();
    assert_eq!(push.seqno, 8);
    assert_eq!(push.obsolete, ["h1", hash.as_str()]);

    phone.merge([("l8", &push.data)]);
    assert_eq!(phone.nts_priority(), 7);
    assert_eq!(phone.nts_expiry(), Some(105));
    assert_eq!(phone.seqno(), 8);
    assert!(!phone.needs_push());
}

#[test]
fn dirty_dumps_resume_one_seqno_later() {
    let me = account(5);
    let mut c = Config::new_user(UserKind::UserProfile, &me);
    c.set(&[b"n"], "x").unwrap();
    assert_eq!(c.seqno(), 1);
    let dump = c.dump();
    let loaded = Config::load_user(UserKind::UserProfile, &me, &dump).unwrap();
    assert_eq!(loaded.seqno(), 2);
    assert_eq!(loaded.state(), SyncState::Dirty);
    assert_eq!(loaded.get_bytes(&[b"n"]), Some(&b"x"[..]));
    assert!(Config::load_user(UserKind::UserProfile, &me, b"d1:!i7ee").is_err());
    assert!(Config::load_user(UserKind::UserProfile, &me, b"de").is_err());
}

#[test]
fn data_api() {
    let me = account(6);
    let mut c = Config::new_user(UserKind::Contacts, &me);
    assert_eq!(c.set(&[], 1), Err(EditError::EmptyPath));
    c.set(&[b"c", b"x", b"n"], "n").unwrap();
    c.insert_member(&[b"c", b"x", b"m"], 5).unwrap();
    c.insert_member(&[b"c", b"x", b"m"], "s").unwrap();
    assert_eq!(c.get_set(&[b"c", b"x", b"m"]).unwrap().len(), 2);
    assert_eq!(c.seqno(), 1);
    let push = c.push().unwrap();
    c.confirm_pushed(push.seqno, "h");
    // Setting what is there changes nothing.
    c.set(&[b"c", b"x", b"n"], "n").unwrap();
    c.insert_member(&[b"c", b"x", b"m"], 5).unwrap();
    c.erase(&[b"c", b"y"]).unwrap();
    c.remove_member(&[b"c", b"x", b"m"], 6).unwrap();
    assert!(!c.needs_push());
    // Emptying a set or a dictionary removes it, up the path.
    c.remove_member(&[b"c", b"x", b"m"], 5).unwrap();
    c.remove_member(&[b"c", b"x", b"m"], "s").unwrap();
    assert_eq!(c.get(&[b"c", b"x", b"m"]), None);
    c.erase(&[b"c", b"x", b"n"]).unwrap();
    assert_eq!(c.get(&[b"c"]), None);
    assert_eq!(c.seqno(), 2);
    // A non-dictionary in the way is replaced.
    c.set(&[b"a"], 1).unwrap();
    c.set(&[b"a", b"b"], 2).unwrap();
    assert_eq!(c.get_int(&[b"a", b"b"]), Some(2));
    let previous = c.edit(|d| d.insert(b"z".to_vec(), Value::Int(1))).unwrap();
    assert_eq!(previous, None);
    assert_eq!(c.get_int(&[b"z"]), Some(1));
    assert_eq!(c.seqno(), 2);
}

#[test]
fn group_configs_sign_and_members_only_read() {
    let group = account(9);
    let keys = [[0x42; 32], [0x43; 32]];
    let mut admin = Config::new_group(
        GroupKind::Info,
        &keys,
        GroupSigning::Admin(Box::new(group.clone())),
    );
    let mut member = Config::new_group(
        GroupKind::Info,
        &keys[1..],
        GroupSigning::Member(group.ed25519_public_key()),
    );
    assert!(member.is_read_only());
    assert_eq!(member.set(&[b"n"], "x"), Err(EditError::ReadOnly));
    assert_eq!(member.push().unwrap_err(), PushError::ReadOnly);

    admin.set(&[b"n"], "Group").unwrap();
    let push = admin.push().unwrap();
    assert_eq!(
        &push.message[push.message.len() - 71..push.message.len() - 67],
        b"1:~6"
    );
    // The member lacks the first key: nothing decrypts.
    assert!(member.merge([("g1", &push.data)]).is_empty());
    member.replace_keys(&keys);
    assert_eq!(member.merge([("g1", &push.data)]), ["g1"]);
    assert_eq!(member.get_bytes(&[b"n"]), Some(&b"Group"[..]));

    // Unsigned or wrongly signed messages are refused.
    let unsigned = encrypt(&pad(b"d1:#i5e1:&de1:=dee"), &keys[0], "groups::Info").unwrap();
    assert!(member.merge([("u", &unsigned)]).is_empty());

    // Two competing admin pushes: the member keeps the greatest and does not merge.
    let mut admin2 =
        Config::new_group(GroupKind::Info, &keys, GroupSigning::Admin(Box::new(group)));
    admin2.merge([("g1", &push.data)]);
    admin.confirm_pushed(push.seqno, "g1");
    admin.set(&[b"o"], "a").unwrap();
    admin2.set(&[b"o"], "b").unwrap();
    let (p1, p2) = (admin.push().unwrap(), admin2.push().unwrap());
    member.merge([("a", &p1.data), ("b", &p2.data)]);
    assert_eq!(member.seqno(), 2);
    assert!(!member.needs_push());
    assert!(member.dump().windows(4).any(|w| w == b"1:)l"));

    // Admins merge them.
    admin.merge([("b", &p2.data)]);
    assert_eq!(admin.seqno(), 3);
    assert!(admin.needs_push());

    // A rekey re-pushes under the new key.
    let seqno = admin.push().unwrap().seqno;
    admin.confirm_pushed(seqno, "m3");
    admin.replace_keys(&[[0x44; 32], [0x42; 32]]);
    assert!(admin.needs_push());
    assert_eq!(admin.seqno(), 4);
}

#[test]
fn merge_reports_redundancy() {
    let base = ConfigMessage::new().increment(None);
    let b1 = base.serialize(None);
    let next = base.increment(None);
    let b2 = next.serialize(None);
    let merged = merge(&[&b1[..], &b2[..], &b2[..], &b"junk"[..]], None, None).unwrap();
    assert_eq!(merged.source, MergeSource::Unmerged(1));
    assert_eq!(
        merged.redundant,
        [(0, Redundancy::Included), (2, Redundancy::Duplicate)]
    );
    assert_eq!(merged.rejected.len(), 1);
}

#[test]
fn an_edit_after_an_unpushed_merge_starts_the_next_seqno() {
    let me = account(8);
    let mut a = Config::new_user(UserKind::Contacts, &me);
    let mut b = Config::new_user(UserKind::Contacts, &me);
    let mut c = Config::new_user(UserKind::Contacts, &me);
    a.set(&[b"a"], 1).unwrap();
    b.set(&[b"b"], 1).unwrap();
    let (pa, pb) = (a.push().unwrap(), b.push().unwrap());
    c.merge([("a", &pa.data), ("b", &pb.data)]);
    assert_eq!(c.seqno(), 2);
    // A twin of c's merge, pushed by a device that did not edit.
    let mut twin = Config::new_user(UserKind::Contacts, &me);
    twin.merge([("a", &pa.data), ("b", &pb.data)]);
    let twin_push = twin.push().unwrap();
    c.erase(&[b"a"]).unwrap();
    assert_eq!(c.seqno(), 3);
    let pc = c.push().unwrap();
    assert!(pc.message.starts_with(b"d1:#i3e"));
    assert!(twin_push.message.starts_with(b"d1:#i2e"));
    // The twin is included in c's message: the erase stands wherever the two meet.
    let mut d = Config::new_user(UserKind::Contacts, &me);
    d.merge([("t", &twin_push.data), ("c", &pc.data)]);
    assert_eq!(d.get(&[b"a"]), None);
    assert_eq!(d.get_int(&[b"b"]), Some(1));
    assert!(!d.needs_push());
}

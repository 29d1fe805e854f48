//! File-server requests as the server reads them, replies, URLs, and a whole upload and
//! download of an encrypted attachment through an onion path.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use session_envelope::attachment::{stream, Domain};
use session_envelope::proto::AttachmentPointer;
use session_fileserver::{
    parse_download_reply, parse_extend_reply, parse_upload_reply, FileId, FileServer,
    FileServerError, FileUrl, UploadOptions, FILE_SERVER_X25519, LEGACY_FILE_SERVER_X25519,
    MAX_FILE_SIZE,
};
use session_identity::{Ed25519PublicKey, X25519SecretKey};
use session_onion::{
    encode_v4_response, Destination, EncType, Hop, NodeKeys, OnionRequestBuilder, Routing,
    ServerResponse, V4Request,
};

fn reply(status: u16, body: &[u8]) -> ServerResponse {
    ServerResponse {
        status,
        headers: vec![],
        body: Some(body.to_vec()),
    }
}

#[test]
fn upload_headers_exactly() {
    let server = FileServer::default();
    let request = server
        .upload(
            b"ciphertext".to_vec(),
            &UploadOptions {
                file_name: Some("voice.mp3".into()),
                ttl_seconds: Some(3600),
            },
        )
        .unwrap();
    let decoded = V4Request::decode(&request.encode()).unwrap();
    assert_eq!(decoded.method(), "POST");
    assert_eq!(decoded.endpoint(), "/file");
    let headers: Vec<(&str, &str)> = decoded
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        headers,
        [
            ("Content-Disposition", "attachment; filename=\"voice.mp3\""),
            ("Content-Type", "application/octet-stream"),
            ("X-FS-TTL", "3600"),
        ]
    );
    assert_eq!(decoded.body_bytes(), Some(&b"ciphertext"[..]));
    let bare = server.upload(vec![1], &UploadOptions::default()).unwrap();
    assert_eq!(bare.headers().len(), 2);
    assert_eq!(bare.headers()["Content-Disposition"], "attachment");
    for name in ["a\"b", "a\\b", "a\nb"] {
        let options = UploadOptions {
            file_name: Some(name.into()),
            ttl_seconds: None,
        };
        assert_eq!(
            server.upload(vec![1], &options),
            Err(FileServerError::BadFileName)
        );
    }
}

#[test]
fn the_size_limit() {
    let server = FileServer::default();
    assert!(server
        .upload(vec![0; MAX_FILE_SIZE], &UploadOptions::default())
        .is_ok());
    assert_eq!(
        server.upload(vec![0; MAX_FILE_SIZE + 1], &UploadOptions::default()),
        Err(FileServerError::TooLarge {
            len: MAX_FILE_SIZE + 1,
            max: MAX_FILE_SIZE
        })
    );
    // A stream-scheme upload of libsession's largest regular content exceeds the file server's
    // limit: such content has to be smaller (the limit is configurable).
    let largest = stream::encrypted_size(stream::MAX_REGULAR_SIZE) as usize;
    assert!(largest > MAX_FILE_SIZE);
    let small = server.clone().with_max_file_size(10);
    assert!(small
        .upload(vec![0; 11], &UploadOptions::default())
        .is_err());
}

#[test]
fn download_and_extend_requests() {
    let server = FileServer::with_legacy_key();
    assert_eq!(server.x25519().as_bytes(), &LEGACY_FILE_SERVER_X25519);
    let id = FileId::new("a".repeat(44)).unwrap();
    assert!(id.is_extendable());
    assert!(!FileId::new("12345").unwrap().is_extendable());
    let download = server.download(&id);
    assert_eq!(download.method(), "GET");
    assert_eq!(download.endpoint(), format!("/file/{id}"));
    assert!(download.headers().is_empty() && download.body_bytes().is_none());
    let extend = server.extend(&id, Some(60));
    assert_eq!(extend.endpoint(), format!("/file/{id}/extend"));
    assert_eq!(extend.headers()["X-FS-TTL"], "60");
    assert!(server.extend(&id, None).headers().is_empty());
    for bad in ["", "a/b", "a b", "../x", "é", &"a".repeat(129)] {
        assert_eq!(FileId::new(bad), Err(FileServerError::BadId), "{bad:?}");
    }
}

#[test]
fn replies() {
    let ok = parse_upload_reply(&reply(200, br#"{"id":"abc","expires":1.5e9,"size":3}"#)).unwrap();
    assert_eq!((ok.id.as_str(), ok.expires), ("abc", 1.5e9));
    let numeric = parse_upload_reply(&reply(200, br#"{"id":12345,"expires":1}"#)).unwrap();
    assert_eq!(numeric.id.as_str(), "12345");
    for (status, body, error) in [
        (413, &b"{}"[..], FileServerError::Status(413)),
        (200, b"[]", FileServerError::NotJson),
        (200, b"not json", FileServerError::NotJson),
        (
            200,
            br#"{"expires":1}"#,
            FileServerError::MissingField("id"),
        ),
        (
            200,
            br#"{"id":"a/b","expires":1}"#,
            FileServerError::MissingField("id"),
        ),
        (
            200,
            br#"{"id":"abc"}"#,
            FileServerError::MissingField("expires"),
        ),
        (
            200,
            br#"{"id":"abc","expires":"soon"}"#,
            FileServerError::MissingField("expires"),
        ),
    ] {
        assert_eq!(
            parse_upload_reply(&reply(status, body)),
            Err(error),
            "{body:?}"
        );
    }
    let no_body = ServerResponse {
        status: 200,
        headers: vec![],
        body: None,
    };
    assert_eq!(parse_upload_reply(&no_body), Err(FileServerError::NoBody));
    assert_eq!(
        parse_extend_reply(&reply(200, br#"{"expires":7,"uploaded":1}"#))
            .unwrap()
            .expires,
        7.0
    );
    assert_eq!(
        parse_download_reply(&reply(200, b"abc"), 3).unwrap(),
        b"abc"
    );
    assert!(matches!(
        parse_download_reply(&reply(200, b"abcd"), 3),
        Err(FileServerError::TooLarge { len: 4, max: 3 })
    ));
    assert_eq!(
        parse_download_reply(&reply(404, b""), 3),
        Err(FileServerError::Status(404))
    );
}

#[test]
fn urls() {
    let default = "http://filev2.getsession.org/file/abc";
    let url = FileUrl::parse(default).unwrap();
    assert_eq!(url.to_string(), default);
    assert!(!url.is_deterministic());
    assert_eq!(
        url.server().unwrap().x25519().as_bytes(),
        &FILE_SERVER_X25519
    );
    for d in ["#d", "#d=", "#x=1&d", "#d=&x"] {
        let url = FileUrl::parse(&format!("{default}{d}")).unwrap();
        assert!(url.is_deterministic(), "{d}");
        assert_eq!(url.to_string(), format!("{default}#d"));
    }
    let legacy_path = FileUrl::parse("http://filev2.getsession.org/files/123").unwrap();
    assert_eq!(legacy_path.id().as_str(), "123");
    assert_eq!(
        legacy_path.to_string(),
        "http://filev2.getsession.org/file/123"
    );
    // Another server, named by its Ed25519 key.
    let ed = "b8eef9821445ae16e2e97ef8aa6fe782fd11ad5253cd6723b281341dba22e371";
    let other = FileUrl::parse(&format!(
        "https://f.example.org:8443/file/x1#p={ed}&e=0a0b&sr=r.example:11235"
    ))
    .unwrap();
    assert_eq!(
        other.server_key().unwrap().as_bytes(),
        &session_fileserver::FILE_SERVER_ED25519
    );
    assert_eq!(other.profile_key(), Some(&[10u8, 11][..]));
    assert_eq!(other.session_router(), Some("r.example:11235"));
    let server = other.server().unwrap();
    assert_eq!(
        (server.scheme(), server.host(), server.port()),
        ("https", "f.example.org", Some(8443))
    );
    assert_eq!(server.x25519().as_bytes(), &FILE_SERVER_X25519);
    assert_eq!(FileUrl::parse(&other.to_string()).unwrap(), other);
    assert_eq!(
        FileUrl::parse("http://f.example.org/file/x")
            .unwrap()
            .server(),
        Err(FileServerError::UnknownServerKey("f.example.org".into()))
    );
    for bad in [
        "ftp://filev2.getsession.org/file/a",
        "http://filev2.getsession.org/room/a",
        "http:///file/a",
        "filev2.getsession.org/file/a",
        "http://filev2.getsession.org:99999/file/a",
        "http://filev2.getsession.org/file/",
        "http://filev2.getsession.org/file/a/b",
    ] {
        assert_eq!(FileUrl::parse(bad), Err(FileServerError::BadUrl), "{bad}");
    }
    for (bad, field) in [("#p=00", "p"), ("#p=zz", "p"), ("#e=xyz", "e")] {
        assert_eq!(
            FileUrl::parse(&format!("{default}{bad}")),
            Err(FileServerError::BadFragment(field))
        );
    }
    // A server built from a non-default key writes it in the URL.
    let custom = FileServer::from_ed25519(
        "http",
        "f.example.org",
        None,
        Ed25519PublicKey::from_bytes(session_fileserver::FILE_SERVER_ED25519),
    )
    .unwrap();
    let id = FileId::new("z").unwrap();
    assert_eq!(
        custom.file_url(&id).to_string(),
        format!("http://f.example.org/file/z#p={ed}")
    );
    assert_eq!(
        FileServer::default()
            .file_url(&id)
            .with_profile_key(&[1])
            .to_string(),
        "http://filev2.getsession.org/file/z#e=01"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn urls_round_trip(id in "[A-Za-z0-9_-]{1,64}", d in any::<bool>(), e in proptest::option::of(proptest::collection::vec(any::<u8>(), 1..40)),
                       port in proptest::option::of(1u16..)) {
        let server = FileServer::new("http", "filev2.getsession.org", port, *FileServer::default().x25519());
        let mut url = server.file_url(&FileId::new(id).unwrap()).deterministic(d);
        if let Some(e) = &e { url = url.with_profile_key(e); }
        let parsed = FileUrl::parse(&url.to_string()).unwrap();
        prop_assert_eq!(&parsed, &url);
        prop_assert_eq!(parsed.is_deterministic(), d);
    }

    #[test]
    fn url_parsing_never_panics(text in ".{0,200}") {
        let _ = FileUrl::parse(&text);
    }
}

/// An attachment encrypted with the stream scheme, uploaded through a three-hop path to a file
/// server (played here by its onion key), downloaded again and decrypted from its pointer.
#[test]
fn upload_and_download_through_a_path() {
    let mut rng = rand::rng();
    let server_keys = NodeKeys::new(X25519SecretKey::generate(&mut rng));
    let server = FileServer::new("http", "files.test", None, *server_keys.public_key());
    let relays: Vec<(Hop, NodeKeys)> = (0..3u8)
        .map(|i| {
            let keys = NodeKeys::new(X25519SecretKey::generate(&mut rng));
            (
                Hop::new(Ed25519PublicKey::from_bytes([i; 32]), *keys.public_key()),
                keys,
            )
        })
        .collect();
    let send = |request: &V4Request, answer: &dyn Fn(&V4Request) -> Vec<u8>| -> ServerResponse {
        let mut rng = rand::rng();
        let onion = server
            .onion_request_builder(EncType::XChaCha20)
            .path(relays.iter().map(|(hop, _)| *hop))
            .build(&request.encode(), &mut rng)
            .unwrap();
        let mut body = onion.body().to_vec();
        for (_, keys) in &relays {
            let layer = keys.peel(&body).unwrap();
            body = match layer.routing() {
                Routing::NextHop(_) => layer.next_hop_body().unwrap(),
                // The exit node posts the rest to the server, over plain HTTP.
                Routing::Server(route) => {
                    assert_eq!(
                        (route.host.as_str(), route.protocol.as_str()),
                        ("files.test", "http")
                    );
                    assert_eq!((route.target.as_str(), route.port), ("/oxen/v4/lsrpc", 80));
                    layer.payload().to_vec()
                }
                other => panic!("routed to {other:?}"),
            };
        }
        let layer = server_keys.open(&body).unwrap();
        let received = V4Request::decode(layer.payload()).unwrap();
        let sealed = layer.seal_reply(&answer(&received), &mut rng);
        onion
            .response_context()
            .read_server_reply(200, &sealed)
            .unwrap()
    };
    assert!(matches!(server.destination(), Destination::Server(_)));
    // Cutting a server payload at its first NUL, as old libsession did, would lose binary
    // uploads: the file server's builder never does.
    let cut = OnionRequestBuilder::new(server.destination(), EncType::XChaCha20)
        .truncate_server_payload_at_nul(true)
        .path(relays.iter().map(|(hop, _)| *hop))
        .build(
            &server
                .upload(vec![1, 0, 2], &UploadOptions::default())
                .unwrap()
                .encode(),
            &mut rng,
        )
        .unwrap();
    let whole = server
        .onion_request_builder(EncType::XChaCha20)
        .path(relays.iter().map(|(hop, _)| *hop))
        .build(
            &server
                .upload(vec![1, 0, 2], &UploadOptions::default())
                .unwrap()
                .encode(),
            &mut rng,
        )
        .unwrap();
    assert!(cut.body().len() < whole.body().len());

    let content = vec![7u8; 50_000];
    let upload = stream::encrypt(&[3; 32], &content, Domain::Attachment).unwrap();
    let stored = upload.data.clone();
    let request = server
        .upload(upload.data.clone(), &UploadOptions::default())
        .unwrap();
    let uploaded = parse_upload_reply(&send(&request, &|r| {
        assert_eq!(r.body_bytes().unwrap(), &stored[..]);
        encode_v4_response(200, &[], Some(br#"{"id":"file123","expires":1800000000}"#))
    }))
    .unwrap();
    let url = server.file_url(&uploaded.id).deterministic(true);
    let pointer = AttachmentPointer::for_stream(url.to_string(), &upload.key, content.len() as u32);

    // The recipient: URL → server → download → decrypt.
    let parsed = FileUrl::parse(pointer.url.as_deref().unwrap()).unwrap();
    assert_eq!(parsed.id().as_str(), "file123");
    let stored = upload.data.clone();
    let downloaded = send(&server.download(parsed.id()), &|r| {
        assert_eq!(r.endpoint(), "/file/file123");
        encode_v4_response(200, &[], Some(&stored))
    });
    let bytes = parse_download_reply(&downloaded, server.max_file_size()).unwrap();
    assert_eq!(pointer.decrypt(bytes).unwrap(), content);
}

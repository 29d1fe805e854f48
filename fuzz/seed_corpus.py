#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the reference vectors (crates/*/tests/data and
/work/shared/vectors when present) and from hand-written replies.

Usage: python3 fuzz/seed_corpus.py [conformance-request-dir]
       ONLY=<target> python3 fuzz/seed_corpus.py   (seeds that one target only)

The optional directory holds conformance request lines (one JSON object per file); up to four
of the smallest per op are copied into the conformance_line corpus. Files are named by their
SHA-1, as libFuzzer names corpus entries, so running the script twice adds nothing.
"""
import base64, glob, hashlib, json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
files = glob.glob(os.path.join(ROOT, "crates/*/tests/data/*.json")) + glob.glob(
    "/work/shared/vectors/*/*.json")


def put(target, data):
    if os.environ.get("ONLY", target) != target:
        return
    if isinstance(data, str):
        data = data.encode()
    if len(data) > 64 * 1024:
        return
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def values(node, key=None):
    """Every (key, scalar) pair in a JSON tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from values(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from values(v, key)
    else:
        yield key, node


def unhex(s):
    try:
        return bytes.fromhex(s) if isinstance(s, str) and len(s) % 2 == 0 else None
    except ValueError:
        return None


for path in files:
    try:
        doc = json.load(open(path))
    except (OSError, ValueError):
        continue
    for key, v in values(doc):
        if not isinstance(v, str) or key is None:
            continue
        raw = unhex(v)
        if "session_id" in key or key.endswith("blinded_id") or key in ("pubkey", "blinded_pk"):
            put("session_id_parse", v)
            if raw:
                put("session_id_parse", raw)
        if key in ("words",) or (key == "accepted_inputs"):
            put("mnemonic_decode", v)
        if raw and len(raw) == 32 and key in ("ed25519_pk", "server_pk", "x25519_pk"):
            put("blinded_ids", raw + bytes([0x42] * 32))
        if raw and key == "ciphertext":
            put("session_protocol_decrypt", b"\x00" + raw)
            put("envelope_decode", b"\x00" + raw)
            for sel in (0, 1):
                put("blinded_dm_decrypt", bytes([sel]) + raw[1:33] + raw)
            put("onion_peel", b"\x00" + raw)
            put("onion_response_decode", b"\x00" + raw)
            put("onion_v4_response_decode", raw)
        if raw and key in ("plaintext", "message", "decrypted_plaintext", "payload"):
            put("session_protocol_decrypt", b"\x01" + raw)
            put("envelope_decode", b"\x01" + raw)
            put("unpad", raw)
            put("blinded_dm_decrypt", b"\x02" + raw)
            put("blinded_dm_decrypt", b"\x03" + raw)
        if raw and key in ("decrypted_payload", "destination_plaintext", "request"):
            put("onion_peel", b"\x01" + raw)
            put("onion_peel", b"\x03" + raw)
            put("onion_peel", b"\x00" + raw)
        if raw and key in ("reply_plaintext", "reply_decrypted"):
            for mode in (1, 3, 7):
                put("onion_response_decode", bytes([mode]) + raw)
            put("onion_v4_response_decode", raw)
        if raw and key == "reply_ciphertext":
            put("onion_response_decode", b"\x00" + raw)
            put("onion_response_decode", b"\x00" + base64.b64encode(raw))
        if raw and key == "signature" and len(raw) == 64:
            pass
    # Signatures with their keys and messages, for ed25519_verify.
    for rec in doc if isinstance(doc, list) else doc.get("vectors", []) if isinstance(doc, dict) else []:
        if not isinstance(rec, dict):
            continue
        sig = unhex(rec.get("signature"))
        key = unhex(rec.get("ed25519_pk") or rec.get("blinded_pk") or rec.get("xed25519_pubkey") or "")
        msg = unhex(rec.get("message")) or (rec.get("message_utf8") or "").encode()
        if sig and len(sig) == 64 and key and len(key) == 32:
            prefix = 0x15 if "blinded_pk" in rec else 0x05
            put("ed25519_verify", bytes([prefix]) + key + sig + msg)
        for k in ("seed", "ed25519_seed"):
            s = unhex(rec.get(k))
            if s and rec.get("session_id"):
                put("conformance_line", json.dumps({"id": 1, "op": "identity.from_seed", "seed": rec[k]}))

# Envelope framing and Content: a WebSocketMessage request around an envelope (tag layout of
# session_envelope::proto), and padded contents to seal.
def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out
def field(tag, wire, payload):
    key = varint(tag << 3 | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else payload)
envelope = field(1, 0, varint(6)) + field(5, 0, varint(1700000000000)) + field(8, 2, b"\x00" * 120)
request = field(1, 2, b"PUT") + field(2, 2, b"/api/v1/message") + field(3, 2, envelope) + field(4, 0, varint(0))
put("envelope_decode", b"\x00" + field(1, 0, varint(1)) + field(2, 2, request))
put("envelope_decode", b"\x00" + envelope)
for content in (b"", field(1, 2, field(1, 2, b"hello")), field(1, 2, field(1, 2, b"hi") + field(7, 0, varint(1700000000000)))):
    padded = content + b"\x80" + b"\x00" * (159 - len(content) % 160)
    put("envelope_decode", b"\x01" + padded)
    put("envelope_decode", b"\x00" + content)
    put("blinded_dm_decrypt", b"\x02" + padded)
    put("unpad", padded)

# Service-node lists, get_swarm / 421 bodies and storage replies.
def node(i, swarm=None, state=False):
    key = ("%08x" % i) + "00" * 27 + "ee"
    if state:
        n = {"public_ip": "10.0.%d.1" % i, "storage_port": 22021, "storage_lmq_port": 22020,
             "pubkey_ed25519": key, "pubkey_x25519": key}
        if swarm is not None:
            n["swarm_id"] = swarm
        return n
    return {"address": "x.snode", "ip": "10.0.%d.1" % i, "port": "22021", "port_https": 22021,
            "port_omq": 22020, "pubkey_ed25519": key, "pubkey_x25519": key}
states = [node(i, swarm=(i % 3) * 2**62, state=True) for i in range(1, 7)]
put("node_list_parse", json.dumps({"jsonrpc": "2.0", "result": {"service_node_states": states}}))
put("node_list_parse", json.dumps({"result": {"service_node_states": states[:2]}, "t": 1700000000123, "hf": [19, 3]}))
put("node_list_parse", json.dumps({"result": {"service_node_states": [dict(states[0], public_ip="0.0.0.0"), {"public_ip": 1}]}}))
swarm = {"snodes": [node(i) for i in range(1, 4)], "swarm": "ff00000000000001", "t": 1700000000123, "hf": [19, 3]}
for target in ("node_list_parse", "swarm_421_parse"):
    put(target, json.dumps(swarm))
    put(target, json.dumps({"snodes": [], "swarm": "ffffffffffffffff"}))
    put(target, json.dumps({"snodes": [node(9)], "swarm": "2a"}))
h = base64.b64encode(hashlib.sha512(b"x").digest()).decode().rstrip("=")[:43]
msgs = [{"hash": h, "timestamp": 1000, "expiration": 2000, "data": base64.b64encode(b"hello swarm").decode()},
        {"hash": h, "timestamp": 1000, "expiry": 3000, "data": "AQI"},
        {"hash": "short", "timestamp": 1, "expiration": 2, "data": ""}]
put("retrieve_response_parse", json.dumps({"messages": msgs, "more": True, "t": 77, "hf": [19, 0]}))
put("retrieve_response_parse", json.dumps({"messages": []}))
put("retrieve_response_parse", json.dumps({"results": [{"code": 200, "body": {"messages": []}}, {"code": 401, "body": "no"}]}))
key = "05" + "ab" * 32
put("retrieve_response_parse", json.dumps({"swarm": {key[2:]: {"hash": h, "signature": "AAAA", "t": 5}}, "hash": h, "t": 5}))
put("retrieve_response_parse", json.dumps({"swarm": {key[2:]: {"deleted": [h], "signature": "AAAA"}}}))
put("retrieve_response_parse", json.dumps({"swarm": {key[2:]: {"updated": [h], "expiry": 9, "signature": "AAAA"}}}))

# bt-encoding: the bencode crate's reference messages (the smaller ones) and hand-written edge
# cases: limits, spellings only the lenient mode accepts, key order, signatures.
bt_messages = os.path.join(ROOT, "crates/session-bencode/tests/data/messages.json")
for rec in json.load(open(bt_messages)) if os.path.exists(bt_messages) else []:
    raw = unhex(rec.get("encoded"))
    if raw and len(raw) <= 1024:
        put("bencode_decode", raw)
bt_sig = bytes(range(64))
for seed in (b"0:", b"i0e", b"i-1e", b"i18446744073709551615e", b"i-9223372036854775808e",
             b"i-0e", b"li01ei-01e01:ae", b"d0:i0e1:ai1e2:aai2e1:\x80lee", b"l" * 32 + b"e" * 32,
             b"d1:#i0e1:&de1:<le1:=dee", b"d1:#i1e1:&de1:<le1:=de1:~64:" + bt_sig + b"e",
             b"d1:ai01e1:~064:" + bt_sig + b"e", b"d01:ai1e1:bli-0eee"):
    put("bencode_decode", seed)

# 03 group messages: the reference ciphertexts (the check holds two of their keys) and messages
# to encrypt; inner dictionaries to seal (signed when the `cryptography` package is at hand),
# well-formed and broken.
for path in files:
    if os.path.basename(path) != "group_message.json":
        continue
    for rec in json.load(open(path)):
        raw = unhex(rec.get("ciphertext"))
        if raw:
            put("group_message_decrypt", b"\x00" + raw)
        msg = unhex(rec.get("message"))
        if msg is not None and len(msg) <= 4096:
            for mode in (0x03, 0x07, 0x47, 0xff):
                put("group_message_decrypt", bytes([mode]) + msg)
def bt(b):
    return str(len(b)).encode() + b":" + b
level1 = bytes.fromhex("28b52ffd205145000010aaaa01008c022c")  # 81 x 0xaa, libzstd level 1
try:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization
    author = Ed25519PrivateKey.from_private_bytes(bytes([0x31] * 32))
    author_pk = author.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    sign = author.sign
except ImportError:
    author_pk, sign = bytes(32), lambda data: bytes(64)
for data, key in ((b"hello group", b"d"), (level1, b"z"), (b"x", b"d")):
    body = b"d0:i1e1:a" + bt(author_pk)
    sig = b"1:s" + bt(sign(data))
    item = b"1:" + key + bt(data)
    inner = body + (item + sig if key == b"d" else sig + item) + b"e"
    for seed in (inner, inner + b"\x00" * 40, inner.replace(b"i1e", b"i01e"),
                 inner.replace(b"i1e", b"i2e"), inner[:-1] + b"1:~0:e", inner[:40] + b"e"):
        put("group_message_decrypt", b"\x01" + seed)
for seed in (b"de", b"d0:i1ee", b"d0:1:1e", b"le", b"d0:i1e1:a0:1:s0:1:z0:e", b"\x00" * 16):
    put("group_message_decrypt", b"\x01" + seed)

# Legacy closed groups: control messages (ClosedGroupControlMessage, KeyPair) raw, and padded
# contents carrying them to seal.
sid = b"\x05" + b"\x55" * 32
kp = field(1, 2, b"\x11" * 32) + field(2, 2, b"\x22" * 32)
controls = [
    field(1, 0, varint(1)) + field(2, 2, sid) + field(3, 2, b"group") + field(4, 2, kp)
    + field(5, 2, sid) + field(6, 2, sid) + field(8, 0, varint(60)),
    field(1, 0, varint(3)) + field(7, 2, field(1, 2, sid) + field(2, 2, b"\x00" * 150)),
    field(1, 0, varint(4)) + field(3, 2, b"renamed"),
    field(1, 0, varint(5)) + field(5, 2, sid),
    field(1, 0, varint(6)) + field(5, 2, b"\x05" * 32),
    field(1, 0, varint(7)),
    field(1, 0, varint(8)),
    field(1, 0, varint(2)),
]
for control in controls:
    put("legacy_group_decode", b"\x00" + control)
    content = field(1, 2, field(104, 2, control))
    padded = content + b"\x80" + b"\x00" * (158 - len(content) % 160)
    put("legacy_group_decode", b"\x01" + padded)
put("legacy_group_decode", b"\x00" + kp)
put("legacy_group_decode", b"\x01" + field(1, 2, field(1, 2, b"legacy hello")) + b"\x80")
legacy_envelope = field(1, 0, varint(7)) + field(2, 2, sid.hex().encode()) + field(5, 0, varint(1600000000000)) + field(8, 2, b"\x00" * 200)
legacy_request = field(1, 2, b"PUT") + field(2, 2, b"/api/v1/message") + field(3, 2, legacy_envelope) + field(4, 0, varint(0))
put("legacy_group_decode", b"\x00" + field(1, 0, varint(1)) + field(2, 2, legacy_request))
put("legacy_group_decode", b"\x00" + b"\x00" * 144)

# 03 group keys messages: every message of the vectors' group g0 (the check loads them as its
# member2 and as an admin), a few truncations and hand-made shapes; and rekey/supplement seeds.
group_keys = os.path.join(ROOT, "crates/session-groups/tests/data/group_keys.json")
for rec in json.load(open(group_keys)) if os.path.exists(group_keys) else []:
    if not rec["case"].startswith("g0/"):
        continue
    datas = [m["data"] for m in rec.get("messages", [])]
    datas += [rec.get("key_message"), rec.get("supplement_message")]
    for d in datas:
        raw = unhex(d)
        if raw is None:
            continue
        put("group_keys_load", b"\x00" + raw)
        put("group_keys_load", b"\x00" + raw[: len(raw) // 2])
for seed in (b"de", b"d1:#24:" + b"\x00" * 24 + b"e", b"d1:#24:" + b"\x00" * 24 + b"1:+le1:Gi0ee",
             b"d1:#24:" + b"\x00" * 24 + b"1:Gi-1ee", b"le", b"i0e"):
    put("group_keys_load", b"\x00" + seed)
for seed in (b"\x01\x00", b"\x01\x05\x01\x02\x03", b"\x03\x00", b"\x03\x07" + bytes(range(1, 20))):
    put("group_keys_load", seed)
# Dumps of the check's group (Keys::dump), with and without a pending key.
g0_pk = bytes.fromhex("85fe97807666d1df48b8a4c9d7ebee651ed5a44e7b294c889b0493eb2d468bb6")
put("group_keys_load", b"\x00d1:G32:" + g0_pk + b"1:hlli0el2:h0eee1:kld1:gi0e1:k32:" + b"\x11" * 32
    + b"1:ti5eee1:pd1:gi1e1:k32:" + b"\x22" * 32 + b"ee")
put("group_keys_load", b"\x00d1:G32:" + g0_pk + b"1:hle1:klee")

# Conformance request lines: the hand-written seeds, and the smallest requests per op.
for p in glob.glob(os.path.join(ROOT, "fuzz/seeds/conformance_line/*")):
    put("conformance_line", open(p, "rb").read())
if len(sys.argv) > 1:
    by_op = {}
    for p in glob.glob(os.path.join(sys.argv[1], "*")):
        data = open(p, "rb").read()
        try:
            op = json.loads(data).get("op")
        except ValueError:
            continue
        by_op.setdefault(str(op), []).append(data)
    for op, lines in by_op.items():
        for data in sorted(lines, key=len)[:4]:
            put("conformance_line", data)

# backends_agree: the Wycheproof cases, in the check's layout (byte 0: 0 AES-GCM, 1 XChaCha,
# 2 X25519, 3 Ed25519), and a few edge values.
WYCHEPROOF = os.path.join(ROOT, "crates/session-identity/tests/data/wycheproof")
for name, op, iv_len in (("aes_gcm_test.json", 0, 12), ("xchacha20_poly1305_test.json", 1, 24)):
    for group in json.load(open(os.path.join(WYCHEPROOF, name)))["testGroups"]:
        if group["keySize"] != 256 or group["ivSize"] != iv_len * 8:
            continue
        for t in group["tests"][::3]:
            aad = bytes.fromhex(t["aad"])
            if len(aad) > 255:
                continue
            body = bytes.fromhex(t["ct"]) + bytes.fromhex(t["tag"])
            put("backends_agree", bytes([op]) + bytes.fromhex(t["key"]) + bytes.fromhex(t["iv"])
                + bytes([len(aad)]) + aad + body)
for t in json.load(open(os.path.join(WYCHEPROOF, "x25519_test.json")))["testGroups"][0]["tests"][::4]:
    put("backends_agree", b"\x02" + bytes.fromhex(t["private"]) + bytes.fromhex(t["public"]))
for group in json.load(open(os.path.join(WYCHEPROOF, "ed25519_test.json")))["testGroups"][::3]:
    pk = bytes.fromhex(group["publicKey"]["pk"])
    for t in group["tests"][:3]:
        sig = bytes.fromhex(t["sig"])
        if len(sig) != 64:
            continue
        put("backends_agree", b"\x03" + hashlib.sha256(pk).digest() + pk + sig
            + bytes.fromhex(t["msg"]))
for u in (b"\x00" * 32, b"\x01" + b"\x00" * 31, b"\xff" * 32, b"\xec" + b"\xff" * 30 + b"\x7f",
          b"\xed" + b"\xff" * 30 + b"\x7f"):
    put("backends_agree", b"\x02" + b"\x42" * 32 + u)
put("backends_agree", b"\x00" + b"\x00" * 45)
put("backends_agree", b"\x01" + b"\x00" * 57)

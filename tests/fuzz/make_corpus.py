#!/usr/bin/env python3
"""Write the seed corpora under tests/fuzz/corpus/ (committed; rerun only to change them).

Protobuf is encoded by hand, in field order and without empty fields, the way
protobuf-c packs proto3 messages, so a signed request here verifies in C with
the key fuzz_request.c uses (0x5a ^ i for i in 0..31), and a signed event in
fuzz_event_frame.c."""
import hashlib
import hmac
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = bytes(0x5A ^ i for i in range(32))


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, value):
    """One field; str/bytes as length-delimited, int as varint; empty/0 omitted."""
    if isinstance(value, int):
        return varint(num << 3) + varint(value) if value else b""
    if isinstance(value, str):
        value = value.encode()
    return varint(num << 3 | 2) + varint(len(value)) + value if value else b""


def actor(user_id="", roles=(), company_id="", media_id="", remote_addr=""):
    out = field(1, user_id)
    for r in roles:
        out += varint(2 << 3 | 2) + varint(len(r)) + r.encode()
    return out + field(3, company_id) + field(4, media_id) + field(5, remote_addr)


def request(method, request_id, idem, deadline, act, body, sign=True, sig=None):
    def lp(b):
        return struct.pack(">I", len(b)) + b
    if sign:
        msg = (lp(method.encode()) + lp(request_id.encode()) + lp(idem.encode())
               + lp(struct.pack(">q", deadline)) + lp(act or b"") + lp(body))
        sig = hmac.new(KEY, msg, hashlib.sha256).digest()
    out = field(1, method) + field(2, request_id) + field(3, idem) + field(4, deadline)
    if act is not None:
        out += varint(5 << 3 | 2) + varint(len(act)) + act
    return out + field(6, body) + field(7, sig or b"")


def event(id_, type_, source, seq, occurred, corr, act, body, sign=False):
    def lp(b):
        return struct.pack(">I", len(b)) + b
    out = field(1, id_) + field(2, type_) + field(3, source) + field(4, seq) + field(5, occurred)
    out += field(6, corr)
    if act is not None:
        out += varint(7 << 3 | 2) + varint(len(act)) + act
    out += field(8, body)
    if sign:
        msg = (lp(b"seklik.bus.Event/1") + lp(id_.encode()) + lp(type_.encode())
               + lp(source.encode()) + lp(struct.pack(">Q", seq)) + lp(struct.pack(">q", occurred))
               + lp(corr.encode()) + lp(act or b"") + lp(body))
        out += field(9, hmac.new(KEY, msg, hashlib.sha256).digest())
    return out


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


partner = actor("0190f5a2-7c1e-7000-8000-000000000001", ["partner"],
                "0190f5a2-7c1e-7000-8000-0000000000c1", "", "10.0.0.7")
admin = actor("0190f5a2-7c1e-7000-8000-000000000002", ["admin", "verifier"])

write("fuzz_request", "signed_submit", request(
    "Registry.SubmitForVerification", "req-1", "idem-1", 1767225600000, partner, b"\x0a\x03abc"))
write("fuzz_request", "signed_health_no_actor", request("Registry.Health", "req-2", "", 0, None, b""))
write("fuzz_request", "signed_replay_admin", request(
    "bus.Replay", "req-3", "", 0, admin, field(1, 41) + field(2, 100)))
write("fuzz_request", "unsigned", request(
    "Registry.ApproveCompany", "req-4", "idem-4", 0, admin, b"\x0a\x01x", sign=False))
write("fuzz_request", "bad_signature", request(
    "Ordering.CreateOrder", "req-5", "idem-5", 0, partner, b"", sign=False, sig=b"\x00" * 32))
write("fuzz_request", "truncated", request(
    "Registry.SubmitForVerification", "req-1", "idem-1", 0, partner, b"\x0a\x03abc")[:-7])

# Bodies for the field limits: nested and repeated messages, over-long text
# and a huge integer; invalid UTF-8 alone (so that only the UTF-8 rule can
# refuse it); an upper-case UUID.
def msg(num, body):
    return varint(num << 3 | 2) + varint(len(body)) + body


outlet = field(3, "Portal") + field(4, "https://berita.example.id") + field(7, (1 << 63) - 1)
company = (field(1, "PT Berita") + field(7, "63122") + field(7, "58130")
           + field(11, "470/" + "9" * 120) + msg(12, field(1, "Bank Sumsel \u00e9 \U0001f4f0"))
           + msg(13, field(3, "redaksi@example.id")))
write("fuzz_request", "signed_register_over_limits", request(
    "Registry.RegisterCompany", "req-8", "idem-8", 0, admin, msg(1, company) + msg(2, outlet)))
write("fuzz_request", "signed_register_bad_utf8", request(
    "Registry.RegisterCompany", "req-10", "idem-10", 0, admin,
    msg(1, field(1, "PT Berita") + msg(13, field(3, b"\xed\xa0\x80@x.id")))
    + msg(2, field(4, b"http://\xc0\xaf"))))
write("fuzz_request", "signed_upload_upper_uuid", request(
    "Registry.UploadDocument", "req-9", "idem-9", 0, partner,
    field(1, "0190F5A2-7C1E-7000-8000-0000000000C1")
    + msg(2, field(5, "npwp.pdf") + field(6, b"%PDF-1.4\n") + field(7, "0190F5A2-7C1E-7000-8000-00000000ABCD"))))
ordering = actor("system:ordering")
write("fuzz_request", "signed_reserve_upper_uuid", request(
    "Accounting.Reserve", "req-11", "idem-11", 0, ordering,
    field(1, "0190F5A2-7C1E-7000-8000-0000000000D1") + field(2, "0190f5a2-7c1e-7000-8000-0000000000d2")
    + field(3, 1000000) + field(4, "MO/0001/DISKOMINFO/2027")))
write("fuzz_request", "signed_budget_line_over_limits", request(
    "Accounting.CreateBudgetLine", "req-12", "idem-12", 0, admin,
    msg(1, field(1, 2027) + field(2, "2.16.02.1.01.0001") + field(3, "5.1.02.02.01.0029")
        + field(4, "Belanja " * 60)) + field(2, -1) + field(3, "DPA/" + "9" * 200)))
# A partner's invoice: an order id that is no UUID, an over-long faktur
# number, a kuitansi as bytes (the accounting limits and checks).
write("fuzz_request", "signed_invoice_over_limits", request(
    "Accounting.SubmitInvoice", "req-13", "idem-13", 0, partner,
    msg(1, field(1, "0190F5A2-7C1E-7000-8000-0000000000E1") + field(1, "bukan-uuid")
        + field(2, "INV/001/2027") + field(3, "2027-02-30") + field(4, "02." * 30)
        + field(5, "Budi Santoso"))
    + msg(2, field(1, 2) + field(2, "kuitansi.pdf") + field(3, b"%PDF-1.4\n"))))

ev = event("0190f5a2-7c1e-7abc-8def-0123456789ab", "registry.company.registered", "registry", 4242,
           1767225600123456, "req-7", partner, b"\x0a\x02id")
write("fuzz_event_frame", "registered", b"registry.company.registered\0" + ev)
signed = event("0190f5a2-7c1e-7abc-8def-0123456789ab", "registry.company.registered", "registry",
               4242, 1767225600123456, "req-7", partner, b"\x0a\x02id", sign=True)
write("fuzz_event_frame", "registered_signed", b"registry.company.registered\0" + signed)
write("fuzz_event_frame", "minimal", b"ordering.order.created\0" + field(2, "ordering.order.created"))
write("fuzz_event_frame", "topic_mismatch", b"registry.company.approved\0" + ev)
write("fuzz_event_frame", "no_nul", b"registry.company.registered")
write("fuzz_event_frame", "garbage", b"a\0\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff")

hex32 = bytes(range(32)).hex()
write("fuzz_config", "good", b"8080\0tcp://127.0.0.1:5555\0" + hex32.encode())
write("fuzz_config", "good_ipc_upper", b"-5\0ipc:///run/seklik/registry.ipc\0" + hex32.upper().encode() * 2)
write("fuzz_config", "bad_all", b"80x\0http://gateway:8080\0" + hex32[:-1].encode())
write("fuzz_config", "out_of_range", b"99999999999999999999\0tcp://\0" + hex32[:-2].encode() + b"zz")
write("fuzz_config", "empty", b"\0\0")

# fuzz_cache_value: byte 0 even = a Redis value read under "seklik:fuzz:key" at
# 1700000000 (sk_cache_seal.h's layout), odd = a Redis URL.
CACHE_KEY = hmac.new(KEY, b"seklik/cache/v1", hashlib.sha256).digest()


def sealed(name, expires, payload):
    head = b"SKC\x01" + struct.pack(">Q", expires)
    mac = hmac.new(CACHE_KEY, b"SKC\x01" + struct.pack(">I", len(name)) + name
                   + struct.pack(">Q", expires) + payload, hashlib.sha256).digest()
    return head + mac + payload


session = b'{"csrf":"c","userId":"u","roles":["admin"],"expires":1700000300000}'
write("fuzz_cache_value", "genuine", b"\0" + sealed(b"seklik:fuzz:key", 2000000000, session))
write("fuzz_cache_value", "genuine_empty", b"\0" + sealed(b"seklik:fuzz:key", 1700000001, b""))
write("fuzz_cache_value", "expired", b"\0" + sealed(b"seklik:fuzz:key", 1700000000, session))
write("fuzz_cache_value", "other_key", b"\0" + sealed(b"seklik:fuzz:other", 2000000000, session))
write("fuzz_cache_value", "unsigned", b"\0" + session)
write("fuzz_cache_value", "url_credentials", b"\1redis://seklik:p%40ss@cache:6379/2")
write("fuzz_cache_value", "url_ipv6", b"\1redis://[::1]:6380")
write("fuzz_cache_value", "url_unix", b"\1unix:///run/redis/redis.sock?db=1")
write("fuzz_cache_value", "url_bad", b"\1redis://u:%zz@:0/x?y")

png_head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 1920, 1080) + b"\x08\x06\0\0\0"
write("fuzz_distribution", "png", png_head)
write("fuzz_distribution", "png_huge", png_head[:16] + struct.pack(">II", 0x80000000, 1))
write("fuzz_distribution", "jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
      b"\xff\xc0\x00\x11\x08\x02\x58\x03\x20\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xd9")
write("fuzz_distribution", "jpeg_fill_rst", b"\xff\xd8\xff\xff\xd0\xff\xc2\x00\x0b\x08\x00\x10\x00\x10\x01\x01\x11\x00")
write("fuzz_distribution", "pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
write("fuzz_distribution", "time_wib", b"2027-01-10T09:00:00.123+07:00")
write("fuzz_distribution", "time_bad", b"2027-02-29T24:00:00Z")
write("fuzz_distribution", "email", b"redaksi@kabar-alfa.co.id")
write("fuzz_distribution", "email_inject", b"a@x.test>\r\nRCPT TO:<v@x.test>")
write("fuzz_distribution", "url", b"https://kabar.test:8080/berita?id=1#a")
write("fuzz_distribution", "markdown", "# Judul\n\n**tebal** <script>alert(1)</script>\n\n"
      "[a](javascript:alert(1)) ![b](data:image/png;base64,AA==)\n\n> kutipan\n\n- satu\n- dua\n".encode())
write("fuzz_distribution", "header_utf8", "Rapat koordinasi — “Kabupaten” é".encode() * 3)
write("fuzz_distribution", "file_name", b"../../C:\\foto \"akhir\".jpg\r\n")
write("fuzz_distribution", "template_reset", b"user=01890a5d-ac96-774b-bcce-b302099a8057\n"
      b"token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCde\nminutes=30\nname=Sari <b>\n")
write("fuzz_distribution", "template_notice", b"kind=document_rejected\nlink=/my\ncompanyName=PT A & B\n"
      b"documentType=DOCUMENT_TYPE_NPWP\nreason=Buram\n")

/* The distribution service over the bus, against a real PostgreSQL and a
 * real SMTP server on loopback (Debian's python3-aiosmtpd, Mailbox handler:
 * one maildir file per message received). Three testpubs stand in for
 * registry, verification and scoring: the test writes their events.
 *
 * What it shows: releases reach exactly the verified partners' addresses
 * with subject, body and files; nothing before the embargo; the relay
 * killed mid-send -> retried later, each address one message; distribution
 * SIGKILLed mid-send -> the same; claims of a dead sender settled by the
 * hand-over mark; corrections are new versions told to everyone; the
 * partner wall on every method; photos checked by content; HTML in
 * Markdown never rendered.
 *
 * argv: testpub testsub logdir seklik-distribution */
#include <dirent.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "it_common.h"
#include "it_smtp.h"
#include "seklik/distribution.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "seklik/verification.pb-c.h"

#define YEAR 2027
#define MANY 150 /* addresses of the company the fault tests send to */

static const char *dist_bin;
static char dsn[512], reg_dsn[512], ver_dsn[512], sco_dsn[512];
static sk_test_peer dist, fake_registry, fake_verification, fake_scoring;
static it_smtp relay;
static sk_rpc_client *rpc;

/* ---- partners ---- */

typedef struct company {
    const char *name;
    char id[SK_UUID_STRLEN], outlet_id[SK_UUID_STRLEN];
    int outlet_type, tier;
    int n_emails;
    const char *prefix; /* addresses: <prefix><i>@media.test */
} company;

/* A: verified, 2 addresses, online, tier B. B: verified, 1 address, print,
 * tier C. C: registered, never verified. D: verified then suspended. E:
 * verified, no address (portal only). M and R: verified, MANY addresses
 * each, for the kill tests. */
static company A = {"PT Kabar Alfa", "", "", 2, 2, 2, "alfa"};
static company B = {"PT Berita Beta", "", "", 1, 1, 1, "beta"};
static company C = {"PT Cakra Belum", "", "", 2, 3, 1, "cakra"};
static company D = {"PT Dulu Skors", "", "", 3, 2, 1, "dulu"};
static company E = {"PT Tanpa Surel", "", "", 4, 1, 0, "tanpa"}; /* tier C */
static company M = {"PT Banyak Kirim", "", "", 2, 1, MANY, "kill"};
static company R = {"PT Relay Mati", "", "", 2, 1, MANY, "relay"};

static void address(const company *c, int i, char *out, size_t cap)
{
    snprintf(out, cap, "%s%d@media.test", c->prefix, i);
}

static void registry_event(company *c)
{
    Seklik__Registry__OutletInput oi = SEKLIK__REGISTRY__OUTLET_INPUT__INIT;
    oi.type = (Seklik__Registry__OutletType)c->outlet_type;
    char outlet_name[96];
    snprintf(outlet_name, sizeof(outlet_name), "%s Media", c->name);
    oi.name = outlet_name;
    Seklik__Registry__Outlet o = SEKLIK__REGISTRY__OUTLET__INIT, *outlets[] = {&o};
    o.id = c->outlet_id;
    o.data = &oi;
    Seklik__Registry__Contact contacts[MANY + 1], *cp[MANY + 1];
    char emails[MANY + 1][64];
    size_t n = 0;
    for (int i = 0; i < c->n_emails; i++, n++) {
        seklik__registry__contact__init(&contacts[n]);
        address(c, i, emails[n], sizeof(emails[n]));
        contacts[n].name = "Redaksi";
        contacts[n].email = emails[n];
        cp[n] = &contacts[n];
    }
    /* an address that must never reach RCPT TO */
    seklik__registry__contact__init(&contacts[n]);
    contacts[n].email = "evil@x.test>\r\nRCPT TO:<victim@x.test";
    cp[n] = &contacts[n];
    n++;
    Seklik__Registry__CompanyInput ci = SEKLIK__REGISTRY__COMPANY_INPUT__INIT;
    ci.legal_name = (char *)c->name;
    ci.contacts = cp;
    ci.n_contacts = n;
    Seklik__Registry__Company co = SEKLIK__REGISTRY__COMPANY__INIT;
    co.id = c->id;
    co.data = &ci;
    co.outlets = outlets;
    co.n_outlets = 1;
    Seklik__Registry__CompanyChanged ev = SEKLIK__REGISTRY__COMPANY_CHANGED__INIT;
    ev.company = &co;
    it_inject(reg_dsn, "registry.company.submitted", &ev.base);
}

static void verification_event(const company *c, const char *outcome, int state)
{
    Seklik__Verification__Case vc = SEKLIK__VERIFICATION__CASE__INIT;
    vc.company_id = (char *)c->id;
    vc.fiscal_year = YEAR;
    vc.state = state;
    vc.valid_until = "2099-12-31";
    Seklik__Verification__CaseChanged ev = SEKLIK__VERIFICATION__CASE_CHANGED__INIT;
    ev.verification_case = &vc;
    char type[64];
    snprintf(type, sizeof(type), "verification.company.%s", outcome);
    it_inject(ver_dsn, type, &ev.base);
}

static void tier_event(const company *c)
{
    Seklik__Scoring__OutletScore s = SEKLIK__SCORING__OUTLET_SCORE__INIT;
    s.outlet_id = (char *)c->outlet_id;
    s.company_id = (char *)c->id;
    s.fiscal_year = YEAR;
    s.tier = (Seklik__Scoring__Tier)c->tier;
    Seklik__Scoring__OutletTiered ev = SEKLIK__SCORING__OUTLET_TIERED__INIT;
    ev.score = &s;
    it_inject(sco_dsn, "scoring.outlet.tiered", &ev.base);
}

static void wait_applied(void)
{
    static const char sql[] =
        "SELECT count(*) FROM distribution.inbox_offsets WHERE (source = 'registry' AND"
        " last_seq = $1::bigint) OR (source = 'verification' AND last_seq = $2::bigint) OR"
        " (source = 'scoring' AND last_seq = $3::bigint)";
    for (int i = 0; i < 400; i++) {
        long long reg = sk_test_sql_number(reg_dsn, "SELECT last_seq FROM testpub.outbox_head");
        long long ver = sk_test_sql_number(ver_dsn, "SELECT last_seq FROM testpub.outbox_head");
        long long sco = sk_test_sql_number(sco_dsn, "SELECT last_seq FROM testpub.outbox_head");
        char seqs[3][24];
        snprintf(seqs[0], sizeof(seqs[0]), "%lld", reg);
        snprintf(seqs[1], sizeof(seqs[1]), "%lld", ver);
        snprintf(seqs[2], sizeof(seqs[2]), "%lld", sco);
        const char *params[] = {seqs[0], seqs[1], seqs[2]};
        if (sk_test_sql_number_params(dsn, sql, 3, params) == (reg > 0) + (ver > 0) + (sco > 0))
            return;
        sk_test_sleep_ms(50);
    }
    fail_msg("distribution did not apply the events");
}

/* ---- actors and calls ---- */

static Seklik__Bus__Actor pr(void)
{
    return it_actor("humas-1", "pr", NULL);
}

static Seklik__Bus__Actor partner(const company *c)
{
    return it_actor("mitra-1", "partner", c->id);
}

static Seklik__Bus__Response *call(const char *method, const Seklik__Bus__Actor *actor,
                                   const ProtobufCMessage *in)
{
    char key[SK_UUID_STRLEN], full[64];
    sk_uuid7(key);
    snprintf(full, sizeof(full), "Distribution.%s", method);
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(sk_rpc_call(rpc, full, actor, key, in, 30000, &resp), SK_OK);
    return resp;
}

static void *body(const Seklik__Bus__Response *r, const ProtobufCMessageDescriptor *d)
{
    if (it_code(r) != SK_OK) {
        fprintf(stderr, "code %d: %s\n", it_code(r), r->message);
        for (size_t i = 0; i < r->n_violations; i++)
            fprintf(stderr, "  %s: %s\n", r->violations[i]->field, r->violations[i]->description);
    }
    assert_int_equal(it_code(r), SK_OK);
    void *m = protobuf_c_message_unpack(d, NULL, r->body.len, r->body.data);
    assert_non_null(m);
    return m;
}

/* The code of a call, the response freed. */
static int code_of(const char *method, const Seklik__Bus__Actor *actor, const ProtobufCMessage *in)
{
    Seklik__Bus__Response *r = call(method, actor, in);
    int c = it_code(r);
    seklik__bus__response__free_unpacked(r, NULL);
    return c;
}

/* The response's violation of `field` with code `code` (FieldViolation.code),
 * or NULL. */
static const Seklik__Bus__FieldViolation *violation_of(const Seklik__Bus__Response *r,
                                                       const char *field, const char *code)
{
    for (size_t i = 0; i < r->n_violations; i++)
        if (strcmp(r->violations[i]->field, field) == 0 &&
            strcmp(r->violations[i]->code, code) == 0)
            return r->violations[i];
    return NULL;
}

/* Does the response name `field` with code `code`? */
static bool names(const Seklik__Bus__Response *r, const char *field, const char *code)
{
    return violation_of(r, field, code) != NULL;
}

/* The refusal's message starts with `code` and ": " (the UI words it). */
static void refused_with(const char *method, const Seklik__Bus__Actor *actor,
                         const ProtobufCMessage *in, int want, const char *code)
{
    Seklik__Bus__Response *r = call(method, actor, in);
    assert_int_equal(it_code(r), want);
    size_t n = strlen(code);
    if (strncmp(r->message, code, n) != 0 || strncmp(r->message + n, ": ", 2) != 0)
        fail_msg("%s: message \"%s\" does not start with %s", method, r->message, code);
    seklik__bus__response__free_unpacked(r, NULL);
}

/* ---- files ---- */

/* A PNG header saying w x h (the rest is not an image, which the service
 * does not decode: it reads the size and refuses what is too large). */
static size_t png(uint8_t *out, uint32_t w, uint32_t h)
{
    static const uint8_t sig[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A,
                                  0,    0,   0,   13,  'I',  'H',  'D',  'R'};
    memcpy(out, sig, sizeof(sig));
    uint8_t dims[] = {w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h};
    memcpy(out + 16, dims, 8);
    for (size_t i = 24; i < 300; i++)
        out[i] = (uint8_t)(i * 7);
    return 300;
}

static const char PDF[] =
    /* a PDF with one page: the services open what they store (sk_pdf.h) */
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
    "trailer<</Root 1 0 R>>\n%%EOF\n";

static Seklik__Bus__Response *add_file(const char *release_id, int kind, const char *name,
                                       const uint8_t *data, size_t len)
{
    Seklik__Distribution__AddFileRequest req = SEKLIK__DISTRIBUTION__ADD_FILE_REQUEST__INIT;
    req.release_id = (char *)release_id;
    req.kind = (Seklik__Distribution__FileKind)kind;
    req.file_name = (char *)name;
    req.caption = "Foto kegiatan";
    req.content.data = (uint8_t *)data;
    req.content.len = len;
    Seklik__Bus__Actor a = pr();
    return call("AddFile", &a, &req.base);
}

/* ---- releases ---- */

static const char BODY_MD[] =
    "Pemerintah **Kabupaten** menggelar *rapat koordinasi*.\n\n"
    "<script>alert('x')</script>\n\n"
    "<img src=x onerror=\"alert(1)\">\n\n"
    "[tautan](javascript:alert(1)) dan [situs](https://diskominfo.test/berita)\n";

static void fill_input(Seklik__Distribution__ReleaseInput *in, Seklik__Distribution__ContactPerson *c,
                       const char *title)
{
    seklik__distribution__release_input__init(in);
    seklik__distribution__contact_person__init(c);
    in->title = (char *)title;
    in->lead = "Rapat koordinasi digelar di aula kantor bupati.";
    in->body_markdown = (char *)BODY_MD;
    in->category = SEKLIK__DISTRIBUTION__CATEGORY__CATEGORY_GOVERNMENT;
    c->name = "Sari Humas";
    c->role = "Kepala Bidang";
    c->phone = "0812-3456-7890";
    c->email = "humas@diskominfo.test";
    in->contact = c;
}

/* A draft for `title` to `sel`; its id into `id`. */
static void create(const char *title, Seklik__Distribution__RecipientSelection *sel, char *id)
{
    Seklik__Distribution__ReleaseInput in;
    Seklik__Distribution__ContactPerson c;
    fill_input(&in, &c, title);
    Seklik__Distribution__CreateReleaseRequest req =
        SEKLIK__DISTRIBUTION__CREATE_RELEASE_REQUEST__INIT;
    req.content = &in;
    req.recipients = sel;
    Seklik__Bus__Actor a = pr();
    Seklik__Bus__Response *r = call("CreateRelease", &a, &req.base);
    Seklik__Distribution__Release *rel = body(r, &seklik__distribution__release__descriptor);
    snprintf(id, SK_UUID_STRLEN, "%s", rel->id);
    assert_int_equal(rel->state, SEKLIK__DISTRIBUTION__RELEASE_STATE__RELEASE_STATE_DRAFT);
    protobuf_c_message_free_unpacked(&rel->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
}

static int schedule(const char *id, const char *embargo)
{
    Seklik__Distribution__ScheduleRequest req = SEKLIK__DISTRIBUTION__SCHEDULE_REQUEST__INIT;
    req.release_id = (char *)id;
    req.embargo_until = (char *)(embargo ? embargo : "");
    Seklik__Bus__Actor a = pr();
    Seklik__Bus__Response *r = call("Schedule", &a, &req.base);
    int c = it_code(r);
    if (c != SK_OK)
        body(r, &seklik__distribution__release__descriptor); /* prints why, fails */
    seklik__bus__response__free_unpacked(r, NULL);
    return c;
}

static Seklik__Distribution__RecipientSelection chosen(company *c, char **ids)
{
    ids[0] = c->id;
    Seklik__Distribution__RecipientSelection s = SEKLIK__DISTRIBUTION__RECIPIENT_SELECTION__INIT;
    s.mode = SEKLIK__DISTRIBUTION__RECIPIENT_MODE__RECIPIENT_MODE_CHOSEN;
    s.company_ids = ids;
    s.n_company_ids = 1;
    return s;
}

static long long sql_id(const char *fmt, const char *id)
{
    return sk_test_sql_number_p(dsn, fmt, id);
}

static long long deliveries_in(const char *release_id, const char *state)
{
    const char *params[] = {release_id, state};
    return sk_test_sql_number_params(
        dsn,
        "SELECT count(*) FROM distribution.mail_delivery d JOIN distribution.mail_message m"
        " ON m.id = d.message_id WHERE m.release_id = $1::uuid AND d.state = $2",
        2, params);
}

static void wait_all_sent(const char *release_id, long long n, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 50) {
        if (deliveries_in(release_id, "sent") == n)
            return;
        sk_test_sleep_ms(50);
    }
    fail_msg("release %s: %lld of %lld deliveries sent", release_id,
             deliveries_in(release_id, "sent"), n);
}

/* ---- the mailbox ---- */

typedef struct mail {
    char *text;     /* the whole file */
    char rcpt[128];
    char subject[256];
    char message_id[160];
    time_t received;
} mail;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return s;
}

/* The value of header `name` (the first, unfolded) into `out`. */
static void header(const char *text, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    size_t n = strlen(name);
    for (const char *p = text; p && *p && *p != '\n'; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            size_t len = strcspn(v, "\r\n");
            snprintf(out, cap, "%.*s", (int)(len < cap ? len : cap - 1), v);
            return;
        }
    }
}

/* Every message received so far whose subject holds `tag`. */
static size_t mailbox(const char *tag, mail *out, size_t cap)
{
    char dir[700];
    snprintf(dir, sizeof(dir), "%s/new", relay.dir);
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1000];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        char *text = read_file(path, NULL);
        if (!text)
            continue;
        mail m = {.text = text};
        header(text, "Subject", m.subject, sizeof(m.subject));
        if (!strstr(m.subject, tag) || n >= cap) {
            free(text);
            continue;
        }
        header(text, "X-RcptTo", m.rcpt, sizeof(m.rcpt));
        header(text, "Message-ID", m.message_id, sizeof(m.message_id));
        struct stat st;
        m.received = stat(path, &st) == 0 ? st.st_mtime : 0;
        out[n++] = m;
    }
    if (d)
        closedir(d);
    return n;
}

static void mails_free(mail *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i].text);
}

static size_t count_mail(const char *tag)
{
    static mail m[4 * MANY];
    size_t n = mailbox(tag, m, 4 * MANY);
    mails_free(m, n);
    return n;
}

/* Each of `c`'s addresses got exactly one message with `tag`, and no one else. */
static void assert_once_each(const company *c, const char *tag)
{
    static mail m[4 * MANY];
    size_t n = mailbox(tag, m, 4 * MANY);
    for (int i = 0; i < c->n_emails; i++) {
        char a[64];
        address(c, i, a, sizeof(a));
        int got = 0;
        for (size_t k = 0; k < n; k++)
            got += strcmp(m[k].rcpt, a) == 0;
        if (got != 1)
            fail_msg("%s received %d messages with \"%s\"", a, got, tag);
    }
    size_t total = n;
    mails_free(m, n);
    assert_int_equal(total, (size_t)c->n_emails);
}

/* The decoded body of the part after `marker` (a Content-Type or a file name). */
static char *part_body(const char *text, const char *marker, size_t *len)
{
    const char *p = strstr(text, marker);
    if (!p)
        return NULL;
    const char *start = strstr(p, "\n\n");
    if (!start)
        return NULL;
    start += 2;
    const char *end = strstr(start, "\n--");
    if (!end)
        end = start + strlen(start);
    bool b64 = false, qp = false;
    char headers[600];
    snprintf(headers, sizeof(headers), "%.*s", (int)(start - p < 599 ? start - p : 599), p);
    b64 = strstr(headers, "base64") != NULL;
    qp = strstr(headers, "quoted-printable") != NULL;
    size_t n = (size_t)(end - start);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    if (b64) {
        size_t bin = 0;
        if (sodium_base642bin((unsigned char *)out, n, start, n, "\r\n", &bin, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0) {
            free(out);
            return NULL;
        }
        *len = bin;
    } else if (qp) {
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
            if (start[i] == '=' && i + 1 < n && start[i + 1] == '\n') {
                i++;
            } else if (start[i] == '=' && i + 2 < n) {
                char hex[3] = {start[i + 1], start[i + 2], 0};
                out[o++] = (char)strtol(hex, NULL, 16);
                i += 2;
            } else {
                out[o++] = start[i];
            }
        }
        *len = o;
    } else {
        memcpy(out, start, n);
        *len = n;
    }
    out[*len] = '\0';
    return out;
}

/* ---- the SMTP relay ---- */

static void relay_up(void)
{
    assert_int_equal(it_smtp_start(&relay), 0);
}

static void relay_kill(void)
{
    it_smtp_kill(&relay);
}

/* ---- fixture ---- */

static int start_distribution(void)
{
    char log[512];
    return sk_test_peer_start(&dist, dist_bin, it_log(log, sizeof(log), "distribution", "distribution"));
}

static int setup(void **state)
{
    (void)state;
    char log[512];
    const char *redis = sk_test_env("SEKLIK_TEST_REDIS_URL");
    if (!redis || !sk_test_create_db("it_distribution", dsn, sizeof(dsn)) ||
        !sk_test_create_db("it_distribution_registry", reg_dsn, sizeof(reg_dsn)) ||
        !sk_test_create_db("it_distribution_verification", ver_dsn, sizeof(ver_dsn)) ||
        !sk_test_create_db("it_distribution_scoring", sco_dsn, sizeof(sco_dsn)))
        return -1;
    if (it_smtp_init(&relay, it_logdir, "it_distribution"))
        return -1;

    sk_test_peer_init(&fake_registry, "testpub", reg_dsn, redis);
    sk_test_peer_init(&fake_verification, "testpub", ver_dsn, redis);
    sk_test_peer_init(&fake_scoring, "testpub", sco_dsn, redis);
    if (sk_test_peer_start(&fake_registry, it_pub_bin, it_log(log, sizeof(log), "distribution", "registry")) ||
        sk_test_peer_start(&fake_verification, it_pub_bin, it_log(log, sizeof(log), "distribution", "verification")) ||
        sk_test_peer_start(&fake_scoring, it_pub_bin, it_log(log, sizeof(log), "distribution", "scoring")))
        return -1;
    sk_test_peer_init(&dist, "distribution", dsn, redis);
    sk_test_peer_setenv(&dist, "SEKLIK_REGISTRY_RPC", fake_registry.rpc);
    sk_test_peer_setenv(&dist, "SEKLIK_REGISTRY_EVENTS", fake_registry.events);
    sk_test_peer_setenv(&dist, "SEKLIK_VERIFICATION_RPC", fake_verification.rpc);
    sk_test_peer_setenv(&dist, "SEKLIK_VERIFICATION_EVENTS", fake_verification.events);
    sk_test_peer_setenv(&dist, "SEKLIK_SCORING_RPC", fake_scoring.rpc);
    sk_test_peer_setenv(&dist, "SEKLIK_SCORING_EVENTS", fake_scoring.events);
    char url[64];
    it_smtp_url(&relay, url, sizeof(url));
    sk_test_peer_setenv(&dist, "SEKLIK_SMTP_URL", url);
    sk_test_peer_setenv(&dist, "SEKLIK_SMTP_FROM", "Diskominfo Uji <humas@diskominfo.test>");
    sk_test_peer_setenv(&dist, "SEKLIK_MAIL_POLL_MS", "100");
    sk_test_peer_setenv(&dist, "SEKLIK_SMTP_RETRY_BASE_S", "1");
    sk_test_peer_setenv(&dist, "SEKLIK_SMTP_RETRY_MAX_S", "2");
    sk_test_peer_setenv(&dist, "SEKLIK_SMTP_TIMEOUT_S", "5");
    sk_test_peer_setenv(&dist, "SEKLIK_SMTP_MAX_ATTEMPTS", "50");
    if (start_distribution())
        return -1;
    rpc = it_client(dist.rpc);
    relay_up();

    company *all[] = {&A, &B, &C, &D, &E, &M, &R};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        sk_uuid7(all[i]->id);
        sk_uuid7(all[i]->outlet_id);
        registry_event(all[i]);
        tier_event(all[i]);
        if (all[i] != &C)
            verification_event(all[i], "verified",
                               SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    }
    verification_event(&D, "suspended", SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_SUSPENDED);
    wait_applied();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sk_rpc_client_close(rpc);
    sk_proc_signal(&dist.proc, SIGTERM);
    int rc = sk_proc_wait(&dist.proc, 15000);
    sk_test_peer *fakes[] = {&fake_registry, &fake_verification, &fake_scoring};
    for (size_t i = 0; i < 3; i++) {
        sk_proc_signal(&fakes[i]->proc, SIGTERM);
        sk_proc_wait(&fakes[i]->proc, 15000);
    }
    relay_kill();
    return rc == 0 ? 0 : -1;
}

/* ---- tests ---- */

static char first_release[SK_UUID_STRLEN];

static void release_reaches_each_verified_address_once_with_its_files(void **state)
{
    (void)state;
    Seklik__Distribution__RecipientSelection all = SEKLIK__DISTRIBUTION__RECIPIENT_SELECTION__INIT;
    all.mode = SEKLIK__DISTRIBUTION__RECIPIENT_MODE__RECIPIENT_MODE_FILTER;
    Seklik__Registry__OutletType types[] = {SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER,
                                            SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_CETAK,
                                            SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_RADIO,
                                            SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_TV};
    Seklik__Scoring__Tier tiers[] = {SEKLIK__SCORING__TIER__TIER_B, SEKLIK__SCORING__TIER__TIER_C};
    all.outlet_types = types;
    all.n_outlet_types = 4;
    all.tiers = tiers;
    all.n_tiers = 2;
    all.fiscal_year = YEAR;
    create("Rapat Koordinasi UJI-SATU", &all, first_release);

    uint8_t photo[400];
    size_t photo_len = png(photo, 1200, 800);
    Seklik__Bus__Response *r = add_file(first_release, 1, "../../etc/foto rapat.png", photo, photo_len);
    Seklik__Distribution__ReleaseFile *f = body(r, &seklik__distribution__release_file__descriptor);
    assert_string_equal(f->content_type, "image/png");
    assert_string_equal(f->file_name, "foto rapat.png");
    assert_int_equal(f->width, 1200);
    assert_int_equal(f->height, 800);
    protobuf_c_message_free_unpacked(&f->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
    r = add_file(first_release, 2, "undangan.pdf", (const uint8_t *)PDF, sizeof(PDF) - 1);
    f = body(r, &seklik__distribution__release_file__descriptor);
    assert_string_equal(f->content_type, "application/pdf");
    protobuf_c_message_free_unpacked(&f->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);

    /* the picker's counts: A (2 addresses), B (1), E (none); not C, not D */
    Seklik__Distribution__PreviewRecipientsRequest pv =
        SEKLIK__DISTRIBUTION__PREVIEW_RECIPIENTS_REQUEST__INIT;
    pv.recipients = &all;
    Seklik__Bus__Actor a = pr();
    r = call("PreviewRecipients", &a, &pv.base);
    Seklik__Distribution__RecipientPreview *p =
        body(r, &seklik__distribution__recipient_preview__descriptor);
    /* M and R are tier C online outlets too */
    assert_int_equal(p->companies, 5);
    assert_int_equal(p->addresses, 3 + 2 * MANY);
    assert_int_equal(p->without_address, 1);
    protobuf_c_message_free_unpacked(&p->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);

    /* this one goes to A, B and E only */
    char *ids[] = {A.id, B.id, E.id, C.id};
    Seklik__Distribution__RecipientSelection pick = SEKLIK__DISTRIBUTION__RECIPIENT_SELECTION__INIT;
    pick.mode = SEKLIK__DISTRIBUTION__RECIPIENT_MODE__RECIPIENT_MODE_CHOSEN;
    pick.company_ids = ids;
    pick.n_company_ids = 4;
    Seklik__Distribution__ReleaseInput in;
    Seklik__Distribution__ContactPerson c;
    fill_input(&in, &c, "Rapat Koordinasi UJI-SATU");
    Seklik__Distribution__UpdateReleaseRequest up = SEKLIK__DISTRIBUTION__UPDATE_RELEASE_REQUEST__INIT;
    up.release_id = first_release;
    up.content = &in;
    up.recipients = &pick;
    r = call("UpdateRelease", &a, &up.base);
    Seklik__Distribution__Release *rel = body(r, &seklik__distribution__release__descriptor);
    assert_int_equal(rel->n_files, 2);
    /* the preview the server renders: no raw HTML, no script link */
    assert_null(strstr(rel->body_html, "<script"));
    assert_null(strstr(rel->body_html, "onerror"));
    assert_null(strstr(rel->body_html, "javascript:"));
    assert_non_null(strstr(rel->body_html, "<strong>Kabupaten</strong>"));
    assert_non_null(strstr(rel->body_html, "href=\"https://diskominfo.test/berita\""));
    protobuf_c_message_free_unpacked(&rel->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);

    assert_int_equal(schedule(first_release, NULL), SK_OK);
    wait_all_sent(first_release, 3, 20000);

    mail m[8];
    size_t n = mailbox("UJI-SATU", m, 8);
    assert_int_equal(n, 3);
    const char *expected[] = {"alfa0@media.test", "alfa1@media.test", "beta0@media.test"};
    for (size_t i = 0; i < 3; i++) {
        int got = 0;
        for (size_t k = 0; k < n; k++)
            got += strcmp(m[k].rcpt, expected[i]) == 0;
        assert_int_equal(got, 1);
    }
    for (size_t k = 0; k < n; k++) {
        assert_string_equal(m[k].subject, "Rapat Koordinasi UJI-SATU");
        assert_null(strstr(m[k].text, "victim"));
        char from[128];
        header(m[k].text, "From", from, sizeof(from));
        assert_non_null(strstr(from, "humas@diskominfo.test"));
        /* one Message-ID per address, in the mail and in the queue */
        assert_true(strlen(m[k].message_id) > 40);
        for (size_t j = 0; j < k; j++)
            assert_string_not_equal(m[k].message_id, m[j].message_id);
        char id[40];
        snprintf(id, sizeof(id), "%.36s", m[k].message_id + 1);
        assert_int_equal(sql_id("SELECT count(*) FROM distribution.mail_delivery WHERE id = $1::uuid"
                                " AND state = 'sent' AND confirmed", id),
                         1);
        size_t len = 0;
        char *text = part_body(m[k].text, "text/plain", &len);
        assert_non_null(text);
        assert_non_null(strstr(text, "Rapat koordinasi digelar di aula kantor bupati."));
        assert_non_null(strstr(text, "Sari Humas (Kepala Bidang)"));
        free(text);
        char *html = part_body(m[k].text, "text/html", &len);
        assert_non_null(html);
        assert_non_null(strstr(html, "<strong>Kabupaten</strong>"));
        assert_null(strstr(html, "<script"));
        assert_null(strstr(html, "onerror"));
        assert_null(strstr(html, "javascript:"));
        free(html);
        uint8_t *att = (uint8_t *)part_body(m[k].text, "filename=\"foto rapat.png\"", &len);
        assert_non_null(att);
        assert_int_equal(len, photo_len);
        assert_memory_equal(att, photo, photo_len);
        free(att);
        att = (uint8_t *)part_body(m[k].text, "filename=\"undangan.pdf\"", &len);
        assert_non_null(att);
        assert_int_equal(len, sizeof(PDF) - 1);
        assert_memory_equal(att, PDF, len);
        free(att);
    }
    mails_free(m, n);

    /* the read model kept no address that could smuggle a command into RCPT TO */
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM distribution.company"
                                             " WHERE array_to_string(emails, ' ') LIKE '%victim%'"),
                     0);
    /* every accepted message was marked handed over before the relay's answer */
    assert_int_equal(sql_id("SELECT count(*) FROM distribution.mail_delivery d"
                            " JOIN distribution.mail_message m ON m.id = d.message_id"
                            " WHERE m.release_id = $1::uuid AND (d.handed_at IS NULL"
                            " OR d.handed_at > d.sent_at)",
                            first_release),
                     0);
    /* frozen: A, B, E; C was chosen but is no verified partner */
    assert_int_equal(sql_id("SELECT count(*) FROM distribution.recipient WHERE release_id = $1::uuid",
                            first_release),
                     3);
    /* E has no address, but the release is in its inbox */
    Seklik__Distribution__ListInboxRequest li = SEKLIK__DISTRIBUTION__LIST_INBOX_REQUEST__INIT;
    Seklik__Bus__Actor pe = partner(&E);
    r = call("ListInbox", &pe, &li.base);
    Seklik__Distribution__ListInboxResponse *inbox =
        body(r, &seklik__distribution__list_inbox_response__descriptor);
    assert_int_equal(inbox->n_items, 1);
    assert_string_equal(inbox->items[0]->release_id, first_release);
    assert_int_equal(inbox->unread, 1);
    protobuf_c_message_free_unpacked(&inbox->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
}

static void html_in_markdown_is_not_rendered(void **state)
{
    (void)state;
    Seklik__Distribution__RenderRequest req = SEKLIK__DISTRIBUTION__RENDER_REQUEST__INIT;
    req.body_markdown = "# Judul\n\n<script>alert(1)</script>\n\n<iframe src=\"https://x.test\"></iframe>\n\n"
                        "[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html;base64,PHNjcmlwdD4=)\n\n"
                        "<a href=\"#\" onclick=\"alert(1)\">klik</a>\n";
    Seklik__Bus__Actor a = it_actor("pimpinan", "head", NULL);
    Seklik__Bus__Response *r = call("RenderPreview", &a, &req.base);
    Seklik__Distribution__RenderResponse *out =
        body(r, &seklik__distribution__render_response__descriptor);
    assert_non_null(strstr(out->body_html, "<h1>Judul</h1>"));
    const char *never[] = {"<script", "<iframe", "onclick", "javascript:", "vbscript:", "data:text"};
    for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
        if (strstr(out->body_html, never[i]))
            fail_msg("rendered HTML holds %s: %s", never[i], out->body_html);
    protobuf_c_message_free_unpacked(&out->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
}

static void photos_and_attachments_are_checked_by_content(void **state)
{
    (void)state;
    char id[SK_UUID_STRLEN];
    char *ids[1];
    Seklik__Distribution__RecipientSelection s = chosen(&A, ids);
    create("Berkas UJI-BERKAS", &s, id);
    static uint8_t big[6 * 1024 * 1024];
    size_t n = png(big, 100, 100);
    (void)n;
    uint8_t huge[400];
    png(huge, 9000, 100);
    static const char NOT_IMAGE[] = "Ini bukan gambar, hanya teks yang dinamai foto.jpg";
    struct {
        int kind;
        const char *name;
        const uint8_t *data;
        size_t len;
        const char *code;
    } cases[] = {
        {1, "dokumen.png", (const uint8_t *)PDF, sizeof(PDF) - 1, "file.not_image"},
        {1, "foto.jpg", (const uint8_t *)NOT_IMAGE, sizeof(NOT_IMAGE) - 1, "file.not_image"},
        {1, "raksasa.png", huge, sizeof(huge), "image.too_large"},
        {1, "besar.png", big, sizeof(big), "too_large"},
        {1, "kosong.png", NULL, 0, "required"},
        {2, "program.exe", (const uint8_t *)"MZ\x90\x00\x03", 5, "file.type"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        Seklik__Bus__Response *r = add_file(id, cases[i].kind, cases[i].name, cases[i].data,
                                            cases[i].len);
        assert_int_equal(it_code(r), SK_EINVAL);
        if (!names(r, "content", cases[i].code))
            fail_msg("case %zu: no content/%s", i, cases[i].code);
        if (strcmp(cases[i].code, "too_large") == 0) /* the limit, for the UI's words */
            assert_string_equal(violation_of(r, "content", "too_large")->description,
                                "at most 5 MiB");
        seklik__bus__response__free_unpacked(r, NULL);
    }
    assert_int_equal(sql_id("SELECT count(*) FROM distribution.file WHERE release_id = $1::uuid", id), 0);
    /* a real JPEG header is taken, its size read from the frame header */
    static const uint8_t jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 'J',  'F',  0xFF, 0xC0,
                                   0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x20, 0x03, 0x01, 0x22,
                                   0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xFF, 0xD9};
    Seklik__Bus__Response *r = add_file(id, 1, "foto.jpg", jpeg, sizeof(jpeg));
    Seklik__Distribution__ReleaseFile *f = body(r, &seklik__distribution__release_file__descriptor);
    assert_int_equal(f->width, 800);
    assert_int_equal(f->height, 600);
    protobuf_c_message_free_unpacked(&f->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
}

static void nothing_is_sent_or_shown_before_the_embargo(void **state)
{
    (void)state;
    char id[SK_UUID_STRLEN];
    char *ids[1];
    Seklik__Distribution__RecipientSelection s = chosen(&A, ids);
    create("Embargo UJI-EMBARGO", &s, id);
    time_t embargo = time(NULL) + 8;
    char at[40];
    struct tm tm;
    time_t wib = embargo + 7 * 3600;
    gmtime_r(&wib, &tm);
    strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%S+07:00", &tm);
    assert_int_equal(schedule(id, at), SK_OK);

    Seklik__Bus__Actor pa = partner(&A);
    Seklik__Distribution__ReleaseIdRequest rid = SEKLIK__DISTRIBUTION__RELEASE_ID_REQUEST__INIT;
    rid.release_id = id;
    Seklik__Distribution__GetFileRequest gf = SEKLIK__DISTRIBUTION__GET_FILE_REQUEST__INIT;
    gf.release_id = id;
    gf.file_id = id;
    Seklik__Distribution__ReportPickupRequest rp = SEKLIK__DISTRIBUTION__REPORT_PICKUP_REQUEST__INIT;
    rp.release_id = id;
    rp.url = "https://alfa.test/berita/embargo";
    int checks = 0;
    while (time(NULL) < embargo - 1) {
        assert_int_equal(count_mail("UJI-EMBARGO"), 0);
        assert_int_equal(sql_id("SELECT count(*) FROM distribution.release WHERE id = $1::uuid"
                                " AND state = 'scheduled'", id),
                         1);
        Seklik__Distribution__ListInboxRequest li = SEKLIK__DISTRIBUTION__LIST_INBOX_REQUEST__INIT;
        Seklik__Bus__Response *r = call("ListInbox", &pa, &li.base);
        Seklik__Distribution__ListInboxResponse *inbox =
            body(r, &seklik__distribution__list_inbox_response__descriptor);
        for (size_t i = 0; i < inbox->n_items; i++)
            assert_string_not_equal(inbox->items[i]->release_id, id);
        protobuf_c_message_free_unpacked(&inbox->base, NULL);
        seklik__bus__response__free_unpacked(r, NULL);
        assert_int_equal(code_of("GetInboxRelease", &pa, &rid.base), SK_ENOTFOUND);
        assert_int_equal(code_of("MarkRead", &pa, &rid.base), SK_ENOTFOUND);
        assert_int_equal(code_of("GetFile", &pa, &gf.base), SK_ENOTFOUND);
        assert_int_equal(code_of("ReportPickup", &pa, &rp.base), SK_ENOTFOUND);
        checks++;
        sk_test_sleep_ms(250);
    }
    assert_true(checks >= 3);
    wait_all_sent(id, 2, 20000);
    /* sent at or after the embargo, every message */
    assert_int_equal(sql_id("SELECT count(*) FROM distribution.release WHERE id = $1::uuid"
                            " AND sent_at >= embargo_until",
                            id),
                     1);
    assert_int_equal(sql_id("SELECT count(*) FROM distribution.mail_delivery d"
                            " JOIN distribution.mail_message m ON m.id = d.message_id"
                            " JOIN distribution.release r ON r.id = m.release_id"
                            " WHERE r.id = $1::uuid AND d.sent_at < r.embargo_until",
                            id),
                     0);
    assert_int_equal(count_mail("UJI-EMBARGO"), 2);
    assert_int_equal(code_of("GetInboxRelease", &pa, &rid.base), SK_OK);
}

/* Partner wall and roles on every method. */
typedef struct method_case {
    const char *method;
    const ProtobufCMessage *in;
    int partner_a;       /* A's partner account, the release sent to B only */
    int head;            /* a head (read-only) */
} method_case;

static void every_method_checks_role_and_partner_wall(void **state)
{
    (void)state;
    /* a release sent to B only */
    char id[SK_UUID_STRLEN];
    char *ids[1];
    Seklik__Distribution__RecipientSelection s = chosen(&B, ids);
    create("Hanya B UJI-DINDING", &s, id);
    uint8_t photo[400];
    size_t photo_len = png(photo, 10, 10);
    Seklik__Bus__Response *r = add_file(id, 1, "b.png", photo, photo_len);
    Seklik__Distribution__ReleaseFile *file = body(r, &seklik__distribution__release_file__descriptor);
    char file_id[SK_UUID_STRLEN];
    snprintf(file_id, sizeof(file_id), "%s", file->id);
    protobuf_c_message_free_unpacked(&file->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(schedule(id, NULL), SK_OK);
    wait_all_sent(id, 1, 20000);

    Seklik__Distribution__ReleaseInput in;
    Seklik__Distribution__ContactPerson cp;
    fill_input(&in, &cp, "Dinding");
    Seklik__Distribution__CreateReleaseRequest create_req = SEKLIK__DISTRIBUTION__CREATE_RELEASE_REQUEST__INIT;
    create_req.content = &in;
    Seklik__Distribution__UpdateReleaseRequest update_req = SEKLIK__DISTRIBUTION__UPDATE_RELEASE_REQUEST__INIT;
    update_req.release_id = id;
    update_req.content = &in;
    Seklik__Distribution__AddFileRequest add_req = SEKLIK__DISTRIBUTION__ADD_FILE_REQUEST__INIT;
    add_req.release_id = id;
    add_req.kind = SEKLIK__DISTRIBUTION__FILE_KIND__FILE_KIND_PHOTO;
    add_req.file_name = "x.png";
    add_req.content.data = photo;
    add_req.content.len = photo_len;
    Seklik__Distribution__RemoveFileRequest remove_req = SEKLIK__DISTRIBUTION__REMOVE_FILE_REQUEST__INIT;
    remove_req.release_id = id;
    remove_req.file_id = file_id;
    Seklik__Distribution__ScheduleRequest sched_req = SEKLIK__DISTRIBUTION__SCHEDULE_REQUEST__INIT;
    sched_req.release_id = id;
    Seklik__Distribution__ReleaseIdRequest rid = SEKLIK__DISTRIBUTION__RELEASE_ID_REQUEST__INIT;
    rid.release_id = id;
    Seklik__Distribution__CorrectRequest corr_req = SEKLIK__DISTRIBUTION__CORRECT_REQUEST__INIT;
    corr_req.release_id = id;
    corr_req.content = &in;
    corr_req.note = "salah ketik";
    Seklik__Distribution__RenderRequest render_req = SEKLIK__DISTRIBUTION__RENDER_REQUEST__INIT;
    render_req.body_markdown = "x";
    Seklik__Distribution__RecipientSelection all = SEKLIK__DISTRIBUTION__RECIPIENT_SELECTION__INIT;
    all.mode = SEKLIK__DISTRIBUTION__RECIPIENT_MODE__RECIPIENT_MODE_ALL_VERIFIED;
    Seklik__Distribution__PreviewRecipientsRequest prev_req = SEKLIK__DISTRIBUTION__PREVIEW_RECIPIENTS_REQUEST__INIT;
    prev_req.recipients = &all;
    Seklik__Distribution__ListReleasesRequest list_req = SEKLIK__DISTRIBUTION__LIST_RELEASES_REQUEST__INIT;
    Seklik__Distribution__GetReleaseRequest get_req = SEKLIK__DISTRIBUTION__GET_RELEASE_REQUEST__INIT;
    get_req.release_id = id;
    Seklik__Distribution__GetFileRequest file_req = SEKLIK__DISTRIBUTION__GET_FILE_REQUEST__INIT;
    file_req.release_id = id;
    file_req.file_id = file_id;
    Seklik__Distribution__ReportPickupRequest pick_req = SEKLIK__DISTRIBUTION__REPORT_PICKUP_REQUEST__INIT;
    pick_req.release_id = id;
    pick_req.url = "https://alfa.test/curi";
    Seklik__Distribution__ReportPickupRequest pick_other = SEKLIK__DISTRIBUTION__REPORT_PICKUP_REQUEST__INIT;
    pick_other.release_id = id;
    pick_other.company_id = B.id;
    pick_other.url = "https://alfa.test/atas-nama-b";
    Seklik__Distribution__ListInboxRequest inbox_req = SEKLIK__DISTRIBUTION__LIST_INBOX_REQUEST__INIT;
    Seklik__Distribution__QueueMailRequest queue_req = SEKLIK__DISTRIBUTION__QUEUE_MAIL_REQUEST__INIT;
    Seklik__Distribution__ListNoticesRequest notices_req =
        SEKLIK__DISTRIBUTION__LIST_NOTICES_REQUEST__INIT;
    Seklik__Distribution__MarkNoticesReadRequest mark_req =
        SEKLIK__DISTRIBUTION__MARK_NOTICES_READ_REQUEST__INIT;
    mark_req.all = true;
    Seklik__Distribution__GetNoticePreferencesRequest prefs_req =
        SEKLIK__DISTRIBUTION__GET_NOTICE_PREFERENCES_REQUEST__INIT;
    Seklik__Distribution__SetNoticePreferencesRequest set_prefs_req =
        SEKLIK__DISTRIBUTION__SET_NOTICE_PREFERENCES_REQUEST__INIT;

    /* partner A: staff methods are refused, B's release does not exist for A */
    const method_case cases[] = {
        {"CreateRelease", &create_req.base, SK_EPERM, SK_EPERM},
        {"UpdateRelease", &update_req.base, SK_EPERM, SK_EPERM},
        {"AddFile", &add_req.base, SK_EPERM, SK_EPERM},
        {"RemoveFile", &remove_req.base, SK_EPERM, SK_EPERM},
        {"Schedule", &sched_req.base, SK_EPERM, SK_EPERM},
        {"Unschedule", &rid.base, SK_EPERM, SK_EPERM},
        {"Correct", &corr_req.base, SK_EPERM, SK_EPERM},
        {"RequeueFailed", &rid.base, SK_EPERM, SK_EPERM},
        {"RenderPreview", &render_req.base, SK_EPERM, SK_OK},
        {"PreviewRecipients", &prev_req.base, SK_EPERM, SK_OK},
        {"ListReleases", &list_req.base, SK_EPERM, SK_OK},
        {"GetRelease", &get_req.base, SK_EPERM, SK_OK},
        {"GetProof", &rid.base, SK_EPERM, SK_OK},
        {"GetFile", &file_req.base, SK_ENOTFOUND, SK_OK},
        {"ReportPickup", &pick_req.base, SK_ENOTFOUND, SK_EPERM},
        {"ListInbox", &inbox_req.base, SK_OK, SK_EPERM},
        {"GetInboxRelease", &rid.base, SK_ENOTFOUND, SK_EPERM},
        {"MarkRead", &rid.base, SK_ENOTFOUND, SK_EPERM},
        /* mail for services, notices for users by UUID (it_mail_notices) */
        {"QueueMail", &queue_req.base, SK_EPERM, SK_EPERM},
        {"ListNotices", &notices_req.base, SK_EPERM, SK_EPERM},
        {"MarkNoticesRead", &mark_req.base, SK_EPERM, SK_EPERM},
        {"GetNoticePreferences", &prefs_req.base, SK_EPERM, SK_EPERM},
        {"SetNoticePreferences", &set_prefs_req.base, SK_EPERM, SK_EPERM},
    };
    const ProtobufCServiceDescriptor *svc = &seklik__distribution__distribution__descriptor;
    /* every method but Health is in the table */
    assert_int_equal(sizeof(cases) / sizeof(cases[0]), svc->n_methods - 1);
    Seklik__Bus__Actor pa = partner(&A), head = it_actor("pimpinan", "head", NULL);
    Seklik__Bus__Actor verifier = it_actor("verif", "verifier", NULL);
    Seklik__Bus__Actor partnership = it_actor("kemitraan", "partnership", NULL);
    Seklik__Bus__Actor lost = it_actor("mitra-tanpa", "partner", NULL); /* no company */
    Seklik__Bus__Actor nobody = SEKLIK__BUS__ACTOR__INIT; /* signed, but no role */
    nobody.user_id = "nobody";
    /* a refusal starts with its code */
    refused_with("CreateRelease", &pa, &create_req.base, SK_EPERM, "access.denied");
    refused_with("GetInboxRelease", &pa, &rid.base, SK_ENOTFOUND, "release.not_found");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const method_case *c = &cases[i];
        int got = code_of(c->method, &pa, c->in);
        if (got != c->partner_a)
            fail_msg("%s as partner A: code %d, expected %d", c->method, got, c->partner_a);
        got = code_of(c->method, &head, c->in);
        if (got != c->head)
            fail_msg("%s as head: code %d, expected %d", c->method, got, c->head);
        got = code_of(c->method, &partnership, c->in); /* reads like head: orders take releases */
        if (got != c->head)
            fail_msg("%s as partnership: code %d, expected %d", c->method, got, c->head);
        /* roles without any business here, and a partner without a company */
        assert_int_equal(code_of(c->method, &verifier, c->in), SK_EPERM);
        assert_int_equal(code_of(c->method, &lost, c->in), SK_EPERM);
        assert_int_equal(code_of(c->method, &nobody, c->in), SK_EPERM);
    }
    /* A's inbox does not hold B's release; a pick-up for B by A is refused */
    Seklik__Bus__Response *lr = call("ListInbox", &pa, &inbox_req.base);
    Seklik__Distribution__ListInboxResponse *inbox =
        body(lr, &seklik__distribution__list_inbox_response__descriptor);
    for (size_t i = 0; i < inbox->n_items; i++)
        assert_string_not_equal(inbox->items[i]->release_id, id);
    protobuf_c_message_free_unpacked(&inbox->base, NULL);
    seklik__bus__response__free_unpacked(lr, NULL);
    assert_int_equal(code_of("ReportPickup", &pa, &pick_other.base), SK_EPERM);
    /* B itself sees it and its file */
    Seklik__Bus__Actor pb = partner(&B);
    assert_int_equal(code_of("GetInboxRelease", &pb, &rid.base), SK_OK);
    assert_int_equal(code_of("GetFile", &pb, &file_req.base), SK_OK);
    assert_int_equal(sql_id("SELECT count(*) FROM distribution.pickup WHERE release_id = $1::uuid", id), 0);
    assert_int_equal(sql_id("SELECT count(*) FROM distribution.inbox_read WHERE release_id = $1::uuid", id), 0);
}

static void corrections_are_new_versions_told_to_every_recipient(void **state)
{
    (void)state;
    Seklik__Distribution__ReleaseInput in;
    Seklik__Distribution__ContactPerson c;
    fill_input(&in, &c, "Rapat Koordinasi UJI-SATU");
    in.lead = "Rapat koordinasi digelar di pendopo, bukan di aula.";
    Seklik__Bus__Actor a = pr();
    /* a sent release cannot be edited in place */
    Seklik__Distribution__UpdateReleaseRequest up = SEKLIK__DISTRIBUTION__UPDATE_RELEASE_REQUEST__INIT;
    up.release_id = first_release;
    up.content = &in;
    assert_int_equal(code_of("UpdateRelease", &a, &up.base), SK_EPRECOND);
    /* a correction needs its reason */
    Seklik__Distribution__CorrectRequest req = SEKLIK__DISTRIBUTION__CORRECT_REQUEST__INIT;
    req.release_id = first_release;
    req.content = &in;
    Seklik__Bus__Response *r = call("Correct", &a, &req.base);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(names(r, "note", "required"));
    seklik__bus__response__free_unpacked(r, NULL);
    req.note = "Tempat rapat diralat: pendopo.";
    r = call("Correct", &a, &req.base);
    Seklik__Distribution__Release *rel = body(r, &seklik__distribution__release__descriptor);
    assert_int_equal(rel->version, 2);
    assert_int_equal(rel->n_versions, 2);
    assert_string_equal(rel->versions[1]->note, "Tempat rapat diralat: pendopo.");
    protobuf_c_message_free_unpacked(&rel->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);

    /* version 1 is kept as it was */
    Seklik__Distribution__GetReleaseRequest g = SEKLIK__DISTRIBUTION__GET_RELEASE_REQUEST__INIT;
    g.release_id = first_release;
    g.version = 1;
    r = call("GetRelease", &a, &g.base);
    rel = body(r, &seklik__distribution__release__descriptor);
    assert_string_equal(rel->content->lead, "Rapat koordinasi digelar di aula kantor bupati.");
    protobuf_c_message_free_unpacked(&rel->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);

    /* every address of the frozen recipients is told, once */
    wait_all_sent(first_release, 6, 20000);
    static mail m[16];
    size_t n = mailbox("RALAT: Rapat Koordinasi UJI-SATU", m, 16);
    assert_int_equal(n, 3);
    for (size_t k = 0; k < n; k++) {
        size_t len;
        char *text = part_body(m[k].text, "text/plain", &len);
        assert_non_null(strstr(text, "RALAT (versi 2): Tempat rapat diralat: pendopo."));
        assert_non_null(strstr(text, "pendopo, bukan di aula"));
        free(text);
    }
    mails_free(m, n);

    /* the partner's inbox shows the correction, unread again */
    Seklik__Bus__Actor pa = partner(&A);
    Seklik__Distribution__ListInboxRequest li = SEKLIK__DISTRIBUTION__LIST_INBOX_REQUEST__INIT;
    r = call("ListInbox", &pa, &li.base);
    Seklik__Distribution__ListInboxResponse *inbox =
        body(r, &seklik__distribution__list_inbox_response__descriptor);
    bool seen = false;
    for (size_t i = 0; i < inbox->n_items; i++)
        if (strcmp(inbox->items[i]->release_id, first_release) == 0) {
            seen = true;
            assert_true(inbox->items[i]->corrected);
            assert_false(inbox->items[i]->read);
            assert_int_equal(inbox->items[i]->version, 2);
        }
    assert_true(seen);
    protobuf_c_message_free_unpacked(&inbox->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
}

static void reading_and_pickups_show_in_the_proof(void **state)
{
    (void)state;
    Seklik__Bus__Actor pa = partner(&A), staff = pr();
    Seklik__Distribution__ReleaseIdRequest rid = SEKLIK__DISTRIBUTION__RELEASE_ID_REQUEST__INIT;
    rid.release_id = first_release;
    Seklik__Bus__Response *r = call("GetInboxRelease", &pa, &rid.base);
    Seklik__Distribution__InboxRelease *ir =
        body(r, &seklik__distribution__inbox_release__descriptor);
    assert_int_equal(ir->release->version, 2);
    assert_null(ir->release->recipients); /* not for partners */
    assert_int_equal(ir->n_outlets, 1);
    assert_string_equal(ir->outlets[0]->outlet_id, A.outlet_id);
    protobuf_c_message_free_unpacked(&ir->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
    r = call("MarkRead", &pa, &rid.base);
    Seklik__Distribution__InboxItem *it = body(r, &seklik__distribution__inbox_item__descriptor);
    assert_true(it->read);
    protobuf_c_message_free_unpacked(&it->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(code_of("MarkRead", &pa, &rid.base), SK_OK); /* once is recorded */
    assert_int_equal(sql_id("SELECT count(*) FROM distribution.inbox_read WHERE release_id = $1::uuid",
                            first_release),
                     1);

    Seklik__Distribution__ReportPickupRequest rp = SEKLIK__DISTRIBUTION__REPORT_PICKUP_REQUEST__INIT;
    rp.release_id = first_release;
    rp.outlet_id = A.outlet_id;
    rp.url = "javascript:alert(1)";
    r = call("ReportPickup", &pa, &rp.base);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(names(r, "url", "url.invalid"));
    seklik__bus__response__free_unpacked(r, NULL);
    rp.url = "https://alfa.test/berita/rapat-koordinasi";
    rp.published_at = "2099-01-10T10:00:00+07:00";
    r = call("ReportPickup", &pa, &rp.base);
    assert_true(names(r, "publishedAt", "proof.published_future"));
    seklik__bus__response__free_unpacked(r, NULL);
    rp.published_at = "2026-01-10T10:00:00+07:00";
    rp.outlet_id = B.outlet_id; /* not A's */
    r = call("ReportPickup", &pa, &rp.base);
    assert_true(names(r, "outletId", "outlet.other_company"));
    seklik__bus__response__free_unpacked(r, NULL);
    rp.outlet_id = A.outlet_id;
    rp.published_at = "";
    assert_int_equal(code_of("ReportPickup", &pa, &rp.base), SK_OK);
    refused_with("ReportPickup", &pa, &rp.base, SK_EEXISTS, "pickup.duplicate");
    /* staff add one for B */
    Seklik__Distribution__ReportPickupRequest sp = SEKLIK__DISTRIBUTION__REPORT_PICKUP_REQUEST__INIT;
    sp.release_id = first_release;
    sp.company_id = B.id;
    sp.url = "https://beta.test/cetak/halaman-3";
    assert_int_equal(code_of("ReportPickup", &staff, &sp.base), SK_OK);
    /* and not for a company that did not receive it */
    sp.company_id = C.id;
    refused_with("ReportPickup", &staff, &sp.base, SK_ENOTFOUND, "release.not_sent_to_company");

    r = call("GetProof", &staff, &rid.base);
    Seklik__Distribution__Proof *proof = body(r, &seklik__distribution__proof__descriptor);
    assert_int_equal(proof->release->recipients, 3);
    assert_int_equal(proof->release->read, 1);
    assert_int_equal(proof->release->picked_up, 2);
    assert_int_equal(proof->release->deliveries->sent, 6);
    assert_int_equal(proof->n_recipients, 3);
    for (size_t i = 0; i < proof->n_recipients; i++) {
        const Seklik__Distribution__ProofRecipient *pr_ = proof->recipients[i];
        if (strcmp(pr_->company->company_id, A.id) == 0) {
            assert_int_equal(pr_->n_deliveries, 4); /* 2 addresses x (release, correction) */
            assert_int_equal(pr_->n_reads, 1);
            assert_string_equal(pr_->reads[0]->read_by, "mitra-1");
            assert_int_equal(pr_->n_pickups, 1);
            assert_string_equal(pr_->pickups[0]->url, "https://alfa.test/berita/rapat-koordinasi");
            assert_false(pr_->pickups[0]->by_staff);
        } else if (strcmp(pr_->company->company_id, E.id) == 0) {
            assert_int_equal(pr_->n_deliveries, 0);
            assert_int_equal(pr_->company->address_count, 0);
        }
    }
    protobuf_c_message_free_unpacked(&proof->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
}

static void relay_killed_mid_send_retries_and_each_address_gets_one(void **state)
{
    (void)state;
    char id[SK_UUID_STRLEN];
    char *ids[1];
    Seklik__Distribution__RecipientSelection s = chosen(&R, ids);
    create("Relay mati UJI-RELAY", &s, id);
    /* a large attachment: the relay spends its time reading message data */
    static uint8_t pdf[400 * 1024];
    memcpy(pdf, PDF, sizeof(PDF) - 1);
    for (size_t i = sizeof(PDF) - 1; i < sizeof(pdf); i++)
        pdf[i] = (uint8_t)('a' + i % 26);
    Seklik__Bus__Response *r = add_file(id, 2, "lampiran.pdf", pdf, sizeof(pdf));
    assert_int_equal(it_code(r), SK_OK);
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(schedule(id, NULL), SK_OK);
    for (int i = 0; i < 4000 && count_mail("UJI-RELAY") < 5; i++)
        sk_test_sleep_ms(5);
    /* Kill the relay while it is reading a message, never in the instant
     * between storing one and answering it: that instant is where no SMTP
     * client can tell delivered from lost (RFC 1047), and the ADR says so. */
    bool killed = false;
    for (int i = 0; i < 2000 && !killed; i++) {
        sk_proc_signal(&relay.proc, SIGSTOP);
        if (it_smtp_unread(&relay) > 0) {
            relay_kill();
            killed = true;
        } else {
            sk_proc_signal(&relay.proc, SIGCONT);
            sk_test_sleep_ms(1);
        }
    }
    assert_true(killed);
    size_t before = count_mail("UJI-RELAY");
    assert_true(before >= 5);
    assert_true(before < MANY); /* it stopped mid-send */
    /* distribution notices, keeps the rest queued and backs off */
    const char *retrying =
        "SELECT count(*) FROM distribution.mail_delivery d JOIN distribution.mail_message m"
        " ON m.id = d.message_id WHERE m.release_id = $1::uuid AND d.state = 'queued'"
        " AND d.attempts >= 1";
    for (int i = 0; i < 400 && sql_id(retrying, id) < 1; i++)
        sk_test_sleep_ms(25);
    assert_true(sql_id(retrying, id) >= 1);
    assert_int_equal(count_mail("UJI-RELAY"), before);
    relay_up();
    wait_all_sent(id, MANY, 120000);
    assert_once_each(&R, "UJI-RELAY");
}

static void killed_mid_send_each_address_gets_one(void **state)
{
    (void)state;
    char id[SK_UUID_STRLEN];
    char *ids[1];
    Seklik__Distribution__RecipientSelection s = chosen(&M, ids);
    create("Dibunuh UJI-KILL", &s, id);
    assert_int_equal(schedule(id, NULL), SK_OK);
    for (int i = 0; i < 4000 && count_mail("UJI-KILL") < 10; i++)
        sk_test_sleep_ms(5);
    /* Freeze the relay so distribution stops inside an SMTP exchange, then
     * kill it there; the relay, thawed, finishes or drops what it had. */
    sk_proc_signal(&relay.proc, SIGSTOP);
    size_t stable = count_mail("UJI-KILL");
    sk_test_sleep_ms(300); /* where it stops does not matter; that it is inside one does */
    sk_proc_signal(&dist.proc, SIGKILL);
    assert_int_equal(sk_proc_wait(&dist.proc, 10000), 128 + SIGKILL);
    assert_int_equal(count_mail("UJI-KILL"), stable);
    assert_true(stable < MANY);
    assert_int_equal(deliveries_in(id, "attempting") > 0, 1);
    sk_proc_signal(&relay.proc, SIGCONT);
    assert_int_equal(start_distribution(), 0);
    wait_all_sent(id, MANY, 60000);
    assert_once_each(&M, "UJI-KILL");
    assert_int_equal(deliveries_in(id, "attempting"), 0);
}

/* The settlement rule on its own: claims of a session that no longer
 * exists, one handed over and one not. */
static void dead_claims_are_settled_by_the_hand_over_mark(void **state)
{
    (void)state;
    const char *handed = "handed@orphan.test", *fresh = "fresh@orphan.test";
    const char *seed[] = {handed, fresh, first_release};
    assert_int_equal(
        sk_test_sql_exec_params(
            dsn,
            "INSERT INTO distribution.mail_delivery (id, message_id, address, state, claimed_at,"
            " claim_pid, claim_backend_start, handed_at)"
            " SELECT gen_random_uuid(), m.id, a.address, 'attempting', now(), 2147483000, now(),"
            "  CASE WHEN a.address = $1::text THEN now() END"
            " FROM distribution.mail_message m, (VALUES ($1::text), ($2::text)) AS a(address)"
            " WHERE m.release_id = $3::uuid AND m.release_version = 1",
            3, seed),
        0);
    for (int i = 0; i < 200; i++) {
        if (sk_test_sql_number(dsn, "SELECT count(*) FROM distribution.mail_delivery"
                                    " WHERE address LIKE '%@orphan.test' AND state = 'sent'") == 2)
            break;
        sk_test_sleep_ms(50);
    }
    /* handed over: the relay had it; counted as sent, unconfirmed, not sent again */
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM distribution.mail_delivery"
                                             " WHERE address = 'handed@orphan.test'"
                                             " AND state = 'sent' AND NOT confirmed AND attempts = 0"),
                     1);
    /* not handed over: sent again, and confirmed */
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM distribution.mail_delivery"
                                             " WHERE address = 'fresh@orphan.test'"
                                             " AND state = 'sent' AND confirmed AND attempts = 2"),
                     1);
    static mail m[16];
    size_t n = mailbox("UJI-SATU", m, 16);
    int to_handed = 0, to_fresh = 0;
    for (size_t k = 0; k < n; k++) {
        to_handed += strcmp(m[k].rcpt, handed) == 0;
        to_fresh += strcmp(m[k].rcpt, fresh) == 0;
    }
    mails_free(m, n);
    assert_int_equal(to_handed, 0);
    assert_int_equal(to_fresh, 1);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s TESTPUB TESTSUB LOGDIR SEKLIK-DISTRIBUTION\n", argv[0]);
        return 2;
    }
    dist_bin = argv[4];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(release_reaches_each_verified_address_once_with_its_files),
        cmocka_unit_test(html_in_markdown_is_not_rendered),
        cmocka_unit_test(photos_and_attachments_are_checked_by_content),
        cmocka_unit_test(nothing_is_sent_or_shown_before_the_embargo),
        cmocka_unit_test(every_method_checks_role_and_partner_wall),
        cmocka_unit_test(corrections_are_new_versions_told_to_every_recipient),
        cmocka_unit_test(reading_and_pickups_show_in_the_proof),
        cmocka_unit_test(relay_killed_mid_send_retries_and_each_address_gets_one),
        cmocka_unit_test(killed_mid_send_each_address_gets_one),
        cmocka_unit_test(dead_claims_are_settled_by_the_hand_over_mark),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), setup, teardown);
}

/* test_limits.c - common/sk_limits: every field of every message generated
 * from proto/seklik has a bound in the one table, every line of the table
 * names a real field, the checker enforces each kind of bound (characters
 * counted as code points, bytes, entries, ranges) on nested and repeated
 * paths, refuses invalid UTF-8 and canonicalises UUIDs, and the gateway's
 * OpenAPI document publishes the same bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h" /* gw_openapi_build */
#include "seklik/bus.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_limits.h"

/* limits_descriptors.c, generated from the headers protoc-c wrote. */
extern const ProtobufCMessageDescriptor *const limits_all_messages[];
extern const size_t limits_all_messages_len;
extern const ProtobufCServiceDescriptor *const limits_all_services[];
extern const size_t limits_all_services_len;

/* ---- the table against the descriptors ---- */

static bool is_integer(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: return true;
    default: return false;
    }
}

/* The kind of entry field `f` needs; 0 when it needs none. */
static sk_limit_kind kind_needed(const ProtobufCFieldDescriptor *f)
{
    if (f->type == PROTOBUF_C_TYPE_STRING)
        return SK_LIMIT_TEXT;
    if (f->type == PROTOBUF_C_TYPE_BYTES)
        return SK_LIMIT_BYTES;
    if (is_integer(f->type))
        return SK_LIMIT_INT;
    if (f->type == PROTOBUF_C_TYPE_FLOAT || f->type == PROTOBUF_C_TYPE_DOUBLE)
        return SK_LIMIT_REAL;
    return f->label == PROTOBUF_C_LABEL_REPEATED ? SK_LIMIT_LIST : 0;
}

/* What is wrong with the entry of `f` (NULL when nothing). */
static const char *entry_problem(const ProtobufCFieldDescriptor *f, const sk_limit *lim)
{
    sk_limit_kind want = kind_needed(f);
    bool repeated = f->label == PROTOBUF_C_LABEL_REPEATED;
    if (!want)
        return lim ? "has an entry but an enum, bool or message needs none" : NULL;
    if (!lim)
        return "has no limit";
    if (lim->kind != want)
        return "has an entry of the wrong kind for its type";
    if (repeated != (lim->max_items > 0))
        return repeated ? "is repeated but has no max_items" : "is singular but has max_items";
    if ((want == SK_LIMIT_TEXT || want == SK_LIMIT_BYTES) && lim->max_len == 0)
        return "has max_len 0";
    if (want == SK_LIMIT_INT && lim->min > lim->max)
        return "has min > max";
    if (want == SK_LIMIT_REAL && !(lim->fmin < lim->fmax))
        return "has fmin >= fmax";
    if (lim->format == SK_FORMAT_UUID && (want != SK_LIMIT_TEXT || lim->max_len != 36))
        return "has format uuid but is not a 36-character string";
    return NULL;
}

typedef struct seen_set {
    const ProtobufCMessageDescriptor *m[512];
    size_t n;
} seen_set;

static bool seen_add(seen_set *s, const ProtobufCMessageDescriptor *md)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->m[i] == md)
            return false;
    assert_true(s->n < 512);
    s->m[s->n++] = md;
    return true;
}

static void reach(seen_set *s, const ProtobufCMessageDescriptor *md)
{
    if (!seen_add(s, md))
        return;
    for (unsigned i = 0; i < md->n_fields; i++)
        if (md->fields[i].type == PROTOBUF_C_TYPE_MESSAGE)
            reach(s, md->fields[i].descriptor);
}

static bool listed(const ProtobufCMessageDescriptor *md)
{
    for (size_t i = 0; i < limits_all_messages_len; i++)
        if (limits_all_messages[i] == md)
            return true;
    return false;
}

static void every_field_of_every_message_has_a_limit(void **state)
{
    (void)state;
    /* The generated list is complete: it holds all 88 messages of today's
     * .proto files, and every message any method takes or gives. */
    assert_true(limits_all_messages_len >= 88);
    assert_true(limits_all_services_len >= 7);
    seen_set reachable = {.n = 0};
    for (size_t i = 0; i < limits_all_services_len; i++)
        for (unsigned k = 0; k < limits_all_services[i]->n_methods; k++) {
            reach(&reachable, limits_all_services[i]->methods[k].input);
            reach(&reachable, limits_all_services[i]->methods[k].output);
        }
    reach(&reachable, &seklik__bus__request__descriptor); /* the envelope and its events */
    reach(&reachable, &seklik__bus__response__descriptor);
    reach(&reachable, &seklik__bus__event__descriptor);
    for (size_t i = 0; i < reachable.n; i++)
        if (!listed(reachable.m[i]))
            fail_msg("%s is reachable but not in the generated list", reachable.m[i]->name);

    size_t bad = 0, fields = 0;
    for (size_t i = 0; i < limits_all_messages_len; i++) {
        const ProtobufCMessageDescriptor *md = limits_all_messages[i];
        for (unsigned k = 0; k < md->n_fields; k++, fields++) {
            const char *why = entry_problem(&md->fields[k], sk_limits_find(md, &md->fields[k]));
            if (why) {
                print_error("%s.%s %s\n", md->name, md->fields[k].name, why);
                bad++;
            }
        }
    }
    print_message("%zu fields in %zu messages checked\n", fields, limits_all_messages_len);
    assert_int_equal(bad, 0);
}

/* The message named by the part of `full` before its last dot. */
static const ProtobufCMessageDescriptor *message_of(const char *full, const char **field)
{
    const char *dot = strrchr(full, '.');
    if (!dot)
        return NULL;
    *field = dot + 1;
    for (size_t i = 0; i < limits_all_messages_len; i++) {
        const char *name = limits_all_messages[i]->name;
        if (strlen(name) == (size_t)(dot - full) && strncmp(name, full, (size_t)(dot - full)) == 0)
            return limits_all_messages[i];
    }
    return NULL;
}

static void every_table_entry_names_a_field_once(void **state)
{
    (void)state;
    size_t bad = 0;
    for (size_t i = 0; i < sk_limits_table_len; i++) {
        const sk_limit *lim = &sk_limits_table[i];
        const char *field = NULL;
        const ProtobufCMessageDescriptor *md = message_of(lim->field, &field);
        const ProtobufCFieldDescriptor *f =
            md ? protobuf_c_message_descriptor_get_field_by_name(md, field) : NULL;
        if (!f) {
            print_error("%s names no field of any message\n", lim->field);
            bad++;
            continue;
        }
        if (sk_limits_find(md, f) != lim) {
            print_error("%s is in the table twice\n", lim->field);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* ---- the checker ---- */

typedef struct got {
    size_t n;
    char field[SK_LIMITS_MAX_VIOLATIONS + 1][256];
    char why[SK_LIMITS_MAX_VIOLATIONS + 1][256];
    char code[SK_LIMITS_MAX_VIOLATIONS + 1][64];
} got;

/* Is `code` one of the words of SK_LIMITS_CODES (which the web UI's
 * catalogue test reads)? */
static bool listed_code(const char *code)
{
    const char *list = SK_LIMITS_CODES;
    size_t n = strlen(code);
    for (const char *p = list; (p = strstr(p, code)) != NULL; p++)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

static void collect(void *arg, const char *field, const char *code, const char *english)
{
    got *g = arg;
    assert_true(g->n <= SK_LIMITS_MAX_VIOLATIONS);
    assert_true(code && code[0] && listed_code(code));
    snprintf(g->field[g->n], sizeof(g->field[0]), "%s", field);
    snprintf(g->why[g->n], sizeof(g->why[0]), "%s", english);
    snprintf(g->code[g->n], sizeof(g->code[0]), "%s", code);
    g->n++;
}

/* Check `m`; the violations' fields, space-separated ("" when none). */
static const char *violations(ProtobufCMessage *m, got *g)
{
    static char out[4096];
    memset(g, 0, sizeof(*g));
    size_t n = sk_limits_check(m, collect, g);
    assert_int_equal(n, g->n);
    assert_int_equal(sk_limits_check(m, NULL, NULL), n); /* counting alone agrees */
    out[0] = '\0';
    for (size_t i = 0; i < g->n; i++)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "", g->field[i]);
    return out;
}

/* `n` copies of `unit` in a fresh string (caller frees). */
static char *repeat(const char *unit, size_t n)
{
    size_t u = strlen(unit);
    char *s = malloc(u * n + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * u, unit, u);
    s[u * n] = '\0';
    return s;
}

/* A RegisterRequest with room for everything the tests break. */
typedef struct reg {
    Seklik__Registry__RegisterRequest req;
    Seklik__Registry__CompanyInput company;
    Seklik__Registry__BankAccount bank;
    Seklik__Registry__Contact contact[4], *contacts[64];
    Seklik__Registry__OutletInput outlet[64], *outlets[64];
    Seklik__Registry__PersonInput person[2], *people[2];
    char *kbli[64];
} reg;

static void reg_init(reg *r)
{
    memset(r, 0, sizeof(*r));
    seklik__registry__register_request__init(&r->req);
    seklik__registry__company_input__init(&r->company);
    seklik__registry__bank_account__init(&r->bank);
    r->company.legal_name = "PT Berita Kayuagung";
    r->company.bank_account = &r->bank;
    r->bank.bank_name = "Bank Sumsel Babel";
    for (size_t i = 0; i < 64; i++) {
        seklik__registry__outlet_input__init(&r->outlet[i]);
        r->outlet[i].name = "Portal";
        r->outlets[i] = &r->outlet[i];
        r->kbli[i] = "63122";
        r->contacts[i] = &r->contact[i % 4];
    }
    for (size_t i = 0; i < 4; i++) {
        seklik__registry__contact__init(&r->contact[i]);
        r->contact[i].email = "redaksi@example.id";
    }
    for (size_t i = 0; i < 2; i++) {
        seklik__registry__person_input__init(&r->person[i]);
        r->people[i] = &r->person[i];
    }
    r->req.company = &r->company;
    r->req.outlets = r->outlets;
    r->req.n_outlets = 3;
    r->req.people = r->people;
    r->req.n_people = 2;
    r->company.kbli = r->kbli;
    r->company.n_kbli = 1;
    r->company.contacts = r->contacts;
    r->company.n_contacts = 4;
}

static void a_valid_request_passes(void **state)
{
    (void)state;
    reg r;
    got g;
    reg_init(&r);
    assert_string_equal(violations(&r.req.base, &g), "");
}

/* domicile_letter_number: 100 characters; a character is a code point,
 * however many bytes it takes. */
static void strings_are_counted_in_code_points(void **state)
{
    (void)state;
    static const struct {
        const char *unit;
        size_t n;
        bool ok;
    } cases[] = {
        {"a", 100, true},           {"a", 101, false},
        {"\xC3\xA9", 100, true},     /* é: 2 bytes, 200 bytes in all */
        {"\xC3\xA9", 101, false},
        {"\xE2\x82\xAC", 100, true}, /* €: 3 bytes */
        {"\xF0\x9F\x93\xB0", 100, true}, /* 📰: 4 bytes, 400 bytes in all */
        {"\xF0\x9F\x93\xB0", 101, false},
        {"", 0, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        reg r;
        got g;
        reg_init(&r);
        char *s = repeat(cases[i].unit, cases[i].n);
        r.company.domicile_letter_number = s;
        const char *v = violations(&r.req.base, &g);
        if (cases[i].ok)
            assert_string_equal(v, "");
        else {
            assert_string_equal(v, "company.domicileLetterNumber");
            assert_non_null(strstr(g.why[0], "at most 100 characters"));
            assert_string_equal(g.code[0], "too_long");
        }
        free(s);
    }
    /* 99 ASCII and one emoji: 100 characters, 103 bytes */
    reg r;
    got g;
    reg_init(&r);
    char s[128];
    memset(s, 'x', 99);
    strcpy(s + 99, "\xF0\x9F\x93\xB0");
    r.company.domicile_letter_number = s;
    assert_string_equal(violations(&r.req.base, &g), "");
}

static void sk_utf8_count_refuses_every_malformed_sequence(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        long want;
    } cases[] = {
        {"", 0},
        {"abc", 3},
        {"\xC2\x80", 1},                 /* U+0080, the smallest two-byte form */
        {"\xDF\xBF", 1},                 /* U+07FF */
        {"\xE0\xA0\x80", 1},             /* U+0800 */
        {"\xED\x9F\xBF", 1},             /* U+D7FF, just below the surrogates */
        {"\xEE\x80\x80", 1},             /* U+E000, just above them */
        {"\xEF\xBF\xBF", 1},             /* U+FFFF */
        {"\xF0\x90\x80\x80", 1},         /* U+10000 */
        {"\xF4\x8F\xBF\xBF", 1},         /* U+10FFFF, the largest */
        {"\xC0\xAF", -1},                /* overlong '/' */
        {"\xC1\xBF", -1},                /* overlong */
        {"\xE0\x80\xAF", -1},            /* overlong, three bytes */
        {"\xE0\x9F\xBF", -1},            /* overlong U+07FF */
        {"\xF0\x80\x80\xAF", -1},        /* overlong, four bytes */
        {"\xF0\x8F\xBF\xBF", -1},        /* overlong U+FFFF */
        {"\xED\xA0\x80", -1},            /* U+D800: a surrogate */
        {"\xED\xBF\xBF", -1},            /* U+DFFF */
        {"\xF4\x90\x80\x80", -1},        /* U+110000 */
        {"\xF5\x80\x80\x80", -1},
        {"\xFF", -1},
        {"\x80", -1},                    /* a continuation byte alone */
        {"a\xBF" "b", -1},
        {"\xC3", -1},                    /* cut short at the end */
        {"\xE2\x82", -1},
        {"\xF0\x9F\x93", -1},
        {"\xC3" "a", -1},                /* a lead byte without its continuation */
        {"\xE2\x82" "a", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long n = sk_utf8_count(cases[i].s, strlen(cases[i].s));
        if (n != cases[i].want)
            fail_msg("case %zu: %ld, want %ld", i, n, cases[i].want);
    }
    /* the length given is the end: a sequence cut by it is cut short */
    assert_int_equal(sk_utf8_count("\xE2\x82\xAC", 2), -1);
    assert_int_equal(sk_utf8_count("\xE2\x82\xAC", 3), 1);
}

static void invalid_utf8_is_named_in_every_string_field(void **state)
{
    (void)state;
    static const char *const bad[] = {"\xC0\xAF", "\xED\xA0\x80", "PT \xE2\x82", "\x80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        reg r;
        got g;
        reg_init(&r);
        r.company.legal_name = (char *)bad[i];
        r.bank.bank_name = (char *)bad[i];
        r.kbli[0] = (char *)bad[i];
        r.outlet[2].url = (char *)bad[i];
        assert_string_equal(violations(&r.req.base, &g),
                            "company.legalName company.kbli[0] company.bankAccount.bankName "
                            "outlets[2].url");
        assert_non_null(strstr(g.why[0], "not valid UTF-8"));
        assert_string_equal(g.code[0], "text.invalid_utf8");
    }
    /* paths start at the message checked */
    Seklik__Registry__Contact c = SEKLIK__REGISTRY__CONTACT__INIT;
    c.name = "\xF0\x80\x80\xAF";
    got g;
    assert_string_equal(violations(&c.base, &g), "name");
}

static void bytes_are_bounded_in_bytes(void **state)
{
    (void)state;
    size_t max = 10u * 1024 * 1024;
    uint8_t *data = malloc(max + 1);
    assert_non_null(data);
    Seklik__Registry__DocumentInput d = SEKLIK__REGISTRY__DOCUMENT_INPUT__INIT;
    Seklik__Registry__UploadDocumentRequest req = SEKLIK__REGISTRY__UPLOAD_DOCUMENT_REQUEST__INIT;
    req.document = &d;
    d.content.data = data;
    got g;
    d.content.len = max;
    assert_string_equal(violations(&req.base, &g), "");
    d.content.len = max + 1;
    assert_string_equal(violations(&req.base, &g), "document.content");
    assert_non_null(strstr(g.why[0], "at most 10 MiB"));
    assert_string_equal(g.code[0], "too_large");
    free(data);
}

static void repeated_fields_are_counted_and_not_walked_when_over(void **state)
{
    (void)state;
    reg r;
    got g;
    reg_init(&r);
    r.req.n_outlets = 50;
    assert_string_equal(violations(&r.req.base, &g), "");
    r.req.n_outlets = 51;
    r.outlet[3].url = "\x80"; /* inside the list: not reported once the count is over */
    assert_string_equal(violations(&r.req.base, &g), "outlets");
    assert_non_null(strstr(g.why[0], "at most 50 entries"));
    assert_string_equal(g.code[0], "too_many");

    reg_init(&r);
    r.company.n_kbli = 50;
    assert_string_equal(violations(&r.req.base, &g), "");
    r.company.n_kbli = 51;
    assert_string_equal(violations(&r.req.base, &g), "company.kbli");
    r.company.n_kbli = 50;
    r.kbli[49] = "12345678901234567"; /* 17 characters: each code is bounded too */
    assert_string_equal(violations(&r.req.base, &g), "company.kbli[49]");
    r.kbli[49] = "63122";
    r.company.n_contacts = 21;
    assert_string_equal(violations(&r.req.base, &g), "company.contacts");
}

static void nested_and_repeated_paths_name_the_field(void **state)
{
    (void)state;
    reg r;
    got g;
    reg_init(&r);
    char *long_url = repeat("u", 501), *long_mail = repeat("m", 255), *long_name = repeat("n", 201);
    r.outlet[2].url = long_url;
    r.contact[3].email = long_mail;
    r.bank.bank_name = long_name;
    r.person[1].name = long_name;
    r.outlet[1].monthly_visitors = INT64_MAX;
    r.outlet[0].frequency = long_url;
    assert_string_equal(violations(&r.req.base, &g),
                        "company.bankAccount.bankName company.contacts[3].email "
                        "outlets[0].frequency outlets[1].monthlyVisitors outlets[2].url "
                        "people[1].name");
    free(long_url);
    free(long_mail);
    free(long_name);

    /* two levels of repeated messages */
    Seklik__Scoring__Band b0 = SEKLIK__SCORING__BAND__INIT, b1 = SEKLIK__SCORING__BAND__INIT;
    Seklik__Scoring__Band *bands[] = {&b0, &b1};
    Seklik__Scoring__CriterionRule c0 = SEKLIK__SCORING__CRITERION_RULE__INIT,
                                   c1 = SEKLIK__SCORING__CRITERION_RULE__INIT,
                                   c2 = SEKLIK__SCORING__CRITERION_RULE__INIT;
    Seklik__Scoring__CriterionRule *criteria[] = {&c0, &c1, &c2};
    c2.bands = bands;
    c2.n_bands = 2;
    b1.threshold = -5;
    b0.points = 101;
    Seklik__Scoring__RuleSet rs = SEKLIK__SCORING__RULE_SET__INIT;
    rs.criteria = criteria;
    rs.n_criteria = 3;
    rs.fiscal_year = 2027;
    assert_string_equal(violations(&rs.base, &g),
                        "criteria[2].bands[0].points criteria[2].bands[1].threshold");
}

static void numbers_are_held_to_their_range(void **state)
{
    (void)state;
    got g;
    /* price ceilings: whole rupiah up to 10^13 */
    Seklik__Scoring__PriceEntry e0 = SEKLIK__SCORING__PRICE_ENTRY__INIT,
                                e1 = SEKLIK__SCORING__PRICE_ENTRY__INIT;
    Seklik__Scoring__PriceEntry *entries[] = {&e0, &e1};
    Seklik__Scoring__PriceStandard ps = SEKLIK__SCORING__PRICE_STANDARD__INIT;
    ps.entries = entries;
    ps.n_entries = 2;
    static const struct {
        int64_t v;
        bool ok;
    } money[] = {{0, true},         {1000000, true},          {10000000000000LL, true},
                 {10000000000001LL, false}, {INT64_MAX, false}, {-1, false},
                 {INT64_MIN, false}};
    for (size_t i = 0; i < sizeof(money) / sizeof(money[0]); i++) {
        e1.ceiling = money[i].v;
        assert_string_equal(violations(&ps.base, &g), money[i].ok ? "" : "entries[1].ceiling");
    }
    e1.ceiling = INT64_MAX;
    violations(&ps.base, &g);
    assert_non_null(strstr(g.why[0], "must be between 0 and 10000000000000"));
    assert_string_equal(g.code[0], "out_of_range");

    /* visitors, circulation, audience */
    reg r;
    reg_init(&r);
    r.outlet[0].monthly_visitors = 10000000000LL;
    r.outlet[0].circulation = 100000000LL;
    r.outlet[0].audience = 1000000000LL;
    assert_string_equal(violations(&r.req.base, &g), "");
    r.outlet[0].monthly_visitors = 10000000001LL;
    r.outlet[0].circulation = -1;
    r.outlet[0].audience = INT64_MAX;
    assert_string_equal(violations(&r.req.base, &g),
                        "outlets[0].circulation outlets[0].monthlyVisitors outlets[0].audience");

    /* fiscal years: 0 (unset) to 2100 */
    Seklik__Registry__SubmitRequest sub = SEKLIK__REGISTRY__SUBMIT_REQUEST__INIT;
    sub.fiscal_year = 2100;
    assert_string_equal(violations(&sub.base, &g), "");
    sub.fiscal_year = 2101;
    assert_string_equal(violations(&sub.base, &g), "fiscalYear");
    sub.fiscal_year = INT32_MIN;
    assert_string_equal(violations(&sub.base, &g), "fiscalYear");

    /* uint64 and uint32: sequences are PostgreSQL bigints */
    Seklik__Bus__ReplayRequest rr = SEKLIK__BUS__REPLAY_REQUEST__INIT;
    rr.after_seq = INT64_MAX;
    rr.limit = UINT32_MAX;
    assert_string_equal(violations(&rr.base, &g), "");
    rr.after_seq = (uint64_t)INT64_MAX + 1;
    assert_string_equal(violations(&rr.base, &g), "afterSeq");
    rr.after_seq = UINT64_MAX;
    assert_string_equal(violations(&rr.base, &g), "afterSeq");

    /* doubles: GPS, NaN always out */
    Seklik__Verification__Visit v = SEKLIK__VERIFICATION__VISIT__INIT;
    Seklik__Verification__RecordVisitRequest rv = SEKLIK__VERIFICATION__RECORD_VISIT_REQUEST__INIT;
    rv.visit = &v;
    v.latitude = -90.0;
    v.longitude = 180.0;
    assert_string_equal(violations(&rv.base, &g), "");
    v.latitude = 90.000001;
    v.longitude = NAN;
    assert_string_equal(violations(&rv.base, &g), "visit.latitude visit.longitude");
    v.latitude = -INFINITY;
    v.longitude = 0;
    assert_string_equal(violations(&rv.base, &g), "visit.latitude");
}

static void uuids_are_lower_cased_in_place_or_named(void **state)
{
    (void)state;
    got g;
    char id[] = "0190A5B2-7C3D-7E4F-8A9B-0C1D2E3F4A5B";
    Seklik__Registry__GetCompanyRequest req = SEKLIK__REGISTRY__GET_COMPANY_REQUEST__INIT;
    req.company_id = id;
    assert_string_equal(violations(&req.base, &g), "");
    assert_string_equal(id, "0190a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b");

    req.company_id = ""; /* unset: the handler decides whether it is required */
    assert_string_equal(violations(&req.base, &g), "");
    static const char *const bad[] = {
        "not-a-uuid",
        "0190a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5g", /* 36 characters, one not hex */
        "0190a5b27c3d7e4f8a9b0c1d2e3f4a5b",     /* no dashes */
        "0190a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b ",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char copy[64];
        snprintf(copy, sizeof(copy), "%s", bad[i]);
        req.company_id = copy;
        assert_string_equal(violations(&req.base, &g), "companyId");
        assert_string_equal(copy, bad[i]); /* a refused value is left alone */
    }

    /* in a repeated field and a nested message */
    char p0[] = "0190A5B2-7C3D-7E4F-8A9B-0C1D2E3F4A5B", p1[] = "0190a5b2-7c3d-7e4f-8a9b-0c1d2e3f4aFF";
    char *photos[] = {p0, p1};
    Seklik__Verification__Visit v = SEKLIK__VERIFICATION__VISIT__INIT;
    v.photo_document_ids = photos;
    v.n_photo_document_ids = 2;
    char case_id[] = "0190A5B2-0000-7000-8000-00000000ABCD";
    Seklik__Verification__RecordVisitRequest rv = SEKLIK__VERIFICATION__RECORD_VISIT_REQUEST__INIT;
    rv.case_id = case_id;
    rv.visit = &v;
    assert_string_equal(violations(&rv.base, &g), "");
    assert_string_equal(p0, "0190a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b");
    assert_string_equal(p1, "0190a5b2-7c3d-7e4f-8a9b-0c1d2e3f4aff");
    assert_string_equal(case_id, "0190a5b2-0000-7000-8000-00000000abcd");
    char p2[] = "0190a5b2";
    photos[1] = p2;
    assert_string_equal(violations(&rv.base, &g), "visit.photoDocumentIds[1]");
}

static void violations_stop_at_the_cap(void **state)
{
    (void)state;
    reg r;
    got g;
    reg_init(&r);
    r.req.n_outlets = 50;
    for (size_t i = 0; i < 50; i++)
        r.outlet[i].url = "\xFF"; /* 50 bad fields */
    violations(&r.req.base, &g);
    assert_string_equal(g.field[0], "outlets[0].url");
    assert_int_equal(g.n, SK_LIMITS_MAX_VIOLATIONS);
    assert_string_equal(g.field[SK_LIMITS_MAX_VIOLATIONS - 1], "outlets[31].url");
}

/* ---- the OpenAPI document ---- */

static cJSON *schema_property(cJSON *schemas, const ProtobufCMessageDescriptor *md,
                              const ProtobufCFieldDescriptor *f)
{
    char jn[128];
    size_t n = 0;
    bool up = false;
    for (const char *p = f->name; *p && n + 1 < sizeof(jn); p++) {
        if (*p == '_') {
            up = true;
            continue;
        }
        jn[n++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        up = false;
    }
    jn[n] = '\0';
    cJSON *s = cJSON_GetObjectItemCaseSensitive(schemas, md->name);
    cJSON *props = s ? cJSON_GetObjectItemCaseSensitive(s, "properties") : NULL;
    return props ? cJSON_GetObjectItemCaseSensitive(props, jn) : NULL;
}

static double number(cJSON *o, const char *key)
{
    cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(n) ? n->valuedouble : NAN;
}

/* Does the published schema `p` of field `f` say what `lim` says? */
static const char *published_problem(cJSON *p, const ProtobufCFieldDescriptor *f,
                                     const sk_limit *lim)
{
    cJSON *item = p;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        if (number(p, "maxItems") != lim->max_items)
            return "maxItems";
        item = cJSON_GetObjectItemCaseSensitive(p, "items");
    }
    cJSON *format = cJSON_GetObjectItemCaseSensitive(item, "format");
    switch (lim->kind) {
    case SK_LIMIT_TEXT:
        if (number(item, "maxLength") != lim->max_len)
            return "maxLength";
        if ((lim->format == SK_FORMAT_UUID) !=
            (cJSON_IsString(format) && strcmp(format->valuestring, "uuid") == 0))
            return "format";
        break;
    case SK_LIMIT_BYTES:
        if (number(item, "maxLength") != 4.0 * (double)(((uint64_t)lim->max_len + 2) / 3))
            return "maxLength (base64)";
        break;
    case SK_LIMIT_INT:
        if (number(item, "minimum") != (double)lim->min || number(item, "maximum") != (double)lim->max)
            return "minimum/maximum";
        break;
    case SK_LIMIT_REAL:
        if (number(item, "minimum") != lim->fmin || number(item, "maximum") != lim->fmax)
            return "minimum/maximum";
        break;
    case SK_LIMIT_LIST: break;
    }
    return NULL;
}

static void openapi_publishes_the_table(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(gw_openapi_build(&text, &len), 0);
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    assert_non_null(doc);
    cJSON *schemas =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "components"),
                                         "schemas");
    assert_non_null(schemas);
    size_t checked = 0, bad = 0;
    for (size_t i = 0; i < limits_all_messages_len; i++) {
        const ProtobufCMessageDescriptor *md = limits_all_messages[i];
        for (unsigned k = 0; k < md->n_fields; k++) {
            const sk_limit *lim = sk_limits_find(md, &md->fields[k]);
            cJSON *p = lim ? schema_property(schemas, md, &md->fields[k]) : NULL;
            if (!p)
                continue; /* no bound, or a message the API does not show (event bodies) */
            const char *why = published_problem(p, &md->fields[k], lim);
            if (why) {
                print_error("%s: %s published wrong\n", lim->field, why);
                bad++;
            }
            checked++;
        }
    }
    assert_int_equal(bad, 0);
    assert_true(checked > 250);
    /* spot checks, in the words an API user reads */
    cJSON *dom = schema_property(schemas, &seklik__registry__company_input__descriptor,
                                 protobuf_c_message_descriptor_get_field_by_name(
                                     &seklik__registry__company_input__descriptor,
                                     "domicile_letter_number"));
    assert_non_null(dom);
    assert_true(number(dom, "maxLength") == 100);
    cJSON_Delete(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_field_of_every_message_has_a_limit),
        cmocka_unit_test(every_table_entry_names_a_field_once),
        cmocka_unit_test(a_valid_request_passes),
        cmocka_unit_test(strings_are_counted_in_code_points),
        cmocka_unit_test(sk_utf8_count_refuses_every_malformed_sequence),
        cmocka_unit_test(invalid_utf8_is_named_in_every_string_field),
        cmocka_unit_test(bytes_are_bounded_in_bytes),
        cmocka_unit_test(repeated_fields_are_counted_and_not_walked_when_over),
        cmocka_unit_test(nested_and_repeated_paths_name_the_field),
        cmocka_unit_test(numbers_are_held_to_their_range),
        cmocka_unit_test(uuids_are_lower_cased_in_place_or_named),
        cmocka_unit_test(violations_stop_at_the_cap),
        cmocka_unit_test(openapi_publishes_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

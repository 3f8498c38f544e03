/* compose.c - Markdown rendering and the texts of a release's e-mail (see
 * domain.h). Pure like domain.c, but these allocate. */
#include <cmark.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"

char *dist_render_markdown(const char *md, size_t len)
{
    /* cmark 0.30 leaves raw HTML out and blanks unsafe link targets unless
     * CMARK_OPT_UNSAFE is given; it never is. */
    return cmark_markdown_to_html(md ? md : "", md ? len : 0, CMARK_OPT_VALIDATE_UTF8);
}

/* ---- a growing string ---- */

typedef struct buf {
    char *p;
    size_t len, cap;
    bool oom;
} buf;

static void put_n(buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put(buf *b, const char *s)
{
    put_n(b, s ? s : "", s ? strlen(s) : 0);
}

static void putf(buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        put_n(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    put_n(b, big, (size_t)n);
    free(big);
}

/* The buffer's string (the empty string when nothing was put), or NULL
 * after an allocation failure. */
static char *take(buf *b)
{
    if (!b->oom && !b->p)
        put_n(b, "", 0);
    if (b->oom) {
        free(b->p);
        return NULL;
    }
    return b->p;
}

static void put_escaped(buf *b, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '&': put(b, "&amp;"); break;
        case '<': put(b, "&lt;"); break;
        case '>': put(b, "&gt;"); break;
        case '"': put(b, "&quot;"); break;
        case '\'': put(b, "&#39;"); break;
        default: put_n(b, p, 1);
        }
    }
}

char *dist_html_escape(const char *s)
{
    buf b = {0};
    put_escaped(&b, s);
    return take(&b);
}

/* ---- headers ---- */

char *dist_header_encode(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    bool plain = true;
    for (size_t i = 0; i < n && plain; i++)
        plain = (p[i] >= 0x20 && p[i] < 0x7F) || p[i] == '\r' || p[i] == '\n';
    buf b = {0};
    if (plain) {
        for (size_t i = 0; i < n; i++)
            if (p[i] != '\r' && p[i] != '\n')
                put_n(&b, (const char *)p + i, 1);
        return take(&b);
    }
    /* Words of at most 45 bytes (60 base64 characters, 72 with the
     * "=?UTF-8?B?" and "?=" around them), never cutting a character. */
    for (size_t i = 0; i < n;) {
        size_t take_n = n - i < 45 ? n - i : 45;
        while (take_n > 0 && i + take_n < n && (p[i + take_n] & 0xC0) == 0x80)
            take_n--;
        if (take_n == 0)
            take_n = n - i < 45 ? n - i : 45; /* not UTF-8: cut anywhere */
        char b64[sodium_base64_ENCODED_LEN(45, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof(b64), p + i, take_n, sodium_base64_VARIANT_ORIGINAL);
        if (i > 0)
            put(&b, "\r\n ");
        putf(&b, "=?UTF-8?B?%s?=", b64);
        i += take_n;
    }
    return take(&b);
}

/* ---- the e-mail of a release ---- */

void dist_message_text_free(dist_message_text *m)
{
    free(m->subject);
    free(m->text);
    free(m->html);
    m->subject = m->text = m->html = NULL;
}

const char *dist_category_label(int category)
{
    static const char *const LABELS[] = {"",       "Pemerintahan", "Ekonomi",
                                         "Kesehatan", "Pendidikan", "Infrastruktur",
                                         "Sosial", "Kebencanaan",  "Acara",
                                         "Lainnya"};
    return category >= 0 && category < (int)(sizeof(LABELS) / sizeof(LABELS[0]))
               ? LABELS[category]
               : "";
}

static bool given(const char *s)
{
    return !dist_blank(s);
}

/* "Nama (Jabatan), 0812..., a@b.c" */
static void contact_line(buf *b, const dist_release_input *in, bool html)
{
    void (*out)(buf *, const char *) = html ? put_escaped : put;
    out(b, in->contact_name);
    if (given(in->contact_role)) {
        put(b, " (");
        out(b, in->contact_role);
        put(b, ")");
    }
    if (given(in->contact_phone)) {
        put(b, ", ");
        out(b, in->contact_phone);
    }
    if (given(in->contact_email)) {
        put(b, ", ");
        out(b, in->contact_email);
    }
}

static void agenda_line(buf *b, const dist_release_input *in, bool html)
{
    void (*out)(buf *, const char *) = html ? put_escaped : put;
    const char *sep = "";
    if (given(in->agenda_title)) {
        out(b, in->agenda_title);
        sep = ", ";
    }
    int64_t t;
    char when[64];
    if (given(in->agenda_starts_at) && dist_parse_time(in->agenda_starts_at, &t) &&
        dist_format_wib(t, when, sizeof(when))) {
        put(b, sep);
        put(b, when);
        sep = ", ";
    }
    if (given(in->agenda_place)) {
        put(b, sep);
        out(b, in->agenda_place);
    }
}

static bool has_agenda(const dist_release_input *in)
{
    return given(in->agenda_title) || given(in->agenda_starts_at) || given(in->agenda_place);
}

/* Every line end as CRLF, as SMTP wants it. */
static char *crlf(char *s)
{
    if (!s)
        return NULL;
    buf b = {0};
    for (const char *p = s; *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n')
            put_n(&b, "\r\n", 2);
        else
            put_n(&b, p, 1);
    }
    free(s);
    return take(&b);
}

int dist_compose_release(const dist_release_view *r, dist_message_text *out)
{
    const dist_release_input *in = &r->in;
    bool correction = r->version > 1;
    char embargo[64] = "";
    if (r->embargo_until > 0)
        dist_format_wib(r->embargo_until, embargo, sizeof(embargo));
    const char *category = r->category_label && *r->category_label ? r->category_label : "";

    buf subject = {0}, text = {0}, html = {0};
    if (correction)
        put(&subject, "RALAT: ");
    put(&subject, in->title);

    /* plain text */
    put(&text, "SIARAN PERS");
    if (*category)
        putf(&text, " - %s", category);
    put(&text, "\n");
    if (correction) {
        putf(&text, "RALAT (versi %d): ", r->version);
        put(&text, r->correction_note);
        put(&text, "\n");
    }
    if (*embargo)
        putf(&text, "EMBARGO: boleh dipublikasikan sejak %s.\n", embargo);
    put(&text, "\n");
    put(&text, in->title);
    put(&text, "\n\n");
    if (given(in->lead)) {
        put(&text, in->lead);
        put(&text, "\n\n");
    }
    put(&text, in->body_markdown);
    put(&text, "\n\n");
    put(&text, "Narahubung: ");
    contact_line(&text, in, false);
    put(&text, "\n");
    if (has_agenda(in)) {
        put(&text, "Agenda: ");
        agenda_line(&text, in, false);
        put(&text, "\n");
    }
    if (r->n_files) {
        put(&text, "Lampiran: ");
        for (size_t i = 0; i < r->n_files; i++) {
            put(&text, i ? ", " : "");
            put(&text, r->file_names[i]);
        }
        put(&text, "\n");
    }
    if (r->sender_name && *r->sender_name) {
        put(&text, "\n-- \n");
        put(&text, r->sender_name);
        put(&text, "\n");
    }

    /* HTML: the same, with the rendered body */
    put(&html, "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>");
    put_escaped(&html, subject.p);
    put(&html, "</title></head>\n<body style=\"font-family:sans-serif;line-height:1.5;max-width:42em\">\n");
    put(&html, "<p style=\"font-size:0.9em;color:#444\">SIARAN PERS");
    if (*category) {
        put(&html, " &middot; ");
        put_escaped(&html, category);
    }
    put(&html, "</p>\n");
    if (correction) {
        putf(&html, "<p style=\"border-left:4px solid #b45309;padding-left:0.5em\"><strong>RALAT (versi %d):</strong> ",
             r->version);
        put_escaped(&html, r->correction_note);
        put(&html, "</p>\n");
    }
    if (*embargo)
        putf(&html, "<p style=\"border:2px solid #b91c1c;padding:0.5em\"><strong>EMBARGO:</strong> boleh dipublikasikan sejak %s.</p>\n",
             embargo);
    put(&html, "<h1>");
    put_escaped(&html, in->title);
    put(&html, "</h1>\n");
    if (given(in->lead)) {
        put(&html, "<p><strong>");
        put_escaped(&html, in->lead);
        put(&html, "</strong></p>\n");
    }
    put(&html, r->body_html ? r->body_html : "");
    put(&html, "<hr>\n<p>Narahubung: ");
    contact_line(&html, in, true);
    put(&html, "</p>\n");
    if (has_agenda(in)) {
        put(&html, "<p>Agenda: ");
        agenda_line(&html, in, true);
        put(&html, "</p>\n");
    }
    if (r->n_files) {
        put(&html, "<p>Lampiran: ");
        for (size_t i = 0; i < r->n_files; i++) {
            put(&html, i ? ", " : "");
            put_escaped(&html, r->file_names[i]);
        }
        put(&html, "</p>\n");
    }
    if (r->sender_name && *r->sender_name) {
        put(&html, "<p>&mdash; ");
        put_escaped(&html, r->sender_name);
        put(&html, "</p>\n");
    }
    put(&html, "</body></html>\n");

    out->subject = take(&subject);
    out->text = crlf(take(&text));
    out->html = crlf(take(&html));
    if (!out->subject || !out->text || !out->html) {
        dist_message_text_free(out);
        return -1;
    }
    return 0;
}

/* ---- templates: mail for the rest of the system ---- */

/* A value's shape, checked before anything is rendered. */
enum {
    V_TEXT,      /* one line, DIST_SHORT_MAX characters */
    V_PARAGRAPH, /* lines, DIST_NOTE_MAX characters */
    V_UUID,
    V_TOKEN,     /* 43 characters of base64url: a gateway token */
    V_MINUTES,   /* 1..1440 */
    V_PATH,      /* a portal route: "/" then letters, digits, '/', '-', '_' */
    V_KIND,      /* a notice kind's name */
};

typedef struct value_spec {
    const char *key;
    int shape;
    bool required;
} value_spec;

static const value_spec RESET_VALUES[] = {
    {"user", V_UUID, true},
    {"token", V_TOKEN, true},
    {"minutes", V_MINUTES, true},
    {"name", V_TEXT, false},
    {NULL, 0, false},
};

static const value_spec NOTICE_VALUES[] = {
    {"kind", V_KIND, true},
    {"link", V_PATH, true},
    {"name", V_TEXT, false},
    {"companyName", V_TEXT, false},
    {"documentType", V_TEXT, false},
    {"reason", V_PARAGRAPH, false},
    {"outcome", V_TEXT, false},
    {"number", V_TEXT, false},
    {NULL, 0, false},
};

/* Is `s` of `shape`? On false, *code is dist_text_ok's code for a text
 * (*max its limit), else NULL (a value of the wrong shape). */
static bool shape_ok(int shape, const char *s, const char **code, size_t *max)
{
    size_t n = strlen(s);
    *code = NULL;
    switch (shape) {
    case V_TEXT: return dist_text_ok(s, *max = DIST_SHORT_MAX, false, code);
    case V_PARAGRAPH: return dist_text_ok(s, *max = DIST_NOTE_MAX, true, code);
    case V_UUID: {
        /* 8-4-4-4-12 hex */
        if (n != 36)
            return false;
        for (size_t i = 0; i < n; i++) {
            bool dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
                return false;
        }
        return true;
    }
    case V_TOKEN:
        return n == 43 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789-_") == n;
    case V_MINUTES: {
        if (n == 0 || n > 4 || strspn(s, "0123456789") != n)
            return false;
        long m = strtol(s, NULL, 10);
        return m >= 1 && m <= 1440;
    }
    case V_PATH:
        return n >= 1 && n <= 200 && s[0] == '/' &&
               strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-_") == n;
    case V_KIND: return dist_notice_kind_parse(s) != 0;
    }
    return false;
}

static const char *value_of(const dist_kv *values, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (values[i].key && strcmp(values[i].key, key) == 0)
            return values[i].value ? values[i].value : "";
    return NULL;
}

/* Check `values` against `spec`: every key known and once, every required
 * one given, each of its shape. Violations under "values[i]". */
static bool values_ok(const value_spec *spec, const dist_kv *values, size_t n, dist_violations *v)
{
    size_t before = v->n;
    char f[48];
    for (size_t i = 0; i < n; i++) {
        const value_spec *s = spec;
        while (s->key && !(values[i].key && strcmp(s->key, values[i].key) == 0))
            s++;
        snprintf(f, sizeof(f), "values[%zu].key", i);
        if (!s->key) {
            dist_violation_add(v, f, "unknown_value", "unknown key");
            continue;
        }
        for (size_t k = 0; k < i; k++)
            if (values[k].key && strcmp(values[k].key, values[i].key) == 0) {
                dist_violation_add(v, f, "duplicate", "the key is given twice");
                break;
            }
        const char *code = NULL;
        size_t max = 0;
        snprintf(f, sizeof(f), "values[%zu].value", i);
        const char *val = values[i].value ? values[i].value : "";
        if (s->required && dist_blank(val))
            dist_violation_add(v, f, "required", "required");
        else if (*val && !shape_ok(s->shape, val, &code, &max)) {
            if (code)
                dist_text_violation(v, f, code, max);
            else
                dist_violation_add(v, f, "value.invalid", "not a value of this key's form");
        }
    }
    for (const value_spec *s = spec; s->key; s++)
        if (s->required && !value_of(values, n, s->key)) {
            snprintf(f, sizeof(f), "values.%s", s->key);
            dist_violation_add(v, f, "required", "required");
        }
    return v->n == before;
}

/* ---- notices ---- */

static const char *const NOTICE_NAMES[] = {
    [DIST_NOTICE_DOCUMENT_REJECTED] = "document_rejected",
    [DIST_NOTICE_DECISION_AWAITING] = "decision_awaiting",
    [DIST_NOTICE_OFFER_WAITING] = "offer_waiting",
    [DIST_NOTICE_PROOF_REJECTED] = "proof_rejected",
    [DIST_NOTICE_INVOICE_RETURNED] = "invoice_returned",
    [DIST_NOTICE_INVOICE_PAID] = "invoice_paid",
};

const char *dist_notice_kind_name(int kind)
{
    return kind >= 1 && kind <= DIST_NOTICE_KIND_MAX ? NOTICE_NAMES[kind] : NULL;
}

int dist_notice_kind_parse(const char *name)
{
    for (int k = 1; name && k <= DIST_NOTICE_KIND_MAX; k++)
        if (strcmp(NOTICE_NAMES[k], name) == 0)
            return k;
    return 0;
}

/* Labels of seklik.registry.DocumentType, by its enum value's name. */
static const struct {
    const char *name, *id, *en;
} DOCUMENT_TYPES[] = {
    {"DOCUMENT_TYPE_AKTA", "akta pendirian", "deed of establishment"},
    {"DOCUMENT_TYPE_SK_KEMENKUMHAM", "SK Kemenkumham", "Ministry of Law decree"},
    {"DOCUMENT_TYPE_NIB", "NIB", "business identification number (NIB)"},
    {"DOCUMENT_TYPE_NPWP", "NPWP", "tax number (NPWP)"},
    {"DOCUMENT_TYPE_DOMISILI", "surat keterangan domisili", "domicile letter"},
    {"DOCUMENT_TYPE_DEWAN_PERS", "sertifikat Dewan Pers", "Press Council certificate"},
    {"DOCUMENT_TYPE_UKW", "sertifikat UKW", "journalist competency certificate (UKW)"},
    {"DOCUMENT_TYPE_PRESS_CARD", "kartu pers", "press card"},
    {"DOCUMENT_TYPE_OFFICE_PHOTO", "foto kantor", "office photo"},
    {"DOCUMENT_TYPE_PAKTA_INTEGRITAS", "pakta integritas", "integrity pact"},
    {"DOCUMENT_TYPE_BANK_ACCOUNT", "rekening bank", "bank account statement"},
    {"DOCUMENT_TYPE_OTHER", "dokumen lain", "other document"},
};

static const char *document_label(const char *name, bool en)
{
    for (size_t i = 0; name && i < sizeof(DOCUMENT_TYPES) / sizeof(DOCUMENT_TYPES[0]); i++)
        if (strcmp(DOCUMENT_TYPES[i].name, name) == 0)
            return en ? DOCUMENT_TYPES[i].en : DOCUMENT_TYPES[i].id;
    return en ? "a document" : "dokumen";
}

static const char *outcome_label(const char *o, bool en)
{
    if (o && strcmp(o, "OUTCOME_VERIFIED") == 0)
        return en ? "verified" : "terverifikasi";
    if (o && strcmp(o, "OUTCOME_REJECTED") == 0)
        return en ? "rejected" : "ditolak";
    if (o && strcmp(o, "OUTCOME_SUSPENDED") == 0)
        return en ? "suspended" : "dibekukan";
    return en ? "a decision" : "keputusan";
}

/* What each notice says: subject, then the sentence saying what happened
 * (placeholders: {company} {document} {outcome} {number}), then what to do. */
typedef struct notice_words {
    const char *subject, *what, *todo;
} notice_words;

static const notice_words NOTICE_ID[] = {
    [DIST_NOTICE_DOCUMENT_REJECTED] = {"Dokumen ditolak: {document}",
                                       "Dokumen {document} milik {company} ditolak oleh verifikator.",
                                       "Unggah dokumen yang sudah diperbaiki di portal SEKLIK."},
    [DIST_NOTICE_DECISION_AWAITING] = {"Keputusan menunggu persetujuan: {company}",
                                       "Usulan keputusan \"{outcome}\" atas verifikasi {company} "
                                       "menunggu persetujuan orang kedua.",
                                       "Periksa usulan itu lalu setujui atau kembalikan."},
    [DIST_NOTICE_OFFER_WAITING] = {"Penawaran menunggu jawaban: {number}",
                                   "Penawaran pesanan {number} menunggu jawaban Anda.",
                                   "Terima, tawar, atau tolak penawaran itu di portal SEKLIK."},
    [DIST_NOTICE_PROOF_REJECTED] = {"Bukti tayang ditolak: {number}",
                                    "Bukti tayang pesanan {number} ditolak.",
                                    "Kirim bukti tayang yang sudah diperbaiki di portal SEKLIK."},
    [DIST_NOTICE_INVOICE_RETURNED] = {"Tagihan dikembalikan: {number}",
                                      "Tagihan {number} dikembalikan untuk diperbaiki.",
                                      "Perbaiki tagihan itu di portal SEKLIK."},
    [DIST_NOTICE_INVOICE_PAID] = {"Tagihan dibayar: {number}", "Tagihan {number} telah dibayar.",
                                  "Rinciannya ada di portal SEKLIK."},
};

static const notice_words NOTICE_EN[] = {
    [DIST_NOTICE_DOCUMENT_REJECTED] = {"Document rejected: {document}",
                                       "The {document} of {company} was rejected by the verifier.",
                                       "Upload a corrected document in the SEKLIK portal."},
    [DIST_NOTICE_DECISION_AWAITING] = {"Decision awaiting approval: {company}",
                                       "A proposed decision \"{outcome}\" on the verification of "
                                       "{company} awaits a second person's approval.",
                                       "Review the proposal, then approve it or send it back."},
    [DIST_NOTICE_OFFER_WAITING] = {"An offer awaits your answer: {number}",
                                   "The offer of order {number} awaits your answer.",
                                   "Accept, counter or decline it in the SEKLIK portal."},
    [DIST_NOTICE_PROOF_REJECTED] = {"Proof of publication rejected: {number}",
                                    "The proof of publication of order {number} was rejected.",
                                    "Submit a corrected proof in the SEKLIK portal."},
    [DIST_NOTICE_INVOICE_RETURNED] = {"Invoice returned: {number}",
                                      "Invoice {number} was sent back for correction.",
                                      "Correct it in the SEKLIK portal."},
    [DIST_NOTICE_INVOICE_PAID] = {"Invoice paid: {number}", "Invoice {number} has been paid.",
                                  "The details are in the SEKLIK portal."},
};

/* `tpl` with its placeholders filled, each value escaped for HTML when `html`. */
static void fill(buf *b, const char *tpl, const dist_kv *values, size_t n, bool en, bool html)
{
    void (*out)(buf *, const char *) = html ? put_escaped : put;
    for (const char *p = tpl; *p;) {
        if (*p != '{') {
            size_t run = strcspn(p, "{");
            if (html) {
                char tmp[256];
                size_t k = run < sizeof(tmp) - 1 ? run : sizeof(tmp) - 1;
                memcpy(tmp, p, k);
                tmp[k] = '\0';
                put_escaped(b, tmp);
                p += k;
            } else {
                put_n(b, p, run);
                p += run;
            }
            continue;
        }
        const char *end = strchr(p, '}');
        if (!end) {
            put(b, p);
            break;
        }
        size_t len = (size_t)(end - p - 1);
        const char *val = NULL;
        if (len == 7 && strncmp(p + 1, "company", 7) == 0) {
            val = value_of(values, n, "companyName");
            if (!val || !*val)
                val = en ? "your company" : "perusahaan Anda";
        } else if (len == 8 && strncmp(p + 1, "document", 8) == 0) {
            val = document_label(value_of(values, n, "documentType"), en);
        } else if (len == 7 && strncmp(p + 1, "outcome", 7) == 0) {
            val = outcome_label(value_of(values, n, "outcome"), en);
        } else if (len == 6 && strncmp(p + 1, "number", 6) == 0) {
            val = value_of(values, n, "number");
            if (!val || !*val)
                val = "-";
        }
        out(b, val ? val : "");
        p = end + 1;
    }
}

static void greeting(buf *b, const char *name, bool en, bool html)
{
    put(b, html ? "<p>" : "");
    put(b, en ? "Dear " : "Yth. ");
    if (name && *name)
        (html ? put_escaped : put)(b, name);
    else
        put(b, en ? "SEKLIK user" : "pengguna SEKLIK");
    put(b, html ? ",</p>\n" : ",\n\n");
}

static void signature(buf *b, const char *sender, bool html)
{
    if (!sender || !*sender)
        return;
    if (html) {
        put(b, "<p>&mdash; ");
        put_escaped(b, sender);
        put(b, "</p>\n");
    } else {
        put(b, "\n-- \n");
        put(b, sender);
        put(b, "\n");
    }
}

static void html_head(buf *b, const char *subject, bool en)
{
    putf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
         en ? "en" : "id");
    put_escaped(b, subject);
    put(b, "</title></head>\n<body style=\"font-family:sans-serif;line-height:1.5;max-width:42em\">\n");
}

static void render_reset(const dist_kv *values, size_t n, const dist_mail_context *ctx, bool en,
                         buf *subject, buf *text, buf *html)
{
    const char *name = value_of(values, n, "name"), *minutes = value_of(values, n, "minutes");
    buf link = {0};
    putf(&link, "%s/#/reset?u=%s&t=%s", ctx->portal_url ? ctx->portal_url : "",
         value_of(values, n, "user"), value_of(values, n, "token"));
    const char *url = link.p ? link.p : "";
    put(subject, en ? "Reset your SEKLIK password" : "Atur ulang kata sandi SEKLIK Anda");

    greeting(text, name, en, false);
    put(text, en ? "Someone asked to reset the password of your SEKLIK account. To choose a new "
                   "password, open this link:\n\n"
                 : "Ada permintaan untuk mengatur ulang kata sandi akun SEKLIK Anda. Untuk "
                   "memilih kata sandi baru, buka tautan ini:\n\n");
    putf(text, "%s\n\n", url);
    putf(text,
         en ? "The link works once, for %s minutes. If you did not ask for it, ignore this "
              "e-mail: your password stays as it is.\n"
            : "Tautan ini hanya berlaku sekali, selama %s menit. Jika Anda tidak memintanya, "
              "abaikan surel ini: kata sandi Anda tidak berubah.\n",
         minutes);
    signature(text, ctx->sender_name, false);

    html_head(html, subject->p ? subject->p : "", en);
    greeting(html, name, en, true);
    put(html, en ? "<p>Someone asked to reset the password of your SEKLIK account. To choose a "
                   "new password, open this link:</p>\n"
                 : "<p>Ada permintaan untuk mengatur ulang kata sandi akun SEKLIK Anda. Untuk "
                   "memilih kata sandi baru, buka tautan ini:</p>\n");
    put(html, "<p><a href=\"");
    put_escaped(html, url);
    put(html, "\">");
    put(html, en ? "Choose a new password" : "Pilih kata sandi baru");
    put(html, "</a></p>\n");
    putf(html,
         en ? "<p>The link works once, for %s minutes. If you did not ask for it, ignore this "
              "e-mail: your password stays as it is.</p>\n"
            : "<p>Tautan ini hanya berlaku sekali, selama %s menit. Jika Anda tidak memintanya, "
              "abaikan surel ini: kata sandi Anda tidak berubah.</p>\n",
         minutes);
    signature(html, ctx->sender_name, true);
    put(html, "</body></html>\n");
    free(link.p);
}

static void render_notice(const dist_kv *values, size_t n, const dist_mail_context *ctx, bool en,
                          buf *subject, buf *text, buf *html)
{
    int kind = dist_notice_kind_parse(value_of(values, n, "kind"));
    const notice_words *w = en ? &NOTICE_EN[kind] : &NOTICE_ID[kind];
    const char *name = value_of(values, n, "name"), *reason = value_of(values, n, "reason");
    buf link = {0};
    putf(&link, "%s/#%s", ctx->portal_url ? ctx->portal_url : "", value_of(values, n, "link"));
    const char *url = link.p ? link.p : "";
    fill(subject, w->subject, values, n, en, false);

    greeting(text, name, en, false);
    fill(text, w->what, values, n, en, false);
    put(text, "\n");
    if (reason && *reason) {
        put(text, en ? "Reason: " : "Alasan: ");
        put(text, reason);
        put(text, "\n");
    }
    put(text, "\n");
    fill(text, w->todo, values, n, en, false);
    putf(text, "\n%s\n", url);
    put(text, en ? "\nYou receive this e-mail because you chose it in your SEKLIK profile.\n"
                 : "\nAnda menerima surel ini karena memilihnya di profil SEKLIK Anda.\n");
    signature(text, ctx->sender_name, false);

    html_head(html, subject->p ? subject->p : "", en);
    greeting(html, name, en, true);
    put(html, "<p>");
    fill(html, w->what, values, n, en, true);
    put(html, "</p>\n");
    if (reason && *reason) {
        put(html, en ? "<p><strong>Reason:</strong> " : "<p><strong>Alasan:</strong> ");
        put_escaped(html, reason);
        put(html, "</p>\n");
    }
    put(html, "<p>");
    fill(html, w->todo, values, n, en, true);
    put(html, " <a href=\"");
    put_escaped(html, url);
    put(html, "\">");
    put(html, en ? "Open SEKLIK" : "Buka SEKLIK");
    put(html, "</a></p>\n");
    put(html, en ? "<p style=\"font-size:0.9em;color:#444\">You receive this e-mail because you "
                   "chose it in your SEKLIK profile.</p>\n"
                 : "<p style=\"font-size:0.9em;color:#444\">Anda menerima surel ini karena "
                   "memilihnya di profil SEKLIK Anda.</p>\n");
    signature(html, ctx->sender_name, true);
    put(html, "</body></html>\n");
    free(link.p);
}

typedef struct template_def {
    const char *name;
    const value_spec *values;
    void (*render)(const dist_kv *, size_t, const dist_mail_context *, bool, buf *, buf *, buf *);
} template_def;

static const template_def TEMPLATES[] = {
    {"password_reset", RESET_VALUES, render_reset},
    {"notice", NOTICE_VALUES, render_notice},
};

bool dist_template_known(const char *name)
{
    for (size_t i = 0; name && i < sizeof(TEMPLATES) / sizeof(TEMPLATES[0]); i++)
        if (strcmp(TEMPLATES[i].name, name) == 0)
            return true;
    return false;
}

int dist_compose_template(const char *name, const char *locale, const dist_kv *values, size_t n,
                          const dist_mail_context *ctx, dist_message_text *out,
                          dist_violations *v)
{
    memset(out, 0, sizeof(*out));
    const template_def *t = NULL;
    for (size_t i = 0; name && i < sizeof(TEMPLATES) / sizeof(TEMPLATES[0]); i++)
        if (strcmp(TEMPLATES[i].name, name) == 0)
            t = &TEMPLATES[i];
    if (!t) {
        dist_violation_add(v, "templateName", name && *name ? "unknown_value" : "required",
                           "unknown template");
        return -1;
    }
    if (!values_ok(t->values, values, n, v))
        return -1;
    bool en = locale && strcmp(locale, "en") == 0;
    buf subject = {0}, text = {0}, html = {0};
    t->render(values, n, ctx, en, &subject, &text, &html);
    out->subject = take(&subject);
    out->text = crlf(take(&text));
    out->html = crlf(take(&html));
    if (!out->subject || !out->text || !out->html) {
        dist_message_text_free(out);
        return -1;
    }
    return 0;
}

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

/* smtp.c - the SMTP relay through libcurl (see smtp.h). */
#include "smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_err.h"

struct dist_smtp {
    const dist_smtp_config *cfg;
    CURL *curl;
    char mail_from[DIST_EMAIL_MAX + 3];
};

/* One leaf part's content, read by libcurl through a callback, so nothing
 * is copied and the last one can tell when it was taken to its end. */
typedef struct part_reader {
    const uint8_t *data;
    size_t len, pos;
    bool last;                /* the message's final part */
    struct send_ctx *ctx;
} part_reader;

typedef struct send_ctx {
    dist_handover_fn hook;
    void *arg;
    bool handed_over;
    dist_smtp_phase phase;
    char last_reply[240];
} send_ctx;

static size_t part_read(char *buffer, size_t size, size_t nitems, void *arg)
{
    part_reader *r = arg;
    size_t want = size * nitems, left = r->len - r->pos;
    size_t n = want < left ? want : left;
    if (n) {
        memcpy(buffer, r->data + r->pos, n);
        r->pos += n;
    }
    /* libcurl knows each part's size and never asks past its end: the
     * message is handed over when the last part's last bytes are taken. */
    if (r->last && r->pos == r->len && !r->ctx->handed_over) {
        r->ctx->handed_over = true;
        if (r->ctx->hook)
            r->ctx->hook(r->ctx->arg);
    }
    return n;
}

static int part_seek(void *arg, curl_off_t offset, int origin)
{
    part_reader *r = arg;
    if (origin != SEEK_SET || offset < 0 || (size_t)offset > r->len)
        return CURL_SEEKFUNC_CANTSEEK;
    r->pos = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

/* The last command sent and the last reply line, from libcurl's trace. */
static int trace(CURL *curl, curl_infotype type, char *data, size_t size, void *arg)
{
    (void)curl;
    send_ctx *c = arg;
    if (type == CURLINFO_HEADER_OUT && size >= 4) {
        if (strncasecmp(data, "MAIL", 4) == 0)
            c->phase = DIST_PHASE_MAIL;
        else if (strncasecmp(data, "RCPT", 4) == 0)
            c->phase = DIST_PHASE_RCPT;
        else if (strncasecmp(data, "DATA", 4) == 0)
            c->phase = DIST_PHASE_DATA;
    } else if (type == CURLINFO_HEADER_IN) {
        size_t n = size < sizeof(c->last_reply) - 1 ? size : sizeof(c->last_reply) - 1;
        while (n > 0 && (data[n - 1] == '\r' || data[n - 1] == '\n'))
            n--;
        memcpy(c->last_reply, data, n);
        c->last_reply[n] = '\0';
    }
    return 0;
}

bool dist_smtp_parse_from(const char *from, char *addr, size_t cap)
{
    if (!from || cap == 0)
        return false;
    const char *lt = strrchr(from, '<'), *start = from, *end = from + strlen(from);
    if (lt) {
        const char *gt = strchr(lt, '>');
        if (!gt || gt[1] != '\0')
            return false;
        start = lt + 1;
        end = gt;
    }
    while (start < end && *start == ' ')
        start++;
    while (end > start && end[-1] == ' ')
        end--;
    size_t n = (size_t)(end - start);
    if (n == 0 || n >= cap)
        return false;
    memcpy(addr, start, n);
    addr[n] = '\0';
    return dist_email_valid(addr);
}

int dist_smtp_open(const dist_smtp_config *cfg, dist_smtp **out)
{
    dist_smtp *s = calloc(1, sizeof(*s));
    if (!s)
        return SK_ENOMEM;
    s->cfg = cfg;
    s->curl = curl_easy_init();
    if (!s->curl) {
        free(s);
        return SK_ENOMEM;
    }
    snprintf(s->mail_from, sizeof(s->mail_from), "<%s>", cfg->from_addr);
    *out = s;
    return SK_OK;
}

void dist_smtp_close(dist_smtp *s)
{
    if (!s)
        return;
    curl_easy_cleanup(s->curl);
    free(s);
}

static void date_header(int64_t t, char *out, size_t cap)
{
    static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t wib = (time_t)(t + 7 * 3600);
    struct tm tm;
    gmtime_r(&wib, &tm);
    snprintf(out, cap, "Date: %s, %02d %s %04d %02d:%02d:%02d +0700", DAYS[tm.tm_wday],
             tm.tm_mday, MONTHS[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}

/* The From header: "addr", or the name encoded and the address. */
static char *from_header(const dist_smtp_config *cfg)
{
    const char *lt = strrchr(cfg->from, '<');
    char name[256] = "";
    if (lt) {
        size_t n = (size_t)(lt - cfg->from);
        while (n > 0 && cfg->from[n - 1] == ' ')
            n--;
        if (n >= sizeof(name))
            n = sizeof(name) - 1;
        memcpy(name, cfg->from, n);
        name[n] = '\0';
    }
    char *enc = name[0] ? dist_header_encode(name) : NULL;
    size_t cap = strlen(cfg->from_addr) + (enc ? strlen(enc) : 0) + 16;
    char *h = malloc(cap);
    if (h) {
        /* a plain name is quoted; an encoded one stands as it is */
        bool plain = enc && strncmp(enc, "=?", 2) != 0;
        if (enc)
            snprintf(h, cap, "From: %s%s%s <%s>", plain ? "\"" : "", enc, plain ? "\"" : "",
                     cfg->from_addr);
        else
            snprintf(h, cap, "From: <%s>", cfg->from_addr);
    }
    free(enc);
    return h;
}

static curl_mimepart *add_leaf(curl_mime *mime, part_reader *r, const char *type,
                               const char *encoder)
{
    curl_mimepart *p = curl_mime_addpart(mime);
    if (!p || curl_mime_data_cb(p, (curl_off_t)r->len, part_read, part_seek, NULL, r) != CURLE_OK ||
        curl_mime_type(p, type) != CURLE_OK || curl_mime_encoder(p, encoder) != CURLE_OK)
        return NULL;
    return p;
}

int dist_smtp_send(dist_smtp *s, const dist_mail *m, dist_handover_fn on_handover, void *arg,
                   dist_send_result *res)
{
    memset(res, 0, sizeof(*res));
    if (!dist_email_valid(m->to))
        return SK_EINVAL;
    CURL *c = s->curl;
    send_ctx ctx = {.hook = on_handover, .arg = arg, .phase = DIST_PHASE_CONNECT};
    size_t n_readers = 2 + m->n_files;
    part_reader *readers = calloc(n_readers, sizeof(*readers));
    char *subject = dist_header_encode(m->subject), *from = from_header(s->cfg);
    curl_mime *mime = curl_mime_init(c), *alt = curl_mime_init(c);
    struct curl_slist *headers = NULL, *rcpt = NULL, *inline_disp = NULL;
    int rc = SK_ENOMEM;
    if (!readers || !subject || !from || !mime || !alt)
        goto done;

    readers[0] = (part_reader){(const uint8_t *)m->text, strlen(m->text), 0, false, &ctx};
    readers[1] = (part_reader){(const uint8_t *)m->html, strlen(m->html), 0, m->n_files == 0, &ctx};
    for (size_t i = 0; i < m->n_files; i++)
        readers[2 + i] = (part_reader){m->files[i].data, m->files[i].len, 0,
                                       i + 1 == m->n_files, &ctx};
    if (!add_leaf(alt, &readers[0], "text/plain; charset=utf-8", "quoted-printable") ||
        !add_leaf(alt, &readers[1], "text/html; charset=utf-8", "quoted-printable"))
        goto done;
    curl_mimepart *body = curl_mime_addpart(mime);
    inline_disp = curl_slist_append(NULL, "Content-Disposition: inline");
    if (!body || !inline_disp || curl_mime_subparts(body, alt) != CURLE_OK)
        goto done;
    alt = NULL; /* owned by `mime` now */
    if (curl_mime_type(body, "multipart/alternative") != CURLE_OK ||
        curl_mime_headers(body, inline_disp, 1) != CURLE_OK)
        goto done;
    inline_disp = NULL;
    for (size_t i = 0; i < m->n_files; i++) {
        curl_mimepart *p = add_leaf(mime, &readers[2 + i], m->files[i].content_type, "base64");
        if (!p || curl_mime_filename(p, m->files[i].name) != CURLE_OK)
            goto done;
    }

    char line[DIST_EMAIL_MAX + 64];
    char *subject_line = malloc(strlen(subject) + 16);
    if (!subject_line)
        goto done;
    snprintf(subject_line, strlen(subject) + 16, "Subject: %s", subject);
    headers = curl_slist_append(headers, from);
    snprintf(line, sizeof(line), "To: <%s>", m->to);
    headers = headers ? curl_slist_append(headers, line) : NULL;
    headers = headers ? curl_slist_append(headers, subject_line) : NULL;
    free(subject_line);
    date_header(m->date, line, sizeof(line));
    headers = headers ? curl_slist_append(headers, line) : NULL;
    snprintf(line, sizeof(line), "Message-ID: %s", m->message_id);
    headers = headers ? curl_slist_append(headers, line) : NULL;
    snprintf(line, sizeof(line), "<%s>", m->to);
    rcpt = curl_slist_append(NULL, line);
    if (!headers || !rcpt)
        goto done;

    const dist_smtp_config *cfg = s->cfg;
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, cfg->url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, s->mail_from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)cfg->timeout_s);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)cfg->timeout_s);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, trace);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &ctx);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    /* the smallest upload buffer: at the hand-over, at most this much of the
     * message is still to be written to the socket */
    curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
    if (cfg->starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (cfg->user && *cfg->user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
    }

    CURLcode cc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    res->ok = cc == CURLE_OK;
    res->handed_over = ctx.handed_over;
    res->phase = ctx.phase;
    res->code = (int)code;
    if (cc == CURLE_OK || (ctx.last_reply[0] && code >= 400))
        snprintf(res->reply, sizeof(res->reply), "%s", ctx.last_reply);
    else
        snprintf(res->reply, sizeof(res->reply), "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
    /* Nothing of this message may linger in the handle for the next one. */
    curl_easy_setopt(c, CURLOPT_MIMEPOST, NULL);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, NULL);
    rc = SK_OK;
done:
    curl_mime_free(alt);
    curl_mime_free(mime);
    curl_slist_free_all(inline_disp);
    curl_slist_free_all(headers);
    curl_slist_free_all(rcpt);
    free(subject);
    free(from);
    free(readers);
    return rc;
}

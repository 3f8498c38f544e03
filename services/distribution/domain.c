/* domain.c - distribution rules (see domain.h). */
#include "domain.h"
#include "sk_email.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- violations ---- */

bool dist_violation_add(dist_violations *v, const char *field, const char *code,
                        const char *english)
{
    if (!v || v->n >= DIST_MAX_VIOLATIONS)
        return false;
    snprintf(v->items[v->n].field, sizeof(v->items[v->n].field), "%s", field ? field : "");
    snprintf(v->items[v->n].code, sizeof(v->items[v->n].code), "%s", code ? code : "");
    snprintf(v->items[v->n].english, sizeof(v->items[v->n].english), "%s", english ? english : "");
    v->n++;
    return true;
}

/* ---- text ---- */

/* Decode one UTF-8 sequence at s (at most n bytes); its length, or 0 when
 * malformed (overlong, surrogate, above U+10FFFF, cut short). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

bool dist_text_ok(const char *s, size_t max_chars, bool multiline, const char **reason)
{
    const char *why = NULL;
    size_t n = s ? strlen(s) : 0, chars = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_next(p + i, n - i, &cp);
        if (len == 0) {
            why = DIST_CODE("text.invalid");
            break;
        }
        bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
        if (control && !(multiline && (cp == '\t' || cp == '\r' || cp == '\n'))) {
            why = DIST_CODE("text.invalid");
            break;
        }
        i += len;
        if (++chars > max_chars && !why)
            why = DIST_CODE("too_long");
    }
    if (reason)
        *reason = why;
    return why == NULL;
}

void dist_text_violation(dist_violations *v, const char *field, const char *code, size_t max_chars)
{
    char english[64];
    if (code && strcmp(code, "too_long") == 0)
        snprintf(english, sizeof(english), "at most %zu characters", max_chars);
    else
        snprintf(english, sizeof(english), "contains characters that are not allowed");
    dist_violation_add(v, field, code, english);
}

bool dist_blank(const char *s)
{
    return !s || s[strspn(s, " \t\r\n")] == '\0';
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool dist_email_valid(const char *s)
{
    return sk_email_valid(s);
}

bool dist_url_valid(const char *s)
{
    if (!s)
        return false;
    size_t n = strlen(s), skip;
    if (n > DIST_URL_MAX)
        return false;
    if (strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else if (strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7F || strchr("<>\"\\^`{|}", c))
            return false;
    }
    /* host[:port], then '/', '?', '#' or the end; no userinfo */
    size_t host_end = skip + strcspn(s + skip, "/?#");
    const char *colon = memchr(s + skip, ':', host_end - skip);
    size_t host_len = (colon ? (size_t)(colon - s) : host_end) - skip;
    if (memchr(s + skip, '@', host_end - skip) || host_len == 0)
        return false;
    for (size_t i = skip; i < skip + host_len; i++)
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '.')
            return false;
    if (colon) {
        size_t digits = host_end - (size_t)(colon - s) - 1;
        if (digits == 0 || digits > 5 || strspn(colon + 1, "0123456789") != digits ||
            atoi(colon + 1) > 65535)
            return false;
    }
    return true;
}

bool dist_phone_valid(const char *s)
{
    if (!s)
        return false;
    size_t n = strlen(s), digits = 0;
    if (n < 6 || n > DIST_PHONE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (!strchr(" +-().", s[i]))
            return false;
    }
    return digits >= 6;
}

/* ---- time ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : DAYS[m - 1];
}

/* `n` digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool dist_parse_time(const char *s, int64_t *out)
{
    if (!s || strlen(s) < 17)
        return false;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = 0;
    if (s[4] != '-' || s[7] != '-' || !strchr("Tt ", s[10]) || s[13] != ':' || y < 1970 ||
        mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        d > days_in_month(y, mo))
        return false;
    const char *p = s + 16;
    if (*p == ':') {
        sec = digits(p + 1, 2);
        if (sec < 0 || sec > 59)
            return false;
        p += 3;
        if (*p == '.') {
            size_t frac = strspn(p + 1, "0123456789");
            if (frac == 0 || frac > 9)
                return false;
            p += 1 + frac;
        }
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh = digits(p + 1, 2);
        if (oh < 0 || oh > 23 || p[3] != ':')
            return false;
        int om = digits(p + 4, 2);
        if (om < 0 || om > 59)
            return false;
        offset = (*p == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
        p += 6;
    } else {
        return false;
    }
    if (*p != '\0')
        return false;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    return true;
}

bool dist_format_time(int64_t t, char out[static 21])
{
    if (t < 0 || t > 253402300799) /* 9999-12-31T23:59:59Z */
        return false;
    int y, m, d;
    civil_from_days(t / 86400, &y, &m, &d);
    int64_t r = t % 86400;
    /* The ranges spelled out (they hold by the check above): gcc -O3 cannot
     * prove them through civil_from_days and fails -Wformat-truncation. */
    snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u, (unsigned)(r / 3600) % 100u, (unsigned)(r / 60 % 60),
             (unsigned)(r % 60));
    return true;
}

bool dist_format_wib(int64_t t, char *out, size_t cap)
{
    static const char *const MONTHS[] = {"Januari", "Februari", "Maret",     "April",
                                         "Mei",     "Juni",     "Juli",      "Agustus",
                                         "September", "Oktober", "November", "Desember"};
    if (t < 0 || t > 253402300799 - 7 * 3600 || cap == 0)
        return false;
    int64_t w = t + 7 * 3600;
    int y, m, d;
    civil_from_days(w / 86400, &y, &m, &d);
    int64_t r = w % 86400;
    snprintf(out, cap, "%d %s %d pukul %02d.%02d WIB", d, MONTHS[m - 1], y, (int)(r / 3600),
             (int)(r / 60 % 60));
    return true;
}

bool distribution_embargo_lifted(int64_t embargo_until, int64_t now)
{
    return embargo_until == 0 || now >= embargo_until;
}

bool dist_embargo_acceptable(int64_t embargo_until, int64_t now)
{
    return embargo_until >= now + DIST_EMBARGO_MIN_S && embargo_until <= now + 366 * 86400;
}

/* ---- release content ---- */

static void field(char *buf, size_t cap, const char *prefix, const char *name)
{
    if (prefix && *prefix)
        snprintf(buf, cap, "%s.%s", prefix, name);
    else
        snprintf(buf, cap, "%s", name);
}

/* A text field: required or not, its limit; adds the reason. */
static void check_text(dist_violations *v, const char *prefix, const char *name, const char *s,
                       size_t max, bool multiline, bool required)
{
    char f[96];
    field(f, sizeof(f), prefix, name);
    const char *why = NULL;
    if (required && dist_blank(s))
        dist_violation_add(v, f, "required", "required");
    else if (!dist_text_ok(s, max, multiline, &why))
        dist_text_violation(v, f, why, max);
}

bool dist_release_input_check(const dist_release_input *in, const char *prefix, bool complete,
                              dist_violations *v)
{
    size_t before = v->n;
    char f[96];
    check_text(v, prefix, "title", in->title, DIST_TITLE_MAX, false, true);
    check_text(v, prefix, "lead", in->lead, DIST_LEAD_MAX, true, false);
    field(f, sizeof(f), prefix, "bodyMarkdown");
    const char *why = NULL;
    if (dist_blank(in->body_markdown)) {
        if (complete)
            dist_violation_add(v, f, "required", "required");
    } else if (!dist_text_ok(in->body_markdown, DIST_BODY_MAX, true, &why))
        dist_text_violation(v, f, why, DIST_BODY_MAX);
    field(f, sizeof(f), prefix, "category");
    if (in->category == 0) {
        if (complete)
            dist_violation_add(v, f, "required", "required");
    }
    else if (in->category < 0 || in->category > DIST_CATEGORY_MAX)
        dist_violation_add(v, f, "unknown_value", "unknown category");

    char contact[64];
    field(contact, sizeof(contact), prefix, "contact");
    check_text(v, contact, "name", in->contact_name, DIST_SHORT_MAX, false, complete);
    check_text(v, contact, "role", in->contact_role, DIST_SHORT_MAX, false, false);
    bool phone = !dist_blank(in->contact_phone), email = !dist_blank(in->contact_email);
    field(f, sizeof(f), contact, "phone");
    if (!phone && !email) {
        if (complete)
            dist_violation_add(v, f, "contact.phone_or_email_required",
                               "a phone number or an e-mail address is required");
    }
    else if (phone && !dist_phone_valid(in->contact_phone))
        dist_violation_add(v, f, "phone.invalid", "not a valid phone number");
    field(f, sizeof(f), contact, "email");
    if (email && !dist_email_valid(in->contact_email))
        dist_violation_add(v, f, "email.invalid", "not a valid e-mail address");

    char agenda[64];
    field(agenda, sizeof(agenda), prefix, "agenda");
    check_text(v, agenda, "title", in->agenda_title, DIST_SHORT_MAX, false, false);
    check_text(v, agenda, "place", in->agenda_place, DIST_SHORT_MAX, false, false);
    int64_t t;
    field(f, sizeof(f), agenda, "startsAt");
    if (!dist_blank(in->agenda_starts_at) && !dist_parse_time(in->agenda_starts_at, &t))
        dist_violation_add(v, f, "time.invalid", "must be a real date and time (RFC 3339)");
    return v->n == before;
}

/* ---- files ---- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static dist_file_type sniff_png(const uint8_t *data, size_t len, uint32_t *w, uint32_t *h)
{
    /* signature (8), IHDR length (4) = 13, "IHDR", width (4), height (4) */
    if (len < 24 || be32(data + 8) != 13 || memcmp(data + 12, "IHDR", 4) != 0)
        return DIST_FILE_UNKNOWN;
    uint32_t width = be32(data + 16), height = be32(data + 20);
    if (width == 0 || height == 0 || width > 0x7FFFFFFF || height > 0x7FFFFFFF)
        return DIST_FILE_UNKNOWN;
    *w = width;
    *h = height;
    return DIST_FILE_PNG;
}

static bool jpeg_sof(uint8_t m)
{
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

static dist_file_type sniff_jpeg(const uint8_t *data, size_t len, uint32_t *w, uint32_t *h)
{
    size_t i = 2; /* after SOI */
    while (i < len) {
        if (data[i] != 0xFF)
            return DIST_FILE_UNKNOWN;
        while (i < len && data[i] == 0xFF) /* fill bytes */
            i++;
        if (i >= len)
            break;
        uint8_t marker = data[i++];
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue; /* no length */
        if (marker == 0xD8 || marker == 0xD9 || marker == 0xDA)
            return DIST_FILE_UNKNOWN; /* a frame header must come first */
        if (i + 2 > len)
            break;
        uint32_t seg = be16(data + i);
        if (seg < 2)
            return DIST_FILE_UNKNOWN;
        if (jpeg_sof(marker)) {
            /* length (2), precision (1), height (2), width (2) */
            if (seg < 7 || i + 7 > len)
                break;
            uint32_t height = be16(data + i + 3), width = be16(data + i + 5);
            if (width == 0 || height == 0)
                return DIST_FILE_UNKNOWN;
            *w = width;
            *h = height;
            return DIST_FILE_JPEG;
        }
        i += seg;
    }
    return DIST_FILE_UNKNOWN;
}

dist_file_type dist_file_sniff(const uint8_t *data, size_t len, uint32_t *width,
                               uint32_t *height)
{
    static const uint8_t PDF[] = {'%', 'P', 'D', 'F', '-'};
    static const uint8_t PNG[] = {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A};
    uint32_t w = 0, h = 0;
    dist_file_type t = DIST_FILE_UNKNOWN;
    if (!data)
        t = DIST_FILE_UNKNOWN;
    else if (len >= sizeof PDF && memcmp(data, PDF, sizeof PDF) == 0)
        t = DIST_FILE_PDF;
    else if (len >= sizeof PNG && memcmp(data, PNG, sizeof PNG) == 0)
        t = sniff_png(data, len, &w, &h);
    else if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        t = sniff_jpeg(data, len, &w, &h);
    if (width)
        *width = t == DIST_FILE_UNKNOWN ? 0 : w;
    if (height)
        *height = t == DIST_FILE_UNKNOWN ? 0 : h;
    return t;
}

const char *dist_file_mime(dist_file_type t)
{
    switch (t) {
    case DIST_FILE_PDF: return "application/pdf";
    case DIST_FILE_JPEG: return "image/jpeg";
    case DIST_FILE_PNG: return "image/png";
    case DIST_FILE_UNKNOWN: break;
    }
    return NULL;
}

bool dist_file_acceptable(int kind, dist_file_type type, size_t len, uint32_t width,
                          uint32_t height, const char **code, const char **english)
{
    const char *why = NULL, *text = NULL;
    bool image = type == DIST_FILE_JPEG || type == DIST_FILE_PNG;
    if (len == 0)
        why = DIST_CODE("required"), text = "the file is empty";
    else if (kind == DIST_KIND_PHOTO && len > DIST_PHOTO_MAX_BYTES)
        why = DIST_CODE("too_large"), text = "at most 5 MiB"; /* DIST_PHOTO_MAX_BYTES */
    else if (kind == DIST_KIND_ATTACHMENT && len > DIST_ATTACHMENT_MAX_BYTES)
        why = DIST_CODE("too_large"), text = "at most 10 MiB"; /* DIST_ATTACHMENT_MAX_BYTES */
    else if (kind == DIST_KIND_PHOTO && !image)
        why = DIST_CODE("file.not_image"), text = "a photo must be a JPEG or PNG";
    else if (kind == DIST_KIND_ATTACHMENT && type == DIST_FILE_UNKNOWN)
        why = DIST_CODE("file.type"), text = "the file must be a PDF, JPEG or PNG";
    else if (image && (width > DIST_IMAGE_MAX_SIDE || height > DIST_IMAGE_MAX_SIDE))
        why = DIST_CODE("image.too_large"), text = "at most 8000 pixels a side";
    else if (kind != DIST_KIND_PHOTO && kind != DIST_KIND_ATTACHMENT)
        why = DIST_CODE("unknown_value"), text = "unknown file kind";
    if (code)
        *code = why;
    if (english)
        *english = text;
    return why == NULL;
}

void dist_safe_file_name(const char *in, char *out, size_t cap)
{
    const char *s = in ? in : "";
    for (const char *p = s; *p; p++)
        if (*p == '/' || *p == '\\')
            s = p + 1;
    size_t o = 0, max = cap - 1 < DIST_SHORT_MAX ? cap - 1 : DIST_SHORT_MAX;
    for (; *s && o < max; s++) {
        unsigned char c = (unsigned char)*s;
        bool ok = c > 0x20 && c < 0x7F && c != '"' && c != '\\' && c != ';' && c != '%';
        out[o++] = ok || c == ' ' ? (char)c : '_';
    }
    out[o] = '\0';
    while (o > 0 && out[o - 1] == ' ')
        out[--o] = '\0';
    if (out[0] == '.' || out[0] == ' ')
        out[0] = '_';
    if (o == 0 || strspn(out, "_") == o)
        snprintf(out, cap, "file");
}

/* ---- delivery ---- */

int64_t dist_retry_delay_s(int attempts, int64_t base_s, int64_t max_s)
{
    if (attempts < 1)
        attempts = 1;
    int64_t d = base_s > 0 ? base_s : 1;
    for (int i = 1; i < attempts && d < max_s; i++)
        d *= 2;
    return d < max_s ? d : max_s;
}

dist_outcome dist_classify(bool ok, dist_smtp_phase phase, int code)
{
    if (ok)
        return DIST_OUTCOME_SENT;
    if (code >= 500 && code <= 599) {
        if (phase == DIST_PHASE_RCPT)
            return DIST_OUTCOME_BOUNCED;
        if (phase == DIST_PHASE_MAIL || phase == DIST_PHASE_DATA)
            return DIST_OUTCOME_FAILED;
    }
    return DIST_OUTCOME_RETRY;
}

bool dist_may_retry(int attempts, int max_attempts)
{
    return attempts < max_attempts;
}

/* ---- recipients ---- */

bool dist_partner_active(bool verified, bool suspended, int32_t valid_until, int32_t today)
{
    return verified && !suspended && (valid_until < 0 || valid_until >= today);
}

bool dist_outlet_selected(const dist_selection *s, const dist_outlet_fact *o)
{
    if (s->mode != DIST_MODE_FILTER)
        return true;
    bool type_ok = s->n_types == 0, tier_ok = s->n_tiers == 0;
    for (size_t i = 0; i < s->n_types && !type_ok; i++)
        type_ok = s->types[i] == o->type;
    for (size_t i = 0; i < s->n_tiers && !tier_ok; i++)
        tier_ok = o->tier_known && s->tiers[i] == o->tier;
    return type_ok && tier_ok;
}

bool dist_company_selected(const dist_selection *s, bool active, bool chosen,
                           const dist_outlet_fact *outlets, size_t n_outlets)
{
    if (!active)
        return false;
    switch (s->mode) {
    case DIST_MODE_ALL:
        return true;
    case DIST_MODE_CHOSEN:
        return chosen;
    case DIST_MODE_FILTER:
        for (size_t i = 0; i < n_outlets; i++)
            if (dist_outlet_selected(s, &outlets[i]))
                return true;
        return false;
    default:
        return false;
    }
}

bool dist_selection_check(int mode, const int *tiers, size_t n_tiers, const int *types,
                          size_t n_types, int fiscal_year, size_t n_companies,
                          const char *prefix, dist_violations *v)
{
    size_t before = v->n;
    char f[96];
    field(f, sizeof(f), prefix, "mode");
    if (mode == 0)
        dist_violation_add(v, f, "required", "required");
    else if (mode != DIST_MODE_ALL && mode != DIST_MODE_FILTER && mode != DIST_MODE_CHOSEN)
        dist_violation_add(v, f, "unknown_value", "unknown recipient mode");
    if (mode == DIST_MODE_FILTER) {
        for (size_t i = 0; i < n_tiers; i++)
            if (tiers[i] < 0 || tiers[i] > 3) {
                snprintf(f, sizeof(f), "%s%stiers[%zu]", prefix ? prefix : "",
                         prefix && *prefix ? "." : "", i);
                dist_violation_add(v, f, "unknown_value", "unknown tier");
            }
        for (size_t i = 0; i < n_types; i++)
            if (types[i] < 1 || types[i] > 4) {
                snprintf(f, sizeof(f), "%s%soutletTypes[%zu]", prefix ? prefix : "",
                         prefix && *prefix ? "." : "", i);
                dist_violation_add(v, f, "unknown_value", "unknown outlet type");
            }
        field(f, sizeof(f), prefix, "fiscalYear");
        if (n_tiers > 0 && (fiscal_year < 2000 || fiscal_year > 2100))
            dist_violation_add(v, f, fiscal_year == 0 ? "required" : "out_of_range",
                               "must be between 2000 and 2100");
    }
    if (mode == DIST_MODE_CHOSEN) {
        field(f, sizeof(f), prefix, "companyIds");
        if (n_companies == 0)
            dist_violation_add(v, f, "required", "required");
        else if (n_companies > DIST_CHOSEN_MAX)
            dist_violation_add(v, f, "too_many", "at most 1000 entries"); /* DIST_CHOSEN_MAX */
    }
    return v->n == before;
}

/* ---- notices ---- */

static bool has_role(const char *const *roles, size_t n, const char *role)
{
    for (size_t i = 0; roles && i < n; i++)
        if (roles[i] && strcmp(roles[i], role) == 0)
            return true;
    return false;
}

bool dist_notice_concerns(int kind, const char *const *roles, size_t n_roles, bool has_company)
{
    bool partner = has_role(roles, n_roles, "partner");
    switch (kind) {
    case DIST_NOTICE_DOCUMENT_REJECTED:
    case DIST_NOTICE_PROOF_REJECTED:
    case DIST_NOTICE_INVOICE_RETURNED:
    case DIST_NOTICE_INVOICE_PAID:
        return partner && has_company;
    case DIST_NOTICE_OFFER_WAITING:
        return (partner && has_company) || (!partner && has_role(roles, n_roles, "partnership"));
    case DIST_NOTICE_DECISION_AWAITING:
        return !partner && (has_role(roles, n_roles, "verifier") ||
                            has_role(roles, n_roles, "head") || has_role(roles, n_roles, "admin"));
    default: return false;
    }
}

size_t dist_notice_kinds_for(const char *const *roles, size_t n_roles, bool has_company,
                             int kinds[DIST_NOTICE_KIND_MAX])
{
    size_t n = 0;
    for (int k = 1; k <= DIST_NOTICE_KIND_MAX; k++)
        if (dist_notice_concerns(k, roles, n_roles, has_company))
            kinds[n++] = k;
    return n;
}

bool dist_notice_fresh(int64_t occurred_unix_s, int64_t now)
{
    return occurred_unix_s <= 0 || now - occurred_unix_s <= DIST_NOTICE_MAX_AGE_S;
}

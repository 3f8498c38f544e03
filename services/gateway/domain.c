/* domain.c - the gateway's rules (see domain.h). */
#include "domain.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sk_actor.h"
#include "sk_email.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const MESSAGES[] = {
    [GW_OK] = "",
    [GW_MISSING] = "required: a value is required",
    [GW_USERNAME_LENGTH] = "username.length: username must be 3 to 64 characters",
    [GW_USERNAME_CHARS] = "username.chars: username may hold only lower-case letters, digits, "
                          "'.', '_', '-' and '@', starting with a letter or digit",
    [GW_DISPLAY_NAME_LENGTH] = "too_long: display name is at most 128 characters",
    [GW_DISPLAY_NAME_CHARS] = "text.invalid: display name holds characters that are not allowed",
    [GW_PASSWORD_SHORT] = "password.too_short: a password needs at least 10 characters",
    [GW_PASSWORD_LONG] = "password.too_long: the password is too long",
    [GW_PASSWORD_USERNAME] = "password.is_username: the password must not be the username",
    [GW_PASSWORD_COMMON] = "password.common: the password is too common, choose another",
    [GW_PASSWORD_ENCODING] = "text.invalid_utf8: the password is not valid UTF-8",
    [GW_ROLE_UNKNOWN] = "role.unknown: unknown role; use admin, verifier, partnership, pr, "
                        "finance, head or partner",
    [GW_ROLE_DUPLICATE] = "role.duplicate: role given more than once",
    [GW_ROLE_TOO_MANY] = "role.too_many: too many roles",
    [GW_ROLE_PARTNER_MIXED] = "role.partner_mixed: a partner account has the partner role only",
    [GW_COMPANY_NOT_PARTNER] =
        "role.company_not_partner: only partner accounts belong to a company",
    [GW_LOCALE_UNKNOWN] = "locale.unknown: locale must be id or en",
    [GW_EMAIL_INVALID] = "email.invalid: not a valid e-mail address",
};

const char *gw_problem_message(gw_problem p)
{
    return (size_t)p < COUNT(MESSAGES) && MESSAGES[p] ? MESSAGES[p] : "";
}

/* ---- text helpers ---- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Code points in `s`, or -1 when it is not valid UTF-8 (overlongs,
 * surrogates and values past U+10FFFF refused). Control characters are
 * counted in *controls when not NULL. */
static long utf8_chars(const char *s, size_t len_bytes, size_t *controls)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len_bytes;
    long n = 0;
    while (p < end) {
        unsigned c = *p;
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            len = 1;
            cp = c;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return -1;
        }
        if ((size_t)(end - p) < len)
            return -1;
        for (size_t i = 1; i < len; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return -1;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return -1;
        if (controls && (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)))
            (*controls)++;
        p += len;
        n++;
    }
    return n;
}

void gw_trim_copy(const char *in, char *out, size_t cap)
{
    if (cap == 0)
        return;
    out[0] = '\0';
    if (!in)
        return;
    while (is_blank(*in))
        in++;
    size_t n = strlen(in);
    while (n > 0 && is_blank(in[n - 1]))
        n--;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)in[n] & 0xc0) == 0x80)
            n--; /* do not cut a character in half */
    }
    memcpy(out, in, n);
    out[n] = '\0';
}

/* ---- usernames ---- */

gw_problem gw_username_normalize(const char *in, char *out, size_t cap)
{
    gw_trim_copy(in, out, cap);
    if (cap == 0)
        return GW_MISSING;
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    size_t n = strlen(out);
    if (n == 0)
        return GW_MISSING;
    /* The input may have been cut to fit: judge the length on the input. */
    size_t in_len = strlen(in);
    while (in_len > 0 && is_blank(in[in_len - 1]))
        in_len--;
    const char *s = in;
    while (is_blank(*s))
        s++, in_len--;
    if (in_len < GW_USERNAME_MIN || in_len > GW_USERNAME_MAX || n != in_len)
        return GW_USERNAME_LENGTH;
    if (strspn(out, "abcdefghijklmnopqrstuvwxyz0123456789._-@") != n)
        return GW_USERNAME_CHARS;
    if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789", out[0]))
        return GW_USERNAME_CHARS;
    return GW_OK;
}

/* ---- display names ---- */

gw_problem gw_display_name_check(const char *name)
{
    if (!name)
        return GW_MISSING;
    while (is_blank(*name))
        name++;
    if (*name == '\0')
        return GW_MISSING;
    size_t n = strlen(name);
    while (n > 0 && is_blank(name[n - 1]))
        n--; /* the caller stores it trimmed */
    if (n > GW_DISPLAY_NAME_MAX)
        return GW_DISPLAY_NAME_LENGTH;
    size_t controls = 0;
    if (utf8_chars(name, n, &controls) < 0 || controls > 0)
        return GW_DISPLAY_NAME_CHARS;
    return GW_OK;
}

/* ---- passwords ---- */

/* Well-known passwords of ten characters or more (shorter ones fail on
 * length anyway): the top of the public breach lists, and the local ones. */
static const char *const COMMON_PASSWORDS[] = {
    "1234567890",   "0123456789",    "12345678910",   "123456789a",   "1234567890a",
    "1q2w3e4r5t",   "1qaz2wsx3edc",  "qwertyuiop",    "qwerty1234",   "qwerty12345",
    "asdfghjkl1",   "zxcvbnm123",    "password12",    "password123",  "password1234",
    "passw0rd123",  "p@ssw0rd123",   "passwordpassword", "iloveyou123", "abcdefghij",
    "abc1234567",   "abcd123456",    "admin12345",    "admin123456",  "adminadmin",
    "administrator", "welcome123",   "letmein123",    "football123",  "princess123",
    "indonesia1",   "indonesia123",  "indonesia45",   "bismillah1",   "bismillah123",
    "sayangkamu",   "sayang12345",   "rahasia123",    "rahasia1234",  "katasandi",
    "katasandi123", "merdeka45",     "merdeka1945",   "diskominfo",   "diskominfo123",
    "seklik12345",  "sumsel12345",   "palembang123",
};

/* Every character the same ("aaaaaaaaaa"). */
static bool one_repeated_byte(const char *s)
{
    return s[0] && s[strspn(s, (char[]){s[0], '\0'})] == '\0';
}

gw_problem gw_password_check(const char *password, const char *username)
{
    if (!password || password[0] == '\0')
        return GW_MISSING;
    if (strlen(password) > GW_PASSWORD_MAX)
        return GW_PASSWORD_LONG;
    long chars = utf8_chars(password, strlen(password), NULL);
    if (chars < 0)
        return GW_PASSWORD_ENCODING;
    if (chars < GW_PASSWORD_MIN)
        return GW_PASSWORD_SHORT;
    if (username && username[0] && strcasecmp(password, username) == 0)
        return GW_PASSWORD_USERNAME;
    for (size_t i = 0; i < COUNT(COMMON_PASSWORDS); i++)
        if (strcasecmp(password, COMMON_PASSWORDS[i]) == 0)
            return GW_PASSWORD_COMMON;
    if (one_repeated_byte(password))
        return GW_PASSWORD_COMMON;
    return GW_OK;
}

/* ---- roles ---- */

static const char *const ROLES[] = {SK_ROLE_ADMIN, SK_ROLE_VERIFIER, SK_ROLE_PARTNERSHIP,
                                    SK_ROLE_PR,    SK_ROLE_FINANCE,  SK_ROLE_HEAD,
                                    SK_ROLE_PARTNER};

bool gw_role_valid(const char *role)
{
    for (size_t i = 0; role && i < COUNT(ROLES); i++)
        if (strcmp(role, ROLES[i]) == 0)
            return true;
    return false;
}

bool gw_roles_is_partner(const char *const *roles, size_t n)
{
    return n == 1 && roles[0] && strcmp(roles[0], SK_ROLE_PARTNER) == 0;
}

gw_problem gw_roles_check(const char *const *roles, size_t n, const char *company_id, int *bad)
{
    if (bad)
        *bad = -1;
    if (n == 0)
        return GW_MISSING;
    if (n > GW_ROLES_MAX)
        return GW_ROLE_TOO_MANY;
    bool partner = false;
    for (size_t i = 0; i < n; i++) {
        if (!gw_role_valid(roles[i])) {
            if (bad)
                *bad = (int)i;
            return GW_ROLE_UNKNOWN;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(roles[i], roles[j]) == 0) {
                if (bad)
                    *bad = (int)i;
                return GW_ROLE_DUPLICATE;
            }
        if (strcmp(roles[i], SK_ROLE_PARTNER) == 0)
            partner = true;
    }
    if (partner && n > 1)
        return GW_ROLE_PARTNER_MIXED;
    if (!partner && company_id && company_id[0])
        return GW_COMPANY_NOT_PARTNER;
    return GW_OK;
}

/* ---- locale ---- */

bool gw_locale_valid(const char *locale)
{
    return locale && (strcmp(locale, "id") == 0 || strcmp(locale, "en") == 0);
}

/* ---- e-mail addresses ---- */

gw_problem gw_email_normalize(const char *in, char *out, size_t cap)
{
    if (cap == 0)
        return GW_EMAIL_INVALID;
    out[0] = '\0';
    if (!in || in[strspn(in, " \t\r\n")] == '\0')
        return GW_OK;
    if (!sk_email_normalize(in, out, cap)) {
        out[0] = '\0';
        return GW_EMAIL_INVALID;
    }
    return sk_email_valid(out) ? GW_OK : GW_EMAIL_INVALID;
}

/* ---- password resets ---- */

gw_reset_verdict gw_reset_check(bool found, const char *row_user, const char *given_user,
                                bool used, bool expired)
{
    if (!found || !row_user || !row_user[0] || !given_user ||
        strcasecmp(row_user, given_user) != 0)
        return GW_RESET_INVALID;
    if (used)
        return GW_RESET_USED;
    if (expired)
        return GW_RESET_EXPIRED;
    return GW_RESET_VALID;
}

const char *gw_reset_verdict_code(gw_reset_verdict v)
{
    switch (v) {
    case GW_RESET_INVALID: return "token.invalid";
    case GW_RESET_USED: return "token.used";
    case GW_RESET_EXPIRED: return "token.expired";
    default: return "";
    }
}

/* ---- throttling ---- */

bool gw_throttle_refuse(int64_t failures, int64_t oldest_age_s, int max, int window_s,
                        int *retry_after_s)
{
    if (max <= 0 || failures < max)
        return false;
    int64_t left = (int64_t)window_s - oldest_age_s;
    if (left < 1)
        left = 1; /* the oldest is just leaving: come back in a second */
    if (left > window_s)
        left = window_s > 0 ? window_s : 1; /* clock skew: never promise more than the window */
    if (retry_after_s)
        *retry_after_s = (int)left;
    return true;
}

gw_login_verdict gw_login_throttle(const gw_login_counts *c, int max, int window_s,
                                   int *retry_after_s)
{
    gw_login_verdict v = GW_LOGIN_ALLOWED;
    int worst = 0, retry = 0;
    if (gw_throttle_refuse(c->pair_failures, c->pair_oldest_age_s, max, window_s, &retry)) {
        v = GW_LOGIN_REFUSED_PAIR;
        worst = retry;
    }
    if (gw_throttle_refuse(c->addr_failures, c->addr_oldest_age_s, max * GW_LOGIN_ADDR_FACTOR,
                           window_s, &retry) &&
        retry > worst) {
        v = GW_LOGIN_REFUSED_ADDR;
        worst = retry;
    }
    if (!c->known_addr &&
        gw_throttle_refuse(c->user_failures, c->user_oldest_age_s, max * GW_LOGIN_USER_FACTOR,
                           window_s, &retry) &&
        retry > worst) {
        v = GW_LOGIN_REFUSED_USER;
        worst = retry;
    }
    if (v != GW_LOGIN_ALLOWED && retry_after_s)
        *retry_after_s = worst;
    return v;
}

const char *gw_login_verdict_name(gw_login_verdict v)
{
    switch (v) {
    case GW_LOGIN_REFUSED_PAIR: return "pair";
    case GW_LOGIN_REFUSED_ADDR: return "address";
    case GW_LOGIN_REFUSED_USER: return "username";
    default: return "";
    }
}

/* ---- addresses ---- */

void gw_throttle_addr_key(const char *addr, char *out, size_t cap)
{
    if (cap == 0)
        return;
    addr = addr ? addr : "";
    unsigned char a6[16];
    if (strchr(addr, ':') && inet_pton(AF_INET6, addr, a6) == 1) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        char text[INET6_ADDRSTRLEN];
        if (memcmp(a6, mapped, sizeof(mapped)) == 0) {
            if (inet_ntop(AF_INET, a6 + 12, text, sizeof(text))) {
                snprintf(out, cap, "%s", text);
                return;
            }
        } else {
            memset(a6 + 8, 0, 8);
            if (inet_ntop(AF_INET6, a6, text, sizeof(text))) {
                snprintf(out, cap, "%s/64", text);
                return;
            }
        }
    }
    snprintf(out, cap, "%s", addr);
}

/* ---- sessions ---- */

bool gw_session_needs_renewal(int64_t remaining_s, int ttl_s, int64_t to_absolute_s)
{
    return remaining_s * 2 < (int64_t)ttl_s && remaining_s < to_absolute_s;
}

/* ---- the audit viewer ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

bool gw_wib_day_start_ms(const char *date, int64_t *ms)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!date || strlen(date) != 10 || date[4] != '-' || date[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (date[i] < '0' || date[i] > '9'))
            return false;
    int y = atoi(date);
    unsigned m = (unsigned)atoi(date + 5), d = (unsigned)atoi(date + 8);
    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return false;
    /* midnight in WIB is 17:00 UTC the day before */
    *ms = (days_from_civil(y, m, d) * 86400 - 7 * 3600) * 1000;
    return true;
}

void gw_audit_key_format(const gw_audit_key *k, char *out, size_t cap)
{
    snprintf(out, cap, "%lld.%d.%lld", (long long)k->at_us, k->rank, (long long)k->id);
}

/* A decimal without sign or leading junk, ending at `end`; false on overflow. */
static bool parse_count(const char *s, const char *end, int64_t *out)
{
    if (s == end || end - s > 19)
        return false;
    int64_t v = 0;
    for (const char *p = s; p < end; p++) {
        if (*p < '0' || *p > '9')
            return false;
        int digit = *p - '0';
        if (v > (INT64_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    *out = v;
    return true;
}

bool gw_audit_key_parse(const char *s, int ranks, gw_audit_key *k)
{
    if (!s)
        return false;
    const char *dot1 = strchr(s, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    int64_t at = 0, rank = 0, id = 0;
    if (!dot2 || !parse_count(s, dot1, &at) || !parse_count(dot1 + 1, dot2, &rank) ||
        !parse_count(dot2 + 1, dot2 + 1 + strlen(dot2 + 1), &id) || rank >= ranks)
        return false;
    *k = (gw_audit_key){at, (int)rank, id};
    return true;
}

bool gw_audit_key_newer(const gw_audit_key *a, const gw_audit_key *b)
{
    if (a->at_us != b->at_us)
        return a->at_us > b->at_us;
    if (a->rank != b->rank)
        return a->rank > b->rank;
    return a->id > b->id;
}

void gw_audit_resume(const gw_audit_key *k, int rank, int64_t *before_us, int64_t *before_id)
{
    *before_us = k->at_us;
    /* Same time: a lower rank comes after every row of the key's service at
     * that time, a higher rank before them (already shown). */
    *before_id = rank < k->rank ? INT64_MAX : rank == k->rank ? k->id : 0;
}

int gw_wait_minutes(int seconds)
{
    return seconds > 60 ? seconds / 60 + (seconds % 60 != 0) : 1;
}

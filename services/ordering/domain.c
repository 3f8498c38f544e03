#include "domain.h"

#include <stdio.h>
#include <string.h>

/* ---- numbers ---- */

/* Length of the placeholder at `p` ("{seq}", "{seq:N}", "{year}") and what it
 * is: 's' with its width in *width, 'y', or 0 when `p` starts none. */
static size_t placeholder(const char *p, char *what, int *width)
{
    *what = 0;
    *width = 0;
    if (strncmp(p, "{seq}", 5) == 0) {
        *what = 's';
        return 5;
    }
    if (strncmp(p, "{seq:", 5) == 0 && p[5] >= '1' && p[5] <= '9' && p[6] == '}') {
        *what = 's';
        *width = p[5] - '0';
        return 7;
    }
    if (strncmp(p, "{year}", 6) == 0) {
        *what = 'y';
        return 6;
    }
    return 0;
}

bool ordering_number_format_valid(const char *format)
{
    if (!format || strlen(format) > ORDERING_NUMBER_FORMAT_MAX)
        return false;
    int seqs = 0, years = 0;
    for (const char *p = format; *p;) {
        char what;
        int width;
        size_t n = placeholder(p, &what, &width);
        if (n) {
            seqs += what == 's';
            years += what == 'y';
            p += n;
            continue;
        }
        if (*p < 0x20 || *p > 0x7e || *p == '{' || *p == '}')
            return false;
        p++;
    }
    return seqs == 1 && years == 1;
}

int ordering_format_number(char *out, size_t cap, const char *format, uint32_t seq,
                           int fiscal_year)
{
    if (!out || cap == 0 || seq == 0 || fiscal_year < 2000 || fiscal_year > 9999 ||
        !ordering_number_format_valid(format))
        return -1;
    size_t o = 0;
    for (const char *p = format; *p;) {
        char what, piece[16];
        int width;
        size_t n = placeholder(p, &what, &width);
        const char *text = piece;
        size_t len;
        if (what == 's')
            snprintf(piece, sizeof(piece), "%0*u", width, seq);
        else if (what == 'y')
            snprintf(piece, sizeof(piece), "%d", fiscal_year);
        else {
            piece[0] = *p;
            piece[1] = '\0';
            n = 1;
        }
        len = strlen(text);
        if (o + len >= cap)
            return -1;
        memcpy(out + o, text, len);
        o += len;
        p += n;
    }
    out[o] = '\0';
    return 0;
}

/* ---- dates ---- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's). */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

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

static bool civil(const char *s, int *y, int *m, int *d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    *y = digits(s, 4);
    if (*y < 1 || s[4] != '-')
        return false;
    *m = digits(s + 5, 2);
    if (*m < 1 || *m > 12 || s[7] != '-')
        return false;
    *d = digits(s + 8, 2);
    return *d >= 1 && *d <= mdays[*m - 1] + (*m == 2 && leap(*y));
}

bool ordering_parse_date(const char *s, int32_t *days)
{
    int y, m, d;
    if (!s || strlen(s) != 10 || !civil(s, &y, &m, &d))
        return false;
    if (days)
        *days = days_from_civil(y, m, d);
    return true;
}

bool ordering_parse_time(const char *s, int64_t *unix_s)
{
    int y, m, d;
    if (!s || strlen(s) < 20 || !civil(s, &y, &m, &d) || (s[10] != 'T' && s[10] != 't'))
        return false;
    int hh = digits(s + 11, 2), mm = digits(s + 14, 2), ss = digits(s + 17, 2);
    if (hh < 0 || hh > 23 || s[13] != ':' || mm < 0 || mm > 59 || s[16] != ':' || ss < 0 ||
        ss > 60)
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int64_t offset = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        offset = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh = digits(p + 1, 2), om = digits(p + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return false;
        offset = (int64_t)(oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
    } else {
        return false;
    }
    if (unix_s)
        *unix_s = (int64_t)days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss - offset;
    return true;
}

int32_t ordering_wib_day(int64_t unix_s)
{
    int64_t t = unix_s + 7 * 3600;
    return (int32_t)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
}

/* ---- money ---- */

bool ordering_gross(int64_t unit_price, int32_t quantity, int64_t *gross)
{
    if (unit_price < 1 || unit_price > ORDERING_MAX_MONEY || quantity < 1 ||
        quantity > ORDERING_MAX_QUANTITY)
        return false;
    /* Both bounded: the product fits int64 (10^13 x 10^4 = 10^17). */
    int64_t g = unit_price * (int64_t)quantity;
    if (g > ORDERING_MAX_MONEY)
        return false;
    if (gross)
        *gross = g;
    return true;
}

/* ---- orders ---- */

const char *ordering_state_name(int state)
{
    static const char *const names[] = {
        "unspecified", "draft",   "offered",          "countered",      "accepted",
        "awaiting_approval",      "approved",         "issuing",        "issued",
        "proof_submitted",        "proof_rejected",   "completed",      "rejected",
        "cancelled"};
    return state >= 1 && state <= ORDERING_CANCELLED ? names[state] : "?";
}

bool ordering_negotiating(int state)
{
    return state == ORDERING_OFFERED || state == ORDERING_COUNTERED;
}

bool ordering_may_answer(int state, ordering_party party)
{
    return (state == ORDERING_OFFERED && party == ORDERING_PARTNER) ||
           (state == ORDERING_COUNTERED && party == ORDERING_OFFICE);
}

int ordering_state_after_accept(int64_t gross, int64_t approval_threshold)
{
    return gross > approval_threshold ? ORDERING_AWAITING_APPROVAL : ORDERING_ACCEPTED;
}

bool ordering_issuable(int state, bool needs_approval)
{
    return (state == ORDERING_ACCEPTED && !needs_approval) || state == ORDERING_APPROVED;
}

bool ordering_issued(int state)
{
    return state >= ORDERING_ISSUED && state <= ORDERING_COMPLETED;
}

bool ordering_cancellable(int state)
{
    return state >= ORDERING_DRAFT && state <= ORDERING_PROOF_REJECTED &&
           state != ORDERING_ISSUING;
}

bool ordering_cancel_needs_head(int state)
{
    return ordering_issued(state);
}

/* ---- proofs ---- */

bool ordering_proof_expected(int state)
{
    return state == ORDERING_ISSUED || state == ORDERING_PROOF_REJECTED;
}

bool ordering_proof_late(int32_t published_day, int32_t submitted_day, int32_t schedule_to,
                         int grace_days)
{
    int32_t due = schedule_to + (grace_days > 0 ? grace_days : 0);
    return published_day > due || submitted_day > due;
}

int ordering_performance_percent(int64_t on_time_placements, int64_t placements)
{
    if (placements <= 0)
        return 100;
    if (on_time_placements < 0)
        on_time_placements = 0;
    if (on_time_placements > placements)
        on_time_placements = placements;
    return (int)((on_time_placements * 200 + placements) / (placements * 2));
}

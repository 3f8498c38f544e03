#include "domain.h"

#include "sk_limits.h"

#include <stdio.h>
#include <string.h>

/* ---- field violations ---- */

/* Copy at most cap - 1 bytes, never ending inside a UTF-8 sequence. */
static void copy_cut(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

bool accounting_violation(accounting_violations *v, const char *field, const char *code,
                          const char *description)
{
    if (v && v->n < ACCOUNTING_MAX_VIOLATIONS) {
        copy_cut(v->items[v->n].field, sizeof(v->items[v->n].field), field);
        copy_cut(v->items[v->n].code, sizeof(v->items[v->n].code), code);
        copy_cut(v->items[v->n].description, sizeof(v->items[v->n].description), description);
        v->n++;
    }
    return false;
}

/* ---- codes ---- */

/* `in` as digit groups of the sizes in `groups` (summing to 12), dotted or
 * as 12 bare digits, blanks around allowed; the dotted form to `out`. */
static bool grouped_code(const char *in, const int *groups, size_t n_groups,
                         char out[ACCOUNTING_CODE_SIZE])
{
    out[0] = '\0';
    if (!in)
        return false;
    while (*in == ' ' || *in == '\t')
        in++;
    size_t len = strlen(in);
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t'))
        len--;
    bool dotted = len == 12 + n_groups - 1;
    if (!dotted && len != 12)
        return false;
    size_t i = 0, o = 0;
    for (size_t g = 0; g < n_groups; g++) {
        if (g > 0) {
            if (dotted && in[i++] != '.')
                return (out[0] = '\0', false);
            out[o++] = '.';
        }
        for (int k = 0; k < groups[g]; k++, i++) {
            if (in[i] < '0' || in[i] > '9')
                return (out[0] = '\0', false);
            out[o++] = in[i];
        }
    }
    out[o] = '\0';
    return true;
}

bool accounting_sub_activity_code(const char *in, char out[ACCOUNTING_CODE_SIZE])
{
    static const int groups[] = {1, 2, 2, 1, 2, 4};
    return grouped_code(in, groups, sizeof(groups) / sizeof(groups[0]), out);
}

bool accounting_account_code(const char *in, char out[ACCOUNTING_CODE_SIZE])
{
    static const int groups[] = {1, 1, 2, 2, 2, 4};
    if (!grouped_code(in, groups, sizeof(groups) / sizeof(groups[0]), out))
        return false;
    if (out[0] != '5')
        return (out[0] = '\0', false);
    return true;
}

/* ---- text ---- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Why `in` (trimmed to in[0..len)) is not min..max characters of text, or
 * NULL when it is. */
static const char *text_fault(const char *in, size_t len, size_t min, size_t max, bool multiline)
{
    long chars = sk_utf8_count(in, len);
    if (chars < 0)
        return "text.invalid";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == 0x7F || (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))))
            return "text.invalid";
    }
    if ((size_t)chars < min)
        return "required";
    if ((size_t)chars > max)
        return "too_long";
    return NULL;
}

/* `in` trimmed of blanks around it: its start, its length to *len. */
static const char *trimmed(const char *in, size_t *len)
{
    if (!in)
        in = "";
    while (is_blank(*in))
        in++;
    size_t n = strlen(in);
    while (n > 0 && is_blank(in[n - 1]))
        n--;
    *len = n;
    return in;
}

bool accounting_text(const char *in, size_t min, size_t max, bool multiline, char *out,
                     size_t cap)
{
    if (cap > 0)
        out[0] = '\0';
    size_t len;
    in = trimmed(in, &len);
    if (text_fault(in, len, min, max, multiline) || len >= cap)
        return false;
    memcpy(out, in, len);
    out[len] = '\0';
    return true;
}

bool accounting_text_check(const char *in, size_t min, size_t max, bool multiline, char *out,
                           size_t cap, const char *field, accounting_violations *v)
{
    if (accounting_text(in, min, max, multiline, out, cap))
        return true;
    size_t len;
    const char *t = trimmed(in, &len);
    const char *code = text_fault(t, len, min, max, multiline);
    if (code && strcmp(code, "required") == 0)
        return accounting_violation(v, field, "required", "required");
    if (code && strcmp(code, "text.invalid") == 0)
        return accounting_violation(v, field, "text.invalid",
                                    "contains characters that are not allowed");
    char english[48];
    snprintf(english, sizeof(english), "at most %zu characters", max);
    return accounting_violation(v, field, "too_long", english);
}

bool accounting_check_line(const accounting_line_input *in, int64_t pagu,
                           const char *document_number, accounting_line *out, char *document,
                           accounting_violations *v)
{
    size_t before = v->n;
    memset(out, 0, sizeof(*out));
    out->fiscal_year = in->fiscal_year;
    if (in->fiscal_year < 2000 || in->fiscal_year > 2100)
        accounting_violation(v, "line.fiscalYear", "out_of_range", "must be between 2000 and 2100");
    if (!accounting_sub_activity_code(in->sub_activity_code, out->sub_activity_code))
        accounting_violation(v, "line.subActivityCode", "sub_activity_code.invalid",
                             "the sub-activity code must be 12 digits as x.xx.xx.x.xx.xxxx");
    if (!accounting_account_code(in->account_code, out->account_code))
        accounting_violation(v, "line.accountCode", "account_code.invalid",
                             "the account code must be a spending account of 12 digits as "
                             "5.x.xx.xx.xx.xxxx");
    accounting_text_check(in->name, 1, ACCOUNTING_NAME_MAX, false, out->name, sizeof(out->name),
                          "line.name", v);
    if (pagu < 0 || pagu > ACCOUNTING_MONEY_MAX)
        accounting_violation(v, "pagu", "money.out_of_range", "must be between 0 and 10^13 rupiah");
    accounting_text_check(document_number, 0, ACCOUNTING_DOCUMENT_MAX, false, document,
                          ACCOUNTING_TEXT_SIZE(ACCOUNTING_DOCUMENT_MAX), "documentNumber", v);
    return v->n == before;
}

/* ---- balances ---- */

static bool account_sound(const accounting_account_balances *a)
{
    return a->debits_pending >= 0 && a->debits_posted >= 0 && a->credits_pending >= 0 &&
           a->credits_posted >= 0;
}

bool accounting_line_balances(const accounting_account_balances *appropriation,
                              const accounting_account_balances *available,
                              const accounting_account_balances *realised,
                              accounting_balances *out)
{
    memset(out, 0, sizeof(*out));
    if (!account_sound(appropriation) || !account_sound(available) || !account_sound(realised))
        return false;
    /* The appropriation only ever moves posted money to and from available. */
    if (appropriation->debits_pending != 0 || appropriation->credits_pending != 0)
        return false;
    accounting_balances b;
    b.pagu = appropriation->debits_posted - appropriation->credits_posted;
    b.committed = available->debits_pending;
    b.realised = realised->credits_posted - realised->debits_posted;
    /* Every pending reservation is one movement from available to realised. */
    if (b.pagu < 0 || b.realised < 0 || realised->credits_pending != b.committed)
        return false;
    /* What available holds is the pagu less what went on to realised. */
    b.available = available->credits_posted - available->debits_posted - b.committed;
    if (b.available < 0 || b.available != b.pagu - b.committed - b.realised)
        return false;
    *out = b;
    return true;
}

static bool add_ok(int64_t a, int64_t b, int64_t *sum)
{
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
        return false;
    *sum = a + b;
    return true;
}

bool accounting_balances_add(accounting_balances *sum, const accounting_balances *b)
{
    accounting_balances s;
    if (!add_ok(sum->pagu, b->pagu, &s.pagu) || !add_ok(sum->committed, b->committed, &s.committed) ||
        !add_ok(sum->realised, b->realised, &s.realised) ||
        !add_ok(sum->available, b->available, &s.available))
        return false;
    *sum = s;
    return true;
}

/* ---- revisions ---- */

static const char *const REVISION_NAMES[] = {NULL, "initial", "pergeseran", "perubahan"};

const char *accounting_revision_kind_name(int kind)
{
    return kind >= 1 && kind <= 3 ? REVISION_NAMES[kind] : NULL;
}

int accounting_revision_kind_parse(const char *name)
{
    for (int k = 1; name && k <= 3; k++)
        if (strcmp(REVISION_NAMES[k], name) == 0)
            return k;
    return 0;
}

void accounting_rupiah(int64_t amount, char *out, size_t cap)
{
    if (cap == 0)
        return;
    char digits[24];
    unsigned long long mag = amount < 0 ? 0ULL - (unsigned long long)amount : (unsigned long long)amount;
    int n = snprintf(digits, sizeof(digits), "%llu", mag);
    size_t o = 0;
    const char *prefix = amount < 0 ? "-Rp " : "Rp ";
    for (const char *p = prefix; *p && o + 1 < cap; p++)
        out[o++] = *p;
    for (int i = 0; i < n && o + 1 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            out[o++] = '.';
            if (o + 1 >= cap)
                break;
        }
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

accounting_revision_verdict accounting_check_revision(int kind, int64_t new_pagu,
                                                      const char *reason,
                                                      const char *document_number,
                                                      const accounting_balances *now,
                                                      accounting_pagu_move *move,
                                                      char *reason_out, char *document_out,
                                                      accounting_violations *v)
{
    size_t before = v->n;
    if (kind != ACCOUNTING_REVISION_PERGESERAN && kind != ACCOUNTING_REVISION_PERUBAHAN)
        accounting_violation(v, "kind", "unknown_value",
                             "kind must be PERGESERAN or PERUBAHAN; the initial pagu comes with "
                             "the line");
    if (new_pagu < 0 || new_pagu > ACCOUNTING_MONEY_MAX)
        accounting_violation(v, "newPagu", "money.out_of_range",
                             "must be between 0 and 10^13 rupiah");
    accounting_text_check(reason, 1, ACCOUNTING_REASON_MAX, true, reason_out,
                          ACCOUNTING_TEXT_SIZE(ACCOUNTING_REASON_MAX), "reason", v);
    accounting_text_check(document_number, 1, ACCOUNTING_DOCUMENT_MAX, false, document_out,
                          ACCOUNTING_TEXT_SIZE(ACCOUNTING_DOCUMENT_MAX), "documentNumber", v);
    if (v->n != before)
        return ACCOUNTING_REVISION_INVALID;
    if (new_pagu == now->pagu) {
        accounting_violation(v, "newPagu", "pagu.unchanged", "the new pagu equals the current one");
        return ACCOUNTING_REVISION_REFUSED;
    }
    if (new_pagu < now->committed + now->realised) {
        char floor[40], msg[120];
        accounting_rupiah(now->committed + now->realised, floor, sizeof(floor));
        snprintf(msg, sizeof(msg), "the pagu cannot drop below %s, committed + realised", floor);
        accounting_violation(v, "newPagu", "budget.pagu_below_committed", msg);
        return ACCOUNTING_REVISION_REFUSED;
    }
    move->raise = new_pagu > now->pagu;
    move->amount = move->raise ? new_pagu - now->pagu : now->pagu - new_pagu;
    return ACCOUNTING_REVISION_OK;
}

/* ---- reservations ---- */

bool accounting_check_amount(int64_t amount, accounting_violations *v)
{
    if (amount >= 1 && amount <= ACCOUNTING_MONEY_MAX)
        return true;
    return accounting_violation(v, "amount", "money.out_of_range",
                                "must be between 1 and 10^13 rupiah");
}

/* ---- dates ---- */

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
static int32_t days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int32_t)doe - 719468;
}

static void civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)yoe + era * 400 + (*m <= 2);
}

bool accounting_date_parse(const char *s, int32_t *days)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 ||
        d > mdays[m - 1] + (m == 2 && leap ? 1u : 0u))
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

static bool two_digits(const char *p, int max, int *out)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return false;
    *out = (p[0] - '0') * 10 + (p[1] - '0');
    return *out <= max;
}

bool accounting_wib_day(const char *t, int32_t *day)
{
    char date[11];
    int32_t d;
    int hh, mm, ss, oh = 0, om = 0;
    if (!t || strlen(t) < 20 || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || t[13] != ':' ||
        t[16] != ':')
        return false;
    memcpy(date, t, 10);
    date[10] = '\0';
    if (!accounting_date_parse(date, &d) || !two_digits(t + 11, 23, &hh) ||
        !two_digits(t + 14, 59, &mm) || !two_digits(t + 17, 60, &ss))
        return false;
    const char *p = t + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int sign = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        sign = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
               two_digits(p + 1, 23, &oh) && two_digits(p + 4, 59, &om)) {
        sign = *p == '+' ? 1 : -1;
    } else {
        return false;
    }
    int64_t secs = (int64_t)d * 86400 + hh * 3600 + mm * 60 + ss - sign * (oh * 3600 + om * 60);
    secs += 7 * 3600;
    *day = (int32_t)(secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400));
    return true;
}

void accounting_date_format(int32_t days, char out[11])
{
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char buf[32];
    snprintf(buf, sizeof(buf), "%04d-%02u-%02u", y, m, d);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

int accounting_date_year(int32_t days)
{
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    return y;
}

int32_t accounting_pph23_due(int32_t paid)
{
    int y;
    unsigned m, d;
    civil_from_days(paid, &y, &m, &d);
    return m == 12 ? days_from_civil(y + 1, 1, 15) : days_from_civil(y, m + 1, 15);
}

/* ---- the tax table ---- */

static const char *const ROUNDING_NAMES[] = {NULL, "half_up", "half_even", "down"};

const char *accounting_rounding_name(int rule)
{
    return rule >= 1 && rule <= 3 ? ROUNDING_NAMES[rule] : NULL;
}

int accounting_rounding_parse(const char *name)
{
    for (int k = 1; name && k <= 3; k++)
        if (strcmp(ROUNDING_NAMES[k], name) == 0)
            return k;
    return 0;
}

void accounting_tax_table_default(int year, accounting_tax_table *out)
{
    memset(out, 0, sizeof(*out));
    out->fiscal_year = year;
    out->pph23_bp = 200;
    out->no_npwp_uplift_pct = 100;
    out->ppn_bp = year >= 2025 ? 1200 : 1100;
    out->dpp_num = year >= 2025 ? 11 : 1;
    out->dpp_den = year >= 2025 ? 12 : 1;
    out->wapu_threshold = 2000000;
    out->rounding = ACCOUNTING_ROUND_HALF_UP;
}

bool accounting_check_tax_table(const accounting_tax_table *t, accounting_violations *v)
{
    size_t before = v->n;
    if (t->fiscal_year < 2000 || t->fiscal_year > 2100)
        accounting_violation(v, "table.fiscalYear", "out_of_range",
                             "must be between 2000 and 2100");
    if (t->pph23_bp < 0 || t->pph23_bp > 10000)
        accounting_violation(v, "table.pph23RateBp", "out_of_range",
                             "must be between 0 and 10000 basis points");
    if (t->no_npwp_uplift_pct < 0 || t->no_npwp_uplift_pct > 1000)
        accounting_violation(v, "table.noNpwpUpliftPercent", "out_of_range",
                             "must be between 0 and 1000 percent");
    else if (t->pph23_bp >= 0 && t->pph23_bp <= 10000 &&
             (int64_t)t->pph23_bp * (100 + t->no_npwp_uplift_pct) > 10000 * 100)
        accounting_violation(v, "table.noNpwpUpliftPercent", "tax.uplifted_rate_above_100",
                             "the uplifted PPh 23 rate exceeds 100%");
    if (t->ppn_bp < 0 || t->ppn_bp > 10000)
        accounting_violation(v, "table.ppnRateBp", "out_of_range",
                             "must be between 0 and 10000 basis points");
    if (t->dpp_num < 1 || t->dpp_num > 1000)
        accounting_violation(v, "table.dppFactorNumerator", "out_of_range",
                             "must be between 1 and 1000");
    if (t->dpp_den < 1 || t->dpp_den > 1000)
        accounting_violation(v, "table.dppFactorDenominator", "out_of_range",
                             "must be between 1 and 1000");
    else if (t->dpp_num >= 1 && t->dpp_num > t->dpp_den)
        accounting_violation(v, "table.dppFactorNumerator", "tax.dpp_factor_above_1",
                             "the DPP factor cannot exceed 1");
    if (t->wapu_threshold < 0 || t->wapu_threshold > ACCOUNTING_MONEY_MAX)
        accounting_violation(v, "table.wapuThreshold", "money.out_of_range",
                             "must be between 0 and 10^13 rupiah");
    if (!accounting_rounding_name(t->rounding))
        accounting_violation(v, "table.rounding", "unknown_value",
                             "rounding must be HALF_UP, HALF_EVEN or DOWN");
    return v->n == before;
}

typedef __int128 wide;

/* num / den as whole rupiah by `rule`; num >= 0, den > 0, result within int64. */
static int64_t round_div(wide num, wide den, int rule)
{
    wide q = num / den, r = num % den;
    switch (rule) {
    case ACCOUNTING_ROUND_HALF_UP:
        if (2 * r >= den)
            q++;
        break;
    case ACCOUNTING_ROUND_HALF_EVEN:
        if (2 * r > den || (2 * r == den && (q & 1)))
            q++;
        break;
    default: /* down: the fraction is dropped */
        break;
    }
    return (int64_t)q;
}

bool accounting_compute_tax(const accounting_tax_table *t, const accounting_tax_input *in,
                            accounting_tax_lines *out)
{
    memset(out, 0, sizeof(*out));
    accounting_violations v = {0};
    if (!accounting_check_tax_table(t, &v) || in->gross < 0 || in->gross > ACCOUNTING_MONEY_MAX)
        return false;
    accounting_tax_lines l = {0};
    l.gross = in->gross;
    if (in->pkp) {
        /* price = gross / (1 + ppn/10000 x num/den) = gross x 10000 den / (10000 den + ppn num) */
        wide den = (wide)10000 * t->dpp_den + (wide)t->ppn_bp * t->dpp_num;
        l.price_before_vat = round_div((wide)in->gross * 10000 * t->dpp_den, den, t->rounding);
        l.dpp_other = round_div((wide)l.price_before_vat * t->dpp_num, t->dpp_den, t->rounding);
        l.ppn = round_div((wide)l.dpp_other * t->ppn_bp, 10000, t->rounding);
        l.wapu = l.price_before_vat > t->wapu_threshold;
        l.ppn_collected = l.wapu ? l.ppn : 0;
    } else {
        l.price_before_vat = in->gross;
    }
    l.pph23_base = l.price_before_vat;
    int32_t uplift = in->has_npwp ? 0 : t->no_npwp_uplift_pct;
    l.pph23_bp = (int32_t)round_div((wide)t->pph23_bp * (100 + uplift), 100, ACCOUNTING_ROUND_HALF_UP);
    l.pph23 = round_div((wide)l.pph23_base * t->pph23_bp * (100 + uplift), (wide)10000 * 100,
                        t->rounding);
    l.net = l.gross - l.pph23 - l.ppn_collected;
    if (l.net < 0)
        return false;
    *out = l;
    return true;
}

/* ---- the faktur pajak number ---- */

accounting_faktur_verdict accounting_faktur_number(const char *in, int year,
                                                   char out[ACCOUNTING_FAKTUR_SIZE])
{
    out[0] = '\0';
    char d[ACCOUNTING_FAKTUR_SIZE];
    size_t n = 0;
    bool digit_before = false;
    for (const char *p = in ? in : ""; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n + 1 >= sizeof(d))
                return ACCOUNTING_FAKTUR_SHAPE;
            d[n++] = *p;
            digit_before = true;
        } else if ((*p == '.' || *p == '-' || *p == ' ') && digit_before && p[1] >= '0' &&
                   p[1] <= '9') {
            /* a separator between two digits */
        } else if (*p == ' ' && (n == 0 || p[1] == '\0' || p[1] == ' ')) {
            /* blanks around */
        } else {
            return ACCOUNTING_FAKTUR_SHAPE;
        }
    }
    d[n] = '\0';
    bool coretax = year >= 2025;
    if (n != (coretax ? 17u : 16u))
        return ACCOUNTING_FAKTUR_SHAPE;
    if (d[0] != '0' || d[1] != '2')
        return ACCOUNTING_FAKTUR_CODE;
    /* status: normal or replacement ("00"/"01" in Coretax, "0"/"1" before) */
    if (coretax ? !(d[2] == '0' && (d[3] == '0' || d[3] == '1')) : !(d[2] == '0' || d[2] == '1'))
        return ACCOUNTING_FAKTUR_STATUS;
    const char *yy = coretax ? d + 4 : d + 6;
    if ((yy[0] - '0') * 10 + (yy[1] - '0') != year % 100)
        return ACCOUNTING_FAKTUR_YEAR;
    memcpy(out, d, n + 1);
    return ACCOUNTING_FAKTUR_OK;
}

/* ---- invoices ---- */

static const char *const INVOICE_STATES[] = {NULL,  "submitted", "returned",    "accepted",
                                             "spp", "spp_verified", "spm", "paid"};
static const char *const STEPS[] = {NULL, "spp", "spp_verified", "spm", "sp2d"};

const char *accounting_invoice_state_name(int state)
{
    return state >= 1 && state <= 7 ? INVOICE_STATES[state] : NULL;
}

int accounting_invoice_state_parse(const char *name)
{
    for (int k = 1; name && k <= 7; k++)
        if (strcmp(INVOICE_STATES[k], name) == 0)
            return k;
    return 0;
}

const char *accounting_step_name(int step)
{
    return step >= 1 && step <= 4 ? STEPS[step] : NULL;
}

int accounting_step_parse(const char *name)
{
    for (int k = 1; name && k <= 4; k++)
        if (strcmp(STEPS[k], name) == 0)
            return k;
    return 0;
}

/* Step k moves an invoice from FROM[k] to TO[k]. */
static const int STEP_FROM[] = {0, ACCOUNTING_INVOICE_ACCEPTED, ACCOUNTING_INVOICE_SPP,
                                ACCOUNTING_INVOICE_SPP_VERIFIED, ACCOUNTING_INVOICE_SPM};
static const int STEP_TO[] = {0, ACCOUNTING_INVOICE_SPP, ACCOUNTING_INVOICE_SPP_VERIFIED,
                              ACCOUNTING_INVOICE_SPM, ACCOUNTING_INVOICE_PAID};

int accounting_step_next(int state, int step)
{
    if (step < 1 || step > 4 || STEP_FROM[step] != state)
        return 0;
    return STEP_TO[step];
}

int accounting_step_last(int state, int *previous_state)
{
    /* SP2D is final: the money left the treasury. */
    for (int k = 1; k <= 3; k++)
        if (STEP_TO[k] == state) {
            *previous_state = STEP_FROM[k];
            return k;
        }
    *previous_state = 0;
    return 0;
}

bool accounting_check_step(int step, const char *number, const char *date, int32_t not_before,
                           int32_t today, char *number_out, int32_t *day,
                           accounting_violations *v)
{
    size_t before = v->n;
    number_out[0] = '\0';
    if (!accounting_step_name(step))
        return accounting_violation(v, "step", "payment.step_unknown",
                                    "step must be SPP, SPP_VERIFIED, SPM or SP2D");
    size_t min = step == ACCOUNTING_STEP_SPP_VERIFIED ? 0 : 1;
    accounting_text_check(number, min, ACCOUNTING_STEP_NUMBER_MAX, false, number_out,
                          ACCOUNTING_TEXT_SIZE(ACCOUNTING_STEP_NUMBER_MAX), "number", v);
    if (!accounting_date_parse(date, day))
        accounting_violation(v, "date", "date.invalid", "date must be YYYY-MM-DD");
    else if (*day < not_before)
        accounting_violation(v, "date", "payment.date_before_previous",
                             "the date cannot be before the previous step or the invoice");
    else if (*day > today)
        accounting_violation(v, "date", "date.future", "the date cannot be in the future");
    return v->n == before;
}

bool accounting_check_purpose(const char *purpose, char *out, accounting_violations *v)
{
    return accounting_text_check(purpose, 1, ACCOUNTING_PURPOSE_MAX, false, out,
                                 ACCOUNTING_TEXT_SIZE(ACCOUNTING_PURPOSE_MAX), "purpose", v);
}

bool accounting_check_invoice(const accounting_invoice_input *in, bool pkp, int32_t today,
                              bool (*uuid_ok)(const char *), accounting_invoice *out,
                              accounting_violations *v)
{
    size_t before = v->n;
    memset(out, 0, sizeof(*out));
    accounting_text_check(in->number, 1, ACCOUNTING_INVOICE_NUMBER_MAX, false, out->number,
                          sizeof(out->number), "invoice.number", v);
    bool dated = accounting_date_parse(in->date, &out->date);
    if (!dated)
        accounting_violation(v, "invoice.date", "date.invalid", "the date must be YYYY-MM-DD");
    else if (out->date > today)
        accounting_violation(v, "invoice.date", "date.future", "the date cannot be in the future");
    const char *faktur = in->faktur_number ? in->faktur_number : "";
    while (*faktur == ' ')
        faktur++;
    if (!pkp) {
        if (*faktur)
            accounting_violation(v, "invoice.fakturNumber", "faktur.not_pkp",
                                 "a partner that is not PKP issues no faktur pajak");
    } else if (!*faktur) {
        accounting_violation(v, "invoice.fakturNumber", "faktur.required",
                             "a PKP partner must give its faktur pajak number");
    } else if (dated) {
        int year = accounting_date_year(out->date);
        switch (accounting_faktur_number(faktur, year, out->faktur_number)) {
        case ACCOUNTING_FAKTUR_OK:
            break;
        case ACCOUNTING_FAKTUR_SHAPE:
            accounting_violation(v, "invoice.fakturNumber", "faktur.digits",
                                 year >= 2025 ? "the faktur number must have 17 digits (Coretax)"
                                              : "the faktur number must have 16 digits (e-Faktur)");
            break;
        case ACCOUNTING_FAKTUR_CODE:
            accounting_violation(v, "invoice.fakturNumber", "faktur.transaction_code",
                                 "the transaction code must be 02");
            break;
        case ACCOUNTING_FAKTUR_STATUS:
            accounting_violation(v, "invoice.fakturNumber", "faktur.status",
                                 "the status must be normal or replacement");
            break;
        case ACCOUNTING_FAKTUR_YEAR:
            accounting_violation(v, "invoice.fakturNumber", "faktur.year",
                                 "the faktur's year is not the invoice date's");
            break;
        }
    }
    accounting_text_check(in->signatory, 1, ACCOUNTING_PERSON_MAX, false, out->signatory,
                          sizeof(out->signatory), "invoice.signatoryName", v);
    accounting_text_check(in->bank_branch, 0, ACCOUNTING_BRANCH_MAX, false, out->bank_branch,
                          sizeof(out->bank_branch), "invoice.bankBranch", v);
    if (in->n_orders < 1 || in->n_orders > ACCOUNTING_INVOICE_ORDERS_MAX) {
        accounting_violation(v, "invoice.orderIds", "out_of_range",
                             "an invoice holds between 1 and 50 orders");
    } else {
        for (size_t i = 0; i < in->n_orders; i++) {
            bool ok = in->order_ids[i] && uuid_ok(in->order_ids[i]);
            for (size_t k = 0; ok && k < i; k++)
                ok = strcmp(in->order_ids[k], in->order_ids[i]) != 0;
            if (!ok) {
                accounting_violation(v, "invoice.orderIds", "invoice.order_invalid",
                                     "an order id is not valid or listed twice");
                break;
            }
        }
    }
    return v->n == before;
}

/* ---- supporting documents ---- */

static const char *const DOC_NAMES[] = {NULL, "proof_of_purchase", "kuitansi", "spk",
                                        "agreement"};

const char *accounting_document_kind_name(int kind)
{
    return kind >= 1 && kind <= ACCOUNTING_DOC_KINDS ? DOC_NAMES[kind] : NULL;
}

int accounting_document_kind_parse(const char *name)
{
    for (int k = 1; name && k <= ACCOUNTING_DOC_KINDS; k++)
        if (strcmp(DOC_NAMES[k], name) == 0)
            return k;
    return 0;
}

void accounting_document_rules_default(accounting_document_rule out[ACCOUNTING_DOC_KINDS])
{
    out[0] = (accounting_document_rule){ACCOUNTING_DOC_PROOF_OF_PURCHASE, 0, 10000000};
    out[1] = (accounting_document_rule){ACCOUNTING_DOC_KUITANSI, 0, 0};
    out[2] = (accounting_document_rule){ACCOUNTING_DOC_SPK, 50000000, 200000000};
    out[3] = (accounting_document_rule){ACCOUNTING_DOC_AGREEMENT, 200000000, 0};
}

bool accounting_check_document_rules(const accounting_document_rule *rules, size_t n,
                                     accounting_violations *v)
{
    size_t before = v->n;
    char field[48];
    if (n > ACCOUNTING_DOC_KINDS)
        return accounting_violation(v, "rules", "too_many", "at most 4 entries");
    for (size_t i = 0; i < n; i++) {
        const accounting_document_rule *r = &rules[i];
        bool twice = false;
        for (size_t k = 0; k < i; k++)
            twice = twice || rules[k].kind == r->kind;
        if (!accounting_document_kind_name(r->kind) || twice) {
            snprintf(field, sizeof(field), "rules[%zu].kind", i);
            accounting_violation(v, field, "document_rule.kind_invalid",
                                 "unknown or repeated document kind");
        }
        if (r->above < 0 || r->above > ACCOUNTING_MONEY_MAX) {
            snprintf(field, sizeof(field), "rules[%zu].above", i);
            accounting_violation(v, field, "money.out_of_range",
                                 "must be between 0 and 10^13 rupiah");
        }
        if (r->up_to < 0 || r->up_to > ACCOUNTING_MONEY_MAX ||
            (r->up_to != 0 && r->up_to <= r->above)) {
            snprintf(field, sizeof(field), "rules[%zu].upTo", i);
            accounting_violation(v, field, "document_rule.upper_bound",
                                 "the upper bound must be 0 (none) or above the lower one");
        }
    }
    return v->n == before;
}

bool accounting_document_required(const accounting_document_rule *rules, size_t n, int kind,
                                  int64_t gross)
{
    for (size_t i = 0; i < n; i++)
        if (rules[i].kind == kind)
            return gross > rules[i].above && (rules[i].up_to == 0 || gross <= rules[i].up_to);
    return false;
}

/* ---- aging ---- */

int accounting_aging_bucket(int32_t days)
{
    return days <= 30 ? 0 : days <= 60 ? 1 : days <= 90 ? 2 : 3;
}

#include "domain.h"

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

bool accounting_violation(accounting_violations *v, const char *field, const char *description)
{
    if (v && v->n < ACCOUNTING_MAX_VIOLATIONS) {
        copy_cut(v->items[v->n].field, sizeof(v->items[v->n].field), field);
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

/* Length of the valid UTF-8 sequence at `p` (1-4), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        unsigned lo = p[0] == 0xE0 ? 0xA0 : 0x80, hi = p[0] == 0xED ? 0x9F : 0xBF;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        unsigned lo = p[0] == 0xF0 ? 0x90 : 0x80, hi = p[0] == 0xF4 ? 0x8F : 0xBF;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4
                                                                                            : 0;
    }
    return 0;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool accounting_text(const char *in, size_t min, size_t max, bool multiline, char *out,
                     size_t cap)
{
    if (cap > 0)
        out[0] = '\0';
    if (!in)
        in = "";
    while (is_blank(*in))
        in++;
    size_t len = strlen(in);
    while (len > 0 && is_blank(in[len - 1]))
        len--;
    if (len < min || len > max || len >= cap)
        return false;
    const unsigned char *p = (const unsigned char *)in, *end = p + len;
    while (p < end) {
        if (*p == 0x7F || (*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))))
            return false;
        size_t k = utf8_seq(p);
        if (k == 0 || p + k > end)
            return false;
        p += k;
    }
    memcpy(out, in, len);
    out[len] = '\0';
    return true;
}

bool accounting_check_line(const accounting_line_input *in, int64_t pagu,
                           const char *document_number, accounting_line *out, char *document,
                           accounting_violations *v)
{
    size_t before = v->n;
    memset(out, 0, sizeof(*out));
    out->fiscal_year = in->fiscal_year;
    if (in->fiscal_year < 2000 || in->fiscal_year > 2100)
        accounting_violation(v, "line.fiscalYear",
                             "tahun anggaran harus 2000..2100 (fiscal year outside 2000..2100)");
    if (!accounting_sub_activity_code(in->sub_activity_code, out->sub_activity_code))
        accounting_violation(v, "line.subActivityCode",
                             "kode sub kegiatan harus 12 digit x.xx.xx.x.xx.xxxx (sub-activity "
                             "code must be 12 digits as x.xx.xx.x.xx.xxxx)");
    if (!accounting_account_code(in->account_code, out->account_code))
        accounting_violation(v, "line.accountCode",
                             "kode rekening belanja harus 12 digit 5.x.xx.xx.xx.xxxx (account "
                             "code must be a spending account of 12 digits as 5.x.xx.xx.xx.xxxx)");
    if (!accounting_text(in->name, 1, ACCOUNTING_NAME_MAX, false, out->name, sizeof(out->name)))
        accounting_violation(v, "line.name",
                             "nama wajib diisi, paling banyak 250 byte, tanpa karakter kontrol "
                             "(name is required, at most 250 bytes, no control characters)");
    if (pagu < 0 || pagu > ACCOUNTING_MONEY_MAX)
        accounting_violation(v, "pagu",
                             "pagu harus 0..Rp 10.000.000.000.000 (pagu must be 0..10^13 rupiah)");
    if (!accounting_text(document_number, 0, ACCOUNTING_DOCUMENT_MAX, false, document,
                         ACCOUNTING_DOCUMENT_MAX + 1))
        accounting_violation(v, "documentNumber",
                             "nomor dokumen paling banyak 100 byte, tanpa karakter kontrol "
                             "(document number: at most 100 bytes, no control characters)");
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
        accounting_violation(v, "kind",
                             "jenis revisi harus pergeseran atau perubahan (kind must be "
                             "PERGESERAN or PERUBAHAN; the initial pagu comes with the line)");
    if (new_pagu < 0 || new_pagu > ACCOUNTING_MONEY_MAX)
        accounting_violation(v, "newPagu",
                             "pagu harus 0..Rp 10.000.000.000.000 (pagu must be 0..10^13 rupiah)");
    if (!accounting_text(reason, 1, ACCOUNTING_REASON_MAX, true, reason_out,
                         ACCOUNTING_REASON_MAX + 1))
        accounting_violation(v, "reason",
                             "alasan wajib diisi, paling banyak 2000 byte (reason is required, "
                             "at most 2000 bytes)");
    if (!accounting_text(document_number, 1, ACCOUNTING_DOCUMENT_MAX, false, document_out,
                         ACCOUNTING_DOCUMENT_MAX + 1))
        accounting_violation(v, "documentNumber",
                             "nomor DPA/DPPA wajib diisi, paling banyak 100 byte (the DPA/DPPA "
                             "document number is required, at most 100 bytes)");
    if (v->n != before)
        return ACCOUNTING_REVISION_INVALID;
    if (new_pagu == now->pagu) {
        accounting_violation(v, "newPagu",
                             "pagu baru sama dengan pagu sekarang (the new pagu equals the "
                             "current one)");
        return ACCOUNTING_REVISION_REFUSED;
    }
    if (new_pagu < now->committed + now->realised) {
        char floor[40], msg[200];
        accounting_rupiah(now->committed + now->realised, floor, sizeof(floor));
        snprintf(msg, sizeof(msg),
                 "pagu tidak boleh di bawah yang sudah terikat dan terealisasi, %s (pagu cannot "
                 "drop below committed + realised)",
                 floor);
        accounting_violation(v, "newPagu", msg);
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
    return accounting_violation(v, "amount",
                                "jumlah harus 1..Rp 10.000.000.000.000 (amount must be 1..10^13 "
                                "rupiah)");
}

/* ---- taxes ---- */

/* round(num / den) half up, for num >= 0, den > 0 */
static int64_t div_round(int64_t num, int64_t den)
{
    return (num + den / 2) / den;
}

bool accounting_compute_taxes(int64_t amount, bool pkp, const accounting_tax_rates *rates,
                              accounting_taxes *out)
{
    if (amount < 0 || amount > INT64_MAX / 20000 || rates->pph23_bp < 0 ||
        rates->pph23_bp > 10000 || rates->ppn_bp < 0 || rates->ppn_bp > 10000)
        return false;
    out->base = pkp ? div_round(amount * 10000, 10000 + rates->ppn_bp) : amount;
    out->ppn = pkp ? amount - out->base : 0;
    out->pph23 = div_round(out->base * rates->pph23_bp, 10000);
    out->net = amount - out->ppn - out->pph23;
    return true;
}

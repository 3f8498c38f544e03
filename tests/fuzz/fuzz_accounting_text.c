/* fuzz_accounting_text - the texts accounting takes from partners, finance
 * and other services' events and parses itself: a faktur pajak number, an
 * invoice's and a step's dates, ordering's RFC 3339 times, and an invoice's
 * fields together. Every answer must be consistent: an accepted faktur is
 * its own normalised digits, code 02 and of its year; a parsed date formats
 * back to itself; an accepted time lands on a real day; and a tax computed
 * from any gross and any valid table adds up to that gross. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accounting/domain.h"
#include "sk_id.h"

static bool uuid_ok(const char *s)
{
    return sk_uuid_valid(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char s[257];
    memcpy(s, data, size);
    s[size] = '\0';
    int year = 2000 + (size ? data[0] % 101 : 27);

    char f[ACCOUNTING_FAKTUR_SIZE];
    if (accounting_faktur_number(s, year, f) == ACCOUNTING_FAKTUR_OK) {
        char again[ACCOUNTING_FAKTUR_SIZE];
        size_t n = strlen(f);
        if ((n != 16 && n != 17) || f[0] != '0' || f[1] != '2' ||
            accounting_faktur_number(f, year, again) != ACCOUNTING_FAKTUR_OK || strcmp(f, again) != 0)
            abort();
    } else if (f[0] != '\0') {
        abort();
    }

    int32_t d;
    if (accounting_date_parse(s, &d)) {
        char back[11];
        accounting_date_format(d, back);
        if (strcmp(back, s) != 0)
            abort();
    }
    if (accounting_wib_day(s, &d)) {
        char day[11];
        accounting_date_format(d, day);
        int32_t again;
        if (!accounting_date_parse(day, &again) && (accounting_date_year(d) > 1999 && accounting_date_year(d) < 2101))
            abort();
    }

    /* The bytes as an invoice: number, date, faktur and signatory from the
     * same text, cut in four. */
    char parts[4][65] = {{0}};
    for (size_t i = 0; i < size && i < 256; i++) {
        size_t k = i / 64, o = i % 64;
        parts[k][o] = s[i];
    }
    const char *ids[] = {parts[3]};
    accounting_invoice_input in = {parts[0], parts[1], parts[2], parts[3], "", ids, 1};
    accounting_invoice out;
    accounting_violations v = {0};
    bool ok = accounting_check_invoice(&in, size % 2, 10957 + 10000, uuid_ok, &out, &v);
    if (ok != (v.n == 0))
        abort();

    /* Any gross with any table that passes its checks adds up. */
    if (size >= 16) {
        accounting_tax_table t;
        accounting_tax_table_default(year, &t);
        t.pph23_bp = (int32_t)(data[1] | data[2] << 8) % 10001;
        t.ppn_bp = (int32_t)(data[3] | data[4] << 8) % 10001;
        t.dpp_num = 1 + data[5] % 100;
        t.dpp_den = t.dpp_num + data[6] % 100;
        t.no_npwp_uplift_pct = data[7] % 101;
        t.rounding = 1 + data[8] % 3;
        int64_t gross = 0;
        memcpy(&gross, data + 8, sizeof(gross));
        gross = gross < 0 ? -(gross + 1) : gross;
        gross %= ACCOUNTING_MONEY_MAX + 1;
        accounting_tax_input ti = {gross, data[9] & 1, data[9] & 2};
        accounting_tax_lines l;
        accounting_violations tv = {0};
        if (accounting_check_tax_table(&t, &tv) && accounting_compute_tax(&t, &ti, &l) &&
            (l.net + l.pph23 + l.ppn_collected != gross || l.net < 0 || l.pph23 < 0))
            abort();
    }
    return 0;
}

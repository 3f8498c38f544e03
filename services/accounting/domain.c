#include "domain.h"

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

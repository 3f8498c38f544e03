/* domain.h - accounting rules, pure: no I/O, no globals. Amounts are whole
 * rupiah in int64_t. */
#ifndef ACCOUNTING_DOMAIN_H
#define ACCOUNTING_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

/* Tax rates in basis points (1/100 of a percent): PPh 23 is 200, PPN 1100. */
typedef struct accounting_tax_rates {
    int32_t pph23_bp;
    int32_t ppn_bp;
} accounting_tax_rates;

typedef struct accounting_taxes {
    int64_t base;   /* dasar pengenaan pajak */
    int64_t ppn;    /* collected by the treasurer when the partner is PKP */
    int64_t pph23;  /* withheld */
    int64_t net;    /* paid to the partner: amount - ppn - pph23 */
} accounting_taxes;

/* Order prices include VAT: for a PKP partner the base is amount x 100/111
 * (with PPN at 11%), otherwise the amount itself. The base is rounded half up
 * to whole rupiah; PPN is the rest of the price (amount - base), so base and
 * PPN always add up to the price; PPh 23 is rounded half up from the base.
 * Returns false for a negative amount or rates out of range. */
bool accounting_compute_taxes(int64_t amount, bool pkp, const accounting_tax_rates *rates,
                              accounting_taxes *out);

#endif

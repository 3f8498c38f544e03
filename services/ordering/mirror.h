/* mirror.h - the read model of scoring's tiers and ceilings, in memory.
 *
 * Ceilings are checked on every offer, so they are looked up here, not over
 * the bus (docs/adr/0014-ordering.md). The tables in the ordering schema are
 * the truth; the mirror is loaded from them at start and updated after each
 * commit that changes them. Outlets live in an open-addressing hash keyed by
 * (outlet UUID, fiscal year); ceilings in a dense array by year x outlet type
 * x product x tier. Readers and writers may be on any thread: a
 * reader-writer lock guards both. */
#ifndef ORDERING_MIRROR_H
#define ORDERING_MIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ORDERING_YEAR_MIN 2000
#define ORDERING_YEAR_MAX 2100
#define ORDERING_OUTLET_TYPES 4 /* seklik.registry.OutletType 1..4 */
#define ORDERING_TIERS 3        /* seklik.scoring.Tier C=1, B=2, A=3 */

typedef struct ordering_mirror ordering_mirror;

/* A new, empty mirror; NULL on OOM. Free with ordering_mirror_free. */
ordering_mirror *ordering_mirror_new(void);
void ordering_mirror_free(ordering_mirror *m);

/* What scoring last said of an outlet in a year. */
typedef struct ordering_outlet_view {
    char company_id[37];
    int outlet_type; /* 1..4 */
    int tier;        /* 0 = none (no paid orders), 1..3 = C..A */
    bool suspended;
} ordering_outlet_view;

/* Insert or replace. SK_OK, SK_EINVAL (bad id, year or type), SK_ENOMEM. */
int ordering_mirror_put_outlet(ordering_mirror *m, const char *outlet_id, int year,
                               const ordering_outlet_view *v);

/* One ceiling of a price standard. */
typedef struct ordering_ceiling_entry {
    int outlet_type, product, tier; /* 1..4, 1..12, 1..3 */
    int64_t ceiling;
} ordering_ceiling_entry;

/* Replace the year's ceilings by version `version`'s `n` entries, unless the
 * mirror already holds a newer version. Entries out of range are skipped.
 * SK_OK or SK_EINVAL (year out of range). */
int ordering_mirror_set_ceilings(ordering_mirror *m, int year, int version,
                                 const ordering_ceiling_entry *e, size_t n);

/* The outlet's row; false when scoring has not tiered it for that year. */
bool ordering_mirror_outlet(ordering_mirror *m, const char *outlet_id, int year,
                            ordering_outlet_view *out);

typedef enum {
    ORDERING_CEILING_OK = 0,
    ORDERING_CEILING_NO_OUTLET,   /* not tiered for that year */
    ORDERING_CEILING_NO_TIER,     /* tier below C: no paid orders */
    ORDERING_CEILING_SUSPENDED,   /* its company is suspended */
    ORDERING_CEILING_NO_PRICE,    /* no price for that type, product and tier */
} ordering_ceiling_status;

/* The ceiling per unit of `product` at `outlet_id` in `year`, with the
 * outlet's row and the price standard's version when not NULL. */
ordering_ceiling_status ordering_mirror_ceiling(ordering_mirror *m, const char *outlet_id,
                                                int year, int product, int64_t *ceiling,
                                                ordering_outlet_view *outlet, int *version);

/* Run fill(m, arg) holding the write lock; inside it write only with the
 * *_held variants. Loading from the tables runs under it, so an update that
 * commits meanwhile waits for the load and lands after it, never under it.
 * Returns what fill returned. */
int ordering_mirror_exclusive(ordering_mirror *m, int (*fill)(ordering_mirror *m, void *arg),
                              void *arg);
int ordering_mirror_put_outlet_held(ordering_mirror *m, const char *outlet_id, int year,
                                    const ordering_outlet_view *v);
int ordering_mirror_set_ceilings_held(ordering_mirror *m, int year, int version,
                                      const ordering_ceiling_entry *e, size_t n);

/* Outlets held (all years). */
size_t ordering_mirror_outlets(ordering_mirror *m);

#endif

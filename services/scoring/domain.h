/* domain.h - scoring rules, pure: no I/O, no globals. */
#ifndef SCORING_DOMAIN_H
#define SCORING_DOMAIN_H

typedef enum { SCORING_TIER_NONE = 0, SCORING_TIER_C, SCORING_TIER_B, SCORING_TIER_A } scoring_tier;

/* Tier thresholds of a rule set: a score >= a is A, >= b is B, >= c is C. */
typedef struct scoring_thresholds {
    int a, b, c;
} scoring_thresholds;

/* The DOMAIN.md default: A >= 80, B >= 60, C >= 40, below that no paid orders. */
extern const scoring_thresholds scoring_default_thresholds;

scoring_tier scoring_tier_for(int score, const scoring_thresholds *t);

/* "A", "B", "C" or "-". */
const char *scoring_tier_name(scoring_tier tier);

#endif

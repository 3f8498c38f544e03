#include "domain.h"

const scoring_thresholds scoring_default_thresholds = {80, 60, 40};

scoring_tier scoring_tier_for(int score, const scoring_thresholds *t)
{
    if (score >= t->a)
        return SCORING_TIER_A;
    if (score >= t->b)
        return SCORING_TIER_B;
    if (score >= t->c)
        return SCORING_TIER_C;
    return SCORING_TIER_NONE;
}

const char *scoring_tier_name(scoring_tier tier)
{
    switch (tier) {
    case SCORING_TIER_A: return "A";
    case SCORING_TIER_B: return "B";
    case SCORING_TIER_C: return "C";
    default: return "-";
    }
}

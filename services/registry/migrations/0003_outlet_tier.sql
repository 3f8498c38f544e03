-- Each outlet's newest tier, a read model of scoring.outlet.tiered, so that
-- companies can be listed by tier (issue 3: "tier when known").
ALTER TABLE outlet ADD COLUMN tier text CHECK (tier IN ('A', 'B', 'C', '-'));
ALTER TABLE outlet ADD COLUMN tier_fiscal_year int;
CREATE INDEX outlet_tier ON outlet (tier) WHERE tier IS NOT NULL;

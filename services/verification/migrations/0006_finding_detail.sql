-- The value a finding is about (an NPWP, a person's name, the accounts
-- before and after), kept apart from its English message so the UI can
-- word the finding by its code in the reader's language (issue 11).
ALTER TABLE finding ADD COLUMN detail text NOT NULL DEFAULT '';

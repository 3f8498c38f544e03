-- A document uploaded by mistake can be deleted by whoever uploaded it while
-- the company is still editable (Registry.DeleteDocument). The row stays, for
-- the audit trail and so version numbers are never reused; it is no longer
-- the company's document, and its file is no longer served.
ALTER TABLE document ADD COLUMN deleted_at timestamptz;
ALTER TABLE document ADD COLUMN deleted_by text;

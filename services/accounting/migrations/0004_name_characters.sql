-- A budget line's name is bounded in characters, as the API states its
-- limit (issue 11): 250 characters, not 250 bytes.
ALTER TABLE accounting.budget_line DROP CONSTRAINT budget_line_name_check;
ALTER TABLE accounting.budget_line
    ADD CONSTRAINT budget_line_name_check CHECK (name <> '' AND char_length(name) <= 250);

-- How many served rows (one per article and language) hold each search term (issue 18). A
-- search looks its question's terms up here and leaves out the words so common that ranking
-- every row holding them would cost more than they tell (baylanys_domain::knowledge::search::
-- affordable_terms). Kept by the store in the transaction that changes what is served.
CREATE TABLE kb_terms (
    term TEXT PRIMARY KEY,
    row_count BIGINT NOT NULL
);

-- The rows served before this table existed.
INSERT INTO kb_terms (term, row_count)
SELECT t.term, COUNT(*) FROM (
    SELECT DISTINCT s.id, w.term
    FROM kb_served s,
         unnest(string_to_array(s.terms_title || ' ' || s.terms_body, ' ')) AS w(term)
    WHERE w.term <> ''
) t
GROUP BY t.term;

-- Ranking reads each matched row's search vector: kept compressed in the row itself rather than
-- in the TOAST table, it is read without a second index lookup per row.
ALTER TABLE kb_served ALTER COLUMN terms SET STORAGE MAIN;
-- Rows served before: written again, so their vectors are stored the new way.
UPDATE kb_served SET terms_title = terms_title;

-- How many served rows (one per article and language) hold each search term (issue 18). A
-- search looks its question's terms up here and leaves out the words so common that ranking
-- every row holding them would cost more than they tell (baylanys_domain::knowledge::search::
-- affordable_terms). Kept by the store in the transaction that changes what is served.
CREATE TABLE kb_terms (
    term TEXT PRIMARY KEY,
    row_count INTEGER NOT NULL
) WITHOUT ROWID;

-- The rows served before this table existed. Terms are letters and digits separated by single
-- spaces, so they split into a JSON array as they are.
INSERT INTO kb_terms (term, row_count)
SELECT t.value, COUNT(*) FROM (
    SELECT DISTINCT s.id, j.value
    FROM kb_served s,
         json_each('["' || replace(trim(s.terms_title || ' ' || s.terms_body), ' ', '","') || '"]') j
    WHERE j.value <> ''
) t
GROUP BY t.value;

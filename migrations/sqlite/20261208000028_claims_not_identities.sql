-- A claim is not an identity (R11, DESIGN principle 11): what a web-chat visitor types (IIN,
-- phone, e-mail) now stays a claim on the conversation's own record, and reaches another
-- client's record only when the visitor proves to be that client.

-- Which record a one-time code proves: the conversation's own, or the record one of its claims
-- points at (then a right code joins the two). `claimed` is the address the code went to when it
-- was a claim, not on file: a right code makes it one of the record's addresses.
ALTER TABLE verification_codes ADD COLUMN client_id BLOB REFERENCES clients(id);
ALTER TABLE verification_codes ADD COLUMN claimed TEXT;

-- A record emptied into another when its client proved who they are (`client.linked`).
ALTER TABLE clients ADD COLUMN merged_into BLOB REFERENCES clients(id);

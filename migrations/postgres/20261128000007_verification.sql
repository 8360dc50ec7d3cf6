-- How the client on an appeal proved who they are (R11): until then confidential fields stay
-- hidden in the single window.

ALTER TABLE appeals ADD COLUMN verified_at TIMESTAMPTZ;
ALTER TABLE appeals ADD COLUMN verified_by UUID REFERENCES staff(id);
ALTER TABLE appeals ADD COLUMN verification_method TEXT;

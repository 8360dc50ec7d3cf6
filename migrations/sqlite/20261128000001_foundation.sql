-- Foundation: staff, sessions, catalog (bodies, queues, topics), clients, appeals,
-- interactions, messages, notes, redirections, the append-only event log and the audit trail.
-- Keep in step with ../postgres/20261128000001_foundation.sql (a test checks the version sets).

CREATE TABLE bodies (
    id               BLOB PRIMARY KEY,
    name_kk          TEXT NOT NULL,
    name_ru          TEXT NOT NULL,
    bin              TEXT UNIQUE,
    parent_id        BLOB REFERENCES bodies(id),
    delivery_method  TEXT NOT NULL,
    delivery_address TEXT,
    active           INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE queues (
    id         BLOB PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE topics (
    id         BLOB PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name_kk    TEXT NOT NULL,
    name_ru    TEXT NOT NULL,
    name_en    TEXT,
    queue_id   BLOB REFERENCES queues(id),
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE staff (
    id            BLOB PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    body_id       BLOB REFERENCES bodies(id),
    languages     TEXT NOT NULL,
    skills        TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id   BLOB NOT NULL REFERENCES staff(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX sessions_staff ON sessions (staff_id);

CREATE TABLE clients (
    id             BLOB PRIMARY KEY,
    name           TEXT,
    name_search    TEXT,
    iin            TEXT UNIQUE,
    bin            TEXT UNIQUE,
    language       TEXT NOT NULL,
    vulnerable     INTEGER NOT NULL DEFAULT 0,
    do_not_contact INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX clients_name_search ON clients (name_search);

CREATE TABLE client_identities (
    id         BLOB PRIMARY KEY,
    client_id  BLOB NOT NULL REFERENCES clients(id),
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (channel, address)
);
CREATE INDEX client_identities_client ON client_identities (client_id);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE appeals (
    id                     BLOB PRIMARY KEY,
    number                 TEXT NOT NULL UNIQUE,
    client_id              BLOB NOT NULL REFERENCES clients(id),
    kind                   TEXT NOT NULL,
    topic_id               BLOB REFERENCES topics(id),
    channel                TEXT NOT NULL,
    language               TEXT NOT NULL,
    priority               INTEGER NOT NULL,
    status                 TEXT NOT NULL,
    queue_id               BLOB REFERENCES queues(id),
    assignee_id            BLOB REFERENCES staff(id),
    body_id                BLOB REFERENCES bodies(id),
    subject                TEXT,
    resolution             TEXT,
    first_contact_resolved INTEGER,
    external_id            TEXT,
    last_seq               INTEGER NOT NULL DEFAULT 0,
    due_at                 TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    closed_at              TEXT,
    UNIQUE (channel, external_id)
);
CREATE INDEX appeals_client ON appeals (client_id, id);
CREATE INDEX appeals_status ON appeals (status, id);
CREATE INDEX appeals_assignee ON appeals (assignee_id, id);
CREATE INDEX appeals_body ON appeals (body_id, id);

CREATE TABLE interactions (
    id           BLOB PRIMARY KEY,
    appeal_id    BLOB NOT NULL REFERENCES appeals(id),
    channel      TEXT NOT NULL,
    direction    TEXT NOT NULL,
    state        TEXT NOT NULL,
    external_id  TEXT,
    queue_id     BLOB REFERENCES queues(id),
    operator_id  BLOB REFERENCES staff(id),
    queued_at    TEXT NOT NULL,
    answered_at  TEXT,
    ended_at     TEXT,
    abandoned_at TEXT,
    UNIQUE (channel, external_id)
);
CREATE INDEX interactions_appeal ON interactions (appeal_id, queued_at);

CREATE TABLE messages (
    id             BLOB PRIMARY KEY,
    appeal_id      BLOB NOT NULL REFERENCES appeals(id),
    interaction_id BLOB REFERENCES interactions(id),
    seq            INTEGER NOT NULL,
    author         TEXT NOT NULL,
    staff_id       BLOB REFERENCES staff(id),
    channel        TEXT NOT NULL,
    direction      TEXT NOT NULL,
    body           TEXT NOT NULL,
    external_id    TEXT,
    created_at     TEXT NOT NULL,
    UNIQUE (appeal_id, seq),
    UNIQUE (channel, external_id)
);

CREATE TABLE notes (
    id         BLOB PRIMARY KEY,
    appeal_id  BLOB NOT NULL REFERENCES appeals(id),
    author_id  BLOB NOT NULL REFERENCES staff(id),
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX notes_appeal ON notes (appeal_id, created_at);

CREATE TABLE redirections (
    id         BLOB PRIMARY KEY,
    appeal_id  BLOB NOT NULL REFERENCES appeals(id),
    body_id    BLOB NOT NULL REFERENCES bodies(id),
    reason     TEXT NOT NULL,
    created_by BLOB NOT NULL REFERENCES staff(id),
    created_at TEXT NOT NULL
);
CREATE INDEX redirections_appeal ON redirections (appeal_id, created_at);

-- Append-only: rows are inserted in the same transaction as the state change they record and
-- never updated or deleted. KPIs and reports read only this table (R35).
CREATE TABLE events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT NOT NULL,
    kind           TEXT NOT NULL,
    actor_id       BLOB,
    appeal_id      BLOB,
    client_id      BLOB,
    interaction_id BLOB,
    data           TEXT NOT NULL
);
CREATE INDEX events_appeal ON events (appeal_id, id);
CREATE INDEX events_kind_at ON events (kind, at);
CREATE INDEX events_at ON events (at);

-- Every staff read of a client's personal data (R11, R33).
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    staff_id  BLOB NOT NULL REFERENCES staff(id),
    client_id BLOB NOT NULL REFERENCES clients(id),
    endpoint  TEXT NOT NULL
);
CREATE INDEX audit_log_client ON audit_log (client_id, id);
CREATE INDEX audit_log_staff ON audit_log (staff_id, id);

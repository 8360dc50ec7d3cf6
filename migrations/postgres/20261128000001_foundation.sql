-- Foundation: staff, sessions, catalog (bodies, queues, topics), clients, appeals,
-- interactions, messages, notes, redirections, the append-only event log and the audit trail.
-- Keep in step with ../sqlite/20261128000001_foundation.sql (a test checks the version sets).

CREATE TABLE bodies (
    id               UUID PRIMARY KEY,
    name_kk          TEXT NOT NULL,
    name_ru          TEXT NOT NULL,
    bin              TEXT UNIQUE,
    parent_id        UUID REFERENCES bodies(id),
    delivery_method  TEXT NOT NULL,
    delivery_address TEXT,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE queues (
    id         UUID PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE topics (
    id         UUID PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name_kk    TEXT NOT NULL,
    name_ru    TEXT NOT NULL,
    name_en    TEXT,
    queue_id   UUID REFERENCES queues(id),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE staff (
    id            UUID PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    body_id       UUID REFERENCES bodies(id),
    languages     JSONB NOT NULL,
    skills        JSONB NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id   UUID NOT NULL REFERENCES staff(id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX sessions_staff ON sessions (staff_id);

CREATE TABLE clients (
    id             UUID PRIMARY KEY,
    name           TEXT,
    name_search    TEXT,
    iin            TEXT UNIQUE,
    bin            TEXT UNIQUE,
    language       TEXT NOT NULL,
    vulnerable     BOOLEAN NOT NULL DEFAULT FALSE,
    do_not_contact BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX clients_name_search ON clients (name_search);

CREATE TABLE client_identities (
    id         UUID PRIMARY KEY,
    client_id  UUID NOT NULL REFERENCES clients(id),
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (channel, address)
);
CREATE INDEX client_identities_client ON client_identities (client_id);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE appeals (
    id                     UUID PRIMARY KEY,
    number                 TEXT NOT NULL UNIQUE,
    client_id              UUID NOT NULL REFERENCES clients(id),
    kind                   TEXT NOT NULL,
    topic_id               UUID REFERENCES topics(id),
    channel                TEXT NOT NULL,
    language               TEXT NOT NULL,
    priority               BIGINT NOT NULL,
    status                 TEXT NOT NULL,
    queue_id               UUID REFERENCES queues(id),
    assignee_id            UUID REFERENCES staff(id),
    body_id                UUID REFERENCES bodies(id),
    subject                TEXT,
    resolution             TEXT,
    first_contact_resolved BOOLEAN,
    external_id            TEXT,
    last_seq               BIGINT NOT NULL DEFAULT 0,
    due_at                 TIMESTAMPTZ,
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL,
    closed_at              TIMESTAMPTZ,
    UNIQUE (channel, external_id)
);
CREATE INDEX appeals_client ON appeals (client_id, id);
CREATE INDEX appeals_status ON appeals (status, id);
CREATE INDEX appeals_assignee ON appeals (assignee_id, id);
CREATE INDEX appeals_body ON appeals (body_id, id);

CREATE TABLE interactions (
    id           UUID PRIMARY KEY,
    appeal_id    UUID NOT NULL REFERENCES appeals(id),
    channel      TEXT NOT NULL,
    direction    TEXT NOT NULL,
    state        TEXT NOT NULL,
    external_id  TEXT,
    queue_id     UUID REFERENCES queues(id),
    operator_id  UUID REFERENCES staff(id),
    queued_at    TIMESTAMPTZ NOT NULL,
    answered_at  TIMESTAMPTZ,
    ended_at     TIMESTAMPTZ,
    abandoned_at TIMESTAMPTZ,
    UNIQUE (channel, external_id)
);
CREATE INDEX interactions_appeal ON interactions (appeal_id, queued_at);

CREATE TABLE messages (
    id             UUID PRIMARY KEY,
    appeal_id      UUID NOT NULL REFERENCES appeals(id),
    interaction_id UUID REFERENCES interactions(id),
    seq            BIGINT NOT NULL,
    author         TEXT NOT NULL,
    staff_id       UUID REFERENCES staff(id),
    channel        TEXT NOT NULL,
    direction      TEXT NOT NULL,
    body           TEXT NOT NULL,
    external_id    TEXT,
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (appeal_id, seq),
    UNIQUE (channel, external_id)
);

CREATE TABLE notes (
    id         UUID PRIMARY KEY,
    appeal_id  UUID NOT NULL REFERENCES appeals(id),
    author_id  UUID NOT NULL REFERENCES staff(id),
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX notes_appeal ON notes (appeal_id, created_at);

CREATE TABLE redirections (
    id         UUID PRIMARY KEY,
    appeal_id  UUID NOT NULL REFERENCES appeals(id),
    body_id    UUID NOT NULL REFERENCES bodies(id),
    reason     TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES staff(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX redirections_appeal ON redirections (appeal_id, created_at);

-- Append-only: rows are inserted in the same transaction as the state change they record and
-- never updated or deleted. KPIs and reports read only this table (R35).
CREATE TABLE events (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             TIMESTAMPTZ NOT NULL,
    kind           TEXT NOT NULL,
    actor_id       UUID,
    appeal_id      UUID,
    client_id      UUID,
    interaction_id UUID,
    data           JSONB NOT NULL
);
CREATE INDEX events_appeal ON events (appeal_id, id);
CREATE INDEX events_kind_at ON events (kind, at);
CREATE INDEX events_at ON events (at);

-- Every staff read of a client's personal data (R11, R33).
CREATE TABLE audit_log (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    staff_id  UUID NOT NULL REFERENCES staff(id),
    client_id UUID NOT NULL REFERENCES clients(id),
    endpoint  TEXT NOT NULL
);
CREATE INDEX audit_log_client ON audit_log (client_id, id);
CREATE INDEX audit_log_staff ON audit_log (staff_id, id);

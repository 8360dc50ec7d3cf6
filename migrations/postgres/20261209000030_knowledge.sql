-- The knowledge base (R5.5, R22, clause 3.15): articles with their official sources, states and
-- every published version; what is served (the latest published version of each article not
-- archived, one row per language) with its search terms; and how the articles are used.

CREATE TABLE kb_articles (
    id                UUID PRIMARY KEY,
    -- Stable name shared by an article's import files; optional for articles made in the API.
    slug              TEXT UNIQUE,
    state             TEXT NOT NULL,
    -- Increments on every write: an edit names the revision it started from (409 otherwise).
    revision          BIGINT NOT NULL,
    -- The working copy (texts, topics, tags, sources, review date) as JSON.
    content           TEXT NOT NULL,
    review_by         DATE,
    owner_id          UUID REFERENCES staff(id),
    published_version BIGINT,
    published_at      TIMESTAMPTZ,
    state_changed_at  TIMESTAMPTZ NOT NULL,
    state_changed_by  UUID REFERENCES staff(id),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX kb_articles_state ON kb_articles (state, updated_at);

-- Every published version, kept and readable (R22).
CREATE TABLE kb_versions (
    article_id   UUID NOT NULL REFERENCES kb_articles(id),
    version      BIGINT NOT NULL,
    content      TEXT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    published_by UUID REFERENCES staff(id),
    PRIMARY KEY (article_id, version)
);

-- What operators and citizens are offered: the served version, one row per language, with the
-- search terms computed in Rust (baylanys_domain::knowledge::search) so both backends index the
-- same words; only ranking is the database's. `simple` keeps the terms as they are.
CREATE TABLE kb_served (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id  UUID NOT NULL REFERENCES kb_articles(id),
    language    TEXT NOT NULL,
    title       TEXT NOT NULL,
    plain       TEXT NOT NULL,
    -- Topic ids, comma-separated with a comma at each end, for `LIKE '%,id,%'`.
    topics      TEXT NOT NULL,
    terms_title TEXT NOT NULL,
    terms_body  TEXT NOT NULL,
    terms       TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', terms_title), 'A') ||
        setweight(to_tsvector('simple', terms_body), 'B')
    ) STORED,
    UNIQUE (article_id, language)
);
CREATE INDEX kb_served_terms ON kb_served USING GIN (terms);

-- Views, insertions into replies, "helped / did not help", searches that found nothing.
CREATE TABLE kb_usage (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id UUID REFERENCES kb_articles(id),
    kind       TEXT NOT NULL,
    place      TEXT NOT NULL,
    language   TEXT,
    query      TEXT,
    staff_id   UUID REFERENCES staff(id),
    appeal_id  UUID REFERENCES appeals(id),
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX kb_usage_at ON kb_usage (at);
CREATE INDEX kb_usage_article ON kb_usage (article_id, kind);

-- A canned reply may stand on a knowledge-base article (issue 18): the console then says when the
-- article went stale or was withdrawn, so an outdated ready answer is not sent unawares.
ALTER TABLE canned_replies ADD COLUMN article_id UUID REFERENCES kb_articles(id);

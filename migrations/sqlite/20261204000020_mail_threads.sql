-- A reply to an e-mail appeal goes out as a mail of the citizen's thread (R5.3, R6): the outbox
-- keeps the Message-ID it was sent with and the In-Reply-To / References that chain it to the
-- mails before it, as JSON {"message_id", "in_reply_to", "references": [...]}. NULL for
-- everything that is not a threaded mail (SMS, webhooks, notices).
ALTER TABLE deliveries ADD COLUMN mail_thread TEXT;

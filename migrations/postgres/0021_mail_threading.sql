-- Mail threading (issue 6): a reply's In-Reply-To or References names a Message-ID we sent, so
-- the gateway looks outbox rows up by it; mail_out gathers a ticket's mail for References, and
-- the ticket page lists its deliveries.
CREATE INDEX outbox_message_id ON outbox (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX outbox_ticket ON outbox (ticket_id, id) WHERE ticket_id IS NOT NULL;

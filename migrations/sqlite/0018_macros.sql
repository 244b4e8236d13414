-- The macro library (issue 5, clause 1.2): shared canned replies staff answer with, Zendesk's
-- macros. body is the one action, the public comment, written with {{placeholders}}
-- (src/core/placeholders.h). pack_key names a response of the policy pack
-- ("scope.out_of_scope.custom_integration", src/core/policy.c): pack macros carry it, seeded at
-- init where missing; macros staff add have none (NULL). needs_identity: the body discusses
-- billing, so it renders only for a verified requester (clause 1.5). Booleans are 0/1 integers.
CREATE TABLE macros (
    id             INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: audit entries name ids
    pack_key       TEXT,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    body           TEXT NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    needs_identity INTEGER NOT NULL DEFAULT 0 CHECK (needs_identity IN (0, 1)),
    created_by     INTEGER REFERENCES users (id),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE UNIQUE INDEX macros_pack_key ON macros (pack_key) WHERE pack_key IS NOT NULL;

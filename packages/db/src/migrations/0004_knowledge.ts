import { sql, type Kysely } from 'kysely';

/**
 * The knowledge base and the one search over everything.
 *
 * - Articles: one row per article (status, visibility, category, tags, owner, verification),
 *   one row per translation (en, fr) holding the current title and markdown body, and every
 *   saved content as an append-only version. Edits proposed by light agents wait in
 *   article_proposals for a knowledge manager. Knowledge managers are staff named in
 *   knowledge_managers (a capability added to the role, not a role of its own).
 * - Search: search_documents holds one row per searchable thing (ticket subject, message,
 *   customer, article translation) with a tsvector built with the document's language
 *   (guichet_fr / guichet_en: French or English stemming after accent folding; guichet_simple
 *   otherwise). Triggers on the source tables keep it current in the writing transaction, so
 *   new content is searchable as soon as it commits.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Separate statements: the dictionaries must exist before the configurations name them.
  await sql`CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public`.execute(db);
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`.execute(db);
  await sql`

CREATE TEXT SEARCH CONFIGURATION guichet_fr (COPY = french);
ALTER TEXT SEARCH CONFIGURATION guichet_fr ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
CREATE TEXT SEARCH CONFIGURATION guichet_en (COPY = english);
ALTER TEXT SEARCH CONFIGURATION guichet_en ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION guichet_simple (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION guichet_simple ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

-- The text search configuration for a language code ('fr', 'fr-CA', 'en', anything else).
CREATE FUNCTION guichet_ts_config(lang text) RETURNS regconfig LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE lower(left(coalesce(lang, ''), 2))
    WHEN 'fr' THEN 'public.guichet_fr'::regconfig
    WHEN 'en' THEN 'public.guichet_en'::regconfig
    ELSE 'public.guichet_simple'::regconfig END
$$;

-- Accent folding usable in indexes (unaccent itself is only STABLE). Names are schema-qualified:
-- index builds run with a search_path of pg_catalog only.
CREATE FUNCTION guichet_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT lower(public.unaccent('public.unaccent'::regdictionary, t))
$$;

CREATE TABLE knowledge_managers (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
);

CREATE TABLE article_categories (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  parent_id uuid REFERENCES article_categories(id) ON DELETE CASCADE,
  names jsonb NOT NULL,
  descriptions jsonb NOT NULL DEFAULT '{}',
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX article_categories_ws_idx ON article_categories (workspace_id, parent_id, position);

CREATE TABLE articles (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  category_id uuid REFERENCES article_categories(id) ON DELETE SET NULL,
  status text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
  visibility text NOT NULL CHECK (visibility IN ('internal', 'public')),
  tags text[] NOT NULL DEFAULT '{}',
  template text,
  owner_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  owner_team_id uuid REFERENCES teams(id) ON DELETE SET NULL,
  verify_interval_days integer NOT NULL DEFAULT 90 CHECK (verify_interval_days BETWEEN 1 AND 3650),
  verified_at timestamptz,
  verified_by uuid REFERENCES users(id) ON DELETE SET NULL,
  reminded_for timestamptz,
  publish_at timestamptz,
  published_at timestamptz,
  archived_at timestamptz,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX articles_ws_idx ON articles (workspace_id, updated_at DESC, id DESC);
CREATE INDEX articles_category_idx ON articles (workspace_id, category_id);
CREATE INDEX articles_scheduled_idx ON articles (publish_at) WHERE publish_at IS NOT NULL;
CREATE INDEX articles_tags_idx ON articles USING gin (tags);

CREATE TABLE article_translations (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  article_id uuid NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  language text NOT NULL CHECK (language IN ('en', 'fr')),
  title text NOT NULL,
  slug text NOT NULL,
  body text NOT NULL,
  version_number integer NOT NULL,
  updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (article_id, language)
);

CREATE TABLE article_versions (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  article_id uuid NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  language text NOT NULL,
  number integer NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('created', 'edited', 'restored', 'proposal')),
  note text,
  restored_from integer,
  author_id uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (article_id, language, number)
);
CREATE TRIGGER article_versions_append_only BEFORE UPDATE OR DELETE ON article_versions
  FOR EACH ROW WHEN (pg_trigger_depth() < 1) EXECUTE FUNCTION guichet_append_only();

CREATE TABLE article_proposals (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  article_id uuid NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  language text NOT NULL CHECK (language IN ('en', 'fr')),
  base_version integer,
  title text NOT NULL,
  body text NOT NULL,
  note text,
  author_id uuid REFERENCES users(id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
  reviewed_by uuid REFERENCES users(id) ON DELETE SET NULL,
  reviewed_at timestamptz,
  review_note text,
  created_at timestamptz NOT NULL
);
CREATE INDEX article_proposals_ws_idx ON article_proposals (workspace_id, status, created_at DESC);

CREATE TABLE knowledge_notifications (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind text NOT NULL,
  article_id uuid REFERENCES articles(id) ON DELETE CASCADE,
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  read_at timestamptz
);
CREATE INDEX knowledge_notifications_user_idx ON knowledge_notifications (workspace_id, user_id, created_at DESC);

CREATE TABLE article_feedback (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  article_id uuid NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  language text NOT NULL,
  helpful boolean NOT NULL,
  comment text,
  user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX article_feedback_article_idx ON article_feedback (workspace_id, article_id, created_at DESC);

-- ---------------------------------------------------------------- search
CREATE TABLE search_documents (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('ticket', 'message', 'customer', 'article')),
  ref_id uuid NOT NULL,
  slot text NOT NULL DEFAULT '',
  language text NOT NULL DEFAULT '',
  ticket_id uuid REFERENCES tickets(id) ON DELETE CASCADE,
  article_id uuid REFERENCES articles(id) ON DELETE CASCADE,
  visibility text NOT NULL DEFAULT 'public',
  status text,
  title text NOT NULL DEFAULT '',
  body text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  tsv tsvector NOT NULL,
  PRIMARY KEY (kind, ref_id, slot)
);
CREATE INDEX search_documents_tsv_idx ON search_documents USING gin (tsv);
CREATE INDEX search_documents_title_trgm_idx ON search_documents USING gin (guichet_fold(title) gin_trgm_ops);
CREATE INDEX search_documents_ws_idx ON search_documents (workspace_id, kind, updated_at DESC);
CREATE INDEX search_documents_ticket_idx ON search_documents (ticket_id) WHERE ticket_id IS NOT NULL;

CREATE FUNCTION guichet_search_vector(lang text, title text, body text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector(guichet_ts_config(lang), coalesce(title, '')), 'A')
      || setweight(to_tsvector(guichet_ts_config(lang), left(coalesce(body, ''), 200000)), 'B')
$$;

CREATE FUNCTION guichet_ticket_language(ticket uuid) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT lower(left(coalesce(t.language, w.default_language, ''), 2))
  FROM tickets t JOIN workspaces w ON w.id = t.workspace_id WHERE t.id = ticket
$$;

CREATE FUNCTION guichet_search_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE lang text := guichet_ticket_language(NEW.id);
BEGIN
  INSERT INTO search_documents AS d (workspace_id, kind, ref_id, language, ticket_id, title, created_at, updated_at, tsv)
  VALUES (NEW.workspace_id, 'ticket', NEW.id, lang, NEW.id, NEW.subject, NEW.created_at, NEW.updated_at,
          guichet_search_vector(lang, NEW.subject, ''))
  ON CONFLICT (kind, ref_id, slot) DO UPDATE
    SET title = EXCLUDED.title, language = EXCLUDED.language, tsv = EXCLUDED.tsv, updated_at = EXCLUDED.updated_at;
  IF TG_OP = 'UPDATE' AND NEW.language IS DISTINCT FROM OLD.language THEN
    UPDATE search_documents SET language = lang, tsv = guichet_search_vector(lang, '', body)
    WHERE ticket_id = NEW.id AND kind = 'message';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER tickets_search AFTER INSERT OR UPDATE OF subject, language ON tickets
  FOR EACH ROW EXECUTE FUNCTION guichet_search_ticket();

CREATE FUNCTION guichet_search_message() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE lang text := guichet_ticket_language(NEW.ticket_id);
BEGIN
  INSERT INTO search_documents AS d (workspace_id, kind, ref_id, language, ticket_id, visibility, body, created_at, updated_at, tsv)
  VALUES (NEW.workspace_id, 'message', NEW.id, coalesce(lang, ''), NEW.ticket_id, NEW.visibility, left(NEW.body_text, 200000),
          NEW.created_at, NEW.created_at, guichet_search_vector(lang, '', NEW.body_text))
  ON CONFLICT (kind, ref_id, slot) DO UPDATE
    SET body = EXCLUDED.body, visibility = EXCLUDED.visibility, tsv = EXCLUDED.tsv;
  RETURN NULL;
END $$;
CREATE TRIGGER messages_search AFTER INSERT OR UPDATE OF body_text, visibility ON messages
  FOR EACH ROW EXECUTE FUNCTION guichet_search_message();

-- Customers: names and addresses are not stemmed (guichet_simple folds accents only).
CREATE FUNCTION guichet_search_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.role <> 'customer' THEN
    DELETE FROM search_documents WHERE kind = 'customer' AND ref_id = NEW.id;
    RETURN NULL;
  END IF;
  INSERT INTO search_documents AS d (workspace_id, kind, ref_id, language, title, body, created_at, updated_at, tsv)
  VALUES (NEW.workspace_id, 'customer', NEW.id, '', NEW.name, concat_ws(' ', NEW.email, NEW.phone, NEW.notes),
          NEW.created_at, NEW.updated_at,
          guichet_search_vector('', concat_ws(' ', NEW.name, NEW.email, replace(coalesce(NEW.email, ''), '@', ' ')), concat_ws(' ', NEW.phone, NEW.notes)))
  ON CONFLICT (kind, ref_id, slot) DO UPDATE
    SET title = EXCLUDED.title, body = EXCLUDED.body, tsv = EXCLUDED.tsv, updated_at = EXCLUDED.updated_at;
  RETURN NULL;
END $$;
CREATE TRIGGER users_search AFTER INSERT OR UPDATE OF name, email, phone, notes, role ON users
  FOR EACH ROW EXECUTE FUNCTION guichet_search_customer();

-- Articles: one document per translation; tags weigh like the title.
CREATE FUNCTION guichet_search_article_refresh(art uuid) RETURNS void LANGUAGE sql AS $$
  DELETE FROM search_documents WHERE kind = 'article' AND ref_id = art;
  INSERT INTO search_documents (workspace_id, kind, ref_id, slot, language, article_id, visibility, status, title, body, created_at, updated_at, tsv)
  SELECT a.workspace_id, 'article', a.id, tr.language, tr.language, a.id, a.visibility, a.status, tr.title, tr.body,
         a.created_at, tr.updated_at,
         guichet_search_vector(tr.language, tr.title || ' ' || array_to_string(a.tags, ' '), tr.body)
  FROM articles a JOIN article_translations tr ON tr.article_id = a.id WHERE a.id = art;
$$;
CREATE FUNCTION guichet_search_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'articles' THEN
    PERFORM guichet_search_article_refresh(NEW.id);
  ELSE
    PERFORM guichet_search_article_refresh(NEW.article_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER articles_search AFTER UPDATE OF status, visibility, tags ON articles
  FOR EACH ROW EXECUTE FUNCTION guichet_search_article();
CREATE TRIGGER article_translations_search AFTER INSERT OR UPDATE ON article_translations
  FOR EACH ROW EXECUTE FUNCTION guichet_search_article();

-- What already exists becomes searchable.
INSERT INTO search_documents (workspace_id, kind, ref_id, language, ticket_id, title, created_at, updated_at, tsv)
  SELECT t.workspace_id, 'ticket', t.id, guichet_ticket_language(t.id), t.id, t.subject, t.created_at, t.updated_at,
         guichet_search_vector(guichet_ticket_language(t.id), t.subject, '') FROM tickets t;
INSERT INTO search_documents (workspace_id, kind, ref_id, language, ticket_id, visibility, body, created_at, updated_at, tsv)
  SELECT m.workspace_id, 'message', m.id, coalesce(guichet_ticket_language(m.ticket_id), ''), m.ticket_id, m.visibility,
         left(m.body_text, 200000), m.created_at, m.created_at,
         guichet_search_vector(guichet_ticket_language(m.ticket_id), '', m.body_text) FROM messages m;
UPDATE users SET name = name WHERE role = 'customer';
`.execute(db);
}

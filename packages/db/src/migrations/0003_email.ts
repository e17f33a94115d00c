import { sql, type Kysely } from 'kysely';

/**
 * The email channel. Raw inbound mail is committed (inbound_emails.raw, with its SHA-256) before
 * it is acknowledged; turning it into a ticket message is an idempotent job. Outgoing mail goes
 * through outbound_emails, sent by a job with retries. message_emails holds the headers of every
 * ticket message that travelled by email (threading, delivery status, debugging).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE mailboxes (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  address text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('smtp', 'imap')),
  enabled boolean NOT NULL DEFAULT true,
  team_id uuid REFERENCES teams(id) ON DELETE SET NULL,
  auto_ack boolean NOT NULL DEFAULT false,
  flood_limit_per_hour integer NOT NULL DEFAULT 30 CHECK (flood_limit_per_hour > 0),
  imap_settings jsonb,
  imap_secret text,
  smtp_settings jsonb,
  smtp_secret text,
  imap_state jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX mailboxes_address_uq ON mailboxes (lower(address));
CREATE INDEX mailboxes_ws_idx ON mailboxes (workspace_id);

CREATE TABLE inbound_emails (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  mailbox_id uuid NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('smtp', 'imap', 'api')),
  sha256 text NOT NULL,
  rfc_message_id text,
  size_bytes integer NOT NULL,
  raw bytea NOT NULL,
  envelope jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'ticketed', 'duplicate', 'auto_reply', 'bounce', 'ignored', 'held', 'rejected', 'failed')),
  reason text,
  ticket_id uuid REFERENCES tickets(id) ON DELETE SET NULL,
  message_id uuid REFERENCES messages(id) ON DELETE SET NULL,
  received_at timestamptz NOT NULL,
  processed_at timestamptz,
  UNIQUE (mailbox_id, sha256)
);
CREATE INDEX inbound_emails_status_idx ON inbound_emails (workspace_id, status, received_at DESC);
CREATE INDEX inbound_emails_sender_idx ON inbound_emails (mailbox_id, ((envelope->>'from')), received_at DESC);

CREATE TABLE message_emails (
  message_id uuid PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  direction text NOT NULL CHECK (direction IN ('in', 'out')),
  rfc_message_id text NOT NULL,
  in_reply_to text,
  "references" text[] NOT NULL DEFAULT '{}',
  from_address text,
  to_addresses text[] NOT NULL DEFAULT '{}',
  cc_addresses text[] NOT NULL DEFAULT '{}',
  subject text,
  inbound_email_id uuid REFERENCES inbound_emails(id) ON DELETE SET NULL,
  delivery_status text NOT NULL CHECK (delivery_status IN ('received', 'queued', 'sent', 'failed', 'bounced')),
  delivery_error text,
  auto_submitted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL
);
CREATE INDEX message_emails_rfc_idx ON message_emails (workspace_id, rfc_message_id);

CREATE TABLE outbound_emails (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  mailbox_id uuid REFERENCES mailboxes(id) ON DELETE SET NULL,
  message_id uuid REFERENCES messages(id) ON DELETE CASCADE,
  ticket_id uuid REFERENCES tickets(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('reply', 'auto_ack', 'notification')),
  rfc_message_id text NOT NULL,
  from_address text NOT NULL,
  reply_to text,
  to_addresses text[] NOT NULL,
  cc_addresses text[] NOT NULL DEFAULT '{}',
  subject text NOT NULL,
  in_reply_to text,
  "references" text[] NOT NULL DEFAULT '{}',
  text_body text NOT NULL,
  html_body text,
  headers jsonb NOT NULL DEFAULT '{}',
  attachment_ids uuid[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE UNIQUE INDEX outbound_emails_rfc_uq ON outbound_emails (rfc_message_id);
CREATE INDEX outbound_emails_ws_idx ON outbound_emails (workspace_id, created_at DESC);

CREATE TABLE ticket_followers (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  added_at timestamptz NOT NULL,
  PRIMARY KEY (ticket_id, user_id)
);

CREATE TABLE blobs (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  sha256 text NOT NULL,
  size_bytes integer NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, sha256)
);

CREATE TABLE email_address_flags (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  address text NOT NULL,
  status text NOT NULL CHECK (status IN ('bouncing', 'complained')),
  reason text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, address)
);

-- The master key when none is configured on a server (shared by every process of the cluster).
CREATE TABLE server_keys (
  name text PRIMARY KEY,
  value bytea NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE ticket_links (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  linked_ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  kind text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (ticket_id, linked_ticket_id, kind)
);
`.execute(db);
}

import { sql, type Kysely } from 'kysely';

/**
 * Working together: macros (reply templates, personal or shared), the staff who follow a ticket,
 * the people an internal note mentions, and each staff member's choice of email notifications.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE macros (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  owner_id uuid REFERENCES users(id) ON DELETE SET NULL,
  shared boolean NOT NULL DEFAULT false,
  title text NOT NULL,
  body_en text,
  body_fr text,
  actions jsonb NOT NULL DEFAULT '{}',
  usage_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX macros_owner_idx ON macros (workspace_id, owner_id);
CREATE INDEX macros_shared_idx ON macros (workspace_id) WHERE shared;

CREATE TABLE ticket_staff_followers (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_staff_followers_user_idx ON ticket_staff_followers (workspace_id, user_id);

CREATE TABLE message_mentions (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (message_id, user_id)
);
CREATE INDEX message_mentions_user_idx ON message_mentions (workspace_id, user_id, created_at);

ALTER TABLE users ADD COLUMN email_notifications boolean NOT NULL DEFAULT false;

-- The bell counts unread notifications per person.
CREATE INDEX notifications_unread_idx ON notifications (workspace_id, user_id) WHERE read_at IS NULL;
`.execute(db);
}

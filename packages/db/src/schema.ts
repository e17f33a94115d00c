import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface WorkspacesTable {
  id: string;
  slug: string;
  name: string;
  mail_domain: string | null;
  default_language: string;
  settings: Generated<Json<Record<string, unknown>>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrganizationsTable {
  id: string;
  workspace_id: string;
  name: string;
  domains: string[];
  notes: string | null;
  shared_tickets: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: string;
  workspace_id: string;
  role: string;
  email: string | null;
  name: string;
  password_hash: string | null;
  status: string;
  locale: string;
  time_zone: string;
  languages: string[];
  organization_id: string | null;
  phone: string | null;
  notes: string | null;
  capacity: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_login_at: Timestamp | null;
}

export interface TeamsTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TeamMembersTable {
  workspace_id: string;
  team_id: string;
  user_id: string;
  is_lead: boolean;
}

export interface SkillsTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserSkillsTable {
  workspace_id: string;
  user_id: string;
  skill_id: string;
  proficiency: number;
}

export interface CustomFieldsTable {
  id: string;
  workspace_id: string;
  key: string;
  label: string;
  type: string;
  options: Json<string[]>;
  required: boolean;
  active: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TicketsTable {
  id: string;
  workspace_id: string;
  number: number;
  subject: string;
  status: string;
  priority: string;
  channel: string;
  requester_id: string;
  organization_id: string | null;
  assignee_id: string | null;
  team_id: string | null;
  tags: string[];
  custom_fields: Json<Record<string, unknown>>;
  language: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  solved_at: Timestamp | null;
  closed_at: Timestamp | null;
  search_vector: ColumnType<string, never, never>;
}

export interface MessagesTable {
  id: string;
  workspace_id: string;
  ticket_id: string;
  author_id: string | null;
  visibility: string;
  channel: string;
  body_text: string;
  body_html: string | null;
  created_at: Timestamp;
  search_vector: ColumnType<string, never, never>;
}

export interface AttachmentsTable {
  id: string;
  workspace_id: string;
  message_id: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string | null;
  storage_key: string | null;
  inline: boolean;
  created_at: Timestamp;
}

export interface EventsTable {
  id: Generated<number>;
  workspace_id: string;
  subject_type: string;
  subject_id: string;
  actor_type: string;
  actor_id: string | null;
  type: string;
  data: Json<Record<string, unknown>>;
  request_id: string | null;
  created_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  workspace_id: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  data: Json<Record<string, unknown>>;
  ip: string | null;
  request_id: string | null;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  token_hash: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface ApiTokensTable {
  id: string;
  workspace_id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  email: string;
  ip: string | null;
  succeeded: boolean;
  created_at: Timestamp;
}

export interface JobsTable {
  id: Generated<number>;
  workspace_id: string | null;
  type: string;
  payload: Json<Record<string, unknown>>;
  status: Generated<string>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_at: Timestamp;
  locked_by: string | null;
  locked_until: Timestamp | null;
  last_error: string | null;
  dedupe_key: string | null;
  created_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface DB {
  workspaces: WorkspacesTable;
  organizations: OrganizationsTable;
  users: UsersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  skills: SkillsTable;
  user_skills: UserSkillsTable;
  custom_fields: CustomFieldsTable;
  tickets: TicketsTable;
  messages: MessagesTable;
  attachments: AttachmentsTable;
  events: EventsTable;
  audit_log: AuditLogTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_attempts: LoginAttemptsTable;
  jobs: JobsTable;
}

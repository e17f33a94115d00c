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
  brand_color: Generated<string | null>;
  logo_sha256: Generated<string | null>;
  /** Renewed (from a sequence) by any change to the workspace's configuration: migration 0018. */
  config_version: Generated<string>;
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
  email_notifications: Generated<boolean>;
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
  category_id: ColumnType<string | null, string | null | undefined, string | null>;
  merged_into_id: ColumnType<string | null, string | null | undefined, string | null>;
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

export interface MailboxesTable {
  id: string;
  workspace_id: string;
  name: string;
  address: string;
  kind: string;
  enabled: boolean;
  team_id: string | null;
  auto_ack: boolean;
  flood_limit_per_hour: number;
  imap_settings: Json<unknown> | null;
  imap_secret: string | null;
  smtp_settings: Json<unknown> | null;
  smtp_secret: string | null;
  imap_state: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface InboundEmailsTable {
  id: string;
  workspace_id: string;
  mailbox_id: string;
  source: string;
  sha256: string;
  rfc_message_id: string | null;
  size_bytes: number;
  raw: Buffer | Uint8Array;
  envelope: Json<Record<string, unknown>>;
  status: Generated<string>;
  reason: string | null;
  ticket_id: string | null;
  message_id: string | null;
  received_at: Timestamp;
  processed_at: Timestamp | null;
}

export interface MessageEmailsTable {
  message_id: string;
  workspace_id: string;
  direction: string;
  rfc_message_id: string;
  in_reply_to: string | null;
  references: string[];
  from_address: string | null;
  to_addresses: string[];
  cc_addresses: string[];
  subject: string | null;
  inbound_email_id: string | null;
  delivery_status: string;
  delivery_error: string | null;
  auto_submitted: boolean;
  created_at: Timestamp;
}

export interface OutboundEmailsTable {
  id: string;
  workspace_id: string;
  mailbox_id: string | null;
  message_id: string | null;
  ticket_id: string | null;
  kind: string;
  rfc_message_id: string;
  from_address: string;
  reply_to: string | null;
  to_addresses: string[];
  cc_addresses: string[];
  subject: string;
  in_reply_to: string | null;
  references: string[];
  text_body: string;
  html_body: string | null;
  headers: Json<Record<string, string>>;
  attachment_ids: string[];
  status: Generated<string>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
}

export interface TicketFollowersTable {
  workspace_id: string;
  ticket_id: string;
  user_id: string;
  added_at: Timestamp;
}

export interface BlobsTable {
  workspace_id: string;
  sha256: string;
  size_bytes: number;
  content: Buffer | Uint8Array;
  created_at: Timestamp;
}

export interface EmailAddressFlagsTable {
  workspace_id: string;
  address: string;
  status: string;
  reason: string | null;
  updated_at: Timestamp;
}

export interface TicketLinksTable {
  workspace_id: string;
  ticket_id: string;
  linked_ticket_id: string;
  kind: string;
  created_at: Timestamp;
}

export interface KnowledgeManagersTable {
  workspace_id: string;
  user_id: string;
  created_at: Timestamp;
}

export interface ArticleCategoriesTable {
  id: string;
  workspace_id: string;
  parent_id: string | null;
  names: Json<Record<string, string>>;
  descriptions: Json<Record<string, string>>;
  position: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ArticlesTable {
  id: string;
  workspace_id: string;
  category_id: string | null;
  status: string;
  visibility: string;
  tags: string[];
  template: string | null;
  owner_user_id: string | null;
  owner_team_id: string | null;
  verify_interval_days: number;
  verified_at: Timestamp | null;
  verified_by: string | null;
  reminded_for: Timestamp | null;
  publish_at: Timestamp | null;
  published_at: Timestamp | null;
  archived_at: Timestamp | null;
  created_by: string | null;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ArticleTranslationsTable {
  workspace_id: string;
  article_id: string;
  language: string;
  title: string;
  slug: string;
  body: string;
  version_number: number;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface ArticleVersionsTable {
  id: string;
  workspace_id: string;
  article_id: string;
  language: string;
  number: number;
  title: string;
  body: string;
  kind: string;
  note: string | null;
  restored_from: number | null;
  author_id: string | null;
  created_at: Timestamp;
}

export interface ArticleProposalsTable {
  id: string;
  workspace_id: string;
  article_id: string;
  language: string;
  base_version: number | null;
  title: string;
  body: string;
  note: string | null;
  author_id: string | null;
  status: string;
  reviewed_by: string | null;
  reviewed_at: Timestamp | null;
  review_note: string | null;
  created_at: Timestamp;
}

export interface KnowledgeNotificationsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  kind: string;
  article_id: string | null;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
  read_at: Timestamp | null;
}

export interface ArticleFeedbackTable {
  id: string;
  workspace_id: string;
  article_id: string;
  language: string;
  helpful: boolean;
  comment: string | null;
  user_id: string | null;
  created_at: Timestamp;
}

export interface SearchDocumentsTable {
  workspace_id: string;
  kind: string;
  ref_id: string;
  slot: string;
  language: string;
  ticket_id: string | null;
  article_id: string | null;
  visibility: string;
  status: string | null;
  title: string;
  body: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  tsv: ColumnType<string, never, never>;
}

/** Per workspace: how many search documents, and how many of them were sampled for the term estimates (migration 0015). */
export interface SearchCorpusStatsTable {
  workspace_id: string;
  documents: ColumnType<number, number, number>;
  sampled: number;
  computed_at: Timestamp;
}

/** Estimated documents holding each frequent lexeme of a workspace. */
export interface SearchTermStatsTable {
  workspace_id: string;
  lexeme: string;
  documents: ColumnType<number, number, number>;
}

export interface WorkspaceLogosTable {
  workspace_id: string;
  content: Buffer;
  content_type: string;
  sha256: string;
  updated_at: Timestamp;
}

export interface DB {
  workspaces: WorkspacesTable;
  workspace_logos: WorkspaceLogosTable;
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
  mailboxes: MailboxesTable;
  inbound_emails: InboundEmailsTable;
  message_emails: MessageEmailsTable;
  outbound_emails: OutboundEmailsTable;
  ticket_followers: TicketFollowersTable;
  blobs: BlobsTable;
  email_address_flags: EmailAddressFlagsTable;
  ticket_links: TicketLinksTable;
  business_calendars: BusinessCalendarsTable;
  sla_policies: SlaPoliciesTable;
  ticket_sla: TicketSlaTable;
  notifications: NotificationsTable;
  triggers: TriggersTable;
  password_reset_tokens: PasswordResetTokensTable;
  saved_views: SavedViewsTable;
  knowledge_managers: KnowledgeManagersTable;
  article_categories: ArticleCategoriesTable;
  articles: ArticlesTable;
  article_translations: ArticleTranslationsTable;
  article_versions: ArticleVersionsTable;
  article_proposals: ArticleProposalsTable;
  knowledge_notifications: KnowledgeNotificationsTable;
  article_feedback: ArticleFeedbackTable;
  search_documents: SearchDocumentsTable;
  search_corpus_stats: SearchCorpusStatsTable;
  search_term_stats: SearchTermStatsTable;
  automations: AutomationsTable;
  automation_runs: AutomationRunsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  ticket_categories: TicketCategoriesTable;
  portal_tokens: PortalTokensTable;
  deflection_events: DeflectionEventsTable;
  search_log: SearchLogTable;
  suggestion_uses: SuggestionUsesTable;
  macros: MacrosTable;
  ticket_staff_followers: TicketStaffFollowersTable;
  message_mentions: MessageMentionsTable;
}

export interface SearchLogTable {
  id: string;
  workspace_id: string;
  created_at: Timestamp;
  source: string;
  audience: string;
  query: string;
  language: string | null;
  results: number;
  matched: string;
}

export interface SuggestionUsesTable {
  id: string;
  workspace_id: string;
  ticket_id: string;
  article_id: string;
  user_id: string | null;
  action: string;
  created_at: Timestamp;
}

export interface BusinessCalendarsTable {
  id: string;
  workspace_id: string;
  name: string;
  team_id: string | null;
  is_default: boolean;
  time_zone: string;
  weekly: Json<unknown>;
  holidays: Json<unknown>;
  special_days: Json<unknown>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SlaPoliciesTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  position: number;
  enabled: boolean;
  conditions: Json<unknown>;
  calendar_id: string | null;
  targets: Json<unknown>;
  pause_statuses: string[];
  warnings: Json<unknown>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TicketSlaTable {
  ticket_id: string;
  workspace_id: string;
  policy_id: string | null;
  calendar_id: string | null;
  state: Json<unknown>;
  next_due_at: Timestamp | null;
  due_at: Timestamp | null;
  warn_at: Timestamp | null;
  paused: Generated<boolean>;
  updated_at: Timestamp;
}

export interface NotificationsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  ticket_id: string | null;
  kind: string;
  title: string;
  body: string;
  data: Json<Record<string, unknown>>;
  dedupe_key: string;
  created_at: Timestamp;
  read_at: Timestamp | null;
}

export interface TriggersTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  position: number;
  enabled: boolean;
  events: string[];
  conditions: Json<unknown>;
  actions: Json<unknown>;
  stop: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PasswordResetTokensTable {
  id: string;
  workspace_id: string;
  user_id: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  requested_ip: string | null;
}

export interface SavedViewsTable {
  id: string;
  workspace_id: string;
  owner_id: string;
  name: string;
  query: Json<Record<string, unknown>>;
  shared: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface AutomationsTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  position: number;
  enabled: boolean;
  conditions: Json<unknown>;
  actions: Json<unknown>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AutomationRunsTable {
  workspace_id: string;
  automation_id: string;
  ticket_id: string;
  period_key: string;
  fired_at: Timestamp;
}

export interface WebhooksTable {
  id: string;
  workspace_id: string;
  name: string;
  url: string;
  events: string[];
  secret_sealed: string;
  enabled: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  workspace_id: string;
  webhook_id: string;
  event: string;
  payload: Json<Record<string, unknown>>;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
  redelivery_of: string | null;
}

export interface TicketCategoriesTable {
  id: string;
  workspace_id: string;
  key: string;
  names: Json<Record<string, string>>;
  position: number;
  active: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PortalTokensTable {
  id: string;
  workspace_id: string;
  user_id: string;
  kind: string;
  ticket_id: string | null;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  requested_ip: string | null;
}

export interface DeflectionEventsTable {
  id: string;
  workspace_id: string;
  kind: string;
  article_id: string | null;
  ticket_id: string | null;
  visit: string | null;
  query: string | null;
  language: string | null;
  created_at: Timestamp;
}

// ---- 0009_collab: macros, staff followers, mentions ----
export interface MacrosTable {
  id: string;
  workspace_id: string;
  owner_id: string | null;
  shared: boolean;
  title: string;
  body_en: string | null;
  body_fr: string | null;
  actions: Json<Record<string, unknown>>;
  usage_count: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TicketStaffFollowersTable {
  workspace_id: string;
  ticket_id: string;
  user_id: string;
  created_at: Timestamp;
}

export interface MessageMentionsTable {
  workspace_id: string;
  ticket_id: string;
  message_id: string;
  user_id: string;
  created_at: Timestamp;
}

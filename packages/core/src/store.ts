/**
 * The storage port: every repository the use-cases need, and a unit of work. `packages/db`
 * implements it with Kysely on PGlite or PostgreSQL; every method is scoped by workspace.
 */
import type { Role, SavedViewQuery, TicketStatus } from '@guichet/contracts';
import type { CursorPosition } from './shared/cursor.ts';
import type { BusinessCalendarRepository, SlaPolicyRepository, TicketSlaRepository } from './sla/types.ts';
import type { MentionRepository, NotificationRepository, StaffFollowerRepository } from './notifications/types.ts';
import type { MacroRepository } from './macros/types.ts';
import type { TriggerRepository } from './triggers/evaluate.ts';
import type { JobRepository, NewJob } from './jobs/types.ts';
import type { RoutingRepository } from './routing/types.ts';
import type { KnowledgeRepository } from './knowledge/types.ts';
import type { SearchRepository } from './search/types.ts';
import type { AutomationRepository } from './automations/automations.ts';
import type { WebhookRepository } from './webhooks/webhooks.ts';
import type { TicketCategoryRepository } from './tickets/category-types.ts';
import type { PortalRepository } from './portal/types.ts';
import type { ContentGapRepository } from './knowledge/content-gaps.ts';
import type {
  BlobRepository,
  EmailAddressFlagRepository,
  FollowerRepository,
  InboundEmailRepository,
  MailboxRepository,
  MessageEmailRepository,
  OutboundEmailRepository,
  TicketLinkRepository,
} from './email/types.ts';
import type {
  CustomField,
  Organization,
  Skill,
  Team,
  TeamMember,
  User,
  UserSkill,
  Workspace,
} from './people/types.ts';
import type {
  Attachment,
  Message,
  MessageView,
  Ticket,
  TicketFilter,
  TicketPatch,
  TicketSort,
  TicketView,
} from './tickets/types.ts';

export interface PageRequest {
  limit: number;
  after?: CursorPosition;
}

export interface Sorted {
  sort: TicketSort;
  order: 'asc' | 'desc';
}

export interface ActorRef {
  type: 'user' | 'system' | 'rule';
  id: string | null;
}

export interface NewEvent {
  workspaceId: string;
  subjectType: 'ticket' | 'user' | 'team' | 'skill' | 'organization' | 'custom_field' | 'workspace' | 'saved_view' | 'article' | 'article_category' | 'macro' | 'ticket_category';
  subjectId: string;
  actor: ActorRef;
  type: string;
  data: Record<string, unknown>;
  requestId: string | null;
  createdAt: Date;
}

export interface StoredEvent extends NewEvent {
  id: number;
  actorName: string | null;
}

export interface NewAuditEntry {
  workspaceId: string;
  actor: ActorRef;
  action: string;
  targetType: string | null;
  targetId: string | null;
  data: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
  createdAt: Date;
}

export interface StoredAuditEntry extends NewAuditEntry {
  id: number;
  actorName: string | null;
}

export interface Session {
  id: string;
  workspaceId: string;
  userId: string;
  tokenHash: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export interface ApiToken {
  id: string;
  workspaceId: string;
  userId: string;
  name: string;
  tokenHash: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface TicketRepository {
  /** Insert a ticket with its first message and its creation event, atomically; the database gives the number. */
  create(input: {
    ticket: Omit<Ticket, 'number' | 'version'>;
    message: Omit<Message, 'attachments'>;
    attachments: Attachment[];
    event: NewEvent;
    /** A job enqueued by the same statement (the routing decision). */
    job?: NewJob | null;
  }): Promise<Ticket>;
  /**
   * Past tickets in bulk (see tickets/import-history.ts): for each, what `create` writes (no
   * attachments, no job) and its later messages; numbered in list order. Two statements in all.
   */
  importMany(
    list: Array<{ ticket: Omit<Ticket, 'number' | 'version'>; message: Omit<Message, 'attachments'>; attachments: []; event: NewEvent; later: Array<Omit<Message, 'attachments'>> }>,
  ): Promise<Ticket[]>;
  findById(workspaceId: string, id: string): Promise<TicketView | null>;
  /** Those of `ids` that exist in the workspace, in no particular order. */
  findByIds(workspaceId: string, ids: string[]): Promise<TicketView[]>;
  findByNumber(workspaceId: string, number: number): Promise<TicketView | null>;
  /** Lock the row for the rest of the transaction. */
  lock(workspaceId: string, id: string): Promise<Ticket | null>;
  /** Apply a patch, bump the version and updated_at. */
  update(workspaceId: string, id: string, patch: TicketPatch, updatedAt: Date): Promise<Ticket>;
  /** Several `update`s in few statements: each ticket gets its patch, `updatedAt`, and its version raised by `bumps`. */
  updateMany(workspaceId: string, list: Array<{ id: string; patch: TicketPatch; bumps: number }>, updatedAt: Date): Promise<void>;
  list(workspaceId: string, filter: TicketFilter, sort: Sorted, page: PageRequest): Promise<TicketView[]>;
  countOpenByAssignee(workspaceId: string, assigneeId: string): Promise<number>;
  /** The inbox views' sizes for one agent, in one pass over the workspace's open and recent tickets. */
  countViews(workspaceId: string, q: { userId: string; teamIds: string[]; recentSince: Date }): Promise<{ mine: number; unassigned: number; myTeams: number; open: number; recent: number }>;
}

export interface MessageRepository {
  insert(message: Omit<Message, 'attachments'>, attachments: Attachment[]): Promise<Message>;
  /** Messages without attachments (rule notes), in one statement. */
  insertMany(messages: Array<Omit<Message, 'attachments'>>): Promise<void>;
  listForTicket(
    workspaceId: string,
    ticketId: string,
    opts: { includeInternal: boolean; limit: number; after?: CursorPosition },
  ): Promise<MessageView[]>;
  /**
   * Move every message of one ticket to another (a merge), with their authors, dates, email
   * headers, attachments and search rows; returns how many moved.
   */
  moveToTicket(workspaceId: string, fromTicketId: string, toTicketId: string): Promise<number>;
}

export interface UserRepository {
  insert(user: User): Promise<User>;
  findById(workspaceId: string, id: string): Promise<User | null>;
  /** Those of `ids` that exist in the workspace, in no particular order. */
  findByIds(workspaceId: string, ids: string[]): Promise<User[]>;
  findByEmail(workspaceId: string, email: string): Promise<User | null>;
  /** `findByEmail` for several addresses in one read: the people found, by lower-cased address. */
  findByEmails(workspaceId: string, emails: string[]): Promise<Map<string, User>>;
  /** Every active account with a password for this address, in every workspace (login). */
  findLoginCandidates(email: string): Promise<Array<{ user: User; workspace: Workspace }>>;
  update(workspaceId: string, id: string, patch: Partial<User>): Promise<User>;
  list(
    workspaceId: string,
    filter: { roles: Role[]; text?: string; teamId?: string; organizationId?: string; status?: User['status'] },
    page: PageRequest,
  ): Promise<User[]>;
  countByRole(workspaceId: string, role: Role, status?: 'active'): Promise<number>;
  skillsOf(workspaceId: string, userIds: string[]): Promise<UserSkill[]>;
  setSkills(workspaceId: string, userId: string, skills: Array<{ skillId: string; proficiency: number }>): Promise<void>;
  teamIdsOf(workspaceId: string, userIds: string[]): Promise<Array<{ userId: string; teamId: string }>>;
}

export interface OrganizationRepository {
  insert(org: Organization): Promise<Organization>;
  findById(workspaceId: string, id: string): Promise<Organization | null>;
  findByDomain(workspaceId: string, domain: string): Promise<Organization | null>;
  update(workspaceId: string, id: string, patch: Partial<Organization>): Promise<Organization>;
  list(workspaceId: string, filter: { text?: string }, page: PageRequest): Promise<Organization[]>;
}

export interface TeamRepository {
  insert(team: Team): Promise<Team>;
  findById(workspaceId: string, id: string): Promise<Team | null>;
  update(workspaceId: string, id: string, patch: Partial<Team>): Promise<Team>;
  delete(workspaceId: string, id: string): Promise<void>;
  list(workspaceId: string, page: PageRequest): Promise<Team[]>;
  membersOf(workspaceId: string, teamIds: string[]): Promise<TeamMember[]>;
  setMembers(workspaceId: string, teamId: string, members: Array<{ userId: string; isLead: boolean }>): Promise<void>;
}

export interface SkillRepository {
  insert(skill: Skill): Promise<Skill>;
  findById(workspaceId: string, id: string): Promise<Skill | null>;
  findByIds(workspaceId: string, ids: string[]): Promise<Skill[]>;
  update(workspaceId: string, id: string, patch: Partial<Skill>): Promise<Skill>;
  delete(workspaceId: string, id: string): Promise<void>;
  list(workspaceId: string, page: PageRequest): Promise<Skill[]>;
}

export interface CustomFieldRepository {
  insert(field: CustomField): Promise<CustomField>;
  findById(workspaceId: string, id: string): Promise<CustomField | null>;
  update(workspaceId: string, id: string, patch: Partial<CustomField>): Promise<CustomField>;
  list(workspaceId: string): Promise<CustomField[]>;
}

export interface EventRepository {
  append(event: NewEvent): Promise<void>;
  /** Several events in one statement, in this order. */
  appendMany(events: NewEvent[]): Promise<void>;
  listForSubject(
    workspaceId: string,
    subjectType: NewEvent['subjectType'],
    subjectId: string,
    page: { limit: number; afterId?: number },
  ): Promise<StoredEvent[]>;
}

export interface AuditRepository {
  append(entry: NewAuditEntry): Promise<void>;
  list(
    workspaceId: string,
    filter: { action?: string; actorId?: string },
    page: { limit: number; beforeId?: number },
  ): Promise<StoredAuditEntry[]>;
}

export interface SessionRepository {
  insert(session: Session): Promise<void>;
  findByHash(tokenHash: string): Promise<Session | null>;
  touch(id: string, lastSeenAt: Date, expiresAt: Date): Promise<void>;
  delete(id: string): Promise<void>;
  /** End every session of a person, but `exceptId` when given (the one that changed the password). */
  deleteForUser(workspaceId: string, userId: string, exceptId?: string): Promise<void>;
  /** Housekeeping: remove sessions that expired before `now`; returns how many. */
  deleteExpired(now: Date): Promise<number>;
}

export interface ApiTokenRepository {
  insert(token: ApiToken): Promise<void>;
  findByHash(tokenHash: string): Promise<ApiToken | null>;
  listForUser(workspaceId: string, userId: string): Promise<ApiToken[]>;
  findById(workspaceId: string, id: string): Promise<ApiToken | null>;
  revoke(workspaceId: string, id: string, at: Date): Promise<void>;
  revokeForUser(workspaceId: string, userId: string, at: Date): Promise<void>;
  touch(id: string, at: Date): Promise<void>;
}

export interface SavedView {
  id: string;
  workspaceId: string;
  ownerId: string;
  name: string;
  query: SavedViewQuery;
  shared: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface SavedViewRepository {
  insert(v: SavedView): Promise<SavedView>;
  findById(workspaceId: string, id: string): Promise<SavedView | null>;
  /** The user's own views and the shared ones, shared first, then by name. */
  listVisible(workspaceId: string, userId: string): Promise<SavedView[]>;
  countOwned(workspaceId: string, userId: string): Promise<number>;
  update(workspaceId: string, id: string, patch: Partial<Pick<SavedView, 'name' | 'query' | 'shared' | 'updatedAt'>>): Promise<SavedView>;
  delete(workspaceId: string, id: string): Promise<void>;
}

export interface PasswordResetToken {
  id: string;
  workspaceId: string;
  userId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  requestedIp: string | null;
}

export interface PasswordResetRepository {
  insert(t: PasswordResetToken): Promise<void>;
  /** How many links this user was sent since `since` (the request rate limit). */
  countSince(workspaceId: string, userId: string, since: Date): Promise<number>;
  /**
   * Use a link: marks it used if it is unused and unexpired at `now`, and returns it; null when
   * there is no such link, or it was used or expired. Atomic: a link works once even when two
   * requests race.
   */
  consume(tokenHash: string, now: Date): Promise<PasswordResetToken | null>;
  /** Retire the user's other outstanding links (after a successful reset). */
  retireForUser(workspaceId: string, userId: string, now: Date): Promise<void>;
}

export interface LoginAttemptRepository {
  record(email: string, ip: string | null, succeeded: boolean, at: Date): Promise<void>;
  failuresSince(email: string, since: Date): Promise<number>;
  /** Housekeeping: forget attempts older than `before`; returns how many. */
  deleteBefore(before: Date): Promise<number>;
}

export interface WorkspaceRepository {
  /** Also prepares the workspace's ticket-number sequence. */
  insert(workspace: Workspace): Promise<Workspace>;
  findById(id: string): Promise<Workspace | null>;
  findBySlug(slug: string): Promise<Workspace | null>;
  /**
   * A value that changes whenever anything of the workspace's configuration changes (its row, SLA
   * policies, calendars, triggers, webhooks, automations, teams, skills, custom fields, categories,
   * routing settings, rules and models), and is never given twice: what was read of the
   * configuration may be kept under it (`shared/config-cache.ts`). '' for no such workspace.
   */
  configVersion(id: string): Promise<string>;
  update(id: string, patch: Partial<Workspace>): Promise<Workspace>;
  /** Replace the logo (null: remove it) and name it on the workspace, in one transaction's worth of statements. */
  setLogo(id: string, logo: { content: Buffer; contentType: string; sha256: string } | null, at: Date): Promise<Workspace>;
  getLogo(id: string): Promise<{ content: Buffer; contentType: string; sha256: string; updatedAt: Date } | null>;
}

export interface Repositories {
  jobs: JobRepository;
  routing: RoutingRepository;
  mailboxes: MailboxRepository;
  inboundEmails: InboundEmailRepository;
  messageEmails: MessageEmailRepository;
  outboundEmails: OutboundEmailRepository;
  blobs: BlobRepository;
  followers: FollowerRepository;
  emailFlags: EmailAddressFlagRepository;
  ticketLinks: TicketLinkRepository;
  tickets: TicketRepository;
  messages: MessageRepository;
  users: UserRepository;
  organizations: OrganizationRepository;
  teams: TeamRepository;
  skills: SkillRepository;
  customFields: CustomFieldRepository;
  events: EventRepository;
  audit: AuditRepository;
  sessions: SessionRepository;
  apiTokens: ApiTokenRepository;
  loginAttempts: LoginAttemptRepository;
  workspaces: WorkspaceRepository;
  businessCalendars: BusinessCalendarRepository;
  slaPolicies: SlaPolicyRepository;
  ticketSla: TicketSlaRepository;
  notifications: NotificationRepository;
  triggers: TriggerRepository;
  passwordResets: PasswordResetRepository;
  savedViews: SavedViewRepository;
  knowledge: KnowledgeRepository;
  search: SearchRepository;
  automations: AutomationRepository;
  webhooks: WebhookRepository;
  macros: MacroRepository;
  staffFollowers: StaffFollowerRepository;
  mentions: MentionRepository;
  ticketCategories: TicketCategoryRepository;
  portal: PortalRepository;
  contentGaps: ContentGapRepository;
}

export interface Store extends Repositories {
  /** Run `work` in one transaction; everything it writes commits together or not at all. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
}

export type { TicketStatus };

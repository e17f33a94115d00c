import type { Channel, TicketPriority } from '@guichet/contracts';
import type { RoutingMode } from './scoring.ts';

export interface RoutingSettings {
  workspaceId: string;
  /** Off: tickets are still triaged (team and explanation) but nobody is assigned automatically. */
  autoAssign: boolean;
  /** Below this team confidence the ticket goes to the triage queue. */
  minConfidence: number;
  /** The custom field (select) that holds the request's category, when the workspace uses one. */
  categoryField: string | null;
  trainingWindowDays: number;
  updatedAt: Date;
}

export interface RuleConditions {
  /** Any of these words or phrases in the subject or body (case and accents ignored). */
  keywords?: string[];
  /** The requester's address ends with one of these domains. */
  senderDomains?: string[];
  channels?: Channel[];
  /** The category custom field has this value (form category). */
  category?: string;
}

export interface RoutingRule {
  id: string;
  workspaceId: string;
  name: string;
  position: number;
  enabled: boolean;
  conditions: RuleConditions;
  teamId: string;
  priority: TicketPriority | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TeamRouting {
  teamId: string;
  workspaceId: string;
  mode: RoutingMode;
  /** The declared skill that matters for this team's tickets (proficiency is scored). */
  skillId: string | null;
  /** When the assignee goes offline or out of office: true = hand their waiting tickets to others, false = only propose it (an event). */
  reassignWhenAway: boolean;
  /** Tickets waiting longer than this in the queue move to the overflow team. */
  overflowTeamId: string | null;
  overflowAfterMinutes: number | null;
  updatedAt: Date;
}

export type AvailabilityStatus = 'online' | 'away' | 'offline';

/** Weekly working hours in the agent's own time zone; days 1 (Monday) to 7 (Sunday). */
export interface WorkingHours {
  days: number[];
  start: string;
  end: string;
}

export interface AgentAvailability {
  userId: string;
  workspaceId: string;
  status: AvailabilityStatus;
  outOfOfficeUntil: Date | null;
  /** Null: no hours set, available whenever online. */
  workingHours: WorkingHours | null;
  lastAssignedAt: Date | null;
  updatedAt: Date;
}

export type RoutingState = 'assigned' | 'queued' | 'triage' | 'manual' | 'skipped' | 'triaged';

export interface TicketRouting {
  ticketId: string;
  workspaceId: string;
  state: RoutingState;
  teamId: string | null;
  teamSource: 'model' | 'rule' | 'given' | 'triage' | null;
  confidence: number | null;
  predictions: Record<string, unknown>;
  assigneeId: string | null;
  firstAssigneeId: string | null;
  ruleId: string | null;
  modelVersion: number | null;
  explanationEn: string;
  explanationFr: string;
  queuedAt: Date | null;
  decidedAt: Date;
}

export interface StoredModel {
  id: string;
  workspaceId: string;
  version: number;
  status: 'active' | 'retired' | 'rejected';
  metrics: Record<string, unknown>;
  validation: Record<string, unknown>;
  windowFrom: Date | null;
  windowTo: Date | null;
  examples: number;
  createdAt: Date;
  activatedAt: Date | null;
}

/** A resolved ticket as training data. */
export interface TrainingTicket {
  id: string;
  createdAt: Date;
  subject: string;
  body: string;
  teamId: string | null;
  priority: TicketPriority;
  category: string | null;
  assigneeId: string | null;
  /** The first agent routing gave it, when routing did. */
  firstAssigneeId: string | null;
  reopened: boolean;
}

export interface CandidateRow {
  userId: string;
  name: string;
  role: string;
  languages: string[];
  capacity: number | null;
  status: AvailabilityStatus;
  outOfOfficeUntil: Date | null;
  workingHours: WorkingHours | null;
  timeZone: string;
  lastAssignedAt: Date | null;
  open: number;
  proficiency: number | null;
  solvedSimilar: number;
}

export interface RoutingRepository {
  settings(workspaceId: string): Promise<RoutingSettings | null>;
  saveSettings(s: RoutingSettings): Promise<RoutingSettings>;

  activeModel(workspaceId: string): Promise<(StoredModel & { model: Uint8Array }) | null>;
  /** Id and version of the active model only (cheap: to check a cached copy is current). */
  activeModelVersion(workspaceId: string): Promise<{ id: string; version: number } | null>;
  insertModel(m: StoredModel & { model: Uint8Array }): Promise<void>;
  /** Retire the active model (if any) and make this one active. */
  activateModel(workspaceId: string, id: string, at: Date): Promise<void>;
  listModels(workspaceId: string, limit: number): Promise<StoredModel[]>;
  nextModelVersion(workspaceId: string): Promise<number>;

  rules(workspaceId: string): Promise<RoutingRule[]>;
  findRule(workspaceId: string, id: string): Promise<RoutingRule | null>;
  insertRule(r: RoutingRule): Promise<RoutingRule>;
  updateRule(workspaceId: string, id: string, patch: Partial<RoutingRule>): Promise<RoutingRule>;
  deleteRule(workspaceId: string, id: string): Promise<void>;

  teamRouting(workspaceId: string, teamId: string): Promise<TeamRouting | null>;
  saveTeamRouting(t: TeamRouting): Promise<TeamRouting>;

  availability(workspaceId: string, userId: string): Promise<AgentAvailability | null>;
  saveAvailability(a: AgentAvailability): Promise<AgentAvailability>;

  /**
   * The team's assignable members (active agents and admins) with availability, open tickets and
   * declared proficiency in `skillId`, their availability rows locked FOR UPDATE in id order, so two
   * assignments to the same team never count the same free seat twice.
   */
  lockCandidates(workspaceId: string, teamId: string, skillId: string | null, similar: { since: Date }, now: Date): Promise<CandidateRow[]>;
  markAssigned(workspaceId: string, userId: string, at: Date): Promise<void>;

  findTicketRouting(workspaceId: string, ticketId: string): Promise<TicketRouting | null>;
  /** What a routing decision reads of its ticket, in one statement: the decision so far, the first message's text, the requester's address. */
  routingInput(workspaceId: string, ticketId: string, requesterId: string): Promise<RoutingInput>;
  saveTicketRouting(r: TicketRouting): Promise<void>;
  /** Oldest queued tickets of a team first. */
  queued(workspaceId: string, teamId: string, limit: number): Promise<TicketRouting[]>;
  /** Teams with queued tickets. */
  teamsWithQueue(workspaceId: string): Promise<string[]>;
  triageQueue(workspaceId: string, limit: number, before?: Date): Promise<TicketRouting[]>;

  /** Workspaces with tickets waiting in a team queue / with routing settings (for the schedules). */
  workspacesWithQueue(): Promise<string[]>;
  workspacesWithRouting(): Promise<string[]>;

  /** Resolved tickets created since `since`, oldest first, at most `limit`. */
  trainingTickets(workspaceId: string, since: Date, categoryField: string | null, limit: number): Promise<TrainingTicket[]>;
}

export interface RoutingInput {
  before: TicketRouting | null;
  firstBody: string | null;
  requesterEmail: string | null;
}

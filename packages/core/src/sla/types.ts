import type { Channel, TicketPriority, TicketStatus } from '@guichet/contracts';
import type { CalendarDefinition, Holiday, SpecialDay, WeeklySchedule } from './calendar.ts';

export interface BusinessCalendarRecord extends CalendarDefinition {
  id: string;
  workspaceId: string;
  name: string;
  /** The team this calendar belongs to; null for a workspace calendar. */
  teamId: string | null;
  /** The workspace's default calendar (one at most). */
  isDefault: boolean;
  weekly: WeeklySchedule;
  holidays: Holiday[];
  specialDays: SpecialDay[];
  createdAt: Date;
  updatedAt: Date;
}

export const SLA_TARGETS = ['first_response', 'next_response', 'periodic_update', 'resolution'] as const;
export type SlaTargetKind = (typeof SLA_TARGETS)[number];

export interface SlaTarget {
  minutes: number;
  /** Counted in the calendar's business hours (true) or round the clock (false). */
  businessHours: boolean;
}

/** A warning before a deadline: `minutesBefore` of business time, or once `share` of the target has elapsed. */
export type SlaWarning = { minutesBefore: number } | { share: number };

export interface CustomFieldCondition {
  key: string;
  /** Matches when the ticket's value is one of these (for a multiselect: any of its values). */
  values: Array<string | number | boolean>;
}

/** Every given condition must hold; an absent one holds for every ticket. */
export interface SlaConditions {
  priorities?: TicketPriority[] | undefined;
  channels?: Channel[] | undefined;
  /** `null` in the list matches tickets without a team. */
  teamIds?: Array<string | null> | undefined;
  organizationIds?: Array<string | null> | undefined;
  /** At least one of these tags. */
  tagsAny?: string[] | undefined;
  /** None of these tags. */
  tagsNone?: string[] | undefined;
  customFields?: CustomFieldCondition[] | undefined;
}

export interface SlaPolicy {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  /** Policies are tried in this order; the first that matches applies. */
  position: number;
  enabled: boolean;
  conditions: SlaConditions;
  /** The calendar for business hours; null: the ticket team's calendar, else the workspace default. */
  calendarId: string | null;
  targets: Partial<Record<SlaTargetKind, SlaTarget>>;
  /** Statuses in which every clock stops (and resumes when the ticket leaves them). */
  pauseStatuses: TicketStatus[];
  warnings: SlaWarning[];
  createdAt: Date;
  updatedAt: Date;
}

export type SlaClockStatus = 'running' | 'paused' | 'met' | 'breached';

/** One measured target of one ticket. Times are ISO strings (the state is stored as JSON). */
export interface SlaClock {
  kind: SlaTargetKind;
  /** When this measurement started (creation, the customer's message, the last update…). */
  startedAt: string;
  /** Measured time (business or calendar, as the target says) before `since`. */
  elapsedMs: number;
  /** Running since; null when paused or finished. */
  since: string | null;
  /** The target in force (minutes), null when the policy sets none for this kind. */
  targetMinutes: number | null;
  businessHours: boolean;
  /** When the target is due while running; null when paused, finished or without target. */
  deadline: string | null;
  /** The deadline that passed, once the breach is recorded. */
  breachedAt: string | null;
  fulfilledAt: string | null;
  /** Warnings already recorded for this measurement (their index in the policy's list). */
  warned: number[];
}

export interface TicketSlaState {
  policyId: string | null;
  calendarId: string | null;
  paused: boolean;
  clocks: Partial<Record<SlaTargetKind, SlaClock>>;
}

/**
 * What a list needs to filter and sort tickets by SLA without reading the clocks: stored beside
 * them (ticket_sla.due_at, warn_at, paused) and compared with the time of the query.
 * - `dueAt`: the earliest deadline of the open targets, or the deadline an open target already
 *   missed (kept while paused); null when no open target has one.
 * - `warnAt`: the earliest warning moment of the running targets not yet missed.
 * - `paused`: the clocks are stopped while some target is still open.
 */
export interface SlaSummary {
  dueAt: Date | null;
  warnAt: Date | null;
  paused: boolean;
}

export interface TicketSlaRow {
  workspaceId: string;
  ticketId: string;
  state: TicketSlaState;
  /** The earliest moment the scheduler must look at this ticket again (warning or deadline). */
  nextDueAt: Date | null;
  summary: SlaSummary;
  updatedAt: Date;
}

export interface BusinessCalendarRepository {
  insert(c: BusinessCalendarRecord): Promise<BusinessCalendarRecord>;
  findById(workspaceId: string, id: string): Promise<BusinessCalendarRecord | null>;
  findByIds(workspaceId: string, ids: string[]): Promise<BusinessCalendarRecord[]>;
  update(workspaceId: string, id: string, patch: Partial<BusinessCalendarRecord>): Promise<BusinessCalendarRecord>;
  delete(workspaceId: string, id: string): Promise<void>;
  list(workspaceId: string): Promise<BusinessCalendarRecord[]>;
  /** The calendar of a team, and the workspace default, when they exist. */
  forTicket(workspaceId: string, teamId: string | null): Promise<{ team: BusinessCalendarRecord | null; workspace: BusinessCalendarRecord | null }>;
  /** Make `id` the only default calendar of the workspace (null: none). */
  setDefault(workspaceId: string, id: string | null): Promise<void>;
}

export interface SlaPolicyRepository {
  insert(p: SlaPolicy): Promise<SlaPolicy>;
  findById(workspaceId: string, id: string): Promise<SlaPolicy | null>;
  update(workspaceId: string, id: string, patch: Partial<SlaPolicy>): Promise<SlaPolicy>;
  delete(workspaceId: string, id: string): Promise<void>;
  /** Ordered by position. */
  list(workspaceId: string, opts?: { enabledOnly?: boolean }): Promise<SlaPolicy[]>;
  /** Whether the workspace has any enabled policy (ticket creation skips the SLA work otherwise). */
  anyEnabled(workspaceId: string): Promise<boolean>;
}

export interface TicketSlaRepository {
  find(workspaceId: string, ticketId: string, opts?: { lock?: boolean }): Promise<TicketSlaRow | null>;
  upsert(row: TicketSlaRow): Promise<void>;
  /** Several rows (distinct tickets) in one statement. */
  upsertMany(rows: TicketSlaRow[]): Promise<void>;
  /** Rows due at `now` across workspaces, locked and skipped by other sweepers (SKIP LOCKED). */
  claimDue(now: Date, limit: number): Promise<TicketSlaRow[]>;
  /** Open-clock rows using a calendar (directly or as a fallback), a page at a time by ticket id. */
  listForRecompute(workspaceId: string, afterTicketId: string | null, limit: number): Promise<TicketSlaRow[]>;
}

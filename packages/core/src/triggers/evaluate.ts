/**
 * Triggers: ordered rules run on ticket events (created, updated, message added, SLA warning or
 * breach). Pure part: does a trigger match the facts of an event, and what would its actions
 * change. Each trigger sees the ticket as the triggers before it left it; one that matches and
 * says `stop` ends the run.
 */
import type { TicketPriority, TicketStatus } from '@guichet/contracts';
import type { Ticket, TicketPatch } from '../tickets/types.ts';
import { normalizeTags } from '../tickets/rules.ts';

export const TRIGGER_EVENTS = ['ticket.created', 'ticket.updated', 'message.added', 'sla.warning', 'sla.breached'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export const CONDITION_OPS = ['is', 'is_not', 'in', 'not_in', 'contains', 'not_contains', 'present', 'absent', 'changed', 'changed_to', 'gt', 'lt'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export interface TriggerCondition {
  /** A fact name: see `factsOf` (ticket.status, requester.domain, message.body, time.business_hours…). */
  field: string;
  op: ConditionOp;
  value?: unknown;
}

export type TriggerAction =
  | { type: 'set_status'; value: Exclude<TicketStatus, 'new'> }
  | { type: 'set_priority'; value: TicketPriority }
  | { type: 'set_team'; teamId: string | null }
  | { type: 'assign'; userId: string | null }
  | { type: 'add_tags'; tags: string[] }
  | { type: 'remove_tags'; tags: string[] }
  | { type: 'set_custom_field'; key: string; value: unknown }
  | { type: 'add_note'; body: string }
  /** A public message to the customer (sent by email when the workspace has a mailbox). */
  | { type: 'reply'; body: string }
  | { type: 'notify'; to: 'assignee' | 'team_leads' | 'admins'; title: string; body: string };

export interface Trigger {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  position: number;
  enabled: boolean;
  events: TriggerEvent[];
  /** Every condition of `all`, and at least one of `any` when it is not empty. */
  conditions: { all: TriggerCondition[]; any: TriggerCondition[] };
  actions: TriggerAction[];
  /** When it fires, the triggers after it do not run for this event. */
  stop: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface TriggerRepository {
  insert(t: Trigger): Promise<Trigger>;
  findById(workspaceId: string, id: string): Promise<Trigger | null>;
  update(workspaceId: string, id: string, patch: Partial<Trigger>): Promise<Trigger>;
  delete(workspaceId: string, id: string): Promise<void>;
  /** Ordered by position. */
  list(workspaceId: string, opts?: { enabledOnly?: boolean }): Promise<Trigger[]>;
  anyEnabled(workspaceId: string): Promise<boolean>;
  /** Changes whenever any trigger or webhook of the workspace changes (what a cache of them checks). */
  rulesFingerprint(workspaceId: string): Promise<string>;
  /** `rulesFingerprint` and, in the same read, the facts an event's conditions may name. */
  eventFacts(workspaceId: string, q: { requesterId: string; organizationId: string | null; teamId: string | null }): Promise<EventFacts>;
}

export interface EventFacts {
  fingerprint: string;
  requester: TriggerContext['requester'];
  organization: TriggerContext['organization'];
  /** The calendar the ticket's team uses (its own, else the workspace default): which one, and its last change. */
  calendar: { id: string; updatedAt: Date } | null;
}

/** What conditions can look at, for one event. */
export interface TriggerContext {
  event: TriggerEvent;
  ticket: Ticket;
  /** The ticket before the change (updates and messages). */
  before: Ticket | null;
  requester: { email: string | null; organizationId: string | null; name: string } | null;
  organization: { name: string } | null;
  message: { body: string; visibility: 'public' | 'internal'; byStaff: boolean; channel: string } | null;
  sla: { target: string } | null;
  /** Whether the ticket's business calendar is open now, and the local weekday (0 Sunday) and hour; null without calendar. */
  time: { businessHours: boolean; weekday: number; hour: number } | null;
}

export function factsOf(c: TriggerContext): Record<string, unknown> {
  const t = c.ticket;
  const facts: Record<string, unknown> = {
    'event.type': c.event,
    'ticket.status': t.status,
    'ticket.priority': t.priority,
    'ticket.channel': t.channel,
    'ticket.subject': t.subject,
    'ticket.team_id': t.teamId,
    'ticket.assignee_id': t.assigneeId,
    'ticket.organization_id': t.organizationId,
    'ticket.tags': t.tags,
    'ticket.language': t.language,
    'requester.email': c.requester?.email ?? null,
    'requester.domain': c.requester?.email?.split('@')[1] ?? null,
    'requester.name': c.requester?.name ?? null,
    'organization.name': c.organization?.name ?? null,
    'message.body': c.message?.body ?? null,
    'message.visibility': c.message?.visibility ?? null,
    'message.author': c.message ? (c.message.byStaff ? 'staff' : 'customer') : null,
    'message.channel': c.message?.channel ?? null,
    'sla.target': c.sla?.target ?? null,
    'time.business_hours': c.time?.businessHours ?? null,
    'time.weekday': c.time?.weekday ?? null,
    'time.hour': c.time?.hour ?? null,
  };
  for (const [k, v] of Object.entries(t.customFields)) facts[`ticket.custom_fields.${k}`] = v;
  return facts;
}

const FIELD = /^(event\.type|ticket\.(status|priority|channel|subject|team_id|assignee_id|organization_id|tags|language|custom_fields\.[a-z0-9_]{1,64})|requester\.(email|domain|name)|organization\.name|message\.(body|visibility|author|channel)|sla\.target|time\.(business_hours|weekday|hour))$/;

export const isTriggerField = (f: string): boolean => FIELD.test(f);

const BEFORE_FIELD: Record<string, keyof Ticket> = {
  'ticket.status': 'status',
  'ticket.priority': 'priority',
  'ticket.team_id': 'teamId',
  'ticket.assignee_id': 'assigneeId',
  'ticket.tags': 'tags',
  'ticket.subject': 'subject',
  'ticket.channel': 'channel',
};

const norm = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
const same = (a: unknown, b: unknown) => JSON.stringify(norm(a)) === JSON.stringify(norm(b));

function previous(c: TriggerContext, field: string): unknown {
  if (!c.before) return undefined;
  if (field.startsWith('ticket.custom_fields.')) return c.before.customFields[field.slice('ticket.custom_fields.'.length)];
  const k = BEFORE_FIELD[field];
  return k ? c.before[k] : undefined;
}

export function conditionHolds(cond: TriggerCondition, c: TriggerContext, facts: Record<string, unknown>): boolean {
  const v = facts[cond.field] ?? null;
  const list = Array.isArray(cond.value) ? cond.value : [cond.value];
  switch (cond.op) {
    case 'is':
      return Array.isArray(v) ? v.some((x) => same(x, cond.value)) : same(v, cond.value);
    case 'is_not':
      return !(Array.isArray(v) ? v.some((x) => same(x, cond.value)) : same(v, cond.value));
    case 'in':
      return Array.isArray(v) ? v.some((x) => list.some((y) => same(x, y))) : list.some((y) => same(v, y));
    case 'not_in':
      return !(Array.isArray(v) ? v.some((x) => list.some((y) => same(x, y))) : list.some((y) => same(v, y)));
    case 'contains':
      return typeof v === 'string' && typeof cond.value === 'string' && v.toLowerCase().includes(cond.value.toLowerCase());
    case 'not_contains':
      return !(typeof v === 'string' && typeof cond.value === 'string' && v.toLowerCase().includes(cond.value.toLowerCase()));
    case 'present':
      return v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
    case 'absent':
      return v === null || v === '' || (Array.isArray(v) && v.length === 0);
    case 'changed':
      return c.before !== null && !same(previous(c, cond.field) ?? null, v);
    case 'changed_to':
      return c.before !== null && !same(previous(c, cond.field) ?? null, v) && same(v, cond.value);
    case 'gt':
      return typeof v === 'number' && typeof cond.value === 'number' && v > cond.value;
    case 'lt':
      return typeof v === 'number' && typeof cond.value === 'number' && v < cond.value;
  }
}

/** `facts`: `factsOf(c)`, when the caller keeps them for many triggers. */
export function triggerMatches(t: Trigger, c: TriggerContext, facts?: Record<string, unknown>): boolean {
  if (!t.events.includes(c.event)) return false;
  facts ??= factsOf(c);
  if (!t.conditions.all.every((x) => conditionHolds(x, c, facts))) return false;
  return t.conditions.any.length === 0 || t.conditions.any.some((x) => conditionHolds(x, c, facts));
}

/** The field changes of a trigger's actions on `ticket` (notes and notifications are done apart). */
export function patchOf(actions: TriggerAction[], ticket: Ticket): TicketPatch {
  const patch: TicketPatch = {};
  let tags = ticket.tags;
  for (const a of actions) {
    if (a.type === 'set_status') patch.status = a.value;
    else if (a.type === 'set_priority') patch.priority = a.value;
    else if (a.type === 'set_team') patch.teamId = a.teamId;
    else if (a.type === 'assign') patch.assigneeId = a.userId;
    else if (a.type === 'add_tags') tags = normalizeTags([...tags, ...a.tags]);
    else if (a.type === 'remove_tags') {
      const drop = new Set(normalizeTags(a.tags));
      tags = tags.filter((x) => !drop.has(x));
    } else if (a.type === 'set_custom_field') patch.customFields = { ...(patch.customFields ?? ticket.customFields), [a.key]: a.value };
  }
  if (tags !== ticket.tags) patch.tags = tags.slice(0, 50);
  return patch;
}

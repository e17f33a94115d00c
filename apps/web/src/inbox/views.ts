/** The built-in inbox views: each is a ticket query, counted by GET /tickets/counts. */
import type { SavedViewOut, SavedViewQuery, SlaState, TicketQuery, ViewCounts } from '../api.ts';
import type { MessageKey } from '../i18n.ts';

export const OPEN_STATUSES = ['new', 'open', 'pending', 'on_hold'] as const;

export interface ViewDef {
  id: string;
  label: MessageKey;
  /** A saved view's own name (built-in views are translated through `label`). */
  title?: string;
  countKey: keyof ViewCounts | null;
  query: TicketQuery;
}

export const VIEWS: ViewDef[] = [
  { id: 'mine', label: 'view.mine', countKey: 'mine', query: { assigneeId: 'me', status: [...OPEN_STATUSES], sort: 'updated_at' } },
  { id: 'unassigned', label: 'view.unassigned', countKey: 'unassigned', query: { assigneeId: 'none', status: [...OPEN_STATUSES], sort: 'created_at', order: 'asc' } },
  { id: 'my-teams', label: 'view.myTeams', countKey: 'myTeams', query: { teamId: 'mine', status: [...OPEN_STATUSES], sort: 'updated_at' } },
  { id: 'open', label: 'view.open', countKey: 'open', query: { status: [...OPEN_STATUSES], sort: 'updated_at' } },
  { id: 'recent', label: 'view.recent', countKey: 'recent', query: { sort: 'updated_at' } },
  { id: 'all', label: 'view.all', countKey: null, query: { sort: 'created_at' } },
];

/** Saved views are addressed as `/views/s-<id>`. */
export const SAVED_PREFIX = 's-';

export function savedViewDef(v: SavedViewOut): ViewDef {
  return { id: SAVED_PREFIX + v.id, label: 'view.saved', title: v.name, countKey: null, query: { ...(v.query as TicketQuery) } };
}

export function viewById(id: string, saved: SavedViewOut[] = []): ViewDef {
  if (id.startsWith(SAVED_PREFIX)) {
    const v = saved.find((s) => SAVED_PREFIX + s.id === id);
    if (v) return savedViewDef(v);
  }
  return VIEWS.find((v) => v.id === id) ?? VIEWS[0]!;
}

/** The query a view with these filters stands for, as a saved view stores it. */
export function savedQueryOf(view: ViewDef, f: Filters): SavedViewQuery {
  const { updatedAfter: _drop, ...q } = queryFor(view, f);
  return q as SavedViewQuery;
}

/** What the filter bar adds on top of a view. Empty means "as the view says". */
export interface Filters {
  q: string;
  status: string[];
  priority: string[];
  teamId: string;
  assigneeId: string;
  channel: string[];
  language: string;
  tag: string;
  sla: string[];
  sort: '' | 'updated_at' | 'created_at' | 'created_at_asc' | 'priority' | 'number' | 'sla_due_at';
}

export const NO_FILTERS: Filters = { q: '', status: [], priority: [], teamId: '', assigneeId: '', channel: [], language: '', tag: '', sla: [], sort: '' };

/** The SLA filter's choices: "at risk" stands for breached or warning. */
export const SLA_FILTERS: Record<string, SlaState[]> = {
  at_risk: ['breached', 'warning'],
  breached: ['breached'],
  warning: ['warning'],
  ok: ['ok'],
  paused: ['paused'],
  none: ['none'],
};

export function queryFor(view: ViewDef, f: Filters): TicketQuery {
  const q: TicketQuery = { ...view.query };
  // "Recently updated" means the last 24 hours, as its count does (GET /tickets/counts).
  if (view.id === 'recent') q.updatedAfter = new Date(Date.now() - 24 * 3_600_000).toISOString();
  if (f.q.trim()) q.q = f.q.trim();
  if (f.status.length) q.status = f.status as TicketQuery['status'];
  if (f.priority.length) q.priority = f.priority as TicketQuery['priority'];
  if (f.teamId) q.teamId = f.teamId;
  if (f.assigneeId) q.assigneeId = f.assigneeId;
  if (f.channel.length) q.channel = f.channel;
  if (f.language) q.language = f.language;
  if (f.tag.trim()) q.tag = [f.tag.trim().toLowerCase()];
  if (f.sla.length) q.sla = f.sla as SlaState[];
  if (f.sort === 'sla_due_at') {
    // The closest deadline first (the overdue ones, most overdue first).
    q.sort = 'sla_due_at';
    q.order = 'asc';
  } else if (f.sort === 'created_at_asc') {
    q.sort = 'created_at';
    q.order = 'asc';
  } else if (f.sort) {
    q.sort = f.sort;
    q.order = 'desc';
  }
  return q;
}

export function filtersActive(f: Filters): boolean {
  return JSON.stringify(f) !== JSON.stringify(NO_FILTERS);
}

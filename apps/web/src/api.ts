/**
 * The app's typed API client: thin wrappers over fetch for the endpoints the app uses, typed by
 * `@guichet/contracts` (types only, so no schema library reaches the bundle). Every failure
 * becomes an ApiError carrying the stable error code; a 401 also tells the session listener, so
 * the app can show the sign-in screen without losing what the agent was typing.
 */
import type {
  CustomFieldOut,
  CustomerOut,
  ErrorBody,
  ErrorCode,
  EventOut,
  MeOut,
  MessageOut,
  OrganizationOut,
  Page,
  SavedViewOut,
  SavedViewQuery,
  TeamOut,
  TicketOut,
  TicketPriority,
  TicketSlaOut,
  TicketStatus,
  SlaState,
  UserOut,
  MacroOut,
  MacroPreviewOut,
  TicketFollowOut,
  UploadOut,
  MergeTicketOut,
} from '@guichet/contracts';

export type { SavedViewOut, SavedViewQuery, UploadOut };

/** The server's limits on files of a reply or note, the contracts' own numbers. */
export { MESSAGE_MAX_FILES, UPLOAD_MAX_BYTES } from '@guichet/contracts/limits';

/** A file's bytes as base64 (what the upload endpoint takes). */
function base64Of(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error('unreadable file'));
    r.readAsDataURL(file);
  });
}

/** Upload one file for a ticket's next message, telling the fraction sent as it goes (XHR: fetch cannot). */
export async function uploadFile(ticketId: string, file: File, onProgress: (fraction: number) => void): Promise<UploadOut> {
  const body = JSON.stringify({ filename: file.name, contentBase64: await base64Of(file) });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${BASE}/tickets/${ticketId}/uploads`);
    xhr.setRequestHeader('content-type', 'application/json');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'network error'));
    xhr.onload = () => {
      let json: unknown = null;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(json as UploadOut);
      const err = (json as ErrorBody | null)?.error;
      if (xhr.status === 401) for (const l of unauthenticatedListeners) l();
      reject(new ApiError(xhr.status, err?.code ?? 'INTERNAL', err?.message ?? `HTTP ${xhr.status}`, err?.details));
    };
    xhr.send(body);
  });
}
export type { SlaState, TicketSlaOut };
export type { CustomFieldOut, CustomerOut, EventOut, MeOut, MessageOut, OrganizationOut, Page, TeamOut, TicketOut, TicketPriority, TicketStatus, UserOut };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();
/** Called whenever the server answers 401 to a signed-in request (session ended or expired). */
export function onUnauthenticated(l: Listener): () => void {
  unauthenticatedListeners.add(l);
  return () => unauthenticatedListeners.delete(l);
}

const BASE = '/api/v1';

export async function request<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(BASE + path, {
      method,
      credentials: 'same-origin',
      headers: body !== undefined ? { 'content-type': 'application/json', accept: 'application/json' } : { accept: 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : String(e));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: handled below */
  }
  if (!res.ok) {
    const err = (json as ErrorBody | null)?.error;
    if (res.status === 401 && !opts.quiet401) for (const l of unauthenticatedListeners) l();
    throw new ApiError(res.status, err?.code ?? 'INTERNAL', err?.message ?? `HTTP ${res.status}`, err?.details);
  }
  return json as T;
}

function qs(params: Record<string, string | number | undefined | null | string[]>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) u.set(k, v.join(','));
    } else u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

export interface TicketQuery {
  q?: string;
  status?: TicketStatus[];
  priority?: TicketPriority[];
  channel?: string[];
  assigneeId?: string;
  teamId?: string;
  tag?: string[];
  language?: string;
  requesterId?: string;
  organizationId?: string;
  updatedAfter?: string;
  sla?: SlaState[];
  sort?: 'created_at' | 'updated_at' | 'number' | 'priority' | 'sla_due_at';
  order?: 'asc' | 'desc';
}

export interface TicketPatch {
  status?: TicketStatus;
  priority?: TicketPriority;
  assigneeId?: string | null;
  teamId?: string | null;
  tags?: string[];
  addTags?: string[];
  removeTags?: string[];
  customFields?: Record<string, unknown>;
  version?: number;
}

export interface ViewCounts {
  mine: number;
  unassigned: number;
  myTeams: number;
  open: number;
  recent: number;
}

/** Every page of a list (the small ones: users, teams, custom fields). */
async function all<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: Page<T> = await request('GET', `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < 5000);
  return out;
}

export const api = {
  me: () => request<MeOut>('GET', '/auth/me', undefined, { quiet401: true }),
  login: (email: string, password: string, workspace?: string) =>
    request<MeOut>('POST', '/auth/login', { email, password, ...(workspace ? { workspace } : {}) }, { quiet401: true }),
  logout: () => request<void>('POST', '/auth/logout', undefined, { quiet401: true }),
  requestPasswordReset: (email: string, workspace?: string) =>
    request<void>('POST', '/auth/password-reset', { email, ...(workspace ? { workspace } : {}) }, { quiet401: true }),
  confirmPasswordReset: (token: string, password: string) =>
    request<void>('POST', '/auth/password-reset/confirm', { token, password }, { quiet401: true }),
  /** What each person sets for themselves (My account, the language switch, the bell's email choice); role, status, address and capacity are the admins'. */
  updateMe: (userId: string, patch: { name?: string; locale?: string; timeZone?: string; languages?: string[]; emailNotifications?: boolean }) =>
    request<UserOut>('PATCH', `/users/${userId}`, patch),
  changePassword: (current: string, password: string) => request<void>('POST', '/auth/password', { current, password }),

  tickets: (q: TicketQuery, cursor: string | null, limit = 100) =>
    request<Page<TicketOut>>('GET', `/tickets${qs({ ...q, limit, cursor })}`),
  counts: () => request<ViewCounts>('GET', '/tickets/counts'),
  ticket: (ref: string | number) => request<TicketOut>('GET', `/tickets/${ref}`),
  ticketSla: (id: string) => request<TicketSlaOut>('GET', `/tickets/${id}/sla`),
  updateTicket: (id: string, patch: TicketPatch) => request<TicketOut>('PATCH', `/tickets/${id}`, patch),
  mergeTicket: (id: string, into: string, allowDifferentRequesters: boolean) =>
    request<MergeTicketOut>('POST', `/tickets/${id}/merge`, { into, allowDifferentRequesters }),
  messages: (id: string) => all<MessageOut>(`/tickets/${id}/messages`),
  events: (id: string) => all<EventOut>(`/tickets/${id}/events`),
  addMessage: (id: string, input: { body: string; format?: 'text' | 'markdown'; visibility: 'public' | 'internal'; status?: TicketStatus; attachments?: Array<{ sha256: string; filename: string }> }) =>
    request<MessageOut>('POST', `/tickets/${id}/messages`, input),
  uploadFile,

  savedViews: () => request<{ items: SavedViewOut[] }>('GET', '/views').then((r) => r.items),
  createView: (name: string, query: SavedViewQuery, shared: boolean) => request<SavedViewOut>('POST', '/views', { name, query, shared }),
  deleteView: (id: string) => request<void>('DELETE', `/views/${id}`),

  users: () => all<UserOut>('/users'),
  teams: () => all<TeamOut>('/teams'),
  customFields: () => all<CustomFieldOut>('/custom-fields'),
  customer: (id: string) => request<CustomerOut>('GET', `/customers/${id}`),
  /** Customers whose address or name matches `q` (the new-ticket form's suggestions). */
  findCustomers: (q: string) => request<Page<CustomerOut>>('GET', `/customers${qs({ q, limit: 8 })}`),
  /** A ticket written by support (the new-ticket form); `emailRequester` mails its first message. */
  createTicket: (input: {
    subject: string;
    body: string;
    format: 'markdown';
    channel: string;
    requester: { email: string; name?: string };
    firstMessageVisibility: 'public' | 'internal';
    emailRequester: boolean;
    priority?: TicketPriority;
    teamId?: string;
    assigneeId?: string;
    tags?: string[];
  }) => request<TicketOut>('POST', '/tickets', input),
  organization: (id: string) => request<OrganizationOut>('GET', `/organizations/${id}`),

  // ---- collaboration: macros, following, notifications ----
  macros: (q?: string) => request<{ items: MacroOut[] }>('GET', `/macros${qs({ q })}`).then((r) => r.items),
  previewMacro: (ticketId: string, macroId: string) => request<MacroPreviewOut>('POST', `/tickets/${ticketId}/macros/${macroId}/preview`, {}),
  applyMacro: (ticketId: string, macroId: string) => request<{ macroId: string; usageCount: number }>('POST', `/tickets/${ticketId}/macros/${macroId}/apply`, {}),
  follow: (ticketId: string) => request<TicketFollowOut>('GET', `/tickets/${ticketId}/follow`),
  setFollow: (ticketId: string, on: boolean) =>
    on ? request<TicketFollowOut>('PUT', `/tickets/${ticketId}/follow`, {}) : request<void>('DELETE', `/tickets/${ticketId}/follow`).then(() => api.follow(ticketId)),
  notifications: (cursor: string | null) => request<Page<NotificationItem>>('GET', `/notifications${qs({ limit: 30, cursor })}`),
  notificationCount: () => request<{ unread: number }>('GET', '/notifications/count').then((r) => r.unread),
  markNotificationsRead: (ids: string[]) => request<{ updated: number }>('POST', '/notifications/read', { ids }),
  markAllNotificationsRead: () => request<{ updated: number }>('POST', '/notifications/all/read', {}),
  user: (id: string) => request<UserOut>('GET', `/users/${id}`),
};

export interface NotificationItem {
  id: string;
  kind: string;
  ticketId: string | null;
  title: string;
  body: string;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}
export type { MacroOut, MacroPreviewOut, TicketFollowOut };

export function attachmentUrl(ticketId: string, messageId: string, attachmentId: string): string {
  return `${BASE}/tickets/${ticketId}/messages/${messageId}/attachments/${attachmentId}`;
}

// For the admin screens' client (admin/adminApi.ts), which builds on the same request helpers.
export { all as allPages, qs as queryString };

/**
 * Requests from the customer portal. A signed-in customer's request is theirs at once. An
 * anonymous visitor's request is created at once too (agents see it, tagged `portal-unconfirmed`,
 * so a flood of fake requests is easy to spot and nobody waits for a click to start working), but
 * it appears in the visitor's portal only once they confirmed their address through the mailed
 * link, which also signs them in. Rate limits per address and per IP keep floods small.
 */
import { MESSAGE_MAX_FILES, UPLOAD_MAX_BYTES } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordEvent } from '../shared/record.ts';
import { hostOf, queueAccountEmail } from '../email/outbound.ts';
import { mailLanguage } from '../email/outbound-templates.ts';
import { checkFileCount, checkFileSize, storeFile } from '../tickets/uploads.ts';
import { openSession } from '../identity/sessions.ts';
import { findCustomerByEmail } from '../people/customers.ts';
import type { Workspace } from '../people/types.ts';
import { createTicket } from '../tickets/create-ticket.ts';
import { updateTicket } from '../tickets/update-ticket.ts';
import { addMessage, listMessages } from '../tickets/messages.ts';
import { listTickets } from '../tickets/read-tickets.ts';
import { loadReadableTicket } from '../tickets/access.ts';
import { checkTicketCategory } from '../tickets/categories.ts';
import { diffTicket } from '../tickets/rules.ts';
import type { Attachment, MessageView, TicketView } from '../tickets/types.ts';
import { UNCONFIRMED_TAG, type TicketAccess } from '../tickets/policy.ts';
import { issuePortalToken, portalLink, portalSystemCtx, type PortalMeta, type PortalSettings } from './sign-in.ts';

/** How long a visitor has to confirm the address of an anonymous request. */
export const CONFIRM_TTL_MS = 7 * 86_400_000;
/** Anonymous requests per address and per hour, and per IP address and per hour. */
export const ANONYMOUS_PER_ADDRESS_HOUR = 3;
export const ANONYMOUS_PER_IP_HOUR = 10;
/** Attachment limits of a portal message: those of every message (contracts' UPLOAD_MAX_BYTES, MESSAGE_MAX_FILES). */
export const PORTAL_MAX_FILE_BYTES = UPLOAD_MAX_BYTES;
export const PORTAL_MAX_FILES = MESSAGE_MAX_FILES;

export interface UploadedFile {
  filename: string;
  content: Buffer;
}

export interface PortalRequestInput {
  subject: string;
  body: string;
  categoryId: string | null;
  language: 'fr' | 'en';
  files: UploadedFile[];
}

/**
 * Store the files' bytes (content-addressed, like mail attachments) and answer the attachment
 * records a message carries. The declared type is never trusted: the bytes decide.
 */
async function storeFiles(deps: Deps, workspaceId: string, files: UploadedFile[]): Promise<Omit<Attachment, 'id'>[]> {
  checkFileCount(files.length);
  for (const f of files) checkFileSize(f.filename, f.content.length);
  const out: Omit<Attachment, 'id'>[] = [];
  for (const f of files) out.push({ ...(await storeFile(deps, workspaceId, f.filename, f.content)), inline: false });
  return out;
}

async function checkActiveCategory(deps: Deps, ctx: Ctx, categoryId: string | null): Promise<void> {
  if (categoryId) await checkTicketCategory(deps.store, { ...ctx, actor: { ...ctx.actor, role: 'customer' } }, categoryId);
}

/** A signed-in customer's request: theirs, visible at once. */
export async function submitPortalRequest(deps: Deps, ctx: Ctx, input: PortalRequestInput): Promise<TicketView> {
  if (ctx.actor.role !== 'customer' || !ctx.actor.userId) throw new AppError('FORBIDDEN', 'The portal is for customers.');
  await checkActiveCategory(deps, ctx, input.categoryId);
  const attachments = await storeFiles(deps, ctx.workspaceId, input.files);
  const { ticket } = await createTicket(deps, ctx, {
    subject: input.subject,
    body: input.body,
    format: 'text',
    emailRequester: false,
    channel: 'portal',
    priority: 'normal',
    tags: [],
    customFields: {},
    language: input.language,
    categoryId: input.categoryId,
    firstMessageVisibility: 'public',
    attachments,
  });
  return ticket;
}

/**
 * An anonymous visitor's request: created now, for the customer of that address (created on
 * first contact), with a confirmation link mailed to the address.
 */
export async function submitAnonymousRequest(
  deps: Deps,
  workspace: Workspace,
  input: PortalRequestInput & { email: string; name: string | null },
  settings: PortalSettings,
  meta: PortalMeta,
): Promise<{ id: string; number: number }> {
  const ctx = portalSystemCtx(workspace.id, meta);
  const email = input.email.trim().toLowerCase();
  const now = deps.clock.now();
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const tooMany = () =>
    new AppError('RATE_LIMITED', 'Too many requests were sent from here or for this address; wait an hour or sign in.', { retryAfterSeconds: 3600 });
  if (meta.ip && (await deps.store.portal.countTokensFromIp(workspace.id, meta.ip, 'confirm', hourAgo)) >= ANONYMOUS_PER_IP_HOUR) throw tooMany();
  const known = await findCustomerByEmail(ctx, deps.store, email);
  if (known && (await deps.store.portal.countTokensForUser(workspace.id, known.id, 'confirm', hourAgo)) >= ANONYMOUS_PER_ADDRESS_HOUR) throw tooMany();
  await checkActiveCategory(deps, ctx, input.categoryId);
  const attachments = await storeFiles(deps, workspace.id, input.files);
  const { ticket } = await createTicket(deps, ctx, {
    subject: input.subject,
    body: input.body,
    format: 'text',
    emailRequester: false,
    requester: { email, ...(input.name ? { name: input.name } : {}) },
    channel: 'portal',
    priority: 'normal',
    tags: [UNCONFIRMED_TAG],
    customFields: {},
    language: input.language,
    categoryId: input.categoryId,
    firstMessageVisibility: 'public',
    attachments,
  });
  await deps.store.transaction(async (tx) => {
    const requester = await tx.users.findById(workspace.id, ticket.requesterId);
    const secret = await issuePortalToken(deps, tx, { workspaceId: workspace.id, userId: ticket.requesterId, kind: 'confirm', ticketId: ticket.id, ttlMs: CONFIRM_TTL_MS, ip: meta.ip });
    const language = mailLanguage(requester?.locale ?? input.language);
    const mail = renderConfirmMail(language, {
      name: requester?.name ?? email,
      workspace: workspace.name,
      subject: ticket.subject,
      number: ticket.number,
      link: portalLink(settings, workspace.slug, 'confirm', secret),
    });
    await queueAccountEmail(deps, tx, { workspaceId: workspace.id, to: email, subject: mail.subject, text: mail.text, language, fallbackDomain: hostOf(settings.baseUrl) });
    await recordEvent(tx, ctx, now, 'ticket', ticket.id, 'portal.confirmation_requested', { email });
  });
  return { id: ticket.id, number: ticket.number };
}

/**
 * Confirm an anonymous request: the link works once; the ticket loses its `portal-unconfirmed`
 * tag and the visitor, now known to own the address, is signed in when they are a customer.
 */
export async function confirmAnonymousRequest(
  deps: Deps,
  workspace: Workspace,
  secret: string,
  meta: PortalMeta,
): Promise<{ number: number; session: { token: string; expiresAt: Date } | null }> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const used = await tx.portal.consumeToken(deps.secrets.hash(secret), 'confirm', now);
    const ticket = used && used.workspaceId === workspace.id && used.ticketId ? await tx.tickets.lock(workspace.id, used.ticketId) : null;
    if (!used || !ticket) throw new AppError('PORTAL_LINK_INVALID', 'This confirmation link is expired or was already used.');
    const user = await tx.users.findById(workspace.id, used.userId);
    const ctx: Ctx = user
      ? { workspaceId: workspace.id, actor: { type: 'user', userId: user.id, role: user.role, name: user.name, organizationId: user.organizationId, via: 'session' }, requestId: meta.requestId, ip: meta.ip }
      : portalSystemCtx(workspace.id, meta);
    if (ticket.tags.includes(UNCONFIRMED_TAG)) {
      const patch = { tags: ticket.tags.filter((t) => t !== UNCONFIRMED_TAG) };
      await tx.tickets.update(workspace.id, ticket.id, patch, now);
      await recordEvent(tx, ctx, now, 'ticket', ticket.id, 'ticket.updated', { changes: diffTicket(ticket, patch) });
    }
    await recordEvent(tx, ctx, now, 'ticket', ticket.id, 'portal.confirmed', {});
    let session: { token: string; expiresAt: Date } | null = null;
    if (user && user.role === 'customer' && user.status === 'active') {
      const s = await openSession(deps, tx, user, workspace.id, now, 'portal');
      session = { token: s.token, expiresAt: s.expiresAt };
    }
    return { number: ticket.number, session };
  });
}

/** The customer's requests (and their organization's when it shares), newest activity first, confirmed ones only (as in the API). */
export async function listPortalRequests(deps: Deps, ctx: Ctx, q: { cursor?: string | undefined; limit: number }) {
  return listTickets(deps, ctx, { limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}), sort: 'updated_at', order: 'desc' });
}

/** One request with its public conversation (never internal notes), or TICKET_NOT_FOUND (also while unconfirmed: see ticketAccess). */
export async function getPortalRequest(
  deps: Deps,
  ctx: Ctx,
  ref: string,
): Promise<{ ticket: TicketView; access: TicketAccess; messages: MessageView[]; mine: boolean }> {
  const { ticket, access } = await loadReadableTicket(deps, ctx, ref);
  const messages: MessageView[] = [];
  let cursor: string | undefined;
  // A conversation rarely has more than a few dozen messages; 1,000 is a bound, not a page size.
  for (let i = 0; i < 5; i++) {
    const page = await listMessages(deps, ctx, ticket.id, { limit: 200, ...(cursor ? { cursor } : {}) });
    messages.push(...page.items.filter((m) => m.visibility === 'public'));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return { ticket, access, messages, mine: ticket.requesterId === ctx.actor.userId };
}

/** A reply from the portal: a customer message through the API's use-case (it reopens a solved request). */
export async function replyToPortalRequest(deps: Deps, ctx: Ctx, ref: string, input: { body: string; files: UploadedFile[] }) {
  await getPortalRequest(deps, ctx, ref);
  const attachments = await storeFiles(deps, ctx.workspaceId, input.files);
  const refs = attachments.map((a) => ({ sha256: a.sha256!, filename: a.filename, inline: false }));
  return addMessage(deps, ctx, ref, { body: input.body, format: 'text', visibility: 'public', channel: 'portal', attachments: refs });
}

/** "Close this request": the customer marks it solved, as the API lets them; a later reply reopens it. */
export async function closePortalRequest(deps: Deps, ctx: Ctx, ref: string) {
  const { ticket, access } = await getPortalRequest(deps, ctx, ref);
  if (!access.update) throw new AppError('FORBIDDEN', 'Only the person who opened this request can close it.');
  if (ticket.status === 'solved') return ticket;
  return (await updateTicket(deps, ctx, ref, { status: 'solved' })).ticket;
}

export function renderConfirmMail(
  language: 'fr' | 'en',
  v: { name: string; workspace: string; subject: string; number: number; link: string },
): { subject: string; text: string } {
  if (language === 'fr') {
    return {
      subject: `Confirmez votre demande n° ${v.number} : ${v.subject}`,
      text: `Bonjour ${v.name},\n\nNous avons bien reçu votre demande « ${v.subject} » (n° ${v.number}). Pour la suivre dans l’espace client ${v.workspace}, confirmez votre adresse en ouvrant ce lien :\n\n${v.link}\n\nLe lien ne sert qu’une fois et reste valable 7 jours. Si vous n’avez rien envoyé, ignorez ce message.\n\n— ${v.workspace}`,
    };
  }
  return {
    subject: `Confirm your request #${v.number}: ${v.subject}`,
    text: `Hello ${v.name},\n\nWe received your request "${v.subject}" (#${v.number}). To follow it in the ${v.workspace} customer portal, confirm your address by opening this link:\n\n${v.link}\n\nThe link works once, for 7 days. If you did not send anything, ignore this message.\n\n— ${v.workspace}`,
  };
}


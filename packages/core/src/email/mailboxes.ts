/** Mailbox management (admins) and the inbound-mail log for debugging. */
import type { CreateMailboxInput, ListInboundEmailsQuery, UpdateMailboxInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { authorize } from '../identity/permissions.ts';
import { recordAudit } from '../shared/record.ts';
import type { InboundEmail, Mailbox } from './types.ts';

const notFound = () => new AppError('MAILBOX_NOT_FOUND', 'Mailbox not found.');

export async function listMailboxes(deps: Deps, ctx: Ctx): Promise<Mailbox[]> {
  authorize(ctx.actor, 'workspace:manage');
  return deps.store.mailboxes.list(ctx.workspaceId);
}

export async function getMailbox(deps: Deps, ctx: Ctx, id: string): Promise<Mailbox> {
  authorize(ctx.actor, 'workspace:manage');
  const m = await deps.store.mailboxes.findById(ctx.workspaceId, id);
  if (!m) throw notFound();
  return m;
}

function checkKind(m: Pick<Mailbox, 'kind' | 'imapSettings'>): void {
  if (m.kind === 'imap' && !m.imapSettings) {
    throw new AppError('VALIDATION_FAILED', 'An IMAP mailbox needs its IMAP settings.', { issues: [{ path: ['imapSettings'], message: 'required for kind imap' }] });
  }
}

export async function createMailbox(deps: Deps, ctx: Ctx, input: CreateMailboxInput): Promise<Mailbox> {
  authorize(ctx.actor, 'workspace:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    if (await tx.mailboxes.findByAddress(input.address)) throw new AppError('EMAIL_TAKEN', `A mailbox already receives mail for ${input.address}.`);
    if (input.teamId && !(await tx.teams.findById(ctx.workspaceId, input.teamId))) throw new AppError('TEAM_NOT_FOUND', 'The team does not exist.');
    const m: Mailbox = {
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      name: input.name,
      address: input.address,
      kind: input.kind,
      enabled: input.enabled,
      teamId: input.teamId,
      autoAck: input.autoAck,
      floodLimitPerHour: input.floodLimitPerHour,
      imapSettings: input.imapSettings,
      imapSecret: input.imapPassword ? deps.keyring.seal(input.imapPassword) : null,
      smtpSettings: input.smtpSettings,
      smtpSecret: input.smtpPassword ? deps.keyring.seal(input.smtpPassword) : null,
      imapState: {},
      createdAt: now,
      updatedAt: now,
    };
    checkKind(m);
    const created = await tx.mailboxes.insert(m);
    await recordAudit(tx, ctx, now, 'mailbox.created', { type: 'mailbox', id: m.id }, { address: m.address, kind: m.kind });
    return created;
  });
}

export async function updateMailbox(deps: Deps, ctx: Ctx, id: string, input: UpdateMailboxInput): Promise<Mailbox> {
  authorize(ctx.actor, 'workspace:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const current = await tx.mailboxes.findById(ctx.workspaceId, id);
    if (!current) throw notFound();
    if (input.teamId && !(await tx.teams.findById(ctx.workspaceId, input.teamId))) throw new AppError('TEAM_NOT_FOUND', 'The team does not exist.');
    const { imapPassword, smtpPassword, ...rest } = input;
    const patch: Partial<Mailbox> = { ...rest, updatedAt: now };
    if (imapPassword !== undefined) patch.imapSecret = imapPassword === null ? null : deps.keyring.seal(imapPassword);
    if (smtpPassword !== undefined) patch.smtpSecret = smtpPassword === null ? null : deps.keyring.seal(smtpPassword);
    checkKind({ ...current, ...patch });
    const updated = await tx.mailboxes.update(ctx.workspaceId, id, patch);
    const changed = Object.keys(input).map((k) => (k.endsWith('Password') ? `${k} (changed)` : k));
    await recordAudit(tx, ctx, now, 'mailbox.updated', { type: 'mailbox', id }, { changed });
    return updated;
  });
}

export async function listInboundEmails(
  deps: Deps,
  ctx: Ctx,
  q: ListInboundEmailsQuery,
): Promise<{ items: InboundEmail[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'workspace:manage');
  let before: { receivedAt: Date; id: string } | undefined;
  if (q.cursor) {
    try {
      const [at, id] = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) as [string, string];
      const d = new Date(at);
      if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(d.getTime())) throw new Error('bad');
      before = { receivedAt: d, id };
    } catch {
      throw new AppError('INVALID_CURSOR', 'The cursor is not one this server issued.');
    }
  }
  const rows = await deps.store.inboundEmails.list(
    ctx.workspaceId,
    { ...(q.status ? { status: q.status } : {}), ...(q.mailboxId ? { mailboxId: q.mailboxId } : {}) },
    { limit: q.limit + 1, ...(before ? { before } : {}) },
  );
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > q.limit && last ? Buffer.from(JSON.stringify([last.receivedAt.toISOString(), last.id])).toString('base64url') : null;
  return { items, nextCursor };
}

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
): Promise<{ items: InboundEmail[] }> {
  authorize(ctx.actor, 'workspace:manage');
  // A debugging view: newest first, `before` a time to read further back (no keyset cursor).
  const before = q.before ? { receivedAt: new Date(q.before), id: 'ffffffff-ffff-ffff-ffff-ffffffffffff' } : undefined;
  const items = await deps.store.inboundEmails.list(
    ctx.workspaceId,
    { ...(q.status ? { status: q.status } : {}), ...(q.mailboxId ? { mailboxId: q.mailboxId } : {}) },
    { limit: q.limit, ...(before ? { before } : {}) },
  );
  return { items };
}

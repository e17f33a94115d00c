import { createHash } from 'node:crypto';
import { LOGO_MAX_BYTES, type SetWorkspaceLogoInput, type UpdateWorkspaceInput } from '@guichet/contracts';
import { sniffContentType } from '../email/sniff.ts';
import type { Deps } from '../deps.ts';
import { systemActor, type Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit, recordEvent } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';
import { changesOf } from '../people/customers.ts';
import type { User, Workspace } from '../people/types.ts';

export interface BootstrapInput {
  slug: string;
  name: string;
  mailDomain?: string | null;
  defaultLanguage?: 'en' | 'fr';
  admin: { email: string; name: string; password: string };
}

/**
 * Create a workspace with its first admin. Used by first start, by tests and later by sign-up;
 * the admin's password is hashed here and never stored or logged in clear.
 */
export async function bootstrapWorkspace(deps: Deps, input: BootstrapInput): Promise<{ workspace: Workspace; admin: User }> {
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(input.slug)) {
    throw new AppError('VALIDATION_FAILED', 'A workspace slug is 2 to 63 lowercase letters, digits or dashes.', {
      issues: [{ path: ['slug'], message: 'invalid slug' }],
    });
  }
  const now = deps.clock.now();
  const passwordHash = await deps.passwords.hash(input.admin.password);
  return deps.store.transaction(async (tx) => {
    if (await tx.workspaces.findBySlug(input.slug)) throw new AppError('NAME_TAKEN', `The workspace "${input.slug}" already exists.`);
    const workspace = await tx.workspaces.insert({
      id: deps.ids.uuid(),
      slug: input.slug,
      name: input.name,
      mailDomain: input.mailDomain ?? null,
      defaultLanguage: input.defaultLanguage ?? 'en',
      createdAt: now,
      updatedAt: now,
    });
    const admin = await tx.users.insert({
      id: deps.ids.uuid(),
      workspaceId: workspace.id,
      role: 'admin',
      email: input.admin.email.toLowerCase(),
      name: input.admin.name,
      passwordHash,
      status: 'active',
      locale: input.defaultLanguage ?? 'en',
      timeZone: 'UTC',
      languages: [],
      organizationId: null,
      phone: null,
      notes: null,
      capacity: null,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: null,
    });
    const ctx: Ctx = { workspaceId: workspace.id, actor: systemActor, requestId: 'bootstrap' };
    await recordEvent(tx, ctx, now, 'workspace', workspace.id, 'workspace.created', { slug: workspace.slug, name: workspace.name });
    await recordAudit(tx, ctx, now, 'workspace.created', { type: 'workspace', id: workspace.id }, { slug: workspace.slug, adminEmail: admin.email });
    return { workspace, admin };
  });
}

export async function getWorkspace(deps: Deps, ctx: Ctx): Promise<Workspace> {
  const ws = await deps.store.workspaces.findById(ctx.workspaceId);
  if (!ws) throw new AppError('NOT_FOUND', 'Workspace not found.');
  return ws;
}

export async function updateWorkspace(deps: Deps, ctx: Ctx, input: UpdateWorkspaceInput): Promise<Workspace> {
  authorize(ctx.actor, 'workspace:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const before = await tx.workspaces.findById(ctx.workspaceId);
    if (!before) throw new AppError('NOT_FOUND', 'Workspace not found.');
    const ws = await tx.workspaces.update(ctx.workspaceId, { ...input, updatedAt: now });
    const changes = changesOf(before, input);
    await recordEvent(tx, ctx, now, 'workspace', ctx.workspaceId, 'workspace.updated', changes);
    await recordAudit(tx, ctx, now, 'workspace.updated', { type: 'workspace', id: ctx.workspaceId }, changes);
    return ws;
  });
}

export async function listAuditLog(
  deps: Deps,
  ctx: Ctx,
  q: { limit: number; cursor?: string | undefined; action?: string | undefined; actorId?: string | undefined },
) {
  authorize(ctx.actor, 'audit:read');
  const beforeId = q.cursor ? Number(q.cursor) : undefined;
  if (q.cursor && (!Number.isSafeInteger(beforeId) || beforeId! < 1)) {
    throw new AppError('INVALID_CURSOR', 'The cursor is not one this server issued.');
  }
  const rows = await deps.store.audit.list(
    ctx.workspaceId,
    { ...(q.action ? { action: q.action } : {}), ...(q.actorId ? { actorId: q.actorId } : {}) },
    { limit: q.limit + 1, ...(beforeId ? { beforeId } : {}) },
  );
  const items = rows.slice(0, q.limit);
  return { items, nextCursor: rows.length > q.limit ? String(items[items.length - 1]!.id) : null };
}

/** Logos the help center may show: bitmaps only (an SVG can carry scripts). */
const LOGO_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Replace the help center's and portal's logo. The type comes from the bytes, never from the caller. */
export async function setWorkspaceLogo(deps: Deps, ctx: Ctx, input: SetWorkspaceLogoInput): Promise<Workspace> {
  authorize(ctx.actor, 'workspace:manage');
  const content = Buffer.from(input.contentBase64, 'base64');
  if (!content.length) throw new AppError('VALIDATION_FAILED', 'The image is empty.', { issues: [{ path: ['contentBase64'], message: 'empty' }] });
  if (content.length > LOGO_MAX_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `The logo is larger than ${LOGO_MAX_BYTES / 1024} kB.`);
  const contentType = sniffContentType(content, 'logo');
  if (!LOGO_TYPES.has(contentType)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'A logo is a PNG, JPEG, GIF or WebP image.');
  const sha256 = createHash('sha256').update(content).digest('hex');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const ws = await tx.workspaces.setLogo(ctx.workspaceId, { content, contentType, sha256 }, now);
    const data = { logo: { sha256, contentType, bytes: content.length } };
    await recordEvent(tx, ctx, now, 'workspace', ctx.workspaceId, 'workspace.updated', data);
    await recordAudit(tx, ctx, now, 'workspace.logo_set', { type: 'workspace', id: ctx.workspaceId }, data);
    return ws;
  });
}

export async function removeWorkspaceLogo(deps: Deps, ctx: Ctx): Promise<Workspace> {
  authorize(ctx.actor, 'workspace:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const ws = await tx.workspaces.setLogo(ctx.workspaceId, null, now);
    await recordEvent(tx, ctx, now, 'workspace', ctx.workspaceId, 'workspace.updated', { logo: null });
    await recordAudit(tx, ctx, now, 'workspace.logo_removed', { type: 'workspace', id: ctx.workspaceId }, {});
    return ws;
  });
}

/** The public logo of a workspace's help center and portal (anyone may see it). */
export async function workspaceLogo(deps: Deps, slug: string): Promise<{ content: Buffer; contentType: string; sha256: string } | null> {
  const ws = await deps.store.workspaces.findBySlug(slug);
  if (!ws?.logoSha256) return null;
  return deps.store.workspaces.getLogo(ws.id);
}

/** Relative luminance of #rrggbb (WCAG 2). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The text colour to write on a brand colour: black or white, whichever reads better. */
export function textColorOn(background: string): '#000000' | '#ffffff' {
  return contrastRatio(background, '#000000') >= contrastRatio(background, '#ffffff') ? '#000000' : '#ffffff';
}

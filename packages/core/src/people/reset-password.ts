import type { Deps } from '../deps.ts';
import { systemActor, type Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit } from '../shared/record.ts';
import type { User } from './types.ts';

/**
 * Operator recovery (command line, not HTTP): set a new password for an account and end its
 * sessions. Recorded in the workspace's audit log as done by the system.
 */
export async function resetPasswordAsOperator(
  deps: Deps,
  input: { workspaceSlug: string; email: string; password: string },
): Promise<User> {
  if (input.password.length < 10) throw new AppError('VALIDATION_FAILED', 'A password has at least 10 characters.');
  const workspace = await deps.store.workspaces.findBySlug(input.workspaceSlug);
  if (!workspace) throw new AppError('NOT_FOUND', `No workspace "${input.workspaceSlug}".`);
  const passwordHash = await deps.passwords.hash(input.password);
  const now = deps.clock.now();
  const ctx: Ctx = { workspaceId: workspace.id, actor: systemActor, requestId: 'cli' };
  return deps.store.transaction(async (tx) => {
    const user = await tx.users.findByEmail(workspace.id, input.email);
    if (!user) throw new AppError('USER_NOT_FOUND', `No account ${input.email} in "${input.workspaceSlug}".`);
    const updated = await tx.users.update(workspace.id, user.id, { passwordHash, status: 'active', updatedAt: now });
    await tx.sessions.deleteForUser(workspace.id, user.id);
    await recordAudit(tx, ctx, now, 'user.password_reset', { type: 'user', id: user.id }, { email: user.email, via: 'cli' });
    return updated;
  });
}

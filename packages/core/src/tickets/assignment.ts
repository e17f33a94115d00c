import type { Repositories } from '../store.ts';
import { AppError } from '../shared/errors.ts';

/** An assignee must be an active agent or admin of the workspace, and a member of the ticket's team when it has one. */
export async function checkAssignee(repos: Repositories, workspaceId: string, assigneeId: string, teamId: string | null): Promise<void> {
  const user = await repos.users.findById(workspaceId, assigneeId);
  if (!user || user.role === 'customer') throw new AppError('USER_NOT_FOUND', 'The assignee does not exist.');
  if (user.status !== 'active') throw new AppError('INVALID_ASSIGNMENT', `${user.name} is suspended and cannot be assigned tickets.`);
  if (user.role === 'light_agent') {
    throw new AppError('INVALID_ASSIGNMENT', `${user.name} is a light agent: light agents help with internal notes but are not assigned tickets.`);
  }
  if (teamId) {
    const teams = await repos.users.teamIdsOf(workspaceId, [assigneeId]);
    if (!teams.some((t) => t.teamId === teamId)) {
      throw new AppError('INVALID_ASSIGNMENT', `${user.name} is not a member of the ticket's team.`);
    }
  }
}

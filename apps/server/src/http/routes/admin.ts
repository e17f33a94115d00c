import { AuditEntryOut, ListAuditQuery, UpdateWorkspaceInput, WorkspaceOut, pageOf } from '@guichet/contracts';
import { getWorkspace, listAuditLog, updateWorkspace } from '@guichet/core';
import { presentAudit, presentWorkspace } from '../presenters.ts';
import type { Router } from '../route.ts';

export function adminRoutes(route: Router): void {
  route({
    method: 'GET', url: '/workspace', tag: 'Workspace', summary: 'The current workspace',
    response: WorkspaceOut,
    handler: async ({ deps, ctx }) => presentWorkspace(await getWorkspace(deps, ctx)),
  });
  route({
    method: 'PATCH', url: '/workspace', tag: 'Workspace', summary: 'Change the workspace settings (admin)',
    body: UpdateWorkspaceInput, response: WorkspaceOut,
    handler: async ({ deps, ctx, body }) => presentWorkspace(await updateWorkspace(deps, ctx, body)),
  });
  route({
    method: 'GET', url: '/audit-log', tag: 'Workspace', summary: 'The audit log of admin actions, newest first (admin)',
    query: ListAuditQuery, response: pageOf(AuditEntryOut),
    handler: async ({ deps, ctx, query }) => {
      const page = await listAuditLog(deps, ctx, query);
      return { items: page.items.map(presentAudit), nextCursor: page.nextCursor };
    },
  });
}

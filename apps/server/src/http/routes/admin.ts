import { AuditEntryOut, ListAuditQuery, SetWorkspaceLogoInput, UpdateWorkspaceInput, WorkspaceOut, pageOf } from '@guichet/contracts';
import { getWorkspace, listAuditLog, removeWorkspaceLogo, setWorkspaceLogo, updateWorkspace } from '@guichet/core';
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
    method: 'PUT', url: '/workspace/logo', tag: 'Workspace', summary: 'Set the help center and portal logo: a PNG, JPEG, GIF or WebP image up to 256 kB, base64 (admin)',
    body: SetWorkspaceLogoInput, response: WorkspaceOut,
    handler: async ({ deps, ctx, body }) => presentWorkspace(await setWorkspaceLogo(deps, ctx, body)),
  });
  route({
    method: 'DELETE', url: '/workspace/logo', tag: 'Workspace', summary: 'Remove the logo (admin)',
    handler: async ({ deps, ctx }) => {
      await removeWorkspaceLogo(deps, ctx);
      return undefined;
    },
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

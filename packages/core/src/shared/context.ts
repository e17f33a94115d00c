import type { Role } from '@guichet/contracts';

/** Who is acting. `system` is the server itself (seeding, jobs); it carries the admin role. */
export interface Actor {
  type: 'user' | 'system';
  userId: string | null;
  role: Role;
  name: string | null;
  organizationId: string | null;
  via: 'session' | 'api_token' | 'system';
}

export interface Ctx {
  workspaceId: string;
  actor: Actor;
  requestId: string;
  ip?: string | null;
}

export const systemActor: Actor = {
  type: 'system',
  userId: null,
  role: 'admin',
  name: 'Guichet',
  organizationId: null,
  via: 'system',
};

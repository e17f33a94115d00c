import type { Role } from '@guichet/contracts';
import type { Actor } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';

/**
 * Workspace-level permissions. Record-level rules (a customer and their own tickets) live in
 * the policy functions of each context; these answer "may this role use this kind of action".
 */
export const PERMISSIONS = [
  'tickets:read_all',
  'tickets:create',
  'tickets:update',
  'tickets:reply',
  'tickets:note',
  'tickets:read_internal',
  'users:read',
  'users:manage',
  'teams:read',
  'teams:manage',
  'skills:read',
  'skills:manage',
  'customers:read',
  'customers:manage',
  'organizations:read',
  'organizations:manage',
  'custom_fields:read',
  'custom_fields:manage',
  'audit:read',
  'workspace:manage',
  'api_tokens:own',
  'sla:read',
  'sla:manage',
  'triggers:read',
  'triggers:manage',
  'ticket_categories:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const STAFF_READ: Permission[] = [
  'tickets:read_all',
  'tickets:create',
  'tickets:note',
  'tickets:read_internal',
  'users:read',
  'teams:read',
  'skills:read',
  'customers:read',
  'organizations:read',
  'custom_fields:read',
  'api_tokens:own',
  'sla:read',
  'triggers:read',
];

const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(PERMISSIONS),
  agent: new Set<Permission>([
    ...STAFF_READ,
    'tickets:update',
    'tickets:reply',
    'customers:manage',
    'organizations:manage',
  ]),
  // A light agent (an employee helping out, an expert consulted) reads everything and writes
  // internal notes; public answers and ticket changes stay with agents.
  light_agent: new Set<Permission>(STAFF_READ),
  // A customer's rights are all record-level (their own tickets); see tickets/policy.ts.
  customer: new Set<Permission>(['tickets:create']),
};

export function permissionsOf(role: Role): Permission[] {
  return [...ROLE_PERMISSIONS[role]];
}

export function can(actor: Actor, permission: Permission): boolean {
  return ROLE_PERMISSIONS[actor.role].has(permission);
}

export function authorize(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) {
    throw new AppError('FORBIDDEN', `Your role (${actor.role}) does not allow this action (${permission}).`);
  }
}

export const isStaff = (actor: Actor): boolean => actor.role !== 'customer';

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROLES, type Role } from '@guichet/contracts';
import type { Actor } from '../src/shared/context.ts';
import { AppError } from '../src/shared/errors.ts';
import { PERMISSIONS, authorize, can, isStaff, permissionsOf, type Permission } from '../src/identity/permissions.ts';

const actor = (role: Role): Actor => ({ type: 'user', userId: `${role}-id`, role, name: role, organizationId: null, via: 'session' });

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

// The whole table, written out: a permission that moves between roles should be a visible change here.
const EXPECTED: Record<Role, Permission[]> = {
  admin: [...PERMISSIONS],
  agent: [...STAFF_READ, 'tickets:update', 'tickets:reply', 'customers:manage', 'organizations:manage'],
  light_agent: STAFF_READ,
  customer: ['tickets:create'],
};

describe('permissions', () => {
  it('lists no permission twice', () => {
    assert.equal(new Set(PERMISSIONS).size, PERMISSIONS.length);
  });

  for (const role of ROLES) {
    it(`gives ${role} exactly its permission set`, () => {
      assert.deepEqual([...permissionsOf(role)].sort(), [...EXPECTED[role]].sort());
      for (const p of PERMISSIONS) {
        assert.equal(can(actor(role), p), EXPECTED[role].includes(p), `${role} ${p}`);
      }
    });
  }

  it('keeps management, the audit log and the workspace with admins', () => {
    for (const p of ['users:manage', 'teams:manage', 'skills:manage', 'custom_fields:manage', 'audit:read', 'workspace:manage'] as const) {
      assert.deepEqual(
        ROLES.filter((r) => can(actor(r), p)),
        ['admin'],
        p,
      );
    }
  });

  it('lets light agents write internal notes but not reply publicly or change tickets', () => {
    const light = actor('light_agent');
    assert.equal(can(light, 'tickets:note'), true);
    assert.equal(can(light, 'tickets:reply'), false);
    assert.equal(can(light, 'tickets:update'), false);
  });

  it('returns a copy, so callers cannot widen a role', () => {
    const list = permissionsOf('customer');
    list.push('workspace:manage');
    assert.equal(can(actor('customer'), 'workspace:manage'), false);
  });

  it('authorize passes silently when allowed and throws FORBIDDEN naming the role and the action otherwise', () => {
    assert.doesNotThrow(() => authorize(actor('agent'), 'tickets:reply'));
    assert.throws(
      () => authorize(actor('light_agent'), 'tickets:reply'),
      (e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.equal(e.code, 'FORBIDDEN');
        assert.match(e.message, /light_agent/);
        assert.match(e.message, /tickets:reply/);
        return true;
      },
    );
    assert.throws(() => authorize(actor('customer'), 'tickets:read_all'), { code: 'FORBIDDEN' });
    assert.throws(() => authorize(actor('agent'), 'audit:read'), { code: 'FORBIDDEN' });
  });

  it('treats the system actor as an admin', () => {
    const system: Actor = { type: 'system', userId: null, role: 'admin', name: 'Guichet', organizationId: null, via: 'system' };
    assert.doesNotThrow(() => authorize(system, 'workspace:manage'));
  });

  it('isStaff is true for every role but customer', () => {
    assert.deepEqual(
      ROLES.filter((r) => isStaff(actor(r))),
      ['admin', 'agent', 'light_agent'],
    );
  });
});

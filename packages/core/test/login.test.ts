import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../src/shared/errors.ts';
import { login } from '../src/identity/sessions.ts';
import { countingHasher, fakeDeps, manualClock, seedWorkspace } from './fakes.ts';

const META = { ip: '203.0.113.9', requestId: 'req-login' };
const PASSWORD = 'correct horse';

function setup() {
  const clock = manualClock();
  const passwords = countingHasher();
  const deps = fakeDeps({ clock, passwords });
  const w = seedWorkspace(deps);
  return { deps, clock, passwords, w, t: deps.store.tables };
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    return e;
  }
  assert.fail('expected a failure');
}

describe('login', () => {
  it('answers an unknown address and a wrong password identically, verifying a hash either way', async () => {
    const { deps, passwords, w, t } = setup();
    const unknown = await failure(login(deps, { email: 'nobody@acme.test', password: PASSWORD }, META));
    const unknownVerifies = passwords.verifies;
    const wrong = await failure(login(deps, { email: w.agent.email!, password: 'wrong password' }, META));
    assert.equal(unknown.code, 'INVALID_CREDENTIALS');
    assert.deepEqual([wrong.code, wrong.message, wrong.details], [unknown.code, unknown.message, unknown.details]);
    assert.equal(unknownVerifies, 1, 'an unknown address still costs one verification');
    assert.equal(passwords.verifies - unknownVerifies, 1);
    assert.deepEqual(
      t.loginAttempts.map((a) => [a.email, a.succeeded, a.ip]),
      [
        ['nobody@acme.test', false, META.ip],
        [w.agent.email, false, META.ip],
      ],
    );
    assert.equal(t.sessions.length, 0);
  });

  it('signs in: a session stored by hash only, the success recorded and audited', async () => {
    const { deps, clock, w, t } = setup();
    const { token, expiresAt, auth } = await login(deps, { email: 'ALAN@acme.test', password: PASSWORD }, META);
    assert.equal(auth.user.id, w.agent.id);
    assert.equal(auth.workspace.id, w.ws.id);
    assert.equal(auth.actor.role, 'agent');
    assert.equal(t.sessions.length, 1);
    const s = t.sessions[0]!;
    assert.equal(s.tokenHash, deps.secrets.hash(token));
    assert.notEqual(s.tokenHash, token);
    assert.equal(s.id, auth.sessionId);
    assert.equal(expiresAt.getTime(), clock.now().getTime() + deps.settings.sessionTtlMs);
    assert.deepEqual(t.users.find((u) => u.id === w.agent.id)!.lastLoginAt, clock.now());
    assert.deepEqual(
      t.loginAttempts.map((a) => [a.email, a.succeeded]),
      [['alan@acme.test', true]],
    );
    assert.equal(t.audit.length, 1);
    assert.equal(t.audit[0]!.action, 'auth.login');
  });

  it('does not audit customer sign-ins', async () => {
    const { deps, w, t } = setup();
    await login(deps, { email: w.customer.email!, password: PASSWORD }, META);
    assert.equal(t.audit.length, 0);
  });

  it('refuses suspended accounts exactly like unknown ones', async () => {
    const { deps, w, t } = setup();
    t.users.find((u) => u.id === w.agent.id)!.status = 'suspended';
    const e = await failure(login(deps, { email: w.agent.email!, password: PASSWORD }, META));
    assert.equal(e.code, 'INVALID_CREDENTIALS');
  });

  it('counts failures per address and refuses further tries, even right ones, until the window passes', async () => {
    const { deps, clock, passwords, w, t } = setup();
    for (let i = 0; i < deps.settings.maxLoginFailures; i++) {
      await failure(login(deps, { email: w.agent.email!, password: `guess ${i}` }, META));
    }
    const verifies = passwords.verifies;
    const limited = await failure(login(deps, { email: w.agent.email!.toUpperCase(), password: PASSWORD }, META));
    assert.equal(limited.code, 'RATE_LIMITED');
    assert.equal(passwords.verifies, verifies, 'no password is checked while limited');
    assert.equal(t.loginAttempts.length, deps.settings.maxLoginFailures, 'a refused try is not an attempt');

    // Other addresses are not affected.
    await login(deps, { email: w.admin.email!, password: PASSWORD }, META);

    clock.advance(deps.settings.loginWindowMs + 1);
    await login(deps, { email: w.agent.email!, password: PASSWORD }, META);
  });

  it('starts counting again after a successful sign-in', async () => {
    const { deps, w } = setup();
    for (let i = 0; i < deps.settings.maxLoginFailures - 1; i++) await failure(login(deps, { email: w.agent.email!, password: 'nope' }, META));
    await login(deps, { email: w.agent.email!, password: PASSWORD }, META);
    for (let i = 0; i < deps.settings.maxLoginFailures - 1; i++) await failure(login(deps, { email: w.agent.email!, password: 'nope' }, META));
    await login(deps, { email: w.agent.email!, password: PASSWORD }, META);
  });

  it('asks which workspace when the address signs in to several, and takes the one named', async () => {
    const { deps, w } = setup();
    const other = seedWorkspace(deps, 'globex');
    other.agent.email = w.agent.email;
    deps.store.tables.users.find((u) => u.id === other.agent.id)!.email = w.agent.email;
    const e = await failure(login(deps, { email: w.agent.email!, password: PASSWORD }, META));
    assert.equal(e.code, 'WORKSPACE_REQUIRED');
    assert.deepEqual((e.details as { workspaces: string[] }).workspaces.sort(), ['acme', 'globex']);
    const { auth } = await login(deps, { email: w.agent.email!, password: PASSWORD, workspace: 'globex' }, META);
    assert.equal(auth.user.id, other.agent.id);
  });
});

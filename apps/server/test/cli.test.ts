import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { login } from '@guichet/core';
import { openDatabase } from '@guichet/db';
import { createDeps } from '../src/infra/deps.ts';

const root = join(import.meta.dirname, '..', '..', '..');

function cli(dataDir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'apps/server/src/cli.ts'), ...args], {
    cwd: root,
    env: { ...process.env, GUICHET_DATA_DIR: dataDir, DATABASE_URL: '' },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function canLogin(dataDir: string, email: string, password: string): Promise<boolean> {
  const database = await openDatabase({ dataDir });
  try {
    const deps = createDeps(database, { sessionTtlMs: 60_000, maxLoginFailures: 100, loginWindowMs: 60_000 }, randomBytes(32));
    await login(deps, { email, password, workspace: 'acme' }, { ip: null, requestId: 'test' });
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'INVALID_CREDENTIALS') return false;
    throw e;
  } finally {
    await database.close();
  }
}

describe('operator command line (embedded database)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a workspace whose printed admin password works, and resets it', async () => {
    const created = cli(dir, 'workspace:create', '--slug', 'acme', '--name', 'Acme', '--admin-email', 'Boss@Acme.test');
    assert.equal(created.code, 0, created.err);
    const first = /password: (\S+)/.exec(created.out)?.[1];
    assert.ok(first, created.out);
    assert.equal(await canLogin(dir, 'boss@acme.test', first), true);

    const again = cli(dir, 'workspace:create', '--slug', 'acme', '--name', 'Acme', '--admin-email', 'x@acme.test');
    assert.equal(again.code, 1);
    assert.match(again.err, /already exists/);

    const reset = cli(dir, 'user:reset-password', '--workspace', 'acme', '--email', 'BOSS@acme.test');
    assert.equal(reset.code, 0, reset.err);
    const second = /: (\S+)\s+\(shown only once/.exec(reset.out)?.[1];
    assert.ok(second && second !== first, reset.out);
    assert.equal(await canLogin(dir, 'boss@acme.test', first), false);
    assert.equal(await canLogin(dir, 'boss@acme.test', second), true);
  });

  it('explains bad usage and unknown accounts', () => {
    const bad = cli(dir, 'frobnicate');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown command/);
    const missing = cli(dir, 'user:reset-password', '--workspace', 'acme');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--email is required/);
    const nobody = cli(dir, 'user:reset-password', '--workspace', 'acme', '--email', 'nobody@acme.test');
    assert.equal(nobody.code, 1);
    assert.match(nobody.err, /USER_NOT_FOUND/);
  });
});

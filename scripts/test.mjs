// `npm test`: install if needed, check package boundaries and types, then run every test file
// with Node's test runner (its summary lines end the output).
import { execSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureDeps, ensureWebBuild, root } from './ensure-deps.mjs';

ensureDeps();
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const skipChecks = args.includes('--no-checks');

function run(title, cmd) {
  console.log(`\n== ${title}`);
  execSync(cmd, { cwd: root, stdio: 'inherit' });
}

if (!skipChecks) {
  run('package boundaries', 'node scripts/check-boundaries.mjs');
  run('typecheck', 'npx --no-install tsc -p tsconfig.json');
  run('typecheck (web app)', 'npx --no-install tsc -p apps/web/tsconfig.json');
}
// The browser tests drive the built web app: build it when missing or older than its sources.
ensureWebBuild();

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

let files = ['packages', 'apps'].flatMap((d) => findTests(join(root, d))).sort();
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}
console.log(`\n== tests (${files.length} files)`);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(r.status ?? 1);

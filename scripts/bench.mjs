// `npm run bench -- <name> [args…]`: install if needed, then run bench/<name>/index.ts (TypeScript
// through tsx, no build step) with the remaining arguments, for example `--quick`.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDeps, root } from './ensure-deps.mjs';

const [name, ...rest] = process.argv.slice(2);
const benchDir = join(root, 'bench');
const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(benchDir, d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();

if (!name || name.startsWith('-') || !available.includes(name)) {
  if (name && !name.startsWith('-')) console.error(`No benchmark named "${name}".`);
  console.error(`Usage: npm run bench -- <name> [--quick]\nBenchmarks: ${available.join(', ') || '(none)'}`);
  process.exit(2);
}

ensureDeps();
const child = spawn(process.execPath, ['--import', 'tsx', join(benchDir, name, 'index.ts'), ...rest], {
  cwd: root,
  stdio: 'inherit',
});
// Forward stop signals so the benchmark stops its servers and removes its temporary data.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// `npm start`: install if needed, build the web app if it is missing or stale, then run the server
// (TypeScript through tsx, no server build step).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDeps, ensureWebBuild, root } from './ensure-deps.mjs';

ensureDeps();
ensureWebBuild();
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/server/src/main.ts'), ...process.argv.slice(2)], {
  cwd: process.cwd(),
  stdio: 'inherit',
});
// Forward stop signals so the server shuts down gracefully, and exit with its code.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

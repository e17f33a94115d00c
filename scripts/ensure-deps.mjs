// Install dependencies when node_modules is missing or older than the lockfile, so that
// `npm start` and `npm test` work on a fresh clone with nothing else typed.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function ensureDeps() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('Installing dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}

// The agent web app (apps/web) is built into apps/web/dist, which the server serves at `/`.
// It is rebuilt when the build is missing or older than any of its sources.
const web = join(root, 'apps', 'web');

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const name of readdirSync(p)) max = Math.max(max, newestMtime(join(p, name)));
  return max;
}

export function webBuildIsStale() {
  const stamp = join(web, 'dist', '.built');
  if (!existsSync(stamp) || !existsSync(join(web, 'dist', 'index.html'))) return true;
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((f) => join(web, f));
  sources.push(join(root, 'packages', 'contracts', 'src'));
  return Math.max(...sources.map(newestMtime)) > statSync(stamp).mtimeMs;
}

export function ensureWebBuild({ force = false } = {}) {
  if (!force && !webBuildIsStale()) return;
  console.log('Building the web app (vite build)…');
  execSync(`"${process.execPath}" "${join(root, 'node_modules', 'vite', 'bin', 'vite.js')}" build`, { cwd: web, stdio: 'inherit' });
  writeFileSync(join(web, 'dist', '.built'), new Date().toISOString() + '\n');
}

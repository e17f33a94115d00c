// The architecture's rules, checked rather than hoped for. Each workspace package may import
// only what its package.json declares and what its layer allows; core stays free of I/O.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { root } from './ensure-deps.mjs';

const RULES = {
  'packages/contracts': { internal: [], node: [], external: ['zod'], forbidEnv: true },
  // Domain and use-cases: no HTTP framework, no query builder, no React, no environment.
  'packages/core': { internal: ['@guichet/contracts'], node: ['node:crypto'], external: [], forbidEnv: true },
  'packages/db': { internal: ['@guichet/contracts', '@guichet/core'], node: '*', forbidEnv: false },
  'apps/server': { internal: ['@guichet/contracts', '@guichet/core', '@guichet/db'], node: '*', forbidEnv: false },
  // The browser app: the API's contracts (types) and React only; never core, db or the server.
  'apps/web': { internal: ['@guichet/contracts'], node: [], external: ['react', 'react-dom'], forbidEnv: true },
  bench: { internal: '*', node: '*', forbidEnv: false },
};
// Only these files may read process.env (configuration is parsed once).
const ENV_READERS = new Set(['apps/server/src/config.ts', 'packages/db/src/testing.ts']);

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const problems = [];

function files(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|tsx|mts)$/.test(name)) out.push(p);
  }
  return out;
}

for (const [pkg, rule] of Object.entries(RULES)) {
  const dir = join(root, pkg);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]);
  for (const file of files(dir)) {
    const rel = relative(root, file);
    const isSrc = rel.startsWith(`${pkg}/src/`);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|[\n;])\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) {
        if (!join(file, '..', spec).startsWith(dir)) problems.push(`${rel}: relative import "${spec}" leaves ${pkg}`);
        continue;
      }
      if (builtins.has(spec) || builtins.has(spec.split('/')[0])) {
        if (isSrc && rule.node !== '*' && !rule.node.includes(spec)) problems.push(`${rel}: ${pkg} may not use "${spec}" (no I/O in this layer)`);
        continue;
      }
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (name.startsWith('@guichet/')) {
        if (rule.internal !== '*' && !rule.internal.includes(name)) problems.push(`${rel}: ${pkg} may not import ${name}`);
        if (!declared.has(name) && pkg !== 'bench') problems.push(`${rel}: imports ${name}, which ${pkg}/package.json does not declare`);
        continue;
      }
      if (isSrc && rule.external && !rule.external.includes(name)) {
        problems.push(`${rel}: ${pkg} may not depend on "${name}" (allowed: ${rule.external.join(', ') || 'none'})`);
        continue;
      }
      // Test files may use the root's dev tools; source files only their declared dependencies.
      if (isSrc && !declared.has(name)) problems.push(`${rel}: imports "${name}", which ${pkg}/package.json does not declare`);
    }
    if (isSrc && rule.forbidEnv && /process\.env/.test(text)) problems.push(`${rel}: ${pkg} may not read process.env`);
    if (isSrc && !rule.forbidEnv && /process\.env/.test(text) && !ENV_READERS.has(rel)) {
      problems.push(`${rel}: only ${[...ENV_READERS].join(', ')} read process.env; take configuration as a parameter`);
    }
  }
}

if (problems.length) {
  console.error(`Package boundary violations (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Package boundaries respected (${Object.keys(RULES).length} packages).`);

/**
 * Where the shared data sets are: `<repository>/../shared/datasets`, or GUICHET_DATASETS_DIR.
 * Benchmarks read them in place; they are never copied into the repository.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function datasetDir(name: string): string {
  const base = resolve(process.env.GUICHET_DATASETS_DIR ?? resolve(repoRoot, '../shared/datasets'));
  const dir = join(base, name);
  if (!existsSync(dir)) throw new Error(`Data set ${name} not found in ${base} (set GUICHET_DATASETS_DIR to the folder holding it).`);
  return dir;
}

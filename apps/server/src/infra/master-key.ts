import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateServerKey, type Database } from '@guichet/db';
import type { Config } from '../config.ts';

/**
 * The master key behind the keyring. Configured with GUICHET_SECRET_KEY (recommended on servers);
 * otherwise generated once: in the data folder for the embedded database (file mode 0600), or in
 * the database itself for PostgreSQL, so every process of a cluster shares it.
 */
export async function resolveMasterKey(
  config: Pick<Config, 'secretKey' | 'databaseUrl' | 'dataDir'>,
  database: Pick<Database, 'db'>,
): Promise<{ key: Buffer; source: 'config' | 'file' | 'database' }> {
  if (config.secretKey) return { key: config.secretKey, source: 'config' };
  if (!config.databaseUrl) {
    const file = join(config.dataDir, 'secret.key');
    if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return { key: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), source: 'file' };
  }
  return { key: await loadOrCreateServerKey(database.db, 'master'), source: 'database' };
}

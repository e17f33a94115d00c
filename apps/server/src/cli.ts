import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { bootstrapWorkspace, isAppError, resetPasswordAsOperator } from '@guichet/core';
import { ConfigError, loadConfig } from './config.ts';
import { createDeps } from './infra/deps.ts';
import { resolveMasterKey } from './infra/master-key.ts';
import { openConfiguredDatabase } from './server.ts';

const USAGE = `Usage: npm run guichet -- <command> [options]

Commands:
  workspace:create --slug <slug> --name <name> --admin-email <email> [--admin-name <name>] [--mail-domain <domain>] [--language en|fr]
      Create a workspace and its first admin; prints the admin's generated password once.
  user:reset-password --workspace <slug> --email <email>
      Set a new generated password for an account (printed once) and end its sessions.

The database is the one the server uses (DATABASE_URL, or the embedded one in GUICHET_DATA_DIR;
stop the server first when it runs on the embedded database).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      slug: { type: 'string' },
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-name': { type: 'string' },
      'mail-domain': { type: 'string' },
      language: { type: 'string' },
      workspace: { type: 'string' },
      email: { type: 'string' },
    },
    strict: true,
  });
  const need = (k: keyof typeof values): string => {
    const v = values[k];
    if (typeof v !== 'string' || !v) throw new UsageError(`--${k} is required`);
    return v;
  };
  if (command !== 'workspace:create' && command !== 'user:reset-password') throw new UsageError(`unknown command "${command}"`);

  const config = loadConfig(undefined, []);
  const database = await openConfiguredDatabase(config);
  try {
    const deps = createDeps(database, config, (await resolveMasterKey(config, database)).key);
    const password = randomBytes(12).toString('base64url');
    if (command === 'workspace:create') {
      const language = values.language ?? 'en';
      if (language !== 'en' && language !== 'fr') throw new UsageError('--language is en or fr');
      const { workspace, admin } = await bootstrapWorkspace(deps, {
        slug: need('slug'),
        name: need('name'),
        mailDomain: values['mail-domain'] ?? null,
        defaultLanguage: language,
        admin: { email: need('admin-email'), name: values['admin-name'] ?? 'Admin', password },
      });
      console.log(`Workspace "${workspace.slug}" created. Admin: ${admin.email}\n  password: ${password}   (shown only once)`);
    } else {
      const user = await resetPasswordAsOperator(deps, { workspaceSlug: need('workspace'), email: need('email'), password });
      console.log(`New password for ${user.email} in "${need('workspace')}": ${password}   (shown only once; their sessions are ended)`);
    }
    return 0;
  } finally {
    await database.close();
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError || e instanceof ConfigError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`${(e as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(isAppError(e) ? `${e.code}: ${e.message}` : (e as Error).message);
    process.exit(1);
  },
);

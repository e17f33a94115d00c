import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (this file is apps/server/src/config.ts). */
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The only file that reads the environment. Parsed once at start, validated and frozen; a bad
 * value stops the start with a message naming the variable.
 */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  dbPoolSize: number;
  /** Jobs one worker process runs at a time (GUICHET_WORKER_CONCURRENCY). */
  workerConcurrency: number;
  smtpPort: number;
  /** IMAP mailboxes: fallback poll period (IDLE announces new mail sooner). */
  imapPollSeconds: number;
  /** Inbound SMTP: largest message accepted (GUICHET_SMTP_MAX_MB), answered 552 above. */
  smtpMaxBytes: number;
  /** Inbound mail: largest attachment kept, and all attachments of one message together. */
  emailMaxAttachmentBytes: number;
  emailMaxAttachmentsTotalBytes: number;
  /** PEM files: STARTTLS on the inbound listener is offered only when both are set. */
  smtpTlsKeyFile: string | undefined;
  smtpTlsCertFile: string | undefined;
  /** GUICHET_SMTP_RELAY: where outgoing mail goes for mailboxes without SMTP settings (smtp:// or smtps://). */
  smtpRelay: string | undefined;
  /**
   * GUICHET_MAIL_OUTBOX: a folder where outgoing mail is written as .eml files instead of being
   * sent, for mailboxes without SMTP settings. Defaults to `<data dir>/outbox` on the embedded
   * database when GUICHET_SMTP_RELAY is not set (trying Guichet needs no mail server); unset on
   * PostgreSQL, where mail without a relay fails visibly.
   */
  mailOutboxDir: string | undefined;
  /**
   * GUICHET_DATASETS_DIR: where the demo seed looks for the public datasets it borrows ticket
   * texts from (default `../shared/datasets` beside the repository); built-in texts when absent.
   */
  demoDatasetsDir: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  demo: boolean;
  roles: ReadonlySet<'web' | 'worker' | 'smtp'>;
  logLevel: string;
  sessionTtlMs: number;
  secureCookies: boolean;
  /** Check every response against its schema (tests). */
  validateResponses: boolean;
  maxLoginFailures: number;
  loginWindowMs: number;
  bodyLimitBytes: number;
  /** After a stop signal, how long requests in flight may take before their connections are cut. */
  shutdownGraceMs: number;
  /** GUICHET_SECRET_KEY: 32 bytes (base64 or hex) behind signed reply addresses and sealed credentials. */
  secretKey: Buffer | undefined;
  /**
   * GUICHET_PROCESSES: how many Guichet processes this command runs (node:cluster), sharing the
   * HTTP and SMTP ports, each with the configured roles. PostgreSQL only (PGlite is one process's database).
   */
  processes: number;
  /** GUICHET_WEB_DIR: the built agent web app served at `/` (default: apps/web/dist of this checkout). */
  webDir: string;
  /** GUICHET_PUBLIC_URL: where people open Guichet (links in emails); default: the address it listens on. */
  publicUrl: string | undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): Readonly<Config> {
  const rolesArg = argv.find((a) => a.startsWith('--roles='))?.slice('--roles='.length) ?? env.GUICHET_ROLES ?? 'web,worker,smtp';
  const roles = new Set(rolesArg.split(',').map((r) => r.trim()).filter(Boolean));
  for (const r of roles) if (!['web', 'worker', 'smtp'].includes(r)) throw new ConfigError(`--roles takes web, worker and smtp (got "${r}")`);
  const url = env.DATABASE_URL?.trim() || undefined;
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('DATABASE_URL must be a postgres:// URL');
  const adminEmail = env.GUICHET_ADMIN_EMAIL?.trim() || undefined;
  const adminPassword = env.GUICHET_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 10) throw new ConfigError('GUICHET_ADMIN_PASSWORD must be at least 10 characters');
  const smtpRelay = env.GUICHET_SMTP_RELAY?.trim() || undefined;
  if (smtpRelay && !/^smtps?:\/\/[^/]+/.test(smtpRelay)) throw new ConfigError('GUICHET_SMTP_RELAY must be an smtp:// or smtps:// URL (got "' + smtpRelay + '")');
  const logLevel = env.LOG_LEVEL?.trim().toLowerCase() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);
  const publicUrl = env.GUICHET_PUBLIC_URL?.trim().replace(/\/+$/, '') || undefined;
  if (publicUrl && !/^https?:\/\/[^/]+/.test(publicUrl)) throw new ConfigError(`GUICHET_PUBLIC_URL must be an http:// or https:// URL (got "${publicUrl}")`);
  let secretKey: Buffer | undefined;
  const rawKey = env.GUICHET_SECRET_KEY?.trim();
  if (rawKey) {
    secretKey = /^[0-9a-fA-F]{64}$/.test(rawKey) ? Buffer.from(rawKey, 'hex') : Buffer.from(rawKey, 'base64');
    if (secretKey.length !== 32) throw new ConfigError('GUICHET_SECRET_KEY must be 32 bytes, written as 64 hex digits or base64');
  }
  const processes = int(env, 'GUICHET_PROCESSES', 1, 1, 64);
  if (processes > 1 && !url) {
    throw new ConfigError('GUICHET_PROCESSES above 1 needs DATABASE_URL: the embedded database is opened by one process only');
  }
  const dataDir = resolve(env.GUICHET_DATA_DIR?.trim() || './data');
  const outboxEnv = env.GUICHET_MAIL_OUTBOX?.trim();
  const mailOutboxDir = outboxEnv ? resolve(outboxEnv) : !smtpRelay && !url ? join(dataDir, 'outbox') : undefined;
  return Object.freeze({
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST?.trim() || '127.0.0.1',
    dataDir,
    databaseUrl: url,
    dbPoolSize: int(env, 'GUICHET_DB_POOL', 10, 1, 200),
    workerConcurrency: int(env, 'GUICHET_WORKER_CONCURRENCY', 4, 1, 100),
    smtpPort: int(env, 'GUICHET_SMTP_PORT', 2525, 0, 65535),
    imapPollSeconds: int(env, 'GUICHET_IMAP_POLL_SECONDS', 60, 5, 3600),
    smtpMaxBytes: int(env, 'GUICHET_SMTP_MAX_MB', 25, 1, 200) * 1024 * 1024,
    emailMaxAttachmentBytes: int(env, 'GUICHET_EMAIL_MAX_ATTACHMENT_MB', 10, 1, 200) * 1024 * 1024,
    emailMaxAttachmentsTotalBytes: int(env, 'GUICHET_EMAIL_MAX_ATTACHMENTS_MB', 25, 1, 200) * 1024 * 1024,
    smtpTlsKeyFile: env.GUICHET_SMTP_TLS_KEY?.trim() || undefined,
    smtpTlsCertFile: env.GUICHET_SMTP_TLS_CERT?.trim() || undefined,
    smtpRelay,
    mailOutboxDir,
    demoDatasetsDir: resolve(env.GUICHET_DATASETS_DIR?.trim() || join(REPO_ROOT, '..', 'shared', 'datasets')),
    adminEmail,
    adminPassword,
    demo: bool(env, 'GUICHET_DEMO', true),
    roles: roles as Config['roles'],
    logLevel,
    sessionTtlMs: int(env, 'GUICHET_SESSION_TTL_HOURS', 24 * 14, 1, 24 * 365) * 3_600_000,
    secureCookies: bool(env, 'GUICHET_SECURE_COOKIES', false),
    validateResponses: bool(env, 'GUICHET_VALIDATE_RESPONSES', false),
    maxLoginFailures: int(env, 'GUICHET_MAX_LOGIN_FAILURES', 10, 1, 1000),
    loginWindowMs: int(env, 'GUICHET_LOGIN_WINDOW_MINUTES', 15, 1, 1440) * 60_000,
    bodyLimitBytes: int(env, 'GUICHET_BODY_LIMIT_MB', 10, 1, 100) * 1024 * 1024,
    shutdownGraceMs: int(env, 'GUICHET_SHUTDOWN_GRACE_SECONDS', 20, 0, 3600) * 1000,
    secretKey,
    processes,
    publicUrl,
    webDir: resolve(env.GUICHET_WEB_DIR?.trim() || fileURLToPath(new URL('../../web/dist', import.meta.url))),
  });
}

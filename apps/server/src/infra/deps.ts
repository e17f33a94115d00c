import { createKeyring, createUuidV7, cryptoSecrets, systemClock, type Clock, type Deps } from '@guichet/core';
import { createStore, type Database } from '@guichet/db';
import type { Config } from '../config.ts';
import { argon2Hasher } from './passwords.ts';
import { sanitizeEmailHtml } from '../email/parse.ts';

/** HTML given with a message through the API, held to the allow-list of inbound mail (remote images kept but not loaded). */
export const sanitizeApiHtml = (html: string): string => sanitizeEmailHtml(html, { cidUrls: new Map() }).html;

/** The composition root's wiring of ports to adapters. */
export function createDeps(
  database: Database,
  config: Pick<Config, 'sessionTtlMs' | 'maxLoginFailures' | 'loginWindowMs'>,
  masterKey: Buffer,
  clock: Clock = systemClock,
): Deps {
  return {
    store: createStore(database.db),
    clock,
    ids: createUuidV7(clock),
    secrets: cryptoSecrets,
    keyring: createKeyring(masterKey),
    passwords: argon2Hasher,
    sanitizeHtml: sanitizeApiHtml,
    settings: {
      sessionTtlMs: config.sessionTtlMs,
      maxLoginFailures: config.maxLoginFailures,
      loginWindowMs: config.loginWindowMs,
    },
  };
}

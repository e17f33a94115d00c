import { createKeyring, createUuidV7, cryptoSecrets, systemClock, type Clock, type Deps } from '@guichet/core';
import { createStore, type Database } from '@guichet/db';
import type { Config } from '../config.ts';
import { argon2Hasher } from './passwords.ts';

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
    settings: {
      sessionTtlMs: config.sessionTtlMs,
      maxLoginFailures: config.maxLoginFailures,
      loginWindowMs: config.loginWindowMs,
    },
  };
}

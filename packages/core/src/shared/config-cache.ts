/**
 * What hot paths read of a workspace's configuration (SLA policies, calendars, triggers, webhooks,
 * teams, routing settings…), kept in memory under the workspace's configuration version
 * (`WorkspaceRepository.configVersion`, one primary-key read) instead of read again per ticket.
 *
 * The version changes with any committed change to that configuration, in any process, and is
 * never given twice, so a part kept under the version just read is the configuration as of that
 * read or newer: never older. Parts are loaded on first use through the repositories of the
 * caller (its transaction, if it has one), and frozen: callers share them.
 */
import type { Repositories } from '../store.ts';

/** A workspace's configuration version, read once by an operation and handed down to what it calls. */
export interface ConfigVersion {
  readonly workspaceId: string;
  readonly version: string;
}

interface Entry {
  version: string;
  parts: Map<string, Promise<unknown>>;
}

const MAX_WORKSPACES = 500;
const entries = new Map<string, Entry>();

export async function readConfigVersion(repos: Repositories, workspaceId: string): Promise<ConfigVersion> {
  return { workspaceId, version: await repos.workspaces.configVersion(workspaceId) };
}

/**
 * The part `name` of the configuration under `cfg`: the kept one, else `load()` (with the
 * caller's repositories), kept for the next caller of the same version. A failed load is not kept.
 */
export function configPart<T>(cfg: ConfigVersion, name: string, load: () => Promise<T>): Promise<T> {
  let entry = entries.get(cfg.workspaceId);
  if (!entry || entry.version !== cfg.version) {
    // '' is no workspace (or a fake store): nothing is kept.
    if (cfg.version === '') return load().then(freeze);
    if (entry && newer(entry.version, cfg.version)) {
      // A caller still on an older version (it read it before a change): do not throw away
      // what newer callers keep.
      return load().then(freeze);
    }
    entry = { version: cfg.version, parts: new Map() };
    entries.delete(cfg.workspaceId);
    if (entries.size >= MAX_WORKSPACES) entries.delete(entries.keys().next().value!);
    entries.set(cfg.workspaceId, entry);
  }
  let part = entry.parts.get(name) as Promise<T> | undefined;
  if (!part) {
    const parts = entry.parts;
    part = load().then(freeze);
    parts.set(name, part);
    part.catch(() => parts.delete(name));
  }
  return part;
}

function newer(a: string, b: string): boolean {
  return /^\d+$/.test(a) && /^\d+$/.test(b) && BigInt(a) > BigInt(b);
}

/** Shallow freeze of what is shared: an array and its items, or an object. */
function freeze<T>(v: T): T {
  if (Array.isArray(v)) {
    for (const x of v) if (x && typeof x === 'object') Object.freeze(x);
    return Object.freeze(v) as T;
  }
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.freeze(v);
  return v;
}

/** Forget everything kept (tests that swap databases under the same workspace ids). */
export function clearConfigCache(): void {
  entries.clear();
}

import { randomBytes } from 'node:crypto';
import { bootstrapWorkspace, type Deps } from '@guichet/core';
import type { Config } from '../config.ts';

export interface DemoResult {
  workspaceSlug: string;
  adminEmail: string;
  created: boolean;
  /** Only when generated at this start; shown once and never stored in clear. */
  generatedPassword: string | null;
}

export const DEMO_SLUG = 'demo';

/**
 * The demo workspace, created on first start (unless GUICHET_DEMO=0) and left alone afterwards,
 * so restarts are idempotent and never overwrite what people changed.
 */
export async function ensureDemoWorkspace(
  deps: Deps,
  config: Pick<Config, 'demo' | 'adminEmail' | 'adminPassword'>,
): Promise<DemoResult | null> {
  if (!config.demo) return null;
  const adminEmail = (config.adminEmail ?? 'admin@demo.guichet.test').toLowerCase();
  const existing = await deps.store.workspaces.findBySlug(DEMO_SLUG);
  if (existing) return { workspaceSlug: DEMO_SLUG, adminEmail, created: false, generatedPassword: null };
  const generatedPassword = config.adminPassword ? null : randomBytes(12).toString('base64url');
  try {
    await bootstrapWorkspace(deps, {
      slug: DEMO_SLUG,
      name: 'Guichet Demo',
      mailDomain: 'demo.guichet.test',
      defaultLanguage: 'en',
      admin: { email: adminEmail, name: 'Demo Admin', password: config.adminPassword ?? generatedPassword! },
    });
  } catch (e) {
    // Another process seeded it at the same moment (two servers on one PostgreSQL).
    if ((e as { code?: string }).code === 'NAME_TAKEN') return { workspaceSlug: DEMO_SLUG, adminEmail, created: false, generatedPassword: null };
    throw e;
  }
  return { workspaceSlug: DEMO_SLUG, adminEmail, created: true, generatedPassword };
}

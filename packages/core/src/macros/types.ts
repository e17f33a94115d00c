import type { MacroActions } from '@guichet/contracts';

/** A reply template: a title, an English and/or French body with placeholders, optional ticket changes. */
export interface Macro {
  id: string;
  workspaceId: string;
  /** Who wrote it; null once that person is deleted (a shared macro stays). */
  ownerId: string | null;
  /** Shared with every staff member (managed by admins); otherwise its owner's alone. */
  shared: boolean;
  title: string;
  bodyEn: string | null;
  bodyFr: string | null;
  actions: MacroActions;
  usageCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface MacroRepository {
  insert(m: Macro): Promise<Macro>;
  findById(workspaceId: string, id: string): Promise<Macro | null>;
  /** The user's own macros and the shared ones, most used first, then by title; `text` filters on title and bodies. */
  listVisible(workspaceId: string, userId: string, f: { text?: string; scope: 'all' | 'mine' | 'shared' }): Promise<Macro[]>;
  countOwned(workspaceId: string, userId: string): Promise<number>;
  update(workspaceId: string, id: string, patch: Partial<Pick<Macro, 'title' | 'bodyEn' | 'bodyFr' | 'actions' | 'shared' | 'updatedAt'>>): Promise<Macro>;
  delete(workspaceId: string, id: string): Promise<void>;
  /** Count one more use; returns the new count. */
  incrementUsage(workspaceId: string, id: string): Promise<number>;
}

/** Request categories: the list the admin maintains for the portal's form, carried by tickets. */
export interface TicketCategory {
  id: string;
  workspaceId: string;
  /** Stable, lower-case; routing rules name it in their "category" condition. */
  key: string;
  names: { en?: string; fr?: string };
  position: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface TicketCategoryRepository {
  insert(c: TicketCategory): Promise<TicketCategory>;
  findById(workspaceId: string, id: string): Promise<TicketCategory | null>;
  update(workspaceId: string, id: string, patch: Partial<Pick<TicketCategory, 'key' | 'names' | 'position' | 'active' | 'updatedAt'>>): Promise<TicketCategory>;
  delete(workspaceId: string, id: string): Promise<void>;
  /** By position, then creation; retired ones only when asked. */
  list(workspaceId: string, opts: { includeInactive: boolean }): Promise<TicketCategory[]>;
}

/** In-app notifications for staff (SLA warnings and breaches, rule notifications). */
export interface Notification {
  id: string;
  workspaceId: string;
  userId: string;
  ticketId: string | null;
  kind: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  /** At most one notification per user and key: sending twice is a no-op. */
  dedupeKey: string;
  createdAt: Date;
  readAt: Date | null;
}

export interface NotificationRepository {
  /** False when this user already has a notification with this dedupe key. */
  insert(n: Notification): Promise<boolean>;
  /** Newest first; only those delivered by `deliveredBy` (a notification held for quiet hours shows from its `createdAt`). */
  listForUser(workspaceId: string, userId: string, page: { limit: number; deliveredBy: Date; unreadOnly?: boolean; before?: { createdAt: Date; id: string } }): Promise<Notification[]>;
  markRead(workspaceId: string, userId: string, ids: string[], at: Date): Promise<number>;
}

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
  /** Several in one statement; answers the ids of those written (the others were already there). */
  insertMany(list: Notification[]): Promise<Set<string>>;
  /** Newest first; only those delivered by `deliveredBy` (a notification held for quiet hours shows from its `createdAt`). */
  listForUser(workspaceId: string, userId: string, page: { limit: number; deliveredBy: Date; unreadOnly?: boolean; before?: { createdAt: Date; id: string } }): Promise<Notification[]>;
  markRead(workspaceId: string, userId: string, ids: string[], at: Date): Promise<number>;
  /** Unread and already delivered (the bell's number). */
  countUnread(workspaceId: string, userId: string, deliveredBy: Date): Promise<number>;
  /** Every delivered unread one; returns how many. */
  markAllRead(workspaceId: string, userId: string, at: Date, deliveredBy: Date): Promise<number>;
}

/** Staff members who follow a ticket (told of the customer's replies); not the email followers (Cc). */
export interface StaffFollowerRepository {
  /** True when the user did not follow the ticket yet. */
  follow(workspaceId: string, ticketId: string, userId: string, at: Date): Promise<boolean>;
  /** True when the user followed it. */
  unfollow(workspaceId: string, ticketId: string, userId: string): Promise<boolean>;
  /** Followers in the order they followed. */
  list(workspaceId: string, ticketId: string): Promise<Array<{ id: string; name: string }>>;
}

/** The people an internal note mentions (one row each). */
export interface MentionRepository {
  add(workspaceId: string, ticketId: string, messageId: string, userIds: string[], at: Date): Promise<void>;
  listForMessage(workspaceId: string, messageId: string): Promise<string[]>;
}

import { MESSAGE_FORMATS } from './markdown.ts';
import { MESSAGE_MAX_FILES, UPLOAD_MAX_BYTES } from './limits.ts';
import { z } from 'zod';
import { Channel, MessageVisibility, SlaState, TicketPriority, TicketStatus } from './enums.ts';
import { LANGUAGE, email, isoDate, nonEmpty, pageQuery, queryList, uuid } from './common.ts';
import { MessageEmailOut } from './email.ts';

export const Tag = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(50)
  .regex(/^[\p{L}\p{N}_\-:.]+$/u, 'letters, digits, "_", "-", ":" or "." without spaces');

const tags = z.array(Tag).max(50);
const customFieldValues = z.record(z.string().max(64), z.unknown());

export const AttachmentMeta = z.object({
  filename: nonEmpty(255),
  contentType: z.string().max(255).default('application/octet-stream'),
  sizeBytes: z.number().int().min(0),
  sha256: z.string().regex(/^[a-f0-9]{64}$/).optional(),
  storageKey: z.string().max(512).optional(),
  inline: z.boolean().default(false),
});
export type AttachmentMeta = z.infer<typeof AttachmentMeta>;

/** A file for a reply or a note: its bytes, base64-encoded, and its name (never a path). */
export const UploadFileInput = z.object({
  filename: nonEmpty(255),
  contentBase64: z
    .string()
    .max(Math.ceil(UPLOAD_MAX_BYTES / 3) * 4 + 4, `the file is larger than ${UPLOAD_MAX_BYTES / 1048576} MB`)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
});
export type UploadFileInput = z.infer<typeof UploadFileInput>;

/** A stored upload: what a message's `attachments` refer to. The type comes from the bytes. */
export const UploadOut = z.object({
  sha256: z.string(),
  storageKey: z.string(),
  filename: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
});
export type UploadOut = z.infer<typeof UploadOut>;

/**
 * A file on a new message, by reference to an upload of the same workspace (POST
 * /tickets/{id}/uploads). Size and type are the stored bytes', whatever a client says.
 */
export const MessageAttachmentInput = z.object({
  sha256: z.string().regex(/^[a-f0-9]{64}$/, 'a SHA-256 from POST /tickets/{id}/uploads'),
  filename: nonEmpty(255),
  inline: z.boolean().default(false),
});
export type MessageAttachmentInput = z.infer<typeof MessageAttachmentInput>;

/** A requester given by reference or by address (created on first contact). */
export const RequesterInput = z.union([
  z.object({ id: uuid }),
  z.object({ email, name: nonEmpty(200).optional() }),
]);

export const CreateTicketInput = z.object({
  subject: nonEmpty(500),
  body: z.string().max(1_000_000).trim().min(1, 'the first message needs a body'),
  /** HTML from the caller (an import, an integration): sanitised with an allow-list before it is stored. Not with `format: "markdown"`. */
  bodyHtml: z.string().max(2_000_000).optional(),
  /** `markdown`: the body is formatted (see `renderMarkdown`) and its HTML is made from it. */
  format: z.enum(MESSAGE_FORMATS).default('text'),
  requester: RequesterInput.optional(),
  channel: Channel.default('api'),
  status: TicketStatus.exclude(['closed']).optional(),
  priority: TicketPriority.default('normal'),
  assigneeId: uuid.nullable().optional(),
  teamId: uuid.nullable().optional(),
  tags: tags.default([]),
  customFields: customFieldValues.default({}),
  language: LANGUAGE.nullable().optional(),
  /** The request category (GET /ticket-categories); customers pick an active one. */
  categoryId: uuid.nullable().optional(),
  /** The first message may be an internal note when an agent logs a call, for example. */
  firstMessageVisibility: MessageVisibility.default('public'),
  /**
   * Agents and admins: also send the first (public) message to the requester by email now, from
   * the workspace's mailbox, with the ticket's reply address (a conversation started by support).
   */
  emailRequester: z.boolean().default(false),
  attachments: z.array(AttachmentMeta).max(100).default([]),
});
export type CreateTicketInput = z.infer<typeof CreateTicketInput>;

export const UpdateTicketInput = z
  .object({
    subject: nonEmpty(500),
    status: TicketStatus,
    priority: TicketPriority,
    assigneeId: uuid.nullable(),
    teamId: uuid.nullable(),
    tags: tags,
    addTags: tags,
    removeTags: tags,
    customFields: customFieldValues,
    language: LANGUAGE.nullable(),
    requesterId: uuid,
    categoryId: uuid.nullable(),
    /** Optimistic concurrency: when given, the update fails with VERSION_CONFLICT if the ticket moved on. */
    version: z.number().int().min(1),
  })
  .partial()
  .refine((v) => Object.keys(v).some((k) => k !== 'version'), 'nothing to update');
export type UpdateTicketInput = z.infer<typeof UpdateTicketInput>;

/** POST /tickets/{id}/merge: the ticket named in the path goes into `into` (its number or id). */
export const MergeTicketInput = z.object({
  into: z.string().trim().regex(/^(\d{1,15}|[0-9a-fA-F-]{36})$/, 'a ticket number or id'),
  /** Merging tickets of two different requesters must be asked for explicitly. */
  allowDifferentRequesters: z.boolean().default(false),
});
export type MergeTicketInput = z.infer<typeof MergeTicketInput>;

/** `sla_due_at`: by the SLA deadline (GET /tickets/{id}/sla), tickets without one last whatever the order. */
export const TICKET_SORTS = ['created_at', 'updated_at', 'number', 'priority', 'sla_due_at'] as const;

export const ListTicketsQuery = pageQuery.extend({
  q: z.string().trim().max(500).optional(),
  status: queryList(TicketStatus).optional(),
  priority: queryList(TicketPriority).optional(),
  channel: queryList(Channel).optional(),
  assigneeId: z.union([uuid, z.literal('none'), z.literal('me')]).optional(),
  /** `mine`: the teams the caller belongs to. */
  teamId: z.union([uuid, z.literal('none'), z.literal('mine')]).optional(),
  requesterId: uuid.optional(),
  organizationId: uuid.optional(),
  tag: queryList(Tag).optional(),
  language: LANGUAGE.optional(),
  createdAfter: isoDate.optional(),
  createdBefore: isoDate.optional(),
  updatedAfter: isoDate.optional(),
  /** Tickets in any of these SLA states now (staff who may read SLAs). */
  sla: queryList(SlaState).optional(),
  sort: z.enum(TICKET_SORTS).default('created_at'),
  order: z.enum(['asc', 'desc']).default('desc'),
});
export type ListTicketsQuery = z.infer<typeof ListTicketsQuery>;

export const CreateMessageInput = z.object({
  body: z.string().max(1_000_000).trim().min(1, 'a message needs a body'),
  /** HTML from the caller (an import, an integration): sanitised with an allow-list before it is stored. Not with `format: "markdown"`. */
  bodyHtml: z.string().max(2_000_000).optional(),
  /** `markdown`: the body is formatted (see `renderMarkdown`) and its HTML is made from it; the body itself is the plain-text version. */
  format: z.enum(MESSAGE_FORMATS).default('text'),
  visibility: MessageVisibility.default('public'),
  channel: Channel.optional(),
  attachments: z.array(MessageAttachmentInput).max(MESSAGE_MAX_FILES, `at most ${MESSAGE_MAX_FILES} files per message`).default([]),
  /** Send-and-set-status: the status the ticket takes with this message. */
  status: TicketStatus.optional(),
});
export type CreateMessageInput = z.infer<typeof CreateMessageInput>;

export const TicketSlaSummaryOut = z.object({
  state: SlaState,
  /** The earliest deadline of an open target (a passed one when breached); null when none runs. */
  dueAt: isoDate.nullable(),
});
export type TicketSlaSummaryOut = z.infer<typeof TicketSlaSummaryOut>;

const personRef = z.object({ id: uuid, name: z.string(), email: z.string().nullable() });

export const TicketOut = z.object({
  id: uuid,
  number: z.number().int(),
  subject: z.string(),
  status: TicketStatus,
  priority: TicketPriority,
  channel: Channel,
  requester: personRef,
  organizationId: uuid.nullable(),
  assigneeId: uuid.nullable(),
  teamId: uuid.nullable(),
  tags: z.array(z.string()),
  customFields: z.record(z.string(), z.unknown()),
  language: z.string().nullable(),
  version: z.number().int(),
  createdAt: isoDate,
  updatedAt: isoDate,
  solvedAt: isoDate.nullable(),
  closedAt: isoDate.nullable(),
  categoryId: uuid.nullable(),
  /** The ticket this one was merged into (it is then closed); null otherwise. */
  mergedIntoId: uuid.nullable(),
  /** The SLA now, in lists and reads for staff who may read SLAs (not in the answers to changes). */
  sla: TicketSlaSummaryOut.optional(),
  /** What the caller may do with this ticket, so clients do not re-implement the rules. */
  permissions: z.object({
    update: z.boolean(),
    reply: z.boolean(),
    addNote: z.boolean(),
    viewInternal: z.boolean(),
  }),
});
export type TicketOut = z.infer<typeof TicketOut>;

export const MergeTicketOut = z.object({
  /** The merged ticket, now closed, with `mergedIntoId`. */
  source: TicketOut,
  /** The ticket kept, which holds the conversation of both. */
  target: TicketOut,
  movedMessages: z.number().int(),
});
export type MergeTicketOut = z.infer<typeof MergeTicketOut>;

export const MessageOut = z.object({
  id: uuid,
  ticketId: uuid,
  author: personRef.nullable(),
  visibility: MessageVisibility,
  channel: Channel,
  body: z.string(),
  bodyHtml: z.string().nullable(),
  attachments: z.array(AttachmentMeta.extend({ id: uuid })),
  createdAt: isoDate,
  /** Present when the message travelled by email. */
  email: MessageEmailOut.optional(),
});
export type MessageOut = z.infer<typeof MessageOut>;

export const EventOut = z.object({
  id: z.number().int(),
  type: z.string(),
  actor: z.object({ type: z.enum(['user', 'system', 'rule']), id: uuid.nullable(), name: z.string().nullable() }),
  data: z.record(z.string(), z.unknown()),
  createdAt: isoDate,
});
export type EventOut = z.infer<typeof EventOut>;

/** The inbox's built-in views and how many tickets each holds (open = new, open, pending, on hold). */
export const TicketCountsOut = z.object({
  mine: z.number().int(),
  unassigned: z.number().int(),
  myTeams: z.number().int(),
  open: z.number().int(),
  /** Updated in the last 24 hours, whatever their status. */
  recent: z.number().int(),
});
export type TicketCountsOut = z.infer<typeof TicketCountsOut>;

/** A saved inbox view: a ticket query with a name, the agent's own or shared with the workspace. */
export const SavedViewQuery = z
  .object({
    q: z.string().trim().max(500).optional(),
    status: z.array(TicketStatus).max(10).optional(),
    priority: z.array(TicketPriority).max(10).optional(),
    channel: z.array(Channel).max(10).optional(),
    assigneeId: z.union([uuid, z.literal('none'), z.literal('me')]).optional(),
    teamId: z.union([uuid, z.literal('none'), z.literal('mine')]).optional(),
    tag: z.array(Tag).max(50).optional(),
    language: LANGUAGE.optional(),
    organizationId: uuid.optional(),
    sla: z.array(SlaState).max(5).optional(),
    sort: z.enum(TICKET_SORTS).optional(),
    order: z.enum(['asc', 'desc']).optional(),
  })
  .strict();
export type SavedViewQuery = z.infer<typeof SavedViewQuery>;

export const CreateSavedViewInput = z.object({
  name: nonEmpty(100),
  query: SavedViewQuery,
  /** Shown to every staff member of the workspace (admins only). */
  shared: z.boolean().default(false),
});
export type CreateSavedViewInput = z.infer<typeof CreateSavedViewInput>;
export const UpdateSavedViewInput = z
  .object({ name: nonEmpty(100), query: SavedViewQuery, shared: z.boolean() })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateSavedViewInput = z.infer<typeof UpdateSavedViewInput>;

export const SavedViewOut = z.object({
  id: uuid,
  name: z.string(),
  query: SavedViewQuery,
  shared: z.boolean(),
  ownerId: uuid,
  createdAt: isoDate,
  updatedAt: isoDate,
  permissions: z.object({ update: z.boolean() }),
});
export type SavedViewOut = z.infer<typeof SavedViewOut>;

import { z } from 'zod';
import { TicketPriority, TicketStatus } from './enums.ts';
import { isoDate, nonEmpty, uuid } from './common.ts';

// ---- macros (reply templates) ----------------------------------------------------------

/** The placeholders a macro body may use, as `{{name}}`; anything else is refused when saved. */
export const MACRO_PLACEHOLDERS = [
  'customer.first_name',
  'customer.last_name',
  'customer.name',
  'customer.email',
  'organization.name',
  'ticket.id',
  'ticket.number',
  'ticket.subject',
  'agent.first_name',
  'agent.name',
  'agent.email',
  'workspace.name',
] as const;
export type MacroPlaceholder = (typeof MACRO_PLACEHOLDERS)[number];

const tag = z.string().trim().min(1).max(50);

/** What a macro changes on the ticket when it is used (all optional). */
export const MacroActions = z
  .object({
    status: TicketStatus.exclude(['new', 'closed']),
    priority: TicketPriority,
    addTags: z.array(tag).min(1).max(20),
    teamId: uuid.nullable(),
    assigneeId: uuid.nullable(),
  })
  .partial()
  .strict();
export type MacroActions = z.infer<typeof MacroActions>;

const macroBody = z.string().max(20_000);

export const CreateMacroInput = z
  .object({
    title: nonEmpty(200),
    bodyEn: macroBody.nullable().default(null),
    bodyFr: macroBody.nullable().default(null),
    actions: MacroActions.default({}),
    /** Shared with every staff member of the workspace (admins only); otherwise personal. */
    shared: z.boolean().default(false),
  })
  .refine((v) => !!v.bodyEn?.trim() || !!v.bodyFr?.trim(), { message: 'a macro needs an English or a French body', path: ['bodyEn'] });
export type CreateMacroInput = z.infer<typeof CreateMacroInput>;

export const UpdateMacroInput = z
  .object({
    title: nonEmpty(200),
    bodyEn: macroBody.nullable(),
    bodyFr: macroBody.nullable(),
    actions: MacroActions,
    shared: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateMacroInput = z.infer<typeof UpdateMacroInput>;

export const ListMacrosQuery = z.object({
  /** Words found in the title or a body. */
  q: z.string().trim().max(200).optional(),
  scope: z.enum(['all', 'mine', 'shared']).default('all'),
});

export const MacroOut = z.object({
  id: uuid,
  title: z.string(),
  bodyEn: z.string().nullable(),
  bodyFr: z.string().nullable(),
  actions: MacroActions,
  shared: z.boolean(),
  ownerId: uuid.nullable(),
  usageCount: z.number().int(),
  createdAt: isoDate,
  updatedAt: isoDate,
  permissions: z.object({ update: z.boolean() }),
});
export type MacroOut = z.infer<typeof MacroOut>;

export const PreviewMacroInput = z.object({
  /** The language to render; by default the ticket's (the customer's), else whichever body exists. */
  language: z.enum(['en', 'fr']).optional(),
});
export type PreviewMacroInput = z.infer<typeof PreviewMacroInput>;

export const MacroPreviewOut = z.object({
  macroId: uuid,
  language: z.enum(['en', 'fr']),
  body: z.string(),
  actions: MacroActions,
});
export type MacroPreviewOut = z.infer<typeof MacroPreviewOut>;

export const ApplyMacroOut = z.object({ macroId: uuid, usageCount: z.number().int(), applied: MacroActions });

// ---- following tickets, notifications --------------------------------------------------

export const TicketFollowOut = z.object({
  following: z.boolean(),
  followers: z.array(z.object({ id: uuid, name: z.string() })),
});
export type TicketFollowOut = z.infer<typeof TicketFollowOut>;

export const NotificationCountOut = z.object({ unread: z.number().int() });

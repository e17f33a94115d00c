import { z } from 'zod';
import { TicketPriority, TicketStatus } from './enums.ts';
import { isoDate, nonEmpty, uuid } from './common.ts';

export const TRIGGER_EVENT_NAMES = ['ticket.created', 'ticket.updated', 'message.added', 'sla.warning', 'sla.breached'] as const;
export const TriggerEventName = z.enum(TRIGGER_EVENT_NAMES);

const FIELD = /^(event\.type|ticket\.(status|priority|channel|subject|team_id|assignee_id|organization_id|tags|language|custom_fields\.[a-z0-9_]{1,64})|requester\.(email|domain|name)|organization\.name|message\.(body|visibility|author|channel)|sla\.target|time\.(business_hours|weekday|hour))$/;

const scalar = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);

export const TriggerCondition = z.object({
  field: z.string().regex(FIELD, 'a known field: ticket.status, ticket.priority, ticket.tags, ticket.custom_fields.<key>, requester.domain, message.body, message.author, time.business_hours…'),
  op: z.enum(['is', 'is_not', 'in', 'not_in', 'contains', 'not_contains', 'present', 'absent', 'changed', 'changed_to', 'gt', 'lt']),
  value: z.union([scalar, z.array(scalar).max(100)]).optional(),
});

const text = (max: number) => z.string().trim().min(1).max(max);

export const TriggerAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('set_status'), value: TicketStatus.exclude(['new']) }),
  z.object({ type: z.literal('set_priority'), value: TicketPriority }),
  z.object({ type: z.literal('set_team'), teamId: uuid.nullable() }),
  z.object({ type: z.literal('assign'), userId: uuid.nullable() }),
  z.object({ type: z.literal('add_tags'), tags: z.array(text(100)).min(1).max(20) }),
  z.object({ type: z.literal('remove_tags'), tags: z.array(text(100)).min(1).max(20) }),
  z.object({ type: z.literal('set_custom_field'), key: z.string().min(1).max(64), value: scalar.or(z.array(z.string().max(500)).max(50)) }),
  z.object({ type: z.literal('add_note'), body: text(10_000) }),
  z.object({ type: z.literal('reply'), body: text(10_000) }),
  z.object({ type: z.literal('notify'), to: z.enum(['assignee', 'team_leads', 'admins']), title: text(200), body: text(2000) }),
]);

const conditions = z.object({ all: z.array(TriggerCondition).max(50).default([]), any: z.array(TriggerCondition).max(50).default([]) });

export const CreateTriggerInput = z.object({
  name: nonEmpty(200),
  description: z.string().max(2000).nullable().default(null),
  position: z.number().int().min(0).max(1_000_000).optional(),
  enabled: z.boolean().default(true),
  events: z.array(TriggerEventName).min(1).max(5),
  conditions: conditions.default({ all: [], any: [] }),
  actions: z.array(TriggerAction).min(1).max(20),
  stop: z.boolean().default(false),
});
export type CreateTriggerInput = z.infer<typeof CreateTriggerInput>;

export const UpdateTriggerInput = z
  .object({
    name: nonEmpty(200),
    description: z.string().max(2000).nullable(),
    position: z.number().int().min(0).max(1_000_000),
    enabled: z.boolean(),
    events: z.array(TriggerEventName).min(1).max(5),
    conditions,
    actions: z.array(TriggerAction).min(1).max(20),
    stop: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateTriggerInput = z.infer<typeof UpdateTriggerInput>;

export const TriggerOut = z.object({
  id: uuid,
  name: z.string(),
  description: z.string().nullable(),
  position: z.number().int(),
  enabled: z.boolean(),
  events: z.array(TriggerEventName),
  conditions: z.object({ all: z.array(TriggerCondition), any: z.array(TriggerCondition) }),
  actions: z.array(TriggerAction),
  stop: z.boolean(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type TriggerOut = z.infer<typeof TriggerOut>;

export const DryRunTriggerInput = z.object({
  /** A trigger not saved yet; absent with /triggers/{id}/dry-run. */
  trigger: CreateTriggerInput.optional(),
  /** The event to simulate (default: the trigger's first). */
  event: TriggerEventName.optional(),
  /** How many of the most recently updated open tickets to try. */
  limit: z.number().int().min(1).max(500).default(100),
});

export const DryRunTriggerOut = z.object({
  tried: z.number().int(),
  matched: z.number().int(),
  items: z.array(
    z.object({
      ticketId: uuid,
      number: z.number().int(),
      subject: z.string(),
      changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })),
      notes: z.number().int(),
      notifications: z.array(z.string()),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    }),
  ),
});

const AutomationConditions = z.object({
  statuses: z.array(TicketStatus.exclude(['closed'])).min(1).max(5),
  hoursSinceCreated: z.number().min(0).max(100_000).optional(),
  hoursSinceUpdated: z.number().min(0).max(100_000).optional(),
  /** Hours since the requester's last public message (the ticket's creation when they wrote none since). */
  hoursSinceCustomerReply: z.number().min(0).max(100_000).optional(),
  /** Hours since the ticket entered its current status (pending for 7 days…). */
  hoursInStatus: z.number().min(0).max(100_000).optional(),
  /** A running SLA target is due within this many hours, or already overdue (acts before a breach). */
  hoursBeforeSlaDeadline: z.number().min(0).max(100_000).optional(),
  all: z.array(TriggerCondition).max(50).default([]),
});

export const CreateAutomationInput = z.object({
  name: nonEmpty(200),
  description: z.string().max(2000).nullable().default(null),
  position: z.number().int().min(0).max(1_000_000).optional(),
  enabled: z.boolean().default(true),
  conditions: AutomationConditions,
  actions: z.array(TriggerAction).min(1).max(20),
});
export type CreateAutomationInput = z.infer<typeof CreateAutomationInput>;

export const UpdateAutomationInput = z
  .object({
    name: nonEmpty(200),
    description: z.string().max(2000).nullable(),
    position: z.number().int().min(0).max(1_000_000),
    enabled: z.boolean(),
    conditions: AutomationConditions,
    actions: z.array(TriggerAction).min(1).max(20),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateAutomationInput = z.infer<typeof UpdateAutomationInput>;

export const AutomationOut = z.object({
  id: uuid,
  name: z.string(),
  description: z.string().nullable(),
  position: z.number().int(),
  enabled: z.boolean(),
  conditions: AutomationConditions,
  actions: z.array(TriggerAction),
  /** Firings so far, and on how many tickets. */
  stats: z.object({ firings: z.number().int(), tickets: z.number().int() }),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type AutomationOut = z.infer<typeof AutomationOut>;

const webhookUrl = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'an http(s) URL');

export const CreateWebhookInput = z.object({
  name: nonEmpty(200),
  url: webhookUrl,
  events: z.array(TriggerEventName).min(1).max(5),
  enabled: z.boolean().default(true),
});
export type CreateWebhookInput = z.infer<typeof CreateWebhookInput>;

export const UpdateWebhookInput = z
  .object({ name: nonEmpty(200), url: webhookUrl, events: z.array(TriggerEventName).min(1).max(5), enabled: z.boolean() })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateWebhookInput = z.infer<typeof UpdateWebhookInput>;

export const WebhookOut = z.object({
  id: uuid,
  name: z.string(),
  url: z.string(),
  events: z.array(TriggerEventName),
  enabled: z.boolean(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

/** The creation answer: the only time the signing secret is shown. */
export const CreatedWebhookOut = WebhookOut.extend({ secret: z.string() });

export const WebhookDeliveryOut = z.object({
  id: uuid,
  event: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  createdAt: isoDate,
  deliveredAt: isoDate.nullable(),
  /** The delivery this one sends again (an admin's redelivery), or null. */
  redeliveryOf: uuid.nullable(),
});

export type TriggerEventName = z.infer<typeof TriggerEventName>;
export type TriggerCondition = z.infer<typeof TriggerCondition>;
export type TriggerAction = z.infer<typeof TriggerAction>;
export type DryRunTriggerInput = z.input<typeof DryRunTriggerInput>;
export type DryRunTriggerOut = z.infer<typeof DryRunTriggerOut>;
export type WebhookOut = z.infer<typeof WebhookOut>;
export type CreatedWebhookOut = z.infer<typeof CreatedWebhookOut>;
export type WebhookDeliveryOut = z.infer<typeof WebhookDeliveryOut>;

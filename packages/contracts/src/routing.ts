import { z } from 'zod';
import { isoDate, nonEmpty, uuid } from './common.ts';
import { Channel, TicketPriority } from './enums.ts';

export const ROUTING_MODES = ['skills', 'round_robin', 'load_balanced', 'manual'] as const;
export const RoutingMode = z.enum(ROUTING_MODES);

export const RoutingSettingsOut = z.object({
  autoAssign: z.boolean(),
  minConfidence: z.number(),
  categoryField: z.string().nullable(),
  trainingWindowDays: z.number().int(),
  updatedAt: isoDate.nullable(),
});
export const UpdateRoutingSettingsInput = z
  .object({
    autoAssign: z.boolean(),
    minConfidence: z.number().min(0).max(1),
    categoryField: z.string().trim().min(1).max(64).nullable(),
    trainingWindowDays: z.number().int().min(7).max(3650),
  })
  .partial()
  .strict();
export type UpdateRoutingSettingsInput = z.infer<typeof UpdateRoutingSettingsInput>;

export const RuleConditionsSchema = z
  .object({
    keywords: z.array(nonEmpty(100)).max(100).optional(),
    senderDomains: z
      .array(z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'a domain such as "example.com"'))
      .max(100)
      .optional(),
    channels: z.array(Channel).max(6).optional(),
    category: nonEmpty(200).optional(),
  })
  .strict()
  .refine((c) => !!(c.keywords?.length || c.senderDomains?.length || c.channels?.length || c.category), 'a rule needs at least one condition');

export const CreateRoutingRuleInput = z
  .object({
    name: nonEmpty(200),
    position: z.number().int().min(0).max(100_000).default(0),
    enabled: z.boolean().default(true),
    conditions: RuleConditionsSchema,
    teamId: uuid,
    priority: TicketPriority.nullable().default(null),
  })
  .strict();
export type CreateRoutingRuleInput = z.infer<typeof CreateRoutingRuleInput>;
export const UpdateRoutingRuleInput = z
  .object({
    name: nonEmpty(200),
    position: z.number().int().min(0).max(100_000),
    enabled: z.boolean(),
    conditions: RuleConditionsSchema,
    teamId: uuid,
    priority: TicketPriority.nullable(),
  })
  .partial()
  .strict();
export type UpdateRoutingRuleInput = z.infer<typeof UpdateRoutingRuleInput>;

export const RoutingRuleOut = z.object({
  id: uuid,
  name: z.string(),
  position: z.number().int(),
  enabled: z.boolean(),
  conditions: z.object({
    keywords: z.array(z.string()).optional(),
    senderDomains: z.array(z.string()).optional(),
    channels: z.array(Channel).optional(),
    category: z.string().optional(),
  }),
  teamId: uuid,
  priority: TicketPriority.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export const TeamRoutingOut = z.object({
  teamId: uuid,
  mode: RoutingMode,
  skillId: uuid.nullable(),
  reassignWhenAway: z.boolean(),
  overflowTeamId: uuid.nullable(),
  overflowAfterMinutes: z.number().int().nullable(),
});
export const UpdateTeamRoutingInput = z
  .object({
    mode: RoutingMode,
    skillId: uuid.nullable(),
    reassignWhenAway: z.boolean(),
    overflowTeamId: uuid.nullable(),
    overflowAfterMinutes: z.number().int().min(1).max(100_000).nullable(),
  })
  .partial()
  .strict();
export type UpdateTeamRoutingInput = z.infer<typeof UpdateTeamRoutingInput>;

export const AVAILABILITY_STATUSES = ['online', 'away', 'offline'] as const;
const clock = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'a time such as "09:00"');
export const WorkingHoursSchema = z
  .object({ days: z.array(z.number().int().min(1).max(7)).min(1).max(7), start: clock, end: clock })
  .strict()
  .refine((w) => w.start !== w.end, 'start and end differ');
export const AvailabilityOut = z.object({
  userId: uuid,
  status: z.enum(AVAILABILITY_STATUSES),
  outOfOfficeUntil: isoDate.nullable(),
  /** In the agent's time zone; days 1 (Monday) to 7 (Sunday); an end before the start runs past midnight. */
  workingHours: z.object({ days: z.array(z.number().int()), start: z.string(), end: z.string() }).nullable(),
  lastAssignedAt: isoDate.nullable(),
});
export const UpdateAvailabilityInput = z
  .object({ status: z.enum(AVAILABILITY_STATUSES), outOfOfficeUntil: isoDate.nullable(), workingHours: WorkingHoursSchema.nullable() })
  .partial()
  .strict();
export type UpdateAvailabilityInput = z.infer<typeof UpdateAvailabilityInput>;

export const TicketRoutingOut = z.object({
  ticketId: uuid,
  state: z.enum(['assigned', 'queued', 'triage', 'manual', 'skipped', 'triaged']),
  teamId: uuid.nullable(),
  teamSource: z.enum(['model', 'rule', 'given', 'triage']).nullable(),
  confidence: z.number().nullable(),
  predictions: z.record(z.string(), z.unknown()),
  assigneeId: uuid.nullable(),
  ruleId: uuid.nullable(),
  modelVersion: z.number().int().nullable(),
  /** In the reader's language (their locale), and both. */
  explanation: z.string(),
  explanations: z.object({ en: z.string(), fr: z.string() }),
  queuedAt: isoDate.nullable(),
  decidedAt: isoDate,
});

export const TriageDecisionInput = z.object({ teamId: uuid, assigneeId: uuid.nullable().optional() }).strict();
export type TriageDecisionInput = z.infer<typeof TriageDecisionInput>;

export const RoutingModelOut = z.object({
  id: uuid,
  version: z.number().int(),
  status: z.enum(['active', 'retired', 'rejected']),
  examples: z.number().int(),
  windowFrom: isoDate.nullable(),
  windowTo: isoDate.nullable(),
  metrics: z.record(z.string(), z.unknown()),
  validation: z.record(z.string(), z.unknown()),
  createdAt: isoDate,
  activatedAt: isoDate.nullable(),
});

export const TrainAcceptedOut = z.object({ jobId: z.number().int().nullable(), status: z.literal('queued') });

// Types for clients that take no schema library (the web app).
export type RoutingMode = z.infer<typeof RoutingMode>;
export type TeamRoutingOut = z.infer<typeof TeamRoutingOut>;
export type AvailabilityOut = z.infer<typeof AvailabilityOut>;
export type RoutingSettingsOut = z.infer<typeof RoutingSettingsOut>;
export type RoutingRuleOut = z.infer<typeof RoutingRuleOut>;
export type RoutingModelOut = z.infer<typeof RoutingModelOut>;
export type TicketRoutingOut = z.infer<typeof TicketRoutingOut>;

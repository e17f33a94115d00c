import { z } from 'zod';
import { Channel, SlaState, TicketPriority, TicketStatus } from './enums.ts';
import { isoDate, nonEmpty, uuid } from './common.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time HH:MM between 00:00 and 24:00');
export const Period = z.object({ start: hhmm, end: hhmm });
const periods = z.array(Period).max(12);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, 'a real date');

export const WeeklySchedule = z.object({
  mon: periods.default([]),
  tue: periods.default([]),
  wed: periods.default([]),
  thu: periods.default([]),
  fri: periods.default([]),
  sat: periods.default([]),
  sun: periods.default([]),
});

export const Holiday = z.object({
  date,
  name: nonEmpty(200),
  yearly: z.boolean().default(false),
  /** Closed only during these hours of that date; absent: all day. */
  closed: periods.optional(),
});

export const SpecialDay = z.object({ date, name: nonEmpty(200), hours: periods });

const timeZone = z.string().max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as "Europe/Paris"');

export const CreateBusinessCalendarInput = z.object({
  name: nonEmpty(200),
  timeZone,
  teamId: uuid.nullable().default(null),
  isDefault: z.boolean().default(false),
  weekly: WeeklySchedule,
  holidays: z.array(Holiday).max(2000).default([]),
  specialDays: z.array(SpecialDay).max(2000).default([]),
});
export type CreateBusinessCalendarInput = z.infer<typeof CreateBusinessCalendarInput>;

export const UpdateBusinessCalendarInput = z
  .object({
    name: nonEmpty(200),
    timeZone,
    teamId: uuid.nullable(),
    isDefault: z.boolean(),
    weekly: WeeklySchedule,
    holidays: z.array(Holiday).max(2000),
    specialDays: z.array(SpecialDay).max(2000),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateBusinessCalendarInput = z.infer<typeof UpdateBusinessCalendarInput>;

export const ImportHolidaysInput = z.object({
  /** The text of an .ics file. */
  ical: z.string().min(1).max(2_000_000),
  /** `merge` adds to the calendar's holidays (same date and name once); `replace` replaces them. */
  mode: z.enum(['merge', 'replace']).default('merge'),
});
export type ImportHolidaysInput = z.infer<typeof ImportHolidaysInput>;

export const BusinessCalendarOut = z.object({
  id: uuid,
  name: z.string(),
  timeZone: z.string(),
  teamId: uuid.nullable(),
  isDefault: z.boolean(),
  weekly: WeeklySchedule,
  holidays: z.array(Holiday),
  specialDays: z.array(SpecialDay),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type BusinessCalendarOut = z.infer<typeof BusinessCalendarOut>;

export const ImportHolidaysOut = z.object({
  calendar: BusinessCalendarOut,
  added: z.number().int(),
  skipped: z.array(z.object({ summary: z.string(), reason: z.string() })),
});

export const SLA_TARGET_KINDS = ['first_response', 'next_response', 'periodic_update', 'resolution'] as const;
export const SlaTargetKind = z.enum(SLA_TARGET_KINDS);

export const SlaTarget = z.object({
  minutes: z.number().int().min(1).max(525_600),
  businessHours: z.boolean().default(true),
});

export const SlaTargets = z
  .object({ first_response: SlaTarget, next_response: SlaTarget, periodic_update: SlaTarget, resolution: SlaTarget })
  .partial()
  .refine((t) => Object.keys(t).length > 0, 'at least one target');

export const SlaWarning = z.union([
  z.object({ minutesBefore: z.number().int().min(1).max(525_600) }).strict(),
  z.object({ share: z.number().gt(0).lt(1) }).strict(),
]);

export const SlaConditions = z
  .object({
    priorities: z.array(TicketPriority).max(4),
    channels: z.array(Channel).max(10),
    teamIds: z.array(uuid.nullable()).max(200),
    organizationIds: z.array(uuid.nullable()).max(1000),
    tagsAny: z.array(z.string().trim().toLowerCase().min(1).max(100)).max(100),
    tagsNone: z.array(z.string().trim().toLowerCase().min(1).max(100)).max(100),
    customFields: z.array(z.object({ key: z.string().min(1).max(100), values: z.array(z.union([z.string().max(500), z.number(), z.boolean()])).min(1).max(100) })).max(20),
  })
  .partial()
  .strict();

const pause = z.array(TicketStatus.exclude(['solved', 'closed', 'new', 'open'])).max(2);

export const CreateSlaPolicyInput = z.object({
  name: nonEmpty(200),
  description: z.string().max(2000).nullable().default(null),
  position: z.number().int().min(0).max(1_000_000).optional(),
  enabled: z.boolean().default(true),
  conditions: SlaConditions.default({}),
  calendarId: uuid.nullable().default(null),
  targets: SlaTargets,
  pauseStatuses: pause.default(['pending', 'on_hold']),
  warnings: z.array(SlaWarning).max(5).default([]),
});
export type CreateSlaPolicyInput = z.infer<typeof CreateSlaPolicyInput>;

export const UpdateSlaPolicyInput = z
  .object({
    name: nonEmpty(200),
    description: z.string().max(2000).nullable(),
    position: z.number().int().min(0).max(1_000_000),
    enabled: z.boolean(),
    conditions: SlaConditions,
    calendarId: uuid.nullable(),
    targets: SlaTargets,
    pauseStatuses: pause,
    warnings: z.array(SlaWarning).max(5),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateSlaPolicyInput = z.infer<typeof UpdateSlaPolicyInput>;

export const SlaPolicyOut = z.object({
  id: uuid,
  name: z.string(),
  description: z.string().nullable(),
  position: z.number().int(),
  enabled: z.boolean(),
  conditions: SlaConditions,
  calendarId: uuid.nullable(),
  targets: z.object({ first_response: SlaTarget, next_response: SlaTarget, periodic_update: SlaTarget, resolution: SlaTarget }).partial(),
  pauseStatuses: z.array(TicketStatus),
  warnings: z.array(SlaWarning),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type SlaPolicyOut = z.infer<typeof SlaPolicyOut>;

export const SlaClockOut = z.object({
  target: SlaTargetKind,
  status: z.enum(['running', 'paused', 'met', 'breached']),
  startedAt: isoDate,
  targetMinutes: z.number().int().nullable(),
  businessHours: z.boolean(),
  deadline: isoDate.nullable(),
  /** Time left before the deadline, counted as the target is (negative: overdue by). */
  timeLeftMinutes: z.number().nullable(),
  timeLeftSeconds: z.number().int().nullable(),
  /** Whether time left is going down at `asOf` (running, and in business hours for a business-hours target). */
  countingNow: z.boolean(),
  /** The earliest warning moment of the policy for this target while it runs. */
  warningAt: isoDate.nullable(),
  usedMinutes: z.number(),
  breachedAt: isoDate.nullable(),
  fulfilledAt: isoDate.nullable(),
});

export const TicketSlaOut = z.object({
  ticketId: uuid,
  policy: z.object({ id: uuid, name: z.string() }).nullable(),
  calendar: z.object({ id: uuid, name: z.string(), timeZone: z.string() }).nullable(),
  paused: z.boolean(),
  /** The ticket's state now, as the inbox filter sees it. */
  state: SlaState,
  /** The earliest deadline of an open target (as in the inbox's sort). */
  dueAt: isoDate.nullable(),
  nextDueAt: isoDate.nullable(),
  /** The server's time of this answer: time left is counted from here. */
  asOf: isoDate,
  targets: z.array(SlaClockOut),
});
export type TicketSlaOut = z.infer<typeof TicketSlaOut>;

export const ListNotificationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
  unread: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1').optional(),
});

export const NotificationOut = z.object({
  id: uuid,
  kind: z.string(),
  ticketId: uuid.nullable(),
  title: z.string(),
  body: z.string(),
  data: z.record(z.string(), z.unknown()),
  createdAt: isoDate,
  readAt: isoDate.nullable(),
});

export const MarkNotificationsReadInput = z.object({ ids: z.array(uuid).min(1).max(200) });

export type Period = z.infer<typeof Period>;
export type WeeklySchedule = z.infer<typeof WeeklySchedule>;
export type Holiday = z.infer<typeof Holiday>;
export type SpecialDay = z.infer<typeof SpecialDay>;
export type SlaTargetKind = z.infer<typeof SlaTargetKind>;
export type SlaConditions = z.infer<typeof SlaConditions>;
export type SlaWarning = z.infer<typeof SlaWarning>;
export type ImportHolidaysOut = z.infer<typeof ImportHolidaysOut>;

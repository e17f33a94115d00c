import { z } from 'zod';
import {
  BusinessCalendarOut,
  CreateBusinessCalendarInput,
  CreateSlaPolicyInput,
  ImportHolidaysInput,
  ImportHolidaysOut,
  ListNotificationsQuery,
  MarkNotificationsReadInput,
  NotificationOut,
  pageOf,
  ReorderInput,
  SlaPolicyOut,
  TicketSlaOut,
  UpdateBusinessCalendarInput,
  UpdateSlaPolicyInput,
  uuid,
} from '@guichet/contracts';
import * as core from '@guichet/core';
import type { BusinessCalendarRecord, SlaPolicy, TicketSlaView } from '@guichet/core';
import type { Router } from '../route.ts';

const IdParams = z.object({ id: uuid });
const TicketParams = z.object({ id: z.string().regex(/^(\d{1,15}|[0-9a-fA-F-]{36})$/, 'a ticket number or id') });
const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
const iso = (d: Date) => d.toISOString();

export function presentCalendar(c: BusinessCalendarRecord): BusinessCalendarOut {
  return {
    id: c.id,
    name: c.name,
    timeZone: c.timeZone,
    teamId: c.teamId,
    isDefault: c.isDefault,
    weekly: { mon: c.weekly.mon, tue: c.weekly.tue, wed: c.weekly.wed, thu: c.weekly.thu, fri: c.weekly.fri, sat: c.weekly.sat, sun: c.weekly.sun },
    holidays: c.holidays.map((h) => ({ date: h.date, name: h.name, yearly: h.yearly, ...(h.closed?.length ? { closed: h.closed } : {}) })),
    specialDays: c.specialDays.map((s) => ({ date: s.date, name: s.name, hours: s.hours })),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export function presentPolicy(p: SlaPolicy): SlaPolicyOut {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    position: p.position,
    enabled: p.enabled,
    conditions: p.conditions,
    calendarId: p.calendarId,
    targets: p.targets,
    pauseStatuses: p.pauseStatuses,
    warnings: p.warnings,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

export function presentTicketSla(v: TicketSlaView): TicketSlaOut {
  return {
    ticketId: v.ticketId,
    policy: v.policy ? { id: v.policy.id, name: v.policy.name } : null,
    calendar: v.calendar ? { id: v.calendar.id, name: v.calendar.name, timeZone: v.calendar.timeZone } : null,
    paused: v.paused,
    state: v.state,
    dueAt: v.dueAt ? iso(v.dueAt) : null,
    nextDueAt: v.nextDueAt ? iso(v.nextDueAt) : null,
    asOf: iso(v.asOf),
    targets: v.targets.map((t) => ({
      target: t.target,
      status: t.status,
      startedAt: t.startedAt,
      targetMinutes: t.targetMinutes,
      businessHours: t.businessHours,
      deadline: t.deadline,
      timeLeftMinutes: t.timeLeftMs === null ? null : Math.round(t.timeLeftMs / 60_000),
      timeLeftSeconds: t.timeLeftMs === null ? null : Math.round(t.timeLeftMs / 1000),
      countingNow: t.countingNow,
      warningAt: t.warningAt,
      usedMinutes: Math.round(t.usedMs / 60_000),
      breachedAt: t.breachedAt,
      fulfilledAt: t.fulfilledAt,
    })),
  };
}

export function slaRoutes(route: Router): void {
  route({
    method: 'GET', url: '/business-calendars', tag: 'SLA', summary: 'Business-hours calendars (staff)',
    response: list(BusinessCalendarOut),
    handler: async ({ deps, ctx }) => ({ items: (await core.listBusinessCalendars(deps, ctx)).map(presentCalendar) }),
  });
  route({
    method: 'POST', url: '/business-calendars', tag: 'SLA', summary: 'Add a business calendar: time zone, weekly periods, holidays, special days (admin)',
    body: CreateBusinessCalendarInput, response: BusinessCalendarOut,
    handler: async ({ deps, ctx, body }) => presentCalendar(await core.createBusinessCalendar(deps, ctx, body)),
  });
  route({
    method: 'GET', url: '/business-calendars/{id}', tag: 'SLA', summary: 'Read a business calendar (staff)',
    params: IdParams, response: BusinessCalendarOut,
    handler: async ({ deps, ctx, params }) => presentCalendar(await core.getBusinessCalendar(deps, ctx, params.id)),
  });
  route({
    method: 'PATCH', url: '/business-calendars/{id}', tag: 'SLA', summary: 'Change a business calendar; open tickets\' deadlines are recomputed (admin)',
    params: IdParams, body: UpdateBusinessCalendarInput, response: BusinessCalendarOut,
    handler: async ({ deps, ctx, params, body }) => presentCalendar(await core.updateBusinessCalendar(deps, ctx, params.id, body)),
  });
  route({
    method: 'DELETE', url: '/business-calendars/{id}', tag: 'SLA', summary: 'Delete a business calendar no policy uses (admin)',
    params: IdParams,
    handler: async ({ deps, ctx, params }) => void (await core.deleteBusinessCalendar(deps, ctx, params.id)),
  });
  route({
    method: 'POST', url: '/business-calendars/{id}/holidays/import', tag: 'SLA', summary: 'Import holidays from an iCalendar (.ics) text (admin)',
    params: IdParams, body: ImportHolidaysInput, response: ImportHolidaysOut, status: 200,
    handler: async ({ deps, ctx, params, body }) => {
      const r = await core.importHolidays(deps, ctx, params.id, body);
      return { calendar: presentCalendar(r.calendar), added: r.added, skipped: r.skipped };
    },
  });

  route({
    method: 'GET', url: '/sla-policies', tag: 'SLA', summary: 'SLA policies in the order they are tried (staff)',
    response: list(SlaPolicyOut),
    handler: async ({ deps, ctx }) => ({ items: (await core.listSlaPolicies(deps, ctx)).map(presentPolicy) }),
  });
  route({
    method: 'POST', url: '/sla-policies', tag: 'SLA', summary: 'Add an SLA policy: conditions, targets, pause statuses, warnings (admin)',
    body: CreateSlaPolicyInput, response: SlaPolicyOut,
    handler: async ({ deps, ctx, body }) => presentPolicy(await core.createSlaPolicy(deps, ctx, body)),
  });
  route({
    method: 'PUT', url: '/sla-policies/order', tag: 'SLA', summary: 'Put the policies in a new order: every id once, first tried first; one recompute (admin)',
    body: ReorderInput, response: list(SlaPolicyOut),
    handler: async ({ deps, ctx, body }) => ({ items: (await core.reorderSlaPolicies(deps, ctx, body.ids)).map(presentPolicy) }),
  });
  route({
    method: 'GET', url: '/sla-policies/{id}', tag: 'SLA', summary: 'Read an SLA policy (staff)',
    params: IdParams, response: SlaPolicyOut,
    handler: async ({ deps, ctx, params }) => presentPolicy(await core.getSlaPolicy(deps, ctx, params.id)),
  });
  route({
    method: 'PATCH', url: '/sla-policies/{id}', tag: 'SLA', summary: 'Change an SLA policy; open tickets take it from now on (admin)',
    params: IdParams, body: UpdateSlaPolicyInput, response: SlaPolicyOut,
    handler: async ({ deps, ctx, params, body }) => presentPolicy(await core.updateSlaPolicy(deps, ctx, params.id, body)),
  });
  route({
    method: 'DELETE', url: '/sla-policies/{id}', tag: 'SLA', summary: 'Delete an SLA policy (admin)',
    params: IdParams,
    handler: async ({ deps, ctx, params }) => void (await core.deleteSlaPolicy(deps, ctx, params.id)),
  });
  route({
    method: 'GET', url: '/notifications', tag: 'Notifications', summary: 'Your notifications, newest first: SLA warnings and breaches (staff)',
    query: ListNotificationsQuery, response: pageOf(NotificationOut),
    handler: async ({ deps, ctx, query }) => {
      const page = await core.listMyNotifications(deps, ctx, query);
      return {
        items: page.items.map((n) => ({ id: n.id, kind: n.kind, ticketId: n.ticketId, title: n.title, body: n.body, data: n.data, createdAt: iso(n.createdAt), readAt: n.readAt ? iso(n.readAt) : null })),
        nextCursor: page.nextCursor,
      };
    },
  });
  route({
    method: 'POST', url: '/notifications/read', tag: 'Notifications', summary: 'Mark some of your notifications read (staff)',
    body: MarkNotificationsReadInput, response: z.object({ updated: z.number().int() }), status: 200,
    handler: async ({ deps, ctx, body }) => ({ updated: await core.markNotificationsRead(deps, ctx, body.ids) }),
  });
  route({
    method: 'GET', url: '/tickets/{id}/sla', tag: 'Tickets', summary: 'A ticket\'s SLA: the policy in force, each target\'s deadline, time left, met or breached (staff)',
    params: TicketParams, response: TicketSlaOut,
    handler: async ({ deps, ctx, params }) => presentTicketSla(await core.getTicketSla(deps, ctx, params.id)),
  });
}

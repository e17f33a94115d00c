/**
 * SLAs through the API on both databases: calendars and policies, the clocks of real tickets as
 * the clock is moved forward (pause, resume, a priority change mid-flight, a breach), iCal import,
 * recompute after a calendar change, and workspace isolation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recomputeSla } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { PASSWORD, caller, newWorkspace, sessionCookie, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { assertError, movableClock } from './helpers.ts';

const office = [{ start: '09:00', end: '12:00' }, { start: '14:00', end: '18:00' }];
const weekly = { mon: office, tue: office, wed: office, thu: office, fri: office };

// The tests' clock moves (helpers.ts). Paris is UTC+2 in June: 10:00 local is 08:00Z.

async function setUp(ws: TestWorkspace) {
  const cal = await ws.admin.req('POST', '/business-calendars', {
    name: 'Paris office',
    timeZone: 'Europe/Paris',
    isDefault: true,
    weekly,
    holidays: [{ date: '2026-07-14', name: 'Fête nationale', yearly: true }],
  });
  assert.equal(cal.status, 201, JSON.stringify(cal.body));
  const urgent = await ws.admin.req('POST', '/sla-policies', {
    name: 'Urgent',
    conditions: { priorities: ['urgent'] },
    targets: { first_response: { minutes: 60 }, resolution: { minutes: 480 } },
    warnings: [{ minutesBefore: 15 }],
  });
  assert.equal(urgent.status, 201, JSON.stringify(urgent.body));
  const standard = await ws.admin.req('POST', '/sla-policies', {
    name: 'Standard',
    targets: { first_response: { minutes: 240 }, next_response: { minutes: 120 }, resolution: { minutes: 2400 }, periodic_update: { minutes: 1440, businessHours: false } },
  });
  assert.equal(standard.status, 201, JSON.stringify(standard.body));
  assert.equal(urgent.body.position, 0);
  assert.equal(standard.body.position, 1);
  return { calendar: cal.body, urgent: urgent.body, standard: standard.body };
}

const target = (sla: any, kind: string) => sla.targets.find((x: any) => x.target === kind);

for (const kind of testDbKinds()) {
  describe(`SLAs on ${kind}`, () => {
    let t: TestApp;
    const clock = movableClock('2026-06-08T08:00:00Z');
    before(async () => {
      t = await startTestApp(kind, { clock });
    });
    after(async () => {
      await t.close();
    });

    it('refuses bad calendars and policies with clear errors, and lets only admins write', async () => {
      clock.set('2026-06-08T08:00:00Z');
      const ws = await newWorkspace(t);
      const bad = await ws.admin.req('POST', '/business-calendars', { name: 'Mars', timeZone: 'Mars/Olympus', weekly });
      assertError(bad, 400, 'VALIDATION_FAILED');
      const empty = await ws.admin.req('POST', '/business-calendars', { name: 'Never', timeZone: 'Europe/Paris', weekly: {} });
      assertError(empty, 400, 'VALIDATION_FAILED');
      assert.match(empty.body.error.message, /no open period/);
      const badTime = await ws.admin.req('POST', '/business-calendars', { name: 'Late', timeZone: 'Europe/Paris', weekly: { mon: [{ start: '25:00', end: '26:00' }] } });
      assertError(badTime, 400, 'VALIDATION_FAILED');
      const { calendar } = await setUp(ws);
      assertError(await ws.admin.req('POST', '/business-calendars', { name: 'paris OFFICE', timeZone: 'Europe/Paris', weekly }), 409, 'NAME_TAKEN');
      assertError(await ws.admin.req('POST', '/sla-policies', { name: 'X', calendarId: '01900000-0000-7000-8000-000000000000', targets: { resolution: { minutes: 60 } } }), 404, 'CALENDAR_NOT_FOUND');
      assertError(await ws.admin.req('POST', '/sla-policies', { name: 'Y', targets: {} }), 400, 'VALIDATION_FAILED');
      assertError(await ws.admin.req('POST', '/sla-policies', { name: 'Z', targets: { resolution: { minutes: 60 } }, warnings: [{ share: 1.5 }] }), 400, 'VALIDATION_FAILED');
      const agent = await ws.as('agent');
      assert.equal((await agent.req('GET', '/sla-policies')).status, 200);
      assertError(await agent.req('PATCH', `/business-calendars/${calendar.id}`, { name: 'Mine' }), 403, 'FORBIDDEN');
      // A policy using the calendar keeps it from being deleted.
      await ws.admin.req('POST', '/sla-policies', { name: 'Pinned', calendarId: calendar.id, targets: { resolution: { minutes: 60 } } });
      assertError(await ws.admin.req('DELETE', `/business-calendars/${calendar.id}`), 409, 'CALENDAR_IN_USE');
    });

    it('runs a ticket\'s clocks: deadlines, a priority change mid-flight, pause, resume, breach, all recorded as events', async () => {
      clock.set('2026-06-08T08:00:00Z'); // Monday 10:00 in Paris
      const ws = await newWorkspace(t);
      await setUp(ws);
      const agent = await ws.as('agent');
      const customer = await ws.as('customer');
      const created = await customer.req('POST', '/tickets', { subject: 'Export cassé', body: 'Bonjour, l\'export ne marche plus.' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const n = created.body.number;

      let sla = (await agent.req('GET', `/tickets/${n}/sla`)).body;
      assert.equal(sla.policy.name, 'Standard');
      assert.equal(sla.calendar.timeZone, 'Europe/Paris');
      assert.equal(target(sla, 'first_response').deadline, '2026-06-08T14:00:00.000Z', '4 business hours: 10:00–12:00 and 14:00–16:00');
      assert.equal(target(sla, 'first_response').timeLeftMinutes, 240);
      assert.equal(target(sla, 'resolution').status, 'running');

      // 40 minutes later the agent makes it urgent: the urgent hour applies, 20 minutes are left.
      clock.set('2026-06-08T08:40:00Z');
      assert.equal((await agent.req('PATCH', `/tickets/${n}`, { priority: 'urgent' })).status, 200);
      sla = (await agent.req('GET', `/tickets/${n}/sla`)).body;
      assert.equal(sla.policy.name, 'Urgent');
      assert.equal(target(sla, 'first_response').deadline, '2026-06-08T09:00:00.000Z');
      assert.equal(target(sla, 'first_response').timeLeftMinutes, 20);
      assert.equal(target(sla, 'first_response').startedAt, '2026-06-08T08:00:00.000Z');
      assert.equal(sla.nextDueAt, '2026-06-08T08:45:00.000Z', 'the warning 15 business minutes before');

      // The agent answers at 10:50 and sets the ticket pending: first response met, clocks paused.
      clock.set('2026-06-08T08:50:00Z');
      assert.equal((await agent.req('POST', `/tickets/${n}/messages`, { body: 'Pouvez-vous nous envoyer le fichier ?', status: 'pending' })).status, 201);
      sla = (await agent.req('GET', `/tickets/${n}/sla`)).body;
      assert.equal(target(sla, 'first_response').status, 'met');
      assert.equal(target(sla, 'first_response').fulfilledAt, '2026-06-08T08:50:00.000Z');
      assert.equal(sla.paused, true);
      assert.equal(target(sla, 'resolution').status, 'paused');
      assert.equal(target(sla, 'resolution').usedMinutes, 50);

      // Two days later the customer answers: the ticket reopens and the resolution clock resumes
      // with 430 business minutes left (Wednesday 10:00 → 12:00, 14:00 → 18:00, Thursday 09:00 → 10:10).
      clock.set('2026-06-10T08:00:00Z');
      const again = caller(t.app, { cookie: await sessionCookie(t, customer.email, PASSWORD, ws.slug) });
      assert.equal((await again('POST', `/tickets/${n}/messages`, { body: 'Voici le fichier.' })).status, 201);
      sla = (await agent.req('GET', `/tickets/${n}/sla`)).body;
      assert.equal(sla.paused, false);
      assert.equal(target(sla, 'resolution').deadline, '2026-06-11T08:10:00.000Z');
      assert.equal(target(sla, 'next_response').status, 'running', 'measured even without a target in this policy');
      assert.equal(target(sla, 'next_response').targetMinutes, null);

      // Thursday noon: the resolution deadline has passed.
      clock.set('2026-06-11T10:00:00Z');
      sla = (await agent.req('GET', `/tickets/${n}/sla`)).body;
      assert.equal(target(sla, 'resolution').status, 'breached');
      assert.equal(target(sla, 'resolution').timeLeftMinutes, -110);
      assert.equal((await agent.req('PATCH', `/tickets/${n}`, { status: 'solved' })).status, 200);
      sla = (await agent.req('GET', `/tickets/${n}/sla`)).body;
      assert.equal(target(sla, 'resolution').status, 'breached');
      assert.equal(target(sla, 'resolution').breachedAt, '2026-06-11T08:10:00.000Z', 'the exact moment of the breach');
      assert.equal(sla.nextDueAt, null);

      const events = (await agent.req('GET', `/tickets/${n}/events?limit=200`)).body.items.filter((e: any) => e.type.startsWith('sla.'));
      assert.deepEqual(
        events.map((e: any) => [e.type, e.data.target ?? e.data.policyName ?? e.data.status]),
        [
          ['sla.policy_applied', 'Standard'],
          ['sla.policy_applied', 'Urgent'],
          ['sla.target_fulfilled', 'first_response'],
          ['sla.paused', 'pending'],
          ['sla.target_started', 'next_response'],
          ['sla.resumed', 'open'],
          ['sla.target_breached', 'resolution'],
          ['sla.target_fulfilled', 'resolution'],
        ],
      );
      assert.ok(events.every((e: any) => e.actor.type === 'system'));
      assert.equal(events[2].data.met, true);
      assert.equal(events[7].data.met, false);
    });

    it('recomputes open tickets after a calendar change, from now on, without touching history', async () => {
      clock.set('2026-06-08T08:00:00Z');
      const ws = await newWorkspace(t);
      const { calendar } = await setUp(ws);
      const customer = await ws.as('customer');
      const n = (await customer.req('POST', '/tickets', { subject: 'Question', body: 'Hello' })).body.number;
      // Logged by an agent on the customer's behalf with a public message: that is the first response.
      const logged = (await ws.admin.req('POST', '/tickets', { subject: 'By phone', body: 'We called you back.', requester: { id: customer.id } })).body.number;
      assert.equal(target((await ws.admin.req('GET', `/tickets/${logged}/sla`)).body, 'first_response').status, 'met');
      assert.equal(target((await ws.admin.req('GET', `/tickets/${n}/sla`)).body, 'first_response').deadline, '2026-06-08T14:00:00.000Z');
      clock.set('2026-06-08T09:00:00Z'); // one business hour used
      const changed = await ws.admin.req('PATCH', `/business-calendars/${calendar.id}`, { weekly: { ...weekly, mon: [{ start: '08:00', end: '20:00' }] } });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      const jobs = await t.deps.store.jobs.claim('test', ['sla.recompute'], 10, clock.now(), 1000);
      assert.ok(jobs.some((j) => j.workspaceId === ws.id), 'the change asked for a recompute');
      assert.equal(await recomputeSla(t.deps, ws.id), 2);
      const sla = (await ws.admin.req('GET', `/tickets/${n}/sla`)).body;
      assert.equal(target(sla, 'first_response').deadline, '2026-06-08T12:00:00.000Z', '3 hours left, straight through lunch on the new Monday');
      assert.equal(target(sla, 'first_response').usedMinutes, 60);
    });

    it('reorders policies in one step: the order decides which applies, one recompute, bad orders refused with nothing changed', async () => {
      clock.set('2026-06-08T08:00:00Z');
      const ws = await newWorkspace(t);
      const { urgent, standard } = await setUp(ws);
      const names = async () => (await ws.admin.req('GET', '/sla-policies')).body.items.map((p: any) => `${p.position}:${p.name}`);
      const drain = async () => (await t.deps.store.jobs.claim('test', ['sla.recompute'], 100, clock.now(), 1000)).filter((j) => j.workspaceId === ws.id).length;
      await drain();

      const other = await newWorkspace(t);
      const foreign = (await other.admin.req('POST', '/sla-policies', { name: 'Theirs', targets: { resolution: { minutes: 60 } } })).body.id;
      for (const [ids, why] of [[[standard.id], /every rule must be given/], [[standard.id, standard.id], /given twice/], [[standard.id, foreign], /not one of this workspace/]] as const) {
        const r = await ws.admin.req('PUT', '/sla-policies/order', { ids });
        assertError(r, 400, 'VALIDATION_FAILED');
        assert.match(r.body.error.message, why);
      }
      assertError(await (await ws.as('agent')).req('PUT', '/sla-policies/order', { ids: [standard.id, urgent.id] }), 403, 'FORBIDDEN');
      assert.deepEqual(await names(), ['0:Urgent', '1:Standard'], 'refused orders change nothing');
      assert.equal(await drain(), 0);

      const r = await ws.admin.req('PUT', '/sla-policies/order', { ids: [standard.id, urgent.id] });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.items.map((p: any) => `${p.position}:${p.name}`), ['0:Standard', '1:Urgent']);
      assert.deepEqual(await names(), ['0:Standard', '1:Urgent']);
      assert.equal(await drain(), 1, 'one recompute for the whole order');
      // Standard (no conditions) is now tried first, so an urgent ticket takes it.
      const n = (await ws.admin.req('POST', '/tickets', { subject: 'Down', body: 'All down', priority: 'urgent', requester: { email: 'u@example.test' } })).body.number;
      assert.equal((await ws.admin.req('GET', `/tickets/${n}/sla`)).body.policy.name, 'Standard');
      // The same order again writes nothing.
      assert.equal((await ws.admin.req('PUT', '/sla-policies/order', { ids: [standard.id, urgent.id] })).status, 200);
      assert.equal(await drain(), 0);
      const audit = (await ws.admin.req('GET', '/audit-log?action=sla_policy.reordered')).body.items;
      assert.equal(audit.length, 1);
    });

    it('imports holidays from an iCalendar file', async () => {
      const ws = await newWorkspace(t);
      const { calendar } = await setUp(ws);
      const ics = [
        'BEGIN:VCALENDAR', 'VERSION:2.0',
        'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20261225', 'DTEND;VALUE=DATE:20261226', 'SUMMARY:Noël', 'RRULE:FREQ=YEARLY', 'END:VEVENT',
        'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20260714', 'SUMMARY:Fête nationale', 'RRULE:FREQ=YEARLY', 'END:VEVENT',
        'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20260105', 'RRULE:FREQ=WEEKLY', 'SUMMARY:Réunion', 'END:VEVENT',
        'END:VCALENDAR',
      ].join('\r\n');
      const r = await ws.admin.req('POST', `/business-calendars/${calendar.id}/holidays/import`, { ical: ics });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.added, 1, 'the 14 July was there already');
      assert.deepEqual(r.body.skipped.map((s: any) => s.summary), ['Réunion']);
      assert.deepEqual(r.body.calendar.holidays.map((h: any) => h.date), ['2026-07-14', '2026-12-25']);
      assertError(await ws.admin.req('POST', `/business-calendars/${calendar.id}/holidays/import`, { ical: 'hello' }), 400, 'VALIDATION_FAILED');
    });

    it('keeps every workspace\'s calendars, policies and ticket SLAs to itself', async () => {
      const ws = await newWorkspace(t);
      const other = await newWorkspace(t);
      const { calendar, urgent } = await setUp(ws);
      const n = (await ws.admin.req('POST', '/tickets', { subject: 'Mine', body: 'x', requester: { email: 'm@example.test' } })).body;
      assertError(await other.admin.req('GET', `/business-calendars/${calendar.id}`), 404, 'CALENDAR_NOT_FOUND');
      assertError(await other.admin.req('PATCH', `/sla-policies/${urgent.id}`, { name: 'Taken' }), 404, 'SLA_POLICY_NOT_FOUND');
      assertError(await other.admin.req('GET', `/tickets/${n.id}/sla`), 404, 'TICKET_NOT_FOUND');
      assert.deepEqual((await other.admin.req('GET', '/sla-policies')).body.items, []);
      const mine = await other.admin.req('POST', '/tickets', { subject: 'Theirs', body: 'x', requester: { email: 't@example.test' } });
      assert.deepEqual((await other.admin.req('GET', `/tickets/${mine.body.number}/sla`)).body.targets, [], 'no policy there, no clocks');
    });
  });
}

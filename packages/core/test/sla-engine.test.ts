import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BusinessCalendar, type Period } from '../src/sla/calendar.ts';
import { advanceSla, choosePolicy, nextDueOf, startSla, viewSla, warningAt, type SlaEnv, type SlaTicketFacts } from '../src/sla/engine.ts';
import type { SlaPolicy, TicketSlaState } from '../src/sla/types.ts';

const PARIS = 'Europe/Paris';
const p = (start: string, end: string): Period => ({ start, end });
const office = [p('09:00', '12:00'), p('14:00', '18:00')];
const calendar = new BusinessCalendar({
  timeZone: PARIS,
  weekly: { sun: [], mon: office, tue: office, wed: office, thu: office, fri: office, sat: [] },
  holidays: [{ date: '2026-05-01', name: 'Fête du travail', yearly: true }],
  specialDays: [],
});

let n = 0;
const policy = (over: Partial<SlaPolicy>): SlaPolicy => ({
  id: `p${++n}`,
  workspaceId: 'w',
  name: `Policy ${n}`,
  description: null,
  position: n,
  enabled: true,
  conditions: {},
  calendarId: 'cal',
  targets: {},
  pauseStatuses: ['pending', 'on_hold'],
  warnings: [],
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});
const env = (pol: SlaPolicy | null): SlaEnv => ({ policy: pol, calendarId: 'cal', calendar });
const ticket = (over: Partial<SlaTicketFacts> = {}): SlaTicketFacts => ({
  status: 'new', priority: 'normal', channel: 'email', teamId: null, organizationId: null, tags: [], customFields: {}, ...over,
});
// Paris is UTC+2 in summer: 10:00 local is 08:00Z.
const t = (s: string) => new Date(s);

const urgent = policy({
  name: 'Urgent',
  conditions: { priorities: ['urgent'] },
  targets: { first_response: { minutes: 60, businessHours: true }, resolution: { minutes: 8 * 60, businessHours: true } },
  warnings: [{ minutesBefore: 15 }, { share: 0.5 }],
});
const normal = policy({
  name: 'Normal',
  targets: {
    first_response: { minutes: 4 * 60, businessHours: true },
    next_response: { minutes: 2 * 60, businessHours: true },
    periodic_update: { minutes: 24 * 60, businessHours: false },
    resolution: { minutes: 5 * 7 * 60, businessHours: true },
  },
});
const all = [normal, urgent];

const clock = (s: TicketSlaState, k: keyof TicketSlaState['clocks']) => s.clocks[k]!;
const types = (events: Array<{ type: string }>) => events.map((e) => e.type);

describe('policy choice', () => {
  it('takes the first enabled policy in order whose conditions hold', () => {
    assert.equal(choosePolicy(all, ticket({ priority: 'urgent' }))?.name, 'Urgent');
    assert.equal(choosePolicy(all, ticket({ priority: 'high' }))?.name, 'Normal');
    assert.equal(choosePolicy([{ ...normal, position: 0 }, urgent], ticket({ priority: 'urgent' }))?.name, 'Normal', 'Normal first matches everything');
    assert.equal(choosePolicy([{ ...urgent, enabled: false }, normal], ticket({ priority: 'urgent' }))?.name, 'Normal');
  });

  it('matches channels, teams, organizations, tags and custom fields', () => {
    const vip = policy({ conditions: { channels: ['email', 'chat'], teamIds: ['team-1', null], organizationIds: ['org-1'], tagsAny: ['vip'], tagsNone: ['spam'], customFields: [{ key: 'plan', values: ['gold'] }] } });
    const base = ticket({ channel: 'chat', teamId: null, organizationId: 'org-1', tags: ['vip'], customFields: { plan: 'gold' } });
    assert.equal(choosePolicy([vip], base), vip);
    assert.equal(choosePolicy([vip], { ...base, channel: 'phone' }), null);
    assert.equal(choosePolicy([vip], { ...base, teamId: 'team-2' }), null);
    assert.equal(choosePolicy([vip], { ...base, organizationId: null }), null);
    assert.equal(choosePolicy([vip], { ...base, tags: ['vip', 'spam'] }), null);
    assert.equal(choosePolicy([vip], { ...base, customFields: { plan: 'silver' } }), null);
    assert.equal(choosePolicy([vip], { ...base, customFields: { plan: ['silver', 'gold'] } }), vip, 'multiselect: any value');
  });
});

describe('SLA clocks', () => {
  it('starts first response and resolution at creation, with deadlines in business hours', () => {
    const { state, events } = startSla(env(urgent), ticket({ priority: 'urgent' }), { visibility: 'public', byStaff: false }, t('2026-06-05T15:30:00Z')); // Friday 17:30
    assert.deepEqual(types(events), ['sla.policy_applied']);
    assert.equal(clock(state, 'first_response').deadline, '2026-06-08T07:30:00.000Z', 'Monday 09:30: 30 minutes on Friday, 30 on Monday');
    assert.equal(clock(state, 'resolution').deadline, '2026-06-09T07:30:00.000Z', 'Tuesday 09:30');
    assert.equal(nextDueOf(state, env(urgent))!.toISOString(), '2026-06-05T16:00:00.000Z', 'the 50% warning: 30 business minutes in, at Friday closing time');
  });

  it('a staff reply meets the first response; a customer message then starts the next response', () => {
    const e = env(normal);
    let s = startSla(e, ticket(), { visibility: 'public', byStaff: false }, t('2026-06-08T08:00:00Z')).state; // Monday 10:00
    let step = advanceSla(s, e, e, { previousStatus: 'new', ticket: ticket({ status: 'open' }), message: { visibility: 'internal', byStaff: true } }, t('2026-06-08T08:30:00Z'));
    assert.equal(clock(step.state, 'first_response').fulfilledAt, null, 'an internal note is not a response');
    step = advanceSla(step.state, e, e, { previousStatus: 'open', ticket: ticket({ status: 'open' }), message: { visibility: 'public', byStaff: true } }, t('2026-06-08T09:00:00Z'));
    assert.deepEqual(types(step.events), ['sla.target_fulfilled']);
    assert.deepEqual(step.events[0]!.data, { target: 'first_response', at: '2026-06-08T09:00:00.000Z', deadline: '2026-06-08T14:00:00.000Z', met: true, usedMinutes: 60 });
    assert.ok(clock(step.state, 'periodic_update').deadline === '2026-06-09T09:00:00.000Z', 'a periodic update in calendar hours: 24 hours later');
    s = step.state;
    step = advanceSla(s, e, e, { previousStatus: 'open', ticket: ticket({ status: 'open' }), message: { visibility: 'public', byStaff: false } }, t('2026-06-08T15:30:00Z')); // 17:30
    assert.deepEqual(types(step.events), ['sla.target_started']);
    assert.equal(clock(step.state, 'next_response').deadline, '2026-06-09T08:30:00.000Z', '30 minutes on Monday, 90 on Tuesday from 09:00');
  });

  it('pauses while pending and resumes on the customer reply; the deadline moves by the paused business time', () => {
    const e = env(urgent);
    const created = startSla(e, ticket({ priority: 'urgent' }), null, t('2026-06-08T08:00:00Z')).state; // Monday 10:00; resolution due after 8 business hours, Tuesday 11:00
    assert.equal(clock(created, 'resolution').deadline, '2026-06-09T09:00:00.000Z');
    const paused = advanceSla(created, e, e, { previousStatus: 'open', ticket: ticket({ priority: 'urgent', status: 'pending' }), message: { visibility: 'public', byStaff: true } }, t('2026-06-08T09:00:00Z'));
    assert.deepEqual(types(paused.events), ['sla.target_fulfilled', 'sla.paused']);
    assert.equal(clock(paused.state, 'resolution').deadline, null);
    assert.equal(clock(paused.state, 'resolution').elapsedMs, 3_600_000);
    assert.equal(viewSla(paused.state, e, t('2026-06-09T12:00:00Z')).find((v) => v.target === 'resolution')!.status, 'paused');
    assert.equal(nextDueOf(paused.state, e), null);
    // The customer answers on Wednesday 11:00; 7 business hours are left: Wednesday 11:00–12:00, 14:00–18:00, Thursday 09:00–11:00.
    const resumed = advanceSla(paused.state, e, e, { previousStatus: 'pending', ticket: ticket({ priority: 'urgent', status: 'open' }), message: { visibility: 'public', byStaff: false } }, t('2026-06-10T09:00:00Z'));
    assert.deepEqual(types(resumed.events), ['sla.target_started', 'sla.resumed']);
    assert.equal(clock(resumed.state, 'resolution').deadline, '2026-06-11T09:00:00.000Z');
  });

  it('a priority change applies the new policy from then on and keeps the time already used', () => {
    const ordered = all;
    const e1 = env(choosePolicy(ordered, ticket())!);
    assert.equal(e1.policy?.name, 'Normal');
    const s = startSla(e1, ticket(), null, t('2026-06-08T08:00:00Z')).state; // Monday 10:00: first response due 16:00 (lunch 12–14)
    assert.equal(clock(s, 'first_response').deadline, '2026-06-08T14:00:00.000Z');
    const e2 = env(choosePolicy(ordered, ticket({ priority: 'urgent' }))!);
    const step = advanceSla(s, e1, e2, { previousStatus: 'new', ticket: ticket({ priority: 'urgent' }), message: null }, t('2026-06-08T08:40:00Z'));
    assert.deepEqual(step.events.map((x) => [x.type, x.data.policyName]), [['sla.policy_applied', 'Urgent']]);
    // 40 minutes used, 20 left of the urgent hour.
    assert.equal(clock(step.state, 'first_response').deadline, '2026-06-08T09:00:00.000Z');
    assert.equal(clock(step.state, 'first_response').targetMinutes, 60);
    assert.equal(clock(step.state, 'first_response').startedAt, '2026-06-08T08:00:00.000Z', 'the start is history');
    // Moved to urgent after the urgent target already passed: breached at once, at the moment of the change.
    const late = advanceSla(s, e1, e2, { previousStatus: 'new', ticket: ticket({ priority: 'urgent' }), message: null }, t('2026-06-08T09:30:00Z'));
    const fr = clock(late.state, 'first_response');
    assert.equal(fr.deadline, '2026-06-08T09:00:00.000Z', 'the deadline lies in the past');
    assert.equal(viewSla(late.state, e2, t('2026-06-08T09:30:00Z')).find((v) => v.target === 'first_response')!.status, 'breached');
  });

  it('records a breach once, at the deadline, and a late fulfilment as not met', () => {
    const e = env(urgent);
    const s = startSla(e, ticket({ priority: 'urgent' }), null, t('2026-06-08T08:00:00Z')).state;
    const view = viewSla(s, e, t('2026-06-08T09:30:00Z')).find((v) => v.target === 'first_response')!;
    assert.equal(view.status, 'breached');
    assert.equal(view.timeLeftMs, -30 * 60_000);
    const step = advanceSla(s, e, e, { previousStatus: 'new', ticket: ticket({ priority: 'urgent', status: 'open' }), message: { visibility: 'public', byStaff: true } }, t('2026-06-08T09:30:00Z'));
    assert.deepEqual(types(step.events), ['sla.target_breached', 'sla.target_fulfilled']);
    assert.equal(step.events[0]!.data.deadline, '2026-06-08T09:00:00.000Z');
    assert.equal(step.events[1]!.data.met, false);
    assert.equal(viewSla(step.state, e, t('2026-06-09T00:00:00Z')).find((v) => v.target === 'first_response')!.status, 'breached');
  });

  it('solving ends every clock; reopening resumes the resolution clock only', () => {
    const e = env(normal);
    let s = startSla(e, ticket(), null, t('2026-06-08T08:00:00Z')).state;
    const solved = advanceSla(s, e, e, { previousStatus: 'open', ticket: ticket({ status: 'solved' }), message: null }, t('2026-06-08T10:00:00Z'));
    assert.deepEqual(solved.events.map((x) => x.data.target), ['first_response', 'resolution']);
    assert.equal(nextDueOf(solved.state, e), null);
    s = solved.state;
    const reopened = advanceSla(s, e, e, { previousStatus: 'solved', ticket: ticket({ status: 'open' }), message: { visibility: 'public', byStaff: false } }, t('2026-06-09T08:00:00Z'));
    assert.deepEqual(types(reopened.events), ['sla.target_started', 'sla.target_resumed']);
    const r = clock(reopened.state, 'resolution');
    assert.equal(r.elapsedMs, 2 * 3_600_000, 'two business hours (10:00–12:00) used before solving');
    assert.equal(clock(reopened.state, 'first_response').fulfilledAt, '2026-06-08T10:00:00.000Z');
  });

  it('warns a set business time before the deadline or at a share of the target', () => {
    const e = env(urgent);
    const s = startSla(e, ticket({ priority: 'urgent' }), null, t('2026-06-08T09:30:00Z')).state; // Monday 11:30, first response due 14:30
    const fr = clock(s, 'first_response');
    assert.equal(fr.deadline, '2026-06-08T12:30:00.000Z');
    assert.equal(warningAt(fr, e, 0)!.toISOString(), '2026-06-08T12:15:00.000Z', '15 business minutes before: 14:15');
    assert.equal(warningAt(fr, e, 1)!.toISOString(), '2026-06-08T10:00:00.000Z', 'half the hour used at 12:00, the start of lunch');
    assert.equal(nextDueOf(s, e)!.toISOString(), '2026-06-08T10:00:00.000Z');
    fr.warned.push(1, 0);
    assert.equal(nextDueOf(s, e)!.toISOString(), '2026-06-08T12:30:00.000Z', 'both warnings sent: the deadline itself');
    assert.equal(warningAt(clock(s, 'resolution'), e, 1)!.toISOString(), '2026-06-08T15:30:00.000Z', 'resolution at half time: Monday 17:30');
  });

  it('keeps no clocks running on a holiday', () => {
    const e = env(urgent);
    const s = startSla(e, ticket({ priority: 'urgent' }), null, t('2026-04-30T15:30:00Z')).state; // Thursday 17:30, Friday 1 May is a holiday
    assert.equal(clock(s, 'first_response').deadline, '2026-05-04T07:30:00.000Z', 'Monday 09:30');
  });
});

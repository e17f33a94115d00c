/**
 * Migration 0011 fills the SLA summary of rows written before it from their JSON. Whatever the
 * clocks' shape (running before or after a warning, a recorded warning, paused, breached, done),
 * the backfilled row must give the state the engine's own summary gives, at every moment.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { advanceSla, nextDueOf, slaStateAt, startSla, summarizeSla, type SlaEnv, type SlaPolicy, type TicketSlaState } from '@guichet/core';
import { at, describeStore, newWorkspace, ticketInput, userOf } from './fixtures.ts';
import { backfillSlaSummary } from '../src/migrations/0011_sla_inbox.ts';

const policy: SlaPolicy = {
  id: '01900000-0000-7000-8000-00000000aaaa', workspaceId: '01900000-0000-7000-8000-00000000bbbb', name: 'P', description: null, position: 0, enabled: true,
  conditions: {}, calendarId: null,
  targets: { first_response: { minutes: 60, businessHours: false }, resolution: { minutes: 600, businessHours: false } },
  pauseStatuses: ['pending'], warnings: [{ minutesBefore: 20 }], createdAt: at(0), updatedAt: at(0),
};
const env: SlaEnv = { policy, calendarId: null, calendar: null };
const facts = { status: 'open' as const, priority: 'normal' as const, channel: 'email' as const, teamId: null, organizationId: null, tags: [], customFields: {} };
const min = (m: number) => at(m * 60);

describeStore('SLA summary backfill (migration 0011)', (h) => {
  it('gives every kind of stored clocks the state the engine gives', async () => {
    const ws = await newWorkspace(h.store);
    const customer = await h.store.users.insert(userOf(ws, { role: 'customer' }));
    const fresh = startSla(env, facts, null, min(0)).state;
    const warned: TicketSlaState = structuredClone(fresh);
    warned.clocks.first_response!.warned.push(0); // the sweep recorded the warning at 00:40
    const paused = advanceSla(fresh, env, env, { previousStatus: 'open', ticket: { ...facts, status: 'pending' }, message: null }, min(10)).state;
    const late = advanceSla(fresh, env, env, { previousStatus: 'open', ticket: facts, message: null }, min(70)).state; // breach recorded
    const done = advanceSla(fresh, env, env, { previousStatus: 'open', ticket: { ...facts, status: 'solved' }, message: null }, min(5)).state;
    const cases: Array<[string, TicketSlaState, Date]> = [['fresh', fresh, min(0)], ['warned', warned, min(41)], ['paused', paused, min(10)], ['late', late, min(70)], ['done', done, min(5)]];
    const ids: string[] = [];
    for (const [, state, written] of cases) {
      const t = await h.store.tickets.create(ticketInput(ws, customer));
      ids.push(t.id);
      await h.store.ticketSla.upsert({ workspaceId: ws.id, ticketId: t.id, state, nextDueAt: nextDueOf(state, env), summary: { dueAt: null, warnAt: null, paused: false }, updatedAt: written });
    }
    await backfillSlaSummary(h.database.db);
    for (const [i, [name, state, written]] of cases.entries()) {
      const row = await h.store.ticketSla.find(ws.id, ids[i]!);
      const engine = summarizeSla(state, env);
      assert.deepEqual([row!.summary.dueAt, row!.summary.paused], [engine.dueAt, engine.paused], name);
      for (const m of [0, 30, 39, 40, 41, 59, 60, 61, 500, 700]) {
        if (min(m) < written) continue; // only moments after the row was written are ever asked
        assert.equal(slaStateAt(row!.summary, min(m)), slaStateAt(engine, min(m)), `${name} at minute ${m}`);
      }
    }
    assert.equal((await sql<{ n: number }>`SELECT count(*)::int AS n FROM ticket_sla WHERE workspace_id = ${ws.id} AND due_at IS NOT NULL`.execute(h.database.db)).rows[0]!.n, 3);
  });
});

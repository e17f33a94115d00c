import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { drainQueues, reassignAway, routeTicket, trainRoutingModel, type Deps } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type Caller, type TestApp, type TestWorkspace } from './harness.ts';
import { assertError } from './helpers.ts';

/** Run every pending routing job as a worker would; answers how many ran. */
async function runRouteJobs(deps: Deps): Promise<number> {
  let n = 0;
  for (;;) {
    const jobs = await deps.store.jobs.claim('test-worker', ['routing.route'], 50, new Date(), 60_000);
    if (!jobs.length) return n;
    for (const j of jobs) {
      await routeTicket(deps, j.payload as { workspaceId: string; ticketId: string });
      await deps.store.jobs.complete(j.id, 'test-worker', new Date());
      n++;
    }
  }
}

const must = async (p: Promise<{ status: number; body: any }>) => {
  const r = await p;
  assert.ok(r.status < 300, `${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

async function team(ws: TestWorkspace, name: string, agents: Array<{ caller: Caller; capacity: number; languages?: string[] }>) {
  const t = await must(ws.admin.req('POST', '/teams', { name }));
  for (const a of agents) await must(ws.admin.req('PATCH', `/users/${a.caller.id}`, { capacity: a.capacity, languages: a.languages ?? ['en'] }));
  await must(ws.admin.req('PUT', `/teams/${t.id}/members`, { members: agents.map((a) => ({ userId: a.caller.id })) }));
  return t;
}

const CARDS = ['My card was declined at the supermarket', 'Ma carte bancaire est refusée', 'card blocked after wrong PIN', 'my new card never arrived', 'contactless card payment fails'];
const TRANSFERS = ['My bank transfer has not arrived', 'virement bloqué depuis hier', 'wrong IBAN on a transfer', 'international transfer delay', 'cancel a transfer sent by mistake'];

for (const kind of testDbKinds()) {
  describe(`routing on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(async () => {
      await t.close();
    });

    it('routes by admin rule from day one, assigns within capacity, explains itself, and queues when full', async () => {
      const ws = await newWorkspace(t);
      const a1 = await ws.as('agent');
      const a2 = await ws.as('agent');
      const cards = await team(ws, 'Cards', [{ caller: a1, capacity: 1, languages: ['fr', 'en'] }, { caller: a2, capacity: 1 }]);
      // Without automatic assignment nothing is assigned, but the team is decided.
      await must(ws.admin.req('POST', '/routing/rules', { name: 'Cartes', conditions: { keywords: ['carte', 'card'] }, teamId: cards.id }));
      assertError(await ws.admin.req('POST', '/routing/rules', { name: 'Empty', conditions: {}, teamId: cards.id }), 400, 'VALIDATION_FAILED');
      const manual = await must(ws.admin.req('POST', '/tickets', { subject: 'Carte refusée', body: 'Ma carte est refusée au magasin.', requester: { email: 'client@example.fr' } }));
      assert.equal(await runRouteJobs(t.deps), 1, 'the creation enqueued one routing job');
      let r = await must(ws.admin.req('GET', `/tickets/${manual.id}/routing`));
      assert.equal(r.state, 'manual');
      assert.equal(r.teamId, cards.id);
      assert.equal(r.teamSource, 'rule');
      assert.equal((await must(ws.admin.req('GET', `/tickets/${manual.id}`))).assigneeId, null);

      await must(ws.admin.req('PATCH', '/routing/settings', { autoAssign: true }));
      const first = await must(ws.admin.req('POST', '/tickets', { subject: 'Carte bloquée', body: 'Bonjour, ma carte est bloquée.', requester: { email: 'client@example.fr' }, language: 'fr' }));
      await runRouteJobs(t.deps);
      const ticket = await must(ws.admin.req('GET', `/tickets/${first.id}`));
      assert.equal(ticket.assigneeId, a1.id, 'the agent who speaks French');
      assert.equal(ticket.teamId, cards.id);
      assert.equal(ticket.status, 'open');
      r = await must(ws.admin.req('GET', `/tickets/${first.id}/routing?lang=fr`));
      assert.equal(r.state, 'assigned');
      assert.match(r.explanation, /^Équipe Cards \(règle « Cartes »\)\. Attribué à agent \d+ : parle français, 0 sur 1 ouverts\.$/);
      assert.match(r.explanations.en, /^Team Cards \(rule "Cartes"\)\. Assigned to agent \d+: speaks French, 0 of 1 open\.$/);
      const events = await must(ws.admin.req('GET', `/tickets/${first.id}/events`));
      assert.ok(events.items.some((e: any) => e.type === 'ticket.routed'), 'the decision is in the history');

      // Second goes to the other agent; the third waits: nobody goes over capacity.
      const second = await must(ws.admin.req('POST', '/tickets', { subject: 'Card declined', body: 'My card is declined.', requester: { email: 'b@example.com' } }));
      const third = await must(ws.admin.req('POST', '/tickets', { subject: 'Card stolen', body: 'My card was stolen.', requester: { email: 'c@example.com' } }));
      await runRouteJobs(t.deps);
      assert.equal((await must(ws.admin.req('GET', `/tickets/${second.id}`))).assigneeId, a2.id);
      r = await must(ws.admin.req('GET', `/tickets/${third.id}/routing`));
      assert.equal(r.state, 'queued');
      assert.match(r.explanation, /at capacity: waiting in the team queue/);
      assert.equal(await drainQueues(t.deps, ws.id), 0, 'still full');
      // Someone frees up: the queued ticket is assigned to them.
      await must(a2.req('PATCH', `/tickets/${second.id}`, { status: 'solved' }));
      assert.equal(await drainQueues(t.deps, ws.id), 1);
      assert.equal((await must(ws.admin.req('GET', `/tickets/${third.id}`))).assigneeId, a2.id);

      // Out of office: not a candidate.
      await must(a1.req('PUT', `/users/${a1.id}/availability`, { status: 'offline' }));
      await must(a1.req('PATCH', `/tickets/${first.id}`, { status: 'solved' }));
      const fourth = await must(ws.admin.req('POST', '/tickets', { subject: 'Card question', body: 'A card question.', requester: { email: 'd@example.com' } }));
      await runRouteJobs(t.deps);
      assert.equal((await must(ws.admin.req('GET', `/tickets/${fourth.id}/routing`))).state, 'queued');
      assertError(await a2.req('PUT', `/users/${a1.id}/availability`, { status: 'online' }), 403, 'FORBIDDEN');
      // Back online but outside working hours (none today in their time zone): still not a candidate.
      const today = ((new Date().getUTCDay() + 6) % 7) + 1;
      await must(a1.req('PUT', `/users/${a1.id}/availability`, { status: 'online', workingHours: { days: [today === 7 ? 1 : today + 1], start: '00:00', end: '23:59' } }));
      assertError(await a1.req('PUT', `/users/${a1.id}/availability`, { workingHours: { days: [8], start: '09:00', end: '25:00' } }), 400, 'VALIDATION_FAILED');
      await drainQueues(t.deps, ws.id);
      assert.equal((await must(ws.admin.req('GET', `/tickets/${fourth.id}/routing`))).state, 'queued');
      await must(a1.req('PUT', `/users/${a1.id}/availability`, { workingHours: null }));
      assert.equal(await drainQueues(t.deps, ws.id), 1, 'within hours again');
      assert.equal((await must(ws.admin.req('GET', `/tickets/${fourth.id}`))).assigneeId, a1.id);

      // Another workspace sees none of it.
      const other = await newWorkspace(t);
      assertError(await other.admin.req('GET', `/tickets/${first.id}/routing`), 404, 'TICKET_NOT_FOUND');
      assert.equal((await must(other.admin.req('GET', '/routing/rules'))).items.length, 0);
    });

    it('learns teams from resolved tickets, keeps the model, and sends unsure tickets to triage', async () => {
      const ws = await newWorkspace(t);
      const a1 = await ws.as('agent');
      const a2 = await ws.as('agent');
      const cards = await team(ws, 'Cards', [{ caller: a1, capacity: 50 }]);
      const transfers = await team(ws, 'Transfers', [{ caller: a2, capacity: 50 }]);
      for (let i = 0; i < 40; i++) {
        const [teamId, assigneeId, texts] = i % 2 ? [transfers.id, a2.id, TRANSFERS] : [cards.id, a1.id, CARDS];
        const s = texts[i % texts.length]!;
        await must(ws.admin.req('POST', '/tickets', { subject: s, body: `${s}. ${texts[(i + 2) % texts.length]}`, requester: { email: `c${i}@example.com` }, teamId, assigneeId, status: 'solved' }));
      }
      const queued = await must(ws.admin.req('POST', '/routing/models/train', {}));
      assert.equal(queued.status, 'queued');
      const outcome = await trainRoutingModel(t.deps, { workspaceId: ws.id });
      assert.equal(outcome.status, 'active', JSON.stringify(outcome));
      const models = (await must(ws.admin.req('GET', '/routing/models'))).items;
      assert.equal(models[0].status, 'active');
      assert.equal(models[0].version, 1);
      assert.ok(models[0].metrics.heads.team.accuracy >= 0 && models[0].metrics.heads.team.ece >= 0);
      assert.ok(models[0].windowFrom && models[0].windowTo);

      await must(ws.admin.req('PATCH', '/routing/settings', { autoAssign: true, minConfidence: 0.5 }));
      const n = await must(ws.admin.req('POST', '/tickets', { subject: 'Transfer not received', body: 'My bank transfer has not arrived yet.', requester: { email: 'z@example.com' } }));
      await runRouteJobs(t.deps);
      const r = await must(ws.admin.req('GET', `/tickets/${n.id}/routing`));
      assert.equal(r.teamSource, 'model');
      assert.equal(r.teamId, transfers.id);
      assert.ok(r.confidence > 0.5 && r.confidence <= 1);
      assert.equal(r.modelVersion, 1);
      assert.match(r.explanation, /^Team Transfers \(confidence 0\.\d\d\)\. Assigned to agent \d+: /);

      // Retraining keeps a model at least as good; a second version becomes active, the first retires.
      assert.equal((await trainRoutingModel(t.deps, { workspaceId: ws.id })).status, 'active');
      const after2 = (await must(ws.admin.req('GET', '/routing/models'))).items;
      assert.deepEqual(after2.map((m: any) => [m.version, m.status]), [[2, 'active'], [1, 'retired']]);

      // Too unsure: triage queue, then a person decides and the ticket is assigned by the team's mode.
      await must(ws.admin.req('PATCH', '/routing/settings', { minConfidence: 0.999 }));
      const unsure = await must(ws.admin.req('POST', '/tickets', { subject: 'Question', body: 'Hello, a question please.', requester: { email: 'q@example.com' } }));
      await runRouteJobs(t.deps);
      const triage = (await must(ws.admin.req('GET', '/routing/triage'))).items;
      assert.ok(triage.some((x: any) => x.ticketId === unsure.id && x.state === 'triage'));
      assertError(await ws.anonymous.req('GET', '/routing/triage'), 401);
      const decided = await must(a1.req('POST', `/tickets/${unsure.id}/routing/decision`, { teamId: cards.id }));
      assert.equal(decided.teamSource, 'triage');
      assert.equal(decided.assigneeId, a1.id);
      assert.equal((await must(ws.admin.req('GET', `/tickets/${unsure.id}`))).teamId, cards.id);
    });

    it('reassigns the waiting tickets of someone who goes offline, proposes it where the team says so, and overflows after a wait', async () => {
      const ws = await newWorkspace(t);
      const a1 = await ws.as('agent');
      const a2 = await ws.as('agent');
      const a3 = await ws.as('agent');
      const main = await team(ws, 'Main', [{ caller: a1, capacity: 5 }, { caller: a2, capacity: 5 }]);
      const backup = await team(ws, 'Backup', [{ caller: a3, capacity: 5 }]);
      await must(ws.admin.req('PATCH', '/routing/settings', { autoAssign: true }));
      await must(ws.admin.req('PUT', `/teams/${main.id}/routing`, { mode: 'load_balanced' }));
      const mk = (s: string) => must(ws.admin.req('POST', '/tickets', { subject: s, body: s, requester: { email: 'r@example.com' }, teamId: main.id }));
      const [x, y] = [await mk('One'), await mk('Two')];
      await runRouteJobs(t.deps);
      const holder = (await must(ws.admin.req('GET', `/tickets/${x.id}`))).assigneeId;
      const other = holder === a1.id ? a2 : a1;
      const holderCaller = holder === a1.id ? a1 : a2;
      // Pending (waiting on the customer) stays; open goes to the colleague.
      await must(holderCaller.req('PUT', `/users/${holder}/availability`, { status: 'offline' }));
      const jobs = (await t.deps.store.jobs.claim('test-worker', ['routing.reassign'], 10, new Date(), 60_000)).filter((j) => j.workspaceId === ws.id);
      assert.equal(jobs.length, 1, 'going offline asks for a reassignment');
      const out = await reassignAway(t.deps, jobs[0]!.payload as { workspaceId: string; userId: string });
      assert.equal(out.reassigned, 1);
      assert.equal((await must(ws.admin.req('GET', `/tickets/${x.id}`))).assigneeId, other.id);
      const r = await must(ws.admin.req('GET', `/tickets/${x.id}/routing`));
      assert.equal(r.state, 'assigned');
      const events = (await must(ws.admin.req('GET', `/tickets/${x.id}/events`))).items.filter((e: any) => e.type === 'ticket.routed');
      assert.ok(events.some((e: any) => /is offline: back to the team queue/.test(e.data.explanation.en)), JSON.stringify(events.map((e: any) => e.data.explanation)));

      // A team that only proposes: the ticket stays, the proposal is in its history.
      await must(ws.admin.req('PUT', `/teams/${main.id}/routing`, { reassignWhenAway: false }));
      await must(other.req('PUT', `/users/${other.id}/availability`, { outOfOfficeUntil: new Date(Date.now() + 86_400_000).toISOString() }));
      const proposal = await reassignAway(t.deps, { workspaceId: ws.id, userId: other.id });
      assert.ok(proposal.proposed >= 1 && proposal.reassigned === 0);
      assert.equal((await must(ws.admin.req('GET', `/tickets/${x.id}`))).assigneeId, other.id);
      assert.ok((await must(ws.admin.req('GET', `/tickets/${x.id}/events`))).items.some((e: any) => e.type === 'ticket.reassignment_proposed'));

      // Nobody available in Main: new tickets queue there, then overflow to Backup after the wait.
      assertError(await ws.admin.req('PUT', `/teams/${main.id}/routing`, { overflowTeamId: main.id }), 400, 'VALIDATION_FAILED');
      await must(ws.admin.req('PUT', `/teams/${main.id}/routing`, { overflowTeamId: backup.id, overflowAfterMinutes: 1 }));
      const z = await mk('Three');
      await runRouteJobs(t.deps);
      assert.equal((await must(ws.admin.req('GET', `/tickets/${z.id}/routing`))).state, 'queued');
      assert.equal(await drainQueues(t.deps, ws.id), 0, 'not waited long enough');
      const later: Deps = { ...t.deps, clock: { now: () => new Date(Date.now() + 2 * 60_000) } };
      assert.equal(await drainQueues(later, ws.id), 1);
      const moved = await must(ws.admin.req('GET', `/tickets/${z.id}`));
      assert.equal(moved.teamId, backup.id);
      assert.equal(moved.assigneeId, a3.id);
    });
  });
}

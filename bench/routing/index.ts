/**
 * `npm run bench -- routing [--quick] [--only=pglite,pg] [--statements]`: the full assignment decision in the product, on PGlite and
 * PostgreSQL. A workspace with 8 teams of 25 agents (200), a triage model trained on the
 * bank-support history (its 40 agents mapped onto the first five members of each team), then the
 * incoming tickets created and routed one by one through `routeTicket` (prediction, locking and
 * scoring the candidates, the assignment, the decision and its event): decision latency p50/p99
 * and team accuracy. Training time is the model's on the whole history. `--statements` (PostgreSQL
 * only) counts the SQL statements a decision sends, through a counting proxy (slower, but figures
 * that do not move with the machine's load), and lists the most frequent.
 * Data: Banking77 queries (PolyAI, CC BY 4.0; Casanueva et al. 2020) in the bank-support simulation.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  bootstrapWorkspace,
  createKeyring,
  createTicket,
  createUuidV7,
  cryptoSecrets,
  routeTicket,
  serializeTriageModel,
  systemActor,
  systemClock,
  trainTriageModel,
  type Deps,
} from '@guichet/core';
import { createStore, openDatabase, type Database } from '@guichet/db';
import { createPgDatabase } from '@guichet/db/testing';
import { startPgCounter, type PgCounter } from '../lib/pg-counter.ts';
import { parseCsv } from '../lib/csv.ts';
import { datasetDir } from '../lib/datasets.ts';

const DATA = datasetDir('bank-support');
const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? ['pglite', 'pg'];
const ROUTE = quick ? 200 : 1000;
const countStatements = process.argv.includes('--statements');

const history = parseCsv(readFileSync(`${DATA}/history.csv`, 'utf8'));
const incoming = parseCsv(readFileSync(`${DATA}/incoming.csv`, 'utf8')).slice(0, ROUTE);
const agentsCsv = parseCsv(readFileSync(`${DATA}/agents.csv`, 'utf8'));
const teamNames = [...new Set(agentsCsv.map((a) => a.team!))].sort();

const hasher = { hash: async (p: string) => `plain:${p}`, verify: async (h: string, p: string) => h === `plain:${p}` };

function depsFor(database: Database): Deps {
  return {
    store: createStore(database.db),
    clock: systemClock,
    ids: createUuidV7(systemClock),
    secrets: cryptoSecrets,
    keyring: createKeyring(randomBytes(32)),
    passwords: hasher,
    settings: { sessionTtlMs: 3_600_000, maxLoginFailures: 5, loginWindowMs: 60_000 },
  };
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};

async function run(kind: 'pglite' | 'pg'): Promise<Record<string, number>> {
  let drop: (() => Promise<void>) | null = null;
  let database: Database;
  let counter: PgCounter | null = null;
  if (kind === 'pg') {
    const created = await createPgDatabase('guichet_bench');
    drop = created.drop;
    if (countStatements) counter = await startPgCounter(created.url);
    database = await openDatabase({ url: counter?.url ?? created.url, poolSize: 4 });
  } else database = await openDatabase({ memory: true });
  try {
    const deps = depsFor(database);
    const { workspace } = await bootstrapWorkspace(deps, { slug: 'bench', name: 'Bench', admin: { email: 'admin@bench.test', name: 'Admin', password: 'correct horse battery' } });
    const ws = workspace.id;
    const now = new Date();
    const teamIds = new Map<string, string>();
    const agentIds = new Map<string, string>();
    for (const name of teamNames) {
      const teamId = deps.ids.uuid();
      await deps.store.teams.insert({ id: teamId, workspaceId: ws, name, description: null, createdAt: now, updatedAt: now });
      teamIds.set(name, teamId);
      const historical = agentsCsv.filter((a) => a.team === name).map((a) => a.agent!);
      const members: string[] = [];
      for (let i = 0; i < 25; i++) {
        const id = deps.ids.uuid();
        await deps.store.users.insert({
          id, workspaceId: ws, role: 'agent', email: `${name}-${i}@bench.test`, name: historical[i] ?? `${name} agent ${i}`, passwordHash: null, status: 'active',
          locale: 'en', timeZone: 'UTC', languages: ['en'], organizationId: null, phone: null, notes: null, capacity: 1000, createdAt: now, updatedAt: now, lastLoginAt: null,
        });
        members.push(id);
        if (historical[i]) agentIds.set(historical[i]!, id);
      }
      await deps.store.teams.setMembers(ws, teamId, members.map((userId) => ({ userId, isLead: false })));
    }
    // The model, labelled with this workspace's ids (as the product's training labels them).
    const t0 = performance.now();
    const { model } = await trainTriageModel(
      history.map((r) => {
        const team = teamIds.get(r.team!)!;
        const inTeam = r.first_team === r.team && r.first_assignee;
        const attempt = inTeam ? agentIds.get(r.first_assignee!) ?? null : null;
        return {
          id: r.id!, text: r.body!, createdAt: new Date(r.created_at!),
          labels: { team, [`attempt:${team}`]: attempt, [`solver:${team}`]: r.first_contact_resolved === 'true' ? attempt : null },
        };
      }),
    );
    const trainS = (performance.now() - t0) / 1000;
    model.meta = { baseRate: 0.7 };
    const modelId = deps.ids.uuid();
    await deps.store.routing.insertModel({
      id: modelId, workspaceId: ws, version: 1, status: 'rejected', metrics: {}, validation: {}, windowFrom: null, windowTo: null, examples: history.length, createdAt: now, activatedAt: null,
      model: serializeTriageModel(model),
    });
    await deps.store.routing.activateModel(ws, modelId, now);
    await deps.store.routing.saveSettings({ workspaceId: ws, autoAssign: true, minConfidence: 0, categoryField: null, trainingWindowDays: 365, updatedAt: now });

    const ctx = { workspaceId: ws, actor: systemActor, requestId: 'bench' };
    const latencies: number[] = [];
    let right = 0;
    let statements = 0;
    const tally = new Map<string, number>();
    for (const r of incoming) {
      const { ticket } = await createTicket(deps, ctx, {
        subject: r.subject!, body: r.body!, requester: { email: 'customer@bench.test' }, priority: 'normal', tags: [], customFields: {}, attachments: [], channel: 'api', firstMessageVisibility: 'public',
      } as never);
      const before = counter ? { n: counter.counts().statements, t: counter.tally() } : null;
      const s = performance.now();
      const decision = await routeTicket(deps, { workspaceId: ws, ticketId: ticket.id });
      latencies.push(performance.now() - s);
      if (counter && before) {
        statements += counter.counts().statements - before.n;
        for (const [text, n] of counter.tally()) tally.set(text, (tally.get(text) ?? 0) + n - (before.t.get(text) ?? 0));
      }
      if (decision?.teamId === teamIds.get(r.team!)) right++;
    }
    if (counter) {
      console.log(`PostgreSQL: ${(statements / incoming.length).toFixed(2)} SQL statements per decision; the most frequent (per decision):`);
      for (const [text, n] of [...tally].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${(n / incoming.length).toFixed(2)}  ${text}`);
    }
    return { team_acc: right / incoming.length, train_s: trainS, decide_p50_ms: q(latencies, 0.5), decide_p99_ms: q(latencies, 0.99), decisions: incoming.length, statements: statements / incoming.length };
  } finally {
    await database.close();
    await counter?.close();
    await drop?.();
  }
}

const results: Record<string, Record<string, number>> = {};
for (const kind of only as Array<'pglite' | 'pg'>) results[kind] = await run(kind);
console.log(`routing decisions with 200 agents (${ROUTE} incoming tickets of bank-support, routed one at a time)`);
console.log('| database | team accuracy | training (s) | decision p50 (ms) | decision p99 (ms) |');
console.log('|---|---|---|---|---|');
for (const [k, r] of Object.entries(results)) {
  console.log(`| ${k === 'pg' ? 'PostgreSQL' : 'PGlite'} | ${r.team_acc!.toFixed(3)} | ${r.train_s!.toFixed(1)} | ${r.decide_p50_ms!.toFixed(2)} | ${r.decide_p99_ms!.toFixed(2)} |`);
}
const head = results.pg ?? results.pglite!;
console.log(
  `routing: team_acc=${head.team_acc!.toFixed(4)} train_s=${head.train_s!.toFixed(1)} decide_p50_ms=${head.decide_p50_ms!.toFixed(2)} decide_p99_ms=${head.decide_p99_ms!.toFixed(2)}` +
    (results.pglite ? ` pglite_decide_p99_ms=${results.pglite.decide_p99_ms!.toFixed(2)}` : ''),
);

/**
 * `npm run bench -- sla [--quick] [--tickets=N] [--only=pg,pglite] [--triggers=N] [--events=N] [--statements]`:
 * the SLA scheduler and triggers at scale.
 *
 * A workspace with 8 teams, 40 agents, 20,000 customers, a business calendar (Europe/Paris,
 * weekdays 9–18, French holidays) and four SLA policies (chat, urgent, high, standard), then N
 * tickets (default 1,000,000; --quick 20,000) of which a tenth are new or open, the rest closed.
 * Subjects are real customer requests from ../shared/datasets/bank-support (Banking77 queries).
 * The bulk rows are written by set-based SQL (INSERT … SELECT generate_series) straight into the
 * tables; the open tickets' SLA clocks come from the product's own engine (`startSla` with the
 * environment `envFor` picks), written in batches; closed tickets get a finished state.
 * The search index trigger on tickets is disabled while the rows are generated (this bench does
 * not search) and enabled again before measuring.
 *
 * Then, with the product's functions, as the jobs call them:
 * - the scheduler sweep (`sweepSla`, job sla.sweep) when nothing is due (the clock just before
 *   the first due moment) and when 10,000 tickets are due (the clock at the 10,000th due moment,
 *   or the moment before when many deadlines share it):
 *   warnings, breaches, notifications, and the triggers listening to SLA events;
 * - the cost of evaluating the triggers of one ticket event (`runTriggers` in a transaction, as
 *   ticket updates run it) with 200 enabled triggers;
 * - a calendar change (`updateBusinessCalendar`) and the recompute it queues (`recomputeSla`, job
 *   sla.recompute) over every open ticket.
 * EXPLAIN (the plan of the claim query `KyselyTicketSlaRepository.claimDue` sends) shows whether
 * the sweep reads the next-deadline index.
 * Default: PostgreSQL only; `--only=pglite --tickets=100000` runs PGlite at a smaller size.
 * `--statements` counts the SQL statements sent per trigger event and per swept ticket (figures
 * that do not depend on the machine's load), through a counting proxy.
 */
import { sql, type Kysely } from 'kysely';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bootstrapWorkspace,
  choosePolicy,
  createBusinessCalendar,
  createSlaPolicy,
  createTrigger,
  envFor,
  nextDueOf,
  recomputeSla,
  runTriggers,
  startSla,
  sweepSla,
  systemActor,
  updateBusinessCalendar,
  type Clock,
  type Ctx,
  type SlaEnv,
  type SlaPolicy,
  type Ticket,
  type TriggerEvent,
} from '@guichet/core';
import { ticketSequenceName } from '@guichet/db';
import { parseCsv } from '../lib/csv.ts';
import { datasetDir } from '../lib/datasets.ts';
import { benchDeps, dbLabel, loadAverage, numArg, onlyKinds, openBenchDatabase, quantile, type DbKind } from '../lib/product.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const intArg = (name: string, fallback: number) => Math.round(numArg(args, name, fallback));
const TICKETS = intArg('tickets', quick ? 20_000 : 1_000_000);
const OPEN = Math.round(TICKETS / 10);
const DUE = Math.min(10_000, Math.round(OPEN / 4));
const TRIGGERS = intArg('triggers', 200);
const EVENTS = intArg('events', quick ? 100 : 1000);
const kinds = onlyKinds(args, ['pg']);
/** Count the SQL the product sends (through a counting proxy: the times are then a little higher). */
const countStatements = args.includes('--statements');
/** Each figure as soon as it is measured (a full run takes a while). */
const progress = (line: string) => console.error(`# ${line}`);

const subjects = parseCsv(readFileSync(join(datasetDir('bank-support'), 'history.csv'), 'utf8'))
  .map((r) => (r.subject ?? '').replace(/\s+/g, ' ').trim().slice(0, 200))
  .filter(Boolean);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The bench's "now" when the data is made: a Wednesday morning in Paris. */
const T0 = Date.parse('2026-11-18T09:30:00Z');

/** A clock the bench moves (the product reads time only through this port). */
class BenchClock implements Clock {
  constructor(public at: number) {}
  now() {
    return new Date(this.at);
  }
}

const weekdays = (periods: Array<{ start: string; end: string }>) => ({ mon: periods, tue: periods, wed: periods, thu: periods, fri: periods, sat: [], sun: [] });
const FR_HOLIDAYS = [
  ['01-01', "Jour de l'an"], ['05-01', 'Fête du travail'], ['05-08', 'Victoire 1945'], ['07-14', 'Fête nationale'],
  ['08-15', 'Assomption'], ['11-01', 'Toussaint'], ['11-11', 'Armistice'], ['12-25', 'Noël'],
].map(([d, name]) => ({ date: `2026-${d}`, name: name!, yearly: true }));

interface Figures {
  tickets: number;
  open: number;
  generateS: number;
  claimPlan: string;
  usesIndex: boolean;
  idleMs: number[];
  due: { ms: number; tickets: number; warnings: number; breaches: number; notifications: number; dueRows: number };
  triggerMs: number[];
  changedMs: number[];
  unchangedMs: number[];
  triggerFired: number;
  firings: number;
  recompute: { ms: number; rows: number };
  /** With --statements: SQL statements per trigger event (all, those that changed nothing, those that changed the ticket) and per swept ticket. */
  sql?: { perEvent: number; perUnchanged: number; perChanged: number; perSwept: number };
}

async function run(kind: DbKind): Promise<Figures> {
  const database = await openBenchDatabase(kind, { prefix: 'guichet_bench_sla', poolSize: 4, counter: countStatements });
  const statements = () => database.counter?.counts().statements ?? 0;
  const db = database.db as unknown as Kysely<any>;
  try {
    const clock = new BenchClock(T0);
    const deps = benchDeps(database, clock);
    const { workspace } = await bootstrapWorkspace(deps, { slug: 'bench', name: 'Bench', admin: { email: 'admin@bench.test', name: 'Admin', password: 'correct horse battery' } });
    const ws = workspace.id;
    const ctx: Ctx = { workspaceId: ws, actor: systemActor, requestId: 'bench' };
    const t0 = performance.now();

    // People: 8 teams of 5 agents (the first one leads), customers by SQL.
    const teamIds: string[] = [];
    const agentIds: string[] = [];
    const now = new Date(T0 - 400 * DAY);
    for (const name of ['Cards', 'Payments', 'Transfers', 'Accounts', 'Security', 'Cash', 'Top-ups', 'Exchange']) {
      const teamId = deps.ids.uuid();
      await deps.store.teams.insert({ id: teamId, workspaceId: ws, name, description: null, createdAt: now, updatedAt: now });
      const members: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = deps.ids.uuid();
        await deps.store.users.insert({
          id, workspaceId: ws, role: 'agent', email: `${name.toLowerCase()}-${i}@bench.test`, name: `${name} agent ${i}`, passwordHash: null, status: 'active',
          locale: i % 2 ? 'fr' : 'en', timeZone: 'Europe/Paris', languages: ['en', 'fr'], organizationId: null, phone: null, notes: null, capacity: 100_000, createdAt: now, updatedAt: now, lastLoginAt: null,
        });
        members.push(id);
      }
      await deps.store.teams.setMembers(ws, teamId, members.map((userId, i) => ({ userId, isLead: i === 0 })));
      teamIds.push(teamId);
      agentIds.push(...members);
    }
    await sql`INSERT INTO users (id, workspace_id, role, email, name, locale, time_zone, created_at, updated_at)
      SELECT gen_random_uuid(), ${ws}, 'customer', 'customer' || g || '@client' || (g % 500) || '.example', 'Customer ' || g,
        CASE WHEN g % 3 = 0 THEN 'fr' ELSE 'en' END, 'Europe/Paris', ${now}, ${now}
      FROM generate_series(1, 20000) AS g`.execute(db);

    // The calendar and the policies, through the product.
    const calendar = await createBusinessCalendar(deps, ctx, {
      name: 'Paris', timeZone: 'Europe/Paris', teamId: null, isDefault: true, weekly: weekdays([{ start: '09:00', end: '18:00' }]), holidays: FR_HOLIDAYS, specialDays: [],
    });
    const policyInput = (name: string, conditions: Record<string, unknown>, first: number, resolution: number, warnings: Array<Record<string, number>>, businessHours = true) => ({
      name, description: null, enabled: true, conditions, calendarId: null,
      targets: { first_response: { minutes: first, businessHours }, next_response: { minutes: first * 2, businessHours }, resolution: { minutes: resolution, businessHours } },
      pauseStatuses: ['pending', 'on_hold'], warnings,
    });
    for (const p of [
      policyInput('Chat', { channels: ['chat'] }, 15, 240, [{ share: 0.75 }], false),
      policyInput('Urgent', { priorities: ['urgent'] }, 60, 480, [{ share: 0.75 }, { minutesBefore: 10 }]),
      policyInput('High', { priorities: ['high'] }, 240, 1440, [{ minutesBefore: 30 }]),
      policyInput('Standard', {}, 480, 2880, [{ share: 0.8 }]),
    ]) {
      await createSlaPolicy(deps, ctx, p as never);
    }
    const policies: SlaPolicy[] = await deps.store.slaPolicies.list(ws, { enabledOnly: true });

    // Tickets: one INSERT … SELECT per 100,000. A tenth new or open, created over the 3 days
    // before T0; the rest closed, over the 2 years before.
    await sql`ALTER TABLE tickets DISABLE TRIGGER tickets_search`.execute(db);
    const seq = ticketSequenceName(ws);
    const CHUNK = 100_000;
    for (let from = 1; from <= TICKETS; from += CHUNK) {
      const to = Math.min(TICKETS, from + CHUNK - 1);
      await sql`
        WITH c AS (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM users WHERE workspace_id = ${ws} AND role = 'customer')
        INSERT INTO tickets (id, workspace_id, number, subject, status, priority, channel, requester_id, assignee_id, team_id, tags, custom_fields, language, created_at, updated_at, solved_at, closed_at)
        SELECT gen_random_uuid(), ${ws}, nextval(${seq}::regclass), s.subjects[1 + h.h1 % array_length(s.subjects, 1)],
          x.status, x.priority,
          (ARRAY['email','email','email','web','portal','chat','api','phone'])[1 + h.h2 % 8],
          c.ids[1 + h.h3 % c.n],
          CASE WHEN h.h4 % 4 = 0 THEN NULL ELSE a.ids[1 + h.h4 % array_length(a.ids, 1)] END,
          t.ids[1 + h.h5 % array_length(t.ids, 1)],
          CASE WHEN h.h6 % 7 = 0 THEN ARRAY['vip'] WHEN h.h6 % 11 = 0 THEN ARRAY['refund', 'card'] ELSE '{}'::text[] END,
          '{}'::jsonb, CASE WHEN h.h7 % 3 = 0 THEN 'fr' ELSE 'en' END,
          x.created, x.created + interval '5 minutes',
          CASE WHEN x.status = 'closed' THEN x.created + interval '1 day' END,
          CASE WHEN x.status = 'closed' THEN x.created + interval '4 days' END
        FROM generate_series(${from}::int, ${to}::int) AS g
        CROSS JOIN c
        CROSS JOIN (SELECT ${subjects}::text[] AS subjects) s
        CROSS JOIN (SELECT ${agentIds}::uuid[] AS ids) a
        CROSS JOIN (SELECT ${teamIds}::uuid[] AS ids) t
        -- Independent pseudo-random draws per attribute (hashes of the row number).
        CROSS JOIN LATERAL (SELECT hashint4(g * 16 + 1) & 2147483647 AS h1, hashint4(g * 16 + 2) & 2147483647 AS h2, hashint4(g * 16 + 3) & 2147483647 AS h3, hashint4(g * 16 + 4) & 2147483647 AS h4, hashint4(g * 16 + 5) & 2147483647 AS h5, hashint4(g * 16 + 6) & 2147483647 AS h6, hashint4(g * 16 + 7) & 2147483647 AS h7, hashint4(g * 16 + 8) & 2147483647 AS h8, hashint4(g * 16 + 9) & 2147483647 AS h9) h
        CROSS JOIN LATERAL (SELECT
          CASE WHEN g % 10 = 0 THEN (CASE WHEN g % 30 = 0 THEN 'new' ELSE 'open' END) ELSE 'closed' END AS status,
          (ARRAY['normal','normal','normal','normal','low','high','high','urgent'])[1 + h.h8 % 8] AS priority,
          CASE WHEN g % 10 = 0
            THEN ${new Date(T0)}::timestamptz - make_interval(secs => (h.h9 % 259200)::float8)
            ELSE ${new Date(T0)}::timestamptz - make_interval(secs => (259200 + h.h9 % 63072000)::float8) END AS created) x`.execute(db);
    }
    await sql`ALTER TABLE tickets ENABLE TRIGGER tickets_search`.execute(db);

    // Closed tickets: a finished state (both clocks met), no next moment.
    const standard = policies.find((p) => p.name === 'Standard')!;
    await sql`
      INSERT INTO ticket_sla (ticket_id, workspace_id, policy_id, calendar_id, state, next_due_at, updated_at)
      SELECT t.id, t.workspace_id, ${standard.id}::uuid, ${calendar.id}::uuid,
        jsonb_build_object('policyId', ${standard.id}::text, 'calendarId', ${calendar.id}::text, 'paused', false, 'clocks', jsonb_build_object(
          'first_response', jsonb_build_object('kind', 'first_response', 'startedAt', t.created_at, 'elapsedMs', 3600000, 'since', NULL, 'targetMinutes', 480, 'businessHours', true,
            'deadline', NULL, 'breachedAt', NULL, 'fulfilledAt', t.created_at + interval '1 hour', 'warned', '[]'::jsonb),
          'resolution', jsonb_build_object('kind', 'resolution', 'startedAt', t.created_at, 'elapsedMs', 32400000, 'since', NULL, 'targetMinutes', 2880, 'businessHours', true,
            'deadline', NULL, 'breachedAt', NULL, 'fulfilledAt', t.solved_at, 'warned', '[]'::jsonb))),
        NULL, t.closed_at
      FROM tickets t WHERE t.workspace_id = ${ws} AND t.status = 'closed'`.execute(db);

    // Open tickets: their clocks started by the product's engine at their creation.
    const envs = new Map<string, SlaEnv>();
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const page = await sql<{ id: string; status: Ticket['status']; priority: Ticket['priority']; channel: Ticket['channel']; team_id: string | null; organization_id: string | null; tags: string[]; custom_fields: Record<string, unknown>; created_at: Date | string }>`
        SELECT id, status, priority, channel, team_id, organization_id, tags, custom_fields, created_at FROM tickets
        WHERE workspace_id = ${ws} AND status IN ('new', 'open') AND id > ${after} ORDER BY id LIMIT 5000`.execute(db);
      if (!page.rows.length) break;
      after = page.rows[page.rows.length - 1]!.id;
      const rows = [];
      for (const r of page.rows) {
        const facts = { status: r.status, priority: r.priority, channel: r.channel, teamId: r.team_id, organizationId: r.organization_id, tags: r.tags, customFields: r.custom_fields };
        const policy = choosePolicy(policies, facts);
        const key = `${policy?.id}:${r.team_id}`;
        let env = envs.get(key);
        if (!env) envs.set(key, (env = await envFor(deps.store, ws, policy, r.team_id)));
        const created = new Date(r.created_at);
        const { state } = startSla(env, facts, null, created);
        rows.push({ ticket_id: r.id, policy_id: state.policyId, calendar_id: state.calendarId, state, next_due_at: nextDueOf(state, env)?.toISOString() ?? null, updated_at: created.toISOString() });
      }
      await sql`
        INSERT INTO ticket_sla (ticket_id, workspace_id, policy_id, calendar_id, state, next_due_at, updated_at)
        SELECT r.ticket_id, ${ws}, r.policy_id, r.calendar_id, r.state, r.next_due_at, r.updated_at
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(ticket_id uuid, policy_id uuid, calendar_id uuid, state jsonb, next_due_at timestamptz, updated_at timestamptz)`.execute(db);
    }
    await sql`ANALYZE`.execute(db);
    const generateS = (performance.now() - t0) / 1000;
    progress(`${dbLabel(kind)}: data made in ${generateS.toFixed(0)} s`);
    const [{ open }] = (await sql<{ open: number }>`SELECT count(*)::int AS open FROM ticket_sla WHERE next_due_at IS NOT NULL`.execute(db)).rows as [{ open: number }];

    // When nothing is due / when DUE tickets are due.
    const firstDue = (await sql<{ at: Date | string }>`SELECT min(next_due_at) AS at FROM ticket_sla`.execute(db)).rows[0]!.at;
    const nthDue = (await sql<{ at: Date | string }>`SELECT next_due_at AS at FROM ticket_sla WHERE next_due_at IS NOT NULL ORDER BY next_due_at OFFSET ${DUE - 1} LIMIT 1`.execute(db)).rows[0]!.at;
    const idleAt = new Date(firstDue).getTime() - 1;
    // Many deadlines fall on the same moment (the calendar's opening): step back one moment when
    // the DUE-th one would bring far more than DUE.
    let dueAt = new Date(nthDue).getTime();
    const dueCount = async (at: number) => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM ticket_sla WHERE next_due_at <= ${new Date(at)}`.execute(db)).rows[0]!.n);
    if ((await dueCount(dueAt)) > DUE * 1.1) {
      const prev = (await sql<{ at: Date | string | null }>`SELECT max(next_due_at) AS at FROM ticket_sla WHERE next_due_at < ${new Date(dueAt)}`.execute(db)).rows[0]!.at;
      if (prev) dueAt = new Date(prev).getTime();
    }

    // The plan of the sweep's claim (the statement claimDue sends, with the due moment).
    const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT * FROM ticket_sla WHERE next_due_at <= ${new Date(dueAt)} ORDER BY next_due_at LIMIT 200 FOR UPDATE SKIP LOCKED`.execute(db);
    const claimPlan = plan.rows.map((r) => r['QUERY PLAN']).join('\n');

    clock.at = idleAt;
    const idleMs: number[] = [];
    for (let i = 0; i < 7; i++) {
      const s = performance.now();
      const r = await sweepSla(deps);
      idleMs.push(performance.now() - s);
      if (r.tickets) throw new Error(`the idle sweep found ${r.tickets} due tickets`);
    }
    progress(`${dbLabel(kind)}: idle sweep median ${quantile(idleMs, 0.5).toFixed(1)} ms`);

    // Triggers: TRIGGERS enabled, as an admin would write them; a few listen to SLA events.
    const fields: Array<[string, string, unknown]> = [
      ['ticket.priority', 'is', 'urgent'], ['ticket.channel', 'is', 'chat'], ['requester.domain', 'is', 'client7.example'], ['ticket.subject', 'contains', 'refund'],
      ['ticket.tags', 'contains', 'vip'], ['ticket.status', 'changed_to', 'solved'], ['message.body', 'contains', 'chargeback'], ['time.weekday', 'is', 6],
    ];
    for (let i = 0; i < TRIGGERS; i++) {
      const [field, op, value] = fields[i % fields.length]!;
      const sla = i % 20 === 0;
      const events: TriggerEvent[] = sla ? [i % 40 === 0 ? 'sla.breached' : 'sla.warning'] : ['ticket.updated', 'message.added'];
      await createTrigger(deps, ctx, {
        name: `Rule ${i}`, description: null, enabled: true, events, stop: false,
        conditions: { all: [{ field, op, value } as never, { field: 'ticket.team_id', op: 'is', value: teamIds[Math.floor(i / fields.length) % teamIds.length] } as never, ...(i % 3 ? [{ field: 'ticket.language', op: 'is', value: i % 2 ? 'fr' : 'en' } as never] : [])], any: [] },
        actions: sla ? [{ type: 'add_tags', tags: [`sla-${i}`] }] : [{ type: 'add_tags', tags: [`rule-${i}`] }, { type: 'set_priority', value: 'high' }],
      } as never);
    }
    // One event per ticket, on open tickets taken across the table.
    clock.at = idleAt;
    const sample = (await sql<{ id: string }>`SELECT ticket_id AS id FROM ticket_sla WHERE next_due_at IS NOT NULL ORDER BY md5(ticket_id::text) LIMIT ${EVENTS}`.execute(db)).rows;
    const triggerMs: number[] = [];
    /** The same times split: events after which the ticket changed (actions written) or not (evaluation only). */
    const changedMs: number[] = [];
    const unchangedMs: number[] = [];
    const eventsSql0 = statements();
    let triggerFired = 0;
    let changedSql = 0;
    let unchangedSql = 0;
    for (const { id } of sample) {
      const s = performance.now();
      const sql0 = statements();
      const changed = await deps.store.transaction(async (tx) => {
        const ticket = (await tx.tickets.findById(ws, id))!;
        const out = await runTriggers(deps, tx, { ...ctx, requestId: 'bench-trigger' }, { event: 'ticket.updated', ticket, before: ticket }, clock.now());
        return out.version !== ticket.version;
      });
      triggerMs.push(performance.now() - s);
      (changed ? changedMs : unchangedMs).push(triggerMs[triggerMs.length - 1]!);
      if (changed) changedSql += statements() - sql0;
      else unchangedSql += statements() - sql0;
      if (changed) triggerFired++;
    }
    const eventsSql = statements() - eventsSql0;
    progress(`${dbLabel(kind)}: trigger evaluation p99 ${quantile(triggerMs, 0.99).toFixed(1)} ms`);
    const firings = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE workspace_id = ${ws} AND request_id = 'bench-trigger' AND type = 'trigger.fired'`.execute(db)).rows[0]!.n);

    // The sweep with DUE tickets due.
    clock.at = dueAt;
    const dueRows = await dueCount(dueAt);
    const sweptSql0 = statements();
    let s = performance.now();
    const swept = await sweepSla(deps);
    const due = { ms: performance.now() - s, ...swept, dueRows };
    const sweptSql = statements() - sweptSql0;
    progress(`${dbLabel(kind)}: sweep with ${dueRows} due: ${due.ms.toFixed(0)} ms (${swept.tickets} tickets swept)`);

    // A calendar change (evening hours added), then the recompute it queues.
    clock.at = dueAt + 60_000;
    await updateBusinessCalendar(deps, ctx, calendar.id, { weekly: weekdays([{ start: '08:00', end: '20:00' }]) });
    s = performance.now();
    const rows = await recomputeSla(deps, ws);
    const recompute = { ms: performance.now() - s, rows };

    return { tickets: TICKETS, open, generateS, claimPlan, usesIndex: /ticket_sla_due_idx/.test(claimPlan), idleMs, due, triggerMs, changedMs, unchangedMs, triggerFired, firings, recompute,
      ...(countStatements && kind === 'pg' ? { sql: { perEvent: eventsSql / sample.length, perUnchanged: unchangedSql / Math.max(1, unchangedMs.length), perChanged: changedSql / Math.max(1, changedMs.length), perSwept: sweptSql / Math.max(1, swept.tickets) } } : {}) };
  } finally {
    await database.close();
  }
}

const results = new Map<DbKind, Figures>();
for (const kind of kinds) results.set(kind, await run(kind));

const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));
console.log(`\nsla: ${TICKETS.toLocaleString('en')} tickets, ${OPEN.toLocaleString('en')} open under 4 policies, ${TRIGGERS} triggers (load average ${await loadAverage()})`);
for (const [k, r] of results) {
  console.log(`\n${dbLabel(k)}: the sweep's claim query (claimDue) plan:\n${r.claimPlan.split('\n').map((l) => `    ${l}`).join('\n')}`);
}
console.log('\n| database | data made (s) | open clocks | sweep idle median (ms) | sweep with due (ms) | due rows | tickets swept | warnings | breaches | notifications | trigger eval p50 / p99 (ms) | events that changed the ticket | triggers fired per event | recompute (s) | recompute rows/s |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const [k, r] of results) {
  console.log(
    `| ${dbLabel(k)} | ${r.generateS.toFixed(0)} | ${r.open} | ${ms(quantile(r.idleMs, 0.5))} | ${ms(r.due.ms)} | ${r.due.dueRows} | ${r.due.tickets} | ${r.due.warnings} | ${r.due.breaches} | ${r.due.notifications} | ` +
      `${ms(quantile(r.triggerMs, 0.5))} / ${ms(quantile(r.triggerMs, 0.99))} | ${r.triggerFired}/${r.triggerMs.length} | ${(r.firings / r.triggerMs.length).toFixed(2)} | ${(r.recompute.ms / 1000).toFixed(1)} | ${(r.recompute.rows / (r.recompute.ms / 1000)).toFixed(0)} |`,
  );
}
for (const [k, r] of results) {
  console.log(
    `\n${dbLabel(k)}: trigger events that changed nothing (evaluation only) p50 / p99 ${ms(quantile(r.unchangedMs, 0.5))} / ${ms(quantile(r.unchangedMs, 0.99))} ms (${r.unchangedMs.length}); ` +
      `that changed the ticket (evaluation and the actions written) ${ms(quantile(r.changedMs, 0.5))} / ${ms(quantile(r.changedMs, 0.99))} ms (${r.changedMs.length})`,
  );
  if (r.sql) console.log(`\n${dbLabel(k)} (--statements, through a counting proxy): ${r.sql.perEvent.toFixed(1)} SQL statements per trigger event (${r.sql.perUnchanged.toFixed(1)} for those that changed nothing, ${r.sql.perChanged.toFixed(1)} for those that changed the ticket; the bench's BEGIN, ticket read and COMMIT included), ${r.sql.perSwept.toFixed(2)} per swept ticket`);
}
const headKind: DbKind = results.has('pg') ? 'pg' : kinds[0]!;
const h = results.get(headKind)!;
console.log(
  `sla: sweep_idle_ms=${ms(quantile(h.idleMs, 0.5))} sweep_due_ms=${h.due.ms.toFixed(0)} recompute_ms=${h.recompute.ms.toFixed(0)} trigger_p99_ms=${ms(quantile(h.triggerMs, 0.99))}` +
    ` tickets=${h.tickets} open=${h.open} due=${h.due.dueRows} swept=${h.due.tickets} triggers=${TRIGGERS} trigger_p50_ms=${ms(quantile(h.triggerMs, 0.5))} trigger_eval_only_p99_ms=${ms(quantile(h.unchangedMs, 0.99))} claim_uses_index=${h.usesIndex ? 1 : 0}` +
    (headKind !== 'pg' ? ` db=${headKind}` : ''),
);

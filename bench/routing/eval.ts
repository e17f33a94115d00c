/**
 * `npm run routing:eval -- [--history F] [--agents F] [--route F] [--out F] [--holdout-days N] [--banking77]`
 *
 * Replays a support history in time order through the product's own routing code
 * (packages/core/src/routing: the triage model, the learnt expertise and the agent scoring the
 * server uses): train on the past, route the future.
 * 1. Held-out replay: train on the history minus its last `--holdout-days` (default 61), route the
 *    held-out tickets in arrival order with every agent available and nobody above twice the fair
 *    share. Team accuracy, macro-F1, per-team recall and ECE; and first-contact resolution of the
 *    chosen agents, estimated by replay: the history was worked round robin, so the held-out
 *    tickets whose logged first assignee is the agent the router chose are an unbiased sample of
 *    what the router would get (their share of first-contact resolutions is the estimate). The same
 *    estimate for round robin and for a random agent of the right team is the baseline.
 * 2. Routing `--route` (default: incoming.csv): train on the whole history, route in arrival order,
 *    write `--out` (id, team, assignee, confidence, explanation); team accuracy when the file has a
 *    `team` column; decision latency (prediction + scoring).
 * History columns: id, created_at, subject, body, team; optionally first_team, first_assignee,
 * resolver, first_contact_resolved (true/false). Agents: agent, team.
 * Data: Banking77 queries (PolyAI, CC BY 4.0; Casanueva et al. 2020) in the bank-support simulation.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  chooseAgent,
  estimateExpertise,
  evaluate,
  explainDecision,
  LoadedTriageModel,
  trainTriageModel,
  type Candidate,
  type Prediction,
  type RoutingMode,
  type TriageExample,
} from '@guichet/core';
import { csvField, parseCsv } from '../lib/csv.ts';
import { datasetDir } from '../lib/datasets.ts';

const DATA = datasetDir('bank-support');
const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  if (i >= 0 && args[i + 1]) return args[i + 1]!;
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
};
const historyFile = opt('history', `${DATA}/history.csv`);
const agentsFile = opt('agents', `${DATA}/agents.csv`);
const routeFile = opt('route', `${DATA}/incoming.csv`);
const outFile = opt('out', '');
const holdoutDays = Number(opt('holdout-days', '61'));
const withBanking77 = args.includes('--banking77');

interface Row {
  id: string;
  createdAt: Date;
  text: string;
  team: string;
  /** First agent in the right team, when known. */
  attempt: string | null;
  /** Who resolved it at first contact, when it was. */
  solver: string | null;
  fcr: boolean | null;
}

function readRows(file: string): Row[] {
  const rows = parseCsv(readFileSync(file, 'utf8'));
  if (rows.length && !('created_at' in rows[0]!)) throw new Error(`${file}: needs at least the columns id, created_at, subject, body`);
  return rows
    .map((r) => {
      const fcr = r.first_contact_resolved === undefined || r.first_contact_resolved === '' ? null : /^(true|1|yes)$/i.test(r.first_contact_resolved);
      const inTeam = !r.first_team || r.first_team === r.team;
      // A misrouted ticket's first agent in the right team is not in the export: unknown.
      const attempt = r.first_assignee && inTeam ? r.first_assignee : null;
      return {
        id: r.id ?? '',
        createdAt: new Date(r.created_at ?? ''),
        text: r.subject && r.body && r.body.startsWith(r.subject.replace(/\.\.\.$/, '')) ? r.body : `${r.subject ?? ''}\n${r.body ?? ''}`,
        team: r.team ?? '',
        attempt,
        solver: fcr ? attempt : null,
        fcr,
      };
    })
    .filter((r) => !Number.isNaN(r.createdAt.getTime()))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
}

const toExample = (r: Row): TriageExample => ({ id: r.id, text: r.text, createdAt: r.createdAt, labels: { team: r.team || null, [`solver:${r.team}`]: r.solver, [`attempt:${r.team}`]: r.attempt } });

const agents = parseCsv(readFileSync(agentsFile, 'utf8')).map((a) => ({ id: a.agent!, team: a.team! }));
const teamsOfAgents = new Map<string, string[]>();
for (const a of agents) teamsOfAgents.set(a.team, [...(teamsOfAgents.get(a.team) ?? []), a.id]);

interface Decision {
  row: Row;
  team: string;
  confidence: number;
  assignee: string | null;
  explanation: string;
  ms: number;
}

/** Route tickets in arrival order, nobody above `cap` tickets; candidates are the predicted team's agents. */
function route(model: LoadedTriageModel, rows: Row[], mode: RoutingMode, baseRate: number, cap: number): Decision[] {
  const load = new Map<string, number>();
  const last = new Map<string, Date>();
  const out: Decision[] = [];
  for (const row of rows) {
    const t0 = performance.now();
    const x = model.vectorize(row.text);
    const t = model.predictVector(x, ['team']).team;
    const team = t?.label ?? '';
    const p: Record<string, Prediction | undefined> = { team: t, ...model.predictVector(x, [`solver:${team}`, `attempt:${team}`]) };
    const ids = teamsOfAgents.get(team) ?? [];
    const expertise = estimateExpertise(p[`solver:${team}`], p[`attempt:${team}`], ids, baseRate);
    const candidates: Candidate[] = ids.map((id) => ({
      userId: id,
      name: id,
      languages: [],
      skills: [],
      open: load.get(id) ?? 0,
      capacity: cap,
      lastAssignedAt: last.get(id) ?? null,
      solvedSimilar: 0,
    }));
    const chosen = chooseAgent(mode, candidates, { language: null, expertise });
    const explanation = explainDecision(
      { team: { name: team, confidence: p.team?.confidence ?? null, source: 'model' }, assignee: chosen, mode, language: null, waiting: chosen ? null : 'full' },
      'en',
    );
    const ms = performance.now() - t0;
    if (chosen) {
      load.set(chosen.candidate.userId, (load.get(chosen.candidate.userId) ?? 0) + 1);
      last.set(chosen.candidate.userId, row.createdAt);
    }
    out.push({ row, team, confidence: p.team?.confidence ?? 0, assignee: chosen?.candidate.userId ?? null, explanation, ms });
  }
  return out;
}

/** Replay estimate of first-contact resolution: over tickets whose logged first assignee is the chosen one. */
function replayFcr(decisions: Decision[]): { estimate: number; matched: number } {
  let matched = 0;
  let solved = 0;
  for (const d of decisions) {
    if (d.row.fcr === null || !d.row.attempt || d.team !== d.row.team || d.assignee !== d.row.attempt) continue;
    matched++;
    if (d.row.fcr) solved++;
  }
  return { estimate: matched ? solved / matched : NaN, matched };
}

const pct = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : 'n/a');
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
};

const history = readRows(historyFile);
if (history.length < 50) throw new Error(`${historyFile}: too few tickets to learn from (${history.length})`);
const hasOutcomes = history.some((r) => r.fcr !== null);
const baseRateOf = (rows: Row[]) => {
  const known = rows.filter((r) => r.fcr !== null && r.attempt);
  return known.length ? known.filter((r) => r.fcr).length / known.length : 0.5;
};

// ---------------------------------------------------------------- 1. held-out replay
const end = history[history.length - 1]!.createdAt.getTime();
const holdFrom = end - holdoutDays * 86_400_000;
const past = history.filter((r) => r.createdAt.getTime() < holdFrom);
const future = history.filter((r) => r.createdAt.getTime() >= holdFrom);
console.log(`history ${history.length} tickets; replay: train on ${past.length} before ${new Date(holdFrom).toISOString().slice(0, 10)}, route ${future.length}`);
const t0 = performance.now();
const pastModel = await trainTriageModel(past.map(toExample));
const replayTrainS = (performance.now() - t0) / 1000;
const pastLoaded = new LoadedTriageModel(pastModel.model);
const cap = (n: number) => Math.ceil((2 * n) / Math.max(1, agents.length));
const replay = route(pastLoaded, future, 'skills', baseRateOf(past), cap(future.length));
const rr = route(pastLoaded, future, 'round_robin', baseRateOf(past), cap(future.length));
const teamMetrics = evaluate(future.map((r) => r.team), replay.map((d) => ({ label: d.team, confidence: d.confidence })));
const counts = new Map<string, number>();
for (const r of past) counts.set(r.team, (counts.get(r.team) ?? 0) + 1);
const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
const majorityMetrics = evaluate(future.map((r) => r.team), future.map(() => ({ label: majority, confidence: 1 })));
const skillsFcr = replayFcr(replay);
const rrFcr = replayFcr(rr);
const loggedFcr = baseRateOf(future.filter((r) => r.attempt));

console.log('\nheld-out replay (train on the past, route the future)');
console.log('| policy | team accuracy | team macro-F1 | ECE | first-contact resolution (replay estimate, matched tickets) |');
console.log('|---|---|---|---|---|');
console.log(`| Guichet skills-based | ${pct(teamMetrics.accuracy)} | ${pct(teamMetrics.macroF1)} | ${pct(teamMetrics.ece)} | ${pct(skillsFcr.estimate)} (${skillsFcr.matched}) |`);
console.log(`| round robin in predicted team | ${pct(teamMetrics.accuracy)} | ${pct(teamMetrics.macroF1)} | ${pct(teamMetrics.ece)} | ${pct(rrFcr.estimate)} (${rrFcr.matched}) |`);
console.log(`| majority team (${majority}) | ${pct(majorityMetrics.accuracy)} | ${pct(majorityMetrics.macroF1)} | – | – |`);
console.log(`| logged history, routed to the right team first (round robin) | – | – | – | ${pct(loggedFcr)} (${future.filter((r) => r.attempt).length}) |`);
console.log('\nper-team recall (held-out): ' + Object.entries(teamMetrics.recall).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', '));
const h = pastModel.metrics.heads.team;
if (h) console.log(`calibration (model's own validation split): temperature ${h.temperature.toFixed(3)}, ECE ${h.eceUncalibrated.toFixed(4)} -> ${h.ece.toFixed(4)}`);

// ---------------------------------------------------------------- 2. route the incoming tickets
const incoming = readRows(routeFile);
const t1 = performance.now();
const full = await trainTriageModel(history.map(toExample));
const trainS = (performance.now() - t1) / 1000;
const fullLoaded = new LoadedTriageModel(full.model);
const decisions = route(fullLoaded, incoming, 'skills', baseRateOf(history), cap(incoming.length));
const labelled = incoming.filter((r) => r.team);
const incomingMetrics = labelled.length
  ? evaluate(labelled.map((r) => r.team), decisions.filter((d) => d.row.team).map((d) => ({ label: d.team, confidence: d.confidence })))
  : null;
const latencies = decisions.map((d) => d.ms);
if (outFile) {
  const lines = ['id,team,assignee,confidence,explanation', ...decisions.map((d) => [d.row.id, d.team, d.assignee ?? '', d.confidence.toFixed(4), d.explanation].map(csvField).join(','))];
  writeFileSync(outFile, lines.join('\n') + '\n');
}
const perAgent = new Map<string, number>();
for (const d of decisions) if (d.assignee) perAgent.set(d.assignee, (perAgent.get(d.assignee) ?? 0) + 1);

console.log(`\nrouting ${incoming.length} tickets of ${routeFile.split('/').pop()} after training on all ${history.length}`);
console.log('| measure | value |');
console.log('|---|---|');
if (incomingMetrics) {
  console.log(`| team accuracy | ${pct(incomingMetrics.accuracy)} |`);
  console.log(`| team macro-F1 | ${pct(incomingMetrics.macroF1)} |`);
  console.log(`| ECE | ${incomingMetrics.ece.toFixed(4)} |`);
}
console.log(`| training time (s) | ${trainS.toFixed(1)} |`);
console.log(`| decision p50 / p99 (ms, prediction + scoring) | ${quantile(latencies, 0.5).toFixed(2)} / ${quantile(latencies, 0.99).toFixed(2)} |`);
console.log(`| tickets per agent, min / max (cap ${cap(incoming.length)}) | ${Math.min(...perAgent.values())} / ${Math.max(...perAgent.values())} |`);
console.log(`| example explanation | ${decisions[0]?.explanation ?? ''} |`);
if (outFile) console.log(`decisions written to ${outFile}`);

let b77 = '';
if (withBanking77) {
  const read = (f: string) => parseCsv(readFileSync(`${datasetDir('banking77')}/${f}`, 'utf8'));
  const train = read('train.csv');
  const test = read('test.csv');
  const base = Date.UTC(2025, 0, 1);
  const t2 = performance.now();
  const m = await trainTriageModel(
    train.map((r, i) => ({ id: String(i), text: r.text!, createdAt: new Date(base + i * 1000), labels: { category: r.category! } })),
    { holdoutFraction: 0.1 },
  );
  const s = (performance.now() - t2) / 1000;
  const lm = new LoadedTriageModel(m.model);
  const res = evaluate(test.map((r) => r.category!), test.map((r) => lm.predict(r.text!).category!));
  console.log(`\nbanking77 intents (official split, ${m.model.heads.category?.classes.length} classes): accuracy ${pct(res.accuracy)}, macro-F1 ${pct(res.macroF1)}, ECE ${res.ece.toFixed(4)}, trained in ${s.toFixed(1)} s`);
  b77 = ` banking77_acc=${res.accuracy.toFixed(4)}`;
}

console.log(
  `routing-eval: team_acc=${(incomingMetrics?.accuracy ?? NaN).toFixed(4)} team_macro_f1=${(incomingMetrics?.macroF1 ?? NaN).toFixed(4)} ece=${(incomingMetrics?.ece ?? NaN).toFixed(4)}` +
    ` holdout_team_acc=${teamMetrics.accuracy.toFixed(4)} holdout_fcr_skills=${skillsFcr.estimate.toFixed(4)} holdout_fcr_round_robin=${rrFcr.estimate.toFixed(4)}` +
    ` majority_acc=${majorityMetrics.accuracy.toFixed(4)} train_s=${trainS.toFixed(1)} replay_train_s=${replayTrainS.toFixed(1)}` +
    ` decide_p50_ms=${quantile(latencies, 0.5).toFixed(2)} decide_p99_ms=${quantile(latencies, 0.99).toFixed(2)}${b77}${hasOutcomes ? '' : ' outcomes=absent'}`,
);

/**
 * The routing decision for one ticket, run as the `routing.route` job enqueued with the ticket:
 * team (given, admin rule, or the triage model when confident enough; otherwise the triage
 * queue), then, when the workspace assigns automatically, the best available agent of the team
 * under its mode, never above anyone's capacity. The decision, its explanation in English and
 * French, and a `ticket.routed` event are written in one transaction with the assignment.
 */
import type { Deps } from '../deps.ts';
import type { NewJob } from '../jobs/types.ts';
import type { Repositories } from '../store.ts';
import type { Team } from '../people/types.ts';
import { configPart, readConfigVersion, type ConfigVersion } from '../shared/config-cache.ts';
import type { Ticket } from '../tickets/types.ts';
import { estimateExpertise } from './expertise.ts';
import { matchRule } from './rules.ts';
import { chooseAgent, explainDecision, type Candidate, type ExplanationInput, type RoutingMode } from './scoring.ts';
import { deserializeTriageModel, LoadedTriageModel } from './triage-model.ts';
import type { CandidateRow, RoutingSettings, TicketRouting } from './types.ts';
import { withinWorkingHours } from './working-hours.ts';
import { notifyAssigned } from '../notifications/notify.ts';

export const ROUTE_JOB = 'routing.route';
export const DRAIN_JOB = 'routing.drain';
export const REASSIGN_JOB = 'routing.reassign';

export function reassignJob(workspaceId: string, userId: string, now: Date): NewJob {
  return { type: REASSIGN_JOB, workspaceId, payload: { workspaceId, userId }, dedupeKey: `reassign:${userId}:${Math.floor(now.getTime() / 1000)}`, maxAttempts: 5 };
}

/** Identifies the language of a text (an adapter over a shipped language-ID model). */
export interface LanguageIdentifier {
  /** ISO 639-1 code and probability, or null when the text is too short or unclear. */
  identify(text: string): { language: string; confidence: number } | null;
}

export const DEFAULT_ROUTING_SETTINGS = { autoAssign: false, minConfidence: 0.6, categoryField: null, trainingWindowDays: 365 } as const;

export function routingSettingsOf(workspaceId: string, s: RoutingSettings | null): RoutingSettings {
  return s ?? { workspaceId, ...DEFAULT_ROUTING_SETTINGS, updatedAt: new Date(0) };
}

/** The job to enqueue with a new ticket (in the statement that creates it), or null when nothing is left to decide. */
export function routeTicketJob(workspaceId: string, ticket: Pick<Ticket, 'id' | 'assigneeId' | 'status'>): NewJob | null {
  if (ticket.assigneeId || ticket.status === 'solved' || ticket.status === 'closed') return null;
  return { type: ROUTE_JOB, workspaceId, payload: { workspaceId, ticketId: ticket.id }, dedupeKey: `route:${ticket.id}`, maxAttempts: 5 };
}

/** Drain a workspace's team queues soon (at most one queued drain per workspace and second). */
export function drainJob(workspaceId: string, now: Date): NewJob {
  return { type: DRAIN_JOB, workspaceId, payload: { workspaceId }, dedupeKey: `drain:${workspaceId}:${Math.floor(now.getTime() / 1000)}`, maxAttempts: 3 };
}

// The active model of each workspace, loaded once per process and version.
const loaded = new Map<string, { id: string; model: LoadedTriageModel; version: number }>();

export async function activeTriageModel(deps: Deps, workspaceId: string, cfg?: ConfigVersion): Promise<{ model: LoadedTriageModel; version: number } | null> {
  const current = cfg
    ? await configPart(cfg, 'routing.model', () => deps.store.routing.activeModelVersion(workspaceId))
    : await deps.store.routing.activeModelVersion(workspaceId);
  if (!current) return null;
  const cached = loaded.get(workspaceId);
  if (cached && cached.id === current.id) return cached;
  const stored = await deps.store.routing.activeModel(workspaceId);
  if (!stored) return null;
  const entry = { id: stored.id, version: stored.version, model: new LoadedTriageModel(deserializeTriageModel(stored.model)) };
  loaded.set(workspaceId, entry);
  return entry;
}

/**
 * What a decision reads of the workspace's routing configuration (settings, rules, teams, team
 * modes, skills, form categories), kept under the configuration version read once per decision.
 */
function routingConfig(cfg: ConfigVersion) {
  const ws = cfg.workspaceId;
  return {
    rules: (tx: Repositories) => configPart(cfg, 'routing.rules', () => tx.routing.rules(ws)),
    team: (tx: Repositories, id: string) => configPart(cfg, `team:${id}`, () => tx.teams.findById(ws, id)),
    teamRouting: (tx: Repositories, id: string) => configPart(cfg, `routing.team:${id}`, () => tx.routing.teamRouting(ws, id)),
    skill: (tx: Repositories, id: string) => configPart(cfg, `skill:${id}`, () => tx.skills.findById(ws, id)),
    category: (tx: Repositories, id: string) => configPart(cfg, `category:${id}`, () => tx.ticketCategories.findById(ws, id)),
  };
}

/** Days of history behind "solved N similar tickets". */
const SIMILAR_DAYS = 90;

export async function routeTicket(deps: Deps, input: { workspaceId: string; ticketId: string }): Promise<TicketRouting | null> {
  const ws = input.workspaceId;
  const cfg = await readConfigVersion(deps.store, ws);
  const config = routingConfig(cfg);
  const settings = routingSettingsOf(ws, await configPart(cfg, 'routing.settings', () => deps.store.routing.settings(ws)));
  const active = await activeTriageModel(deps, ws, cfg);
  return deps.store.transaction(async (tx) => {
    const ticket = await tx.tickets.lock(ws, input.ticketId);
    if (!ticket) return null;
    const { before, firstBody, requesterEmail } = await tx.routing.routingInput(ws, ticket.id, ticket.requesterId);
    // Once decided, a job run again changes nothing; a queued ticket is retried by the drain.
    if (before && before.state !== 'queued') return before;
    const now = deps.clock.now();
    if (ticket.assigneeId || ticket.status === 'solved' || ticket.status === 'closed') {
      if (before) await tx.routing.saveTicketRouting({ ...before, state: 'skipped', queuedAt: null, decidedAt: now });
      return null;
    }
    const text = `${ticket.subject}\n${firstBody ?? ''}`;
    // The request category chosen on the portal's form (its key) is the rules' "category"; without
    // one, the custom field the settings name.
    const formCategory = ticket.categoryId ? await config.category(tx, ticket.categoryId) : null;
    const category = formCategory ? formCategory.key : settings.categoryField ? asString(ticket.customFields[settings.categoryField]) : null;

    // ---- team
    let teamId: string | null = before?.teamId ?? null;
    let source: TicketRouting['teamSource'] = before?.teamSource ?? null;
    let confidence: number | null = before?.confidence ?? null;
    let ruleId: string | null = before?.ruleId ?? null;
    let ruleName: string | null = null;
    let predictions: Record<string, unknown> = before?.predictions ?? {};
    let x: ReturnType<LoadedTriageModel['vectorize']> | null = null;
    let priority: Ticket['priority'] | null = null;
    // The model's team, read once when checking it exists and used below.
    let modelTeam: Team | null = null;
    if (!before) {
      const rule = matchRule(await config.rules(tx), { text, senderEmail: requesterEmail, channel: ticket.channel, category });
      if (ticket.teamId) {
        teamId = ticket.teamId;
        source = 'given';
      } else if (rule) {
        teamId = rule.teamId;
        source = 'rule';
        ruleId = rule.id;
        ruleName = rule.name;
        if (rule.priority) priority = rule.priority;
      }
      if (active) {
        x = active.model.vectorize(text);
        const p = active.model.predictVector(x, ['team', 'category', 'priority']);
        predictions = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, { label: v.label, confidence: round(v.confidence) }]));
        if (!teamId && p.team) {
          confidence = p.team.confidence;
          if (p.team.confidence >= settings.minConfidence && (modelTeam = await config.team(tx, p.team.label))) {
            teamId = p.team.label;
            source = 'model';
          }
        }
      }
    } else if (ruleId) {
      ruleName = (await config.rules(tx)).find((r) => r.id === ruleId)?.name ?? null;
    }

    const language = ticket.language ?? deps.languageId?.identify(text)?.language ?? null;
    const team = teamId ? (modelTeam?.id === teamId ? modelTeam : await config.team(tx, teamId)) : null;
    const base: Omit<TicketRouting, 'state' | 'explanationEn' | 'explanationFr'> = {
      ticketId: ticket.id,
      workspaceId: ws,
      teamId: team?.id ?? null,
      teamSource: team ? source : null,
      confidence,
      predictions,
      assigneeId: null,
      firstAssigneeId: null,
      ruleId,
      modelVersion: active?.version ?? null,
      queuedAt: null,
      decidedAt: now,
    };
    if (!team) {
      const r: TicketRouting = {
        ...base,
        state: 'triage',
        explanationEn: noTeam('en', confidence, active !== null),
        explanationFr: noTeam('fr', confidence, active !== null),
      };
      await tx.routing.saveTicketRouting(r);
      if (!before) await routedEvent(tx, ws, ticket.id, now, r, null);
      return r;
    }

    // ---- agent
    const teamSettings = await config.teamRouting(tx, team.id);
    const mode: RoutingMode = settings.autoAssign ? (teamSettings?.mode ?? 'skills') : 'manual';
    let chosen = null;
    let waiting: ExplanationInput['waiting'] = mode === 'manual' ? 'manual' : null;
    let candidates: CandidateRow[] = [];
    // Oldest first: while the team has older tickets waiting, a new one waits behind them.
    const [head] = mode === 'manual' ? [] : await tx.routing.queued(ws, team.id, 1);
    const behind = head !== undefined && head.ticketId !== ticket.id && (!before?.queuedAt || head.queuedAt! < before.queuedAt);
    if (behind) waiting = 'full';
    if (mode !== 'manual' && !behind) {
      candidates = (await tx.routing.lockCandidates(ws, team.id, teamSettings?.skillId ?? null, { since: new Date(now.getTime() - SIMILAR_DAYS * 86_400_000) }, now)).filter(
        (c) => c.status !== 'offline' && !(c.outOfOfficeUntil && c.outOfOfficeUntil > now) && withinWorkingHours(c.workingHours, c.timeZone, now),
      );
      const skill = teamSettings?.skillId ? await config.skill(tx, teamSettings.skillId) : null;
      const ids = candidates.map((c) => c.userId);
      let expertise = new Map();
      if (active && mode === 'skills') {
        x ??= active.model.vectorize(text);
        const p = active.model.predictVector(x, [`solver:${team.id}`, `attempt:${team.id}`]);
        const rate = active.model.model.meta?.baseRate ?? 0.6;
        expertise = estimateExpertise(p[`solver:${team.id}`], p[`attempt:${team.id}`], ids, rate);
      }
      const cs: Candidate[] = candidates.map((c) => ({
        userId: c.userId,
        name: c.name,
        languages: c.languages,
        skills: skill && c.proficiency ? [{ name: skill.name, proficiency: c.proficiency }] : [],
        open: c.open,
        capacity: c.capacity,
        lastAssignedAt: c.lastAssignedAt,
        solvedSimilar: c.solvedSimilar,
      }));
      chosen = chooseAgent(mode, cs, { language, expertise });
      if (!chosen) waiting = candidates.length ? 'full' : 'nobody';
    }
    const ex: ExplanationInput = { team: { name: team.name, confidence, source: source ?? 'model', rule: ruleName }, assignee: chosen, mode, language, waiting };
    const r: TicketRouting = {
      ...base,
      state: chosen ? 'assigned' : mode === 'manual' ? 'manual' : 'queued',
      assigneeId: chosen?.candidate.userId ?? null,
      firstAssigneeId: chosen?.candidate.userId ?? null,
      queuedAt: chosen || mode === 'manual' ? null : (before?.queuedAt ?? now),
      explanationEn: explainDecision(ex, 'en'),
      explanationFr: explainDecision(ex, 'fr'),
    };
    const patch: Partial<Ticket> = {};
    if (ticket.teamId !== team.id) patch.teamId = team.id;
    if (priority && ticket.priority !== priority) patch.priority = priority;
    if (!ticket.language && language) patch.language = language;
    if (chosen) {
      patch.assigneeId = chosen.candidate.userId;
      if (ticket.status === 'new') patch.status = 'open';
      await tx.routing.markAssigned(ws, chosen.candidate.userId, now);
    }
    const routed = Object.keys(patch).length ? await tx.tickets.update(ws, ticket.id, patch, now) : ticket;
    if (chosen) await notifyAssigned(deps, tx, ticket, routed, { id: null, name: null }, now);
    await tx.routing.saveTicketRouting(r);
    // A queued ticket retried without success records nothing new.
    if (!(before && r.state === 'queued')) await routedEvent(tx, ws, ticket.id, now, r, patch);
    return r;
  });
}

async function routedEvent(tx: Repositories, ws: string, ticketId: string, now: Date, r: TicketRouting, patch: Partial<Ticket> | null): Promise<void> {
  await tx.events.append({
    workspaceId: ws,
    subjectType: 'ticket',
    subjectId: ticketId,
    actor: { type: 'rule', id: null },
    type: 'ticket.routed',
    data: {
      state: r.state,
      teamId: r.teamId,
      teamSource: r.teamSource,
      confidence: r.confidence === null ? null : round(r.confidence),
      assigneeId: r.assigneeId,
      ruleId: r.ruleId,
      modelVersion: r.modelVersion,
      explanation: { en: r.explanationEn, fr: r.explanationFr },
      changes: patch ?? {},
    },
    requestId: null,
    createdAt: now,
  });
}

function noTeam(locale: 'en' | 'fr', confidence: number | null, hasModel: boolean): string {
  if (!hasModel) {
    return locale === 'fr'
      ? "Aucune règle ne s'applique et aucun modèle n'est encore entraîné : en attente de tri par une personne."
      : 'No rule matched and no model is trained yet: waiting for a person to triage it.';
  }
  const c = (confidence ?? 0).toFixed(2);
  return locale === 'fr'
    ? `Confiance trop basse (${c.replace('.', ',')}) : en attente de tri par une personne.`
    : `Confidence too low (${c}): waiting for a person to triage it.`;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const asString = (v: unknown): string | null => (typeof v === 'string' && v ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : null);

/**
 * Give queued tickets to agents who have room again, oldest first, team by team; stops on a team
 * as soon as one of its tickets still has to wait. Safe to run any number of times at once.
 */
export async function drainQueues(deps: Deps, workspaceId: string, perTeam = 50): Promise<number> {
  let assigned = 0;
  await overflow(deps, workspaceId);
  for (const teamId of await deps.store.routing.teamsWithQueue(workspaceId)) {
    for (const q of await deps.store.routing.queued(workspaceId, teamId, perTeam)) {
      const r = await routeTicket(deps, { workspaceId, ticketId: q.ticketId });
      if (r?.state === 'queued') break;
      if (r?.state === 'assigned') assigned++;
    }
  }
  return assigned;
}

/** Tickets that waited longer than their team allows move to its overflow team (still queued, same place in line). */
async function overflow(deps: Deps, ws: string): Promise<void> {
  const now = deps.clock.now();
  for (const teamId of await deps.store.routing.teamsWithQueue(ws)) {
    const settings = await deps.store.routing.teamRouting(ws, teamId);
    if (!settings?.overflowTeamId || !settings.overflowAfterMinutes) continue;
    const limit = now.getTime() - settings.overflowAfterMinutes * 60_000;
    const target = await deps.store.teams.findById(ws, settings.overflowTeamId);
    if (!target) continue;
    for (const q of await deps.store.routing.queued(ws, teamId, 200)) {
      if (!q.queuedAt || q.queuedAt.getTime() > limit) break;
      await deps.store.transaction(async (tx) => {
        const ticket = await tx.tickets.lock(ws, q.ticketId);
        const current = await tx.routing.findTicketRouting(ws, q.ticketId);
        if (!ticket || !current || current.state !== 'queued' || current.teamId !== teamId || ticket.assigneeId) return;
        const from = await tx.teams.findById(ws, teamId);
        const minutes = settings.overflowAfterMinutes!;
        await tx.tickets.update(ws, ticket.id, { teamId: target.id }, now);
        const r: TicketRouting = {
          ...current,
          teamId: target.id,
          explanationEn: `Moved from ${from?.name ?? 'its team'} to ${target.name} after waiting more than ${minutes} minutes.`,
          explanationFr: `Passé de ${from?.name ?? 'son équipe'} à ${target.name} après plus de ${minutes} minutes d'attente.`,
          decidedAt: now,
        };
        await tx.routing.saveTicketRouting(r);
        await routedEvent(tx, ws, ticket.id, now, r, { teamId: target.id });
      });
    }
  }
}

/**
 * The assignee went offline or out of office: their tickets waiting on us (new, open) go back to
 * their team's queue and are routed again at once, or, where the team only proposes it, the
 * proposal is recorded on each ticket. Tickets waiting on the customer stay with them.
 */
export async function reassignAway(deps: Deps, input: { workspaceId: string; userId: string }): Promise<{ reassigned: number; proposed: number }> {
  const ws = input.workspaceId;
  const avail = await deps.store.routing.availability(ws, input.userId);
  const now = deps.clock.now();
  const away = avail && (avail.status === 'offline' || (avail.outOfOfficeUntil !== null && avail.outOfOfficeUntil > now));
  if (!away) return { reassigned: 0, proposed: 0 };
  const user = await deps.store.users.findById(ws, input.userId);
  const tickets = await deps.store.tickets.list(ws, { assigneeId: input.userId, statuses: ['new', 'open'], includeInternal: true }, { sort: 'created_at', order: 'asc' }, { limit: 200 });
  let reassigned = 0;
  let proposed = 0;
  for (const t of tickets) {
    const settings = t.teamId ? await deps.store.routing.teamRouting(ws, t.teamId) : null;
    const perform = t.teamId !== null && (settings?.reassignWhenAway ?? true) && (settings?.mode ?? 'skills') !== 'manual';
    const moved = await deps.store.transaction(async (tx) => {
      const ticket = await tx.tickets.lock(ws, t.id);
      if (!ticket || ticket.assigneeId !== input.userId || (ticket.status !== 'new' && ticket.status !== 'open')) return false;
      const name = user?.name ?? '';
      const why = avail!.status === 'offline' ? { en: 'is offline', fr: 'est hors ligne' } : { en: 'is out of office', fr: 'est absent·e' };
      if (!perform) {
        await tx.events.append({
          workspaceId: ws, subjectType: 'ticket', subjectId: ticket.id, actor: { type: 'rule', id: null }, type: 'ticket.reassignment_proposed',
          data: { from: input.userId, explanation: { en: `${name} ${why.en}: reassign this ticket?`, fr: `${name} ${why.fr} : réattribuer cette demande ?` } },
          requestId: null, createdAt: now,
        });
        return false;
      }
      await tx.tickets.update(ws, ticket.id, { assigneeId: null }, now);
      const before = await tx.routing.findTicketRouting(ws, ticket.id);
      const r: TicketRouting = {
        ticketId: ticket.id, workspaceId: ws, state: 'queued', teamId: ticket.teamId, teamSource: before?.teamSource ?? 'given',
        confidence: before?.confidence ?? null, predictions: before?.predictions ?? {}, assigneeId: null, firstAssigneeId: before?.firstAssigneeId ?? input.userId,
        ruleId: before?.ruleId ?? null, modelVersion: before?.modelVersion ?? null,
        explanationEn: `${name} ${why.en}: back to the team queue.`, explanationFr: `${name} ${why.fr} : retour dans la file de l'équipe.`,
        // Ahead of newer arrivals: it has waited since it was created.
        queuedAt: ticket.createdAt, decidedAt: now,
      };
      await tx.routing.saveTicketRouting(r);
      await routedEvent(tx, ws, ticket.id, now, r, { assigneeId: null });
      return true;
    });
    if (moved) {
      reassigned++;
      await routeTicket(deps, { workspaceId: ws, ticketId: t.id });
    } else if (!perform) proposed++;
  }
  return { reassigned, proposed };
}

/**
 * Training the workspace's triage model from its resolved tickets (the `routing.train` job). The
 * new model becomes active only when, on the most recent held-out tickets, it does at least as
 * well as the model in use (within a point); otherwise it is kept as rejected, with its figures.
 */
import type { Deps } from '../deps.ts';
import type { NewJob } from '../jobs/types.ts';
import { DEFAULT_TRAIN } from './classifier.ts';
import { activeTriageModel, routingSettingsOf } from './route-ticket.ts';
import { scoreTriageModel, serializeTriageModel, trainTriageModel, type TriageExample } from './triage-model.ts';
import type { StoredModel, TrainingTicket } from './types.ts';

export const TRAIN_JOB = 'routing.train';
export const TRAIN_SCHEDULE_JOB = 'routing.train.schedule';
/** Fewer resolved tickets than this: no model (rules and people route). */
export const MIN_TRAINING_TICKETS = 30;
const MAX_TRAINING_TICKETS = 50_000;
/** A new model may lose at most this much held-out team accuracy against the active one. */
const TOLERANCE = 0.01;

export function trainJob(workspaceId: string, dedupeKey?: string): NewJob {
  return { type: TRAIN_JOB, workspaceId, payload: { workspaceId }, maxAttempts: 3, ...(dedupeKey ? { dedupeKey } : {}) };
}

/** Training examples: team, priority, category, and for the expertise heads who got and who resolved each ticket. */
export function trainingExamples(tickets: TrainingTicket[]): TriageExample[] {
  return tickets.map((t) => {
    const first = t.firstAssigneeId ?? t.assigneeId;
    const labels: TriageExample['labels'] = { team: t.teamId, priority: t.priority, category: t.category };
    if (t.teamId && first) {
      labels[`attempt:${t.teamId}`] = first;
      // Resolved at first contact: by the first agent it was given, and not reopened since.
      if (t.assigneeId === first && !t.reopened) labels[`solver:${t.teamId}`] = first;
    }
    return { id: t.id, text: `${t.subject}\n${t.body}`, createdAt: t.createdAt, labels };
  });
}

export interface TrainOutcome {
  status: 'active' | 'rejected' | 'skipped';
  version: number | null;
  reason: string | null;
  metrics: Record<string, unknown> | null;
}

export async function trainRoutingModel(deps: Deps, input: { workspaceId: string; pause?: () => Promise<void> }): Promise<TrainOutcome> {
  const ws = input.workspaceId;
  const settings = routingSettingsOf(ws, await deps.store.routing.settings(ws));
  const now = deps.clock.now();
  const since = new Date(now.getTime() - settings.trainingWindowDays * 86_400_000);
  const tickets = await deps.store.routing.trainingTickets(ws, since, settings.categoryField, MAX_TRAINING_TICKETS);
  const withTeam = tickets.filter((t) => t.teamId);
  if (withTeam.length < MIN_TRAINING_TICKETS) {
    return { status: 'skipped', version: null, reason: `${withTeam.length} resolved tickets with a team; at least ${MIN_TRAINING_TICKETS} are needed`, metrics: null };
  }
  const examples = trainingExamples(tickets);
  const { model, metrics } = await trainTriageModel(examples, { train: { ...DEFAULT_TRAIN, ...(input.pause ? { pause: input.pause } : {}) } });
  if (!model.heads.team) return { status: 'skipped', version: null, reason: 'fewer than two teams in the history', metrics: null };
  const withAttempt = tickets.filter((t) => t.teamId && (t.firstAssigneeId ?? t.assigneeId));
  const solved = withAttempt.filter((t) => t.assigneeId === (t.firstAssigneeId ?? t.assigneeId) && !t.reopened).length;
  model.meta = { baseRate: withAttempt.length ? solved / withAttempt.length : 0.6 };

  // Validation on the held-out recent tickets: the new model's own figure (it was calibrated on
  // them before its refit) against the active model scored on the same tickets.
  const holdout = examples.filter((e) => metrics.window.holdoutFrom && e.createdAt.toISOString() >= metrics.window.holdoutFrom);
  const newAcc = metrics.heads.team?.accuracy ?? 0;
  const current = await activeTriageModel(deps, ws);
  const currentScore = current ? scoreTriageModel(current.model, holdout) : null;
  const accept = !currentScore || newAcc >= currentScore.accuracy - TOLERANCE;
  const version = await deps.store.routing.nextModelVersion(ws);
  const stored: StoredModel & { model: Uint8Array } = {
    id: deps.ids.uuid(),
    workspaceId: ws,
    version,
    status: accept ? 'active' : 'rejected',
    metrics: metrics as unknown as Record<string, unknown>,
    validation: {
      holdoutExamples: holdout.length,
      newTeamAccuracy: newAcc,
      activeVersion: current?.version ?? null,
      activeTeamAccuracy: currentScore?.accuracy ?? null,
      tolerance: TOLERANCE,
    },
    windowFrom: metrics.window.from ? new Date(metrics.window.from) : null,
    windowTo: metrics.window.to ? new Date(metrics.window.to) : null,
    examples: examples.length,
    createdAt: now,
    activatedAt: accept ? now : null,
    model: serializeTriageModel(model),
  };
  await deps.store.transaction(async (tx) => {
    await tx.routing.insertModel({ ...stored, status: 'rejected', activatedAt: null });
    if (accept) await tx.routing.activateModel(ws, stored.id, now);
    await tx.events.append({
      workspaceId: ws,
      subjectType: 'workspace',
      subjectId: ws,
      actor: { type: 'system', id: null },
      type: accept ? 'routing.model.activated' : 'routing.model.rejected',
      data: { version, examples: examples.length, validation: stored.validation },
      requestId: null,
      createdAt: now,
    });
  });
  return {
    status: accept ? 'active' : 'rejected',
    version,
    reason: accept ? null : `held-out team accuracy ${newAcc.toFixed(3)} is below the active model's ${currentScore!.accuracy.toFixed(3)}`,
    metrics: stored.metrics,
  };
}

/** Once a day per workspace that routes: ask for a training run (the dedupe key is the day). */
export async function scheduleTraining(deps: Deps, workspaceIds: string[]): Promise<void> {
  const now = deps.clock.now();
  const day = now.toISOString().slice(0, 10);
  for (const ws of workspaceIds) await deps.store.jobs.enqueue(trainJob(ws, `train:${ws}:${day}`), now);
}

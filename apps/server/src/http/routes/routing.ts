import { z } from 'zod';
import {
  AvailabilityOut,
  CreateRoutingRuleInput,
  RoutingModelOut,
  RoutingRuleOut,
  RoutingSettingsOut,
  TeamRoutingOut,
  TicketRoutingOut,
  TrainAcceptedOut,
  TriageDecisionInput,
  UpdateAvailabilityInput,
  UpdateRoutingSettingsInput,
  UpdateTeamRoutingInput,
  uuid,
} from '@guichet/contracts';
import * as core from '@guichet/core';
import type { AgentAvailability, RoutingRule, RoutingSettings, StoredModel, TeamRouting, TicketRouting } from '@guichet/core';
import type { Router } from '../route.ts';

const IdParams = z.object({ id: uuid });
const LangQuery = z.object({ lang: z.enum(['en', 'fr']).default('en') });
const iso = (d: Date) => d.toISOString();
const isoN = (d: Date | null) => (d ? d.toISOString() : null);

export const presentRoutingSettings = (s: RoutingSettings): z.infer<typeof RoutingSettingsOut> => ({
  autoAssign: s.autoAssign,
  minConfidence: s.minConfidence,
  categoryField: s.categoryField,
  trainingWindowDays: s.trainingWindowDays,
  updatedAt: s.updatedAt.getTime() === 0 ? null : iso(s.updatedAt),
});
export const presentRule = (r: RoutingRule): z.infer<typeof RoutingRuleOut> => ({
  id: r.id, name: r.name, position: r.position, enabled: r.enabled, conditions: r.conditions, teamId: r.teamId, priority: r.priority, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt),
});
export const presentTeamRouting = (t: TeamRouting): z.infer<typeof TeamRoutingOut> => ({
  teamId: t.teamId, mode: t.mode, skillId: t.skillId, reassignWhenAway: t.reassignWhenAway, overflowTeamId: t.overflowTeamId, overflowAfterMinutes: t.overflowAfterMinutes,
});
export const presentAvailability = (a: AgentAvailability): z.infer<typeof AvailabilityOut> => ({
  userId: a.userId, status: a.status, outOfOfficeUntil: isoN(a.outOfOfficeUntil), workingHours: a.workingHours, lastAssignedAt: isoN(a.lastAssignedAt),
});
export const presentTicketRouting = (r: TicketRouting, lang: 'en' | 'fr'): z.infer<typeof TicketRoutingOut> => ({
  ticketId: r.ticketId,
  state: r.state,
  teamId: r.teamId,
  teamSource: r.teamSource,
  confidence: r.confidence,
  predictions: r.predictions,
  assigneeId: r.assigneeId,
  ruleId: r.ruleId,
  modelVersion: r.modelVersion,
  explanation: lang === 'fr' ? r.explanationFr : r.explanationEn,
  explanations: { en: r.explanationEn, fr: r.explanationFr },
  queuedAt: isoN(r.queuedAt),
  decidedAt: iso(r.decidedAt),
});
export const presentModel = (m: StoredModel): z.infer<typeof RoutingModelOut> => ({
  id: m.id, version: m.version, status: m.status, examples: m.examples, windowFrom: isoN(m.windowFrom), windowTo: isoN(m.windowTo),
  metrics: m.metrics, validation: m.validation, createdAt: iso(m.createdAt), activatedAt: isoN(m.activatedAt),
});

export function routingRoutes(route: Router): void {
  route({
    method: 'GET', url: '/routing/settings', tag: 'Routing', summary: 'Routing settings of the workspace (admin)',
    response: RoutingSettingsOut,
    handler: async ({ deps, ctx }) => presentRoutingSettings(await core.getRoutingSettings(deps, ctx)),
  });
  route({
    method: 'PATCH', url: '/routing/settings', tag: 'Routing', summary: 'Change routing settings: automatic assignment, triage threshold, category field (admin)',
    body: UpdateRoutingSettingsInput, response: RoutingSettingsOut,
    handler: async ({ deps, ctx, body }) => presentRoutingSettings(await core.updateRoutingSettings(deps, ctx, body)),
  });
  route({
    method: 'POST', url: '/routing/models/train', tag: 'Routing', summary: 'Train a new triage model in the background (admin); it becomes active once validated',
    body: z.object({}).strict(), status: 202, response: TrainAcceptedOut,
    handler: async ({ deps, ctx }) => ({ jobId: await core.requestTraining(deps, ctx), status: 'queued' as const }),
  });
  route({
    method: 'GET', url: '/routing/models', tag: 'Routing', summary: 'Trained triage models, newest first, with their metrics and validation (admin)',
    response: z.object({ items: z.array(RoutingModelOut) }),
    handler: async ({ deps, ctx }) => ({ items: (await core.listRoutingModels(deps, ctx, 20)).map(presentModel) }),
  });
  route({
    method: 'GET', url: '/routing/rules', tag: 'Routing', summary: 'Routing rules, in the order they are tried (admin)',
    response: z.object({ items: z.array(RoutingRuleOut) }),
    handler: async ({ deps, ctx }) => ({ items: (await core.listRoutingRules(deps, ctx)).map(presentRule) }),
  });
  route({
    method: 'POST', url: '/routing/rules', tag: 'Routing', summary: 'Add a routing rule: keywords, sender domain, channel or category to a team (admin)',
    body: CreateRoutingRuleInput, response: RoutingRuleOut,
    handler: async ({ deps, ctx, body }) => presentRule(await core.createRoutingRule(deps, ctx, body)),
  });
  route({
    method: 'DELETE', url: '/routing/rules/{id}', tag: 'Routing', summary: 'Remove a routing rule (admin)',
    params: IdParams,
    handler: async ({ deps, ctx, params }) => void (await core.deleteRoutingRule(deps, ctx, params.id)),
  });
  route({
    method: 'GET', url: '/teams/{id}/routing', tag: 'Routing', summary: "A team's routing mode and skill",
    params: IdParams, response: TeamRoutingOut,
    handler: async ({ deps, ctx, params }) => presentTeamRouting(await core.getTeamRouting(deps, ctx, params.id)),
  });
  route({
    method: 'PUT', url: '/teams/{id}/routing', tag: 'Routing', summary: "Set a team's routing mode (skills, round_robin, load_balanced, manual), skill, reassignment when away and overflow team (admin)",
    params: IdParams, body: UpdateTeamRoutingInput, response: TeamRoutingOut,
    handler: async ({ deps, ctx, params, body }) => presentTeamRouting(await core.updateTeamRouting(deps, ctx, params.id, body)),
  });
  route({
    method: 'GET', url: '/users/{id}/availability', tag: 'Routing', summary: "A staff member's availability for routing",
    params: IdParams, response: AvailabilityOut,
    handler: async ({ deps, ctx, params }) => presentAvailability(await core.getAvailability(deps, ctx, params.id)),
  });
  route({
    method: 'PUT', url: '/users/{id}/availability', tag: 'Routing', summary: 'Set availability: online, away, offline, out of office until, working hours (yourself, or anyone as admin)',
    params: IdParams, body: UpdateAvailabilityInput, response: AvailabilityOut,
    handler: async ({ deps, ctx, params, body }) => presentAvailability(await core.updateAvailability(deps, ctx, params.id, body)),
  });
  route({
    method: 'GET', url: '/tickets/{id}/routing', tag: 'Routing', summary: "A ticket's routing decision and its explanation (staff)",
    params: IdParams, query: LangQuery, response: TicketRoutingOut,
    handler: async ({ deps, ctx, params, query }) => presentTicketRouting(await core.getTicketRouting(deps, ctx, params.id), query.lang),
  });
  route({
    method: 'POST', url: '/tickets/{id}/routing/decision', tag: 'Routing', summary: 'Decide the team (and agent) of a ticket by hand: manual override or triage; becomes training data',
    params: IdParams, query: LangQuery, body: TriageDecisionInput, response: TicketRoutingOut, status: 200,
    handler: async ({ deps, ctx, params, query, body }) => presentTicketRouting(await core.decideTriage(deps, ctx, params.id, body), query.lang),
  });
  route({
    method: 'GET', url: '/routing/triage', tag: 'Routing', summary: 'Tickets waiting for a person to choose their team (low confidence, no rule)',
    query: LangQuery.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) }), response: z.object({ items: z.array(TicketRoutingOut) }),
    handler: async ({ deps, ctx, query }) => ({ items: (await core.listTriageQueue(deps, ctx, query.limit)).map((r) => presentTicketRouting(r, query.lang)) }),
  });
}

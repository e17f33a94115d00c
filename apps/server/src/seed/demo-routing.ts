/**
 * Routing of the demo workspace: automatic assignment on, keyword rules that work before any
 * model is trained (French and English words), and a mode per team, so a new demo ticket is
 * routed and explained at once. The seeded history trains the first model on the daily schedule
 * or on `POST /api/v1/routing/models/train`.
 */
import { CreateRoutingRuleInput, UpdateRoutingSettingsInput, UpdateTeamRoutingInput } from '@guichet/contracts';
import { createRoutingRule, updateRoutingSettings, updateTeamRouting, type Ctx, type Deps } from '@guichet/core';

const RULES: Array<{ name: string; team: string; keywords: string[]; priority?: 'high' | 'urgent' }> = [
  { name: 'API & webhooks', team: 'tech', keywords: ['api', 'webhook', 'webhooks', 'sandbox', 'idempotency', 'rate limit', 'erreur 500', 'error 500'] },
  { name: 'Fraude / fraud', team: 'cards', keywords: ['fraude', 'fraud', 'stolen card', 'carte volée', 'unauthorised payment', 'paiement non autorisé'], priority: 'urgent' },
  { name: 'Cartes et virements / cards and transfers', team: 'cards', keywords: ['carte', 'card', 'virement', 'transfer', 'chargeback', 'prélèvement', 'direct debit', 'sepa', 'swift'] },
  { name: 'Comptes / accounts', team: 'accounts', keywords: ['kyc', 'identité', 'identity', 'mot de passe', 'password', '2fa', 'facture', 'invoice', 'login', 'connexion'] },
];

const MODES: Record<string, { mode: 'skills' | 'round_robin' | 'load_balanced'; skill?: string }> = {
  cards: { mode: 'skills', skill: 'cards' },
  accounts: { mode: 'load_balanced', skill: 'kyc' },
  tech: { mode: 'skills', skill: 'api' },
  french: { mode: 'round_robin' },
};

export async function seedDemoRouting(deps: Deps, ctx: Ctx, teamIds: Map<string, string>, skillIds: Map<string, string>): Promise<void> {
  await updateRoutingSettings(deps, ctx, UpdateRoutingSettingsInput.parse({ autoAssign: true, minConfidence: 0.6 }));
  for (const [i, r] of RULES.entries()) {
    const teamId = teamIds.get(r.team);
    if (!teamId) throw new Error(`demo routing: no team "${r.team}"`);
    await createRoutingRule(deps, ctx, CreateRoutingRuleInput.parse({ name: r.name, position: i * 10, conditions: { keywords: r.keywords }, teamId, priority: r.priority ?? null }));
  }
  for (const [team, m] of Object.entries(MODES)) {
    const teamId = teamIds.get(team);
    if (!teamId) throw new Error(`demo routing: no team "${team}"`);
    await updateTeamRouting(deps, ctx, teamId, UpdateTeamRoutingInput.parse({ mode: m.mode, skillId: m.skill ? skillIds.get(m.skill)! : null }));
  }
}

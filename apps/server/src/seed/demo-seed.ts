/**
 * Plays the demo content through the product's own use-cases, as the people in it would have:
 * the admin sets the workspace up, customers write in (by email, chat, the portal…), agents
 * triage, reply and solve, light agents add internal notes, and an automation closes solved
 * tickets. Each step runs at its own moment of the last ~60 days on a clock that only moves
 * forward, so timestamps, ids (UUIDv7), ticket numbers and the event log all tell one story.
 *
 * Run it inside one transaction (see demo.ts): it creates a workspace completely or not at all.
 */
import {
  CreateAutomationInput,
  CreateBusinessCalendarInput,
  CreateCustomFieldInput,
  CreateSlaPolicyInput,
  CreateCustomerInput,
  CreateMessageInput,
  CreateOrganizationInput,
  CreateSkillInput,
  CreateTeamInput,
  CreateTicketInput,
  CreateUserInput,
  SetTeamMembersInput,
  SetUserSkillsInput,
  UpdateCustomerInput,
  UpdateTicketInput,
  type Channel,
} from '@guichet/contracts';
import {
  addMessage,
  bootstrapWorkspace,
  createAutomation,
  createBusinessCalendar,
  createSlaPolicy,
  createCustomer,
  createCustomField,
  createOrganization,
  createSkill,
  createTeam,
  createTicket,
  createUser,
  createUuidV7,
  setTeamMembers,
  setUserSkills,
  systemActor,
  updateCustomer,
  updateTicket,
  type Actor,
  type Clock,
  type Ctx,
  type Deps,
} from '@guichet/core';
import {
  DEMO_AUTOMATIONS,
  DEMO_CALENDAR,
  DEMO_SLA_POLICIES,
  DEMO_CUSTOM_FIELDS,
  DEMO_CUSTOMERS,
  DEMO_ORGANIZATIONS,
  DEMO_SKILLS,
  DEMO_STAFF,
  DEMO_TEAMS,
  type DemoCustomer,
  type DemoFields,
  type DemoStep,
  type DemoTicket,
} from './demo-content.ts';
import { DEMO_TICKETS_EN } from './demo-tickets-en.ts';
import { seedDemoRouting } from './demo-routing.ts';
import { seedDemoMacros } from './demo-macros.ts';
import { DEMO_TICKETS_FR } from './demo-tickets-fr.ts';
import { DEMO_ARTICLE_CATEGORIES, DEMO_ARTICLES, DEMO_PROPOSAL } from './demo-articles.ts';
import { CreateArticleInput, CreateCategoryInput, CreateProposalInput } from '@guichet/contracts';
import { createArticle, createCategory, proposeArticleEdit, publishArticle, setKnowledgeManager } from '@guichet/core';
import { CreateTicketCategoryInput } from '@guichet/contracts';
import { createTicketCategory, importTicketHistory, type ImportedTicket } from '@guichet/core';
import { planDemoHistory, type HistoryCast } from './demo-history.ts';
import { HISTORY_CUSTOMERS, type HistoryTexts } from './demo-history-texts.ts';

/** The customer portal's request categories (their keys are what routing rules can name). */
export const DEMO_TICKET_CATEGORIES = [
  { key: 'billing', names: { en: 'Billing and payments', fr: 'Facturation et paiements' } },
  { key: 'cards', names: { en: 'Cards', fr: 'Cartes' } },
  { key: 'account', names: { en: 'My account and access', fr: 'Mon compte et mes accès' } },
  { key: 'technical', names: { en: 'Technical problem', fr: 'Problème technique' } },
  { key: 'other', names: { en: 'Something else', fr: 'Autre chose' } },
] as const;

export const DEMO_TICKETS: DemoTicket[] = [...DEMO_TICKETS_EN, ...DEMO_TICKETS_FR];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The workspace is set up this long before the seed runs; the oldest ticket is under 90 days old (HISTORY_DAYS). */
const SETUP_DAYS_AGO = 95;

export interface DemoStats {
  skills: number;
  staff: number;
  teams: number;
  customFields: number;
  organizations: number;
  customers: number;
  tickets: number;
  messages: number;
  internalNotes: number;
  articles: number;
  /** Of the tickets, those of the history (imported in bulk), and where their texts came from. */
  historyTickets: number;
  historyTexts: HistoryTexts['source'] | null;
  /** Time spent on the history (its customers, plan and imports), in milliseconds. */
  historyMs: number;
}

export interface DemoSeedInput {
  slug: string;
  name: string;
  mailDomain: string;
  adminEmail: string;
  adminPassword: string;
  /** The moment the seed runs; every timestamp it writes is before it. */
  now: Date;
  /** The history around the hand-written tickets: how many, from which texts (none when absent). */
  history?: { texts: HistoryTexts; count: number };
}

/** A clock the seed moves forward, step by step, through the demo's history. */
class SeedClock implements Clock {
  private t: number;
  constructor(start: number) {
    this.t = start;
  }
  now(): Date {
    return new Date(this.t);
  }
  moveTo(at: number): void {
    if (at < this.t) throw new Error(`demo seed: the clock cannot go back (${new Date(at).toISOString()})`);
    this.t = at;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** "25m", "3h", "1d2h30m" in milliseconds. */
export function parseDelay(s: string): number {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(s);
  if (!s || !m) throw new Error(`demo seed: bad delay "${s}"`);
  return Number(m[1] ?? 0) * DAY + Number(m[2] ?? 0) * HOUR + Number(m[3] ?? 0) * MINUTE;
}

export interface TimelineEntry {
  at: number;
  ticket: DemoTicket;
  /** null: the ticket's creation. */
  step: DemoStep | null;
}

/**
 * Every creation and step of every ticket, at its moment, in the order they happened. A ticket
 * whose last step would still be in the future (the seed runs early in the day) moves back by
 * whole days, so times of day stay as written.
 */
export function planDemoTimeline(tickets: DemoTicket[], now: Date): TimelineEntry[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const latest = now.getTime() - 5 * MINUTE;
  const entries: Array<TimelineEntry & { order: number }> = [];
  tickets.forEach((ticket, ti) => {
    const [h, m] = ticket.at[1].split(':').map(Number);
    if (!Number.isInteger(h) || !Number.isInteger(m)) throw new Error(`demo ticket ${ticket.key}: bad time "${ticket.at[1]}"`);
    let times = [today - ticket.at[0] * DAY + h! * HOUR + m! * MINUTE];
    for (const step of ticket.steps) times.push(times[times.length - 1]! + parseDelay(step.after));
    while (times[times.length - 1]! > latest) times = times.map((t) => t - DAY);
    times.forEach((at, i) => entries.push({ at, order: ti * 1000 + i, ticket, step: i === 0 ? null : ticket.steps[i - 1]! }));
  });
  entries.sort((a, b) => a.at - b.at || a.order - b.order);
  return entries.map(({ at, ticket, step }) => ({ at, ticket, step }));
}

/** "Julien Lefèvre" → "julien.lefevre". */
function localPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '.')
    .replace(/^\.|\.$/g, '');
}

/** Messages go back on the channel the conversation is on; a web form, an in-app report or a call is followed up by email. */
function replyChannel(channel: Channel): Channel {
  return channel === 'chat' || channel === 'portal' ? channel : 'email';
}

function fieldsInput(f: DemoFields | undefined): Record<string, unknown> {
  return f ? { ...f } : {};
}

interface Person {
  id: string;
  actor: Actor;
}

function personActor(p: { id: string; name: string; role: Actor['role']; organizationId: string | null }): Actor {
  return { type: 'user', userId: p.id, role: p.role, name: p.name, organizationId: p.organizationId, via: 'system' };
}

export async function seedDemoWorkspace(deps: Deps, input: DemoSeedInput): Promise<{ workspaceId: string; stats: DemoStats }> {
  const timeline = planDemoTimeline(DEMO_TICKETS, input.now);
  const today = Date.UTC(input.now.getUTCFullYear(), input.now.getUTCMonth(), input.now.getUTCDate());
  const clock = new SeedClock(today - SETUP_DAYS_AGO * DAY + 8 * HOUR);
  const d: Deps = { ...deps, clock, ids: createUuidV7(clock) };
  const stats: DemoStats = {
    skills: 0, staff: 0, teams: 0, customFields: 0, organizations: 0, customers: 0, tickets: 0, messages: 0, internalNotes: 0, articles: 0,
    historyTickets: 0, historyTexts: input.history?.texts.source ?? null, historyMs: 0,
  };
  const adminEmail = input.adminEmail.toLowerCase();
  // An address the admin already uses (GUICHET_ADMIN_EMAIL) is not given to anyone else.
  const free = (email: string) => (email === adminEmail ? email.replace('@', '+demo@') : email);

  const { workspace, admin } = await bootstrapWorkspace(d, {
    slug: input.slug,
    name: input.name,
    mailDomain: input.mailDomain,
    defaultLanguage: 'en',
    admin: { email: adminEmail, name: 'Demo Admin', password: input.adminPassword },
  });
  const ctxOf = (actor: Actor): Ctx => ({ workspaceId: workspace.id, actor, requestId: 'demo-seed' });
  const adminCtx = ctxOf(personActor({ id: admin.id, name: admin.name, role: 'admin', organizationId: null }));
  const tick = () => clock.advance(2 * MINUTE);

  // ---- setup, by the admin ------------------------------------------------------------------
  const skillIds = new Map<string, string>();
  for (const s of DEMO_SKILLS) {
    tick();
    const skill = await createSkill(d, adminCtx, CreateSkillInput.parse({ name: s.name, description: s.description }));
    skillIds.set(s.key, skill.id);
    stats.skills++;
  }

  const staff = new Map<string, Person>();
  for (const s of DEMO_STAFF) {
    tick();
    const { user } = await createUser(
      d,
      adminCtx,
      CreateUserInput.parse({
        email: free(`${localPart(s.name)}@${input.mailDomain}`),
        name: s.name,
        role: s.role,
        // Nobody knows it: only the admin signs in from the printed credentials; an admin can set one later.
        password: deps.secrets.token(24),
        locale: s.locale,
        timeZone: s.timeZone,
        languages: s.languages,
        capacity: s.capacity,
      }),
    );
    await setUserSkills(
      d,
      adminCtx,
      user.id,
      SetUserSkillsInput.parse({ skills: Object.entries(s.skills).map(([key, proficiency]) => ({ skillId: skillIds.get(key)!, proficiency })) }),
    );
    staff.set(s.key, { id: user.id, actor: personActor(user) });
    stats.staff++;
  }
  const staffOf = (key: string, where: string): Person => {
    const p = staff.get(key);
    if (!p) throw new Error(`demo seed (${where}): no staff member "${key}"`);
    return p;
  };

  const teamIds = new Map<string, string>();
  for (const t of DEMO_TEAMS) {
    tick();
    const { team } = await createTeam(d, adminCtx, CreateTeamInput.parse({ name: t.name, description: t.description }));
    await setTeamMembers(
      d,
      adminCtx,
      team.id,
      SetTeamMembersInput.parse({ members: t.members.map((m) => ({ userId: staffOf(m, t.key).id, isLead: m === t.lead })) }),
    );
    teamIds.set(t.key, team.id);
    stats.teams++;
  }

  for (const f of DEMO_CUSTOM_FIELDS) {
    tick();
    await createCustomField(d, adminCtx, CreateCustomFieldInput.parse({ key: f.key, label: f.label, type: f.type, options: f.options ?? [] }));
    stats.customFields++;
  }

  // The desk's hours and promises, before the first ticket, so every ticket runs its SLA clocks.
  tick();
  await createBusinessCalendar(d, adminCtx, CreateBusinessCalendarInput.parse(DEMO_CALENDAR));
  for (const p of DEMO_SLA_POLICIES) {
    tick();
    await createSlaPolicy(d, adminCtx, CreateSlaPolicyInput.parse(p));
  }
  for (const a of DEMO_AUTOMATIONS) {
    tick();
    await createAutomation(d, adminCtx, CreateAutomationInput.parse(a));
  }

  const orgIds = new Map<string, string>();
  for (const o of DEMO_ORGANIZATIONS) {
    tick();
    const org = await createOrganization(
      d,
      adminCtx,
      CreateOrganizationInput.parse({ name: o.name, domains: o.domains, notes: o.notes, sharedTickets: o.sharedTickets }),
    );
    orgIds.set(o.key, org.id);
    stats.organizations++;
  }

  // ---- the knowledge base, by the admin and a knowledge manager ----------------------------------
  tick();
  await setKnowledgeManager(d, adminCtx, staffOf('camille', 'knowledge').id, true);
  const categoryIds = new Map<string, string>();
  for (const c of DEMO_ARTICLE_CATEGORIES) {
    tick();
    categoryIds.set(c.key, (await createCategory(d, adminCtx, CreateCategoryInput.parse({ names: c.names, descriptions: c.descriptions }))).id);
  }
  const articleIds = new Map<string, string>();
  for (const a of DEMO_ARTICLES) {
    tick();
    const created = await createArticle(
      d,
      adminCtx,
      CreateArticleInput.parse({
        categoryId: categoryIds.get(a.category)!,
        visibility: a.visibility,
        tags: a.tags,
        template: a.template ?? null,
        translations: { en: a.en, ...(a.fr ? { fr: a.fr } : {}) },
        verifyIntervalDays: a.intervalDays,
        ...('staff' in a.owner ? { ownerUserId: staffOf(a.owner.staff, a.key).id } : { ownerTeamId: teamIds.get(a.owner.team)! }),
      }),
    );
    await publishArticle(d, adminCtx, created.view.article.id, {});
    articleIds.set(a.key, created.view.article.id);
    stats.articles++;
  }
  tick();
  const proposer = ctxOf(staffOf(DEMO_PROPOSAL.by, 'proposal').actor);
  await proposeArticleEdit(d, proposer, articleIds.get(DEMO_PROPOSAL.article)!, CreateProposalInput.parse(DEMO_PROPOSAL));

  // ---- the portal's request categories, by the admin ---------------------------------------------
  for (const [i, c] of DEMO_TICKET_CATEGORIES.entries()) {
    tick();
    await createTicketCategory(d, adminCtx, CreateTicketCategoryInput.parse({ key: c.key, names: c.names, position: i }));
  }

  // ---- customers imported two days later; the others arrive with their first ticket -------------
  clock.moveTo(today - (SETUP_DAYS_AGO - 2) * DAY + 9 * HOUR);
  const customerDefs = new Map<string, DemoCustomer>(DEMO_CUSTOMERS.map((c) => [c.key, c]));
  const customers = new Map<string, Person>();
  for (const c of DEMO_CUSTOMERS) {
    if (staff.has(c.key) || c.key === 'customer' || c.key === 'system') throw new Error(`demo seed: customer key "${c.key}" is taken`);
    if (c.firstContact) continue;
    clock.advance(3 * MINUTE);
    const user = await createCustomer(
      d,
      adminCtx,
      CreateCustomerInput.parse({
        email: free(c.email),
        name: c.name,
        locale: c.locale,
        ...(c.phone ? { phone: c.phone } : {}),
        ...(c.notes ? { notes: c.notes } : {}),
        // Without one, an address at an organization's domain attaches the customer to it.
        ...(c.org ? { organizationId: orgIds.get(c.org)! } : {}),
      }),
    );
    customers.set(c.key, { id: user.id, actor: personActor(user) });
    stats.customers++;
  }

  // ---- the history's customers, and its tickets, imported around the hand-written ones ----------
  const cast: HistoryCast = {
    customers: DEMO_CUSTOMERS.filter((c) => !c.firstContact).map((c) => {
      const person = customers.get(c.key)!;
      return { id: person.id, name: c.name, organizationId: person.actor.organizationId, locale: c.locale as 'en' | 'fr' };
    }),
    staff: DEMO_STAFF.map((s) => ({ key: s.key, id: staffOf(s.key, 'history').id, name: s.name, role: s.role, languages: s.languages })),
    teams: new Map(DEMO_TEAMS.map((t) => [t.key, { id: teamIds.get(t.key)!, members: t.members }])),
  };
  let history: ImportedTicket[] = [];
  const historyStarted = performance.now();
  if (input.history) {
    for (const c of HISTORY_CUSTOMERS) {
      clock.advance(MINUTE);
      const user = await createCustomer(d, adminCtx, CreateCustomerInput.parse({ email: free(c.email), name: c.name, locale: c.locale }));
      cast.customers.push({ id: user.id, name: user.name, organizationId: user.organizationId, locale: c.locale });
      stats.customers++;
    }
    history = planDemoHistory(input.history.texts, cast, input.now, input.history.count);
  }
  stats.historyMs += performance.now() - historyStarted;
  /** Import, in one go, the history's tickets that arrived before `before` (so numbers follow arrival). */
  const importHistory = async (before: number) => {
    let n = 0;
    while (n < history.length && history[n]!.createdAt.getTime() < before) n++;
    if (!n) return;
    const started = performance.now();
    const batch = history.splice(0, n);
    clock.moveTo(Math.max(clock.now().getTime(), batch[batch.length - 1]!.createdAt.getTime()));
    await importTicketHistory(d, adminCtx, batch);
    for (const t of batch) {
      stats.tickets++;
      stats.historyTickets++;
      stats.messages += t.messages.length;
      stats.internalNotes += t.messages.filter((m) => m.visibility === 'internal').length;
    }
    stats.historyMs += performance.now() - started;
  };

  // ---- sixty days of support ----------------------------------------------------------------
  const ticketIds = new Map<string, string>();
  const untriaged = new Set<string>();

  const actorFor = (by: string, t: DemoTicket): Actor => {
    if (by === 'system') return systemActor;
    const person = by === 'customer' ? customers.get(t.from) : (staff.get(by) ?? customers.get(by));
    if (!person) throw new Error(`demo ticket ${t.key}: unknown or not yet created "${by}"`);
    return person.actor;
  };

  for (const { at, ticket: t, step } of timeline) {
    // Before each hand-written ticket, the history's that came before it (steps take no number).
    if (!step) await importHistory(at);
    clock.moveTo(at);
    if (!step) {
      const def = customerDefs.get(t.from);
      if (!def) throw new Error(`demo ticket ${t.key}: unknown customer "${t.from}"`);
      const known = customers.get(t.from);
      const fields: Record<string, unknown> = {
        subject: t.subject,
        body: t.body,
        channel: t.channel,
        language: t.lang,
        customFields: fieldsInput(t.fields),
        requester: known ? { id: known.id } : { email: free(def.email), name: def.name },
      };
      let actor: Actor;
      if (t.channel === 'portal') {
        // The customer writes in themselves; triage (team, priority, tags) comes with the first agent's update.
        if (!known) throw new Error(`demo ticket ${t.key}: a portal ticket needs a customer who already exists`);
        actor = known.actor;
        untriaged.add(t.key);
      } else {
        // Email, chat, web form and in-app reports come in through the channel (the system);
        // a phone call is written up by the agent who took it, who keeps the ticket.
        actor = t.channel === 'phone' ? staffOf(t.loggedBy ?? '', t.key).actor : systemActor;
        Object.assign(fields, { priority: t.priority, tags: t.tags, teamId: t.team ? teamIds.get(t.team)! : null });
        if (t.channel === 'phone') fields.assigneeId = staffOf(t.loggedBy ?? '', t.key).id;
      }
      const { ticket } = await createTicket(d, ctxOf(actor), CreateTicketInput.parse(fields));
      ticketIds.set(t.key, ticket.id);
      if (!known) {
        // A customer created by their first message gets the default locale (en) whatever the
        // language they wrote in (createTicket does not pass it on), so set theirs right away.
        if (def.locale !== 'en') {
          await updateCustomer(d, ctxOf(systemActor), ticket.requester.id, UpdateCustomerInput.parse({ locale: def.locale }));
        }
        customers.set(t.from, {
          id: ticket.requester.id,
          actor: personActor({ id: ticket.requester.id, name: ticket.requester.name, role: 'customer', organizationId: ticket.organizationId }),
        });
        stats.customers++;
      }
      stats.tickets++;
      stats.messages++;
      continue;
    }

    const ticketId = ticketIds.get(t.key)!;
    const ctx = ctxOf(actorFor(step.by, t));
    if ('note' in step) {
      await addMessage(d, ctx, ticketId, CreateMessageInput.parse({ body: step.note, visibility: 'internal', channel: 'web' }));
      stats.messages++;
      stats.internalNotes++;
    } else if ('reply' in step) {
      await addMessage(
        d,
        ctx,
        ticketId,
        CreateMessageInput.parse({ body: step.reply, visibility: 'public', channel: replyChannel(t.channel), ...(step.status ? { status: step.status } : {}) }),
      );
      stats.messages++;
    } else {
      const patch: Record<string, unknown> = {};
      if (untriaged.has(t.key) && step.by !== 'system') {
        Object.assign(patch, { priority: t.priority, addTags: t.tags, ...(t.team ? { teamId: teamIds.get(t.team)! } : {}) });
        untriaged.delete(t.key);
      }
      const s = step.set;
      if (s.assignee) patch.assigneeId = staffOf(s.assignee, t.key).id;
      if (s.status) patch.status = s.status;
      if (s.priority) patch.priority = s.priority;
      if (s.addTags) patch.addTags = [...((patch.addTags as string[] | undefined) ?? []), ...s.addTags];
      if (s.fields) patch.customFields = fieldsInput(s.fields);
      await updateTicket(d, ctx, ticketId, UpdateTicketInput.parse(patch));
    }
  }
  if (untriaged.size) throw new Error(`demo seed: portal tickets never triaged by an agent: ${[...untriaged].join(', ')}`);
  await importHistory(Infinity);
  await seedDemoRouting(d, adminCtx, teamIds, skillIds);
  await seedDemoMacros(d, adminCtx, teamIds);
  stats.historyMs = Math.round(stats.historyMs);
  return { workspaceId: workspace.id, stats };
}

/**
 * The demo's ticket history: a few hundred tickets over the last 90 days around the hand-written
 * ones, composed from the texts of demo-history-texts.ts. Their spread follows a working desk:
 * more tickets on weekdays and in office hours, a growing volume, most older tickets solved and
 * closed, recent ones new, open, waiting on the customer or on hold; the team of the topic (the
 * French-speaking team for French), an agent of that team who speaks the language, answers, a
 * customer's follow-up and internal notes on some. The same plan at every seed (a fixed-seed
 * random generator), relative to the moment the seed runs.
 */
import type { Channel, TicketPriority, TicketStatus } from '@guichet/contracts';
import type { ImportedMessage, ImportedTicket } from '@guichet/core';
import { PRODUCTS } from './demo-content.ts';
import { ANSWERS, CUSTOMER_FOLLOW_UPS, INTERNAL_NOTES, QUESTIONS, type HistoryRequest, type HistoryTexts, type Topic } from './demo-history-texts.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How far back the history goes. */
export const HISTORY_DAYS = 90;
/** A solved ticket is closed by the demo's automation this long after it was solved. */
const CLOSE_AFTER = 4 * DAY;

export interface HistoryCast {
  customers: Array<{ id: string; name: string; organizationId: string | null; locale: 'en' | 'fr' }>;
  staff: Array<{ key: string; id: string; name: string; role: 'agent' | 'light_agent' | 'admin'; languages: string[] }>;
  /** Team key → its id and the keys of its members. */
  teams: Map<string, { id: string; members: string[] }>;
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function randomFrom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    pick<T>(items: readonly T[]): T {
      if (!items.length) throw new Error('demo history: nothing to pick from');
      return items[Math.floor(next() * items.length)]!;
    },
    /** One of the keys, with the given weights. */
    weighted<K extends string>(weights: Partial<Record<K, number>>): K {
      const entries = Object.entries(weights).filter(([, w]) => typeof w === 'number') as Array<[K, number]>;
      let x = next() * entries.reduce((s, [, w]) => s + w, 0);
      for (const [k, w] of entries) if ((x -= w) < 0) return k;
      return entries[entries.length - 1]![0];
    },
    chance: (p: number) => next() < p,
  };
}

const TOPIC_TEAM: Record<Topic, string> = { cards: 'cards', transfers: 'cards', accounts: 'accounts', security: 'accounts', billing: 'accounts', tech: 'tech', howto: 'tech' };
const TOPIC_PRODUCT: Record<Topic, (typeof PRODUCTS)[number]> = {
  cards: 'Payment cards',
  transfers: 'Transfers',
  accounts: 'Business account',
  security: 'Business account',
  billing: 'Billing & subscription',
  tech: 'Payments API',
  howto: 'Mobile app',
};
const TOPIC_TAGS: Record<Topic, string[]> = {
  cards: ['cards'],
  transfers: ['transfers'],
  accounts: ['onboarding', 'kyc'],
  security: ['security', 'account-access'],
  billing: ['billing'],
  tech: ['api', 'bug'],
  howto: ['how-to'],
};

const fill = (text: string, v: { name: string; agent: string; answer?: string }) =>
  text.replace(/\{name\}/g, v.name.split(' ')[0]!).replace(/\{agent\}/g, v.agent.split(' ')[0]!).replace(/\{answer\}/g, v.answer ?? '');

/** A moment `daysAgo` back, on a working hour, weekdays more likely (a weekend draw moves to Friday or Monday half the time). */
function arrival(rng: ReturnType<typeof randomFrom>, now: number): number {
  // More recent days are busier: the volume grew by about two thirds over the quarter.
  let daysAgo = rng.next() * HISTORY_DAYS;
  while (rng.next() > 1 - 0.4 * (daysAgo / HISTORY_DAYS)) daysAgo = rng.next() * HISTORY_DAYS;
  let day = Math.floor((now - daysAgo * DAY) / DAY) * DAY;
  const weekday = new Date(day).getUTCDay();
  if ((weekday === 0 || weekday === 6) && rng.chance(0.6)) day += (weekday === 6 ? -1 : 1) * DAY;
  const hour = rng.weighted({ 7: 1, 8: 3, 9: 5, 10: 5, 11: 4, 12: 2, 13: 3, 14: 5, 15: 5, 16: 4, 17: 2, 18: 1, 20: 1, 22: 0.5 });
  return day + Number(hour) * HOUR + Math.floor(rng.next() * 60) * MINUTE;
}

/**
 * The history's tickets, oldest first, none of whose moments is after `latest`. `count` tickets,
 * about two in five in French.
 */
export function planDemoHistory(texts: HistoryTexts, cast: HistoryCast, now: Date, count: number): ImportedTicket[] {
  const rng = randomFrom(0x9e1c4e7);
  const latest = now.getTime() - 10 * MINUTE;
  const staffByKey = new Map(cast.staff.map((s) => [s.key, s]));
  const lightAgents = cast.staff.filter((s) => s.role === 'light_agent');
  const tickets: ImportedTicket[] = [];
  const queues: Record<'en' | 'fr', HistoryRequest[]> = { en: [], fr: [] };

  for (let i = 0; i < count; i++) {
    const lang: 'en' | 'fr' = rng.chance(0.4) ? 'fr' : 'en';
    // Every text once before any comes back.
    if (!queues[lang].length) queues[lang] = [...texts[lang]];
    const request = queues[lang].splice(Math.floor(rng.next() * queues[lang].length), 1)[0]!;
    const customer = rng.pick(cast.customers.filter((c) => c.locale === lang));
    const teamKey = lang === 'fr' && request.topic !== 'tech' && request.topic !== 'howto' ? 'french' : TOPIC_TEAM[request.topic];
    const team = cast.teams.get(teamKey);
    if (!team) throw new Error(`demo history: no team "${teamKey}"`);
    const speakers = team.members.map((k) => staffByKey.get(k)!).filter((s) => s && s.languages.includes(lang));
    const agent = rng.pick(speakers.length ? speakers : team.members.map((k) => staffByKey.get(k)!));

    let created = arrival(rng, now.getTime());
    if (created > latest - 30 * MINUTE) created = latest - 30 * MINUTE - Math.floor(rng.next() * 6) * HOUR;
    const age = now.getTime() - created;
    const channel = rng.weighted<Channel>({ email: 45, portal: 15, chat: 14, web: 10, phone: 8, api: 8 });
    const priority = rng.weighted<TicketPriority>({ low: 15, normal: 55, high: 22, urgent: 8 });
    // What became of it depends on its age: old tickets are done, recent ones still moving.
    const drawn: TicketStatus =
      age > 21 * DAY
        ? rng.weighted<TicketStatus>({ solved: 95, on_hold: 3, pending: 2 })
        : age > 5 * DAY
          ? rng.weighted<TicketStatus>({ solved: 68, open: 11, pending: 11, on_hold: 6, new: 4 })
          : rng.weighted<TicketStatus>({ new: 20, open: 25, pending: 15, on_hold: 5, solved: 35 });
    // A call is written up by the agent who took it, who keeps the ticket: never a new one.
    const fate: TicketStatus = channel === 'phone' && drawn === 'new' ? 'open' : drawn;

    const replyChannel: Channel = channel === 'chat' || channel === 'portal' ? channel : 'email';
    const messages: ImportedMessage[] = [
      { authorId: channel === 'phone' ? agent.id : customer.id, visibility: 'public', channel, body: request.body, createdAt: new Date(created) },
    ];
    let t = created;
    const later = (min: number, max: number) => {
      t = Math.min(latest, t + min + Math.floor(rng.next() * (max - min)));
      return new Date(t);
    };
    const names = { name: customer.name, agent: agent.name, ...(request.answer ? { answer: request.answer } : {}) };
    let status: TicketStatus = fate;
    if (fate !== 'new') {
      if (rng.chance(0.25)) {
        const by = rng.chance(0.3) && lightAgents.length ? rng.pick(lightAgents) : agent;
        messages.push({ authorId: by.id, visibility: 'internal', channel: 'web', body: rng.pick(INTERNAL_NOTES[lang]), createdAt: later(10 * MINUTE, 3 * HOUR) });
      }
      const asks = fate === 'pending' || (fate === 'solved' && rng.chance(0.3));
      const answer = request.answer ? ANSWERS[lang].howto[0]! : rng.pick(ANSWERS[lang][request.topic]);
      messages.push({ authorId: agent.id, visibility: 'public', channel: replyChannel, body: fill(asks ? rng.pick(QUESTIONS[lang]) : answer, names), createdAt: later(15 * MINUTE, 5 * HOUR) });
      if (asks && fate === 'solved') {
        messages.push({ authorId: customer.id, visibility: 'public', channel: replyChannel, body: CUSTOMER_FOLLOW_UPS[lang][2]!, createdAt: later(30 * MINUTE, DAY) });
        messages.push({ authorId: agent.id, visibility: 'public', channel: replyChannel, body: fill(answer, names), createdAt: later(10 * MINUTE, 4 * HOUR) });
      } else if (fate === 'solved' && rng.chance(0.5)) {
        messages.push({ authorId: customer.id, visibility: 'public', channel: replyChannel, body: rng.pick([0, 1, 3].map((k) => CUSTOMER_FOLLOW_UPS[lang][k]!)), createdAt: later(20 * MINUTE, 8 * HOUR) });
      } else if (fate === 'open' && rng.chance(0.5)) {
        messages.push({ authorId: customer.id, visibility: 'public', channel: replyChannel, body: CUSTOMER_FOLLOW_UPS[lang][4]!, createdAt: later(2 * HOUR, 2 * DAY) });
      }
    }
    const lastChange = fate === 'solved' ? later(5 * MINUTE, 2 * HOUR) : new Date(t);
    let solvedAt: Date | null = null;
    let closedAt: Date | null = null;
    if (fate === 'solved') {
      solvedAt = lastChange;
      if (solvedAt.getTime() + CLOSE_AFTER <= latest) {
        closedAt = new Date(solvedAt.getTime() + CLOSE_AFTER);
        status = 'closed';
      }
    }
    const triaged = fate !== 'new' || rng.chance(0.5);
    // A few open tickets wait in their team's queue for someone to take them.
    const assigned = fate !== 'new' && !(fate === 'open' && rng.chance(0.2));
    const tags = [...TOPIC_TAGS[request.topic]];
    if (priority === 'urgent' && rng.chance(0.5)) tags.push('vip');
    tickets.push({
      subject: request.subject,
      status,
      priority,
      channel,
      language: lang,
      requesterId: customer.id,
      organizationId: customer.organizationId,
      assigneeId: assigned ? agent.id : null,
      teamId: triaged ? team.id : null,
      tags,
      customFields: {
        product: TOPIC_PRODUCT[request.topic],
        ...(rng.chance(0.3) ? { account_ref: `ACC-${10000 + Math.floor(rng.next() * 89999)}` } : {}),
        ...(request.topic === 'tech' && rng.chance(0.3) ? { escalated: true } : {}),
      },
      createdAt: new Date(created),
      updatedAt: closedAt ?? lastChange,
      solvedAt,
      closedAt,
      messages,
    });
  }
  return tickets.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

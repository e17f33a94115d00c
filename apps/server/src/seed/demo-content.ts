/**
 * The people and settings of the demo workspace: the support desk of a (fictional) business
 * account and payments provider, with a bilingual French/English team. Written for Guichet;
 * the tickets are in demo-tickets.ts.
 *
 * Every address uses a reserved domain (.test, .example, example.com/net/org), so nothing here
 * can ever reach a real mailbox.
 */
import type { Channel, CustomFieldType, TicketPriority, TicketStatus } from '@guichet/contracts';

export const DEMO_STAFF_DOMAIN = 'demo.guichet.test';

export type SkillKey = 'cards' | 'transfers' | 'kyc' | 'billing' | 'security' | 'api' | 'integrations';
export type TeamKey = 'cards' | 'accounts' | 'tech' | 'french';
export type StaffKey =
  | 'sophie'
  | 'daniel'
  | 'camille'
  | 'priya'
  | 'emma'
  | 'lucas'
  | 'thomas'
  | 'hannah'
  | 'julien'
  | 'aisha';
export type OrgKey = 'boulangerie' | 'lumen' | 'northwind' | 'brightpath' | 'durand' | 'kestrel';

export interface DemoSkill {
  key: SkillKey;
  name: string;
  description: string;
}

export interface DemoStaff {
  key: StaffKey;
  name: string;
  role: 'agent' | 'light_agent';
  locale: 'en' | 'fr';
  timeZone: string;
  languages: string[];
  /** Open tickets they can carry; light agents are not assigned tickets. */
  capacity: number | null;
  skills: Partial<Record<SkillKey, 1 | 2 | 3 | 4 | 5>>;
}

export interface DemoTeam {
  key: TeamKey;
  name: string;
  description: string;
  lead: StaffKey;
  members: StaffKey[];
}

export interface DemoOrganization {
  key: OrgKey;
  name: string;
  domains: string[];
  notes: string;
  sharedTickets: boolean;
}

export interface DemoCustomer {
  key: string;
  name: string;
  email: string;
  locale: 'en' | 'fr';
  phone?: string;
  notes?: string;
  /**
   * How they come in: `org` attaches them to an organization explicitly; otherwise an address
   * at an organization's domain attaches them through the domain. `firstContact` customers are
   * not imported: their first ticket creates them.
   */
  org?: OrgKey;
  firstContact?: boolean;
}

export interface DemoCustomField {
  key: string;
  label: string;
  type: CustomFieldType;
  options?: string[];
}

export const DEMO_SKILLS: DemoSkill[] = [
  { key: 'cards', name: 'Card payments', description: 'Declines, limits, disputes and chargebacks, lost and stolen cards, 3-D Secure.' },
  { key: 'transfers', name: 'Transfers (SEPA & SWIFT)', description: 'SEPA transfers and direct debits, international SWIFT payments, traces and recalls.' },
  { key: 'kyc', name: 'Identity verification (KYC)', description: 'Onboarding checks, company documents, directors and beneficial owners.' },
  { key: 'billing', name: 'Billing & invoices', description: 'Plans, subscription invoices, VAT, refunds of fees.' },
  { key: 'security', name: 'Account access & security', description: 'Logins, two-factor authentication, suspicious activity, account recovery.' },
  { key: 'api', name: 'Payments API & webhooks', description: 'Authentication, rate limits, idempotency, webhooks and the sandbox.' },
  { key: 'integrations', name: 'Accounting integrations', description: 'Exports (CSV, OFX, FEC) and connections to accounting software.' },
];

export const DEMO_STAFF: DemoStaff[] = [
  { key: 'sophie', name: 'Sophie Marchand', role: 'agent', locale: 'fr', timeZone: 'Europe/Paris', languages: ['fr', 'en'], capacity: 25, skills: { cards: 5, transfers: 4, billing: 2 } },
  { key: 'daniel', name: 'Daniel Okafor', role: 'agent', locale: 'en', timeZone: 'Europe/London', languages: ['en'], capacity: 30, skills: { cards: 4, transfers: 3, security: 3 } },
  { key: 'camille', name: 'Camille Roux', role: 'agent', locale: 'fr', timeZone: 'Europe/Paris', languages: ['fr', 'en'], capacity: 25, skills: { cards: 3, transfers: 3, billing: 4 } },
  { key: 'priya', name: 'Priya Raman', role: 'agent', locale: 'en', timeZone: 'Europe/London', languages: ['en'], capacity: 20, skills: { kyc: 5, security: 4, billing: 3 } },
  { key: 'emma', name: 'Emma Walsh', role: 'agent', locale: 'en', timeZone: 'Europe/Dublin', languages: ['en'], capacity: 30, skills: { billing: 4, kyc: 3, security: 3 } },
  { key: 'lucas', name: 'Lucas Bernard', role: 'agent', locale: 'fr', timeZone: 'Europe/Paris', languages: ['fr', 'en'], capacity: 20, skills: { kyc: 4, security: 4, integrations: 2 } },
  { key: 'thomas', name: 'Thomas Nguyen', role: 'agent', locale: 'fr', timeZone: 'Europe/Paris', languages: ['fr', 'en'], capacity: 15, skills: { api: 5, integrations: 4, security: 3 } },
  { key: 'hannah', name: 'Hannah Kowalski', role: 'agent', locale: 'en', timeZone: 'Europe/Warsaw', languages: ['en', 'pl'], capacity: 15, skills: { api: 4, integrations: 5, cards: 2 } },
  // Light agents: a product manager and a backend engineer who answer the desk's questions in internal notes.
  { key: 'julien', name: 'Julien Lefèvre', role: 'light_agent', locale: 'fr', timeZone: 'Europe/Paris', languages: ['fr', 'en'], capacity: null, skills: { billing: 3, integrations: 3 } },
  { key: 'aisha', name: 'Aisha Bello', role: 'light_agent', locale: 'en', timeZone: 'Europe/London', languages: ['en'], capacity: null, skills: { api: 5, cards: 3 } },
];

export const DEMO_TEAMS: DemoTeam[] = [
  {
    key: 'cards',
    name: 'Cards & Payments',
    description: 'Card payments, transfers, direct debits, disputes and refunds.',
    lead: 'sophie',
    members: ['sophie', 'daniel', 'camille'],
  },
  {
    key: 'accounts',
    name: 'Accounts & Onboarding',
    description: 'Sign-up and identity checks, account access and security, billing and invoices.',
    lead: 'priya',
    members: ['priya', 'emma', 'lucas'],
  },
  {
    key: 'tech',
    name: 'Technical & API',
    description: 'Payments API, webhooks, the mobile app and integrations. Works with engineering.',
    lead: 'thomas',
    members: ['thomas', 'hannah'],
  },
  {
    key: 'french',
    name: 'Support francophone',
    description: 'Demandes en français : questions générales, facturation et comptes des clients francophones.',
    lead: 'camille',
    members: ['camille', 'lucas', 'sophie'],
  },
];

export const DEMO_ORGANIZATIONS: DemoOrganization[] = [
  {
    key: 'boulangerie',
    name: 'Boulangerie Martin',
    domains: ['boulangerie-martin.example'],
    notes: 'Boulangerie artisanale, deux boutiques à Lyon. Paie ses fournisseurs par virement SEPA ; comptabilité tenue par le cabinet Durand.',
    sharedTickets: false,
  },
  {
    key: 'lumen',
    name: 'Atelier Lumen',
    domains: ['atelier-lumen.example'],
    notes: 'Studio de design et de photographie (Bordeaux), refacture une partie de ses frais à ses clients.',
    sharedTickets: false,
  },
  {
    key: 'northwind',
    name: 'Northwind Freight Ltd',
    domains: ['northwind-freight.example'],
    notes: 'Freight forwarder (Felixstowe). Large international transfers; payroll run on the last business day of the month.',
    sharedTickets: false,
  },
  {
    key: 'brightpath',
    name: 'Brightpath Software',
    domains: ['brightpath.example', 'brightpath-dev.example'],
    notes: 'Marketplace platform integrated with the Payments API (~40k calls a day). Their engineers share tickets in the portal.',
    sharedTickets: true,
  },
  {
    key: 'durand',
    name: 'Cabinet Durand & Associés',
    domains: ['cabinet-durand.example'],
    notes: "Cabinet d'expertise comptable (Nantes) ; tient la comptabilité de plusieurs clients, dont la Boulangerie Martin.",
    sharedTickets: false,
  },
  {
    key: 'kestrel',
    name: 'Kestrel Outdoor',
    domains: ['kestrel-outdoor.example'],
    notes: 'Online outdoor-gear shop selling in the UK and the EU. High card volume in spring; virtual cards for ad spend.',
    sharedTickets: false,
  },
];

export const DEMO_CUSTOMERS: DemoCustomer[] = [
  // Attached to their organization explicitly.
  { key: 'pierre', name: 'Pierre Martin', email: 'pierre@boulangerie-martin.example', locale: 'fr', org: 'boulangerie', phone: '+33 1 99 00 11 12' },
  { key: 'claire', name: 'Claire Fontaine', email: 'claire@atelier-lumen.example', locale: 'fr', org: 'lumen' },
  { key: 'oliver', name: 'Oliver Grant', email: 'oliver.grant@northwind-freight.example', locale: 'en', org: 'northwind', phone: '+44 1632 960118', notes: 'Finance director; approves payroll and supplier batches.' },
  { key: 'maya', name: 'Maya Chen', email: 'maya@brightpath.example', locale: 'en', org: 'brightpath', notes: 'CTO, main technical contact.' },
  { key: 'isabelle', name: 'Isabelle Durand', email: 'isabelle.durand@cabinet-durand.example', locale: 'fr', org: 'durand', phone: '+33 1 99 00 42 27' },
  { key: 'rachel', name: 'Rachel Moore', email: 'rachel@kestrel-outdoor.example', locale: 'en', org: 'kestrel' },
  // Attached through their address's domain.
  { key: 'nadia', name: 'Nadia Martin', email: 'compta@boulangerie-martin.example', locale: 'fr' },
  { key: 'hugo', name: 'Hugo Lemoine', email: 'hugo@atelier-lumen.example', locale: 'fr' },
  { key: 'fatima', name: 'Fatima Hussain', email: 'accounts@northwind-freight.example', locale: 'en' },
  { key: 'sam', name: 'Sam Okoro', email: 'sam.okoro@brightpath.example', locale: 'en' },
  { key: 'antoine', name: 'Antoine Petit', email: 'a.petit@cabinet-durand.example', locale: 'fr' },
  { key: 'tom', name: 'Tom Becker', email: 'tom@kestrel-outdoor.example', locale: 'en' },
  // Individuals and sole traders.
  { key: 'sarah', name: 'Sarah Jennings', email: 'sarah.jennings@example.com', locale: 'en' },
  { key: 'ben', name: 'Ben Carter', email: 'ben.carter@example.net', locale: 'en', phone: '+44 7700 900123' },
  { key: 'grace', name: 'Grace Liu', email: 'grace.liu@example.org', locale: 'en', notes: 'Freelance illustrator.' },
  { key: 'yasmine', name: 'Yasmine Haddad', email: 'yasmine.haddad@example.com', locale: 'en' },
  { key: 'jeanluc', name: 'Jean-Luc Moreau', email: 'jeanluc.moreau@example.com', locale: 'fr', phone: '+33 6 39 98 03 41' },
  { key: 'elodie', name: 'Élodie Garnier', email: 'elodie.garnier@example.net', locale: 'fr' },
  { key: 'karim', name: 'Karim Benali', email: 'karim.benali@example.org', locale: 'fr', notes: "Développeur freelance, utilise l'API sur une offre développeur." },
  { key: 'paul', name: 'Paul Girard', email: 'paul.girard@example.org', locale: 'fr' },
  // Created by their first ticket (the first two attached through the domain or as individuals).
  { key: 'lena', name: 'Lena Fischer', email: 'lena.fischer@brightpath-dev.example', locale: 'en', firstContact: true },
  { key: 'mark', name: "Mark O'Connell", email: 'mark.oconnell@example.net', locale: 'en', firstContact: true },
  { key: 'jordan', name: 'Jordan Price', email: 'jordan@greenleaf-cafe.example', locale: 'en', firstContact: true },
  { key: 'chloe', name: 'Chloé Dubois', email: 'chloe.dubois@example.com', locale: 'fr', firstContact: true },
  { key: 'amelie', name: 'Amélie Rousseau', email: 'amelie.rousseau@example.net', locale: 'fr', firstContact: true },
  { key: 'mathieu', name: 'Mathieu Roche', email: 'mathieu.roche@example.com', locale: 'fr', firstContact: true },
];

export const PRODUCTS = ['Business account', 'Payment cards', 'Transfers', 'Billing & subscription', 'Payments API', 'Mobile app'] as const;

export const DEMO_CUSTOM_FIELDS: DemoCustomField[] = [
  { key: 'product', label: 'Product', type: 'select', options: [...PRODUCTS] },
  { key: 'account_ref', label: 'Account reference', type: 'text' },
  { key: 'escalated', label: 'Escalated to engineering', type: 'checkbox' },
];

// ---- tickets ------------------------------------------------------------------------------

export interface DemoFields {
  product?: (typeof PRODUCTS)[number];
  account_ref?: string;
  escalated?: boolean;
}

/**
 * One step of a conversation, `after` the previous one ("25m", "3h", "1d2h"). `by` is a staff
 * key, "customer" (the requester), another customer's key, or "system" (automations).
 */
export type DemoStep =
  | { after: string; by: string; reply: string; status?: TicketStatus }
  | { after: string; by: StaffKey; note: string }
  | {
      after: string;
      by: StaffKey | 'system';
      set: { assignee?: StaffKey; status?: TicketStatus; priority?: TicketPriority; addTags?: string[]; fields?: DemoFields };
    };

export interface DemoTicket {
  key: string;
  lang: 'en' | 'fr';
  channel: Channel;
  /** Created this many days ago (UTC), at this time of day. */
  at: [daysAgo: number, time: string];
  /** The requester, a customer key. */
  from: string;
  /** Phone tickets: the agent who took the call and wrote it up (and owns it). */
  loggedBy?: StaffKey;
  team?: TeamKey;
  priority: TicketPriority;
  tags: string[];
  fields?: DemoFields;
  subject: string;
  body: string;
  steps: DemoStep[];
}

// ---- SLAs: the support desk's hours in Paris and its promises ------------------------------
const OFFICE = [{ start: '09:00', end: '12:30' }, { start: '13:30', end: '18:00' }];

export const DEMO_CALENDAR = {
  name: 'Support Paris',
  timeZone: 'Europe/Paris',
  isDefault: true,
  weekly: { mon: OFFICE, tue: OFFICE, wed: OFFICE, thu: OFFICE, fri: OFFICE },
  // French public holidays: fixed dates every year, Easter-based ones for the coming years.
  holidays: [
    { date: '2026-01-01', name: "Jour de l'an", yearly: true },
    { date: '2026-05-01', name: 'Fête du travail', yearly: true },
    { date: '2026-05-08', name: 'Victoire 1945', yearly: true },
    { date: '2026-07-14', name: 'Fête nationale', yearly: true },
    { date: '2026-08-15', name: 'Assomption', yearly: true },
    { date: '2026-11-01', name: 'Toussaint', yearly: true },
    { date: '2026-11-11', name: 'Armistice', yearly: true },
    { date: '2026-12-25', name: 'Noël', yearly: true },
    { date: '2026-04-06', name: 'Lundi de Pâques', yearly: false },
    { date: '2026-05-14', name: 'Ascension', yearly: false },
    { date: '2026-05-25', name: 'Lundi de Pentecôte', yearly: false },
    { date: '2027-03-29', name: 'Lundi de Pâques', yearly: false },
    { date: '2027-05-06', name: 'Ascension', yearly: false },
    { date: '2027-05-17', name: 'Lundi de Pentecôte', yearly: false },
    { date: '2026-12-24', name: 'Veille de Noël (fermeture à midi)', yearly: true, closed: [{ start: '12:30', end: '24:00' }] },
  ],
  specialDays: [],
};

/** In order: the first that matches a ticket applies. Business hours unless said otherwise. */
export const DEMO_SLA_POLICIES = [
  {
    name: 'Urgent and high priority',
    description: 'Outages and blocked customers: answer within the hour, solve within a working day.',
    conditions: { priorities: ['urgent', 'high'] },
    targets: {
      first_response: { minutes: 60 },
      next_response: { minutes: 120 },
      periodic_update: { minutes: 240 },
      resolution: { minutes: 8 * 60 },
    },
    warnings: [{ minutesBefore: 30 }, { share: 0.75 }],
  },
  {
    name: 'Standard',
    description: 'Everything else: first answer the same working day, solved within three working days.',
    conditions: {},
    targets: {
      first_response: { minutes: 4 * 60 },
      next_response: { minutes: 8 * 60 },
      resolution: { minutes: 3 * 8 * 60 },
    },
    // "An action is due one to two days before a breach": a warning a working day ahead.
    warnings: [{ minutesBefore: 8 * 60 }, { minutesBefore: 2 * 60 }],
  },
] as const;

/**
 * Ready-made time-based automations. Seeded disabled, so the demo's history stays as written
 * until an admin turns them on (PATCH /automations/{id} with enabled: true).
 */
export const DEMO_AUTOMATIONS = [
  {
    name: 'Close pending tickets after 7 days without reply',
    description: 'Pending for a week: a polite message, then closed. The customer can still write back (a follow-up ticket opens).',
    enabled: false,
    conditions: { statuses: ['pending'], hoursSinceUpdated: 7 * 24 },
    actions: [
      { type: 'reply', body: 'Hello,\n\nWithout news from you for a week, we are closing this request. If you still need help, just reply and we will pick it up again.\n\nBonjour,\n\nSans nouvelles de votre part depuis une semaine, nous clôturons cette demande. Si vous avez encore besoin d’aide, répondez simplement à ce message.' },
      { type: 'set_status', value: 'closed' },
    ],
  },
  {
    name: 'Long-resolution follow-up',
    description: 'Open for more than 5 days: the assignee is asked to send the customer an update. Its firing count is the follow-up measure.',
    enabled: false,
    conditions: { statuses: ['open', 'on_hold'], hoursSinceCreated: 5 * 24 },
    actions: [
      { type: 'add_tags', tags: ['follow-up'] },
      { type: 'notify', to: 'assignee', title: 'Follow up on #{{ticket.number}}', body: '“{{ticket.subject}}” has been open for 5 days: send the customer an update.' },
    ],
  },
] as const;

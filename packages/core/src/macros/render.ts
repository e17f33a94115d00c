/**
 * Macro placeholders: `{{customer.first_name}}`, `{{ticket.id}}`… Pure functions: finding them,
 * checking them when a macro is saved, and rendering a body for one ticket. A value that is
 * missing renders as empty text: a customer never sees raw braces.
 */
import { MACRO_PLACEHOLDERS, type MacroPlaceholder } from '@guichet/contracts';

const KNOWN = new Set<string>(MACRO_PLACEHOLDERS);
/** `{{ name }}`, spaces allowed inside the braces; the name is what is checked. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export type PlaceholderValues = Partial<Record<MacroPlaceholder, string | number | null | undefined>>;

/** Every placeholder name a text uses, in order of first use, known or not. */
export function placeholdersIn(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) seen.add(m[1]!);
  return [...seen];
}

/** The names a text uses that are not placeholders (typos such as `{{customer.firstname}}`). */
export function unknownPlaceholders(text: string): string[] {
  return placeholdersIn(text).filter((name) => !KNOWN.has(name));
}

/** Braces that do not form a placeholder (`{{customer.name}` or a stray `}}`): refused too. */
export function hasStrayBraces(text: string): boolean {
  return /\{\{|\}\}/.test(text.replace(PLACEHOLDER, ''));
}

/** Fill a body: known placeholders take their value (empty when missing); anything else in braces disappears. */
export function renderPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => {
    if (!KNOWN.has(name)) return '';
    const v = values[name as MacroPlaceholder];
    return v === null || v === undefined ? '' : String(v);
  });
}

/** "Marie-Claire Dupont" → first "Marie-Claire", last "Dupont"; one word is a first name. */
export function splitName(name: string | null | undefined): { first: string; last: string } {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  return { first: words[0] ?? '', last: words.slice(1).join(' ') };
}

/** The values for one ticket, from plain facts (no I/O). */
export function placeholderValues(f: {
  customer: { name: string | null; email: string | null } | null;
  organization: { name: string } | null;
  ticket: { number: number; subject: string };
  agent: { name: string | null; email: string | null } | null;
  workspace: { name: string } | null;
}): PlaceholderValues {
  const customer = splitName(f.customer?.name);
  const agent = splitName(f.agent?.name);
  return {
    'customer.first_name': customer.first,
    'customer.last_name': customer.last,
    'customer.name': f.customer?.name ?? '',
    'customer.email': f.customer?.email ?? '',
    'organization.name': f.organization?.name ?? '',
    'ticket.id': f.ticket.number,
    'ticket.number': f.ticket.number,
    'ticket.subject': f.ticket.subject,
    'agent.first_name': agent.first,
    'agent.name': f.agent?.name ?? '',
    'agent.email': f.agent?.email ?? '',
    'workspace.name': f.workspace?.name ?? '',
  };
}

/** Which body to render: the wanted language when the macro has it, else the other one. */
export function chooseMacroBody(m: { bodyEn: string | null; bodyFr: string | null }, wanted: 'en' | 'fr'): { language: 'en' | 'fr'; body: string } {
  const en = m.bodyEn?.trim() ? m.bodyEn : null;
  const fr = m.bodyFr?.trim() ? m.bodyFr : null;
  if (wanted === 'fr') return fr !== null ? { language: 'fr', body: fr } : { language: 'en', body: en ?? '' };
  return en !== null ? { language: 'en', body: en } : { language: 'fr', body: fr ?? '' };
}

/** "fr", "fr-CA" → fr; anything else → en. */
export function macroLanguageOf(language: string | null | undefined): 'en' | 'fr' | null {
  if (!language) return null;
  return language.toLowerCase().startsWith('fr') ? 'fr' : language.toLowerCase().startsWith('en') ? 'en' : null;
}

import type { TicketStatus } from '@guichet/contracts';
import { AppError } from '../shared/errors.ts';
import type { CustomField } from '../people/types.ts';
import type { Ticket, TicketPatch } from './types.ts';

/** Closed is final: a closed ticket takes no change and no message; a follow-up ticket is opened instead. */
export function checkStatusChange(from: TicketStatus, to: TicketStatus): void {
  if (from === to) return;
  if (from === 'closed') {
    throw new AppError('INVALID_STATUS_TRANSITION', 'This ticket is closed; open a follow-up ticket instead.', {
      from,
      to,
    });
  }
  if (to === 'new') {
    throw new AppError('INVALID_STATUS_TRANSITION', 'A ticket cannot go back to "new" once it has been worked on.', {
      from,
      to,
    });
  }
}

/** The timestamps that follow a status change. */
export function statusTimestamps(ticket: Pick<Ticket, 'status' | 'solvedAt' | 'closedAt'>, to: TicketStatus, now: Date): TicketPatch {
  const patch: TicketPatch = {};
  if (to === 'solved' && ticket.status !== 'solved') patch.solvedAt = now;
  if (to !== 'solved' && to !== 'closed' && ticket.solvedAt) patch.solvedAt = null;
  if (to === 'closed') {
    patch.closedAt = now;
    if (!ticket.solvedAt) patch.solvedAt = now;
  }
  return patch;
}

export function normalizeTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
}

/**
 * Check custom-field values against the workspace's definitions and return them normalized.
 * `null` clears a value. `requireAll` enforces required fields (on creation by staff).
 */
export function validateCustomFields(
  defs: CustomField[],
  values: Record<string, unknown>,
  opts: { requireAll: boolean; current?: Record<string, unknown> },
): Record<string, unknown> {
  const byKey = new Map(defs.filter((d) => d.active).map((d) => [d.key, d]));
  const out: Record<string, unknown> = { ...(opts.current ?? {}) };
  const issues: Array<{ path: string[]; message: string }> = [];
  for (const [key, raw] of Object.entries(values)) {
    const def = byKey.get(key);
    if (!def) {
      issues.push({ path: ['customFields', key], message: `unknown custom field "${key}"` });
      continue;
    }
    if (raw === null) {
      delete out[key];
      continue;
    }
    const problem = checkValue(def, raw);
    if (problem) issues.push({ path: ['customFields', key], message: problem });
    else out[key] = def.type === 'multiselect' ? [...new Set(raw as string[])] : raw;
  }
  if (opts.requireAll) {
    for (const def of byKey.values()) {
      const v = out[def.key];
      if (def.required && (v === undefined || v === '' || (Array.isArray(v) && v.length === 0))) {
        issues.push({ path: ['customFields', def.key], message: `"${def.label}" is required` });
      }
    }
  }
  if (issues.length) {
    throw new AppError('VALIDATION_FAILED', issues.map((i) => i.message).join('; '), { issues });
  }
  return out;
}

function checkValue(def: CustomField, v: unknown): string | null {
  switch (def.type) {
    case 'text':
      return typeof v === 'string' && v.length <= 10_000 ? null : 'expected text (at most 10,000 characters)';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? null : 'expected a number';
    case 'checkbox':
      return typeof v === 'boolean' ? null : 'expected true or false';
    case 'date':
      // Date.parse rolls 2023-02-30 over to March; a real day reads back unchanged.
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString().startsWith(v)
        ? null
        : 'expected a date as YYYY-MM-DD';
    case 'select':
      return typeof v === 'string' && def.options.includes(v) ? null : `expected one of: ${def.options.join(', ')}`;
    case 'multiselect':
      return Array.isArray(v) && v.every((x) => typeof x === 'string' && def.options.includes(x))
        ? null
        : `expected a list drawn from: ${def.options.join(', ')}`;
  }
}

/** The field-by-field difference recorded in the event log. */
export function diffTicket(before: Ticket, patch: TicketPatch): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [k, to] of Object.entries(patch)) {
    const from = before[k as keyof Ticket];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[k] = { from, to };
  }
  return changes;
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TICKET_STATUSES, type CustomFieldType, type TicketStatus } from '@guichet/contracts';
import type { CustomField } from '../src/people/types.ts';
import { AppError } from '../src/shared/errors.ts';
import { checkStatusChange, diffTicket, normalizeTags, statusTimestamps, validateCustomFields } from '../src/tickets/rules.ts';
import type { Ticket } from '../src/tickets/types.ts';

const NOW = new Date('2025-03-04T10:00:00.000Z');
const EARLIER = new Date('2025-03-01T08:00:00.000Z');

describe('checkStatusChange', () => {
  for (const from of TICKET_STATUSES) {
    for (const to of TICKET_STATUSES) {
      const allowed = from === to || (from !== 'closed' && to !== 'new');
      it(`${from} -> ${to}: ${allowed ? 'allowed' : 'refused'}`, () => {
        if (allowed) {
          assert.doesNotThrow(() => checkStatusChange(from, to));
        } else {
          assert.throws(
            () => checkStatusChange(from, to),
            (e: unknown) => e instanceof AppError && e.code === 'INVALID_STATUS_TRANSITION' && JSON.stringify(e.details) === JSON.stringify({ from, to }),
          );
        }
      });
    }
  }
});

describe('statusTimestamps', () => {
  const t = (status: TicketStatus, solvedAt: Date | null = null, closedAt: Date | null = null) => ({ status, solvedAt, closedAt });

  it('stamps solvedAt when a ticket becomes solved', () => {
    assert.deepEqual(statusTimestamps(t('open'), 'solved', NOW), { solvedAt: NOW });
    assert.deepEqual(statusTimestamps(t('new'), 'solved', NOW), { solvedAt: NOW });
  });

  it('keeps the first solvedAt when a solved ticket is solved again', () => {
    assert.deepEqual(statusTimestamps(t('solved', EARLIER), 'solved', NOW), {});
  });

  it('clears solvedAt when a solved ticket is reopened', () => {
    for (const to of ['open', 'pending', 'on_hold'] as const) {
      assert.deepEqual(statusTimestamps(t('solved', EARLIER), to, NOW), { solvedAt: null }, to);
    }
  });

  it('changes nothing between working statuses', () => {
    assert.deepEqual(statusTimestamps(t('new'), 'open', NOW), {});
    assert.deepEqual(statusTimestamps(t('open'), 'pending', NOW), {});
    assert.deepEqual(statusTimestamps(t('pending'), 'on_hold', NOW), {});
  });

  it('stamps closedAt on closing, and solvedAt too when the ticket was never solved', () => {
    assert.deepEqual(statusTimestamps(t('solved', EARLIER), 'closed', NOW), { closedAt: NOW });
    assert.deepEqual(statusTimestamps(t('open'), 'closed', NOW), { closedAt: NOW, solvedAt: NOW });
  });
});

describe('normalizeTags', () => {
  it('trims, lowercases, drops empty tags and duplicates, keeping first-seen order', () => {
    assert.deepEqual(normalizeTags([' Billing ', 'VIP', 'billing', '', '   ', 'vip', 'Été', 'été']), ['billing', 'vip', 'été']);
  });
  it('leaves an empty list empty', () => {
    assert.deepEqual(normalizeTags([]), []);
  });
});

let n = 0;
function field(type: CustomFieldType, over: Partial<CustomField> = {}): CustomField {
  n++;
  return {
    id: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    workspaceId: 'ws',
    key: over.key ?? `${type}_${n}`,
    label: over.label ?? `${type} field`,
    type,
    options: type === 'select' || type === 'multiselect' ? ['a', 'b', 'c'] : [],
    required: false,
    active: true,
    createdAt: EARLIER,
    updatedAt: EARLIER,
    ...over,
  };
}

function rejects(defs: CustomField[], values: Record<string, unknown>, pattern: RegExp, opts: { requireAll: boolean; current?: Record<string, unknown> } = { requireAll: false }) {
  assert.throws(
    () => validateCustomFields(defs, values, opts),
    (e: unknown) => {
      assert.ok(e instanceof AppError, String(e));
      assert.equal(e.code, 'VALIDATION_FAILED');
      assert.match(e.message, pattern);
      const issues = (e.details as { issues: Array<{ path: string[] }> }).issues;
      assert.ok(issues.length >= 1);
      for (const i of issues) assert.equal(i.path[0], 'customFields');
      return true;
    },
    JSON.stringify(values),
  );
}

describe('validateCustomFields', () => {
  const text = field('text', { key: 'ref' });
  const num = field('number', { key: 'qty' });
  const box = field('checkbox', { key: 'vip' });
  const date = field('date', { key: 'due' });
  const sel = field('select', { key: 'plan' });
  const multi = field('multiselect', { key: 'areas' });
  const defs = [text, num, box, date, sel, multi];
  const ok = (values: Record<string, unknown>) => validateCustomFields(defs, values, { requireAll: false });

  it('accepts a valid value of every type and returns them', () => {
    const values = { ref: 'INV-42', qty: -3.5, vip: false, due: '2024-02-29', plan: 'b', areas: ['a', 'c'] };
    assert.deepEqual(ok(values), values);
    assert.deepEqual(ok({ ref: '', qty: 0, areas: [] }), { ref: '', qty: 0, areas: [] });
    assert.deepEqual(ok({ ref: 'x'.repeat(10_000) }), { ref: 'x'.repeat(10_000) });
  });

  it('refuses text that is not a string or longer than 10,000 characters', () => {
    rejects(defs, { ref: 42 }, /expected text/);
    rejects(defs, { ref: 'x'.repeat(10_001) }, /expected text/);
  });

  it('refuses numbers that are not finite numbers', () => {
    for (const v of ['3', NaN, Infinity, -Infinity, true, []]) rejects(defs, { qty: v }, /expected a number/);
  });

  it('refuses checkbox values that are not booleans', () => {
    for (const v of ['true', 1, 0]) rejects(defs, { vip: v }, /expected true or false/);
  });

  it('refuses dates that are not real YYYY-MM-DD days', () => {
    for (const v of ['2024-2-1', '2024-02-01T00:00:00Z', '01/02/2024', '2024-13-01', '2024-00-10', '2023-02-29', '2024-02-30', '2024-04-31', 20240201]) {
      rejects(defs, { due: v }, /expected a date/);
    }
  });

  it('refuses select values outside the options', () => {
    for (const v of ['d', 'A', ['a'], 1]) rejects(defs, { plan: v }, /expected one of: a, b, c/);
  });

  it('refuses multiselect values that are not lists drawn from the options, and dedupes good ones', () => {
    for (const v of ['a', ['a', 'z'], [1], { 0: 'a' }]) rejects(defs, { areas: v }, /expected a list drawn from: a, b, c/);
    assert.deepEqual(ok({ areas: ['b', 'a', 'b'] }), { areas: ['b', 'a'] });
  });

  it('refuses unknown and inactive fields', () => {
    rejects(defs, { nope: 1 }, /unknown custom field "nope"/);
    const old = field('text', { key: 'old', active: false });
    rejects([...defs, old], { old: 'x' }, /unknown custom field "old"/);
  });

  it('reports every problem at once, each with its path', () => {
    assert.throws(
      () => ok({ ref: 1, qty: 'x', nope: true }),
      (e: unknown) => {
        const issues = ((e as AppError).details as { issues: Array<{ path: string[] }> }).issues;
        assert.deepEqual(issues.map((i) => i.path).sort(), [['customFields', 'nope'], ['customFields', 'qty'], ['customFields', 'ref']]);
        return true;
      },
    );
  });

  it('merges onto the current values, and null clears a value', () => {
    const current = { ref: 'A', qty: 1 };
    assert.deepEqual(validateCustomFields(defs, { qty: 2, ref: null }, { requireAll: false, current }), { qty: 2 });
    assert.deepEqual(current, { ref: 'A', qty: 1 }, 'the current values are not mutated');
  });

  describe('required fields (required to solve)', () => {
    const must = field('text', { key: 'cause', label: 'Root cause', required: true });
    const mustPick = field('multiselect', { key: 'parts', label: 'Parts', required: true });
    const inactive = field('text', { key: 'legacy', required: true, active: false });
    const rdefs = [must, mustPick, inactive, num];

    it('are not enforced unless requireAll', () => {
      assert.deepEqual(validateCustomFields(rdefs, { qty: 1 }, { requireAll: false }), { qty: 1 });
    });

    it('must be present, from the input or the current values, when requireAll', () => {
      rejects(rdefs, {}, /"Root cause" is required/, { requireAll: true });
      rejects(rdefs, { parts: ['a'] }, /"Root cause" is required/, { requireAll: true });
      assert.deepEqual(validateCustomFields(rdefs, { parts: ['a'] }, { requireAll: true, current: { cause: 'dust' } }), { cause: 'dust', parts: ['a'] });
    });

    it('count an empty text, an empty selection or a cleared value as missing', () => {
      rejects(rdefs, { cause: '', parts: ['a'] }, /"Root cause" is required/, { requireAll: true });
      rejects(rdefs, { cause: 'dust', parts: [] }, /"Parts" is required/, { requireAll: true });
      rejects(rdefs, { cause: null, parts: ['a'] }, /"Root cause" is required/, { requireAll: true, current: { cause: 'dust' } });
    });

    it('ignore inactive required fields', () => {
      assert.doesNotThrow(() => validateCustomFields(rdefs, { cause: 'x', parts: ['b'] }, { requireAll: true }));
    });
  });
});

describe('diffTicket', () => {
  const before: Ticket = {
    id: 't',
    workspaceId: 'w',
    number: 1,
    subject: 'Hello',
    status: 'open',
    priority: 'normal',
    channel: 'email',
    requesterId: 'r',
    organizationId: null,
    assigneeId: null,
    teamId: null,
    tags: ['a', 'b'],
    customFields: { x: 1 },
    language: null,
    version: 1,
    createdAt: EARLIER,
    updatedAt: EARLIER,
    solvedAt: null,
    closedAt: null,
    categoryId: null,
  };
  it('keeps only the fields whose value changes, with from and to', () => {
    assert.deepEqual(diffTicket(before, { subject: 'Hello', priority: 'high', tags: ['a', 'b'], customFields: { x: 1 }, assigneeId: null }), {
      priority: { from: 'normal', to: 'high' },
    });
    assert.deepEqual(diffTicket(before, { tags: ['b', 'a'], solvedAt: NOW }), {
      tags: { from: ['a', 'b'], to: ['b', 'a'] },
      solvedAt: { from: null, to: NOW },
    });
  });
});

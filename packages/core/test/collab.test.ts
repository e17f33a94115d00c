import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MACRO_PLACEHOLDERS } from '@guichet/contracts';
import { chooseMacroBody, hasStrayBraces, macroLanguageOf, placeholderValues, placeholdersIn, renderPlaceholders, splitName, unknownPlaceholders } from '../src/macros/render.ts';
import { macroAccess, macroBodyIssues, macroTicketChanges } from '../src/macros/macros.ts';
import { MAX_MENTIONS, mentionsAsText, parseMentions } from '../src/tickets/mentions.ts';
import { excerptOf, workNoticeText } from '../src/notifications/notify.ts';
import type { Actor } from '../src/shared/context.ts';
import type { Macro } from '../src/macros/types.ts';

const facts = {
  customer: { name: 'Marie-Claire Dupont Martin', email: 'mc@example.fr' },
  organization: { name: 'Boulangerie Martin' },
  ticket: { number: 1042, subject: 'Carte refusée' },
  agent: { name: 'Sophie Marchand', email: 'sophie@support.test' },
  workspace: { name: 'Demo' },
};

describe('macro placeholders', () => {
  it('fills every known placeholder, spaces inside the braces allowed', () => {
    const v = placeholderValues(facts);
    const out = renderPlaceholders('Bonjour {{customer.first_name}} ({{ customer.name }}, {{customer.email}}), ticket #{{ticket.id}} « {{ticket.subject}} » de {{organization.name}}. {{agent.first_name}} / {{agent.name}} — {{workspace.name}}', v);
    assert.equal(out, 'Bonjour Marie-Claire (Marie-Claire Dupont Martin, mc@example.fr), ticket #1042 « Carte refusée » de Boulangerie Martin. Sophie / Sophie Marchand — Demo');
    assert.equal(renderPlaceholders('{{customer.last_name}}|{{ticket.number}}|{{agent.email}}', v), 'Dupont Martin|1042|sophie@support.test');
  });

  it('renders missing values as empty text, never as raw braces', () => {
    const v = placeholderValues({ ...facts, customer: { name: null, email: null }, organization: null, agent: null });
    const out = renderPlaceholders('Hello {{customer.first_name}}, from {{organization.name}} {{agent.name}}. {{not.a_placeholder}}!', v);
    assert.equal(out, 'Hello , from  . !');
    assert.ok(!out.includes('{{') && !out.includes('}}'));
  });

  it('every documented placeholder has a value for a full ticket', () => {
    const v = placeholderValues(facts);
    for (const p of MACRO_PLACEHOLDERS) assert.notEqual(renderPlaceholders(`{{${p}}}`, v), '', p);
  });

  it('finds unknown placeholders and stray braces for the save-time check', () => {
    assert.deepEqual(placeholdersIn('{{a}} {{ b }} {{a}}'), ['a', 'b']);
    assert.deepEqual(unknownPlaceholders('Hi {{customer.firstname}} {{customer.name}} {{Ticket.ID}}'), ['customer.firstname', 'Ticket.ID']);
    assert.deepEqual(unknownPlaceholders('Hi {{customer.first_name}}'), []);
    assert.equal(hasStrayBraces('Hi {{customer.name}'), true);
    assert.equal(hasStrayBraces('Hi }} there'), true);
    assert.equal(hasStrayBraces('Hi {{customer.name}} {single} braces'), false);
    assert.deepEqual(macroBodyIssues({ bodyEn: 'Hi {{customer.firstname}}', bodyFr: 'Bonjour {{customer.name}' }), [
      { path: ['bodyEn'], message: 'unknown placeholder: {{customer.firstname}}' },
      { path: ['bodyFr'], message: 'unbalanced braces: a placeholder is written {{name}}' },
    ]);
    assert.deepEqual(macroBodyIssues({ bodyEn: 'Hi {{customer.first_name}}', bodyFr: null }), []);
  });

  it('splits names and chooses the body in the customer\'s language, falling back to the other', () => {
    assert.deepEqual(splitName('  Jean   Paul Sartre '), { first: 'Jean', last: 'Paul Sartre' });
    assert.deepEqual(splitName('Cher'), { first: 'Cher', last: '' });
    assert.deepEqual(splitName(null), { first: '', last: '' });
    const both = { bodyEn: 'Hello', bodyFr: 'Bonjour' };
    assert.deepEqual(chooseMacroBody(both, 'fr'), { language: 'fr', body: 'Bonjour' });
    assert.deepEqual(chooseMacroBody(both, 'en'), { language: 'en', body: 'Hello' });
    assert.deepEqual(chooseMacroBody({ bodyEn: 'Hello', bodyFr: '  ' }, 'fr'), { language: 'en', body: 'Hello' });
    assert.deepEqual(chooseMacroBody({ bodyEn: null, bodyFr: 'Bonjour' }, 'en'), { language: 'fr', body: 'Bonjour' });
    assert.equal(macroLanguageOf('fr-CA'), 'fr');
    assert.equal(macroLanguageOf('en'), 'en');
    assert.equal(macroLanguageOf('de'), null);
    assert.equal(macroLanguageOf(null), null);
  });
});

describe('macro rules', () => {
  const actor = (role: Actor['role'], userId: string): Actor => ({ type: 'user', userId, role, name: null, organizationId: null, via: 'session' });
  const macro = (ownerId: string, shared: boolean) => ({ ownerId, shared }) as Macro;
  it('agents manage their own macros, admins the shared ones; personal macros stay private', () => {
    assert.deepEqual(macroAccess(actor('agent', 'a'), macro('a', false)), { read: true, update: true });
    assert.deepEqual(macroAccess(actor('agent', 'a'), macro('a', true)), { read: true, update: false });
    assert.deepEqual(macroAccess(actor('agent', 'a'), macro('b', false)), { read: false, update: false });
    assert.deepEqual(macroAccess(actor('admin', 'c'), macro('b', false)), { read: false, update: false });
    assert.deepEqual(macroAccess(actor('admin', 'c'), macro('b', true)), { read: true, update: true });
  });
  it('turns actions into a ticket update', () => {
    assert.deepEqual(macroTicketChanges({}), {});
    assert.deepEqual(macroTicketChanges({ status: 'pending', addTags: ['refund'], assigneeId: null }), { status: 'pending', addTags: ['refund'], assigneeId: null });
  });
});

describe('mentions', () => {
  const A = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
  const B = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';
  it('reads the ids of @[Name](user:id), each once, lowercased', () => {
    const text = `@[Sophie Marchand](user:${A}) can you check? cc @[Luc](user:${B.toUpperCase()}) and again @[Sophie](user:${A})`;
    assert.deepEqual(parseMentions(text), [A, B]);
    assert.equal(mentionsAsText(text), '@Sophie Marchand can you check? cc @Luc and again @Sophie');
  });
  it('ignores plain @ signs, email addresses and broken syntax', () => {
    assert.deepEqual(parseMentions('mail marie@example.fr or @Sophie, @[x](user:not-an-id), @[y](usr:' + A + '), [z](user:' + A + ')'), []);
    assert.deepEqual(parseMentions('@[multi\nline](user:' + A + ')'), []);
  });
  it('has a limit per note', () => assert.ok(MAX_MENTIONS >= 5 && MAX_MENTIONS <= 50));
});

describe('work notices', () => {
  const ticket = { id: 't', number: 7, subject: 'Refund', workspaceId: 'w' };
  it('speaks the recipient\'s language', () => {
    assert.equal(workNoticeText({ kind: 'mention', ticket, actorName: 'Ana', excerpt: 'Look @[Bo](user:0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b)' }, 'en').title, 'Ana mentioned you on ticket #7');
    assert.equal(workNoticeText({ kind: 'mention', ticket, actorName: 'Ana', excerpt: 'Look @[Bo](user:0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b)' }, 'fr').body, 'Look @Bo');
    assert.match(workNoticeText({ kind: 'assigned', ticket, actorName: null }, 'fr').body, /routage automatique/);
    assert.match(workNoticeText({ kind: 'reply', ticket, actorName: 'Marie' }, 'fr').title, /Nouvelle réponse de Marie sur le ticket #7/);
  });
  it('keeps excerpts short and on one line', () => {
    const e = excerptOf(`line one\n\nline two ${'x'.repeat(400)}`);
    assert.ok(e.startsWith('line one line two'));
    assert.ok(e.length <= 280 && e.endsWith('…'));
  });
});

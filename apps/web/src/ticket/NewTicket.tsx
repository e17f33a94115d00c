/**
 * A new ticket written by support (`/tickets/new`): a phone call to log, a request taken at the
 * desk, or a conversation started towards a customer by email. The requester is found by address
 * (a new address makes a customer); the message is formatted like a reply and may be an internal
 * note (a call log) or a public message, emailed to the customer at once when asked.
 */
import type { Channel, CustomerOut, TicketPriority } from '@guichet/contracts';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { navigate } from '../router.ts';
import { useSession } from '../session.ts';
import { ErrorNote, Field, splitList, useAction } from '../admin/kit.tsx';
import { FormatBar, MarkdownPreview, useFormatting } from './FormatBar.tsx';

const CHANNELS = ['phone', 'email', 'web', 'chat'] as const satisfies readonly Channel[];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const satisfies readonly TicketPriority[];

export function NewTicket() {
  const { t } = useI18n();
  const { me, directory } = useSession();
  const canAssign = me.permissions.includes('tickets:update');
  const canEmail = me.permissions.includes('tickets:reply');
  const [form, setForm] = useState({
    email: '',
    name: '',
    subject: '',
    body: '',
    channel: 'phone' as (typeof CHANNELS)[number],
    visibility: (canEmail ? 'public' : 'internal') as 'public' | 'internal',
    emailRequester: false,
    priority: 'normal' as TicketPriority,
    teamId: '',
    assigneeId: canAssign ? me.user.id : '',
    tags: '',
  });
  const set = (p: Partial<typeof form>) => setForm((f) => ({ ...f, ...p }));
  const [preview, setPreview] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const { format, formatKey } = useFormatting(area, form.body, (body) => set({ body }));
  const action = useAction();
  const [matches, setMatches] = useState<CustomerOut[]>([]);

  // Customers whose address or name starts like what is typed, offered as the address is typed.
  useEffect(() => {
    const q = form.email.trim();
    if (q.length < 2) {
      setMatches([]);
      return;
    }
    const h = window.setTimeout(() => {
      api.findCustomers(q).then((r) => setMatches(r.items.slice(0, 8)), () => setMatches([]));
    }, 200);
    return () => window.clearTimeout(h);
  }, [form.email]);
  // A known address fills the name in (it is theirs already).
  const known = matches.find((c) => c.email?.toLowerCase() === form.email.trim().toLowerCase());

  const staff = [...directory.users.values()].filter((u) => u.status === 'active' && u.role !== 'light_agent');
  const emailing = form.visibility === 'public' && form.emailRequester;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const created = await action.run(() =>
      api.createTicket({
        subject: form.subject.trim(),
        body: form.body,
        format: 'markdown',
        channel: form.channel,
        requester: { email: form.email.trim(), ...(form.name.trim() && !known ? { name: form.name.trim() } : {}) },
        firstMessageVisibility: form.visibility,
        emailRequester: emailing,
        ...(canAssign
          ? {
              priority: form.priority,
              ...(form.teamId ? { teamId: form.teamId } : {}),
              ...(form.assigneeId ? { assigneeId: form.assigneeId } : {}),
              tags: splitList(form.tags),
            }
          : {}),
      }),
    );
    if (created) navigate(`/tickets/${created.number}`);
  }

  return (
    <div className="admin-body new-ticket">
      <h1>{t('newTicket.title')}</h1>
      <form className="admin-panel" onSubmit={(e) => void submit(e)} aria-label={t('newTicket.title')}>
        <fieldset>
          <legend>{t('newTicket.requester')}</legend>
          <Field label={t('newTicket.email')} hint={known ? t('newTicket.known', { name: known.name }) : t('newTicket.emailHint')}>
            <input type="email" required list="new-ticket-customers" autoComplete="off" value={form.email} onChange={(e) => set({ email: e.target.value })} />
          </Field>
          <datalist id="new-ticket-customers">
            {matches.map((c) => c.email && <option key={c.id} value={c.email}>{c.name}</option>)}
          </datalist>
          {!known && (
            <Field label={t('newTicket.name')}>
              <input value={form.name} maxLength={200} onChange={(e) => set({ name: e.target.value })} />
            </Field>
          )}
        </fieldset>
        <Field label={t('newTicket.subject')}>
          <input required maxLength={500} value={form.subject} onChange={(e) => set({ subject: e.target.value })} />
        </Field>
        <Field label={t('newTicket.channel')}>
          <select value={form.channel} onChange={(e) => set({ channel: e.target.value as (typeof CHANNELS)[number], emailRequester: e.target.value === 'email' || form.emailRequester })}>
            {CHANNELS.map((c) => <option key={c} value={c}>{t(`channel.${c}`)}</option>)}
          </select>
        </Field>
        <fieldset className="choice">
          <legend>{t('newTicket.messageKind')}</legend>
          {canEmail && (
            <label className="check">
              <input type="radio" name="visibility" checked={form.visibility === 'public'} onChange={() => set({ visibility: 'public' })} />
              {t('newTicket.public')}
            </label>
          )}
          <label className="check">
            <input type="radio" name="visibility" checked={form.visibility === 'internal'} onChange={() => set({ visibility: 'internal' })} />
            {t('newTicket.internal')}
          </label>
        </fieldset>
        <div className={`composer composer-${form.visibility} new-ticket-message`}>
          <FormatBar onFormat={format} preview={preview} onPreview={() => setPreview((p) => !p)} />
          <textarea
            ref={area}
            required
            aria-label={t('newTicket.message')}
            rows={8}
            value={form.body}
            placeholder={form.visibility === 'internal' ? t('newTicket.internalPlaceholder') : t('newTicket.publicPlaceholder')}
            onChange={(e) => set({ body: e.target.value })}
            onKeyDown={(e) => {
              formatKey(e);
            }}
          />
          {preview && <MarkdownPreview text={form.body} />}
        </div>
        {form.visibility === 'public' && canEmail && (
          <label className="check">
            <input type="checkbox" checked={form.emailRequester} onChange={(e) => set({ emailRequester: e.target.checked })} />
            {t('newTicket.emailRequester')}
          </label>
        )}
        {canAssign && (
          <div className="new-ticket-props">
            <Field label={t('ticket.priority')}>
              <select value={form.priority} onChange={(e) => set({ priority: e.target.value as TicketPriority })}>
                {PRIORITIES.map((p) => <option key={p} value={p}>{t(`priority.${p}`)}</option>)}
              </select>
            </Field>
            <Field label={t('ticket.team')}>
              <select value={form.teamId} onChange={(e) => set({ teamId: e.target.value })}>
                <option value="">{t('ticket.noTeam')}</option>
                {directory.teams.map((tm) => <option key={tm.id} value={tm.id}>{tm.name}</option>)}
              </select>
            </Field>
            <Field label={t('ticket.assignee')}>
              <select value={form.assigneeId} onChange={(e) => set({ assigneeId: e.target.value })}>
                <option value="">{t('ticket.unassigned')}</option>
                {staff.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
              </select>
            </Field>
            <Field label={t('newTicket.tags')} hint={t('newTicket.tagsHint')}>
              <input value={form.tags} onChange={(e) => set({ tags: e.target.value })} />
            </Field>
          </div>
        )}
        <ErrorNote error={action.error} />
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => history.back()}>{t('common.cancel')}</button>
          <button className="btn btn-primary" disabled={action.busy}>
            {action.busy ? t('admin.saving') : emailing ? t('newTicket.createAndEmail') : t('newTicket.create')}
          </button>
        </div>
      </form>
    </div>
  );
}

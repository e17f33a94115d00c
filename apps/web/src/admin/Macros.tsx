/**
 * Macros: the reply templates agents insert from the composer. Admins write the shared ones here
 * (and see their own personal ones): a title, an English and/or a French body with placeholders,
 * and the simple ticket changes applied when the reply is sent. The server checks the placeholders
 * and answers with the one it does not know; the form shows that answer.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { adminApi, type MacroActions, type MacroOut, type TicketPriority, type TicketStatus } from './adminApi.ts';
import { ErrorNote, Field, PanelHead, Refused, isRefusal, splitList, useAction, useLoad } from './kit.tsx';

/** The statuses a macro may set (not "new" nor "closed"), and the priorities. */
const STATUSES: Array<Exclude<TicketStatus, 'new' | 'closed'>> = ['open', 'pending', 'on_hold', 'solved'];
const PRIORITIES: TicketPriority[] = ['low', 'normal', 'high', 'urgent'];
/** The placeholders the server accepts (MACRO_PLACEHOLDERS in @guichet/contracts), shown as help. */
const PLACEHOLDERS = '{{customer.first_name}}, {{customer.last_name}}, {{customer.name}}, {{customer.email}}, {{organization.name}}, {{ticket.id}}, {{ticket.number}}, {{ticket.subject}}, {{agent.first_name}}, {{agent.name}}, {{agent.email}}, {{workspace.name}}';

export function MacrosScreen() {
  const { t } = useI18n();
  const macros = useLoad(() => adminApi.macros(), []);
  const [open, setOpen] = useState<MacroOut | 'new' | null>(null);
  if (isRefusal(macros.error)) return <Refused error={macros.error} />;
  const current = open === 'new' ? null : open;
  return (
    <section className="admin-split" aria-labelledby="macros-title">
      <div className="admin-list">
        <header className="admin-head">
          <h2 id="macros-title">{t('admin.macros')}</h2>
          <button className="btn btn-primary" onClick={() => setOpen('new')}>{t('admin.macro.new')}</button>
        </header>
        <p className="muted">{t('admin.macro.intro')}</p>
        <ErrorNote error={macros.error} />
        <table className="admin-table">
          <thead><tr><th>{t('admin.macro.titleLabel')}</th><th>{t('admin.macro.visibility')}</th><th>{t('admin.macro.uses')}</th></tr></thead>
          <tbody>
            {macros.data?.map((m) => (
              <tr key={m.id} className={current?.id === m.id ? 'on' : ''}>
                <td><button className="link" onClick={() => setOpen(m)}>{m.title}</button></td>
                <td>{m.shared ? t('admin.macro.shared') : t('admin.macro.personal')}</td>
                <td>{m.usageCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {macros.data?.length === 0 && <p className="empty">{t('admin.macro.none')}</p>}
      </div>
      {open && (
        <MacroForm
          key={current?.id ?? 'new'}
          macro={current}
          onSaved={(m) => {
            const list = macros.data ?? [];
            macros.setData(list.some((x) => x.id === m.id) ? list.map((x) => (x.id === m.id ? m : x)) : [...list, m]);
            setOpen(m);
          }}
          onDeleted={(id) => {
            macros.setData((macros.data ?? []).filter((x) => x.id !== id));
            setOpen(null);
          }}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}

function MacroForm(props: { macro: MacroOut | null; onSaved(m: MacroOut): void; onDeleted(id: string): void; onClose(): void }) {
  const { t } = useI18n();
  const m = props.macro;
  const [title, setTitle] = useState(m?.title ?? '');
  const [bodyEn, setBodyEn] = useState(m?.bodyEn ?? '');
  const [bodyFr, setBodyFr] = useState(m?.bodyFr ?? '');
  const [shared, setShared] = useState(m?.shared ?? true);
  const [status, setStatus] = useState<string>(m?.actions.status ?? '');
  const [priority, setPriority] = useState<string>(m?.actions.priority ?? '');
  const [tags, setTags] = useState((m?.actions.addTags ?? []).join(', '));
  const [done, setDone] = useState(false);
  const [tried, setTried] = useState(false);
  const action = useAction();
  const remove = useAction();
  const readOnly = !!m && !m.permissions.update;
  const noBody = !bodyEn.trim() && !bodyFr.trim();

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setTried(true);
    if (noBody || readOnly) return;
    setDone(false);
    // The team and assignee actions are not edited here: an existing macro keeps them.
    const actions: MacroActions = {
      ...(m?.actions.teamId !== undefined ? { teamId: m.actions.teamId } : {}),
      ...(m?.actions.assigneeId !== undefined ? { assigneeId: m.actions.assigneeId } : {}),
      ...(status ? { status: status as MacroActions['status'] } : {}),
      ...(priority ? { priority: priority as TicketPriority } : {}),
    };
    const tagList = splitList(tags);
    if (tagList.length) actions.addTags = tagList;
    const body = { title: title.trim(), bodyEn: bodyEn.trim() ? bodyEn : null, bodyFr: bodyFr.trim() ? bodyFr : null, actions, shared };
    const next = await action.run(() => (m ? adminApi.updateMacro(m.id, body) : adminApi.createMacro(body)));
    if (next) {
      setDone(true);
      props.onSaved(next);
    }
  }
  async function del() {
    if (!m || !window.confirm(t('admin.macro.deleteConfirm', { name: m.title }))) return;
    if (await remove.run(() => adminApi.deleteMacro(m.id).then(() => true))) props.onDeleted(m.id);
  }
  const busy = action.busy || remove.busy;
  return (
    <form className="admin-panel" onSubmit={submit} aria-labelledby="macro-title">
      <PanelHead id="macro-title" title={m ? m.title : t('admin.macro.new')} onClose={props.onClose} />
      {readOnly && <p className="notice">{t('admin.macro.readOnly')}</p>}
      <fieldset className="bare" disabled={readOnly}>
        <Field label={t('admin.macro.titleLabel')}><input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} /></Field>
        <p className="muted small">{t('admin.macro.placeholders', { list: PLACEHOLDERS })}</p>
        <Field label={t('admin.macro.bodyEn')}>
          <textarea rows={6} value={bodyEn} onChange={(e) => setBodyEn(e.target.value)} aria-invalid={(tried && noBody) || undefined} />
        </Field>
        <Field label={t('admin.macro.bodyFr')}>
          <textarea rows={6} value={bodyFr} onChange={(e) => setBodyFr(e.target.value)} aria-invalid={(tried && noBody) || undefined} />
        </Field>
        {tried && noBody && <p className="error" role="alert">{t('admin.macro.needBody')}</p>}
        <label className="check">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
          {t('admin.macro.sharedLabel')}
        </label>
        <fieldset className="choice">
          <legend>{t('admin.macro.actions')}</legend>
          <Field label={t('admin.macro.setStatus')}>
            <select value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">{t('admin.macro.noChange')}</option>
              {STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
            </select>
          </Field>
          <Field label={t('admin.macro.setPriority')}>
            <select value={priority} onChange={(e) => setPriority(e.target.value)}>
              <option value="">{t('admin.macro.noChange')}</option>
              {PRIORITIES.map((p) => <option key={p} value={p}>{t(`priority.${p}`)}</option>)}
            </select>
          </Field>
          <Field label={t('admin.macro.addTags')} hint={t('admin.macro.addTagsHint')}>
            <input value={tags} onChange={(e) => setTags(e.target.value)} />
          </Field>
        </fieldset>
      </fieldset>
      <ErrorNote error={action.error ?? remove.error} />
      {done && <p className="notice" role="status">{t('ticket.saved')}</p>}
      {!readOnly && (
        <div className="form-actions">
          <button className="btn btn-primary" disabled={busy}>{action.busy ? t('admin.saving') : m ? t('admin.save') : t('admin.macro.create')}</button>
          {m && (
            <button type="button" className="btn btn-danger" disabled={busy} onClick={del}>{t('admin.macro.delete')}</button>
          )}
        </div>
      )}
    </form>
  );
}

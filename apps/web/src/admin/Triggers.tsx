/**
 * Triggers: rules run in order when a ticket event happens (created, updated, a message, an SLA
 * warning or breach). Conditions (all of them, and at least one of the "any" list when it has
 * some), actions, and "stop" to skip the triggers after this one. The dry run tries the trigger
 * as typed, saved or not, on recent tickets and lists what it would change; nothing is written.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { linkHandler } from '../router.ts';
import { adminApi, type DryRunTriggerOut, type NewTrigger, type TriggerEventName, type TriggerOut } from './adminApi.ts';
import { ErrorNote, Field, FormFoot, PanelHead, Refused, isRefusal, useAction, useSave } from './kit.tsx';
import {
  ActionsEditor,
  ConditionsEditor,
  EventChecks,
  OrderedRulesList,
  actionDraft,
  actionOf,
  conditionDraft,
  conditionOf,
  useOrderedRules,
  useRuleRefs,
  type ActionDraft,
  type ConditionDraft,
  type RuleRefs,
} from './rules.tsx';

export function TriggersScreen() {
  const { t } = useI18n();
  const rules = useOrderedRules({ load: adminApi.triggers, update: adminApi.updateTrigger, reorder: adminApi.reorderTriggers });
  const refs = useRuleRefs();
  if (isRefusal(rules.records.error)) return <Refused error={rules.records.error} />;
  return (
    <section className="admin-split wide" aria-labelledby="triggers-title">
      <OrderedRulesList
        id="triggers-title" title={t('admin.triggers')} newLabel={t('admin.trigger.new')} intro={t('admin.trigger.intro')} none={t('admin.trigger.none')}
        error={refs.error} rules={rules}
        column={{ head: t('admin.trigger.events'), cell: (x) => <span className="small">{x.events.map((e) => t(`admin.rule.event.${e}`)).join(', ')}</span> }}
        note={(x) => x.stop && <span className="muted small"> · {t('admin.trigger.stops')}</span>}
      />
      {rules.open && refs.data && (
        <TriggerForm key={rules.current?.id ?? 'new'} trigger={rules.current} refs={refs.data} onSaved={rules.saved} onDeleted={rules.deleted} onClose={() => rules.setOpen(null)} />
      )}
    </section>
  );
}

function TriggerForm(props: { trigger: TriggerOut | null; refs: RuleRefs; onSaved(x: TriggerOut): void; onDeleted(id: string): void; onClose(): void }) {
  const { t } = useI18n();
  const x = props.trigger;
  const [name, setName] = useState(x?.name ?? '');
  const [description, setDescription] = useState(x?.description ?? '');
  const [enabled, setEnabled] = useState(x?.enabled ?? true);
  const [events, setEvents] = useState<TriggerEventName[]>(x?.events ?? ['ticket.created']);
  const [all, setAll] = useState<ConditionDraft[]>((x?.conditions.all ?? []).map(conditionDraft));
  const [any, setAny] = useState<ConditionDraft[]>((x?.conditions.any ?? []).map(conditionDraft));
  const [actions, setActions] = useState<ActionDraft[]>((x?.actions ?? [{ type: 'add_tags', tags: [] }]).map(actionDraft));
  const [stop, setStop] = useState(x?.stop ?? false);
  const saving = useSave(props.onSaved);

  const body = () => ({
    name: name.trim(),
    description: description.trim() ? description : null,
    enabled,
    events,
    conditions: { all: all.map((c) => conditionOf(c, props.refs.fields)), any: any.map((c) => conditionOf(c, props.refs.fields)) },
    actions: actions.map((a) => actionOf(a, props.refs.fields)),
    stop,
  });
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const b = body();
    await saving.save(() => (x ? adminApi.updateTrigger(x.id, b) : adminApi.createTrigger(b)));
  }
  return (
    <div className="admin-panel">
      <PanelHead id="trigger-title" title={x ? x.name : t('admin.trigger.new')} onClose={props.onClose} />
      <form className="admin-form" onSubmit={submit} aria-labelledby="trigger-title">
        <Field label={t('admin.name')}><input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <Field label={t('admin.description')}><textarea rows={2} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} /></Field>
        <label className="check"><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />{t('admin.rule.enabledLabel')}</label>
        <EventChecks legend={t('admin.trigger.events')} value={events} onChange={setEvents} />
        <ConditionsEditor legend={t('admin.trigger.all')} hint={t('admin.trigger.allHint')} rows={all} onChange={setAll} refs={props.refs} />
        <ConditionsEditor legend={t('admin.trigger.any')} hint={t('admin.trigger.anyHint')} rows={any} onChange={setAny} refs={props.refs} />
        <ActionsEditor rows={actions} onChange={setActions} refs={props.refs} />
        <label className="check"><input type="checkbox" checked={stop} onChange={(e) => setStop(e.target.checked)} />{t('admin.trigger.stopLabel')}</label>
        <FormFoot save={saving} createLabel={t('admin.trigger.create')}
          del={x && { label: t('admin.trigger.delete'), confirm: t('admin.trigger.deleteConfirm', { name: x.name }), run: () => adminApi.deleteTrigger(x.id), done: () => props.onDeleted(x.id) }} />
      </form>
      <DryRun events={events} build={body} />
    </div>
  );
}

/** The dry run of the trigger as typed: which recent tickets it matches and what it would change. */
function DryRun(props: { events: TriggerEventName[]; build(): NewTrigger }) {
  const { t } = useI18n();
  const [event, setEvent] = useState<TriggerEventName | ''>('');
  const [limit, setLimit] = useState('100');
  const [result, setResult] = useState<DryRunTriggerOut | null>(null);
  const action = useAction();
  const chosen = event && props.events.includes(event) ? event : props.events[0];
  async function run() {
    setResult(null);
    if (!chosen) return;
    const r = await action.run(() => adminApi.dryRunTrigger(props.build(), chosen, Number(limit) || 100));
    if (r) setResult(r);
  }
  const show = (v: unknown) => (v === null || v === undefined ? '—' : Array.isArray(v) ? v.join(', ') || '—' : String(v));
  return (
    <div className="admin-form" role="group" aria-labelledby="dryrun-title">
      <h4 id="dryrun-title">{t('admin.trigger.dryRun')}</h4>
      <p className="muted small">{t('admin.trigger.dryRunHint')}</p>
      <div className="form-row">
        <Field label={t('admin.trigger.dryRunEvent')}>
          <select value={chosen ?? ''} onChange={(e) => setEvent(e.target.value as TriggerEventName)} disabled={props.events.length === 0}>
            {props.events.map((e) => <option key={e} value={e}>{t(`admin.rule.event.${e}`)}</option>)}
          </select>
        </Field>
        <Field label={t('admin.trigger.dryRunLimit')}>
          <input type="number" min={1} max={500} value={limit} onChange={(e) => setLimit(e.target.value)} />
        </Field>
      </div>
      <div className="form-actions">
        <button type="button" className="btn" disabled={action.busy || !chosen} onClick={() => void run()}>{action.busy ? t('admin.trigger.dryRunning') : t('admin.trigger.dryRunSubmit')}</button>
      </div>
      <ErrorNote error={action.error} />
      {result && (
        <div className="dry-run" role="status">
          <p>{t('admin.trigger.dryRunResult', { tried: result.tried, matched: result.matched })}</p>
          {result.items.length > 0 && (
            <table className="admin-table">
              <thead><tr><th>{t('admin.trigger.ticket')}</th><th>{t('admin.trigger.wouldChange')}</th></tr></thead>
              <tbody>
                {result.items.map((item) => (
                  <tr key={item.ticketId}>
                    <td><a href={`/tickets/${item.number}`} onClick={linkHandler(`/tickets/${item.number}`)}>#{item.number}</a> {item.subject}</td>
                    <td className="small">
                      {item.error ? (
                        <span className="error">{t('admin.trigger.wouldFail', { message: item.error.message })}</span>
                      ) : (
                        <ul className="plain">
                          {Object.entries(item.changes).map(([k, c]) => <li key={k}>{t('admin.trigger.change', { field: k, from: show(c.from), to: show(c.to) })}</li>)}
                          {item.notes > 0 && <li>{t('admin.trigger.notes', { n: item.notes })}</li>}
                          {item.notifications.length > 0 && <li>{t('admin.trigger.notifies', { list: item.notifications.map((n) => t(`admin.rule.to.${n as 'assignee'}`)).join(', ') })}</li>}
                          {Object.keys(item.changes).length === 0 && item.notes === 0 && item.notifications.length === 0 && <li>{t('admin.trigger.noChange')}</li>}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </div>
  );
}

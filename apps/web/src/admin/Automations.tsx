/**
 * Time-based automations: every ten minutes the server looks for tickets in some statuses for
 * which a time has passed (since creation, the last update, the customer's last reply, entering
 * the status, or before an SLA deadline), with optional further conditions, and applies the
 * actions once per ticket and period. At least one time condition is required (the API says so).
 */
import { useState } from 'react';
import { useI18n, type MessageKey } from '../i18n.ts';
import { adminApi, type AutomationOut, type TicketStatus } from './adminApi.ts';
import { Field, FormFoot, PanelHead, Refused, isRefusal, useSave } from './kit.tsx';
import {
  ActionsEditor,
  CheckGroup,
  ConditionsEditor,
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

const STATUSES: Array<Exclude<TicketStatus, 'closed'>> = ['new', 'open', 'pending', 'on_hold', 'solved'];
const HOURS = ['hoursSinceCreated', 'hoursSinceUpdated', 'hoursSinceCustomerReply', 'hoursInStatus', 'hoursBeforeSlaDeadline'] as const;
type HoursKey = (typeof HOURS)[number];

export function AutomationsScreen() {
  const { t } = useI18n();
  const rules = useOrderedRules({ load: adminApi.automations, update: adminApi.updateAutomation, reorder: adminApi.reorderAutomations });
  const refs = useRuleRefs();
  if (isRefusal(rules.records.error)) return <Refused error={rules.records.error} />;
  return (
    <section className="admin-split wide" aria-labelledby="automations-title">
      <OrderedRulesList
        id="automations-title" title={t('admin.automations')} newLabel={t('admin.automation.new')} intro={t('admin.automation.intro')} none={t('admin.automation.none')}
        error={refs.error} rules={rules}
        column={{ head: t('admin.automation.firings'), cell: (x) => t('admin.automation.stats', { firings: x.stats.firings, tickets: x.stats.tickets }) }}
      />
      {rules.open && refs.data && (
        <AutomationForm key={rules.current?.id ?? 'new'} automation={rules.current} refs={refs.data} onSaved={rules.saved} onDeleted={rules.deleted} onClose={() => rules.setOpen(null)} />
      )}
    </section>
  );
}

function AutomationForm(props: { automation: AutomationOut | null; refs: RuleRefs; onSaved(x: AutomationOut): void; onDeleted(id: string): void; onClose(): void }) {
  const { t } = useI18n();
  const x = props.automation;
  const c = x?.conditions;
  const [name, setName] = useState(x?.name ?? '');
  const [description, setDescription] = useState(x?.description ?? '');
  const [enabled, setEnabled] = useState(x?.enabled ?? true);
  const [statuses, setStatuses] = useState<Array<Exclude<TicketStatus, 'closed'>>>(c?.statuses ?? ['pending']);
  const [hours, setHours] = useState<Record<HoursKey, string>>(() => Object.fromEntries(HOURS.map((k) => [k, c?.[k] === undefined ? '' : String(c[k])])) as Record<HoursKey, string>);
  const [all, setAll] = useState<ConditionDraft[]>((c?.all ?? []).map(conditionDraft));
  const [actions, setActions] = useState<ActionDraft[]>((x?.actions ?? [{ type: 'set_status', value: 'solved' }]).map(actionDraft));
  const saving = useSave(props.onSaved);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const times = Object.fromEntries(HOURS.filter((k) => hours[k].trim() !== '').map((k) => [k, Number(hours[k])]));
    const body = {
      name: name.trim(),
      description: description.trim() ? description : null,
      enabled,
      conditions: { statuses, ...times, all: all.map((d) => conditionOf(d, props.refs.fields)) },
      actions: actions.map((a) => actionOf(a, props.refs.fields)),
    };
    await saving.save(() => (x ? adminApi.updateAutomation(x.id, body) : adminApi.createAutomation(body)));
  }
  return (
    <form className="admin-panel" onSubmit={submit} aria-labelledby="automation-title">
      <PanelHead id="automation-title" title={x ? x.name : t('admin.automation.new')} onClose={props.onClose} />
      {x && <p className="muted small">{t('admin.automation.stats', { firings: x.stats.firings, tickets: x.stats.tickets })}</p>}
      <Field label={t('admin.name')}><input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} /></Field>
      <Field label={t('admin.description')}><textarea rows={2} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} /></Field>
      <label className="check"><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />{t('admin.rule.enabledLabel')}</label>
      <CheckGroup legend={t('admin.automation.statuses')} options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))} value={statuses} onChange={setStatuses} />
      <fieldset className="choice">
        <legend>{t('admin.automation.times')}</legend>
        <small className="muted">{t('admin.automation.timesHint')}</small>
        {HOURS.map((k) => (
          <Field key={k} label={t(`admin.automation.${k}` as MessageKey)}>
            <input type="number" min={0} max={100000} step="any" value={hours[k]} onChange={(e) => setHours({ ...hours, [k]: e.target.value })} />
          </Field>
        ))}
      </fieldset>
      <ConditionsEditor legend={t('admin.automation.more')} hint={t('admin.trigger.allHint')} rows={all} onChange={setAll} refs={props.refs} />
      <ActionsEditor rows={actions} onChange={setActions} refs={props.refs} />
      <FormFoot save={saving} createLabel={t('admin.automation.create')}
        del={x && { label: t('admin.automation.delete'), confirm: t('admin.automation.deleteConfirm', { name: x.name }), run: () => adminApi.deleteAutomation(x.id), done: () => props.onDeleted(x.id) }} />
    </form>
  );
}

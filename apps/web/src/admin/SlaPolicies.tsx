/**
 * SLA policies: tried in order, the first enabled one whose conditions a ticket meets applies.
 * Each sets targets (first response, next response, periodic update, resolution) counted in the
 * business hours of a calendar or in calendar hours, the statuses that pause the clocks, and when
 * to warn before a deadline. Changing one recomputes open tickets' deadlines on the server.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import {
  adminApi,
  type BusinessCalendarOut,
  type Channel,
  type CustomFieldOut,
  type OrganizationOut,
  type SlaConditions,
  type SlaPolicyOut,
  type SlaTargetKind,
  type SlaWarning,
  type TeamOut,
  type TicketPriority,
} from './adminApi.ts';
import { Field, FormFoot, PanelHead, Refused, isRefusal, splitList, useSave, useLoad } from './kit.tsx';
import { CHANNELS, CheckGroup, OrderedRulesList, PRIORITIES, useOrderedRules } from './rules.tsx';

const TARGETS: SlaTargetKind[] = ['first_response', 'next_response', 'periodic_update', 'resolution'];
const PAUSABLE = ['pending', 'on_hold'] as const;
/** The "no team" / "no organization" choice of a condition (the API's null). */
const NONE = '';

interface Refs {
  calendars: BusinessCalendarOut[];
  teams: TeamOut[];
  organizations: OrganizationOut[];
  fields: CustomFieldOut[];
}

export function SlaPoliciesScreen() {
  const { t } = useI18n();
  const rules = useOrderedRules({ load: adminApi.slaPolicies, update: adminApi.updateSlaPolicy, reorder: adminApi.reorderSlaPolicies });
  const refs = useLoad<Refs>(
    () =>
      Promise.all([adminApi.calendars(), adminApi.teams(), adminApi.allOrganizations(), adminApi.customFields()]).then(
        ([calendars, teams, organizations, fields]) => ({ calendars, teams, organizations, fields }),
      ),
    [],
  );
  if (isRefusal(rules.records.error)) return <Refused error={rules.records.error} />;
  const calendarName = new Map((refs.data?.calendars ?? []).map((c) => [c.id, c.name]));
  return (
    <section className="admin-split wide" aria-labelledby="sla-title">
      <OrderedRulesList
        id="sla-title" title={t('admin.slaPolicies')} newLabel={t('admin.sla.new')} intro={t('admin.sla.intro')} none={t('admin.sla.none')}
        error={refs.error} rules={rules}
        column={{ head: t('admin.sla.calendar'), cell: (p) => (p.calendarId ? calendarName.get(p.calendarId) ?? '?' : <span className="muted">{t('admin.sla.teamOrDefaultShort')}</span>) }}
      />
      {rules.open && refs.data && (
        <PolicyForm key={rules.current?.id ?? 'new'} policy={rules.current} refs={refs.data} onSaved={rules.saved} onDeleted={rules.deleted} onClose={() => rules.setOpen(null)} />
      )}
    </section>
  );
}

interface TargetDraft {
  on: boolean;
  hours: string;
  minutes: string;
  businessHours: boolean;
}
interface WarningDraft {
  kind: 'minutesBefore' | 'share';
  value: string;
}
interface FieldCondDraft {
  key: string;
  values: string;
}

const targetDraft = (p: SlaPolicyOut | null, k: SlaTargetKind): TargetDraft => {
  const x = p?.targets[k];
  if (!x) return { on: !p && (k === 'first_response' || k === 'resolution'), hours: k === 'resolution' ? '24' : '1', minutes: '0', businessHours: true };
  return { on: true, hours: String(Math.floor(x.minutes / 60)), minutes: String(x.minutes % 60), businessHours: x.businessHours };
};
const warningDraft = (w: SlaWarning): WarningDraft => ('share' in w ? { kind: 'share', value: String(Math.round(w.share * 100)) } : { kind: 'minutesBefore', value: String(w.minutesBefore) });
const idOrNull = (v: string) => (v === NONE ? null : v);
const idText = (v: string | null) => v ?? NONE;

function PolicyForm(props: { policy: SlaPolicyOut | null; refs: Refs; onSaved(p: SlaPolicyOut): void; onDeleted(id: string): void; onClose(): void }) {
  const { t } = useI18n();
  const p = props.policy;
  const cond = p?.conditions ?? {};
  const [name, setName] = useState(p?.name ?? '');
  const [description, setDescription] = useState(p?.description ?? '');
  const [enabled, setEnabled] = useState(p?.enabled ?? true);
  const [calendarId, setCalendarId] = useState(p?.calendarId ?? '');
  const [priorities, setPriorities] = useState<TicketPriority[]>(cond.priorities ?? []);
  const [channels, setChannels] = useState<Channel[]>(cond.channels ?? []);
  const [teamIds, setTeamIds] = useState<string[]>((cond.teamIds ?? []).map(idText));
  const [organizationIds, setOrganizationIds] = useState<string[]>((cond.organizationIds ?? []).map(idText));
  const [tagsAny, setTagsAny] = useState((cond.tagsAny ?? []).join(', '));
  const [tagsNone, setTagsNone] = useState((cond.tagsNone ?? []).join(', '));
  const [fieldConds, setFieldConds] = useState<FieldCondDraft[]>((cond.customFields ?? []).map((f) => ({ key: f.key, values: f.values.join(', ') })));
  const [targets, setTargets] = useState(() => Object.fromEntries(TARGETS.map((k) => [k, targetDraft(p, k)])) as Record<SlaTargetKind, TargetDraft>);
  const [pause, setPause] = useState<Array<(typeof PAUSABLE)[number]>>((p?.pauseStatuses ?? ['pending', 'on_hold']).filter((s): s is (typeof PAUSABLE)[number] => s === 'pending' || s === 'on_hold'));
  const [warnings, setWarnings] = useState<WarningDraft[]>(p ? p.warnings.map(warningDraft) : [{ kind: 'share', value: '75' }]);
  const saving = useSave(props.onSaved);

  function body() {
    const conditions: SlaConditions = {};
    if (priorities.length) conditions.priorities = priorities;
    if (channels.length) conditions.channels = channels;
    if (teamIds.length) conditions.teamIds = teamIds.map(idOrNull);
    if (organizationIds.length) conditions.organizationIds = organizationIds.map(idOrNull);
    if (splitList(tagsAny).length) conditions.tagsAny = splitList(tagsAny);
    if (splitList(tagsNone).length) conditions.tagsNone = splitList(tagsNone);
    const typed = fieldConds.filter((f) => f.key);
    if (typed.length) {
      conditions.customFields = typed.map((f) => {
        const def = props.refs.fields.find((x) => x.key === f.key);
        const values = f.values.split(/[,;]/).map((v) => v.trim()).filter(Boolean);
        return { key: f.key, values: values.map((v) => (def?.type === 'number' ? Number(v) : def?.type === 'checkbox' ? v === 'true' : v)) };
      });
    }
    const chosen = Object.fromEntries(
      TARGETS.filter((k) => targets[k].on).map((k) => [k, { minutes: Number(targets[k].hours || 0) * 60 + Number(targets[k].minutes || 0), businessHours: targets[k].businessHours }]),
    );
    return {
      name: name.trim(),
      description: description.trim() ? description : null,
      enabled,
      calendarId: calendarId || null,
      conditions,
      targets: chosen,
      pauseStatuses: pause,
      warnings: warnings.map((w): SlaWarning => (w.kind === 'share' ? { share: Number(w.value) / 100 } : { minutesBefore: Number(w.value) })),
    };
  }
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const b = body();
    await saving.save(() => (p ? adminApi.updateSlaPolicy(p.id, b) : adminApi.createSlaPolicy(b)));
  }
  const setTarget = (k: SlaTargetKind, patch: Partial<TargetDraft>) => setTargets((all) => ({ ...all, [k]: { ...all[k], ...patch } }));
  return (
    <form className="admin-panel" onSubmit={submit} aria-labelledby="policy-title">
      <PanelHead id="policy-title" title={p ? p.name : t('admin.sla.new')} onClose={props.onClose} />
      <Field label={t('admin.name')}><input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} /></Field>
      <Field label={t('admin.description')}><textarea rows={2} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} /></Field>
      <label className="check"><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />{t('admin.rule.enabledLabel')}</label>
      <Field label={t('admin.sla.calendar')} hint={t('admin.sla.calendarHint')}>
        <select value={calendarId} onChange={(e) => setCalendarId(e.target.value)}>
          <option value="">{t('admin.sla.teamOrDefault')}</option>
          {props.refs.calendars.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
      </Field>

      <fieldset className="choice">
        <legend>{t('admin.sla.conditions')}</legend>
        <small className="muted">{t('admin.sla.conditionsHint')}</small>
        <CheckGroup legend={t('admin.sla.priorities')} options={PRIORITIES.map((x) => ({ value: x, label: t(`priority.${x}`) }))} value={priorities} onChange={setPriorities} />
        <CheckGroup legend={t('admin.sla.channels')} options={CHANNELS.map((x) => ({ value: x, label: t(`channel.${x}`) }))} value={channels} onChange={setChannels} />
        <CheckGroup legend={t('admin.sla.teams')} options={[{ value: NONE, label: t('admin.sla.noTeam') }, ...props.refs.teams.map((x) => ({ value: x.id, label: x.name }))]} value={teamIds} onChange={setTeamIds} />
        <Field label={t('admin.sla.organizations')} hint={t('admin.sla.multiHint')}>
          <select multiple size={Math.min(6, props.refs.organizations.length + 1)} value={organizationIds} onChange={(e) => setOrganizationIds([...e.target.selectedOptions].map((o) => o.value))}>
            <option value={NONE}>{t('admin.sla.noOrganization')}</option>
            {props.refs.organizations.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
          </select>
        </Field>
        <Field label={t('admin.sla.tagsAny')} hint={t('admin.rule.listHint')}><input value={tagsAny} onChange={(e) => setTagsAny(e.target.value)} /></Field>
        <Field label={t('admin.sla.tagsNone')} hint={t('admin.rule.listHint')}><input value={tagsNone} onChange={(e) => setTagsNone(e.target.value)} /></Field>
        {fieldConds.map((f, i) => (
          <div className="rule-row" key={i}>
            <select aria-label={t('admin.sla.fieldKey', { n: i + 1 })} value={f.key} onChange={(e) => setFieldConds(fieldConds.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))}>
              <option value="">{t('admin.rule.choose')}</option>
              {props.refs.fields.map((d) => <option key={d.key} value={d.key}>{d.label}</option>)}
            </select>
            <input aria-label={t('admin.sla.fieldValues', { n: i + 1 })} placeholder={t('admin.rule.listHint')} value={f.values} onChange={(e) => setFieldConds(fieldConds.map((x, j) => (j === i ? { ...x, values: e.target.value } : x)))} />
            <button type="button" className="btn btn-ghost btn-sm" aria-label={t('admin.rule.removeCondition', { n: i + 1 })} onClick={() => setFieldConds(fieldConds.filter((_, j) => j !== i))}>✕</button>
          </div>
        ))}
        <div><button type="button" className="btn btn-sm" onClick={() => setFieldConds([...fieldConds, { key: '', values: '' }])}>{t('admin.sla.addField')}</button></div>
      </fieldset>

      <fieldset className="choice">
        <legend>{t('admin.sla.targets')}</legend>
        {TARGETS.map((k) => {
          const x = targets[k];
          const label = t(`admin.sla.target.${k}`);
          return (
            <div className="target-row" key={k}>
              <label className="check"><input type="checkbox" checked={x.on} onChange={(e) => setTarget(k, { on: e.target.checked })} />{label}</label>
              {x.on && (
                <span className="target-inputs">
                  <input type="number" min={0} max={8760} aria-label={t('admin.sla.hoursOf', { target: label })} value={x.hours} onChange={(e) => setTarget(k, { hours: e.target.value })} />
                  <span aria-hidden="true">{t('admin.sla.h')}</span>
                  <input type="number" min={0} max={59} aria-label={t('admin.sla.minutesOf', { target: label })} value={x.minutes} onChange={(e) => setTarget(k, { minutes: e.target.value })} />
                  <span aria-hidden="true">{t('admin.sla.min')}</span>
                  <select aria-label={t('admin.sla.countedIn', { target: label })} value={x.businessHours ? 'business' : 'calendar'} onChange={(e) => setTarget(k, { businessHours: e.target.value === 'business' })}>
                    <option value="business">{t('admin.sla.businessHours')}</option>
                    <option value="calendar">{t('admin.sla.calendarHours')}</option>
                  </select>
                </span>
              )}
            </div>
          );
        })}
      </fieldset>

      <CheckGroup legend={t('admin.sla.pause')} hint={t('admin.sla.pauseHint')} options={PAUSABLE.map((s) => ({ value: s, label: t(`status.${s}`) }))} value={pause} onChange={setPause} />

      <fieldset className="choice">
        <legend>{t('admin.sla.warnings')}</legend>
        <small className="muted">{t('admin.sla.warningsHint')}</small>
        {warnings.map((w, i) => (
          <div className="rule-row" key={i}>
            <input type="number" min={1} aria-label={t('admin.sla.warningValue', { n: i + 1 })} value={w.value} onChange={(e) => setWarnings(warnings.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
            <select aria-label={t('admin.sla.warningKind', { n: i + 1 })} value={w.kind} onChange={(e) => setWarnings(warnings.map((x, j) => (j === i ? { ...x, kind: e.target.value as WarningDraft['kind'] } : x)))}>
              <option value="share">{t('admin.sla.warnShare')}</option>
              <option value="minutesBefore">{t('admin.sla.warnMinutes')}</option>
            </select>
            <button type="button" className="btn btn-ghost btn-sm" aria-label={t('admin.sla.removeWarning', { n: i + 1 })} onClick={() => setWarnings(warnings.filter((_, j) => j !== i))}>✕</button>
          </div>
        ))}
        <div><button type="button" className="btn btn-sm" disabled={warnings.length >= 5} onClick={() => setWarnings([...warnings, { kind: 'minutesBefore', value: '30' }])}>{t('admin.sla.addWarning')}</button></div>
      </fieldset>

      <FormFoot save={saving} createLabel={t('admin.sla.create')}
        del={p && { label: t('admin.sla.delete'), confirm: t('admin.sla.deleteConfirm', { name: p.name }), run: () => adminApi.deleteSlaPolicy(p.id), done: () => props.onDeleted(p.id) }} />
    </form>
  );
}

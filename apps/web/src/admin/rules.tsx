/**
 * Pieces shared by the screens of the promise-keeping engine (SLA policies, triggers,
 * automations, webhooks): ordered lists moved up and down, groups of checkboxes, and the
 * condition and action editors of triggers and automations. Editors keep what the admin typed as
 * text (a comma typed in a list stays there) and turn it into the API's values only on submit; the
 * server's answer to what does not fit is shown next to the form.
 */
import { useId, useState } from 'react';
import { useI18n, type MessageKey } from '../i18n.ts';
import {
  adminApi,
  type Channel,
  type CustomFieldOut,
  type TeamOut,
  type TicketPriority,
  type TicketStatus,
  type TriggerAction,
  type TriggerCondition,
  type TriggerEventName,
  type UserOut,
} from './adminApi.ts';
import { ErrorNote, Field, ListHead, splitList, useAction, useLoad } from './kit.tsx';

export const PRIORITIES: TicketPriority[] = ['low', 'normal', 'high', 'urgent'];
export const CHANNELS: Channel[] = ['email', 'web', 'portal', 'chat', 'api', 'phone'];
export const EVENTS: TriggerEventName[] = ['ticket.created', 'ticket.updated', 'message.added', 'sla.warning', 'sla.breached'];
const SLA_TARGETS = ['first_response', 'next_response', 'periodic_update', 'resolution'] as const;

/** Records tried in order: `position` decides (ties: the older first, as the server lists them). */
interface Ordered {
  id: string;
  position: number;
}

/** The ids in the order wanted after moving one record up or down. */
export function movedIds(items: Ordered[], index: number, delta: -1 | 1): string[] {
  const ids = items.map((x) => x.id);
  const target = index + delta;
  if (target >= 0 && target < ids.length) [ids[index], ids[target]] = [ids[target]!, ids[index]!];
  return ids;
}

interface Rule extends Ordered {
  name: string;
  enabled: boolean;
}

/**
 * The list side of an ordered-rules screen (SLA policies, triggers, automations): the records in
 * order, the one open in the panel, moving one, switching one on or off, and taking in what the
 * panel saved or deleted.
 */
export function useOrderedRules<T extends Rule>(api: { load(): Promise<T[]>; update(id: string, patch: { enabled: boolean }): Promise<T>; reorder(ids: string[]): Promise<T[]> }) {
  const { load, update, reorder } = api;
  const records = useLoad(load, []);
  const [open, setOpen] = useState<string | 'new' | null>(null);
  const order = useAction();
  const list = records.data ?? [];
  const sorted = (xs: T[]) => xs.sort((a, b) => a.position - b.position);
  return {
    records,
    list,
    open,
    setOpen,
    order,
    current: open === 'new' ? null : list.find((x) => x.id === open) ?? null,
    async move(i: number, delta: -1 | 1) {
      // The whole order in one request: it applies entirely or not at all. Refused (someone
      // added a rule meanwhile), the list is read again.
      const next = await order.run(() => reorder(movedIds(list, i, delta)));
      if (next) records.setData(next);
      else records.reload();
    },
    async toggle(x: T) {
      const next = await order.run(() => update(x.id, { enabled: !x.enabled }));
      if (next) records.setData(list.map((y) => (y.id === next.id ? next : y)));
    },
    saved(x: T) {
      records.setData(sorted([...list.filter((y) => y.id !== x.id), x]));
      setOpen(x.id);
    },
    deleted(id: string) {
      records.setData(list.filter((y) => y.id !== id));
      setOpen(null);
    },
  };
}

/** The list of an ordered-rules screen: order with Up / Down, name, one column of its own, on or off. */
export function OrderedRulesList<T extends Rule>(props: {
  id: string;
  title: string;
  newLabel: string;
  intro: string;
  none: string;
  error: unknown;
  rules: ReturnType<typeof useOrderedRules<T>>;
  column: { head: string; cell(x: T): React.ReactNode };
  note?(x: T): React.ReactNode;
}) {
  const { t } = useI18n();
  const r = props.rules;
  return (
    <div className="admin-list">
      <ListHead id={props.id} title={props.title} newLabel={props.newLabel} onNew={() => r.setOpen('new')} intro={props.intro} error={r.records.error ?? props.error} />
      <ErrorNote error={r.order.error} />
      <table className="admin-table">
        <thead><tr><th>{t('admin.rule.order')}</th><th>{t('admin.name')}</th><th>{props.column.head}</th><th>{t('admin.rule.state')}</th></tr></thead>
        <tbody>
          {r.list.map((x, i) => (
            <tr key={x.id} className={x.id === r.open ? 'on' : ''}>
              <td className="nowrap">
                {i + 1}
                <MoveButtons name={x.name} first={i === 0} last={i === r.list.length - 1} disabled={r.order.busy} onMove={(d) => void r.move(i, d)} />
              </td>
              <td><button className="link" onClick={() => r.setOpen(x.id)}>{x.name}</button>{props.note?.(x)}</td>
              <td>{props.column.cell(x)}</td>
              <td className="nowrap">
                <EnabledBadge enabled={x.enabled} />{' '}
                <button type="button" className="btn btn-ghost btn-sm" disabled={r.order.busy} onClick={() => void r.toggle(x)}
                  aria-label={x.enabled ? t('admin.rule.disableNamed', { name: x.name }) : t('admin.rule.enableNamed', { name: x.name })}>
                  {x.enabled ? t('admin.rule.disable') : t('admin.rule.enable')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.records.data?.length === 0 && <p className="empty">{props.none}</p>}
    </div>
  );
}

/** The Up / Down buttons of one row of an ordered list, named after the record for screen readers. */
export function MoveButtons(props: { name: string; first: boolean; last: boolean; disabled: boolean; onMove(delta: -1 | 1): void }) {
  const { t } = useI18n();
  return (
    <span className="move-buttons">
      <button type="button" className="btn btn-ghost btn-sm" aria-label={t('admin.rule.moveUp', { name: props.name })} disabled={props.disabled || props.first} onClick={() => props.onMove(-1)}>↑</button>
      <button type="button" className="btn btn-ghost btn-sm" aria-label={t('admin.rule.moveDown', { name: props.name })} disabled={props.disabled || props.last} onClick={() => props.onMove(1)}>↓</button>
    </span>
  );
}

/** A set of values chosen with checkboxes, in a fieldset named by its legend. */
export function CheckGroup<V>(props: { legend: string; options: Array<{ value: V; label: string }>; value: V[]; onChange(v: V[]): void; hint?: string }) {
  const hintId = useId();
  const on = (v: V) => props.value.includes(v);
  return (
    <fieldset className="choice checks" aria-describedby={props.hint ? hintId : undefined}>
      <legend>{props.legend}</legend>
      <div className="check-row">
        {props.options.map((o) => (
          <label key={String(o.value)} className="check">
            <input type="checkbox" checked={on(o.value)} onChange={(e) => props.onChange(e.target.checked ? [...props.value, o.value] : props.value.filter((x) => x !== o.value))} />
            {o.label}
          </label>
        ))}
      </div>
      {props.hint && <small className="muted" id={hintId}>{props.hint}</small>}
    </fieldset>
  );
}

export function EventChecks(props: { value: TriggerEventName[]; onChange(v: TriggerEventName[]): void; legend: string }) {
  const { t } = useI18n();
  return <CheckGroup legend={props.legend} options={EVENTS.map((e) => ({ value: e, label: t(`admin.rule.event.${e}`) }))} value={props.value} onChange={props.onChange} />;
}

/** What the condition and action editors offer: the workspace's teams, agents and custom fields. */
export interface RuleRefs {
  teams: TeamOut[];
  agents: UserOut[];
  fields: CustomFieldOut[];
}

export function useRuleRefs() {
  return useLoad<RuleRefs>(
    () =>
      Promise.all([adminApi.teams(), adminApi.allUsers(), adminApi.customFields()]).then(([teams, users, fields]) => ({
        teams,
        agents: users.filter((u) => u.status === 'active' && (u.role === 'admin' || u.role === 'agent')),
        fields,
      })),
    [],
  );
}

// ---- conditions ----

type Op = TriggerCondition['op'];
const OPS: Op[] = ['is', 'is_not', 'in', 'not_in', 'contains', 'not_contains', 'present', 'absent', 'changed', 'changed_to', 'gt', 'lt'];
const NO_VALUE: Op[] = ['present', 'absent', 'changed'];
const LIST_OPS: Op[] = ['in', 'not_in'];

const FIELDS = [
  'event.type', 'ticket.status', 'ticket.priority', 'ticket.channel', 'ticket.subject', 'ticket.team_id', 'ticket.assignee_id', 'ticket.organization_id',
  'ticket.tags', 'ticket.language', 'requester.email', 'requester.domain', 'requester.name', 'organization.name', 'message.body', 'message.visibility',
  'message.author', 'message.channel', 'sla.target', 'time.business_hours', 'time.weekday', 'time.hour',
] as const;
const ID_FIELDS = new Set(['ticket.team_id', 'ticket.assignee_id', 'ticket.organization_id']);
const CUSTOM = 'ticket.custom_fields.';
/** A list typed in one field, items separated by commas (values may hold spaces: "Crypto wallet"). */
const commaList = (s: string) => s.split(/[,;]/).map((x) => x.trim()).filter(Boolean);
/** "No team", "nobody": the null of an id field, as a value a list of choices can hold. */
const NONE = '-';

/** A condition as typed: the value is text (a list is comma-separated) until the form is sent. */
export interface ConditionDraft {
  field: string;
  op: Op;
  value: string;
}

export const conditionDraft = (c: TriggerCondition): ConditionDraft => ({
  field: c.field,
  op: c.op,
  value: c.value === undefined ? '' : [c.value].flat().map((v) => (v === null ? (ID_FIELDS.has(c.field) ? NONE : '') : String(v))).join(', '),
});

/** The closed set of values a field takes, when it has one: shown as a list to choose from. */
function choicesOf(field: string, refs: RuleRefs, t: (k: MessageKey) => string): Array<{ value: string; label: string }> | null {
  const none = { value: NONE, label: t('filter.none') };
  const statuses: TicketStatus[] = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];
  switch (field) {
    case 'event.type': return EVENTS.map((e) => ({ value: e, label: t(`admin.rule.event.${e}`) }));
    case 'ticket.status': return statuses.map((s) => ({ value: s, label: t(`status.${s}`) }));
    case 'ticket.priority': return PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }));
    case 'ticket.channel':
    case 'message.channel': return CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }));
    case 'ticket.team_id': return [none, ...refs.teams.map((x) => ({ value: x.id, label: x.name }))];
    case 'ticket.assignee_id': return [none, ...refs.agents.map((u) => ({ value: u.id, label: u.name }))];
    case 'message.author': return [{ value: 'customer', label: t('admin.rule.author.customer') }, { value: 'staff', label: t('admin.rule.author.staff') }];
    case 'message.visibility': return [{ value: 'public', label: t('admin.rule.visibility.public') }, { value: 'internal', label: t('admin.rule.visibility.internal') }];
    case 'sla.target': return SLA_TARGETS.map((k) => ({ value: k, label: t(`admin.sla.target.${k}`) }));
    case 'time.business_hours': return [{ value: 'true', label: t('admin.yes') }, { value: 'false', label: t('admin.no') }];
  }
  const custom = field.startsWith(CUSTOM) ? refs.fields.find((f) => f.key === field.slice(CUSTOM.length)) : undefined;
  if (custom && (custom.type === 'select' || custom.type === 'multiselect')) return custom.options.map((o) => ({ value: o, label: o }));
  if (custom?.type === 'checkbox') return [{ value: 'true', label: t('admin.yes') }, { value: 'false', label: t('admin.no') }];
  return null;
}

/** One typed value of a field, as the API compares it (ids may be "none", numbers, booleans). */
function valueOf(field: string, s: string, fields: CustomFieldOut[]): string | number | boolean | null {
  const text = s.trim();
  if (ID_FIELDS.has(field)) return text && text !== NONE ? text : null;
  if (field === 'time.business_hours') return text === 'true';
  if (field === 'time.hour' || field === 'time.weekday') return text === '' ? null : Number(text);
  const custom = field.startsWith(CUSTOM) ? fields.find((f) => f.key === field.slice(CUSTOM.length)) : undefined;
  if (custom?.type === 'number') return text === '' ? null : Number(text);
  if (custom?.type === 'checkbox') return text === 'true';
  return text;
}

export function conditionOf(d: ConditionDraft, fields: CustomFieldOut[]): TriggerCondition {
  if (NO_VALUE.includes(d.op)) return { field: d.field, op: d.op };
  if (LIST_OPS.includes(d.op)) {
    const parts = commaList(d.value);
    return { field: d.field, op: d.op, value: parts.map((p) => valueOf(d.field, p, fields)) };
  }
  if (d.op === 'gt' || d.op === 'lt') return { field: d.field, op: d.op, value: d.value.trim() === '' ? null : Number(d.value) };
  return { field: d.field, op: d.op, value: valueOf(d.field, d.value, fields) };
}

/** A list of conditions (all must hold, or any one) edited row by row. */
export function ConditionsEditor(props: { legend: string; hint: string; rows: ConditionDraft[]; onChange(rows: ConditionDraft[]): void; refs: RuleRefs }) {
  const { t } = useI18n();
  const set = (i: number, patch: Partial<ConditionDraft>) => props.onChange(props.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const fieldOptions = [
    ...FIELDS.map((f) => ({ value: f as string, label: t(`admin.rule.field.${f}`) })),
    ...props.refs.fields.map((f) => ({ value: `${CUSTOM}${f.key}`, label: t('admin.rule.customField', { name: f.label }) })),
  ];
  return (
    <fieldset className="choice">
      <legend>{props.legend}</legend>
      <small className="muted">{props.hint}</small>
      {props.rows.map((r, i) => {
        const n = i + 1;
        const choices = choicesOf(r.field, props.refs, t);
        const list = LIST_OPS.includes(r.op);
        const known = fieldOptions.some((o) => o.value === r.field);
        return (
          <div className="rule-row" key={i}>
            <select aria-label={t('admin.rule.conditionField', { n })} value={r.field} onChange={(e) => set(i, { field: e.target.value, value: '' })}>
              {!known && <option value={r.field}>{r.field}</option>}
              {fieldOptions.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
            </select>
            <select aria-label={t('admin.rule.conditionOp', { n })} value={r.op} onChange={(e) => set(i, { op: e.target.value as Op })}>
              {OPS.map((o) => <option key={o} value={o}>{t(`admin.rule.op.${o}`)}</option>)}
            </select>
            {NO_VALUE.includes(r.op) ? (
              <span />
            ) : choices && list ? (
              <select multiple aria-label={t('admin.rule.conditionValue', { n })} value={commaList(r.value)}
                onChange={(e) => set(i, { value: [...e.target.selectedOptions].map((o) => o.value).join(', ') })}>
                {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
              </select>
            ) : choices ? (
              <select aria-label={t('admin.rule.conditionValue', { n })} value={r.value} onChange={(e) => set(i, { value: e.target.value })}>
                {!choices.some((c) => c.value === '') && <option value="" disabled>{t('admin.rule.choose')}</option>}
                {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
              </select>
            ) : (
              <input aria-label={t('admin.rule.conditionValue', { n })} value={r.value} onChange={(e) => set(i, { value: e.target.value })}
                placeholder={list ? t('admin.rule.listHint') : ''} inputMode={r.op === 'gt' || r.op === 'lt' ? 'decimal' : undefined} />
            )}
            <button type="button" className="btn btn-ghost btn-sm" aria-label={t('admin.rule.removeCondition', { n })} onClick={() => props.onChange(props.rows.filter((_, j) => j !== i))}>✕</button>
          </div>
        );
      })}
      <div>
        <button type="button" className="btn btn-sm" onClick={() => props.onChange([...props.rows, { field: 'ticket.status', op: 'is', value: 'open' }])}>{t('admin.rule.addCondition')}</button>
      </div>
    </fieldset>
  );
}

// ---- actions ----

type ActionType = TriggerAction['type'];
const ACTION_TYPES: ActionType[] = ['set_status', 'set_priority', 'set_team', 'assign', 'add_tags', 'remove_tags', 'set_custom_field', 'add_note', 'reply', 'notify'];
const SETTABLE_STATUSES: Array<Exclude<TicketStatus, 'new'>> = ['open', 'pending', 'on_hold', 'solved', 'closed'];

/** An action as typed: every field is text until the form is sent. */
export type ActionDraft = { type: ActionType } & Record<string, string>;

const blank: Record<ActionType, ActionDraft> = {
  set_status: { type: 'set_status', value: 'open' },
  set_priority: { type: 'set_priority', value: 'high' },
  set_team: { type: 'set_team', teamId: '' },
  assign: { type: 'assign', userId: '' },
  add_tags: { type: 'add_tags', tags: '' },
  remove_tags: { type: 'remove_tags', tags: '' },
  set_custom_field: { type: 'set_custom_field', key: '', value: '' },
  add_note: { type: 'add_note', body: '' },
  reply: { type: 'reply', body: '' },
  notify: { type: 'notify', to: 'assignee', title: '', body: '' },
};

export function actionDraft(a: TriggerAction): ActionDraft {
  switch (a.type) {
    case 'set_team': return { type: a.type, teamId: a.teamId ?? '' };
    case 'assign': return { type: a.type, userId: a.userId ?? '' };
    case 'add_tags':
    case 'remove_tags': return { type: a.type, tags: a.tags.join(', ') };
    case 'set_custom_field': return { type: a.type, key: a.key, value: Array.isArray(a.value) ? a.value.join(', ') : a.value === null ? '' : String(a.value) };
    case 'notify': return { type: a.type, to: a.to, title: a.title, body: a.body };
    default: return { type: a.type, ...(a as Record<string, string>) } as ActionDraft;
  }
}

export function actionOf(d: ActionDraft, fields: CustomFieldOut[]): TriggerAction {
  const s = (k: string) => d[k] ?? '';
  switch (d.type) {
    case 'set_status': return { type: d.type, value: s('value') as Exclude<TicketStatus, 'new'> };
    case 'set_priority': return { type: d.type, value: s('value') as TicketPriority };
    case 'set_team': return { type: d.type, teamId: s('teamId') || null };
    case 'assign': return { type: d.type, userId: s('userId') || null };
    case 'add_tags':
    case 'remove_tags': return { type: d.type, tags: splitList(s('tags')) };
    case 'set_custom_field': {
      const f = fields.find((x) => x.key === s('key'));
      const raw = s('value').trim();
      const value = f?.type === 'multiselect' ? commaList(raw) : f?.type === 'number' ? (raw === '' ? null : Number(raw)) : f?.type === 'checkbox' ? raw === 'true' : raw === '' ? null : raw;
      return { type: d.type, key: s('key'), value };
    }
    case 'add_note':
    case 'reply': return { type: d.type, body: s('body') };
    case 'notify': return { type: d.type, to: s('to') as 'assignee' | 'team_leads' | 'admins', title: s('title'), body: s('body') };
  }
}

/** The actions of a trigger or an automation, in the order they apply. */
export function ActionsEditor(props: { rows: ActionDraft[]; onChange(rows: ActionDraft[]): void; refs: RuleRefs }) {
  const { t } = useI18n();
  const set = (i: number, patch: Record<string, string>) => props.onChange(props.rows.map((r, j) => (j === i ? ({ ...r, ...patch } as ActionDraft) : r)));
  return (
    <fieldset className="choice">
      <legend>{t('admin.rule.actions')}</legend>
      {props.rows.map((r, i) => {
        const n = i + 1;
        const field = (label: MessageKey, input: React.ReactElement<{ id?: string }>) => <Field label={t(label, { n })}>{input}</Field>;
        const text = (key: string, label: MessageKey, opts: { area?: boolean; hint?: string } = {}) =>
          opts.area
            ? field(label, <textarea rows={3} value={r[key] ?? ''} onChange={(e) => set(i, { [key]: e.target.value })} />)
            : field(label, <input value={r[key] ?? ''} placeholder={opts.hint} onChange={(e) => set(i, { [key]: e.target.value })} />);
        const select = (key: string, label: MessageKey, options: Array<{ value: string; label: string }>) =>
          field(label, (
            <select value={r[key] ?? ''} onChange={(e) => set(i, { [key]: e.target.value })}>
              {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
            </select>
          ));
        const custom = props.refs.fields.find((f) => f.key === r.key);
        return (
          <div className="action-row" key={i}>
            <div className="rule-row">
              <select aria-label={t('admin.rule.actionType', { n })} value={r.type} onChange={(e) => props.onChange(props.rows.map((x, j) => (j === i ? { ...blank[e.target.value as ActionType] } : x)))}>
                {ACTION_TYPES.map((a) => <option key={a} value={a}>{t(`admin.rule.action.${a}`)}</option>)}
              </select>
              <button type="button" className="btn btn-ghost btn-sm" aria-label={t('admin.rule.removeAction', { n })} onClick={() => props.onChange(props.rows.filter((_, j) => j !== i))}>✕</button>
            </div>
            {r.type === 'set_status' && select('value', 'admin.rule.actionStatus', SETTABLE_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })))}
            {r.type === 'set_priority' && select('value', 'admin.rule.actionPriority', PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) })))}
            {r.type === 'set_team' && select('teamId', 'admin.rule.actionTeam', [{ value: '', label: t('filter.none') }, ...props.refs.teams.map((x) => ({ value: x.id, label: x.name }))])}
            {r.type === 'assign' && select('userId', 'admin.rule.actionAgent', [{ value: '', label: t('admin.rule.unassign') }, ...props.refs.agents.map((u) => ({ value: u.id, label: u.name }))])}
            {(r.type === 'add_tags' || r.type === 'remove_tags') && text('tags', 'admin.rule.actionTags', { hint: t('admin.rule.listHint') })}
            {r.type === 'set_custom_field' && (
              <>
                {select('key', 'admin.rule.actionField', [{ value: '', label: t('admin.rule.choose') }, ...props.refs.fields.map((f) => ({ value: f.key, label: f.label }))])}
                {custom && (custom.type === 'select' || custom.type === 'checkbox')
                  ? select('value', 'admin.rule.actionValue', [{ value: '', label: t('filter.none') }, ...(custom.type === 'checkbox' ? [{ value: 'true', label: t('admin.yes') }, { value: 'false', label: t('admin.no') }] : custom.options.map((o) => ({ value: o, label: o })))])
                  : text('value', 'admin.rule.actionValue', custom?.type === 'multiselect' ? { hint: t('admin.rule.listHint') } : {})}
              </>
            )}
            {(r.type === 'add_note' || r.type === 'reply') && text('body', 'admin.rule.actionBody', { area: true })}
            {r.type === 'notify' && (
              <>
                {select('to', 'admin.rule.actionTo', (['assignee', 'team_leads', 'admins'] as const).map((x) => ({ value: x, label: t(`admin.rule.to.${x}`) })))}
                {text('title', 'admin.rule.actionTitle')}
                {text('body', 'admin.rule.actionBody', { area: true })}
              </>
            )}
          </div>
        );
      })}
      <div>
        <button type="button" className="btn btn-sm" onClick={() => props.onChange([...props.rows, { ...blank.add_tags }])}>{t('admin.rule.addAction')}</button>
      </div>
    </fieldset>
  );
}

/** "Enabled" / "Off" as a badge in a list. */
export function EnabledBadge(props: { enabled: boolean }) {
  const { t } = useI18n();
  return <span className={props.enabled ? 'badge' : 'badge badge-warn'}>{props.enabled ? t('admin.rule.enabled') : t('admin.rule.disabled')}</span>;
}

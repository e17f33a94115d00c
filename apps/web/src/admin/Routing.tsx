/**
 * Routing: the settings of automatic assignment, the triage models (their held-out figures, and
 * training a new one), the admin rules tried before the model, and the triage queue where a
 * person chooses the team of the tickets the model was unsure about.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { linkHandler } from '../router.ts';
import { adminApi, type RoutingModelOut, type RoutingRuleOut, type TeamOut, type TicketPriority } from './adminApi.ts';
import { ErrorNote, Field, Refused, SaveFoot, isRefusal, splitList, useAction, useLoad, useSave } from './kit.tsx';

const CHANNELS = ['email', 'web', 'portal', 'chat', 'api', 'phone'] as const;
const PRIORITIES: TicketPriority[] = ['low', 'normal', 'high', 'urgent'];

export function RoutingScreen() {
  const { t } = useI18n();
  const teams = useLoad(() => adminApi.teams(), []);
  const settings = useLoad(() => adminApi.routingSettings(), []);
  if (isRefusal(settings.error)) return <Refused error={settings.error} />;
  const teamName = (id: string | null) => (id ? (teams.data?.find((x) => x.id === id)?.name ?? id) : '—');
  return (
    <section className="admin-body" aria-labelledby="routing-title">
      <header className="admin-head"><h2 id="routing-title">{t('admin.routing')}</h2></header>
      <ErrorNote error={settings.error ?? teams.error} />
      {settings.data && <SettingsForm value={settings.data} onSaved={settings.setData} />}
      <Models />
      <Rules teams={teams.data ?? []} teamName={teamName} />
      <Triage teams={teams.data ?? []} teamName={teamName} />
    </section>
  );
}

type Settings = Awaited<ReturnType<typeof adminApi.routingSettings>>;

function SettingsForm(props: { value: Settings; onSaved(s: Settings): void }) {
  const { t } = useI18n();
  const [autoAssign, setAutoAssign] = useState(props.value.autoAssign);
  const [minConfidence, setMinConfidence] = useState(String(props.value.minConfidence));
  const [windowDays, setWindowDays] = useState(String(props.value.trainingWindowDays));
  const [categoryField, setCategoryField] = useState(props.value.categoryField ?? '');
  const saving = useSave(props.onSaved);
  function submit(e: React.FormEvent) {
    e.preventDefault();
    void saving.save(() =>
      adminApi.updateRoutingSettings({ autoAssign, minConfidence: Number(minConfidence), trainingWindowDays: Number(windowDays), categoryField: categoryField.trim() || null }),
    );
  }
  return (
    <form className="admin-form narrow" onSubmit={submit} aria-labelledby="routing-settings">
      <h3 id="routing-settings">{t('routing.settings')}</h3>
      <label className="check"><input type="checkbox" checked={autoAssign} onChange={(e) => setAutoAssign(e.target.checked)} /> {t('routing.autoAssign')}</label>
      <Field label={t('routing.minConfidence')} hint={t('routing.minConfidenceHint')}>
        <input type="number" min={0} max={1} step={0.05} required value={minConfidence} onChange={(e) => setMinConfidence(e.target.value)} />
      </Field>
      <Field label={t('routing.window')} hint={t('routing.windowHint')}>
        <input type="number" min={7} max={3650} required value={windowDays} onChange={(e) => setWindowDays(e.target.value)} />
      </Field>
      <Field label={t('routing.categoryField')} hint={t('routing.categoryFieldHint')}>
        <input value={categoryField} onChange={(e) => setCategoryField(e.target.value)} />
      </Field>
      <SaveFoot save={saving} />
    </form>
  );
}

const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(1)} %` : '—');

/** The team head's held-out figures of a model (what the validation compares). */
function teamHead(m: RoutingModelOut): { accuracy?: number; macroF1?: number; ece?: number; classes?: number } {
  const heads = (m.metrics as { heads?: Record<string, { accuracy?: number; macroF1?: number; ece?: number; classes?: number }> }).heads;
  return heads?.team ?? {};
}

function Models() {
  const { t, dateTime } = useI18n();
  const models = useLoad(() => adminApi.routingModels(), []);
  const [queued, setQueued] = useState(false);
  const action = useAction();
  async function train() {
    setQueued(false);
    if (await action.run(() => adminApi.trainRoutingModel())) setQueued(true);
  }
  return (
    <section aria-labelledby="routing-models">
      <h3 id="routing-models">{t('routing.models')}</h3>
      <p className="muted">{t('routing.modelsHint')}</p>
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => void train()} disabled={action.busy}>{t('routing.train')}</button>{' '}
        <button type="button" className="btn" onClick={models.reload}>{t('routing.refresh')}</button>
      </div>
      {queued && <p className="notice" role="status">{t('routing.trainQueued')}</p>}
      <ErrorNote error={action.error ?? models.error} />
      <table className="admin-table">
        <thead>
          <tr><th>{t('routing.version')}</th><th>{t('routing.status')}</th><th>{t('routing.examples')}</th><th>{t('routing.accuracy')}</th><th>{t('routing.macroF1')}</th><th>{t('routing.ece')}</th><th>{t('routing.validation')}</th><th>{t('routing.trainedAt')}</th></tr>
        </thead>
        <tbody>
          {(models.data ?? []).map((m) => {
            const h = teamHead(m);
            const v = m.validation as { holdoutExamples?: number; newTeamAccuracy?: number; activeVersion?: number | null; activeTeamAccuracy?: number | null };
            return (
              <tr key={m.id} data-version={m.version}>
                <td>v{m.version}</td>
                <td>{t(`routing.model.${m.status}`)}</td>
                <td>{m.examples}</td>
                <td>{pct(h.accuracy)}</td>
                <td>{pct(h.macroF1)}</td>
                <td>{pct(h.ece)}</td>
                <td className="small">
                  {v.activeVersion
                    ? t('routing.versus', { n: v.holdoutExamples ?? 0, mine: pct(v.newTeamAccuracy), version: v.activeVersion, theirs: pct(v.activeTeamAccuracy) })
                    : t('routing.firstModel', { n: v.holdoutExamples ?? 0 })}
                </td>
                <td className="small nowrap"><time dateTime={m.createdAt}>{dateTime(m.createdAt)}</time></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {models.data && !models.data.length && <p className="muted">{t('routing.noModel')}</p>}
    </section>
  );
}

function describeRule(r: RoutingRuleOut, t: ReturnType<typeof useI18n>['t']): string {
  const parts: string[] = [];
  if (r.conditions.keywords?.length) parts.push(t('routing.rule.keywords', { list: r.conditions.keywords.join(', ') }));
  if (r.conditions.senderDomains?.length) parts.push(t('routing.rule.domains', { list: r.conditions.senderDomains.join(', ') }));
  if (r.conditions.channels?.length) parts.push(t('routing.rule.channels', { list: r.conditions.channels.map((c) => t(`channel.${c}`)).join(', ') }));
  if (r.conditions.category) parts.push(t('routing.rule.category', { name: r.conditions.category }));
  return parts.join(' · ');
}

function Rules(props: { teams: TeamOut[]; teamName(id: string | null): string }) {
  const { t } = useI18n();
  const rules = useLoad(() => adminApi.routingRules(), []);
  const [name, setName] = useState('');
  const [keywords, setKeywords] = useState('');
  const [domains, setDomains] = useState('');
  const [channels, setChannels] = useState<string[]>([]);
  const [category, setCategory] = useState('');
  const [teamId, setTeamId] = useState('');
  const [priority, setPriority] = useState('');
  const action = useAction();
  async function add(e: React.FormEvent) {
    e.preventDefault();
    // Keywords are phrases (a comma ends one); domains are single words.
    const words = keywords.split(',').map((k) => k.trim()).filter(Boolean);
    const fromDomains = splitList(domains);
    const created = await action.run(() =>
      adminApi.createRoutingRule({
        name: name.trim(),
        position: (rules.data?.length ?? 0) * 10,
        enabled: true,
        teamId,
        priority: (priority || null) as TicketPriority | null,
        conditions: {
          ...(words.length ? { keywords: words } : {}),
          ...(fromDomains.length ? { senderDomains: fromDomains } : {}),
          ...(channels.length ? { channels: channels as RoutingRuleOut['conditions']['channels'] } : {}),
          ...(category.trim() ? { category: category.trim() } : {}),
        },
      }),
    );
    if (created) {
      setName('');
      setKeywords('');
      setDomains('');
      setChannels([]);
      setCategory('');
      rules.reload();
    }
  }
  async function remove(id: string) {
    if (await action.run(async () => (await adminApi.deleteRoutingRule(id), true))) rules.reload();
  }
  return (
    <section aria-labelledby="routing-rules">
      <h3 id="routing-rules">{t('routing.rules')}</h3>
      <p className="muted">{t('routing.rulesHint')}</p>
      <table className="admin-table">
        <thead><tr><th>{t('routing.rule.name')}</th><th>{t('routing.rule.when')}</th><th>{t('routing.rule.team')}</th><th>{t('filter.priority')}</th><th><span className="sr-only">{t('admin.delete')}</span></th></tr></thead>
        <tbody>
          {(rules.data ?? []).map((r) => (
            <tr key={r.id}>
              <td>{r.name}{!r.enabled && <span className="muted"> ({t('routing.rule.disabled')})</span>}</td>
              <td className="small">{describeRule(r, t)}</td>
              <td>{props.teamName(r.teamId)}</td>
              <td>{r.priority ? t(`priority.${r.priority}`) : '—'}</td>
              <td><button type="button" className="btn btn-sm" onClick={() => void remove(r.id)} aria-label={t('routing.rule.remove', { name: r.name })}>{t('admin.delete')}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="admin-form narrow" onSubmit={add} aria-labelledby="routing-rule-new">
        <h4 id="routing-rule-new">{t('routing.rule.new')}</h4>
        <Field label={t('routing.rule.name')}><input required value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <Field label={t('routing.rule.keywordsLabel')} hint={t('routing.rule.keywordsHint')}><input value={keywords} onChange={(e) => setKeywords(e.target.value)} /></Field>
        <Field label={t('routing.rule.domainsLabel')} hint={t('routing.rule.domainsHint')}><input value={domains} onChange={(e) => setDomains(e.target.value)} placeholder="example.com" /></Field>
        <fieldset className="checks">
          <legend>{t('filter.channel')}</legend>
          {CHANNELS.map((c) => (
            <label key={c} className="check">
              <input type="checkbox" checked={channels.includes(c)} onChange={(e) => setChannels(e.target.checked ? [...channels, c] : channels.filter((x) => x !== c))} /> {t(`channel.${c}`)}
            </label>
          ))}
        </fieldset>
        <Field label={t('routing.rule.categoryLabel')}><input value={category} onChange={(e) => setCategory(e.target.value)} /></Field>
        <Field label={t('routing.rule.team')}>
          <select required value={teamId} onChange={(e) => setTeamId(e.target.value)}>
            <option value="">{t('routing.chooseTeam')}</option>
            {props.teams.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
          </select>
        </Field>
        <Field label={t('routing.rule.priority')}>
          <select value={priority} onChange={(e) => setPriority(e.target.value)}>
            <option value="">{t('routing.rule.keepPriority')}</option>
            {PRIORITIES.map((p) => <option key={p} value={p}>{t(`priority.${p}`)}</option>)}
          </select>
        </Field>
        <ErrorNote error={action.error} />
        <div className="form-actions"><button className="btn btn-primary" disabled={action.busy}>{t('routing.rule.add')}</button></div>
      </form>
    </section>
  );
}

function Triage(props: { teams: TeamOut[]; teamName(id: string | null): string }) {
  const { t, locale } = useI18n();
  const queue = useLoad(() => adminApi.triageQueue(locale), [locale]);
  const [choice, setChoice] = useState<Record<string, string>>({});
  const action = useAction();
  async function decide(ticketId: string, teamId: string) {
    if (!teamId) return;
    if (await action.run(() => adminApi.decideTriage(ticketId, teamId))) queue.reload();
  }
  const items = queue.data?.items ?? [];
  return (
    <section aria-labelledby="routing-triage">
      <h3 id="routing-triage">{t('routing.triage', { n: items.length })}</h3>
      <p className="muted">{t('routing.triageHint')}</p>
      <ErrorNote error={action.error ?? queue.error} />
      {queue.data && !items.length && <p className="muted">{t('routing.triageEmpty')}</p>}
      <ul className="triage-list">
        {items.map((r) => (
          <li key={r.ticketId}>
            <a href={`/tickets/${r.ticketId}`} onClick={linkHandler(`/tickets/${r.ticketId}`)}>{t('routing.openTicket')}</a>{' '}
            <span className="small">{r.explanation}</span>{' '}
            <label className="sr-only" htmlFor={`triage-${r.ticketId}`}>{t('routing.rule.team')}</label>
            <select id={`triage-${r.ticketId}`} value={choice[r.ticketId] ?? r.teamId ?? ''} onChange={(e) => setChoice({ ...choice, [r.ticketId]: e.target.value })}>
              <option value="">{t('routing.chooseTeam')}</option>
              {props.teams.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
            </select>{' '}
            <button type="button" className="btn btn-sm" disabled={action.busy || !(choice[r.ticketId] ?? r.teamId)} onClick={() => void decide(r.ticketId, choice[r.ticketId] ?? r.teamId ?? '')}>{t('routing.decide')}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

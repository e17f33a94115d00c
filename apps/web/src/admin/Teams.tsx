/** Teams: create, rename, delete, members and leads, and how the team's tickets reach an agent. */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { adminApi, type RoutingModeName, type SkillOut, type TeamOut, type TeamRoutingOut, type UserOut } from './adminApi.ts';
import { ErrorNote, PanelHead, Field, Refused, isRefusal, useAction, useLoad } from './kit.tsx';

export function TeamsScreen() {
  const { t } = useI18n();
  const teams = useLoad(() => adminApi.teams(), []);
  const staff = useLoad(() => adminApi.allUsers(), []);
  const [openId, setOpenId] = useState<string | null>(null);
  const [name, setName] = useState('');
  const create = useAction();
  if (isRefusal(teams.error)) return <Refused error={teams.error} />;

  async function add(e: React.FormEvent) {
    e.preventDefault();
    const team = await create.run(() => adminApi.createTeam(name.trim()));
    if (team) {
      setName('');
      teams.setData([...(teams.data ?? []), team].sort((a, b) => a.name.localeCompare(b.name)));
      setOpenId(team.id);
    }
  }
  const replace = (team: TeamOut) => teams.setData((teams.data ?? []).map((x) => (x.id === team.id ? team : x)));
  const open = teams.data?.find((x) => x.id === openId) ?? null;
  const names = new Map((staff.data ?? []).map((u) => [u.id, u.name]));

  return (
    <section className="admin-split" aria-labelledby="teams-title">
      <div className="admin-list">
        <header className="admin-head"><h2 id="teams-title">{t('admin.teams')}</h2></header>
        <form className="admin-inline-form" onSubmit={add}>
          <Field label={t('admin.team.newName')}><input required value={name} onChange={(e) => setName(e.target.value)} /></Field>
          <button className="btn btn-primary" disabled={create.busy}>{create.busy ? t('admin.saving') : t('admin.team.create')}</button>
        </form>
        <ErrorNote error={create.error ?? teams.error} />
        <table className="admin-table">
          <thead><tr><th>{t('admin.name')}</th><th>{t('admin.team.members')}</th><th>{t('admin.team.leads')}</th></tr></thead>
          <tbody>
            {teams.data?.map((team) => (
              <tr key={team.id} className={team.id === openId ? 'on' : ''}>
                <td><button className="link" onClick={() => setOpenId(team.id)}>{team.name}</button></td>
                <td>{team.members.length}</td>
                <td className="small">{team.members.filter((m) => m.isLead).map((m) => names.get(m.userId) ?? '?').join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open && (
        <TeamDetail
          key={open.id}
          team={open}
          teams={teams.data ?? []}
          staff={staff.data ?? []}
          onSaved={replace}
          onDeleted={() => {
            setOpenId(null);
            teams.setData((teams.data ?? []).filter((x) => x.id !== open.id));
          }}
          onClose={() => setOpenId(null)}
        />
      )}
    </section>
  );
}

function TeamDetail(props: { team: TeamOut; teams: TeamOut[]; staff: UserOut[]; onSaved(t: TeamOut): void; onDeleted(): void; onClose(): void }) {
  const { t } = useI18n();
  const team = props.team;
  const [name, setName] = useState(team.name);
  const [description, setDescription] = useState(team.description ?? '');
  const [members, setMembers] = useState(() => new Map(team.members.map((m) => [m.userId, m.isLead])));
  const rename = useAction();
  const save = useAction();
  const remove = useAction();
  const active = props.staff.filter((u) => u.status === 'active' || members.has(u.id));

  async function submitName(e: React.FormEvent) {
    e.preventDefault();
    const next = await rename.run(() => adminApi.updateTeam(team.id, { name: name.trim(), description }));
    if (next) props.onSaved(next);
  }
  async function submitMembers(e: React.FormEvent) {
    e.preventDefault();
    const list = [...members].map(([userId, isLead]) => ({ userId, isLead }));
    const next = await save.run(() => adminApi.setTeamMembers(team.id, list));
    if (next) props.onSaved(next);
  }
  async function del() {
    if (!window.confirm(t('admin.team.deleteConfirm', { name: team.name }))) return;
    if (await remove.run(() => adminApi.deleteTeam(team.id).then(() => true))) props.onDeleted();
  }
  const toggle = (id: string, on: boolean) =>
    setMembers((m) => {
      const n = new Map(m);
      if (on) n.set(id, n.get(id) ?? false);
      else n.delete(id);
      return n;
    });

  return (
    <div className="admin-panel">
      <PanelHead title={team.name} onClose={props.onClose} />
      <form className="admin-form" onSubmit={submitName} aria-label={t('admin.team.rename')}>
        <Field label={t('admin.name')}><input required value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <Field label={t('admin.description')}><textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} /></Field>
        <ErrorNote error={rename.error} />
        <div className="form-actions"><button className="btn btn-primary" disabled={rename.busy}>{rename.busy ? t('admin.saving') : t('admin.save')}</button></div>
      </form>
      <form className="admin-form" onSubmit={submitMembers} aria-labelledby="members-title">
        <h4 id="members-title">{t('admin.team.members')}</h4>
        <ul className="member-list">
          {active.map((u) => (
            <li key={u.id}>
              <label className="check">
                <input type="checkbox" checked={members.has(u.id)} onChange={(e) => toggle(u.id, e.target.checked)} />
                {u.name}
              </label>
              {members.has(u.id) && (
                <label className="check small">
                  <input type="checkbox" aria-label={t('admin.team.leadOf', { name: u.name })} checked={members.get(u.id) ?? false} onChange={(e) => setMembers((m) => new Map(m).set(u.id, e.target.checked))} />
                  {t('admin.team.lead')}
                </label>
              )}
            </li>
          ))}
        </ul>
        <ErrorNote error={save.error} />
        <div className="form-actions"><button className="btn" disabled={save.busy}>{save.busy ? t('admin.saving') : t('admin.team.saveMembers')}</button></div>
      </form>
      <TeamRouting team={team} teams={props.teams} />
      <div className="admin-form">
        <ErrorNote error={remove.error} />
        <div className="form-actions"><button className="btn btn-danger" disabled={remove.busy} onClick={del}>{t('admin.team.delete')}</button></div>
      </div>
    </div>
  );
}

const MODES: RoutingModeName[] = ['skills', 'round_robin', 'load_balanced', 'manual'];

function TeamRouting(props: { team: TeamOut; teams: TeamOut[] }) {
  const loaded = useLoad(() => Promise.all([adminApi.teamRouting(props.team.id), adminApi.skills()]), [props.team.id]);
  if (loaded.error) return <div className="admin-form"><ErrorNote error={loaded.error} /></div>;
  if (!loaded.data) return null;
  return <TeamRoutingForm value={loaded.data[0]} skills={loaded.data[1]} teams={props.teams} onSaved={(r) => loaded.setData([r, loaded.data![1]])} />;
}

function TeamRoutingForm(props: { value: TeamRoutingOut; skills: SkillOut[]; teams: TeamOut[]; onSaved(r: TeamRoutingOut): void }) {
  const { t } = useI18n();
  const [v, setV] = useState(props.value);
  const action = useAction();
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const next = await action.run(() =>
      adminApi.setTeamRouting(v.teamId, {
        mode: v.mode,
        skillId: v.skillId,
        reassignWhenAway: v.reassignWhenAway,
        overflowTeamId: v.overflowTeamId,
        overflowAfterMinutes: v.overflowTeamId ? v.overflowAfterMinutes : null,
      }),
    );
    if (next) props.onSaved(next);
  }
  return (
    <form className="admin-form" onSubmit={submit} aria-labelledby="routing-title">
      <h4 id="routing-title">{t('admin.team.routing')}</h4>
      <Field label={t('admin.team.mode')}>
        <select value={v.mode} onChange={(e) => setV({ ...v, mode: e.target.value as RoutingModeName })}>
          {MODES.map((m) => <option key={m} value={m}>{t(`routingMode.${m}`)}</option>)}
        </select>
      </Field>
      {v.mode === 'skills' && (
        <Field label={t('admin.team.skill')}>
          <select value={v.skillId ?? ''} onChange={(e) => setV({ ...v, skillId: e.target.value || null })}>
            <option value="">{t('filter.none')}</option>
            {props.skills.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </Field>
      )}
      <label className="check">
        <input type="checkbox" checked={v.reassignWhenAway} onChange={(e) => setV({ ...v, reassignWhenAway: e.target.checked })} />
        {t('admin.team.reassign')}
      </label>
      <div className="form-row">
        <Field label={t('admin.team.overflow')}>
          <select value={v.overflowTeamId ?? ''} onChange={(e) => setV({ ...v, overflowTeamId: e.target.value || null })}>
            <option value="">{t('filter.none')}</option>
            {props.teams.filter((x) => x.id !== v.teamId).map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
          </select>
        </Field>
        {v.overflowTeamId && (
          <Field label={t('admin.team.overflowAfter')}>
            <input type="number" min={1} required value={v.overflowAfterMinutes ?? ''} onChange={(e) => setV({ ...v, overflowAfterMinutes: e.target.value ? Number(e.target.value) : null })} />
          </Field>
        )}
      </div>
      <ErrorNote error={action.error} />
      <div className="form-actions"><button className="btn" disabled={action.busy}>{action.busy ? t('admin.saving') : t('admin.team.saveRouting')}</button></div>
    </form>
  );
}

/** One staff member: profile and role, deactivation, skills with proficiency, availability and working hours. */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { adminApi, type AvailabilityOut, type StaffRole, type UserOut } from './adminApi.ts';
import { ErrorNote, PanelHead, Field, LanguageSelect, RoleSelect, splitList, useAction, useLoad } from './kit.tsx';

export function UserDetail(props: { user: UserOut; notice: string | null; onSaved(u: UserOut): void; onClose(): void }) {
  const { t } = useI18n();
  const u = props.user;
  const [form, setForm] = useState({
    name: u.name,
    email: u.email ?? '',
    role: u.role as StaffRole,
    locale: (u.locale === 'fr' ? 'fr' : 'en') as 'en' | 'fr',
    languages: u.languages.join(', '),
    capacity: u.capacity === null ? '' : String(u.capacity),
    timeZone: u.timeZone,
  });
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const profile = useAction();
  const status = useAction();

  async function save(e: React.FormEvent) {
    e.preventDefault();
    const next = await profile.run(() =>
      adminApi.updateUser(u.id, {
        name: form.name.trim(),
        ...(form.email.trim() && form.email.trim() !== u.email ? { email: form.email.trim() } : {}),
        role: form.role,
        locale: form.locale,
        languages: splitList(form.languages),
        capacity: form.capacity.trim() === '' ? null : Number(form.capacity),
        timeZone: form.timeZone.trim(),
      }),
    );
    if (next) props.onSaved(next);
  }

  async function toggleStatus() {
    const suspend = u.status === 'active';
    if (suspend && !window.confirm(t('admin.user.deactivateConfirm', { name: u.name }))) return;
    const next = await status.run(() => adminApi.updateUser(u.id, { status: suspend ? 'suspended' : 'active' }));
    if (next) props.onSaved(next);
  }

  return (
    <div className="admin-panel" aria-labelledby="user-title">
      <PanelHead id="user-title" title={u.name} onClose={props.onClose} />
      {props.notice && <p className="notice" role="status">{props.notice}</p>}
      <form className="admin-form" onSubmit={save} aria-label={t('admin.user.profile')}>
        <Field label={t('admin.name')}><input required value={form.name} onChange={(e) => set({ name: e.target.value })} /></Field>
        <Field label={t('login.email')}><input type="email" required value={form.email} onChange={(e) => set({ email: e.target.value })} /></Field>
        <RoleSelect value={form.role} onChange={(role) => set({ role })} />
        <div className="form-row">
          <LanguageSelect label={t('admin.user.locale')} value={form.locale} onChange={(v) => set({ locale: v })} />
          <Field label={t('admin.user.capacity')}>
            <input type="number" min={0} max={10000} value={form.capacity} onChange={(e) => set({ capacity: e.target.value })} />
          </Field>
        </div>
        <Field label={t('admin.user.languages')} hint={t('admin.user.languagesHint')}>
          <input value={form.languages} onChange={(e) => set({ languages: e.target.value })} />
        </Field>
        <Field label={t('admin.user.timeZone')}><input value={form.timeZone} onChange={(e) => set({ timeZone: e.target.value })} /></Field>
        <ErrorNote error={profile.error} />
        <div className="form-actions">
          <button className="btn btn-primary" disabled={profile.busy}>{profile.busy ? t('admin.saving') : t('admin.save')}</button>
        </div>
      </form>
      <div className="admin-form">
        <p className="muted small">{u.status === 'active' ? t('admin.user.activeText') : t('admin.user.suspendedText')}</p>
        <ErrorNote error={status.error} />
        <div className="form-actions">
          <button className={u.status === 'active' ? 'btn btn-danger' : 'btn'} disabled={status.busy} onClick={toggleStatus}>
            {u.status === 'active' ? t('admin.user.deactivate') : t('admin.user.reactivate')}
          </button>
        </div>
      </div>
      <UserSkills user={u} onSaved={props.onSaved} />
      <Availability userId={u.id} />
    </div>
  );
}

function UserSkills(props: { user: UserOut; onSaved(u: UserOut): void }) {
  const { t } = useI18n();
  const skills = useLoad(() => adminApi.skills(), []);
  const [levels, setLevels] = useState<Record<string, number>>(() => Object.fromEntries(props.user.skills.map((s) => [s.skillId, s.proficiency])));
  const action = useAction();
  async function save(e: React.FormEvent) {
    e.preventDefault();
    const list = Object.entries(levels).filter(([, p]) => p > 0).map(([skillId, proficiency]) => ({ skillId, proficiency }));
    const next = await action.run(() => adminApi.setUserSkills(props.user.id, { skills: list }));
    if (next) props.onSaved(next);
  }
  return (
    <form className="admin-form" onSubmit={save} aria-labelledby="skills-title">
      <h4 id="skills-title">{t('admin.user.skills')}</h4>
      <ErrorNote error={skills.error} />
      {skills.data && skills.data.length === 0 && <p className="muted small">{t('admin.skill.none')}</p>}
      <div className="skill-grid">
        {skills.data?.map((s) => (
          <label key={s.id} className="prop">
            <span>{s.name}</span>
            <select value={levels[s.id] ?? 0} onChange={(e) => setLevels((l) => ({ ...l, [s.id]: Number(e.target.value) }))}>
              <option value={0}>{t('admin.skill.noLevel')}</option>
              {[1, 2, 3, 4, 5].map((n) => <option key={n} value={n}>{t('admin.skill.level', { n })}</option>)}
            </select>
          </label>
        ))}
      </div>
      <ErrorNote error={action.error} />
      <div className="form-actions">
        <button className="btn" disabled={action.busy || !skills.data}>{action.busy ? t('admin.saving') : t('admin.user.saveSkills')}</button>
      </div>
    </form>
  );
}

const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;

function Availability(props: { userId: string }) {
  const loaded = useLoad(() => adminApi.availability(props.userId), [props.userId]);
  if (loaded.error) return <div className="admin-form"><ErrorNote error={loaded.error} /></div>;
  if (!loaded.data) return null;
  return <AvailabilityForm userId={props.userId} value={loaded.data} onSaved={loaded.setData} />;
}

function AvailabilityForm(props: { userId: string; value: AvailabilityOut; onSaved(a: AvailabilityOut): void }) {
  const { t, locale } = useI18n();
  const v = props.value;
  const [status, setStatus] = useState(v.status);
  const [hours, setHours] = useState(!!v.workingHours);
  const [days, setDays] = useState<number[]>(v.workingHours?.days ?? [1, 2, 3, 4, 5]);
  const [start, setStart] = useState(v.workingHours?.start ?? '09:00');
  const [end, setEnd] = useState(v.workingHours?.end ?? '18:00');
  const action = useAction();
  const dayName = (d: number) => new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, d)));
  async function save(e: React.FormEvent) {
    e.preventDefault();
    const next = await action.run(() =>
      adminApi.setAvailability(props.userId, { status, workingHours: hours ? { days: [...days].sort(), start, end } : null }),
    );
    if (next) props.onSaved(next);
  }
  return (
    <form className="admin-form" onSubmit={save} aria-labelledby="avail-title">
      <h4 id="avail-title">{t('admin.user.availability')}</h4>
      <Field label={t('admin.user.availabilityStatus')}>
        <select value={status} onChange={(e) => setStatus(e.target.value as AvailabilityOut['status'])}>
          {(['online', 'away', 'offline'] as const).map((s) => <option key={s} value={s}>{t(`availability.${s}`)}</option>)}
        </select>
      </Field>
      <label className="check">
        <input type="checkbox" checked={hours} onChange={(e) => setHours(e.target.checked)} />
        {t('admin.user.workingHours')}
      </label>
      {hours && (
        <fieldset className="days">
          <legend className="sr-only">{t('admin.user.days')}</legend>
          {DAYS.map((d) => (
            <label key={d} className="check">
              <input type="checkbox" checked={days.includes(d)} onChange={(e) => setDays((x) => (e.target.checked ? [...x, d] : x.filter((y) => y !== d)))} />
              {dayName(d)}
            </label>
          ))}
          <div className="form-row">
            <Field label={t('admin.user.start')}><input type="time" required value={start} onChange={(e) => setStart(e.target.value)} /></Field>
            <Field label={t('admin.user.end')}><input type="time" required value={end} onChange={(e) => setEnd(e.target.value)} /></Field>
          </div>
        </fieldset>
      )}
      <ErrorNote error={action.error} />
      <div className="form-actions">
        <button className="btn" disabled={action.busy || (hours && days.length === 0)}>{action.busy ? t('admin.saving') : t('admin.user.saveAvailability')}</button>
      </div>
    </form>
  );
}

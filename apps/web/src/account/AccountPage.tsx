/**
 * My account (`/account`): what every staff member sets for themselves — name, interface language,
 * time zone, the languages they answer in, email notifications — and their password, changed by
 * giving the current one. Role, status, capacity and address stay with the admins.
 */
import type { UserOut } from '@guichet/contracts';
import { useEffect, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { useI18n, type Locale } from '../i18n.ts';
import { useSession } from '../session.ts';
import { ErrorNote, Field, LanguageSelect, SaveFoot, splitList, useAction, useSave } from '../admin/kit.tsx';

const MIN_PASSWORD = 10;

export function AccountPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const [user, setUser] = useState<UserOut | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  useEffect(() => {
    api.user(me.user.id).then(setUser, setLoadError);
  }, [me.user.id]);

  return (
    <div className="admin-body account-page">
      <h1>{t('account.title')}</h1>
      <p className="muted">{t('account.intro', { email: me.user.email ?? '' })}</p>
      {loadError ? <ErrorNote error={loadError} /> : user ? <ProfileForm user={user} onSaved={setUser} /> : <p aria-busy="true">{t('inbox.loading')}</p>}
      <PasswordForm />
    </div>
  );
}

function ProfileForm(props: { user: UserOut; onSaved(u: UserOut): void }) {
  const { t, setLocale } = useI18n();
  const u = props.user;
  const [form, setForm] = useState({ name: u.name, locale: u.locale as Locale, timeZone: u.timeZone, languages: u.languages.join(', '), emailNotifications: u.emailNotifications });
  const set = (p: Partial<typeof form>) => setForm((f) => ({ ...f, ...p }));
  const { refreshMe } = useSession();
  const save = useSave<UserOut>((next) => {
    props.onSaved(next);
    refreshMe(next);
    setLocale(next.locale as Locale);
  });
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

  return (
    <form
      className="admin-panel"
      aria-labelledby="profile-title"
      onSubmit={(e) => {
        e.preventDefault();
        void save.save(() =>
          api.updateMe(u.id, {
            name: form.name.trim(),
            locale: form.locale,
            timeZone: form.timeZone.trim(),
            languages: splitList(form.languages).map((l) => l.toLowerCase()),
            emailNotifications: form.emailNotifications,
          }),
        );
      }}
    >
      <h2 id="profile-title">{t('account.profile')}</h2>
      <Field label={t('admin.name')}><input required maxLength={200} value={form.name} onChange={(e) => set({ name: e.target.value })} /></Field>
      <LanguageSelect label={t('admin.user.locale')} value={form.locale} onChange={(v) => set({ locale: v })} />
      <Field label={t('admin.user.timeZone')} hint={t('account.timeZoneHint')}>
        <input list="account-zones" value={form.timeZone} onChange={(e) => set({ timeZone: e.target.value })} />
      </Field>
      <datalist id="account-zones">
        {zones.map((z) => <option key={z} value={z} />)}
      </datalist>
      <Field label={t('admin.user.languages')} hint={t('admin.user.languagesHint')}>
        <input value={form.languages} onChange={(e) => set({ languages: e.target.value })} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={form.emailNotifications} onChange={(e) => set({ emailNotifications: e.target.checked })} />
        {t('account.emailNotifications')}
      </label>
      <SaveFoot save={save} />
    </form>
  );
}

function PasswordForm() {
  const { t } = useI18n();
  const [form, setForm] = useState({ current: '', password: '', repeat: '' });
  const [problem, setProblem] = useState<'short' | 'different' | 'wrong' | null>(null);
  const [done, setDone] = useState(false);
  const action = useAction();
  const set = (p: Partial<typeof form>) => {
    setForm((f) => ({ ...f, ...p }));
    setDone(false);
  };

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setDone(false);
    if (form.password.length < MIN_PASSWORD) return setProblem('short');
    if (form.password !== form.repeat) return setProblem('different');
    setProblem(null);
    let wrong = false;
    const ok = await action.run(async () => {
      try {
        await api.changePassword(form.current, form.password);
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.code === 'CURRENT_PASSWORD_WRONG') {
          wrong = true;
          return false;
        }
        throw err;
      }
    });
    if (wrong) setProblem('wrong');
    if (ok) {
      setForm({ current: '', password: '', repeat: '' });
      setDone(true);
    }
  }

  return (
    <form className="admin-panel" aria-labelledby="password-title" onSubmit={(e) => void submit(e)}>
      <h2 id="password-title">{t('account.password')}</h2>
      <Field label={t('account.currentPassword')}>
        <input type="password" autoComplete="current-password" required value={form.current} onChange={(e) => set({ current: e.target.value })} aria-invalid={problem === 'wrong' || undefined} />
      </Field>
      <Field label={t('account.newPassword')} hint={t('account.passwordHint', { min: String(MIN_PASSWORD) })}>
        <input type="password" autoComplete="new-password" required value={form.password} onChange={(e) => set({ password: e.target.value })} aria-invalid={problem === 'short' || undefined} />
      </Field>
      <Field label={t('account.repeatPassword')}>
        <input type="password" autoComplete="new-password" required value={form.repeat} onChange={(e) => set({ repeat: e.target.value })} aria-invalid={problem === 'different' || undefined} />
      </Field>
      {problem && <p className="error" role="alert">{t(`account.problem.${problem}`, { min: String(MIN_PASSWORD) })}</p>}
      <ErrorNote error={action.error} />
      {done && <p className="notice" role="status">{t('account.passwordChanged')}</p>}
      <div className="form-actions">
        <button className="btn btn-primary" disabled={action.busy}>{action.busy ? t('admin.saving') : t('account.changePassword')}</button>
      </div>
    </form>
  );
}

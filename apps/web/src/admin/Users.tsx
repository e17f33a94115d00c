/** Staff: search, filter by role and status, add someone, open one to change their role, skills and availability. */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { useSession } from '../session.ts';
import { ROLES, adminApi, type StaffRole, type UserOut, type UserStatus } from './adminApi.ts';
import { ErrorNote, Field, LanguageSelect, ListFoot, Refused, RoleSelect, isRefusal, splitList, useAction, usePaged } from './kit.tsx';
import { UserDetail } from './UserDetail.tsx';

export function UsersScreen() {
  const { t, ago } = useI18n();
  const [q, setQ] = useState('');
  const [role, setRole] = useState<StaffRole | ''>('');
  const [status, setStatus] = useState<UserStatus | ''>('active');
  const [open, setOpen] = useState<UserOut | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = usePaged((cursor) => adminApi.users({ q: q.trim(), role, status }, cursor), `${q.trim()}|${role}|${status}`);
  if (isRefusal(list.error)) return <Refused error={list.error} />;

  const saved = (u: UserOut, invited?: string) => {
    setNotice(invited ? t('admin.user.invited', { email: invited }) : null);
    if (open === 'new') list.reload();
    else list.replace((x) => x.id === u.id, u);
    setOpen(u);
  };
  return (
    <section className="admin-split" aria-labelledby="users-title">
      <div className="admin-list">
        <header className="admin-head">
          <h2 id="users-title">{t('admin.users')}</h2>
          <button className="btn btn-primary" onClick={() => setOpen('new')}>{t('admin.user.new')}</button>
        </header>
        <div className="admin-filters">
          <input type="search" aria-label={t('admin.user.search')} placeholder={t('admin.user.search')} value={q} onChange={(e) => setQ(e.target.value)} />
          <Field inline label={t('admin.user.role')}>
            <select value={role} onChange={(e) => setRole(e.target.value as StaffRole | '')}>
              <option value="">{t('filter.any')}</option>
              {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
            </select>
          </Field>
          <Field inline label={t('admin.user.status')}>
            <select value={status} onChange={(e) => setStatus(e.target.value as UserStatus | '')}>
              <option value="">{t('filter.any')}</option>
              <option value="active">{t('admin.user.active')}</option>
              <option value="suspended">{t('admin.user.suspended')}</option>
            </select>
          </Field>
        </div>
        <ErrorNote error={list.error} />
        <table className="admin-table">
          <thead>
            <tr><th>{t('admin.name')}</th><th>{t('admin.user.role')}</th><th>{t('admin.user.status')}</th><th>{t('admin.user.lastLogin')}</th></tr>
          </thead>
          <tbody>
            {list.items.map((u) => (
              <tr key={u.id} className={open !== 'new' && open?.id === u.id ? 'on' : ''}>
                <td>
                  <button className="link" onClick={() => { setNotice(null); setOpen(u); }}>{u.name}</button>
                  <div className="muted small">{u.email}</div>
                </td>
                <td>{t(`role.${u.role as StaffRole}`)}</td>
                <td>{u.status === 'active' ? t('admin.user.active') : <span className="badge st-closed">{t('admin.user.suspended')}</span>}</td>
                <td className="muted small">{u.lastLoginAt ? ago(u.lastLoginAt) : t('admin.never')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <ListFoot loading={list.loading} hasMore={list.hasMore} more={list.more} count={list.items.length} />
      </div>
      {open === 'new' ? (
        <NewUser onCreated={saved} onCancel={() => setOpen(null)} />
      ) : open ? (
        <UserDetail key={open.id} user={open} notice={notice} onSaved={(u) => saved(u)} onClose={() => setOpen(null)} />
      ) : null}
    </section>
  );
}

function NewUser(props: { onCreated(u: UserOut, invited?: string): void; onCancel(): void }) {
  const { t } = useI18n();
  const { me } = useSession();
  const [form, setForm] = useState({ name: '', email: '', role: 'agent' as StaffRole, locale: 'en' as 'en' | 'fr', languages: '', password: '', invite: true });
  const [checked, setChecked] = useState(false);
  const action = useAction();
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const tooShort = !form.invite && form.password.length < 10;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setChecked(true);
    if (tooShort) return;
    const created = await action.run(async () => {
      const u = await adminApi.createUser({
        name: form.name.trim(),
        email: form.email.trim(),
        role: form.role,
        locale: form.locale,
        languages: splitList(form.languages),
        // An invitation is the password-reset mail, which only accounts with a password can get: the
        // account starts with a random one nobody sees, and the link lets the person choose theirs.
        password: form.invite ? randomSecret() : form.password,
      });
      if (form.invite) await adminApi.sendPasswordLink(u.email ?? form.email.trim(), me.workspace.slug);
      return u;
    });
    if (created) props.onCreated(created, form.invite ? (created.email ?? undefined) : undefined);
  }

  return (
    <form className="admin-panel" onSubmit={submit} aria-labelledby="new-user-title">
      <h3 id="new-user-title">{t('admin.user.new')}</h3>
      <Field label={t('admin.name')}><input required value={form.name} onChange={(e) => set({ name: e.target.value })} /></Field>
      <Field label={t('login.email')}><input type="email" required value={form.email} onChange={(e) => set({ email: e.target.value })} /></Field>
      <RoleSelect value={form.role} onChange={(role) => set({ role })} />
      <LanguageSelect label={t('admin.user.locale')} value={form.locale} onChange={(v) => set({ locale: v })} />
      <Field label={t('admin.user.languages')} hint={t('admin.user.languagesHint')}>
        <input value={form.languages} onChange={(e) => set({ languages: e.target.value })} />
      </Field>
      <fieldset className="choice">
        <legend>{t('admin.user.password')}</legend>
        <label className="check">
          <input type="radio" name="password-way" checked={form.invite} onChange={() => set({ invite: true })} />
          {t('admin.user.invite')}
        </label>
        <label className="check">
          <input type="radio" name="password-way" checked={!form.invite} onChange={() => set({ invite: false })} />
          {t('admin.user.setPassword')}
        </label>
        {!form.invite && (
          <Field label={t('admin.user.newPassword')} hint={t('admin.user.passwordHint')}>
            <input type="password" autoComplete="new-password" value={form.password} onChange={(e) => set({ password: e.target.value })} aria-invalid={(checked && tooShort) || undefined} />
          </Field>
        )}
      </fieldset>
      {checked && tooShort && <p className="error" role="alert">{t('admin.user.passwordShort')}</p>}
      <ErrorNote error={action.error} />
      <div className="form-actions">
        <button type="button" className="btn" onClick={props.onCancel}>{t('common.cancel')}</button>
        <button className="btn btn-primary" disabled={action.busy}>{action.busy ? t('admin.saving') : t('admin.user.create')}</button>
      </div>
    </form>
  );
}

/** 24 random bytes, base64url: an initial password nobody is shown. */
function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

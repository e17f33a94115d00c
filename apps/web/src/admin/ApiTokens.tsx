/** Personal API tokens: create (the secret is shown once, here), see when each was last used, revoke. */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { adminApi, type ApiTokenOut, type CreatedApiTokenOut } from './adminApi.ts';
import { ErrorNote, Field, Refused, SecretOnce, isRefusal, useAction, useLoad } from './kit.tsx';

export function ApiTokensScreen() {
  const { t, dateTime } = useI18n();
  const tokens = useLoad(() => adminApi.apiTokens(), []);
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [created, setCreated] = useState<CreatedApiTokenOut | null>(null);
  const create = useAction();
  if (isRefusal(tokens.error)) return <Refused error={tokens.error} />;

  async function add(e: React.FormEvent) {
    e.preventDefault();
    const tk = await create.run(() => adminApi.createApiToken(name.trim(), days ? Number(days) : undefined));
    if (tk) {
      setName('');
      setDays('');
      setCreated(tk);
      const { token: _secret, ...listed } = tk;
      tokens.setData([listed, ...(tokens.data ?? [])]);
    }
  }
  return (
    <section className="admin-body" aria-labelledby="tokens-title">
      <header className="admin-head"><h2 id="tokens-title">{t('admin.apiTokens')}</h2></header>
      <p className="muted">{t('admin.token.intro')}</p>
      <form className="admin-inline-form" onSubmit={add}>
        <Field label={t('admin.token.name')}><input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <Field label={t('admin.token.expires')}>
          <input type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} placeholder={t('admin.token.never')} />
        </Field>
        <button className="btn btn-primary" disabled={create.busy}>{create.busy ? t('admin.saving') : t('admin.token.create')}</button>
      </form>
      <ErrorNote error={create.error ?? tokens.error} />
      {created && <SecretOnce title={t('admin.token.createdTitle', { name: created.name })} label={t('admin.token.secret')} value={created.token} onDone={() => setCreated(null)} />}
      <table className="admin-table">
        <thead>
          <tr><th>{t('admin.token.name')}</th><th>{t('admin.token.prefix')}</th><th>{t('admin.token.created')}</th><th>{t('admin.token.lastUsed')}</th><th>{t('admin.token.expiresAt')}</th><th><span className="sr-only">{t('admin.actions')}</span></th></tr>
        </thead>
        <tbody>
          {tokens.data?.map((tk) => (
            <TokenRow key={tk.id} token={tk} dateTime={dateTime} onRevoked={() => tokens.setData((tokens.data ?? []).filter((x) => x.id !== tk.id))} />
          ))}
        </tbody>
      </table>
      {tokens.data?.length === 0 && <p className="empty">{t('admin.token.none')}</p>}
    </section>
  );
}

function TokenRow(props: { token: ApiTokenOut; dateTime(iso: string): string; onRevoked(): void }) {
  const { t } = useI18n();
  const tk = props.token;
  const action = useAction();
  async function revoke() {
    if (!window.confirm(t('admin.token.revokeConfirm', { name: tk.name }))) return;
    if (await action.run(() => adminApi.revokeApiToken(tk.id).then(() => true))) props.onRevoked();
  }
  return (
    <tr>
      <td>{tk.name}</td>
      <td><code>{tk.prefix}…</code></td>
      <td className="small">{props.dateTime(tk.createdAt)}</td>
      <td className="small">{tk.lastUsedAt ? props.dateTime(tk.lastUsedAt) : t('admin.never')}</td>
      <td className="small">{tk.expiresAt ? props.dateTime(tk.expiresAt) : t('admin.token.never')}</td>
      <td className="row-actions">
        <button className="btn btn-sm btn-danger" disabled={action.busy} onClick={revoke} aria-label={t('admin.token.revokeNamed', { name: tk.name })}>{t('admin.token.revoke')}</button>
        <ErrorNote error={action.error} />
      </td>
    </tr>
  );
}

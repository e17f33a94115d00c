/** Workspace settings: its name (shown in the app, the help center and emails), mail domain, default language. */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { adminApi, type WorkspaceOut } from './adminApi.ts';
import { ErrorNote, Field, LanguageSelect, Refused, isRefusal, useAction, useLoad } from './kit.tsx';

export function WorkspaceScreen() {
  const { t } = useI18n();
  const ws = useLoad(() => adminApi.workspace(), []);
  if (isRefusal(ws.error)) return <Refused error={ws.error} />;
  return (
    <section className="admin-body" aria-labelledby="ws-title">
      <header className="admin-head"><h2 id="ws-title">{t('admin.workspace')}</h2></header>
      <ErrorNote error={ws.error} />
      {ws.data && <WorkspaceForm value={ws.data} onSaved={ws.setData} />}
    </section>
  );
}

function WorkspaceForm(props: { value: WorkspaceOut; onSaved(w: WorkspaceOut): void }) {
  const { t } = useI18n();
  const v = props.value;
  const [name, setName] = useState(v.name);
  const [mailDomain, setMailDomain] = useState(v.mailDomain ?? '');
  const [language, setLanguage] = useState(v.defaultLanguage === 'fr' ? 'fr' : 'en');
  const [done, setDone] = useState(false);
  const action = useAction();
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setDone(false);
    const next = await action.run(() =>
      adminApi.updateWorkspace({ name: name.trim(), mailDomain: mailDomain.trim() || null, defaultLanguage: language as 'en' | 'fr' }),
    );
    if (next) {
      setDone(true);
      props.onSaved(next);
    }
  }
  return (
    <form className="admin-form narrow" onSubmit={submit}>
      <Field label={t('admin.ws.name')}><input required value={name} onChange={(e) => setName(e.target.value)} /></Field>
      <Field label={t('admin.ws.slug')} hint={t('admin.ws.slugHint')}><input readOnly value={v.slug} /></Field>
      <Field label={t('admin.ws.mailDomain')} hint={t('admin.ws.mailDomainHint')}>
        <input value={mailDomain} onChange={(e) => setMailDomain(e.target.value)} placeholder="support.example.com" />
      </Field>
      <LanguageSelect label={t('admin.ws.language')} value={language} onChange={(v) => setLanguage(v)} />
      <ErrorNote error={action.error} />
      {done && <p className="notice" role="status">{t('ticket.saved')}</p>}
      <div className="form-actions"><button className="btn btn-primary" disabled={action.busy}>{action.busy ? t('admin.saving') : t('admin.save')}</button></div>
    </form>
  );
}

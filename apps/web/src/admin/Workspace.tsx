/** Workspace settings: its name (shown in the app, the help center and emails), mail domain, default language; the help center's colour and logo. */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { adminApi, type WorkspaceOut } from './adminApi.ts';
import { ErrorNote, Field, LanguageSelect, Refused, SaveFoot, isRefusal, useLoad, useSave } from './kit.tsx';

export function WorkspaceScreen() {
  const { t } = useI18n();
  const ws = useLoad(() => adminApi.workspace(), []);
  if (isRefusal(ws.error)) return <Refused error={ws.error} />;
  return (
    <section className="admin-body" aria-labelledby="ws-title">
      <header className="admin-head"><h2 id="ws-title">{t('admin.workspace')}</h2></header>
      <ErrorNote error={ws.error} />
      {ws.data && <WorkspaceForm value={ws.data} onSaved={ws.setData} />}
      {ws.data && <BrandForm value={ws.data} onSaved={ws.setData} />}
    </section>
  );
}

function WorkspaceForm(props: { value: WorkspaceOut; onSaved(w: WorkspaceOut): void }) {
  const { t } = useI18n();
  const v = props.value;
  const [name, setName] = useState(v.name);
  const [mailDomain, setMailDomain] = useState(v.mailDomain ?? '');
  const [language, setLanguage] = useState(v.defaultLanguage === 'fr' ? 'fr' : 'en');
  const saving = useSave(props.onSaved);
  function submit(e: React.FormEvent) {
    e.preventDefault();
    void saving.save(() => adminApi.updateWorkspace({ name: name.trim(), mailDomain: mailDomain.trim() || null, defaultLanguage: language as 'en' | 'fr' }));
  }
  return (
    <form className="admin-form narrow" onSubmit={submit}>
      <Field label={t('admin.ws.name')}><input required value={name} onChange={(e) => setName(e.target.value)} /></Field>
      <Field label={t('admin.ws.slug')} hint={t('admin.ws.slugHint')}><input readOnly value={v.slug} /></Field>
      <Field label={t('admin.ws.mailDomain')} hint={t('admin.ws.mailDomainHint')}>
        <input value={mailDomain} onChange={(e) => setMailDomain(e.target.value)} placeholder="support.example.com" />
      </Field>
      <LanguageSelect label={t('admin.ws.language')} value={language} onChange={(v) => setLanguage(v)} />
      <SaveFoot save={saving} />
    </form>
  );
}

const LOGO_MAX = 256 * 1024;

/** The file's bytes as base64 (what PUT /workspace/logo takes). */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function BrandForm(props: { value: WorkspaceOut; onSaved(w: WorkspaceOut): void }) {
  const { t } = useI18n();
  const v = props.value;
  const [useColor, setUseColor] = useState(v.brandColor !== null);
  const [color, setColor] = useState(v.brandColor ?? '#2d5bd7');
  const [tooBig, setTooBig] = useState(false);
  const saving = useSave(props.onSaved);
  const action = saving.action;
  function saveColor(e: React.FormEvent) {
    e.preventDefault();
    void saving.save(() => adminApi.updateWorkspace({ brandColor: useColor ? color : null }));
  }
  function upload(file: File | undefined) {
    setTooBig(false);
    saving.clearDone();
    if (!file) return;
    if (file.size > LOGO_MAX) {
      setTooBig(true);
      return;
    }
    void saving.save(async () => adminApi.setLogo(await base64Of(file)));
  }
  function remove() {
    void saving.save(async () => {
      await adminApi.removeLogo();
      return adminApi.workspace();
    });
  }
  return (
    <form className="admin-form narrow" onSubmit={saveColor} aria-labelledby="brand-title">
      <h3 id="brand-title">{t('admin.ws.brand')}</h3>
      <label className="check"><input type="checkbox" checked={!useColor} onChange={(e) => setUseColor(!e.target.checked)} /> {t('admin.ws.brandDefault')}</label>
      <Field label={t('admin.ws.brandColor')} hint={t('admin.ws.brandColorHint')}>
        <input type="color" value={color} disabled={!useColor} onChange={(e) => setColor(e.target.value)} />
      </Field>
      <Field label={t('admin.ws.logo')} hint={t('admin.ws.logoHint')}>
        <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" onChange={(e) => upload(e.target.files?.[0])} />
      </Field>
      {v.logoUrl ? (
        <p>
          <img src={v.logoUrl} alt={t('admin.ws.logoCurrent')} height={40} />{' '}
          <button type="button" className="btn" onClick={remove} disabled={action.busy}>{t('admin.ws.logoRemove')}</button>
        </p>
      ) : (
        <p className="muted">{t('admin.ws.logoNone')}</p>
      )}
      {tooBig && <p className="error-text" role="alert">{t('admin.ws.logoTooBig')}</p>}
      <SaveFoot save={saving}>
        {' '}<a href={`/help/${encodeURIComponent(v.slug)}`} target="_blank" rel="noreferrer">{t('admin.ws.preview')}</a>
      </SaveFoot>
    </form>
  );
}

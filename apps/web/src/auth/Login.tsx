import { useState } from 'react';
import { api, ApiError, type MeOut } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { navigate } from '../router.ts';

function errorText(e: unknown, t: ReturnType<typeof useI18n>['t']): string {
  if (e instanceof ApiError) {
    if (e.code === 'INVALID_CREDENTIALS') return t('login.invalid');
    if (e.code === 'RATE_LIMITED') return t('login.rateLimited');
    if (e.code === 'NETWORK') return t('common.offline');
    return e.message;
  }
  return String(e);
}

export function LoginScreen(props: { onSignedIn(me: MeOut): void; expired?: boolean; email?: string }) {
  const { t, locale, setLocale } = useI18n();
  const [mode, setMode] = useState<'login' | 'forgot' | 'sent'>('login');
  const [email, setEmail] = useState(props.email ?? '');
  const [password, setPassword] = useState('');
  const [workspace, setWorkspace] = useState('');
  const [needWorkspace, setNeedWorkspace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'forgot') {
        await api.requestPasswordReset(email, workspace || undefined);
        setMode('sent');
      } else {
        props.onSignedIn(await api.login(email, password, workspace || undefined));
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'WORKSPACE_REQUIRED') {
        setNeedWorkspace(true);
        setError(t('login.workspaceHint'));
      } else setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <form className="auth-card" onSubmit={submit} aria-labelledby="auth-title">
        <div className="brand brand-lg"><span className="brand-mark" aria-hidden="true" />Guichet</div>
        <h1 id="auth-title">{mode === 'login' ? t('login.title') : t('reset.title')}</h1>
        {props.expired && mode === 'login' && <p className="notice" role="status">{t('login.expired')}</p>}
        {mode === 'sent' ? (
          <p className="notice" role="status">{t('reset.sent')}</p>
        ) : (
          <>
            {mode === 'forgot' && <p className="muted">{t('reset.intro')}</p>}
            <label>
              {t('login.email')}
              <input type="email" name="email" autoComplete="username" required autoFocus={!props.email} value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            {mode === 'login' && (
              <label>
                {t('login.password')}
                <input type="password" name="password" autoComplete="current-password" required autoFocus={!!props.email} value={password} onChange={(e) => setPassword(e.target.value)} />
              </label>
            )}
            {needWorkspace && (
              <label>
                {t('login.workspace')}
                <input name="workspace" required value={workspace} onChange={(e) => setWorkspace(e.target.value)} />
              </label>
            )}
            {error && <p className="error" role="alert">{error}</p>}
            <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
              {busy ? t('login.busy') : mode === 'login' ? t('login.submit') : t('reset.submit')}
            </button>
          </>
        )}
        <div className="auth-foot">
          {mode === 'login' ? (
            <button type="button" className="link" onClick={() => { setMode('forgot'); setError(null); }}>{t('login.forgot')}</button>
          ) : (
            <button type="button" className="link" onClick={() => { setMode('login'); setError(null); }}>{t('reset.back')}</button>
          )}
          <LanguageSwitch locale={locale} setLocale={setLocale} />
        </div>
      </form>
    </main>
  );
}

export function LanguageSwitch(props: { locale: string; setLocale(l: 'en' | 'fr'): void }) {
  const { t } = useI18n();
  return (
    <select aria-label={t('nav.language')} className="lang" value={props.locale} onChange={(e) => props.setLocale(e.target.value as 'en' | 'fr')}>
      <option value="en">English</option>
      <option value="fr">Français</option>
    </select>
  );
}

export function ResetPasswordScreen(props: { token: string | null }) {
  const { t, locale, setLocale } = useI18n();
  const [password, setPassword] = useState('');
  const [state, setState] = useState<'form' | 'busy' | 'done'>('form');
  const [error, setError] = useState<string | null>(props.token ? null : t('reset.badToken'));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!props.token) return;
    setState('busy');
    setError(null);
    try {
      await api.confirmPasswordReset(props.token, password);
      setState('done');
    } catch (err) {
      setState('form');
      setError(err instanceof ApiError && err.code === 'RESET_TOKEN_INVALID' ? t('reset.badToken') : errorText(err, t));
    }
  }

  return (
    <main className="auth">
      <form className="auth-card" onSubmit={submit} aria-labelledby="reset-title">
        <div className="brand brand-lg"><span className="brand-mark" aria-hidden="true" />Guichet</div>
        <h1 id="reset-title">{t('reset.newTitle')}</h1>
        {state === 'done' ? (
          <p className="notice" role="status">{t('reset.done')}</p>
        ) : (
          <>
            <label>
              {t('reset.newPassword')}
              <input type="password" autoComplete="new-password" minLength={10} required value={password} onChange={(e) => setPassword(e.target.value)} disabled={!props.token} />
            </label>
            {error && <p className="error" role="alert">{error}</p>}
            <button className="btn btn-primary btn-block" type="submit" disabled={state === 'busy' || !props.token}>{t('reset.confirmSubmit')}</button>
          </>
        )}
        <div className="auth-foot">
          <button type="button" className="link" onClick={() => navigate('/', { replace: true })}>{t('reset.back')}</button>
          <LanguageSwitch locale={locale} setLocale={setLocale} />
        </div>
      </form>
    </main>
  );
}

import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, onUnauthenticated, type MeOut } from './api.ts';
import { I18nContext, makeI18n, pickLocale, rememberLocale, type Locale } from './i18n.ts';
import { match, navigate, useLocation } from './router.ts';
import { SessionContext, type Directory, type Session } from './session.ts';
import { LoginScreen, ResetPasswordScreen } from './auth/Login.tsx';
import { Shell } from './Shell.tsx';
import { CustomerTicketNotice } from './auth/CustomerTicketNotice.tsx';

type State = { kind: 'loading' } | { kind: 'signedOut' } | { kind: 'signedIn'; me: MeOut; directory: Directory | null };

export function App() {
  const [locale, setLocaleState] = useState<Locale>(() => pickLocale());
  const [state, setState] = useState<State>({ kind: 'loading' });
  /** The session ended while the app was open: sign in again over the current screen, which stays mounted. */
  const [expired, setExpired] = useState(false);
  const { path, search } = useLocation();
  const route = match(path, search);

  const setLocale = useCallback((l: Locale) => {
    rememberLocale(l);
    setLocaleState(l);
    document.documentElement.lang = l;
  }, []);
  const i18n = useMemo(() => makeI18n(locale, setLocale), [locale, setLocale]);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const signedIn = useCallback(
    async (me: MeOut) => {
      setLocaleState(pickLocale(me.user.locale));
      setState({ kind: 'signedIn', me, directory: null });
      setExpired(false);
      try {
        const [users, teams] = await Promise.all([api.users(), api.teams()]);
        const directory: Directory = {
          users: new Map(users.map((u) => [u.id, u])),
          teams,
          myTeamIds: teams.filter((t) => t.members.some((m) => m.userId === me.user.id)).map((t) => t.id),
        };
        setState({ kind: 'signedIn', me, directory });
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return;
        // A role that cannot list staff still gets the app, with ids instead of names.
        setState({ kind: 'signedIn', me, directory: { users: new Map(), teams: [], myTeamIds: [] } });
      }
    },
    [],
  );

  useEffect(() => {
    api.me().then(signedIn, () => setState({ kind: 'signedOut' }));
    return onUnauthenticated(() => setExpired(true));
  }, [signedIn]);

  const signOut = useCallback(() => {
    api.logout().finally(() => {
      setState({ kind: 'signedOut' });
      navigate('/', { replace: true });
    });
  }, []);

  let body: React.ReactNode;
  if (route.name === 'reset') body = <ResetPasswordScreen token={route.token} />;
  else if (state.kind === 'loading') body = <div className="splash" aria-busy="true" />;
  else if (state.kind === 'signedOut') body = <LoginScreen onSignedIn={signedIn} />;
  else if (state.me.user.role === 'customer')
    body = (
      <main className="auth">
        <div className="auth-card" role="alert">
          <div className="brand brand-lg"><span className="brand-mark" aria-hidden="true" />Guichet</div>
          {route.name === 'ticket' && <CustomerTicketNotice ticketRef={route.ref} />}
          <h1>{i18n.t('staffOnly.title')}</h1>
          <p className="muted">{i18n.t('staffOnly.text')}</p>
          <button className="btn btn-block" onClick={signOut}>{i18n.t('nav.signOut')}</button>
        </div>
      </main>
    );
  else if (!state.directory) body = <div className="splash" aria-busy="true" />;
  else {
    const session: Session = {
      me: state.me,
      directory: state.directory,
      signOut,
      // After one's own profile changed (My account): the name in the sidebar and the directory follow.
      refreshMe: (u) => {
        setState((s) => {
          if (s.kind !== 'signedIn' || !s.directory) return s;
          const users = new Map(s.directory.users);
          users.set(u.id, u);
          return { ...s, me: { ...s.me, user: { ...s.me.user, name: u.name, locale: u.locale } }, directory: { ...s.directory, users } };
        });
      },
    };
    body = (
      <SessionContext.Provider value={session}>
        <Shell route={route} />
        {expired && (
          <div className="overlay" role="dialog" aria-modal="true">
            <LoginScreen
              onSignedIn={(me) => (me.user.id === state.me.user.id ? setExpired(false) : void signedIn(me))}
              expired
              email={state.me.user.email ?? ''}
            />
          </div>
        )}
      </SessionContext.Provider>
    );
  }
  return <I18nContext.Provider value={i18n}>{body}</I18nContext.Provider>;
}

import { useEffect, useRef, useState } from 'react';
import { api } from './api.ts';
import { useI18n, type Locale } from './i18n.ts';
import { linkHandler, navigate, type Route } from './router.ts';
import { useSession } from './session.ts';
import { isTyping, screenActions, SHORTCUTS } from './shortcuts.ts';
import { InboxContext, useInboxState } from './inbox/useInbox.ts';
import { InboxScreen, openTicketAt } from './inbox/Inbox.tsx';
import { VIEWS } from './inbox/views.ts';
import { TicketPage } from './ticket/TicketPage.tsx';
import { Avatar } from './ui.tsx';
import { LanguageSwitch } from './auth/Login.tsx';
import { NotificationBell } from './notifications/NotificationBell.tsx';
import { AdminArea, canAdminister } from './admin/AdminArea.tsx';
import { AccountPage } from './account/AccountPage.tsx';
import { NewTicket } from './ticket/NewTicket.tsx';
import { KnowledgeArea } from './knowledge/KnowledgeArea.tsx';

export function Shell(props: { route: Route }) {
  const { t, locale, setLocale } = useI18n();
  const { me, signOut } = useSession();
  const inbox = useInboxState();
  const [help, setHelp] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const route = props.route;

  useEffect(() => {
    if (route.name === 'inbox') inbox.setView(route.view);
  }, [route, inbox]);

  // One listener for the whole app; see shortcuts.ts.
  const state = useRef({ route, inbox, help });
  state.current = { route, inbox, help };
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const { route, inbox, help } = state.current;
      if (e.key === 'Escape') {
        if (help) setHelp(false);
        // Escape leaves a text field first, so the next key is a shortcut again.
        else if (isTyping(e.target)) (e.target as HTMLElement).blur();
        else if (!isTyping(e.target) && route.name === 'ticket') navigate(inbox.viewId === 'mine' ? '/' : `/views/${inbox.viewId}`);
        return;
      }
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      // The admin screens are forms: their keys (Enter on a button…) are theirs, not the inbox's.
      if ((route.name === 'admin' || route.name === 'knowledge') && e.key !== '?') return;
      if (document.querySelector('.overlay[data-blocking]')) return;
      const onTicket = route.name === 'ticket';
      const step = (d: number) => {
        e.preventDefault();
        const next = Math.max(0, Math.min(inbox.cursor + d, inbox.items.length - 1));
        inbox.setCursor(next);
        if (onTicket) openTicketAt(inbox.items, next);
        if (next >= inbox.items.length - 5) inbox.loadMore();
      };
      const cursorTicket = inbox.items[inbox.cursor];
      switch (e.key) {
        case 'j':
          return step(1);
        case 'k':
          return step(-1);
        case 'Enter':
        case 'o':
          if (!onTicket && cursorTicket) {
            e.preventDefault();
            openTicketAt(inbox.items, inbox.cursor);
          }
          return;
        case 'x':
          if (!onTicket && cursorTicket) {
            e.preventDefault();
            inbox.toggle(cursorTicket.id);
          }
          return;
        case '/':
          e.preventDefault();
          if (onTicket) navigate(inbox.viewId === 'mine' ? '/' : `/views/${inbox.viewId}`);
          requestAnimationFrame(() => searchRef.current?.focus());
          return;
        case '?':
          e.preventDefault();
          setHelp((h) => !h);
          return;
        case 'r':
        case 'n':
        case 'a':
        case 'c': {
          const actions = screenActions();
          const f = { r: actions.reply, n: actions.note, a: actions.assignMe, c: actions.close }[e.key];
          if (f) {
            e.preventDefault();
            f();
          } else if (!onTicket && cursorTicket && (e.key === 'a' || e.key === 'c')) {
            e.preventDefault();
            const patch = e.key === 'a' ? { assigneeId: me.user.id } : { status: 'solved' as const };
            api.updateTicket(cursorTicket.id, { ...patch, version: cursorTicket.version }).then((tk) => {
              inbox.replace(tk);
              inbox.refreshCounts();
            }, () => {});
          } else if (!onTicket && cursorTicket && (e.key === 'r' || e.key === 'n')) {
            e.preventDefault();
            openTicketAt(inbox.items, inbox.cursor);
          }
          return;
        }
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [me.user.id]);

  const changeLocale = (l: Locale) => {
    setLocale(l);
    api.updateMe(me.user.id, { locale: l }).catch(() => {});
  };

  return (
    <InboxContext.Provider value={inbox}>
      <div className="shell">
        <nav className="sidebar" aria-label={t('nav.inbox')}>
          <div className="brand"><span className="brand-mark" aria-hidden="true" />Guichet<span className="ws">{me.workspace.name}</span></div>
          <NotificationBell />
          {me.permissions.includes('tickets:create') && (
            <a className={`btn btn-sm new-ticket-link${route.name === 'newTicket' ? ' on' : ''}`} href="/tickets/new" onClick={linkHandler('/tickets/new')} aria-current={route.name === 'newTicket' ? 'page' : undefined}>
              + {t('nav.newTicket')}
            </a>
          )}
          <div className="nav-title">{t('nav.inbox')}</div>
          <ul className="views">
            {VIEWS.map((v) => {
              const href = v.id === 'mine' ? '/' : `/views/${v.id}`;
              const active = (route.name === 'inbox' || route.name === 'ticket') && inbox.viewId === v.id;
              const n = v.countKey && inbox.counts ? inbox.counts[v.countKey] : null;
              return (
                <li key={v.id}>
                  <a href={href} onClick={linkHandler(href)} className={active ? 'on' : ''} aria-current={active ? 'page' : undefined} data-view={v.id}>
                    <span>{t(v.label)}</span>
                    {n !== null && <span className="n">{n}</span>}
                  </a>
                </li>
              );
            })}
          </ul>
          {inbox.savedViews.length > 0 && (
            <>
              <div className="nav-title">{t('view.savedTitle')}</div>
              <ul className="views">
                {inbox.savedViews.map((v) => {
                  const id = `s-${v.id}`;
                  const href = `/views/${id}`;
                  const active = (route.name === 'inbox' || route.name === 'ticket') && inbox.viewId === id;
                  return (
                    <li key={v.id} className="saved">
                      <a href={href} onClick={linkHandler(href)} className={active ? 'on' : ''} aria-current={active ? 'page' : undefined} data-view={id}>
                        <span>{v.name}{v.shared && <span className="shared" aria-hidden="true"> ·</span>}</span>
                      </a>
                      {v.permissions.update && (
                        <button className="del" aria-label={t('view.delete', { name: v.name })} onClick={() => {
                          if (!window.confirm(t('view.deleteConfirm', { name: v.name }))) return;
                          void inbox.deleteView(v.id).then(() => { if (active) navigate('/'); }, () => {});
                        }}>×</button>
                      )}
                    </li>
                  );
                })}
              </ul>
            </>
          )}
          <ul className="views admin-link">
            <li>
              <a href="/knowledge" onClick={linkHandler('/knowledge')} className={route.name === 'knowledge' ? 'on' : ''} aria-current={route.name === 'knowledge' ? 'page' : undefined}>
                <span>{t('nav.knowledge')}</span>
              </a>
            </li>
            {canAdminister(me) && (
              <li>
                <a href="/admin" onClick={linkHandler('/admin')} className={route.name === 'admin' ? 'on' : ''} aria-current={route.name === 'admin' ? 'page' : undefined}>
                  <span>{t('nav.admin')}</span>
                </a>
              </li>
            )}
          </ul>
          <div className="sidebar-foot">
            <button className="link small" onClick={() => setHelp(true)}>{t('nav.shortcuts')} <kbd>?</kbd></button>
            <a className={`me${route.name === 'account' ? ' on' : ''}`} href="/account" onClick={linkHandler('/account')} aria-current={route.name === 'account' ? 'page' : undefined} title={t('nav.account')}>
              <Avatar name={me.user.name} />
              <div className="me-name">
                <strong>{me.user.name}</strong>
                <span className="muted small">{me.user.role === 'customer' ? me.user.role : t(`role.${me.user.role}`)} · {t('nav.account')}</span>
              </div>
            </a>
            <div className="me-actions">
              <LanguageSwitch locale={locale} setLocale={changeLocale} />
              <button className="btn btn-ghost btn-sm" onClick={signOut}>{t('nav.signOut')}</button>
            </div>
          </div>
        </nav>
        <main className="main">
          {route.name === 'ticket' ? (
            <TicketPage key={route.ref} ticketRef={route.ref} />
          ) : route.name === 'inbox' ? (
            <InboxScreen searchRef={searchRef} />
          ) : route.name === 'admin' ? (
            <AdminArea section={route.section} />
          ) : route.name === 'knowledge' ? (
            <KnowledgeArea sub={route.sub} />
          ) : route.name === 'account' ? (
            <AccountPage />
          ) : route.name === 'newTicket' ? (
            <NewTicket />
          ) : (
            <div className="empty" role="alert">
              <p>{t('ticket.notFound')}</p>
              <a href="/" onClick={linkHandler('/')}>{t('ticket.back')}</a>
            </div>
          )}
        </main>
      </div>
      {help && (
        <div className="overlay" data-blocking role="dialog" aria-modal="true" aria-labelledby="help-title" onClick={() => setHelp(false)}>
          <div className="dialog" onClick={(e) => e.stopPropagation()}>
            <h2 id="help-title">{t('help.title')}</h2>
            <dl className="keys">
              {SHORTCUTS.map(([k, label]) => (
                <div key={k}>
                  <dt><kbd>{k}</kbd></dt>
                  <dd>{t(label)}</dd>
                </div>
              ))}
            </dl>
            <button className="btn" autoFocus onClick={() => setHelp(false)}>{t('common.close')}</button>
          </div>
        </div>
      )}
    </InboxContext.Provider>
  );
}

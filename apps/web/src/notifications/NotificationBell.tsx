/**
 * The bell: my unread notifications (mentions, assignments, replies on tickets I am assigned to
 * or follow, SLA warnings), counted live. Every ticket signal of the realtime connection may
 * carry one for me (a note, an assignment, a reply), so the count is read again shortly after
 * any, and every minute in case the connection was away. The panel lists them newest first;
 * opening one marks it read and opens its ticket.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type NotificationItem } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { navigate } from '../router.ts';
import { useSession } from '../session.ts';
import { useInbox } from '../inbox/useInbox.ts';

const ICON: Record<string, string> = { mention: '@', assigned: '→', reply: '↩', 'sla.warning': '⏰', 'sla.breached': '!', trigger: '•' };

export function NotificationBell() {
  const { t, ago } = useI18n();
  const { me } = useSession();
  const inbox = useInbox();
  const [unread, setUnread] = useState<number | null>(null);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<NotificationItem[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [emailOn, setEmailOn] = useState<boolean | null>(null);
  const panel = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  const refresh = useCallback(() => {
    api.notificationCount().then(setUnread, () => {});
  }, []);

  const loadList = useCallback(() => {
    api.notifications(null).then((p) => {
      setItems(p.items);
      setCursor(p.nextCursor);
    }, () => setItems([]));
  }, []);

  useEffect(() => {
    refresh();
    let timer: number | undefined;
    const off = inbox.onTicketSignal(() => {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    });
    const poll = window.setInterval(refresh, 60_000);
    const onFocus = () => refresh();
    window.addEventListener('focus', onFocus);
    return () => {
      off();
      window.clearTimeout(timer);
      window.clearInterval(poll);
      window.removeEventListener('focus', onFocus);
    };
  }, [inbox, refresh]);

  // A new notification while the panel is open shows in it.
  useEffect(() => {
    if (open) loadList();
  }, [open, unread, loadList]);

  useEffect(() => {
    if (!open) return;
    if (emailOn === null) api.user(me.user.id).then((u) => setEmailOn(u.emailNotifications), () => {});
    const onDown = (e: MouseEvent) => {
      if (!panel.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('mousedown', onDown);
    window.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('mousedown', onDown);
      window.removeEventListener('keydown', onKey, true);
    };
  }, [open, emailOn, me.user.id]);

  const openOne = (n: NotificationItem) => {
    if (!n.readAt) {
      api.markNotificationsRead([n.id]).then(refresh, () => {});
      setItems((prev) => prev?.map((x) => (x.id === n.id ? { ...x, readAt: new Date().toISOString() } : x)) ?? null);
    }
    setOpen(false);
    const ref = typeof n.data.ticketNumber === 'number' ? n.data.ticketNumber : n.ticketId;
    if (ref) navigate(`/tickets/${ref}`);
  };

  const markAll = () => {
    api.markAllNotificationsRead().then(() => {
      setItems((prev) => prev?.map((x) => (x.readAt ? x : { ...x, readAt: new Date().toISOString() })) ?? null);
      refresh();
    }, () => {});
  };

  const n = unread ?? 0;
  return (
    <div className="bell-wrap">
      <button
        ref={button}
        className={`bell${n ? ' has-unread' : ''}`}
        aria-label={n ? `${t('notif.bell')} · ${t('notif.unread', { n })}` : t('notif.bell')}
        aria-expanded={open}
        aria-haspopup="dialog"
        onClick={() => setOpen((o) => !o)}
      >
        {/* A drawn bell: an emoji depends on the fonts of the machine (a blank box without them). */}
        <svg aria-hidden="true" width="16" height="16" viewBox="0 0 16 16" fill="currentColor">
          <path d="M8 1.5a1 1 0 0 1 1 1v.6a4.5 4.5 0 0 1 3.5 4.4v2.8l1.3 1.6a.6.6 0 0 1-.5 1H2.7a.6.6 0 0 1-.5-1l1.3-1.6V7.5A4.5 4.5 0 0 1 7 3.1v-.6a1 1 0 0 1 1-1zM6.3 13.8h3.4a1.7 1.7 0 0 1-3.4 0z" />
        </svg>
        {n > 0 && <span className="bell-count" data-testid="bell-count">{n > 99 ? '99+' : n}</span>}
      </button>
      {open && (
        <div className="bell-panel" ref={panel} role="dialog" aria-label={t('notif.bell')}>
          <header>
            <strong>{t('notif.bell')}</strong>
            <button className="link small" onClick={markAll} disabled={!n}>{t('notif.markAll')}</button>
          </header>
          {items === null ? (
            <p className="muted small">{t('notif.loading')}</p>
          ) : items.length === 0 ? (
            <p className="muted small">{t('notif.empty')}</p>
          ) : (
            <ul className="notif-list">
              {items.map((x) => (
                <li key={x.id} className={x.readAt ? 'read' : 'unread'}>
                  <a
                    href={typeof x.data.ticketNumber === 'number' ? `/tickets/${x.data.ticketNumber}` : x.ticketId ? `/tickets/${x.ticketId}` : '#'}
                    onClick={(e) => {
                      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
                      e.preventDefault();
                      openOne(x);
                    }}
                  >
                    <span className={`notif-kind k-${x.kind.replace('.', '-')}`} aria-hidden="true">{ICON[x.kind] ?? '•'}</span>
                    <span className="notif-text">
                      <strong>{x.title}</strong>
                      {x.body && <span className="muted small">{x.body}</span>}
                      <time className="muted small" dateTime={x.createdAt}>{ago(x.createdAt)}</time>
                    </span>
                  </a>
                  {!x.readAt && (
                    <button className="link small" aria-label={`${t('notif.markRead')}: ${x.title}`} onClick={() => {
                      api.markNotificationsRead([x.id]).then(refresh, () => {});
                      setItems((prev) => prev?.map((y) => (y.id === x.id ? { ...y, readAt: new Date().toISOString() } : y)) ?? null);
                    }}>✓</button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {cursor && (
            <button className="link small" onClick={() => api.notifications(cursor).then((p) => {
              setItems((prev) => [...(prev ?? []), ...p.items]);
              setCursor(p.nextCursor);
            }, () => {})}>{t('notif.more')}</button>
          )}
          {emailOn !== null && (
            <label className="notif-email small">
              <input type="checkbox" checked={emailOn} onChange={(e) => {
                const on = e.target.checked;
                setEmailOn(on);
                api.updateMe(me.user.id, { emailNotifications: on }).then((u) => setEmailOn(u.emailNotifications), () => setEmailOn(!on));
              }} />
              {t('notif.email')}
            </label>
          )}
        </div>
      )}
    </div>
  );
}

/** A tiny History-API router: the app has five screens, so a routing library would be dead weight. */
import { useEffect, useState } from 'react';

const listeners = new Set<() => void>();

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const l of listeners) l();
}

export function useLocation(): { path: string; search: URLSearchParams } {
  const [, force] = useState(0);
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    window.addEventListener('popstate', l);
    return () => {
      listeners.delete(l);
      window.removeEventListener('popstate', l);
    };
  }, []);
  return { path: location.pathname, search: new URLSearchParams(location.search) };
}

export type Route =
  | { name: 'inbox'; view: string }
  | { name: 'ticket'; ref: string }
  | { name: 'reset'; token: string | null }
  | { name: 'notFound' }
  | { name: 'admin'; section: string }
  | { name: 'knowledge'; sub: string }
  | { name: 'account' }
  | { name: 'newTicket' };

export function match(path: string, search: URLSearchParams): Route {
  if (path === '/' || path === '') return { name: 'inbox', view: 'mine' };
  let m = /^\/views\/([\w-]+)\/?$/.exec(path);
  if (m) return { name: 'inbox', view: m[1]! };
  if (path === '/tickets/new' || path === '/tickets/new/') return { name: 'newTicket' };
  m = /^\/tickets\/([\w-]+)\/?$/.exec(path);
  if (m) return { name: 'ticket', ref: m[1]! };
  if (path === '/reset-password') return { name: 'reset', token: search.get('token') };
  if (path === '/account' || path === '/account/') return { name: 'account' };
  m = /^\/admin(?:\/([\w-]+))?\/?$/.exec(path);
  if (m) return { name: 'admin', section: m[1] ?? '' };
  // The knowledge area reads the rest of its path itself (knowledge/KnowledgeArea.tsx).
  m = /^\/knowledge(?:\/([\w/-]*?))?\/?$/.exec(path);
  if (m) return { name: 'knowledge', sub: m[1] ?? '' };
  return { name: 'notFound' };
}

/** Links that stay in the app (ctrl/cmd-click still opens a new tab). */
export function linkHandler(to: string) {
  return (e: React.MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
}

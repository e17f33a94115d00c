/**
 * @mentions in internal notes. Typing `@` and a few letters offers the workspace's staff; ↑/↓
 * choose, Enter or Tab insert `@[Name](user:id)` (the stable syntax the server reads), Esc
 * closes the list. In the conversation a mention shows as a highlighted @Name.
 */
import type { UserOut } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { Avatar } from '../ui.tsx';

const MENTION = /@\[([^\]\n]{1,200})\]\(user:([0-9a-fA-F-]{36})\)/g;

/** The `@query` being typed just before the caret, if any. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|[\s(])@([^\s@[\]()]{0,30})$/.exec(text.slice(0, caret));
  return m ? { start: caret - m[2]!.length - 1, query: m[2]! } : null;
}

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** Active staff (light agents included: experts can be consulted) whose name or address starts a word with the query. */
export function mentionCandidates(users: Iterable<UserOut>, query: string, selfId: string, max = 8): UserOut[] {
  const q = fold(query);
  const out: UserOut[] = [];
  for (const u of users) {
    if (u.status !== 'active' || u.role === 'customer' || u.id === selfId) continue;
    const words = fold(`${u.name} ${u.email ?? ''}`).split(/[\s.@_-]+/);
    if (!q || words.some((w) => w.startsWith(q)) || fold(u.name).startsWith(q)) out.push(u);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name)).slice(0, max);
}

export function mentionToken(u: Pick<UserOut, 'id' | 'name'>): string {
  return `@[${u.name.replace(/[[\]\n]/g, ' ')}](user:${u.id}) `;
}

export function MentionList(props: { users: UserOut[]; cursor: number; onPick(u: UserOut): void }) {
  const { t } = useI18n();
  if (!props.users.length) return <div className="mention-list muted small" role="status">{t('mention.none')}</div>;
  return (
    <ul className="mention-list" role="listbox" aria-label={t('mention.list')}>
      {props.users.map((u, i) => (
        <li key={u.id} role="option" aria-selected={i === props.cursor} className={i === props.cursor ? 'on' : ''}
          onMouseDown={(e) => { e.preventDefault(); props.onPick(u); }}>
          <Avatar name={u.name} /> <span>{u.name}</span> <span className="muted small">{u.role === 'light_agent' ? u.email : ''}</span>
        </li>
      ))}
    </ul>
  );
}

/** A note's text with its mentions shown as @Name. */
export function TextWithMentions(props: { text: string }) {
  const parts: React.ReactNode[] = [];
  let last = 0;
  for (const m of props.text.matchAll(MENTION)) {
    parts.push(props.text.slice(last, m.index));
    parts.push(<span key={m.index} className="mention" data-user={m[2]!.toLowerCase()}>@{m[1]}</span>);
    last = m.index! + m[0].length;
  }
  parts.push(props.text.slice(last));
  return <>{parts}</>;
}

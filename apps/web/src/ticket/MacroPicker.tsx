/**
 * The macro picker: a searchable list over my macros and the shared ones, driven by the keyboard
 * (type to filter, ↑/↓ to choose, Enter to insert, Esc to close). The chosen macro is rendered by
 * the server for this ticket, in the customer's language, and inserted into the composer; its
 * actions are applied when the reply is sent (see the Composer).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, type MacroOut } from '../api.ts';
import { useI18n, type Translate } from '../i18n.ts';
import { teamName, userName, type Directory } from '../session.ts';

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

export function matchesMacro(m: MacroOut, query: string): boolean {
  const hay = fold(`${m.title}\n${m.bodyEn ?? ''}\n${m.bodyFr ?? ''}`);
  return fold(query).split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
}

/** "status pending, tags refund" in the interface language; empty when the macro only inserts text. */
export function describeActions(a: MacroOut['actions'], t: Translate, d: Directory): string {
  const out: string[] = [];
  if (a.status) out.push(t('macro.action.status', { value: t(`status.${a.status}`) }));
  if (a.priority) out.push(t('macro.action.priority', { value: t(`priority.${a.priority}`) }));
  if (a.addTags?.length) out.push(t('macro.action.tags', { value: a.addTags.join(', ') }));
  if (a.teamId) out.push(t('macro.action.team', { value: teamName(d, a.teamId) ?? '?' }));
  if (a.assigneeId) out.push(t('macro.action.assignee', { value: userName(d, a.assigneeId) ?? '?' }));
  else if (a.assigneeId === null) out.push(t('macro.action.unassign'));
  return out.join(', ');
}

export function MacroPicker(props: { directory: Directory; onPick(m: MacroOut): void; onClose(): void }) {
  const { t } = useI18n();
  const [all, setAll] = useState<MacroOut[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [cursor, setCursor] = useState(0);
  const listRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    api.macros().then(setAll, (e) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  const items = useMemo(() => (all ?? []).filter((m) => matchesMacro(m, query)), [all, query]);
  useEffect(() => setCursor(0), [query]);
  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const d = e.key === 'ArrowDown' ? 1 : -1;
      setCursor((c) => Math.max(0, Math.min(c + d, items.length - 1)));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const m = items[cursor];
      if (m) props.onPick(m);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      props.onClose();
    }
  };

  return (
    <div className="overlay" data-blocking role="dialog" aria-modal="true" aria-labelledby="macro-title" onClick={props.onClose}>
      <div className="dialog macro-picker" onClick={(e) => e.stopPropagation()}>
        <h2 id="macro-title">{t('macro.title')}</h2>
        <input
          autoFocus
          type="search"
          role="combobox"
          aria-expanded="true"
          aria-controls="macro-list"
          aria-activedescendant={items[cursor] ? `macro-${items[cursor].id}` : undefined}
          aria-label={t('macro.search')}
          placeholder={t('macro.search')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKey}
        />
        {error && <p className="error" role="alert">{t('common.error', { message: error })}</p>}
        {all === null && !error ? (
          <p className="muted">{t('macro.loading')}</p>
        ) : items.length === 0 ? (
          <p className="muted">{t('macro.none')}</p>
        ) : (
          <ul className="macro-list" id="macro-list" role="listbox" aria-label={t('macro.open')} ref={listRef}>
            {items.map((m, i) => {
              const actions = describeActions(m.actions, t, props.directory);
              const preview = (m.bodyEn ?? m.bodyFr ?? '').replace(/\s+/g, ' ').slice(0, 140);
              return (
                <li key={m.id} id={`macro-${m.id}`} role="option" aria-selected={i === cursor} className={i === cursor ? 'on' : ''}
                  onMouseEnter={() => setCursor(i)} onClick={() => props.onPick(m)}>
                  <div className="macro-head">
                    <strong>{m.title}</strong>
                    {m.shared && <span className="muted small"> · {t('macro.shared')}</span>}
                    <span className="muted small macro-uses">{t('macro.uses', { n: m.usageCount })}</span>
                  </div>
                  <div className="muted small macro-body">{preview}</div>
                  {actions && <div className="small macro-actions">{t('macro.onSend', { actions })}</div>}
                </li>
              );
            })}
          </ul>
        )}
        <p className="muted small">{t('macro.keys')}</p>
      </div>
    </div>
  );
}

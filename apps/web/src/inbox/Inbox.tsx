import { useRef, useState } from 'react';
import { api, type TicketOut, type TicketPatch } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { linkHandler, navigate } from '../router.ts';
import { teamName, useSession, userName } from '../session.ts';
import { PriorityIcon, StatusBadge } from '../ui.tsx';
import { SlaBadge, useNow } from '../sla.tsx';
import { useInbox } from './useInbox.ts';
import { VirtualList } from './VirtualList.tsx';
import { BulkMergeDialog } from '../ticket/MergeDialog.tsx';
import { NO_FILTERS, SLA_FILTERS, filtersActive, type Filters } from './views.ts';

const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
const CHANNELS = ['email', 'web', 'portal', 'chat', 'api', 'phone'] as const;
const ROW = 52;

export function InboxScreen(props: { searchRef: React.RefObject<HTMLInputElement | null> }) {
  const { t, ago } = useI18n();
  const { directory, me } = useSession();
  const inbox = useInbox();
  const view = inbox.view;
  const [bulkMsg, setBulkMsg] = useState<string | null>(null);
  const [merging, setMerging] = useState<TicketOut[] | null>(null);
  const [q, setQ] = useState(inbox.filters.q);
  const debounce = useRef<number | undefined>(undefined);

  const set = (patch: Partial<Filters>) => inbox.setFilters({ ...inbox.filters, ...patch });
  const canUpdate = me.permissions.includes('tickets:update');
  const slaReader = me.permissions.includes('sla:read');
  // The badges' "due in" moves on by itself (the list is read again on changes, not on time).
  const now = useNow(30_000);
  const slaChoice = Object.entries(SLA_FILTERS).find(([, states]) => states.join() === inbox.filters.sla.join())?.[0] ?? '';

  async function bulk(patch: TicketPatch) {
    const ids = [...inbox.selected];
    setBulkMsg(null);
    let done = 0;
    let failed = 0;
    let i = 0;
    // A few at a time: the selection may be hundreds of tickets.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (i < ids.length) {
          const id = ids[i++]!;
          try {
            inbox.replace(await api.updateTicket(id, patch));
            done++;
          } catch {
            failed++;
          }
        }
      }),
    );
    setBulkMsg([t('inbox.bulkDone', { n: done }), failed ? t('inbox.bulkFailed', { n: failed }) : ''].filter(Boolean).join(' · '));
    inbox.clearSelection();
    inbox.refreshCounts();
  }

  const count = inbox.counts && view.countKey ? inbox.counts[view.countKey] : null;

  return (
    <section className="inbox" aria-labelledby="inbox-title">
      <header className="inbox-head">
        <h1 id="inbox-title">
          {view.title ?? t(view.label)}
          {count !== null && <span className="count">{count}</span>}
        </h1>
        <input
          ref={props.searchRef}
          className="search"
          type="search"
          placeholder={t('inbox.search')}
          aria-label={t('inbox.search')}
          value={q}
          onChange={(e) => {
            const v = e.target.value;
            setQ(v);
            window.clearTimeout(debounce.current);
            debounce.current = window.setTimeout(() => set({ q: v }), 250);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') e.currentTarget.blur();
          }}
        />
        <label className="sort">
          <span>{t('sort.label')}</span>
          <select value={inbox.filters.sort} onChange={(e) => set({ sort: e.target.value as Filters['sort'] })}>
            <option value="">{t(`sort.${view.query.sort === 'created_at' && view.query.order === 'asc' ? 'created_at_asc' : (view.query.sort ?? 'created_at')}`)}</option>
            {(['updated_at', 'created_at', 'created_at_asc', 'priority', 'number', ...(slaReader ? (['sla_due_at'] as const) : [])] as const).map((s) => (
              <option key={s} value={s}>{t(`sort.${s}`)}</option>
            ))}
          </select>
        </label>
      </header>

      <div className="filters" role="group" aria-label="Filters">
        <FilterSelect label={t('filter.status')} value={inbox.filters.status[0] ?? ''} onChange={(v) => set({ status: v ? [v] : [] })}
          options={STATUSES.map((s) => [s, t(`status.${s}`)])} />
        <FilterSelect label={t('filter.priority')} value={inbox.filters.priority[0] ?? ''} onChange={(v) => set({ priority: v ? [v] : [] })}
          options={PRIORITIES.map((s) => [s, t(`priority.${s}`)])} />
        <FilterSelect label={t('filter.team')} value={inbox.filters.teamId} onChange={(v) => set({ teamId: v })}
          options={[['none', t('filter.none')], ...directory.teams.map((tm): [string, string] => [tm.id, tm.name])]} />
        <FilterSelect label={t('filter.assignee')} value={inbox.filters.assigneeId} onChange={(v) => set({ assigneeId: v })}
          options={[['me', t('filter.me')], ['none', t('filter.none')], ...[...directory.users.values()].filter((u) => u.status === 'active').map((u): [string, string] => [u.id, u.name])]} />
        <FilterSelect label={t('filter.channel')} value={inbox.filters.channel[0] ?? ''} onChange={(v) => set({ channel: v ? [v] : [] })}
          options={CHANNELS.map((c) => [c, t(`channel.${c}`)])} />
        <FilterSelect label={t('filter.language')} value={inbox.filters.language} onChange={(v) => set({ language: v })}
          options={[['fr', 'Français'], ['en', 'English']]} />
        <TagFilter value={inbox.filters.tag} onChange={(v) => set({ tag: v })} />
        {slaReader && (
          <FilterSelect label={t('filter.sla')} value={slaChoice} onChange={(v) => set({ sla: v ? [...SLA_FILTERS[v]!] : [] })}
            options={Object.keys(SLA_FILTERS).map((k) => [k, k === 'at_risk' ? t('filter.slaAtRisk') : t(`sla.state.${k as 'ok'}`)])} />
        )}
        {filtersActive(inbox.filters) && (
          <>
            <button className="btn btn-ghost btn-sm" onClick={() => { setQ(''); inbox.setFilters(NO_FILTERS); }}>{t('filter.clear')}</button>
            <button className="btn btn-sm" onClick={async () => {
              const name = window.prompt(t('view.namePrompt'))?.trim();
              if (!name) return;
              const shared = me.user.role === 'admin' && window.confirm(t('view.sharePrompt'));
              try {
                const id = await inbox.saveView(name, shared);
                setQ('');
                inbox.setFilters(NO_FILTERS);
                navigate(`/views/${id}`);
              } catch (e) {
                setBulkMsg(t('view.saveFailed', { message: e instanceof Error ? e.message : String(e) }));
              }
            }}>{t('view.save')}</button>
          </>
        )}
      </div>

      {inbox.fresh > 0 && (
        <button className="fresh" onClick={inbox.reload}>{t('inbox.fresh', { n: inbox.fresh })}</button>
      )}
      {inbox.selected.size > 0 && canUpdate && (
        <BulkBar count={inbox.selected.size} onApply={bulk} onClear={inbox.clearSelection}
          onMerge={() => setMerging(inbox.items.filter((x) => inbox.selected.has(x.id)))} />
      )}
      {merging && merging.length >= 2 && (
        <BulkMergeDialog tickets={merging} onClose={() => setMerging(null)} onDone={(target, n) => {
          setMerging(null);
          setBulkMsg(t('merge.done', { n, number: target.number }));
          inbox.clearSelection();
          inbox.reload();
        }} />
      )}
      {bulkMsg && <div className="toast" role="status" onAnimationEnd={() => setBulkMsg(null)}>{bulkMsg}</div>}

      <div className="list-head" aria-hidden="true">
        <span className="c-check">
          <input type="checkbox" tabIndex={-1} checked={inbox.items.length > 0 && inbox.selected.size === inbox.items.length}
            onChange={(e) => (e.target.checked ? inbox.selectAll() : inbox.clearSelection())} title={t('inbox.selectAll')} />
        </span>
        <span className="c-subject">{t('col.subject')}</span>
        <span className="c-status">{t('ticket.status')}</span>
        <span className="c-sla">{t('col.sla')}</span>
        <span className="c-assignee">{t('col.assignee')}</span>
        <span className="c-updated">{t('col.updated')}</span>
      </div>

      {inbox.error && inbox.items.length === 0 ? (
        <div className="empty" role="alert">
          {t('inbox.error', { message: inbox.error })} <button className="btn btn-sm" onClick={inbox.reload}>{t('inbox.retry')}</button>
        </div>
      ) : !inbox.loading && inbox.items.length === 0 ? (
        <div className="empty">
          <p>{t('inbox.empty')}</p>
          {inbox.viewId !== 'open' && !filtersActive(inbox.filters) && (inbox.counts?.open ?? 0) > 0 && (
            <a href="/views/open" onClick={linkHandler('/views/open')}>{t('inbox.seeOpen', { n: inbox.counts!.open })}</a>
          )}
        </div>
      ) : (
        <VirtualList
          label={view.title ?? t(view.label)}
          items={inbox.items}
          rowHeight={ROW}
          activeIndex={inbox.cursor}
          initialScrollTop={inbox.scrollTop}
          onScrollTop={inbox.rememberScroll}
          onNearEnd={inbox.loadMore}
          renderRow={(tk: TicketOut, i) => (
            <TicketRow
              ticket={tk}
              active={i === inbox.cursor}
              selected={inbox.selected.has(tk.id)}
              onToggle={() => inbox.toggle(tk.id)}
              onFocus={() => inbox.setCursor(i)}
              assignee={userName(directory, tk.assigneeId)}
              team={teamName(directory, tk.teamId)}
              updated={ago(tk.updatedAt)}
              now={now}
            />
          )}
          footer={inbox.loading ? <div className="list-foot">{inbox.items.length ? t('inbox.loadMore') : t('inbox.loading')}</div> : null}
        />
      )}
      <footer className="inbox-foot muted">
        {inbox.hasMore ? t('inbox.countMore', { n: inbox.items.length }) : t('inbox.count', { n: inbox.items.length })}
        {inbox.selected.size > 0 && <> · {t('inbox.selected', { n: inbox.selected.size })}</>}
      </footer>
    </section>
  );
}

function TicketRow(props: {
  ticket: TicketOut;
  active: boolean;
  selected: boolean;
  onToggle(): void;
  onFocus(): void;
  assignee: string | null;
  team: string | null;
  updated: string;
  now: number;
}) {
  const { t } = useI18n();
  const tk = props.ticket;
  const href = `/tickets/${tk.number}`;
  return (
    <div className={`trow${props.active ? ' active' : ''}${props.selected ? ' selected' : ''}`} role="listitem" data-ticket={tk.number} onMouseDown={props.onFocus}>
      <span className="c-check">
        <input type="checkbox" checked={props.selected} onChange={props.onToggle} aria-label={`#${tk.number}`} tabIndex={-1} />
      </span>
      <a className="c-subject" href={href} onClick={linkHandler(href)}>
        <span className="line1">
          <PriorityIcon priority={tk.priority} />
          <span className="subject">{tk.subject}</span>
          {tk.tags.slice(0, 3).map((tag) => <span key={tag} className="tag">{tag}</span>)}
        </span>
        <span className="line2">
          <span className="num">#{tk.number}</span> · {tk.requester.name}
          {props.team && <> · {props.team}</>} · {t(`channel.${tk.channel}`)}
        </span>
      </a>
      <span className="c-status"><StatusBadge status={tk.status} /></span>
      <span className="c-sla">{tk.sla && <SlaBadge sla={tk.sla} now={props.now} />}</span>
      <span className="c-assignee">{props.assignee ?? <span className="muted">{t('ticket.unassigned')}</span>}</span>
      <span className="c-updated" title={tk.updatedAt}>{props.updated}</span>
    </div>
  );
}

function FilterSelect(props: { label: string; value: string; options: Array<[string, string]>; onChange(v: string): void }) {
  const { t } = useI18n();
  return (
    <label className={`filter${props.value ? ' on' : ''}`}>
      <span className="sr-only">{props.label}</span>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)} aria-label={props.label}>
        <option value="">{props.label}: {t('filter.any')}</option>
        {props.options.map(([v, l]) => (
          <option key={v} value={v}>{l}</option>
        ))}
      </select>
    </label>
  );
}

function TagFilter(props: { value: string; onChange(v: string): void }) {
  const { t } = useI18n();
  const [v, setV] = useState(props.value);
  return (
    <input
      className={`filter filter-input${props.value ? ' on' : ''}`}
      placeholder={`${t('filter.tag')}…`}
      aria-label={t('filter.tag')}
      value={v}
      onChange={(e) => setV(e.target.value)}
      onBlur={() => props.onChange(v)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') props.onChange(v);
      }}
    />
  );
}

function BulkBar(props: { count: number; onApply(p: TicketPatch): void; onClear(): void; onMerge(): void }) {
  const { t } = useI18n();
  const { directory, me } = useSession();
  const staff = [...directory.users.values()].filter((u) => u.status === 'active' && u.role !== 'light_agent');
  return (
    <div className="bulkbar" role="toolbar" aria-label={t('inbox.selected', { n: props.count })}>
      <strong>{t('inbox.selected', { n: props.count })}</strong>
      <select aria-label={t('bulk.assign')} value="" onChange={(e) => e.target.value && props.onApply({ assigneeId: e.target.value === 'none' ? null : e.target.value })}>
        <option value="">{t('bulk.assign')}</option>
        <option value={me.user.id}>{t('filter.me')}</option>
        <option value="none">{t('ticket.unassigned')}</option>
        {staff.filter((u) => u.id !== me.user.id).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
      </select>
      <select aria-label={t('bulk.status')} value="" onChange={(e) => e.target.value && props.onApply({ status: e.target.value as TicketPatch['status'] })}>
        <option value="">{t('bulk.status')}</option>
        {STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
      </select>
      <select aria-label={t('bulk.priority')} value="" onChange={(e) => e.target.value && props.onApply({ priority: e.target.value as TicketPatch['priority'] })}>
        <option value="">{t('bulk.priority')}</option>
        {PRIORITIES.map((s) => <option key={s} value={s}>{t(`priority.${s}`)}</option>)}
      </select>
      <button className="btn btn-sm" onClick={() => {
        const tag = window.prompt(t('bulk.tagPrompt'))?.trim().toLowerCase();
        if (tag) props.onApply({ addTags: [tag] });
      }}>{t('bulk.tag')}</button>
      {props.count >= 2 && <button className="btn btn-sm bulk-merge" onClick={props.onMerge}>{t('merge.bulk')}</button>}
      <button className="btn btn-ghost btn-sm" onClick={props.onClear}>{t('inbox.clearSelection')}</button>
    </div>
  );
}

export function openTicketAt(items: TicketOut[], i: number) {
  const tk = items[i];
  if (tk) navigate(`/tickets/${tk.number}`);
}

/**
 * The inbox's state, owned above the screens so that going into a ticket and back keeps the list,
 * its scroll position and the keyboard cursor, and so j/k on a ticket page move through the list.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { api, ApiError, type SavedViewOut, type TicketOut, type ViewCounts } from '../api.ts';
import { connectRealtime, type PresenceSignal, type TicketSignal } from '../realtime.ts';
import { NO_FILTERS, SAVED_PREFIX, queryFor, savedQueryOf, viewById, type Filters, type ViewDef } from './views.ts';

const PAGE = 100;

export interface Inbox {
  viewId: string;
  filters: Filters;
  items: TicketOut[];
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  counts: ViewCounts | null;
  cursor: number;
  selected: ReadonlySet<string>;
  scrollTop: number;
  setView(id: string): void;
  setFilters(f: Filters): void;
  loadMore(): void;
  reload(): void;
  setCursor(i: number): void;
  toggle(id: string): void;
  selectAll(): void;
  clearSelection(): void;
  /** Put the server's new copy of a ticket in the list (after an edit). */
  replace(t: TicketOut): void;
  refreshCounts(): void;
  rememberScroll(top: number): void;
  savedViews: SavedViewOut[];
  /** The current view's definition (built-in or saved). */
  view: ViewDef;
  /** Save the current view and filters under a name; resolves to the new view's id. */
  saveView(name: string, shared: boolean): Promise<string>;
  deleteView(id: string): Promise<void>;
  /** New tickets announced since the list was loaded (shown as "N new", loaded on demand). */
  fresh: number;
  /** Screens that show one ticket hear about its changes here. */
  onTicketSignal(l: (s: TicketSignal) => void): () => void;
  /** …and who else is on it; `resync` after a reconnection (say where you are again). */
  onPresence(l: (s: PresenceSignal | { type: 'resync' }) => void): () => void;
}

export const InboxContext = createContext<Inbox | null>(null);
export function useInbox(): Inbox {
  const i = useContext(InboxContext);
  if (!i) throw new Error('useInbox outside the shell');
  return i;
}

export function useInboxState(): Inbox {
  const [viewId, setViewId] = useState('mine');
  const [filters, setFiltersState] = useState<Filters>(NO_FILTERS);
  const [items, setItems] = useState<TicketOut[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [counts, setCounts] = useState<ViewCounts | null>(null);
  const [cursor, setCursor] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const scrollTop = useRef(0);
  const [savedViews, setSavedViews] = useState<SavedViewOut[]>([]);
  const [fresh, setFresh] = useState(0);
  const signalListeners = useRef(new Set<(s: TicketSignal) => void>());
  const presenceListeners = useRef(new Set<(s: PresenceSignal | { type: 'resync' }) => void>());
  const itemsRef = useRef<TicketOut[]>([]);
  const savedRef = useRef(savedViews);
  savedRef.current = savedViews;
  /** Answers to an older query (the agent switched view meanwhile) are dropped. */
  const generation = useRef(0);
  const inFlight = useRef(false);

  const fetchPage = useCallback(async (reset: boolean, after: string | null) => {
    const gen = reset ? ++generation.current : generation.current;
    if (!reset && inFlight.current) return;
    inFlight.current = true;
    setLoading(true);
    setError(null);
    try {
      const page = await api.tickets(queryFor(viewById(viewIdRef.current, savedRef.current), filtersRef.current), reset ? null : after, PAGE);
      if (gen !== generation.current) return;
      setItems((prev) => (reset ? page.items : dedupe(prev, page.items)));
      setNextCursor(page.nextCursor);
    } catch (e) {
      if (gen !== generation.current) return;
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      if (gen === generation.current) {
        inFlight.current = false;
        setLoading(false);
      }
    }
  }, []);

  const viewIdRef = useRef(viewId);
  const filtersRef = useRef(filters);
  viewIdRef.current = viewId;
  filtersRef.current = filters;

  const refreshCounts = useCallback(() => {
    api.counts().then(setCounts, () => {});
  }, []);

  const reload = useCallback(() => {
    inFlight.current = false;
    setFresh(0);
    setCursor(0);
    setSelected(new Set());
    scrollTop.current = 0;
    void fetchPage(true, null);
    refreshCounts();
  }, [fetchPage, refreshCounts]);

  useEffect(() => {
    reload();
  }, [viewId, filters, reload]);

  useEffect(() => {
    api.savedViews().then(setSavedViews, () => {});
  }, []);

  // Live updates: changed tickets in the list are read again, counts refreshed, new ones announced.
  itemsRef.current = items;
  useEffect(() => {
    const changed = new Set<string>();
    let timer: number | undefined;
    const flush = () => {
      timer = undefined;
      refreshCounts();
      const ids = [...changed];
      changed.clear();
      for (const id of ids) {
        if (!itemsRef.current.some((t) => t.id === id)) continue;
        api.ticket(id).then((t) => setItems((prev) => prev.map((x) => (x.id === t.id ? keepSla(x, t) : x))), () => {});
      }
    };
    return connectRealtime((s) => {
      if (s.type === 'presence' && 'people' in s) {
        for (const l of presenceListeners.current) l(s);
        return;
      }
      if (s.type === 'hello') {
        // Connected: pages say again where they are (what they said before was dropped or forgotten).
        for (const l of presenceListeners.current) l({ type: 'resync' });
        return;
      }
      if (!('ticketId' in s)) {
        refreshCounts();
        return;
      }
      for (const l of signalListeners.current) l(s);
      if (s.type === 'ticket.created') setFresh((n) => n + 1);
      changed.add(s.ticketId);
      timer ??= window.setTimeout(flush, 300);
    });
  }, [refreshCounts]);
  // A saved view opened by its address before the list arrived: load it once it is known.
  useEffect(() => {
    if (viewIdRef.current.startsWith(SAVED_PREFIX)) reload();
  }, [savedViews, reload]);

  return {
    viewId,
    filters,
    items,
    hasMore: nextCursor !== null,
    loading,
    error,
    counts,
    cursor,
    selected,
    scrollTop: scrollTop.current,
    setView: (id) => {
      if (id !== viewIdRef.current) setViewId(id);
    },
    setFilters: setFiltersState,
    loadMore: () => {
      if (nextCursor && !inFlight.current) void fetchPage(false, nextCursor);
    },
    reload,
    setCursor: (i) => setCursor(Math.max(0, Math.min(i, items.length - 1))),
    toggle: (id) =>
      setSelected((s) => {
        const n = new Set(s);
        if (n.has(id)) n.delete(id);
        else n.add(id);
        return n;
      }),
    selectAll: () => setSelected(new Set(items.map((t) => t.id))),
    clearSelection: () => setSelected(new Set()),
    replace: (t) => setItems((prev) => prev.map((x) => (x.id === t.id ? keepSla(x, t) : x))),
    refreshCounts,
    rememberScroll: (top) => {
      scrollTop.current = top;
    },
    savedViews,
    view: viewById(viewId, savedViews),
    saveView: async (name, shared) => {
      const v = await api.createView(name, savedQueryOf(viewById(viewIdRef.current, savedRef.current), filtersRef.current), shared);
      setSavedViews((prev) => [...prev, v].sort((a, b) => Number(b.shared) - Number(a.shared) || a.name.localeCompare(b.name)));
      return SAVED_PREFIX + v.id;
    },
    fresh,
    onTicketSignal: (l) => {
      signalListeners.current.add(l);
      return () => signalListeners.current.delete(l);
    },
    onPresence: (l) => {
      presenceListeners.current.add(l);
      return () => presenceListeners.current.delete(l);
    },
    deleteView: async (id) => {
      await api.deleteView(id);
      setSavedViews((prev) => prev.filter((v) => v.id !== id));
    },
  };
}

/** Answers to changes carry no SLA badge: keep the one shown until the next read brings a new one. */
function keepSla(prev: TicketOut, next: TicketOut): TicketOut {
  return next.sla || !prev.sla ? next : { ...next, sla: prev.sla };
}

function dedupe(prev: TicketOut[], next: TicketOut[]): TicketOut[] {
  const seen = new Set(prev.map((t) => t.id));
  return prev.concat(next.filter((t) => !seen.has(t.id)));
}

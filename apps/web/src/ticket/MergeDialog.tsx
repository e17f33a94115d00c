/**
 * Ticket merge (POST /tickets/{id}/merge): from the inbox, the selected tickets into the one kept
 * (the oldest unless the agent picks another); from a ticket page, this ticket into one found by
 * number or subject. The server moves the messages and closes the merged tickets.
 */
import { useEffect, useState } from 'react';
import { api, type TicketOut } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { StatusBadge } from '../ui.tsx';

/** The tickets merged one after the other into `target`; the kept ticket as it ends. */
async function mergeAll(sources: TicketOut[], target: TicketOut, allow: boolean): Promise<TicketOut> {
  let kept = target;
  for (const s of sources) kept = (await api.mergeTicket(s.id, target.id, allow)).target;
  return kept;
}

const oldest = (list: TicketOut[]) => [...list].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.number - b.number))[0]!;

function Shell(props: { title: string; onClose(): void; children: React.ReactNode }) {
  return (
    <div className="overlay" data-blocking role="dialog" aria-modal="true" aria-labelledby="merge-title" onClick={props.onClose}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          props.onClose();
        }
      }}>
      <div className="dialog merge-dialog" onClick={(e) => e.stopPropagation()}>
        <h2 id="merge-title">{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}

function Choices(props: { legend: string; tickets: TicketOut[]; chosen: string | null; marked?: string; onChoose(id: string): void; autoFocus?: boolean }) {
  const { t } = useI18n();
  return (
    <fieldset className="merge-choices">
      <legend>{props.legend}</legend>
      {props.tickets.map((tk, i) => (
        <label key={tk.id} className="merge-choice">
          <input type="radio" name="merge-kept" value={tk.id} checked={props.chosen === tk.id} onChange={() => props.onChoose(tk.id)}
            autoFocus={props.autoFocus && (props.chosen ? props.chosen === tk.id : i === 0)} />
          <span>#{tk.number} {tk.subject}</span>
          <span className="muted small"> · {tk.requester.name} · <StatusBadge status={tk.status} />{props.marked === tk.id ? ` · ${t('merge.oldest')}` : ''}</span>
        </label>
      ))}
    </fieldset>
  );
}

function Footer(props: { differ: boolean; allow: boolean; setAllow(v: boolean): void; busy: boolean; ready: boolean; error: string | null; onConfirm(): void; onClose(): void }) {
  const { t } = useI18n();
  return (
    <>
      {props.differ && (
        <label className="merge-allow">
          <input type="checkbox" checked={props.allow} onChange={(e) => props.setAllow(e.target.checked)} /> {t('merge.differentRequesters')}
        </label>
      )}
      <p className="muted small">{t('merge.explain')}</p>
      {props.error && <p className="error" role="alert">{t('merge.failed', { message: props.error })}</p>}
      <div className="dialog-actions">
        <button className="btn btn-primary" disabled={props.busy || !props.ready || (props.differ && !props.allow)} onClick={props.onConfirm}>{t('merge.confirm')}</button>
        <button className="btn btn-ghost" onClick={props.onClose}>{t('merge.cancel')}</button>
      </div>
    </>
  );
}

function useMerge(onDone: (target: TicketOut, n: number) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [allow, setAllow] = useState(false);
  const run = async (sources: TicketOut[], target: TicketOut) => {
    setBusy(true);
    setError(null);
    try {
      onDone(await mergeAll(sources, target, allow), sources.length);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, allow, setAllow, run };
}

/** The inbox's "Merge…": which of the selected tickets is kept. */
export function BulkMergeDialog(props: { tickets: TicketOut[]; onDone(target: TicketOut, n: number): void; onClose(): void }) {
  const { t } = useI18n();
  const first = oldest(props.tickets);
  const [kept, setKept] = useState(first.id);
  const m = useMerge(props.onDone);
  const target = props.tickets.find((x) => x.id === kept)!;
  const sources = props.tickets.filter((x) => x.id !== kept);
  const differ = sources.some((s) => s.requester.id !== target.requester.id);
  return (
    <Shell title={t('merge.title')} onClose={props.onClose}>
      <Choices legend={t('merge.keep')} tickets={props.tickets} chosen={kept} marked={first.id} onChoose={setKept} autoFocus />
      <Footer differ={differ} allow={m.allow} setAllow={m.setAllow} busy={m.busy} ready error={m.error} onConfirm={() => void m.run(sources, target)} onClose={props.onClose} />
    </Shell>
  );
}

/** The ticket page's "Merge into…": find the ticket to keep by number or subject. */
export function MergeIntoDialog(props: { ticket: TicketOut; onDone(target: TicketOut): void; onClose(): void }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<TicketOut[]>([]);
  const [chosen, setChosen] = useState<string | null>(null);
  const m = useMerge((target) => props.onDone(target));

  useEffect(() => {
    const q = query.trim().replace(/^#/, '');
    if (!q) {
      setFound([]);
      return;
    }
    let live = true;
    const h = window.setTimeout(async () => {
      const [byNumber, bySubject] = await Promise.all([
        /^\d{1,9}$/.test(q) ? api.ticket(q).catch(() => null) : Promise.resolve(null),
        api.tickets({ q, status: ['new', 'open', 'pending', 'on_hold', 'solved'] }, null, 10).then((p) => p.items, () => []),
      ]);
      if (!live) return;
      const list = [...(byNumber ? [byNumber] : []), ...bySubject.filter((x) => x.id !== byNumber?.id)]
        .filter((x) => x.id !== props.ticket.id && x.status !== 'closed' && !x.mergedIntoId);
      setFound(list);
      setChosen((c) => (c && list.some((x) => x.id === c) ? c : (list[0]?.id ?? null)));
    }, 200);
    return () => {
      live = false;
      window.clearTimeout(h);
    };
  }, [query, props.ticket.id]);

  const target = found.find((x) => x.id === chosen) ?? null;
  return (
    <Shell title={t('merge.intoTitle', { number: props.ticket.number })} onClose={props.onClose}>
      <input autoFocus type="search" aria-label={t('merge.search')} placeholder={t('merge.search')} value={query} onChange={(e) => setQuery(e.target.value)} />
      {query.trim() && found.length === 0 ? <p className="muted">{t('merge.none')}</p> : null}
      {found.length > 0 && <Choices legend={t('merge.keep')} tickets={found} chosen={chosen} onChoose={setChosen} />}
      <Footer differ={!!target && target.requester.id !== props.ticket.requester.id} allow={m.allow} setAllow={m.setAllow} busy={m.busy} ready={!!target}
        error={m.error} onConfirm={() => target && void m.run([props.ticket], target)} onClose={props.onClose} />
    </Shell>
  );
}

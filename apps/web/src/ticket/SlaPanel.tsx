/**
 * The ticket page's SLA panel: the policy in force, each target with its deadline, the time left
 * ticking (in business or calendar time, as GET /tickets/{id}/sla counts it), paused, at risk,
 * met or breached, and the exact moments. Read again when the ticket changes (the page gets a new
 * copy on every realtime signal), every minute, and when a countdown reaches a warning or a deadline.
 */
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, type SlaState, type TicketOut, type TicketSlaOut } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { SlaSymbol, duration, useNow } from '../sla.tsx';

type Clock = TicketSlaOut['targets'][number];
type Shown = 'running' | 'warning' | 'paused' | 'met' | 'breached';

const REFRESH_MS = 60_000;

export function SlaPanel(props: { ticket: TicketOut }) {
  const { t } = useI18n();
  const tk = props.ticket;
  const [sla, setSla] = useState<{ data: TicketSlaOut; fetchedAt: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const now = useNow(1000);
  const reading = useRef(0);

  // A new copy of the ticket (its version or update time moved), a minute, or a countdown's turn.
  useEffect(() => {
    const n = ++reading.current;
    api.ticketSla(tk.id).then(
      (data) => {
        if (n !== reading.current) return;
        setSla({ data, fetchedAt: Date.now() });
        setError(null);
      },
      (e) => {
        if (n === reading.current && !(e instanceof ApiError && e.status === 401)) setError(e instanceof Error ? e.message : String(e));
      },
    );
  }, [tk.id, tk.version, tk.updatedAt, tick]);
  useEffect(() => {
    const id = window.setInterval(() => setTick((x) => x + 1), REFRESH_MS);
    return () => window.clearInterval(id);
  }, []);

  if (error && !sla) return <section className="panel sla-panel" aria-labelledby="sla-title"><h2 id="sla-title">{t('sla.title')}</h2><p className="error" role="alert">{t('sla.loadFailed', { message: error })}</p></section>;
  if (!sla) return null;
  const { data, fetchedAt } = sla;
  const elapsed = now - fetchedAt;
  const serverNow = Date.parse(data.asOf) + elapsed;
  const clocks = data.targets.map((c) => ({ clock: c, ...shownOf(c, elapsed, serverNow) }));
  // Crossing a deadline or a warning moment: read the server's view of it.
  const turning = clocks.some((c) => c.clock.countingNow && c.leftMs !== null && ((c.leftMs <= 0 && c.clock.status === 'running') || (c.shown === 'warning' && !isWarning(c.clock, Date.parse(data.asOf)))));
  return (
    <section className="panel sla-panel" aria-labelledby="sla-title" data-sla-state={overall(data.state, clocks)}>
      <Turn when={turning} onTurn={() => setTick((x) => x + 1)} />
      <h2 id="sla-title">
        {t('sla.title')} <StateTag state={overall(data.state, clocks)} />
      </h2>
      {!data.policy ? (
        <p className="muted small">{t('sla.noPolicy')}</p>
      ) : (
        <>
          <div className="prop-ro">
            <span>{t('sla.policy')}</span>
            <strong>{data.policy.name}</strong>
          </div>
          {data.calendar && <p className="muted small">{t('sla.calendar', { name: data.calendar.name, zone: data.calendar.timeZone })}</p>}
          {data.paused && <p className="notice small" role="note">{t('sla.pausedNote')}</p>}
          <ul className="sla-targets">
            {clocks.map((c) => <Target key={c.clock.target} c={c.clock} shown={c.shown} leftMs={c.leftMs} />)}
          </ul>
        </>
      )}
    </section>
  );
}

/** Ask once when `when` becomes true (not on every tick while it stays true). */
function Turn(props: { when: boolean; onTurn(): void }) {
  const was = useRef(false);
  useEffect(() => {
    if (props.when && !was.current) props.onTurn();
    was.current = props.when;
  });
  return null;
}

function isWarning(c: Clock, at: number): boolean {
  return c.warningAt !== null && Date.parse(c.warningAt) <= at;
}

/** What a target shows `elapsed` ms after the server's answer: the time left going down only while it counts. */
function shownOf(c: Clock, elapsed: number, serverNow: number): { shown: Shown; leftMs: number | null } {
  if (c.status === 'met' || (c.status === 'breached' && c.fulfilledAt)) return { shown: c.status, leftMs: null };
  const leftMs = c.timeLeftSeconds === null ? null : c.timeLeftSeconds * 1000 - (c.countingNow ? elapsed : 0);
  if (c.status === 'breached' || (leftMs !== null && leftMs <= 0)) return { shown: 'breached', leftMs };
  if (c.status === 'paused') return { shown: 'paused', leftMs };
  return { shown: isWarning(c, serverNow) ? 'warning' : 'running', leftMs };
}

/** The ticket's state: the server's, made worse by a deadline or warning passed since. */
function overall(server: SlaState, clocks: Array<{ clock: Clock; shown: Shown }>): SlaState {
  const open = clocks.filter((c) => !c.clock.fulfilledAt && c.clock.targetMinutes !== null);
  if (open.some((c) => c.shown === 'breached')) return 'breached';
  if (server === 'ok' && open.some((c) => c.shown === 'warning')) return 'warning';
  return server;
}

function StateTag(props: { state: SlaState }) {
  const { t } = useI18n();
  return (
    <span className={`sla-badge sla-${props.state}`} data-sla={props.state}>
      <SlaSymbol state={props.state} />
      {t(`sla.state.${props.state}`)}
    </span>
  );
}

const SHOWN_STATE: Record<Shown, SlaState | 'met'> = { running: 'ok', warning: 'warning', paused: 'paused', met: 'met', breached: 'breached' };

function Target(props: { c: Clock; shown: Shown; leftMs: number | null }) {
  const { t, dateTime } = useI18n();
  const { c, shown, leftMs } = props;
  const label = t(`sla.target.${c.target}`);
  const cls = SHOWN_STATE[shown];
  return (
    <li className={`sla-target sla-${cls}`} data-target={c.target} data-status={shown}>
      <div className="sla-line">
        <strong>{label}</strong>
        <span className={`sla-status sla-${cls}`}>
          {shown === 'met' ? <span className="sla-sym" aria-hidden="true">✓</span> : <SlaSymbol state={cls as SlaState} />}
          {t(`sla.status.${shown}`)}
        </span>
      </div>
      {c.targetMinutes === null ? (
        <div className="muted small">{t('sla.noTarget')}</div>
      ) : (
        <div className="muted small">
          {t('sla.target', { time: duration(c.targetMinutes * 60_000, t) })} · {c.businessHours ? t('sla.business') : t('sla.calendarTime')}
        </div>
      )}
      {leftMs !== null && shown !== 'met' && !c.fulfilledAt && (
        <div className="sla-left" data-left-ms={Math.round(leftMs)}>
          {leftMs > 0 ? t('sla.left', { time: duration(leftMs, t) }) : t('sla.overdue', { time: duration(leftMs, t) })}
          {shown !== 'paused' && !c.countingNow && <span className="muted small"> · {t('sla.stopped')}</span>}
        </div>
      )}
      <dl className="sla-moments small">
        {c.deadline && (
          <>
            <dt>{t('sla.deadline')}</dt>
            <dd><time dateTime={c.deadline}>{dateTime(c.deadline)}</time></dd>
          </>
        )}
        {c.warningAt && shown !== 'breached' && (
          <>
            <dt>{t('sla.warnAt')}</dt>
            <dd><time dateTime={c.warningAt}>{dateTime(c.warningAt)}</time></dd>
          </>
        )}
        {c.fulfilledAt && (
          <>
            <dt>{t('sla.fulfilledAt')}</dt>
            <dd><time dateTime={c.fulfilledAt}>{dateTime(c.fulfilledAt)}</time></dd>
          </>
        )}
        {c.breachedAt && (
          <>
            <dt>{t('sla.breachedAt')}</dt>
            <dd><time dateTime={c.breachedAt}>{dateTime(c.breachedAt)}</time></dd>
          </>
        )}
      </dl>
    </li>
  );
}

/**
 * SLA pieces shared by the inbox and the ticket page: durations in words, a clock that ticks, and
 * the row badge. A state is always written out (and marked by a symbol), never shown by colour alone.
 */
import { useEffect, useState } from 'react';
import type { SlaState, TicketOut } from './api.ts';
import type { Translate } from './i18n.ts';
import { useI18n } from './i18n.ts';

/** "2 d 3 h", "1 h 05 min", "12 min", "40 s": the two largest units of a duration. */
export function duration(ms: number, t: Translate): string {
  const s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h ? `${t('sla.d', { n: d })} ${t('sla.h', { n: h })}` : t('sla.d', { n: d });
  if (h > 0) return `${t('sla.h', { n: h })} ${t('sla.min', { n: String(m).padStart(2, '0') })}`;
  if (m > 0) return t('sla.min', { n: m });
  return t('sla.s', { n: s % 60 });
}

/** The current time, read again every `everyMs` while the component is shown. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(id);
  }, [everyMs]);
  return now;
}

const SYMBOL: Record<SlaState, string> = { breached: '⛔', warning: '⚠', ok: '◷', paused: '⏸', none: '' };

export function SlaSymbol(props: { state: SlaState }) {
  return props.state === 'none' ? null : <span className="sla-sym" aria-hidden="true">{SYMBOL[props.state]}</span>;
}

/** A list row's SLA: the state and the time to (or past) the next deadline, wall-clock. */
export function SlaBadge(props: { sla: NonNullable<TicketOut['sla']>; now: number }) {
  const { t, dateTime } = useI18n();
  const { sla, now } = props;
  if (sla.state === 'none') return null;
  const left = sla.dueAt ? Date.parse(sla.dueAt) - now : null;
  // The deadline passed since the list was read: it is breached now.
  const state: SlaState = left !== null && left <= 0 ? 'breached' : sla.state;
  const text =
    state === 'paused' || left === null
      ? t(`sla.state.${state}`)
      : left <= 0
        ? t('sla.badge.overdue', { time: duration(left, t) })
        : t('sla.badge.due', { time: duration(left, t) });
  const title = sla.dueAt ? t('sla.badge.title', { state: t(`sla.state.${state}`), when: dateTime(sla.dueAt) }) : t(`sla.state.${state}`);
  return (
    <span className={`sla-badge sla-${state}`} title={title} data-sla={state}>
      <SlaSymbol state={state} />
      {(state === 'ok' || state === 'warning') && <span className="sr-only">{t(`sla.state.${state}`)}: </span>}
      {text}
    </span>
  );
}

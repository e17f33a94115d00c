/**
 * Holidays from an iCalendar file (RFC 5545), as published by public-holiday feeds and exported
 * by calendar apps. Each VEVENT becomes closures of the business calendar:
 * - an all-day event (DTSTART;VALUE=DATE) closes each date from DTSTART up to DTEND (exclusive);
 * - a timed event closes its hours, converted to the calendar's zone, split at local midnights;
 * - RRULE:FREQ=YEARLY repeats it: for ever (a yearly holiday), or expanded with COUNT or UNTIL.
 * Other recurrences, cancelled and free (TRANSP:TRANSPARENT) events are left out with a reason.
 */
import type { Holiday } from './calendar.ts';
import { dateOf, dayOf, instantOf, localTimeOf } from './zones.ts';

export interface IcalImport {
  holidays: Holiday[];
  skipped: Array<{ summary: string; reason: string }>;
}

interface Prop {
  name: string;
  params: Record<string, string>;
  value: string;
}

/** Unfold continuation lines and split each content line into name, parameters and value. */
function contentLines(text: string): Prop[] {
  const unfolded = text.replace(/\r\n/g, '\n').replace(/\r/g, '\n').replace(/\n[ \t]/g, '');
  const out: Prop[] = [];
  for (const line of unfolded.split('\n')) {
    if (!line.trim()) continue;
    // The value starts at the first colon outside a quoted parameter value.
    let i = 0;
    let quoted = false;
    for (; i < line.length; i++) {
      const c = line[i];
      if (c === '"') quoted = !quoted;
      else if (c === ':' && !quoted) break;
    }
    if (i >= line.length) continue;
    const [name, ...rawParams] = splitOutsideQuotes(line.slice(0, i), ';');
    const params: Record<string, string> = {};
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1).replace(/^"|"$/g, '');
    }
    out.push({ name: (name ?? '').toUpperCase(), params, value: line.slice(i + 1) });
  }
  return out;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of s) {
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function unescapeText(v: string): string {
  return v.replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? ' ' : c)).trim();
}

type When = { kind: 'date'; day: number } | { kind: 'time'; ms: number };

/** A DTSTART/DTEND/UNTIL value: a date, a UTC time, a time in a TZID zone, or a floating time (read in `zone`). */
function parseWhen(p: Prop, zone: string): When | null {
  const v = p.value.trim();
  const date = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (date || p.params.VALUE === 'DATE') {
    if (!date) return null;
    const iso = `${date[1]}-${date[2]}-${date[3]}`;
    if (dateOf(dayOf(iso)) !== iso) return null;
    return { kind: 'date', day: dayOf(iso) };
  }
  const t = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/.exec(v);
  if (!t) return null;
  const [, y, mo, d, h, mi, s, z] = t;
  if (z) return { kind: 'time', ms: Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) };
  const tz = p.params.TZID && isZone(p.params.TZID) ? p.params.TZID : zone;
  return { kind: 'time', ms: instantOf(tz, dayOf(`${y}-${mo}-${d}`), Number(h) * 60 + Number(mi)) + Number(s) * 1000 };
}

function isZone(z: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: z });
    return true;
  } catch {
    return false;
  }
}

/** Duration values such as P1D, PT4H30M (for events with DURATION instead of DTEND). */
function parseDuration(v: string): number | null {
  const m = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(v.trim());
  if (!m || v.trim() === 'P' || v.trim().endsWith('T')) return null;
  const [, sign, w, d, h, mi, s] = m;
  const ms = ((Number(w ?? 0) * 7 + Number(d ?? 0)) * 86_400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0)) * 1000;
  return sign === '-' ? -ms : ms;
}

const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

const MAX_EVENTS = 5000;
const MAX_DAYS_PER_EVENT = 366;

/** Read the holidays of an iCalendar text for a calendar in `timeZone`. */
export function importIcal(text: string, timeZone: string): IcalImport {
  const lines = contentLines(text);
  const holidays: Holiday[] = [];
  const skipped: IcalImport['skipped'] = [];
  let event: Prop[] | null = null;
  let depth = 0;
  let events = 0;
  for (const p of lines) {
    if (p.name === 'BEGIN' && p.value.toUpperCase() === 'VEVENT') {
      event = [];
      depth = 0;
    } else if (event && p.name === 'BEGIN') depth++; // a VALARM inside the event
    else if (event && p.name === 'END' && depth > 0) depth--;
    else if (event && p.name === 'END' && p.value.toUpperCase() === 'VEVENT') {
      if (++events > MAX_EVENTS) {
        skipped.push({ summary: '', reason: `more than ${MAX_EVENTS} events: the rest was not read` });
        break;
      }
      readEvent(event, timeZone, holidays, skipped);
      event = null;
    } else if (event && depth === 0) event.push(p);
  }
  if (events === 0 && !/BEGIN:VCALENDAR/i.test(text)) skipped.push({ summary: '', reason: 'not an iCalendar file (no BEGIN:VCALENDAR)' });
  return { holidays, skipped };
}

function readEvent(props: Prop[], zone: string, out: Holiday[], skipped: IcalImport['skipped']): void {
  const get = (n: string) => props.find((p) => p.name === n);
  const summary = unescapeText(get('SUMMARY')?.value ?? '').slice(0, 200) || 'Holiday';
  const skip = (reason: string) => void skipped.push({ summary, reason });
  if ((get('STATUS')?.value ?? '').toUpperCase() === 'CANCELLED') return skip('cancelled');
  if ((get('TRANSP')?.value ?? '').toUpperCase() === 'TRANSPARENT') return skip('marked free (TRANSP:TRANSPARENT)');
  const startProp = get('DTSTART');
  const start = startProp && parseWhen(startProp, zone);
  if (!start) return skip('no readable DTSTART');
  const endProp = get('DTEND');
  let end = endProp ? parseWhen(endProp, zone) : null;
  if (endProp && !end) return skip('unreadable DTEND');
  const duration = get('DURATION') ? parseDuration(get('DURATION')!.value) : null;
  if (!end && duration !== null) {
    end = start.kind === 'date' ? { kind: 'date', day: start.day + Math.round(duration / 86_400_000) } : { kind: 'time', ms: start.ms + duration };
  }
  if (!end) end = start.kind === 'date' ? { kind: 'date', day: start.day + 1 } : { kind: 'time', ms: start.ms };
  if (end.kind !== start.kind) return skip('DTSTART and DTEND are of different kinds');

  // Recurrence: yearly only.
  const rruleProp = get('RRULE');
  let yearly = false;
  let years = 1;
  if (rruleProp) {
    const rule = Object.fromEntries(rruleProp.value.split(';').map((kv) => { const [k, v] = kv.split('='); return [(k ?? '').toUpperCase(), (v ?? '').toUpperCase()]; }));
    if (rule.FREQ !== 'YEARLY') return skip(`repeats ${String(rule.FREQ ?? '?').toLowerCase()}: only yearly repetitions are read`);
    if ((rule.INTERVAL ?? '1') !== '1' || Object.keys(rule).some((k) => k.startsWith('BY') && k !== 'BYMONTH' && k !== 'BYMONTHDAY')) {
      return skip('a yearly rule with intervals or weekday positions (such as "last Monday of May") is not read; add those dates one by one');
    }
    if (rule.COUNT) years = Math.min(100, Math.max(1, Number(rule.COUNT) || 1));
    else if (rule.UNTIL) {
      const until = parseWhen({ name: 'UNTIL', params: {}, value: rule.UNTIL }, zone);
      if (!until) return skip('unreadable UNTIL');
      const firstYear = Number(dateOf(start.kind === 'date' ? start.day : localTimeOf(zone, start.ms).day).slice(0, 4));
      const untilYear = Number(dateOf(until.kind === 'date' ? until.day : localTimeOf(zone, until.ms).day).slice(0, 4));
      years = Math.min(100, Math.max(1, untilYear - firstYear + 1));
    } else yearly = true;
  }

  const pieces: Holiday[] = [];
  if (start.kind === 'date' && end.kind === 'date') {
    const last = Math.max(end.day, start.day + 1);
    if (last - start.day > MAX_DAYS_PER_EVENT) return skip(`longer than ${MAX_DAYS_PER_EVENT} days`);
    for (let d = start.day; d < last; d++) pieces.push({ date: dateOf(d), name: summary, yearly });
  } else if (start.kind === 'time' && end.kind === 'time') {
    if (end.ms <= start.ms) return skip('ends before it starts');
    const a = localTimeOf(zone, start.ms);
    const b = localTimeOf(zone, end.ms);
    if (b.day - a.day > MAX_DAYS_PER_EVENT) return skip(`longer than ${MAX_DAYS_PER_EVENT} days`);
    for (let d = a.day; d <= b.day; d++) {
      const from = d === a.day ? a.minute : 0;
      const to = d === b.day ? b.minute : 1440;
      if (to <= from) continue;
      const whole = from === 0 && to === 1440;
      pieces.push({ date: dateOf(d), name: summary, yearly, ...(whole ? {} : { closed: [{ start: hhmm(from), end: hhmm(to) }] }) });
    }
  }
  for (const piece of pieces) {
    for (let y = 0; y < years; y++) {
      const year = Number(piece.date.slice(0, 4)) + y;
      const date = `${String(year).padStart(4, '0')}${piece.date.slice(4)}`;
      if (dateOf(dayOf(date)) !== date) continue; // 29 February in a common year
      out.push({ ...piece, date });
    }
  }
}

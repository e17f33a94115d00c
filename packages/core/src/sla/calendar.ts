/**
 * Business-hours calendars and business-time arithmetic. Pure functions, no I/O.
 *
 * A calendar has an IANA time zone, a weekly schedule with any number of periods per day (an
 * overnight period, "22:00"–"06:00", ends the next morning), holidays (closed all day or part of
 * a day, once or every year) and special days (their own hours instead of the weekly ones).
 * Business time is real elapsed time inside open periods: on the night clocks go forward, a
 * period across the change is an hour shorter; on the night they go back, an hour longer.
 */
import { dateOf, dayOf, instantOf, localTimeOf, weekdayOf } from './zones.ts';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** "HH:MM" local times; `end` may be "24:00"; an `end` at or before `start` is on the next day. */
export interface Period {
  start: string;
  end: string;
}

export type WeeklySchedule = Record<Weekday, Period[]>;

export interface Holiday {
  /** YYYY-MM-DD, local to the calendar. */
  date: string;
  name: string;
  /** Every year on the same month and day. */
  yearly: boolean;
  /** Closed only during these local ranges of that date; absent or empty: closed all day. */
  closed?: Period[] | undefined;
}

export interface SpecialDay {
  date: string;
  name: string;
  /** The hours of that date instead of the weekly ones (empty: closed). */
  hours: Period[];
}

export interface CalendarDefinition {
  timeZone: string;
  weekly: WeeklySchedule;
  holidays: Holiday[];
  specialDays: SpecialDay[];
}

const MINUTE = 60_000;
/** How far the arithmetic looks for open time before answering "never" (a calendar closed for good). */
const HORIZON_DAYS = 3 * 366;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

export function parseHhmm(s: string): number {
  if (!HHMM.test(s)) throw new Error(`not a HH:MM time: ${s}`);
  const [h, m] = s.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export const isHhmm = (s: string): boolean => HHMM.test(s);

/** [start, end) minutes from the date's midnight; an overnight period ends after 1440. */
function periodMinutes(p: Period): [number, number] {
  const s = parseHhmm(p.start);
  let e = parseHhmm(p.end);
  if (e <= s) e += 1440;
  return [s, e];
}

type Interval = [number, number];

/** Sorted, merged union of intervals. */
function union(list: Interval[]): Interval[] {
  const sorted = list.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function subtract(open: Interval[], closed: Interval[]): Interval[] {
  let out = open;
  for (const [cs, ce] of union(closed)) {
    const next: Interval[] = [];
    for (const [s, e] of out) {
      if (ce <= s || cs >= e) next.push([s, e]);
      else {
        if (cs > s) next.push([s, cs]);
        if (ce < e) next.push([ce, e]);
      }
    }
    out = next;
  }
  return out;
}

/**
 * A calendar ready for arithmetic: it remembers each local date's open intervals (as instants),
 * so walking the same weeks again for many tickets costs little.
 */
export class BusinessCalendar {
  readonly timeZone: string;
  private readonly weekly: Interval[][];
  private readonly special = new Map<string, Interval[]>();
  private readonly once = new Map<string, Interval[]>();
  private readonly yearly = new Map<string, Interval[]>();
  private readonly days = new Map<number, Interval[]>();

  constructor(def: CalendarDefinition) {
    this.timeZone = def.timeZone;
    this.weekly = WEEKDAYS.map((d) => (def.weekly[d] ?? []).map(periodMinutes));
    for (const s of def.specialDays) this.special.set(s.date, s.hours.map(periodMinutes));
    for (const h of def.holidays) {
      const closed: Interval[] = h.closed?.length ? h.closed.map(periodMinutes).map(([s, e]) => [s, Math.min(e, 1440)] as Interval) : [[0, 1440]];
      const map = h.yearly ? this.yearly : this.once;
      const key = h.yearly ? h.date.slice(5) : h.date;
      map.set(key, [...(map.get(key) ?? []), ...closed]);
    }
  }

  /** Local minutes of `day` the schedule opens, before holidays (may run past 1440). */
  private scheduled(day: number): Interval[] {
    return this.special.get(dateOf(day)) ?? this.weekly[weekdayOf(day)]!;
  }

  private closures(day: number): Interval[] {
    const date = dateOf(day);
    return [...(this.once.get(date) ?? []), ...(this.yearly.get(date.slice(5)) ?? [])];
  }

  /**
   * Open intervals (instants, ms) within local `day`, from midnight to the next midnight: that
   * date's periods, the overnight tail of the day before, less that date's holidays.
   */
  openOn(day: number): Interval[] {
    const cached = this.days.get(day);
    if (cached) return cached;
    const minutes: Interval[] = [
      ...this.scheduled(day).map(([s, e]) => [s, Math.min(e, 1440)] as Interval),
      ...this.scheduled(day - 1).filter(([, e]) => e > 1440).map(([, e]) => [0, Math.min(e - 1440, 1440)] as Interval),
    ];
    const open = subtract(union(minutes), this.closures(day));
    const out = union(open.map(([s, e]) => [instantOf(this.timeZone, day, s), instantOf(this.timeZone, day, e)] as Interval));
    if (this.days.size > 20_000) this.days.clear();
    this.days.set(day, out);
    return out;
  }

  dayOfInstant(ms: number): number {
    return localTimeOf(this.timeZone, ms).day;
  }

  isOpenAt(at: Date): boolean {
    const ms = at.getTime();
    return this.openOn(this.dayOfInstant(ms)).some(([s, e]) => s <= ms && ms < e);
  }

  /** The first open instant at or after `at`, or null when the calendar never opens again. */
  nextOpen(at: Date): Date | null {
    const ms = at.getTime();
    const first = this.dayOfInstant(ms);
    for (let day = first; day < first + HORIZON_DAYS; day++) {
      for (const [s, e] of this.openOn(day)) if (e > ms) return new Date(Math.max(s, ms));
    }
    return null;
  }

  /**
   * The instant `ms` milliseconds of business time after `from` (business time before it when
   * negative). A deadline that uses up a period exactly ends at the period's end, not at the next
   * opening. Null when the calendar does not open enough within three years.
   */
  addBusinessMs(from: Date, ms: number): Date | null {
    if (ms < 0) return this.subtractBusinessMs(from, -ms);
    const start = from.getTime();
    if (ms === 0) return new Date(start);
    let left = ms;
    const first = this.dayOfInstant(start);
    for (let day = first; day < first + HORIZON_DAYS; day++) {
      for (const [s, e] of this.openOn(day)) {
        if (e <= start) continue;
        const a = Math.max(s, start);
        if (e - a >= left) return new Date(a + left);
        left -= e - a;
      }
    }
    return null;
  }

  subtractBusinessMs(from: Date, ms: number): Date | null {
    const end = from.getTime();
    if (ms === 0) return new Date(end);
    let left = ms;
    const first = this.dayOfInstant(end);
    for (let day = first; day > first - HORIZON_DAYS; day--) {
      const open = this.openOn(day);
      for (let i = open.length - 1; i >= 0; i--) {
        const [s, e] = open[i]!;
        if (s >= end) continue;
        const b = Math.min(e, end);
        if (b - s >= left) return new Date(b - left);
        left -= b - s;
      }
    }
    return null;
  }

  addBusinessMinutes(from: Date, minutes: number): Date | null {
    return this.addBusinessMs(from, minutes * MINUTE);
  }

  /** Business time from `a` to `b` in ms (negative when `b` is before `a`). */
  businessMsBetween(a: Date, b: Date): number {
    const x = a.getTime();
    const y = b.getTime();
    if (y < x) return -this.businessMsBetween(b, a);
    let total = 0;
    const last = this.dayOfInstant(y);
    for (let day = this.dayOfInstant(x); day <= last; day++) {
      for (const [s, e] of this.openOn(day)) {
        const lo = Math.max(s, x);
        const hi = Math.min(e, y);
        if (hi > lo) total += hi - lo;
      }
    }
    return total;
  }

  businessMinutesBetween(a: Date, b: Date): number {
    return this.businessMsBetween(a, b) / MINUTE;
  }
}

/** Round-the-clock time, for targets in calendar hours (and tickets with no calendar). */
export const ALWAYS_OPEN = {
  isOpenAt: (_at: Date) => true,
  nextOpen: (at: Date): Date | null => at,
  addBusinessMs: (from: Date, ms: number): Date | null => new Date(from.getTime() + ms),
  businessMsBetween: (a: Date, b: Date) => b.getTime() - a.getTime(),
};

/** What SLA clocks need from a calendar; both BusinessCalendar and ALWAYS_OPEN provide it. */
export type Clockwork = Pick<BusinessCalendar, 'isOpenAt' | 'nextOpen' | 'addBusinessMs' | 'businessMsBetween'>;

/** Problems with a calendar definition, as [path, message] pairs (empty when it is valid). */
export function calendarProblems(def: CalendarDefinition, isZone: (z: string) => boolean): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  if (!isZone(def.timeZone)) problems.push(['timeZone', `unknown time zone "${def.timeZone}" (use an IANA name such as Europe/Paris)`]);
  let openMinutes = 0;
  for (const d of WEEKDAYS) {
    for (const [i, p] of (def.weekly[d] ?? []).entries()) {
      if (!isHhmm(p.start) || !isHhmm(p.end)) problems.push([`weekly.${d}.${i}`, 'times are HH:MM (00:00 to 24:00)']);
      else {
        const [s, e] = periodMinutes(p);
        openMinutes += e - s;
      }
    }
  }
  if (openMinutes === 0 && problems.length === 0) problems.push(['weekly', 'the week has no open period']);
  const check = (path: string, date: string, periods: Period[] | undefined) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || dateOf(dayOf(date)) !== date) problems.push([`${path}.date`, 'a real date, YYYY-MM-DD']);
    for (const [i, p] of (periods ?? []).entries()) {
      if (!isHhmm(p.start) || !isHhmm(p.end)) problems.push([`${path}.${i}`, 'times are HH:MM (00:00 to 24:00)']);
    }
  };
  def.holidays.forEach((h, i) => check(`holidays.${i}`, h.date, h.closed));
  def.specialDays.forEach((s, i) => check(`specialDays.${i}`, s.date, s.hours));
  return problems;
}

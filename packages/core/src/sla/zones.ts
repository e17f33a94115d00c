/**
 * Time-zone arithmetic on top of Intl: the offset of a zone at an instant, and the instant of a
 * local wall-clock time. Local dates are counted as days since 1970-01-01 ("day numbers"), so
 * walking from one date to the next never touches a zone.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows this IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || !timeZone || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Offsets by zone and UTC hour, for the hours whose start and end have the same offset (a zone
 * changes its offset at most once in an hour, months apart): Intl's formatting costs several
 * microseconds a call and clock arithmetic asks for the same hours again and again.
 */
const hourOffsets = new Map<string, number>();

/** The zone's offset from UTC at `ms`, in milliseconds (Paris in summer: +7,200,000). */
export function offsetAt(timeZone: string, ms: number): number {
  const hour = Math.floor(ms / 3_600_000);
  const key = `${timeZone}|${hour}`;
  const hit = hourOffsets.get(key);
  if (hit !== undefined) return hit;
  const start = exactOffsetAt(timeZone, hour * 3_600_000);
  if (exactOffsetAt(timeZone, (hour + 1) * 3_600_000 - 1000) !== start) return exactOffsetAt(timeZone, ms);
  if (hourOffsets.size >= 200_000) hourOffsets.clear();
  hourOffsets.set(key, start);
  return start;
}

function exactOffsetAt(timeZone: string, ms: number): number {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  // formatToParts drops the milliseconds; so does the comparison.
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

export interface LocalTime {
  /** Days since 1970-01-01 in the zone. */
  day: number;
  /** Minutes since local midnight (0–1439). */
  minute: number;
}

/** The local date and minute of an instant in a zone. */
export function localTimeOf(timeZone: string, ms: number): LocalTime {
  const local = ms + offsetAt(timeZone, ms);
  const day = Math.floor(local / 86_400_000);
  return { day, minute: Math.floor((local - day * 86_400_000) / 60_000) };
}

/**
 * The instant of local `day` at `minute` (may be 1440 and more: the next day). Times skipped by
 * a spring-forward change move forward by the gap (02:30 on a night that jumps from 02:00 to
 * 03:00 is 03:30); times repeated by a fall-back change take the first of the two.
 */
export function instantOf(timeZone: string, day: number, minute: number): number {
  const local = day * 86_400_000 + minute * 60_000;
  const before = offsetAt(timeZone, local - 86_400_000);
  const after = offsetAt(timeZone, local + 86_400_000);
  const candidates: number[] = [];
  for (const off of before === after ? [before] : [before, after]) {
    const t = local - off;
    if (offsetAt(timeZone, t) === off) candidates.push(t);
  }
  if (candidates.length) return Math.min(...candidates);
  // In a gap: read the wall clock with the offset in force before the change.
  return local - before;
}

/** Day number of a YYYY-MM-DD date. */
export function dayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Math.floor(Date.UTC(y, m - 1, d) / 86_400_000);
}

/** YYYY-MM-DD of a day number. */
export function dateOf(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

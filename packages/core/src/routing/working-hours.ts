import type { WorkingHours } from './types.ts';

const DAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Whether `at` falls in the agent's working hours, read in their time zone (no hours: always). */
export function withinWorkingHours(hours: WorkingHours | null, timeZone: string, at: Date): boolean {
  if (!hours) return true;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  } catch {
    parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  }
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = DAYS[get('weekday')] ?? 1;
  const minutes = Number(get('hour')) * 60 + Number(get('minute'));
  const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  const start = toMin(hours.start);
  const end = toMin(hours.end);
  if (start < end) return hours.days.includes(day) && minutes >= start && minutes < end;
  // A night shift (22:00–06:00) belongs to the day it starts on.
  if (minutes >= start) return hours.days.includes(day);
  const yesterday = day === 1 ? 7 : day - 1;
  return minutes < end && hours.days.includes(yesterday);
}

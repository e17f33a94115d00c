import type { WorkingHours } from './types.ts';
import { isValidTimeZone, localTimeOf, weekdayOf } from '../sla/zones.ts';

/** Whether `at` falls in the agent's working hours, read in their time zone (no hours: always). */
export function withinWorkingHours(hours: WorkingHours | null, timeZone: string, at: Date): boolean {
  if (!hours) return true;
  // The zone's formatter is built once and kept (zones.ts): building one costs more than the rest.
  const local = localTimeOf(isValidTimeZone(timeZone) ? timeZone : 'UTC', at.getTime());
  const day = weekdayOf(local.day) || 7; // 1 Monday … 7 Sunday
  const minutes = local.minute;
  const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  const start = toMin(hours.start);
  const end = toMin(hours.end);
  if (start < end) return hours.days.includes(day) && minutes >= start && minutes < end;
  // A night shift (22:00–06:00) belongs to the day it starts on.
  if (minutes >= start) return hours.days.includes(day);
  const yesterday = day === 1 ? 7 : day - 1;
  return minutes < end && hours.days.includes(yesterday);
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BusinessCalendar, calendarProblems, type CalendarDefinition, type Period, type WeeklySchedule } from '../src/sla/calendar.ts';
import { importIcal } from '../src/sla/ical.ts';
import { dayOf, instantOf, isValidTimeZone, localTimeOf, offsetAt } from '../src/sla/zones.ts';

const H = 3_600_000;
const p = (start: string, end: string): Period => ({ start, end });
const week = (days: Partial<WeeklySchedule>): WeeklySchedule => ({ sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], ...days });
const officeHours = (periods: Period[]) => week({ mon: periods, tue: periods, wed: periods, thu: periods, fri: periods });
const cal = (timeZone: string, weekly: WeeklySchedule, extra: Partial<CalendarDefinition> = {}) =>
  new BusinessCalendar({ timeZone, weekly, holidays: [], specialDays: [], ...extra });

/** The instant of a local wall-clock time "YYYY-MM-DD HH:MM" in `zone`. */
const at = (zone: string, local: string) => {
  const [date, time] = local.split(' ') as [string, string];
  const [h, m] = time.split(':').map(Number) as [number, number];
  return new Date(instantOf(zone, dayOf(date), h * 60 + m));
};
/** The local wall-clock time of an instant, "YYYY-MM-DD HH:MM". */
const local = (zone: string, d: Date | null) => {
  assert.ok(d, 'an instant');
  const t = localTimeOf(zone, d.getTime());
  const date = new Date(t.day * 86_400_000).toISOString().slice(0, 10);
  return `${date} ${String(Math.floor(t.minute / 60)).padStart(2, '0')}:${String(t.minute % 60).padStart(2, '0')}`;
};

const PARIS = 'Europe/Paris';
const NY = 'America/New_York';
const TORONTO = 'America/Toronto';

describe('time zones through Intl', () => {
  it('knows the offsets on both sides of the daylight-saving changes', () => {
    // Paris: CET +1, CEST +2 from 2026-03-29 01:00 UTC to 2026-10-25 01:00 UTC.
    assert.equal(offsetAt(PARIS, Date.UTC(2026, 2, 29, 0, 59)), 1 * H);
    assert.equal(offsetAt(PARIS, Date.UTC(2026, 2, 29, 1, 0)), 2 * H);
    assert.equal(offsetAt(PARIS, Date.UTC(2026, 9, 25, 0, 59)), 2 * H);
    assert.equal(offsetAt(PARIS, Date.UTC(2026, 9, 25, 1, 0)), 1 * H);
    // New York: EST -5, EDT -4 from 2026-03-08 07:00 UTC to 2026-11-01 06:00 UTC.
    assert.equal(offsetAt(NY, Date.UTC(2026, 2, 8, 6, 59)), -5 * H);
    assert.equal(offsetAt(NY, Date.UTC(2026, 2, 8, 7, 0)), -4 * H);
    assert.equal(offsetAt(NY, Date.UTC(2026, 10, 1, 6, 0)), -5 * H);
  });

  it('moves a time skipped by spring-forward ahead by the gap, and takes the first of a repeated time', () => {
    assert.equal(new Date(instantOf(PARIS, dayOf('2026-03-29'), 150)).toISOString(), '2026-03-29T01:30:00.000Z'); // 02:30 -> 03:30 CEST
    assert.equal(new Date(instantOf(PARIS, dayOf('2026-10-25'), 150)).toISOString(), '2026-10-25T00:30:00.000Z'); // first 02:30 (CEST)
    assert.equal(new Date(instantOf(NY, dayOf('2026-03-08'), 150)).toISOString(), '2026-03-08T07:30:00.000Z'); // 02:30 -> 03:30 EDT
    assert.equal(new Date(instantOf(NY, dayOf('2026-11-01'), 90)).toISOString(), '2026-11-01T05:30:00.000Z'); // first 01:30 (EDT)
  });

  it('tells real zone names from made-up ones', () => {
    assert.equal(isValidTimeZone('Europe/Paris'), true);
    assert.equal(isValidTimeZone('Mars/Olympus_Mons'), false);
    assert.equal(isValidTimeZone(''), false);
  });
});

describe('business-time arithmetic', () => {
  const nineToFive = cal(PARIS, officeHours([p('09:00', '17:00')]));

  it('carries a target over the weekend', () => {
    assert.equal(local(PARIS, nineToFive.addBusinessMinutes(at(PARIS, '2026-06-05 16:30'), 60)), '2026-06-08 09:30');
  });

  it('ends a deadline that uses a period up exactly at the end of the period', () => {
    assert.equal(local(PARIS, nineToFive.addBusinessMinutes(at(PARIS, '2026-06-08 09:00'), 480)), '2026-06-08 17:00');
    assert.equal(local(PARIS, nineToFive.addBusinessMinutes(at(PARIS, '2026-06-08 09:00'), 481)), '2026-06-09 09:01');
    // Starting at closing time or at night, the clock starts at the next opening.
    assert.equal(local(PARIS, nineToFive.addBusinessMinutes(at(PARIS, '2026-06-08 17:00'), 1)), '2026-06-09 09:01');
    assert.equal(local(PARIS, nineToFive.addBusinessMinutes(at(PARIS, '2026-06-09 03:00'), 30)), '2026-06-09 09:30');
  });

  it('skips a lunch break and splits shifts', () => {
    const split = cal(PARIS, officeHours([p('13:30', '18:00'), p('09:00', '12:00')]));
    assert.equal(local(PARIS, split.addBusinessMinutes(at(PARIS, '2026-06-08 10:00'), 240)), '2026-06-08 15:30');
    assert.equal(split.businessMinutesBetween(at(PARIS, '2026-06-08 08:00'), at(PARIS, '2026-06-08 20:00')), 450);
    assert.equal(split.isOpenAt(at(PARIS, '2026-06-08 12:30')), false);
    assert.equal(split.isOpenAt(at(PARIS, '2026-06-08 13:30')), true);
    assert.equal(local(PARIS, split.nextOpen(at(PARIS, '2026-06-08 12:30'))), '2026-06-08 13:30');
  });

  it('runs overnight periods into the next morning', () => {
    const nights = cal(PARIS, week({ mon: [p('22:00', '06:00')], tue: [p('22:00', '06:00')] }));
    assert.equal(nights.isOpenAt(at(PARIS, '2026-06-09 05:59')), true, 'Tuesday 05:59 belongs to Monday night');
    assert.equal(nights.isOpenAt(at(PARIS, '2026-06-09 06:00')), false);
    assert.equal(local(PARIS, nights.addBusinessMinutes(at(PARIS, '2026-06-08 23:00'), 8 * 60)), '2026-06-09 23:00');
    assert.equal(nights.businessMinutesBetween(at(PARIS, '2026-06-08 00:00'), at(PARIS, '2026-06-11 00:00')), 16 * 60);
  });

  it('subtracts business time backwards', () => {
    assert.equal(local(PARIS, nineToFive.subtractBusinessMs(at(PARIS, '2026-06-08 09:30'), 60 * 60_000)), '2026-06-05 16:30');
    assert.equal(local(PARIS, nineToFive.addBusinessMs(at(PARIS, '2026-06-08 09:30'), -2 * 8 * H)), '2026-06-04 09:30');
    assert.equal(local(PARIS, nineToFive.subtractBusinessMs(at(PARIS, '2026-06-09 09:00'), 8 * H)), '2026-06-08 09:00');
  });

  it('answers null when the calendar never opens', () => {
    const closed = cal(PARIS, week({}));
    assert.equal(closed.addBusinessMinutes(new Date('2026-06-08T10:00:00Z'), 1), null);
    assert.equal(closed.nextOpen(new Date('2026-06-08T10:00:00Z')), null);
    assert.equal(closed.businessMinutesBetween(new Date('2026-06-08T10:00:00Z'), new Date('2026-06-20T10:00:00Z')), 0);
  });

  it('agrees with itself: the business time between a start and its deadline is the target', () => {
    const zones = [PARIS, NY, TORONTO, 'Asia/Kolkata', 'Australia/Lord_Howe'];
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const zone of zones) {
      const c = cal(zone, { ...officeHours([p('08:30', '12:00'), p('13:00', '17:45')]), sat: [p('22:00', '02:00')] }, {
        holidays: [{ date: '2026-12-25', name: 'Christmas', yearly: true }, { date: '2026-03-09', name: 'Half day', yearly: false, closed: [p('12:00', '24:00')] }],
      });
      for (let i = 0; i < 200; i++) {
        const start = new Date(Date.UTC(2026, 0, 1) + Math.floor(rnd() * 360 * 86_400_000));
        const ms = Math.floor(rnd() * 40 * H);
        const end = c.addBusinessMs(start, ms)!;
        assert.equal(c.businessMsBetween(start, end), ms, `${zone} from ${start.toISOString()} + ${ms} ms`);
        assert.equal(c.subtractBusinessMs(end, ms)!.getTime() <= end.getTime(), true);
        assert.equal(c.businessMsBetween(c.subtractBusinessMs(end, ms)!, end), ms);
      }
    }
  });
});

describe('daylight-saving changes', () => {
  const always = (zone: string) => cal(zone, { sun: [p('00:00', '24:00')], mon: [p('00:00', '24:00')], tue: [], wed: [], thu: [], fri: [], sat: [p('00:00', '24:00')] });

  it('Europe/Paris: the spring-forward day has 23 business hours, the fall-back day 25', () => {
    assert.equal(always(PARIS).businessMsBetween(at(PARIS, '2026-03-29 00:00'), at(PARIS, '2026-03-30 00:00')), 23 * H);
    assert.equal(always(PARIS).businessMsBetween(at(PARIS, '2026-10-25 00:00'), at(PARIS, '2026-10-26 00:00')), 25 * H);
  });

  it('Europe/Paris: an overnight shift across the change is an hour shorter in March and longer in October', () => {
    const nights = cal(PARIS, week({ sat: [p('22:00', '06:00')] }));
    assert.equal(nights.businessMsBetween(at(PARIS, '2026-03-28 00:00'), at(PARIS, '2026-03-30 00:00')), 7 * H);
    assert.equal(nights.businessMsBetween(at(PARIS, '2026-10-24 00:00'), at(PARIS, '2026-10-26 00:00')), 9 * H);
    // A shift of the same wall-clock length the week after is 8 hours.
    assert.equal(nights.businessMsBetween(at(PARIS, '2026-04-04 00:00'), at(PARIS, '2026-04-06 00:00')), 8 * H);
    // Four real hours after 22:00 CET the clocks read 03:00 CEST: they jumped an hour at 02:00.
    assert.equal(local(PARIS, nights.addBusinessMs(at(PARIS, '2026-03-28 22:00'), 4 * H)), '2026-03-29 03:00');
    assert.equal(local(PARIS, nights.addBusinessMs(at(PARIS, '2026-03-28 22:00'), 7 * H)), '2026-03-29 06:00');
  });

  it('Europe/Paris: office hours keep their wall-clock times on both sides of the change', () => {
    const office = cal(PARIS, officeHours([p('09:00', '17:00')]));
    // Friday 16:00 CET + 2 business hours = Monday 10:00 CEST.
    const deadline = office.addBusinessMinutes(at(PARIS, '2026-03-27 16:00'), 120);
    assert.equal(local(PARIS, deadline), '2026-03-30 10:00');
    assert.equal(deadline!.toISOString(), '2026-03-30T08:00:00.000Z');
    assert.equal(local(PARIS, office.addBusinessMinutes(at(PARIS, '2026-10-23 16:00'), 120)), '2026-10-26 10:00');
  });

  for (const zone of [NY, TORONTO]) {
    it(`${zone}: deadlines across both changes keep local office hours`, () => {
      const office = cal(zone, officeHours([p('09:00', '17:00')]));
      const spring = office.addBusinessMinutes(at(zone, '2026-03-06 16:00'), 120);
      assert.equal(local(zone, spring), '2026-03-09 10:00');
      assert.equal(spring!.toISOString(), '2026-03-09T14:00:00.000Z');
      const fall = office.addBusinessMinutes(at(zone, '2026-10-30 16:00'), 120);
      assert.equal(local(zone, fall), '2026-11-02 10:00');
      assert.equal(fall!.toISOString(), '2026-11-02T15:00:00.000Z');
      // A week of office hours is 40 hours whatever the change.
      assert.equal(office.businessMsBetween(at(zone, '2026-03-02 00:00'), at(zone, '2026-03-14 00:00')), 80 * H);
    });

    it(`${zone}: a period inside the skipped hour is shorter, a period inside the repeated hour longer`, () => {
      const early = cal(zone, week({ sun: [p('01:00', '04:00')] }));
      assert.equal(early.businessMsBetween(at(zone, '2026-03-08 00:00'), at(zone, '2026-03-09 00:00')), 2 * H);
      assert.equal(early.businessMsBetween(at(zone, '2026-11-01 00:00'), at(zone, '2026-11-02 00:00')), 4 * H);
      assert.equal(early.isOpenAt(new Date('2026-03-08T06:59:00Z')), true); // 01:59 EST
      assert.equal(local(zone, early.addBusinessMs(at(zone, '2026-03-08 01:00'), H)), '2026-03-08 03:00');
    });
  }
});

describe('holidays and special days', () => {
  const office = officeHours([p('09:00', '17:00')]);

  it('skips a yearly holiday every year and a one-off holiday once', () => {
    const c = cal(PARIS, office, {
      holidays: [
        { date: '2020-12-25', name: 'Noël', yearly: true },
        { date: '2026-05-14', name: 'Ascension', yearly: false },
      ],
    });
    assert.equal(local(PARIS, c.addBusinessMinutes(at(PARIS, '2026-12-24 16:00'), 120)), '2026-12-28 10:00');
    assert.equal(local(PARIS, c.addBusinessMinutes(at(PARIS, '2027-12-24 16:00'), 120)), '2027-12-27 10:00'); // the 25th is a Saturday anyway
    assert.equal(local(PARIS, c.addBusinessMinutes(at(PARIS, '2026-05-13 16:00'), 120)), '2026-05-15 10:00');
    assert.equal(local(PARIS, c.addBusinessMinutes(at(PARIS, '2027-05-13 16:00'), 120)), '2027-05-14 10:00');
    assert.equal(c.isOpenAt(at(PARIS, '2026-12-25 10:00')), false);
  });

  it('closes part of a day', () => {
    const c = cal(PARIS, office, { holidays: [{ date: '2026-12-24', name: 'Veille de Noël', yearly: false, closed: [p('12:00', '24:00')] }] });
    assert.equal(c.businessMinutesBetween(at(PARIS, '2026-12-24 00:00'), at(PARIS, '2026-12-25 00:00')), 180);
  });

  it('a holiday after an overnight shift cuts the shift at midnight', () => {
    const c = cal(PARIS, week({ sun: [p('22:00', '06:00')] }), { holidays: [{ date: '2026-06-08', name: 'Pentecôte', yearly: false }] });
    assert.equal(c.businessMsBetween(at(PARIS, '2026-06-07 00:00'), at(PARIS, '2026-06-09 00:00')), 2 * H);
  });

  it('a special day replaces the weekly hours', () => {
    const c = cal(PARIS, office, {
      specialDays: [
        { date: '2026-06-13', name: 'Saturday sale', hours: [p('10:00', '12:00')] },
        { date: '2026-06-15', name: 'Short Monday', hours: [p('09:00', '10:00')] },
      ],
    });
    assert.equal(local(PARIS, c.addBusinessMinutes(at(PARIS, '2026-06-12 16:30'), 60)), '2026-06-13 10:30');
    assert.equal(local(PARIS, c.addBusinessMinutes(at(PARIS, '2026-06-13 11:00'), 120)), '2026-06-15 10:00');
    assert.equal(local(PARIS, c.addBusinessMinutes(at(PARIS, '2026-06-13 11:00'), 150)), '2026-06-16 09:30');
  });
});

describe('calendar validation', () => {
  it('names each problem', () => {
    const problems = calendarProblems(
      {
        timeZone: 'Nowhere/Land',
        weekly: week({ mon: [p('9:00', '17:00')] }),
        holidays: [{ date: '2026-02-30', name: 'x', yearly: false }],
        specialDays: [{ date: '2026-06-01', name: 'y', hours: [p('10:00', '25:00')] }],
      },
      isValidTimeZone,
    );
    assert.deepEqual(problems.map(([path]) => path), ['timeZone', 'weekly.mon.0', 'holidays.0.date', 'specialDays.0.0']);
    assert.deepEqual(calendarProblems({ timeZone: PARIS, weekly: week({}), holidays: [], specialDays: [] }, isValidTimeZone).map(([x]) => x), ['weekly']);
    assert.deepEqual(calendarProblems({ timeZone: PARIS, weekly: office(), holidays: [], specialDays: [] }, isValidTimeZone), []);
  });
  const office = () => officeHours([p('09:00', '17:00')]);
});

describe('iCalendar import', () => {
  const ics = (...events: string[]) =>
    ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...events, 'END:VCALENDAR', ''].join('\r\n');

  it('reads all-day, multi-day, timed and yearly events', () => {
    const text = ics(
      'BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20260501\r\nDTEND;VALUE=DATE:20260502\r\nSUMMARY:Fête du travail\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT',
      'BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20260810\r\nDTEND;VALUE=DATE:20260813\r\nSUMMARY:Fermeture d\'\r\n  été\\, équipe\r\nEND:VEVENT',
      'BEGIN:VEVENT\r\nUID:3\r\nDTSTART;TZID=America/New_York:20261224T120000\r\nDTEND;TZID=America/New_York:20261224T170000\r\nSUMMARY:Christmas Eve (NY office)\r\nEND:VEVENT',
      'BEGIN:VEVENT\r\nUID:4\r\nDTSTART:20261231T150000Z\r\nDURATION:PT12H\r\nSUMMARY:New Year\'s Eve\r\nBEGIN:VALARM\r\nTRIGGER:-PT15M\r\nSUMMARY:alarm\r\nEND:VALARM\r\nEND:VEVENT',
      'BEGIN:VEVENT\r\nUID:5\r\nDTSTART;VALUE=DATE:20260714\r\nSUMMARY:Fête nationale\r\nRRULE:FREQ=YEARLY;COUNT=2\r\nEND:VEVENT',
    );
    const r = importIcal(text, PARIS);
    assert.deepEqual(r.skipped, []);
    assert.deepEqual(r.holidays, [
      { date: '2026-05-01', name: 'Fête du travail', yearly: true },
      { date: '2026-08-10', name: "Fermeture d' été, équipe", yearly: false },
      { date: '2026-08-11', name: "Fermeture d' été, équipe", yearly: false },
      { date: '2026-08-12', name: "Fermeture d' été, équipe", yearly: false },
      { date: '2026-12-24', name: 'Christmas Eve (NY office)', yearly: false, closed: [{ start: '18:00', end: '23:00' }] },
      { date: '2026-12-31', name: "New Year's Eve", yearly: false, closed: [{ start: '16:00', end: '24:00' }] },
      { date: '2027-01-01', name: "New Year's Eve", yearly: false, closed: [{ start: '00:00', end: '04:00' }] },
      { date: '2026-07-14', name: 'Fête nationale', yearly: false },
      { date: '2027-07-14', name: 'Fête nationale', yearly: false },
    ]);
    const c = cal(PARIS, officeHours([p('09:00', '17:00')]), { holidays: r.holidays });
    assert.equal(c.isOpenAt(at(PARIS, '2030-05-01 10:00')), false, 'yearly');
    assert.equal(c.isOpenAt(at(PARIS, '2028-07-14 10:00')), true, 'COUNT=2 ends in 2027');
  });

  it('leaves out what it cannot read, and says why', () => {
    const r = importIcal(
      ics(
        'BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260105\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Weekly\r\nEND:VEVENT',
        'BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260525\r\nRRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO\r\nSUMMARY:Memorial Day\r\nEND:VEVENT',
        'BEGIN:VEVENT\r\nDTSTART:garbage\r\nSUMMARY:Broken\r\nEND:VEVENT',
        'BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260601\r\nSTATUS:CANCELLED\r\nSUMMARY:Off\r\nEND:VEVENT',
      ),
      NY,
    );
    assert.deepEqual(r.holidays, []);
    assert.deepEqual(r.skipped.map((s) => s.summary), ['Weekly', 'Memorial Day', 'Broken', 'Off']);
    assert.match(importIcal('hello', NY).skipped[0]!.reason, /not an iCalendar/);
  });

  it('reads floating times in the calendar zone and a yearly rule with UNTIL', () => {
    const r = importIcal(ics('BEGIN:VEVENT\nDTSTART:20260101T000000\nDTEND:20260102T000000\nRRULE:FREQ=YEARLY;UNTIL=20281231T000000Z\nSUMMARY:New Year\nEND:VEVENT'), TORONTO);
    assert.deepEqual(r.holidays.map((h) => h.date), ['2026-01-01', '2027-01-01', '2028-01-01']);
    assert.ok(r.holidays.every((h) => h.closed === undefined && h.yearly === false));
  });
});

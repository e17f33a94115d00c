/**
 * Business calendars: the hours SLA targets count in. A time zone, a weekly schedule with several
 * periods a day (a lunch break is two periods), holidays (all day or some hours, once or every
 * year, typed or imported from an .ics file) and special days with their own hours. One calendar
 * may be the workspace default; a team's calendar applies to that team's tickets.
 */
import { useRef, useState } from 'react';
import { useI18n } from '../i18n.ts';
import { adminApi, type BusinessCalendarOut, type Holiday, type Period, type SpecialDay, type TeamOut, type WeeklySchedule } from './adminApi.ts';
import { ErrorNote, Field, FormFoot, ListHead, PanelHead, Refused, isRefusal, useAction, useSave, useLoad } from './kit.tsx';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Day = (typeof DAYS)[number];
const OFFICE: Period[] = [{ start: '09:00', end: '17:00' }];

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Every IANA zone the browser knows, offered as suggestions (any zone the server accepts may be typed). */
const ZONES: string[] = (() => {
  const f = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
  try {
    return f ? f('timeZone') : [];
  } catch {
    return [];
  }
})();

export function CalendarsScreen() {
  const { t } = useI18n();
  const calendars = useLoad(() => adminApi.calendars(), []);
  const teams = useLoad(() => adminApi.teams(), []);
  const [open, setOpen] = useState<string | 'new' | null>(null);
  if (isRefusal(calendars.error)) return <Refused error={calendars.error} />;
  const list = calendars.data ?? [];
  const current = open === 'new' ? null : list.find((c) => c.id === open) ?? null;
  const teamName = new Map((teams.data ?? []).map((x) => [x.id, x.name]));
  return (
    <section className="admin-split wide" aria-labelledby="calendars-title">
      <div className="admin-list">
        <ListHead id="calendars-title" title={t('admin.calendars')} newLabel={t('admin.cal.new')} onNew={() => setOpen('new')} intro={t('admin.cal.intro')} error={calendars.error} />
        <table className="admin-table">
          <thead><tr><th>{t('admin.name')}</th><th>{t('admin.cal.timeZone')}</th><th>{t('admin.cal.appliesTo')}</th><th>{t('admin.cal.holidays')}</th></tr></thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id} className={c.id === open ? 'on' : ''}>
                <td><button className="link" onClick={() => setOpen(c.id)}>{c.name}</button></td>
                <td>{c.timeZone}</td>
                <td>
                  {c.teamId ? t('admin.cal.team', { name: teamName.get(c.teamId) ?? '?' }) : c.isDefault ? t('admin.cal.workspaceDefault') : t('admin.cal.policiesOnly')}
                </td>
                <td>{c.holidays.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {calendars.data?.length === 0 && <p className="empty">{t('admin.cal.none')}</p>}
      </div>
      {open && (
        <CalendarForm
          key={current?.id ?? 'new'}
          calendar={current}
          teams={teams.data ?? []}
          onSaved={(c) => {
            // Only one calendar is the default: the server moved the flag, the list follows.
            const rest = list.filter((x) => x.id !== c.id).map((x) => (c.isDefault ? { ...x, isDefault: false } : x));
            calendars.setData([...rest, c].sort((a, b) => a.name.localeCompare(b.name)));
            setOpen(c.id);
          }}
          onDeleted={(id) => {
            calendars.setData(list.filter((x) => x.id !== id));
            setOpen(null);
          }}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}

function CalendarForm(props: { calendar: BusinessCalendarOut | null; teams: TeamOut[]; onSaved(c: BusinessCalendarOut): void; onDeleted(id: string): void; onClose(): void }) {
  const { t } = useI18n();
  const c = props.calendar;
  const [name, setName] = useState(c?.name ?? '');
  const [timeZone, setTimeZone] = useState(c?.timeZone ?? browserZone());
  const [teamId, setTeamId] = useState(c?.teamId ?? '');
  const [isDefault, setIsDefault] = useState(c?.isDefault ?? false);
  const [weekly, setWeekly] = useState<WeeklySchedule>(
    c?.weekly ?? { mon: OFFICE, tue: OFFICE, wed: OFFICE, thu: OFFICE, fri: OFFICE, sat: [], sun: [] },
  );
  const [holidays, setHolidays] = useState<Holiday[]>(c?.holidays ?? []);
  const [specialDays, setSpecialDays] = useState<SpecialDay[]>(c?.specialDays ?? []);
  const saving = useSave(props.onSaved);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const body = { name: name.trim(), timeZone: timeZone.trim(), teamId: teamId || null, isDefault, weekly, holidays, specialDays };
    await saving.save(() => (c ? adminApi.updateCalendar(c.id, body) : adminApi.createCalendar(body)));
  }
  const setDay = (d: Day, periods: Period[]) => setWeekly((w) => ({ ...w, [d]: periods }));
  return (
    <div className="admin-panel">
      <PanelHead id="calendar-title" title={c ? c.name : t('admin.cal.new')} onClose={props.onClose} />
      <form className="admin-form" onSubmit={submit} aria-labelledby="calendar-title">
        <Field label={t('admin.name')}><input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <Field label={t('admin.cal.timeZone')} hint={t('admin.cal.timeZoneHint')}>
          <input required list="calendar-zones" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} autoComplete="off" />
        </Field>
        <datalist id="calendar-zones">{ZONES.map((z) => <option key={z} value={z} />)}</datalist>
        <Field label={t('admin.cal.appliesTo')}>
          <select value={teamId} onChange={(e) => setTeamId(e.target.value)}>
            <option value="">{t('admin.cal.noTeam')}</option>
            {props.teams.map((x) => <option key={x.id} value={x.id}>{t('admin.cal.team', { name: x.name })}</option>)}
          </select>
        </Field>
        <label className="check">
          <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} />
          {t('admin.cal.defaultLabel')}
        </label>
        <fieldset className="choice">
          <legend>{t('admin.cal.weekly')}</legend>
          <small className="muted">{t('admin.cal.weeklyHint')}</small>
          {DAYS.map((d) => (
            <PeriodsEditor key={d} label={t(`admin.cal.day.${d}`)} periods={weekly[d]} onChange={(p) => setDay(d, p)}>
              {d === 'mon' && (
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => setWeekly((w) => ({ ...w, tue: w.mon, wed: w.mon, thu: w.mon, fri: w.mon }))}>
                  {t('admin.cal.copyMonday')}
                </button>
              )}
            </PeriodsEditor>
          ))}
        </fieldset>
        <HolidaysEditor holidays={holidays} onChange={setHolidays} />
        <SpecialDaysEditor days={specialDays} onChange={setSpecialDays} />
        <FormFoot save={saving} createLabel={t('admin.cal.create')}
          del={c && { label: t('admin.cal.delete'), confirm: t('admin.cal.deleteConfirm', { name: c.name }), run: () => adminApi.deleteCalendar(c.id), done: () => props.onDeleted(c.id) }} />
      </form>
      {c && <IcalImport calendar={c} onImported={(next) => { setHolidays(next.holidays); props.onSaved(next); }} />}
    </div>
  );
}

/** The open periods of one day (or of a special day): start and end as HH:MM, any number of them. */
function PeriodsEditor(props: { label: string; periods: Period[]; onChange(p: Period[]): void; children?: React.ReactNode }) {
  const { t } = useI18n();
  const set = (i: number, patch: Partial<Period>) => props.onChange(props.periods.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  const last = props.periods.at(-1);
  return (
    <div className="periods" role="group" aria-label={props.label}>
      <span className="periods-day">{props.label}</span>
      <div className="periods-list">
        {props.periods.length === 0 && <span className="muted small">{t('admin.cal.closed')}</span>}
        {props.periods.map((p, i) => (
          <span className="period" key={i}>
            <input className="hhmm" aria-label={t('admin.cal.from', { day: props.label, n: i + 1 })} value={p.start} placeholder="09:00" maxLength={5} size={5}
              onChange={(e) => set(i, { start: e.target.value })} />
            –
            <input className="hhmm" aria-label={t('admin.cal.to', { day: props.label, n: i + 1 })} value={p.end} placeholder="17:00" maxLength={5} size={5}
              onChange={(e) => set(i, { end: e.target.value })} />
            <button type="button" className="btn btn-ghost btn-sm" aria-label={t('admin.cal.removePeriod', { day: props.label, n: i + 1 })}
              onClick={() => props.onChange(props.periods.filter((_, j) => j !== i))}>✕</button>
          </span>
        ))}
        <button type="button" className="btn btn-sm" aria-label={t('admin.cal.addPeriodTo', { day: props.label })}
          onClick={() => props.onChange([...props.periods, last ? { start: last.end, end: last.end < '17:00' ? '17:00' : '24:00' } : { start: '09:00', end: '17:00' }])}>
          {t('admin.cal.addPeriod')}
        </button>
        {props.children}
      </div>
    </div>
  );
}

function HolidaysEditor(props: { holidays: Holiday[]; onChange(h: Holiday[]): void }) {
  const { t } = useI18n();
  const [date, setDate] = useState('');
  const [name, setName] = useState('');
  const [yearly, setYearly] = useState(false);
  const add = () => {
    if (!date || !name.trim()) return;
    props.onChange([...props.holidays, { date, name: name.trim(), yearly }].sort((a, b) => a.date.localeCompare(b.date)));
    setDate('');
    setName('');
    setYearly(false);
  };
  return (
    <fieldset className="choice">
      <legend>{t('admin.cal.holidays')}</legend>
      {props.holidays.length > 0 && (
        <table className="admin-table">
          <thead><tr><th>{t('admin.cal.date')}</th><th>{t('admin.name')}</th><th>{t('admin.cal.yearly')}</th><th><span className="sr-only">{t('admin.actions')}</span></th></tr></thead>
          <tbody>
            {props.holidays.map((h, i) => (
              <tr key={`${h.date}-${h.name}-${i}`}>
                <td className="nowrap">{h.date}</td>
                <td>{h.name}{h.closed?.length ? <span className="muted small"> ({t('admin.cal.closedDuring', { hours: h.closed.map((p) => `${p.start}–${p.end}`).join(', ') })})</span> : null}</td>
                <td>{h.yearly ? t('admin.yes') : t('admin.no')}</td>
                <td><button type="button" className="btn btn-ghost btn-sm" aria-label={t('admin.cal.removeHoliday', { name: h.name, date: h.date })} onClick={() => props.onChange(props.holidays.filter((_, j) => j !== i))}>{t('admin.cal.remove')}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="form-row">
        <Field label={t('admin.cal.holidayDate')}><input type="date" value={date} onChange={(e) => setDate(e.target.value)} /></Field>
        <Field label={t('admin.cal.holidayName')}><input maxLength={200} value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} /></Field>
      </div>
      <label className="check"><input type="checkbox" checked={yearly} onChange={(e) => setYearly(e.target.checked)} />{t('admin.cal.yearlyLabel')}</label>
      <div><button type="button" className="btn btn-sm" disabled={!date || !name.trim()} onClick={add}>{t('admin.cal.addHoliday')}</button></div>
    </fieldset>
  );
}

function SpecialDaysEditor(props: { days: SpecialDay[]; onChange(d: SpecialDay[]): void }) {
  const { t } = useI18n();
  const [date, setDate] = useState('');
  const [name, setName] = useState('');
  const set = (i: number, hours: Period[]) => props.onChange(props.days.map((d, j) => (j === i ? { ...d, hours } : d)));
  const add = () => {
    if (!date || !name.trim()) return;
    props.onChange([...props.days, { date, name: name.trim(), hours: [{ start: '09:00', end: '12:00' }] }].sort((a, b) => a.date.localeCompare(b.date)));
    setDate('');
    setName('');
  };
  return (
    <fieldset className="choice">
      <legend>{t('admin.cal.specialDays')}</legend>
      <small className="muted">{t('admin.cal.specialHint')}</small>
      {props.days.map((d, i) => (
        <div key={`${d.date}-${i}`} className="special-day">
          <PeriodsEditor label={`${d.date} · ${d.name}`} periods={d.hours} onChange={(h) => set(i, h)}>
            <button type="button" className="btn btn-ghost btn-sm" aria-label={t('admin.cal.removeSpecial', { name: d.name, date: d.date })} onClick={() => props.onChange(props.days.filter((_, j) => j !== i))}>
              {t('admin.cal.remove')}
            </button>
          </PeriodsEditor>
        </div>
      ))}
      <div className="form-row">
        <Field label={t('admin.cal.specialDate')}><input type="date" value={date} onChange={(e) => setDate(e.target.value)} /></Field>
        <Field label={t('admin.cal.specialName')}><input maxLength={200} value={name} onChange={(e) => setName(e.target.value)} /></Field>
      </div>
      <div><button type="button" className="btn btn-sm" disabled={!date || !name.trim()} onClick={add}>{t('admin.cal.addSpecial')}</button></div>
    </fieldset>
  );
}

/** Holidays from an .ics file (chosen or pasted), added to the saved calendar or replacing its list. */
function IcalImport(props: { calendar: BusinessCalendarOut; onImported(c: BusinessCalendarOut): void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [mode, setMode] = useState<'merge' | 'replace'>('merge');
  const [result, setResult] = useState<{ added: number; skipped: Array<{ summary: string; reason: string }> } | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const action = useAction();
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setResult(null);
    const r = await action.run(() => adminApi.importHolidays(props.calendar.id, text, mode));
    if (r) {
      setResult({ added: r.added, skipped: r.skipped });
      setText('');
      if (file.current) file.current.value = '';
      props.onImported(r.calendar);
    }
  }
  return (
    <form className="admin-form" onSubmit={submit} aria-labelledby="ical-title">
      <h4 id="ical-title">{t('admin.cal.import')}</h4>
      <p className="muted small">{t('admin.cal.importHint')}</p>
      <Field label={t('admin.cal.importFile')}>
        <input ref={file} type="file" accept=".ics,text/calendar" onChange={(e) => { const f = e.target.files?.[0]; if (f) void f.text().then(setText); }} />
      </Field>
      <Field label={t('admin.cal.importText')}>
        <textarea rows={4} value={text} onChange={(e) => setText(e.target.value)} placeholder="BEGIN:VCALENDAR…" />
      </Field>
      <Field label={t('admin.cal.importMode')}>
        <select value={mode} onChange={(e) => setMode(e.target.value as 'merge' | 'replace')}>
          <option value="merge">{t('admin.cal.importMerge')}</option>
          <option value="replace">{t('admin.cal.importReplace')}</option>
        </select>
      </Field>
      <ErrorNote error={action.error} />
      {result && (
        <div className="notice" role="status">
          <p>{t('admin.cal.imported', { n: result.added })}</p>
          {result.skipped.length > 0 && (
            <ul className="small">{result.skipped.map((s, i) => <li key={i}>{t('admin.cal.skipped', { summary: s.summary || '?', reason: s.reason })}</li>)}</ul>
          )}
        </div>
      )}
      <div className="form-actions"><button className="btn" disabled={action.busy || !text.trim()}>{action.busy ? t('admin.saving') : t('admin.cal.importSubmit')}</button></div>
    </form>
  );
}

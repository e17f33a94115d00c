/**
 * Small pieces every admin screen shares: loading a resource, running a change (busy while it
 * saves, the API's error after), paged lists over `{ items, nextCursor }`, and the pages shown
 * when the API answers 403 or 404. The server decides what is allowed; these only show its answer.
 */
import { cloneElement, useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { linkHandler } from '../router.ts';
import { ROLES, type Page, type StaffRole } from './adminApi.ts';

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    load().then((d) => live && setData(d), (e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, reload, setData };
}

/** A change in flight: `busy` disables the form, `error` is what the API answered. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T,>(f: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await f();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}

/** A settings form's save: busy while it runs, "Saved" after it, the API's error otherwise. */
export function useSave<T>(onSaved: (v: T) => void) {
  const [done, setDone] = useState(false);
  const action = useAction();
  const save = async (f: () => Promise<T>): Promise<T | undefined> => {
    setDone(false);
    const next = await action.run(f);
    if (next) {
      setDone(true);
      onSaved(next);
    }
    return next;
  };
  return { done, action, save, clearDone: () => setDone(false) };
}

/** The foot of a settings form: the API's error, "Saved", and the save button. */
export function SaveFoot(props: { save: { done: boolean; action: { busy: boolean; error: unknown } }; label?: string | undefined; disabled?: boolean; children?: React.ReactNode }) {
  const { t } = useI18n();
  const { done, action } = props.save;
  return (
    <>
      <ErrorNote error={action.error} />
      {done && <p className="notice" role="status">{t('ticket.saved')}</p>}
      <div className="form-actions">
        <button className="btn btn-primary" disabled={action.busy || props.disabled}>{action.busy ? t('admin.saving') : props.label ?? t('admin.save')}</button>
        {props.children}
      </div>
    </>
  );
}

/** Pages of a list, loaded as the admin asks for more; a new query starts again from the top. */
export function usePaged<T>(fetch: (cursor: string | null) => Promise<Page<T>>, key: string) {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;

  const load = useCallback((cursor: string | null) => {
    const g = ++generation.current;
    setLoading(true);
    setError(null);
    fetchRef.current(cursor).then(
      (page) => {
        if (g !== generation.current) return;
        setItems((prev) => (cursor ? [...prev, ...page.items] : page.items));
        setNext(page.nextCursor);
        setLoading(false);
      },
      (e: unknown) => {
        if (g !== generation.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, []);
  // A new query (typing in a search box) waits for a short pause, so each keystroke is not a request.
  const first = useRef(true);
  useEffect(() => {
    const wait = first.current ? 0 : 250;
    first.current = false;
    const timer = setTimeout(() => load(null), wait);
    return () => clearTimeout(timer);
  }, [key, load]);
  return {
    items,
    loading,
    error,
    hasMore: next !== null,
    more: () => next && load(next),
    reload: () => load(null),
    replace: (match: (x: T) => boolean, x: T) => setItems((prev) => prev.map((p) => (match(p) ? x : p))),
  };
}

function issuesOf(e: ApiError): string[] {
  const d = e.details as { issues?: Array<{ path?: string[]; message?: string }> } | undefined;
  return (d?.issues ?? []).map((i) => (i.path?.length ? `${i.path.join('.')}: ${i.message}` : String(i.message)));
}

/** The API's error, as it said it (with each invalid field), in an alert. */
export function ErrorNote(props: { error: unknown }) {
  const { t } = useI18n();
  if (!props.error) return null;
  const e = props.error;
  if (e instanceof ApiError && e.code === 'NETWORK') return <p className="error" role="alert">{t('common.offline')}</p>;
  const message = e instanceof Error ? e.message : String(e);
  const issues = e instanceof ApiError ? issuesOf(e) : [];
  return (
    <div className="error" role="alert">
      <p>{t('common.error', { message })}</p>
      {issues.length > 1 && (
        <ul>
          {issues.map((i) => <li key={i}>{i}</li>)}
        </ul>
      )}
    </div>
  );
}

/** A whole screen the API refused (403) or could not find (404): said plainly, with a way out. */
export function Refused(props: { error: unknown }) {
  const { t } = useI18n();
  const status = props.error instanceof ApiError ? props.error.status : 0;
  if (status !== 403 && status !== 404) return <div className="admin-body"><ErrorNote error={props.error} /></div>;
  return (
    <div className="empty refused" role="alert">
      <h1>{status === 403 ? t('admin.forbiddenTitle') : t('admin.notFoundTitle')}</h1>
      <p>{status === 403 ? t('admin.forbiddenText') : t('admin.notFoundText')}</p>
      <a href="/" onClick={linkHandler('/')}>{t('ticket.back')}</a>
    </div>
  );
}

export const isRefusal = (e: unknown) => e instanceof ApiError && (e.status === 403 || e.status === 404);

/**
 * A labelled control: the label points at it by id (a wrapping label would also name a select by
 * its chosen option), and the hint describes it.
 */
export function Field(props: { label: string; hint?: string | undefined; inline?: boolean; children: React.ReactElement<{ id?: string; 'aria-describedby'?: string }> }) {
  const id = useId();
  const control = cloneElement(props.children, { id, ...(props.hint ? { 'aria-describedby': `${id}-hint` } : {}) });
  return (
    <div className={props.inline ? 'inline' : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      {control}
      {props.hint && <small className="muted" id={`${id}-hint`}>{props.hint}</small>}
    </div>
  );
}

export function ListFoot(props: { loading: boolean; hasMore: boolean; more: () => void; count: number }) {
  const { t } = useI18n();
  return (
    <div className="list-foot">
      {props.loading ? (
        <span aria-live="polite">{t('inbox.loading')}</span>
      ) : props.hasMore ? (
        <button className="btn btn-sm" onClick={props.more}>{t('admin.loadMore')}</button>
      ) : props.count === 0 ? (
        <span>{t('admin.nothingFound')}</span>
      ) : (
        <span>{t('admin.shown', { n: props.count })}</span>
      )}
    </div>
  );
}

/** "fr, en" ⇄ ["fr", "en"]: lists typed in one text field. */
export const splitList = (s: string) => s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);

/** The interface languages: what a person or the workspace reads Guichet and its emails in. */
export function LanguageSelect(props: { label: string; value: string; onChange(v: 'en' | 'fr'): void }) {
  return (
    <Field label={props.label}>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value as 'en' | 'fr')}>
        <option value="en">English</option>
        <option value="fr">Français</option>
      </select>
    </Field>
  );
}

export function RoleSelect(props: { value: StaffRole; onChange(r: StaffRole): void }) {
  const { t } = useI18n();
  return (
    <Field label={t('admin.user.role')}>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value as StaffRole)}>
        {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
      </select>
    </Field>
  );
}

/**
 * The head of a side panel: its title takes the focus when the panel opens (a keyboard or screen
 * reader user lands in it, not at the end of a long list), and a Close button.
 */
export function PanelHead(props: { id?: string; title: string; onClose(): void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus({ preventScroll: true }), []);
  return (
    <div className="panel-head">
      <h3 id={props.id} ref={ref} tabIndex={-1}>{props.title}</h3>
      <button type="button" className="btn btn-ghost btn-sm" onClick={props.onClose}>{t('common.close')}</button>
    </div>
  );
}

/** A secret the API answers once (a token, a webhook's signing key): shown here, to copy, never again. */
export function SecretOnce(props: { title: string; label: string; value: string; onDone(): void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard?.writeText(props.value).then(() => setCopied(true), () => setCopied(false));
  };
  return (
    <div className="secret" role="status" aria-labelledby="secret-title">
      <h3 id="secret-title">{props.title}</h3>
      <p>{t('admin.token.once')}</p>
      <div className="secret-row">
        <input readOnly aria-label={props.label} value={props.value} onFocus={(e) => e.target.select()} />
        <button type="button" className="btn" onClick={copy}>{copied ? t('admin.token.copied') : t('admin.token.copy')}</button>
        <button type="button" className="btn btn-ghost" onClick={props.onDone}>{t('admin.token.done')}</button>
      </div>
    </div>
  );
}

/** The top of a list screen: its title and "New …" button, a line saying what it is for, the load error. */
export function ListHead(props: { id: string; title: string; newLabel: string; onNew(): void; intro: string; error: unknown }) {
  return (
    <>
      <header className="admin-head">
        <h2 id={props.id}>{props.title}</h2>
        <button className="btn btn-primary" onClick={props.onNew}>{props.newLabel}</button>
      </header>
      <p className="muted">{props.intro}</p>
      <ErrorNote error={props.error} />
    </>
  );
}

/**
 * The foot of a record's form: the settings foot (the API's answer, "Saved", the save button,
 * named for a creation while the record is new) and, for a saved record, delete after a
 * confirmation, with the API's answer to it.
 */
export function FormFoot(props: {
  save: { done: boolean; action: { busy: boolean; error: unknown } };
  createLabel: string;
  del: { label: string; confirm: string; run(): Promise<void>; done(): void } | null;
}) {
  const remove = useAction();
  const del = props.del;
  async function onDelete() {
    if (!del || !window.confirm(del.confirm)) return;
    if (await remove.run(() => del.run().then(() => true))) del.done();
  }
  return (
    <>
      <ErrorNote error={remove.error} />
      <SaveFoot save={props.save} label={del ? undefined : props.createLabel} disabled={remove.busy}>
        {del && <button type="button" className="btn btn-danger" disabled={props.save.action.busy || remove.busy} onClick={() => void onDelete()}>{del.label}</button>}
      </SaveFoot>
    </>
  );
}

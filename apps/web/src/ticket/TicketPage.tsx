import { useCallback, useEffect, useImperativeHandle, useRef, useState } from 'react';
import {
  api,
  ApiError,
  attachmentUrl,
  type CustomFieldOut,
  type CustomerOut,
  type EventOut,
  type MessageOut,
  type OrganizationOut,
  type TicketOut,
  type TicketPatch,
  type TicketStatus,
  type MacroOut,
  type UserOut,
  type UploadOut,
  MESSAGE_MAX_FILES,
  UPLOAD_MAX_BYTES,
} from '../api.ts';
import { useI18n, type Translate } from '../i18n.ts';
import { linkHandler, navigate } from '../router.ts';
import { registerActions } from '../shortcuts.ts';
import { teamName, useSession, userName, type Directory } from '../session.ts';
import { Avatar, PriorityIcon, StatusBadge } from '../ui.tsx';
import { useInbox } from '../inbox/useInbox.ts';
import { isTyping } from '../shortcuts.ts';
import { describeActions, MacroPicker } from './MacroPicker.tsx';
import { FormatBar, MarkdownPreview, useFormatting } from './FormatBar.tsx';
import { MentionList, mentionCandidates, mentionQuery, mentionToken, TextWithMentions } from './Mentions.tsx';
import { FollowButton } from './FollowButton.tsx';
import { MergeIntoDialog } from './MergeDialog.tsx';
import { TicketPresence } from './Presence.tsx';
import { SuggestionsPanel } from '../knowledge/SuggestionsPanel.tsx';
import { SlaPanel } from './SlaPanel.tsx';
import { knowledgeApi } from '../knowledge/knowledgeApi.ts';

const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

type Load = { kind: 'loading' } | { kind: 'notFound' } | { kind: 'error'; message: string } | { kind: 'ready'; ticket: TicketOut };

export function TicketPage(props: { ticketRef: string }) {
  const { t } = useI18n();
  const { me, directory } = useSession();
  const inbox = useInbox();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [messages, setMessages] = useState<MessageOut[]>([]);
  const [events, setEvents] = useState<EventOut[]>([]);
  const [flash, setFlash] = useState<{ text: string; error?: boolean } | null>(null);
  const [fields, setFields] = useState<CustomFieldOut[]>([]);
  const [merging, setMerging] = useState(false);
  const [mergedInto, setMergedInto] = useState<TicketOut | null>(null);
  const composerRef = useRef<ComposerHandle>(null);

  const fetchAll = useCallback(async () => {
    try {
      const ticket = await api.ticket(props.ticketRef);
      setLoad({ kind: 'ready', ticket });
      // A merged ticket links to the one that holds its conversation now.
      setMergedInto(ticket.mergedIntoId ? await api.ticket(ticket.mergedIntoId).catch(() => null) : null);
      const [msgs, evs] = await Promise.all([api.messages(ticket.id), ticket.permissions.viewInternal ? api.events(ticket.id).catch(() => []) : []]);
      setMessages(msgs);
      setEvents(evs);
      return ticket;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setLoad({ kind: 'notFound' });
      else if (!(e instanceof ApiError && e.status === 401)) setLoad({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      return null;
    }
  }, [props.ticketRef]);

  useEffect(() => {
    setLoad({ kind: 'loading' });
    setMessages([]);
    setEvents([]);
    void fetchAll();
  }, [fetchAll]);
  useEffect(() => {
    api.customFields().then((f) => setFields(f.filter((x) => x.active)), () => {});
  }, []);

  const ticket = load.kind === 'ready' ? load.ticket : null;

  // Someone else (or another tab) changed this ticket: show it without a reload.
  useEffect(() => {
    if (!ticket) return;
    let timer: number | undefined;
    const off = inbox.onTicketSignal((s) => {
      if (s.ticketId !== ticket.id) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void fetchAll(), 250);
    });
    return () => {
      off();
      window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ticket?.id, fetchAll]);

  // Keep the inbox cursor on this ticket so j/k continue from here.
  useEffect(() => {
    if (!ticket) return;
    const i = inbox.items.findIndex((x) => x.id === ticket.id);
    if (i >= 0 && i !== inbox.cursor) inbox.setCursor(i);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ticket?.id]);

  const update = useCallback(
    async (patch: TicketPatch) => {
      if (!ticket) return;
      try {
        const next = await api.updateTicket(ticket.id, { ...patch, version: ticket.version });
        setLoad({ kind: 'ready', ticket: next });
        inbox.replace(next);
        inbox.refreshCounts();
        setFlash({ text: t('ticket.saved') });
        api.events(next.id).then(setEvents, () => {});
      } catch (e) {
        if (e instanceof ApiError && e.code === 'VERSION_CONFLICT') {
          setFlash({ text: t('ticket.conflict'), error: true });
          void fetchAll();
        } else if (!(e instanceof ApiError && e.status === 401)) {
          setFlash({ text: t('ticket.saveFailed', { message: e instanceof Error ? e.message : String(e) }), error: true });
        }
      }
    },
    [ticket, inbox, t, fetchAll],
  );

  useEffect(() => {
    if (!ticket) return;
    return registerActions({
      reply: () => composerRef.current?.focus('public'),
      note: () => composerRef.current?.focus('internal'),
      assignMe: () => ticket.permissions.update && void update({ assigneeId: me.user.id }),
      close: () => ticket.permissions.update && void update({ status: 'solved' }),
    });
  }, [ticket, update, me.user.id]);

  if (load.kind === 'loading') return <div className="ticket-page"><p className="empty">{t('ticket.loading')}</p></div>;
  if (load.kind === 'notFound')
    return (
      <div className="ticket-page">
        <div className="empty" role="alert">
          <p>{t('ticket.notFound')}</p>
          <a href="/" onClick={linkHandler('/')}>{t('ticket.back')}</a>
        </div>
      </div>
    );
  if (load.kind === 'error') return <div className="ticket-page"><p className="empty" role="alert">{t('common.error', { message: load.message })}</p></div>;
  const tk = load.ticket;

  const timeline: Array<{ at: string; key: string; node: React.ReactNode }> = [
    ...messages.map((m) => ({ at: m.createdAt, key: `m${m.id}`, node: <MessageCard key={m.id} m={m} ticketId={tk.id} requesterId={tk.requester.id} onFlash={setFlash} /> })),
    ...events.flatMap((e) => eventLines(e, t, directory).map((text, i) => ({ at: e.createdAt, key: `e${e.id}-${i}`, node: <SystemLine key={`${e.id}-${i}`} text={text} at={e.createdAt} /> }))),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.key < b.key ? 1 : -1));

  return (
    <div className="ticket-page">
      <header className="ticket-head">
        <a className="btn btn-ghost btn-sm" href="/" onClick={(e) => { e.preventDefault(); navigate(inbox.viewId === 'mine' ? '/' : `/views/${inbox.viewId}`); }} aria-label={t('ticket.back')}>←</a>
        <div className="ticket-title">
          <h1><PriorityIcon priority={tk.priority} />{tk.subject}</h1>
          <div className="muted small">
            #{tk.number} · {tk.requester.name} · {t('ticket.via', { channel: t(`channel.${tk.channel}`) })} · <StatusBadge status={tk.status} />
          </div>
        </div>
        {tk.permissions.update && !tk.mergedIntoId && (
          <button type="button" className="btn btn-ghost btn-sm merge-open" onClick={() => setMerging(true)}>{t('merge.into')}</button>
        )}
        <FollowButton ticketId={tk.id} />
      </header>
      {tk.mergedIntoId && (
        <p className="merged-banner" role="note">
          {t('merge.banner')}{' '}
          {mergedInto ? <a href={`/tickets/${mergedInto.number}`} onClick={linkHandler(`/tickets/${mergedInto.number}`)}>#{mergedInto.number} {mergedInto.subject}</a> : '…'}
        </p>
      )}
      {merging && (
        <MergeIntoDialog ticket={tk} onClose={() => setMerging(false)} onDone={(target) => {
          setMerging(false);
          navigate(`/tickets/${target.number}`);
        }} />
      )}
      {flash && (
        <div className={`flash${flash.error ? ' flash-error' : ''}`} role={flash.error ? 'alert' : 'status'} key={flash.text + Date.now()} onAnimationEnd={() => setFlash(null)}>
          {flash.text}
        </div>
      )}
      <div className="ticket-body">
        <div className="conversation">
          <ol className="timeline" aria-label="Conversation">
            {timeline.map((x) => <li key={x.key}>{x.node}</li>)}
          </ol>
          {tk.permissions.reply || tk.permissions.addNote ? (
            <Composer
              ref={composerRef}
              ticket={tk}
              onSent={async (status) => {
                const next = await fetchAll();
                if (next) inbox.replace(next);
                inbox.refreshCounts();
                setFlash({ text: t('composer.sent') });
                void status;
              }}
            />
          ) : (
            <>
              <TicketPresence ticketId={tk.id} replying={false} />
              <p className="muted">{t('ticket.readOnly')}</p>
            </>
          )}
        </div>
        <aside className="side" aria-label={t('ticket.properties')}>
          <Properties ticket={tk} fields={fields} onChange={update} />
          {me.permissions.includes('sla:read') && <SlaPanel ticket={tk} />}
          <SuggestionsPanel ticket={tk} onInsert={(s) => composerRef.current?.insert(s)} />
          <CustomerPanel ticket={tk} />
        </aside>
      </div>
    </div>
  );
}

function eventLines(e: EventOut, t: Translate, d: Directory): string[] {
  const actor = e.actor.type === 'rule' ? t('event.rule') : e.actor.type === 'system' ? t('ticket.system') : e.actor.name ?? t('event.someone');
  if (e.type === 'ticket.merged') return [t('event.merged', { actor, from: String(e.data.sourceNumber), into: String(e.data.targetNumber) })];
  if (e.type !== 'ticket.updated') return [];
  const changes = (e.data.changes ?? {}) as Record<string, { from: unknown; to: unknown }>;
  const out: string[] = [];
  for (const [field, { from, to }] of Object.entries(changes)) {
    switch (field) {
      case 'status':
        out.push(t('event.status', { actor, from: t(`status.${from as TicketStatus}`), to: t(`status.${to as TicketStatus}`) }));
        break;
      case 'priority':
        out.push(t('event.priority', { actor, from: t(`priority.${from as 'low'}`), to: t(`priority.${to as 'low'}`) }));
        break;
      case 'assigneeId':
        out.push(to ? t('event.assignee', { actor, to: userName(d, to as string) ?? '?' }) : t('event.unassigned', { actor }));
        break;
      case 'teamId':
        out.push(to ? t('event.team', { actor, to: teamName(d, to as string) ?? '?' }) : t('event.noTeam', { actor }));
        break;
      case 'tags':
        out.push(t('event.tags', { actor, to: (to as string[]).join(', ') || '—' }));
        break;
      case 'updatedAt':
      case 'version':
      case 'solvedAt':
      case 'closedAt':
      case 'mergedIntoId':
        break;
      default:
        out.push(t('event.other', { actor, field }));
    }
  }
  return out;
}

function SystemLine(props: { text: string; at: string }) {
  const { ago, dateTime } = useI18n();
  return (
    <div className="sysline">
      <span>{props.text}</span> <time dateTime={props.at} title={dateTime(props.at)}>{ago(props.at)}</time>
    </div>
  );
}

function MessageCard(props: { m: MessageOut; ticketId: string; requesterId: string; onFlash(f: { text: string; error?: boolean }): void }) {
  const { t, ago, dateTime } = useI18n();
  const m = props.m;
  const fromCustomer = m.author?.id === props.requesterId;
  const [capturing, setCapturing] = useState(false);
  // Knowledge capture: a good answer becomes an article draft for the knowledge managers.
  const capture = async () => {
    setCapturing(true);
    try {
      const a = await knowledgeApi.draftFromReply(props.ticketId, m.id);
      const title = (a.translations.en ?? a.translations.fr)?.title ?? '';
      props.onFlash({ text: t('capture.done', { title }) });
    } catch (e) {
      props.onFlash({ text: t('capture.failed', { message: e instanceof Error ? e.message : String(e) }), error: true });
    } finally {
      setCapturing(false);
    }
  };
  const kind = m.visibility === 'internal' ? 'note' : fromCustomer ? 'customer' : 'agent';
  const name = m.author?.name ?? t('ticket.system');
  return (
    <article className={`msg msg-${kind}`} aria-label={`${kind === 'note' ? t('ticket.internalNote') + ' · ' : ''}${name}`}>
      <header>
        <Avatar name={name} kind={fromCustomer ? 'customer' : 'agent'} />
        <strong>{name}</strong>
        {kind === 'note' && <span className="note-label">{t('ticket.internalNote')}</span>}
        {m.email?.deliveryStatus && m.email.deliveryStatus !== 'sent' && m.email.deliveryStatus !== 'received' && (
          <span className="badge st-pending">{String(m.email.deliveryStatus)}</span>
        )}
        <time dateTime={m.createdAt} title={dateTime(m.createdAt)}>{ago(m.createdAt)}</time>
        {!fromCustomer && m.author && (
          <button type="button" className="btn btn-ghost btn-sm capture" disabled={capturing} onClick={() => void capture()}>{t('capture.action')}</button>
        )}
      </header>
      {m.bodyHtml ? (
        // The API sanitises HTML with an allow-list before it is stored or answered.
        <div className="msg-body html" dangerouslySetInnerHTML={{ __html: m.bodyHtml }} />
      ) : (
        <div className="msg-body text">{m.visibility === 'internal' ? <TextWithMentions text={m.body} /> : m.body}</div>
      )}
      {m.attachments.length > 0 && (
        <ul className="attachments" aria-label={t('ticket.attachments')}>
          {m.attachments.filter((a) => !a.inline).map((a) => (
            <li key={a.id}>
              <a href={attachmentUrl(props.ticketId, m.id, a.id)} download={a.filename}>📎 {a.filename}</a>{' '}
              <span className="muted small">{formatSize(a.sizeBytes)}</span>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} kB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

interface PendingFile {
  key: string;
  name: string;
  size: number;
  /** Fraction uploaded, 0 to 1. */
  progress: number;
  state: 'uploading' | 'done' | 'error';
  error?: string;
  ref?: UploadOut;
}

interface ComposerHandle {
  focus(mode: 'public' | 'internal'): void;
  /** Put text at the caret of the open tab (an article from the suggestions). */
  insert(text: string): void;
}

const draftKey = (ticketId: string, mode: string) => `guichet.draft.${ticketId}.${mode}`;

function readDraft(key: string): string {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}

function Composer(props: { ticket: TicketOut; onSent(status: TicketStatus | undefined): Promise<void>; ref: React.Ref<ComposerHandle> }) {
  const { t } = useI18n();
  const { me, directory } = useSession();
  const tk = props.ticket;
  const [mode, setMode] = useState<'public' | 'internal'>(tk.permissions.reply ? 'public' : 'internal');
  const [text, setText] = useState(() => readDraft(draftKey(tk.id, mode)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [sendStatus, setSendStatus] = useState<TicketStatus | ''>('');
  const area = useRef<HTMLTextAreaElement>(null);
  // Macros inserted since the last send: their actions (and use count) apply when this message is sent.
  const [picker, setPicker] = useState(false);
  const [used, setUsed] = useState<MacroOut[]>([]);
  // The @mention being typed in a note, and the colleague under the cursor.
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [mentionCursor, setMentionCursor] = useState(0);
  const candidates: UserOut[] = mention ? mentionCandidates(directory.users.values(), mention.query, me.user.id) : [];
  // Files for this message: uploaded as soon as they are picked or dropped, sent by reference.
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [filesError, setFilesError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const picker_ = useRef<HTMLInputElement>(null);
  const [preview, setPreview] = useState(false);
  const uploading = files.some((f) => f.state === 'uploading');

  // Switching tab or ticket shows that tab's own draft.
  useEffect(() => {
    setText(readDraft(draftKey(tk.id, mode)));
    setError(null);
    setMention(null);
  }, [tk.id, mode]);
  useEffect(() => setUsed([]), [tk.id]);
  useEffect(() => {
    setFiles([]);
    setFilesError(null);
  }, [tk.id]);

  function addFiles(list: File[]) {
    setFilesError(null);
    if (!list.length) return;
    if (files.length + list.length > MESSAGE_MAX_FILES) {
      setFilesError(t('composer.tooMany', { max: String(MESSAGE_MAX_FILES) }));
      return;
    }
    const added: PendingFile[] = list.map((file) => ({
      key: `${Date.now()}-${Math.random().toString(36).slice(2)}`,
      name: file.name,
      size: file.size,
      progress: 0,
      ...(file.size > UPLOAD_MAX_BYTES ? { state: 'error' as const, error: t('composer.tooLarge', { max: String(UPLOAD_MAX_BYTES / 1048576) }) } : { state: 'uploading' as const }),
    }));
    setFiles((prev) => [...prev, ...added]);
    const patch = (key: string, p: Partial<PendingFile>) => setFiles((prev) => prev.map((f) => (f.key === key ? { ...f, ...p } : f)));
    added.forEach((f, i) => {
      if (f.state !== 'uploading') return;
      api.uploadFile(tk.id, list[i]!, (progress) => patch(f.key, { progress })).then(
        (ref) => patch(f.key, { state: 'done', progress: 1, ref }),
        (e: unknown) => patch(f.key, { state: 'error', error: t('composer.uploadFailed', { message: e instanceof Error ? e.message : String(e) }) }),
      );
    });
  }

  // Autosave: a moment after typing stops, and never lost on a reload or an expired session.
  useEffect(() => {
    const key = draftKey(tk.id, mode);
    const h = window.setTimeout(() => {
      try {
        if (text.trim()) localStorage.setItem(key, text);
        else localStorage.removeItem(key);
        if (text.trim()) setSavedAt(Date.now());
      } catch {
        /* storage full or blocked: the text stays in the field */
      }
    }, 400);
    return () => window.clearTimeout(h);
  }, [text, tk.id, mode]);

  const focus = useCallback((m: 'public' | 'internal') => {
    if (m === 'public' && !tk.permissions.reply) m = 'internal';
    setMode(m);
    // The field is the same element in both modes: focus it now, so a key typed right after `r` or `n`
    // lands in it (and Escape leaves it) instead of reaching the page's shortcuts a frame too early.
    if (area.current) area.current.focus();
    else requestAnimationFrame(() => area.current?.focus());
  }, [tk.permissions.reply]);
  useImperativeHandle(
    props.ref,
    () => ({
      focus,
      insert: (s: string) => {
        const el = area.current;
        const from = el ? el.selectionStart : text.length;
        const to = el ? el.selectionEnd : text.length;
        const before = text.slice(0, from);
        splice(from, to, (before && !before.endsWith('\n') ? '\n' : '') + s);
      },
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [focus, text],
  );

  // `m` anywhere on the ticket page (outside text fields) opens the macro picker.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'm' || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target) || document.querySelector('.overlay[data-blocking]')) return;
      e.preventDefault();
      setPicker(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  /** Put `insert` in place of text[from, to) and leave the caret after it. */
  const splice = (from: number, to: number, insert: string) => {
    const next = text.slice(0, from) + insert + text.slice(to);
    setText(next);
    requestAnimationFrame(() => {
      const el = area.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(from + insert.length, from + insert.length);
    });
  };

  const { format, formatKey } = useFormatting(area, text, setText);

  async function pickMacro(m: MacroOut) {
    setPicker(false);
    try {
      const p = await api.previewMacro(tk.id, m.id);
      const el = area.current;
      const from = el ? el.selectionStart : text.length;
      const to = el ? el.selectionEnd : text.length;
      const before = text.slice(0, from);
      splice(from, to, (before && !before.endsWith('\n') ? '\n' : '') + p.body);
      setUsed((prev) => (prev.some((x) => x.id === m.id) ? prev : [...prev, m]));
    } catch (e) {
      setError(t('macro.failed', { message: e instanceof Error ? e.message : String(e) }));
      requestAnimationFrame(() => area.current?.focus());
    }
  }

  const trackMention = (value: string, caret: number) => {
    const q = mode === 'internal' ? mentionQuery(value, caret) : null;
    setMention(q);
    if (!q || q.query !== mention?.query) setMentionCursor(0);
  };

  const pickMention = (u: UserOut) => {
    if (!mention) return;
    const caret = area.current?.selectionStart ?? text.length;
    splice(mention.start, caret, mentionToken(u));
    setMention(null);
  };

  async function send(status?: TicketStatus) {
    if (!text.trim()) {
      setError(t('composer.empty'));
      return;
    }
    if (files.some((f) => f.state !== 'done')) {
      setError(t('composer.waitUploads'));
      return;
    }
    const attachments = files.flatMap((f) => (f.ref ? [{ sha256: f.ref.sha256, filename: f.ref.filename }] : []));
    setBusy(true);
    setError(null);
    try {
      await api.addMessage(tk.id, { body: text, format: 'markdown', visibility: mode, ...(status ? { status } : {}), ...(attachments.length ? { attachments } : {}) });
      setFiles([]);
      try {
        localStorage.removeItem(draftKey(tk.id, mode));
      } catch {
        /* ignore */
      }
      setText('');
      setSavedAt(null);
      setSendStatus('');
      setMention(null);
      // The message is sent: now the macros it used apply their actions (after its own status change).
      const macros = used;
      setUsed([]);
      for (const m of macros) {
        try {
          await api.applyMacro(tk.id, m.id);
        } catch (e) {
          setError(t('macro.applyFailed', { title: m.title, message: e instanceof Error ? e.message : String(e) }));
        }
      }
      await props.onSent(status);
    } catch (e) {
      setError(t('composer.failed', { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className={`composer composer-${mode}${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(e) => {
        if (!e.dataTransfer.files.length) return;
        e.preventDefault();
        setDragging(false);
        addFiles([...e.dataTransfer.files]);
      }}
      onSubmit={(e) => {
        e.preventDefault();
        void send(sendStatus || undefined);
      }}
    >
      <TicketPresence ticketId={tk.id} replying={mode === 'public' && text.trim() !== ''} />
      <div className="composer-top">
      <div className="tabs" role="tablist">
        {tk.permissions.reply && (
          <button type="button" role="tab" aria-selected={mode === 'public'} className={mode === 'public' ? 'on' : ''} onClick={() => focus('public')}>
            {t('composer.reply')} <kbd>r</kbd>
          </button>
        )}
        {tk.permissions.addNote && (
          <button type="button" role="tab" aria-selected={mode === 'internal'} className={mode === 'internal' ? 'on' : ''} onClick={() => focus('internal')}>
            {t('composer.note')} <kbd>n</kbd>
          </button>
        )}
      </div>
        <button type="button" className="btn btn-ghost btn-sm macro-open" onClick={() => setPicker(true)} title={t('help.macros')}>
          {t('macro.open')} <kbd>m</kbd>
        </button>
      </div>
      <FormatBar onFormat={format} preview={preview} onPreview={() => setPreview((p) => !p)} />
      <div className="composer-field">
        <textarea
          ref={area}
          aria-label={mode === 'public' ? t('composer.reply') : t('composer.note')}
          aria-autocomplete={mode === 'internal' ? 'list' : undefined}
          placeholder={mode === 'public' ? t('composer.replyPlaceholder', { name: tk.requester.name }) : `${t('composer.notePlaceholder')} ${t('mention.hint')}`}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            trackMention(e.target.value, e.target.selectionStart);
          }}
          onClick={(e) => trackMention(e.currentTarget.value, e.currentTarget.selectionStart)}
          onBlur={() => setMention(null)}
          onKeyDown={(e) => {
            if (mention && candidates.length && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
              e.preventDefault();
              setMentionCursor((c) => Math.max(0, Math.min(c + (e.key === 'ArrowDown' ? 1 : -1), candidates.length - 1)));
              return;
            }
            if (mention && candidates.length && (e.key === 'Enter' || e.key === 'Tab') && !e.ctrlKey && !e.metaKey) {
              e.preventDefault();
              pickMention(candidates[Math.min(mentionCursor, candidates.length - 1)]!);
              return;
            }
            if (mention && e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              setMention(null);
              return;
            }
            if (e.altKey && (e.key === 'm' || e.key === 'µ' || e.code === 'KeyM')) {
              e.preventDefault();
              setPicker(true);
              return;
            }
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void send(sendStatus || undefined);
              return;
            }
            if (formatKey(e)) return;
            if (e.key === 'Escape') e.currentTarget.blur();
          }}
          onKeyUp={(e) => {
            if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End') trackMention(e.currentTarget.value, e.currentTarget.selectionStart);
          }}
          rows={5}
        />
        {mention && mode === 'internal' && <MentionList users={candidates} cursor={Math.min(mentionCursor, Math.max(candidates.length - 1, 0))} onPick={pickMention} />}
      </div>
      {preview && <MarkdownPreview text={text} />}
      {used.length > 0 && (
        <ul className="macro-pending" aria-live="polite">
          {used.map((m) => {
            const actions = describeActions(m.actions, t, directory);
            return (
              <li key={m.id} className="small">
                {actions ? t('macro.pending', { title: m.title, actions }) : m.title}
                <button type="button" className="link" aria-label={t('macro.removePending', { title: m.title })} onClick={() => setUsed((prev) => prev.filter((x) => x.id !== m.id))}>×</button>
              </li>
            );
          })}
        </ul>
      )}
      {dragging && <p className="composer-drop small">{t('composer.dropHint')}</p>}
      {files.length > 0 && (
        <ul className="composer-files" aria-label={t('composer.files')} aria-live="polite">
          {files.map((f) => (
            <li key={f.key} className={`small${f.state === 'error' ? ' failed' : ''}`}>
              <span>📎 {f.name}</span> <span className="muted">{formatSize(f.size)}</span>
              {f.state === 'uploading' && <progress max={1} value={f.progress} aria-label={t('composer.uploading', { percent: String(Math.round(f.progress * 100)) })} />}
              {f.state === 'error' && <span className="error">{f.error}</span>}
              <button type="button" className="link" aria-label={t('composer.removeFile', { name: f.name })} onClick={() => setFiles((prev) => prev.filter((x) => x.key !== f.key))}>×</button>
            </li>
          ))}
        </ul>
      )}
      {filesError && <p className="error" role="alert">{filesError}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      <div className="composer-actions">
        <span className="muted small" aria-live="polite">{savedAt && text.trim() ? t('composer.draftSaved') : ''}</span>
        <input
          ref={picker_}
          type="file"
          multiple
          hidden
          data-testid="composer-file-input"
          onChange={(e) => {
            addFiles([...(e.currentTarget.files ?? [])]);
            e.currentTarget.value = '';
          }}
        />
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => picker_.current?.click()}>
          {t('composer.attach')}
        </button>
        {mode === 'public' && tk.permissions.update && (
          <select aria-label={t('composer.statusAfter')} value={sendStatus} onChange={(e) => setSendStatus(e.target.value as TicketStatus | '')}>
            <option value="">{t('composer.send')}</option>
            {(['open', 'pending', 'on_hold', 'solved'] as const).map((s) => (
              <option key={s} value={s}>{t('composer.sendAnd', { status: t(`status.${s}`) })}</option>
            ))}
          </select>
        )}
        <button className={`btn ${mode === 'public' ? 'btn-primary' : 'btn-note'}`} type="submit" disabled={busy || uploading}>
          {busy ? t('composer.sending') : mode === 'public' ? (sendStatus ? t('composer.sendAnd', { status: t(`status.${sendStatus}`) }) : t('composer.send')) : t('composer.addNote')}
        </button>
      </div>
      {picker && <MacroPicker directory={directory} onPick={(m) => void pickMacro(m)} onClose={() => { setPicker(false); requestAnimationFrame(() => area.current?.focus()); }} />}
    </form>
  );
}

function Properties(props: { ticket: TicketOut; fields: CustomFieldOut[]; onChange(p: TicketPatch): void }) {
  const { t } = useI18n();
  const { directory, me } = useSession();
  const tk = props.ticket;
  const ro = !tk.permissions.update;
  const staff = [...directory.users.values()].filter((u) => u.status === 'active' && u.role !== 'light_agent');
  const [tag, setTag] = useState('');
  return (
    <section className="panel">
      <h2>{t('ticket.properties')}</h2>
      <label className="prop">
        <span>{t('ticket.status')}</span>
        <select aria-label={t('ticket.status')} disabled={ro} value={tk.status} onChange={(e) => props.onChange({ status: e.target.value as TicketStatus })}>
          {STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
        </select>
      </label>
      <label className="prop">
        <span>{t('ticket.priority')}</span>
        <select aria-label={t('ticket.priority')} disabled={ro} value={tk.priority} onChange={(e) => props.onChange({ priority: e.target.value as TicketOut['priority'] })}>
          {PRIORITIES.map((s) => <option key={s} value={s}>{t(`priority.${s}`)}</option>)}
        </select>
      </label>
      <label className="prop">
        <span>{t('ticket.assignee')}</span>
        <select aria-label={t('ticket.assignee')} disabled={ro} value={tk.assigneeId ?? ''} onChange={(e) => props.onChange({ assigneeId: e.target.value || null })}>
          <option value="">{t('ticket.unassigned')}</option>
          {staff.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
          {tk.assigneeId && !staff.some((u) => u.id === tk.assigneeId) && <option value={tk.assigneeId}>{userName(directory, tk.assigneeId) ?? tk.assigneeId}</option>}
        </select>
      </label>
      {!ro && tk.assigneeId !== me.user.id && (
        <button className="btn btn-ghost btn-sm assign-me" onClick={() => props.onChange({ assigneeId: me.user.id })}>{t('ticket.assignMe')} <kbd>a</kbd></button>
      )}
      <label className="prop">
        <span>{t('ticket.team')}</span>
        <select aria-label={t('ticket.team')} disabled={ro} value={tk.teamId ?? ''} onChange={(e) => props.onChange({ teamId: e.target.value || null })}>
          <option value="">{t('ticket.noTeam')}</option>
          {directory.teams.map((tm) => <option key={tm.id} value={tm.id}>{tm.name}</option>)}
        </select>
      </label>
      <div className="prop">
        <span>{t('ticket.tags')}</span>
        <div className="tags">
          {tk.tags.map((g) => (
            <span key={g} className="tag">
              {g}
              {!ro && <button type="button" aria-label={t('ticket.removeTag', { tag: g })} onClick={() => props.onChange({ removeTags: [g] })}>×</button>}
            </span>
          ))}
          {!ro && (
            <input
              aria-label={t('ticket.addTag')}
              placeholder="+"
              value={tag}
              onChange={(e) => setTag(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && tag.trim()) {
                  e.preventDefault();
                  props.onChange({ addTags: [tag.trim().toLowerCase()] });
                  setTag('');
                }
              }}
            />
          )}
        </div>
      </div>
      {props.fields.length > 0 && <h3>{t('ticket.customFields')}</h3>}
      {props.fields.map((f) => (
        <CustomFieldInput key={f.id} field={f} value={tk.customFields[f.key]} disabled={ro} onChange={(v) => props.onChange({ customFields: { ...tk.customFields, [f.key]: v } })} />
      ))}
    </section>
  );
}

function CustomFieldInput(props: { field: CustomFieldOut; value: unknown; disabled: boolean; onChange(v: unknown): void }) {
  const f = props.field;
  const v = props.value;
  const [draft, setDraft] = useState(v === undefined || v === null ? '' : String(v));
  useEffect(() => setDraft(v === undefined || v === null ? '' : String(v)), [v]);
  const commit = () => {
    const next = draft === '' ? null : f.type === 'number' ? Number(draft) : draft;
    if (next !== (v ?? null)) props.onChange(next);
  };
  let input: React.ReactNode;
  if (f.type === 'checkbox') input = <input type="checkbox" disabled={props.disabled} checked={v === true} onChange={(e) => props.onChange(e.target.checked)} />;
  else if (f.type === 'select')
    input = (
      <select disabled={props.disabled} value={typeof v === 'string' ? v : ''} onChange={(e) => props.onChange(e.target.value || null)}>
        <option value="">—</option>
        {f.options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    );
  else if (f.type === 'multiselect')
    input = (
      <select multiple disabled={props.disabled} value={Array.isArray(v) ? (v as string[]) : []}
        onChange={(e) => props.onChange([...e.target.selectedOptions].map((o) => o.value))}>
        {f.options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    );
  else
    input = (
      <input type={f.type === 'number' ? 'number' : f.type === 'date' ? 'date' : 'text'} disabled={props.disabled} value={draft}
        onChange={(e) => setDraft(e.target.value)} onBlur={commit} onKeyDown={(e) => e.key === 'Enter' && commit()} />
    );
  return (
    <label className="prop">
      <span>{f.label}</span>
      {input}
    </label>
  );
}

function CustomerPanel(props: { ticket: TicketOut }) {
  const { t, ago } = useI18n();
  const tk = props.ticket;
  const [customer, setCustomer] = useState<CustomerOut | null>(null);
  const [org, setOrg] = useState<OrganizationOut | null>(null);
  const [others, setOthers] = useState<TicketOut[] | null>(null);
  useEffect(() => {
    setCustomer(null);
    setOrg(null);
    setOthers(null);
    api.customer(tk.requester.id).then(setCustomer, () => {});
    if (tk.organizationId) api.organization(tk.organizationId).then(setOrg, () => {});
    api.tickets({ requesterId: tk.requester.id, sort: 'updated_at' }, null, 8).then((p) => setOthers(p.items.filter((x) => x.id !== tk.id)), () => setOthers([]));
  }, [tk.requester.id, tk.organizationId, tk.id]);
  return (
    <section className="panel customer">
      <h2>{t('ticket.customer')}</h2>
      <div className="who">
        <Avatar name={tk.requester.name} kind="customer" />
        <div>
          <strong>{tk.requester.name}</strong>
          {tk.requester.email && <div className="muted small">{tk.requester.email}</div>}
          {customer?.phone && <div className="muted small">{customer.phone}</div>}
        </div>
      </div>
      {org && (
        <div className="prop-ro">
          <span>{t('ticket.organization')}</span>
          <strong>{org.name}</strong>
        </div>
      )}
      {customer?.notes && <p className="cnotes">{customer.notes}</p>}
      <h3>{t('ticket.otherTickets')}</h3>
      {others === null ? null : others.length === 0 ? (
        <p className="muted small">{t('ticket.noOtherTickets')}</p>
      ) : (
        <ul className="others">
          {others.map((o) => (
            <li key={o.id}>
              <a href={`/tickets/${o.number}`} onClick={linkHandler(`/tickets/${o.number}`)}>
                <span className="subject">{o.subject}</span>
              </a>
              <span className="muted small">#{o.number} · <StatusBadge status={o.status} /> · {ago(o.updatedAt)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

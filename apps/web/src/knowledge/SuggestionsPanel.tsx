/**
 * Knowledge inside the ticket: the published articles most relevant to the conversation (expired
 * ones marked) and similar solved tickets. An article goes into the reply in one step, as a link
 * to the help center (public articles) or as its text; what the agent does with a suggestion is
 * recorded, so the content-gap report knows which tickets no article helped.
 */
import { useEffect, useState } from 'react';
import type { TicketOut } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { linkHandler } from '../router.ts';
import { useSession } from '../session.ts';
import { knowledgeApi, type SearchHitOut } from './knowledgeApi.ts';

type Load = { kind: 'loading' } | { kind: 'error' } | { kind: 'ready'; articles: SearchHitOut[]; solved: SearchHitOut[] };

export function SuggestionsPanel(props: { ticket: TicketOut; onInsert(text: string): void }) {
  const { t, locale } = useI18n();
  const { me } = useSession();
  const tk = props.ticket;
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [done, setDone] = useState<Record<string, 'inserted' | 'solved'>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const lang = tk.language === 'fr' || tk.language === 'en' ? tk.language : locale;

  useEffect(() => {
    let live = true;
    setLoad({ kind: 'loading' });
    setDone({});
    knowledgeApi.suggestions(tk.id).then(
      (r) => live && setLoad({ kind: 'ready', articles: r.articles, solved: r.solvedTickets }),
      () => live && setLoad({ kind: 'error' }),
    );
    return () => {
      live = false;
    };
  }, [tk.id]);

  const record = (articleId: string, action: 'opened' | 'inserted' | 'solved') => knowledgeApi.recordUse(tk.id, articleId, action).catch(() => {});
  const helpUrl = (h: SearchHitOut) => `${location.origin}/help/${encodeURIComponent(me.workspace.slug)}/articles/${h.id}/${h.article?.slug ?? ''}?lang=${h.language ?? lang}`;
  const isPublic = (h: SearchHitOut) => h.article?.visibility === 'public' && h.article.status === 'published';

  async function insert(h: SearchHitOut, as: 'link' | 'text') {
    setBusy(h.id);
    try {
      let text: string;
      if (as === 'link') text = `${h.title}: ${helpUrl(h)}`;
      else {
        const a = await knowledgeApi.article(h.id);
        const tr = a.translations[lang] ?? a.translations.en ?? a.translations.fr;
        text = tr ? tr.body : h.title;
      }
      props.onInsert(text);
      setDone((d) => ({ ...d, [h.id]: 'inserted' }));
      void record(h.id, 'inserted');
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="panel suggestions" aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">{t('suggest.title')}</h2>
      {load.kind === 'loading' && <p className="muted small" aria-busy="true">{t('suggest.loading')}</p>}
      {load.kind === 'error' && <p className="muted small">{t('suggest.failed')}</p>}
      {load.kind === 'ready' && (
        <>
          {load.articles.length === 0 ? (
            <p className="muted small">{t('suggest.none')}</p>
          ) : (
            <ul className="suggest-list">
              {load.articles.map((h) => {
                const state = h.article?.verification;
                return (
                  <li key={h.id}>
                    <div className="suggest-title">
                      {isPublic(h) ? (
                        <a href={helpUrl(h)} target="_blank" rel="noopener" onClick={() => void record(h.id, 'opened')}>{h.title}</a>
                      ) : (
                        <span>{h.title}</span>
                      )}
                      {state === 'expired' && <span className="badge badge-danger">{t('suggest.expired')}</span>}
                      {state === 'due_soon' && <span className="badge badge-warn">{t('suggest.dueSoon')}</span>}
                      {h.article?.visibility === 'internal' && <span className="badge">{t('suggest.internal')}</span>}
                    </div>
                    <div className="suggest-actions">
                      {isPublic(h) && (
                        <button type="button" className="btn btn-sm" disabled={busy === h.id} onClick={() => void insert(h, 'link')}>{t('suggest.insertLink')}</button>
                      )}
                      <button type="button" className="btn btn-sm" disabled={busy === h.id} onClick={() => void insert(h, 'text')}>{t('suggest.insertText')}</button>
                      <button
                        type="button"
                        className="btn btn-sm btn-ghost"
                        aria-pressed={done[h.id] === 'solved'}
                        onClick={() => {
                          setDone((d) => ({ ...d, [h.id]: 'solved' }));
                          void record(h.id, 'solved');
                        }}
                      >
                        {done[h.id] === 'solved' ? t('suggest.solvedDone') : t('suggest.solved')}
                      </button>
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
          {load.solved.length > 0 && (
            <>
              <h3 className="small">{t('suggest.similar')}</h3>
              <ul className="suggest-list">
                {load.solved.map((h) => (
                  <li key={h.id}>
                    <a href={`/tickets/${h.ticket?.number}`} onClick={linkHandler(`/tickets/${h.ticket?.number}`)}>#{h.ticket?.number} {h.ticket?.subject ?? h.title}</a>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}

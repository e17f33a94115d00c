/**
 * The knowledge managers' reports: which articles need verifying (expired, due soon) by owner;
 * what to write next (searches that found nothing or little, solved tickets no article helped,
 * grouped by topic) and how the portal's suggestions turn visits away, over a chosen period.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { linkHandler } from '../router.ts';
import { ErrorNote, Field, useLoad } from '../admin/kit.tsx';
import { knowledgeApi } from './knowledgeApi.ts';
import { VerificationBadge } from './parts.tsx';

const DAY = 86_400_000;
/** yyyy-mm-dd of a local date. */
const dayOf = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function ReportsScreen() {
  const { t } = useI18n();
  const [to, setTo] = useState(() => dayOf(new Date()));
  const [from, setFrom] = useState(() => dayOf(new Date(Date.now() - 30 * DAY)));
  const preset = (days: number) => {
    setTo(dayOf(new Date()));
    setFrom(dayOf(new Date(Date.now() - days * DAY)));
  };
  // The period runs from the start of the first day to the end of the last, in the reader's time.
  const fromIso = from ? new Date(`${from}T00:00`).toISOString() : '';
  const toIso = to ? new Date(new Date(`${to}T00:00`).getTime() + DAY).toISOString() : '';
  return (
    <div className="admin-body kb-reports">
      <h2>{t('kb.reports')}</h2>
      <VerificationReport />
      <section className="kb-section" aria-labelledby="kb-period-title">
        <h3 id="kb-period-title">{t('kb.period')}</h3>
        <div className="admin-inline-form">
          <Field label={t('kb.periodFrom')}><input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} /></Field>
          <Field label={t('kb.periodTo')}><input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} /></Field>
          {[7, 30, 90].map((d) => <button key={d} type="button" className="btn btn-sm" onClick={() => preset(d)}>{t('kb.lastDays', { n: d })}</button>)}
        </div>
      </section>
      {fromIso && toIso && <ContentGaps from={fromIso} to={toIso} />}
      {fromIso && toIso && <Deflection from={fromIso} to={toIso} />}
    </div>
  );
}

function VerificationReport() {
  const { t, dateTime } = useI18n();
  const r = useLoad(() => knowledgeApi.verificationReport(), []);
  return (
    <section className="kb-section" aria-labelledby="kb-verif-title">
      <h3 id="kb-verif-title">{t('kb.report.verification')}</h3>
      <ErrorNote error={r.error} />
      {r.data && (
        <>
          <p>{t('kb.report.verificationTotals', { expired: r.data.totals.expired, dueSoon: r.data.totals.dueSoon })}</p>
          {r.data.owners.length === 0 && <p className="muted">{t('kb.report.allVerified')}</p>}
          {r.data.owners.map((o) => (
            <div key={`${o.owner.type}-${o.owner.id}`} className="kb-owner">
              <h4>{o.owner.type === 'none' ? t('kb.noOwner') : o.owner.name ?? t('kb.someone')}{o.owner.type === 'team' && <span className="muted"> · {t('kb.team')}</span>}</h4>
              <table className="admin-table">
                <thead><tr><th scope="col">{t('kb.title')}</th><th scope="col">{t('kb.verification')}</th><th scope="col">{t('kb.due')}</th><th scope="col">{t('kb.lastVerified')}</th></tr></thead>
                <tbody>
                  {o.articles.map((a) => (
                    <tr key={a.id}>
                      <td><a href={`/knowledge/articles/${a.id}`} onClick={linkHandler(`/knowledge/articles/${a.id}`)}>{a.title}</a></td>
                      <td><VerificationBadge state={a.state} /></td>
                      <td className="nowrap">{dateTime(a.dueAt)}</td>
                      <td className="nowrap">{a.verifiedAt ? dateTime(a.verifiedAt) : t('kb.never')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </>
      )}
    </section>
  );
}

function ContentGaps(props: { from: string; to: string }) {
  const { t, dateTime } = useI18n();
  const r = useLoad(() => knowledgeApi.contentGaps(props.from, props.to), [props.from, props.to]);
  const d = r.data;
  return (
    <section className="kb-section" aria-labelledby="kb-gaps-title" aria-busy={!d && !r.error}>
      <h3 id="kb-gaps-title">{t('kb.report.gaps')}</h3>
      <p className="muted">{t('kb.report.gapsIntro')}</p>
      <ErrorNote error={r.error} />
      {d && (
        <>
          <h4>{t('kb.report.searches')}</h4>
          <p>{t('kb.report.searchTotals', { total: d.searches.total, none: d.searches.noResults, partial: d.searches.partial })}</p>
          {d.searches.topics.length === 0 ? <p className="muted">{t('kb.report.noSearchTopics')}</p> : (
            <table className="admin-table">
              <thead><tr><th scope="col">{t('kb.report.topic')}</th><th scope="col">{t('kb.report.count')}</th><th scope="col">{t('kb.report.noResults')}</th><th scope="col">{t('kb.report.queries')}</th><th scope="col">{t('kb.report.last')}</th></tr></thead>
              <tbody>
                {d.searches.topics.map((x) => (
                  <tr key={x.terms.join(' ') + x.label}>
                    <td><strong>{x.label}</strong><div className="muted small">{x.terms.join(', ')}</div></td>
                    <td>{x.count}</td>
                    <td>{x.noResults}</td>
                    <td>{x.queries.slice(0, 5).map((q) => `${q.query} (${q.count})`).join(' · ')}</td>
                    <td className="nowrap">{dateTime(x.lastSearchedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h4>{t('kb.report.tickets')}</h4>
          <p>{t('kb.report.ticketTotals', { solved: d.tickets.solved, without: d.tickets.withoutSuggestionUsed })}</p>
          {d.tickets.topics.length === 0 ? <p className="muted">{t('kb.report.noTicketTopics')}</p> : (
            <table className="admin-table">
              <thead><tr><th scope="col">{t('kb.report.topic')}</th><th scope="col">{t('kb.report.count')}</th><th scope="col">{t('kb.report.examples')}</th></tr></thead>
              <tbody>
                {d.tickets.topics.map((x) => (
                  <tr key={x.terms.join(' ') + x.label}>
                    <td><strong>{x.label}</strong><div className="muted small">{x.terms.join(', ')}</div></td>
                    <td>{x.count}</td>
                    <td>
                      <ul className="kb-plain">
                        {x.tickets.slice(0, 3).map((tk) => <li key={tk.id}><a href={`/tickets/${tk.number}`} onClick={linkHandler(`/tickets/${tk.number}`)}>#{tk.number} {tk.subject}</a></li>)}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

function Deflection(props: { from: string; to: string }) {
  const { t } = useI18n();
  const r = useLoad(() => knowledgeApi.deflection(props.from, props.to), [props.from, props.to]);
  const d = r.data;
  const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10} %`);
  return (
    <section className="kb-section" aria-labelledby="kb-defl-title" aria-busy={!d && !r.error}>
      <h3 id="kb-defl-title">{t('kb.report.deflection')}</h3>
      <ErrorNote error={r.error} />
      {d && (
        <>
          <dl className="kb-stats">
            <div><dt>{t('kb.report.visits')}</dt><dd>{d.totals.visitsWithSuggestions}</dd></div>
            <div><dt>{t('kb.report.shown')}</dt><dd>{d.totals.shown}</dd></div>
            <div><dt>{t('kb.report.clicked')}</dt><dd>{d.totals.clicked}</dd></div>
            <div><dt>{t('kb.report.solved')}</dt><dd>{d.totals.solved}</dd></div>
            <div><dt>{t('kb.report.submittedAfter')}</dt><dd>{d.totals.submittedAfterSuggestions}</dd></div>
            <div><dt>{t('kb.report.submitted')}</dt><dd>{d.totals.submitted}</dd></div>
            <div><dt>{t('kb.report.rate')}</dt><dd>{pct(d.totals.deflectionRate)}</dd></div>
          </dl>
          {d.articles.length === 0 ? <p className="muted">{t('kb.report.noDeflection')}</p> : (
            <table className="admin-table">
              <thead><tr><th scope="col">{t('kb.title')}</th><th scope="col">{t('kb.report.shown')}</th><th scope="col">{t('kb.report.clicked')}</th><th scope="col">{t('kb.report.solved')}</th></tr></thead>
              <tbody>
                {d.articles.map((a) => (
                  <tr key={a.articleId}>
                    <td><a href={`/knowledge/articles/${a.articleId}`} onClick={linkHandler(`/knowledge/articles/${a.articleId}`)}>{a.title ?? a.articleId}</a></td>
                    <td>{a.shown}</td><td>{a.clicked}</td><td>{a.solved}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

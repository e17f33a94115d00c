/**
 * Proposed edits: what a colleague who may not edit an article suggested. A knowledge manager
 * reads the proposed text and what accepting it would change against the article's current text
 * (with a warning when the article changed since the proposal was written), accepts it (it becomes
 * the next version, credited to its author) or rejects it with a note for the author.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { linkHandler } from '../router.ts';
import { useSession, userName } from '../session.ts';
import { ErrorNote, Field, ListFoot, useAction, useLoad, usePaged } from '../admin/kit.tsx';
import type { ProposalOut } from '@guichet/contracts';
import { knowledgeApi } from './knowledgeApi.ts';
import { DiffView, MarkdownPreview, useLanguageName } from './parts.tsx';

type Status = 'open' | 'accepted' | 'rejected' | '';

export function ProposalsScreen() {
  const { t } = useI18n();
  const [status, setStatus] = useState<Status>('open');
  return (
    <section className="admin-list" aria-labelledby="kb-proposals-title">
      <header className="admin-head">
        <h2 id="kb-proposals-title">{t('kb.proposals')}</h2>
      </header>
      <p className="muted">{t('kb.proposalsIntro')}</p>
      <div className="admin-filters">
        <Field label={t('kb.filter.status')} inline>
          <select value={status} onChange={(e) => setStatus(e.target.value as Status)}>
            <option value="open">{t('kb.proposal.open')}</option>
            <option value="accepted">{t('kb.proposal.accepted')}</option>
            <option value="rejected">{t('kb.proposal.rejected')}</option>
            <option value="">{t('kb.filter.any')}</option>
          </select>
        </Field>
      </div>
      <ProposalList key={status} status={status} showArticle />
    </section>
  );
}

export function ProposalList(props: { articleId?: string; status?: Status; showArticle?: boolean; onReviewed?(p: ProposalOut): void }) {
  const { t } = useI18n();
  const status = props.status ?? 'open';
  const list = usePaged<ProposalOut>((cursor) => knowledgeApi.proposals({ status, ...(props.articleId ? { articleId: props.articleId } : {}) }, cursor), `${status}|${props.articleId ?? ''}`);
  return (
    <>
      <ErrorNote error={list.error} />
      <ul className="kb-proposals">
        {list.items.map((p) => (
          <ProposalItem key={p.id} proposal={p} showArticle={props.showArticle ?? false} onReviewed={(next) => {
            list.replace((x) => x.id === next.id, next);
            props.onReviewed?.(next);
          }} />
        ))}
      </ul>
      {list.items.length === 0 && !list.loading ? <p className="muted">{t('kb.noProposals')}</p> : list.hasMore || list.loading ? <ListFoot loading={list.loading} hasMore={list.hasMore} more={() => list.more()} count={list.items.length} /> : null}
    </>
  );
}

function ProposalItem(props: { proposal: ProposalOut; showArticle: boolean; onReviewed(p: ProposalOut): void }) {
  const { t, dateTime } = useI18n();
  const langName = useLanguageName();
  const { directory } = useSession();
  const p = props.proposal;
  const [note, setNote] = useState('');
  const action = useAction();
  const review = async (accept: boolean) => {
    const n = note.trim() || undefined;
    const next = await action.run(() => (accept ? knowledgeApi.acceptProposal(p.id, n) : knowledgeApi.rejectProposal(p.id, n)));
    if (next) props.onReviewed(next);
  };
  const href = `/knowledge/articles/${p.articleId}`;
  // Only an open proposal can still change the article: its difference is against the current text.
  const diff = useLoad(() => (p.status === 'open' ? knowledgeApi.proposalDiff(p.id) : Promise.resolve(null)), [p.id, p.status]);
  const diffCaption = diff.data?.currentVersion
    ? t('kb.proposal.diffCaption', { n: diff.data.currentVersion, language: langName(p.language) })
    : t('kb.proposal.diffCaptionNew', { language: langName(p.language) });
  return (
    <li className="kb-proposal" aria-labelledby={`kb-prop-${p.id}`}>
      <p id={`kb-prop-${p.id}`}>
        <strong>{p.title}</strong> · {langName(p.language, true)} · {t('kb.proposedBy', { who: userName(directory, p.authorId) ?? t('kb.someone'), at: dateTime(p.createdAt) })}
        {p.baseVersion !== null && <> · {t('kb.fromVersion', { n: p.baseVersion })}</>}
        {' '}<span className="badge">{t(`kb.proposal.${p.status}`)}</span>
      </p>
      {props.showArticle && <p><a href={href} onClick={linkHandler(href)}>{t('kb.openArticle')}</a></p>}
      {p.note && <p className="muted">{t('kb.authorNote', { note: p.note })}</p>}
      {p.reviewNote && <p className="muted">{t('kb.reviewNote', { note: p.reviewNote })}</p>}
      {diff.data?.stale && (
        <p className="kb-stale">
          <span aria-hidden="true">! </span>
          {diff.data.baseVersion === null
            ? t('kb.proposal.staleNew')
            : t('kb.proposal.stale', { base: diff.data.baseVersion, current: diff.data.currentVersion ?? 0 })}
        </p>
      )}
      {diff.data && (
        <details open>
          <summary>{t('kb.proposal.changes')}</summary>
          <div role="region" aria-label={diffCaption}>
            <DiffView diff={diff.data} caption={diffCaption} />
          </div>
        </details>
      )}
      <ErrorNote error={diff.error} />
      <details>
        <summary>{t('kb.proposedText')}</summary>
        <div className="kb-preview" lang={p.language}><MarkdownPreview source={p.body} /></div>
      </details>
      {p.status === 'open' && (
        <div className="admin-inline-form">
          <Field label={t('kb.reviewNoteLabel')}><input maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} /></Field>
          <button className="btn btn-primary" disabled={action.busy} onClick={() => void review(true)}>{t('kb.accept')}</button>
          <button className="btn" disabled={action.busy} onClick={() => void review(false)}>{t('kb.reject')}</button>
        </div>
      )}
      <ErrorNote error={action.error} />
    </li>
  );
}

/**
 * The versions of one translation, newest first: who wrote each and why, the difference between
 * any two (lines, and the words within changed lines), and restoring an old one as a new version.
 */
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n.ts';
import { ErrorNote, Field, ListFoot, useAction, usePaged } from '../admin/kit.tsx';
import type { ArticleDiffOut, ArticleLanguage, ArticleOut, ArticleVersionOut } from '@guichet/contracts';
import { knowledgeApi } from './knowledgeApi.ts';
import { DiffView , useLanguageName } from './parts.tsx';

export function History(props: { article: ArticleOut; language: ArticleLanguage; generation: number; onRestored(a: ArticleOut): void }) {
  const { t, dateTime } = useI18n();
  const langName = useLanguageName();
  const a = props.article;
  const versions = usePaged<ArticleVersionOut>((cursor) => knowledgeApi.versions(a.id, props.language, cursor), `${a.id}|${props.language}|${props.generation}`);
  const latest = versions.items[0]?.number ?? 0;
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [diff, setDiff] = useState<ArticleDiffOut | null>(null);
  const compare = useAction();
  const restore = useAction();
  const [restored, setRestored] = useState<number | null>(null);

  // A new list (another language, a new version) starts from "the one before → the latest".
  useEffect(() => {
    setDiff(null);
    setFrom(latest > 1 ? String(latest - 1) : '');
    setTo(latest ? String(latest) : '');
  }, [latest, props.language]);

  if (!a.translations[props.language]) return null;
  const language = langName(props.language);

  async function show(e: React.FormEvent) {
    e.preventDefault();
    const d = await compare.run(() => knowledgeApi.diff(a.id, props.language, Number(from), Number(to)));
    if (d) setDiff(d);
  }
  async function doRestore(v: ArticleVersionOut) {
    if (!window.confirm(t('kb.restoreConfirm', { n: v.number }))) return;
    setRestored(null);
    const next = await restore.run(() => knowledgeApi.restore(a.id, props.language, v.number));
    if (next) {
      setRestored(v.number);
      props.onRestored(next);
    }
  }
  const kind = (v: ArticleVersionOut) => (v.kind === 'restored' && v.restoredFrom ? t('kb.kind.restoredFrom', { n: v.restoredFrom }) : t(`kb.kind.${v.kind}`));
  return (
    <section className="kb-section" aria-labelledby="kb-history-title">
      <h3 id="kb-history-title">{t('kb.history', { language })}</h3>
      {versions.items.length > 1 && (
        <form className="admin-inline-form" onSubmit={show} aria-label={t('kb.compare')}>
          <Field label={t('kb.compareFrom')}>
            <select value={from} onChange={(e) => setFrom(e.target.value)}>
              {versions.items.map((v) => <option key={v.number} value={v.number}>{t('kb.versionN', { n: v.number })}</option>)}
            </select>
          </Field>
          <Field label={t('kb.compareTo')}>
            <select value={to} onChange={(e) => setTo(e.target.value)}>
              {versions.items.map((v) => <option key={v.number} value={v.number}>{t('kb.versionN', { n: v.number })}</option>)}
            </select>
          </Field>
          <button className="btn" disabled={compare.busy || !from || !to || from === to}>{t('kb.showDiff')}</button>
        </form>
      )}
      <ErrorNote error={compare.error} />
      {diff && (
        <div role="region" aria-label={t('kb.diff.caption', { from: diff.from, to: diff.to })}>
          <DiffView diff={diff} caption={t('kb.diff.caption', { from: diff.from, to: diff.to })} />
        </div>
      )}
      <table className="admin-table">
        <thead>
          <tr><th scope="col">{t('kb.version')}</th><th scope="col">{t('kb.change')}</th><th scope="col">{t('kb.author')}</th><th scope="col">{t('kb.when')}</th><th scope="col"><span className="sr-only">{t('admin.actions')}</span></th></tr>
        </thead>
        <tbody>
          {versions.items.map((v) => (
            <tr key={v.number}>
              <td>{v.number}{v.number === latest && <span className="muted"> · {t('kb.current')}</span>}</td>
              <td>{kind(v)}{v.note && <div className="muted small">{v.note}</div>}</td>
              <td>{v.authorName ?? t('kb.someone')}</td>
              <td className="nowrap">{dateTime(v.createdAt)}</td>
              <td className="row-actions">
                {a.permissions?.edit && v.number !== latest && (
                  <button className="btn btn-sm" disabled={restore.busy} onClick={() => void doRestore(v)}>{t('kb.restoreN', { n: v.number })}</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorNote error={restore.error ?? versions.error} />
      {restored !== null && <p className="notice" role="status">{t('kb.done.restored', { n: restored })}</p>}
      <ListFoot loading={versions.loading} hasMore={versions.hasMore} more={() => versions.more()} count={versions.items.length} />
    </section>
  );
}

/**
 * The article list: words to find in a title or text and filters (status, visibility, language,
 * verification, category, a missing translation), all kept in the address, so going back from an
 * article finds the same list.
 */
import { useI18n } from '../i18n.ts';
import { linkHandler, navigate, useLocation } from '../router.ts';
import { ErrorNote, Field, ListFoot, usePaged } from '../admin/kit.tsx';
import type { ArticleOut } from '@guichet/contracts';
import { knowledgeApi, LANGUAGES, type ArticleFilters } from './knowledgeApi.ts';
import { ArticleStatusBadge, TranslationsCell, VerificationBadge, articleTitle, categoryOptions, useLanguageName } from './parts.tsx';
import { useKnowledge } from './KnowledgeArea.tsx';

const KEYS = ['q', 'status', 'visibility', 'language', 'verification', 'categoryId', 'missing'] as const;
type Key = (typeof KEYS)[number];

export function ArticleList() {
  const { t, locale, ago } = useI18n();
  const { categories } = useKnowledge();
  const langName = useLanguageName();
  const { search } = useLocation();
  const f = Object.fromEntries(KEYS.map((k) => [k, search.get(k) ?? ''])) as Record<Key, string>;
  const set = (k: Key, v: string) => {
    const next = new URLSearchParams(search);
    if (v) next.set(k, v);
    else next.delete(k);
    const s = next.toString();
    navigate(`/knowledge${s ? `?${s}` : ''}`, { replace: true });
  };
  const list = usePaged<ArticleOut>((cursor) => {
    const filters: ArticleFilters = {
      q: f.q.trim(),
      status: f.status as ArticleFilters['status'],
      visibility: f.visibility as ArticleFilters['visibility'],
      language: f.language as ArticleFilters['language'],
      verification: f.verification as ArticleFilters['verification'],
      missing: f.missing as ArticleFilters['missing'],
      categoryId: f.categoryId,
    };
    return knowledgeApi.articles(filters, cursor);
  }, KEYS.map((k) => f[k]).join('|'));

  const languages = LANGUAGES.map((l): [string, string] => [l, langName(l, true)]);
  const catName = (id: string | null) => categoryOptions(categories, locale).find(([x]) => x === id)?.[1] ?? '';

  return (
    <section className="admin-list" aria-labelledby="kb-list-title">
      <header className="admin-head">
        <h2 id="kb-list-title">{t('kb.articles')}</h2>
        <a className="btn btn-primary" href="/knowledge/new" onClick={linkHandler('/knowledge/new')}>{t('kb.new')}</a>
      </header>
      <div className="admin-filters kb-filters">
        <Field label={t('kb.search')} inline>
          <input type="search" value={f.q} onChange={(e) => set('q', e.target.value)} placeholder={t('kb.searchHint')} />
        </Field>
        <Choice label={t('kb.filter.status')} value={f.status} onChange={(v) => set('status', v)} empty={t('kb.filter.any')}
          options={(['draft', 'published', 'archived'] as const).map((s) => [s, t(`kb.status.${s}`)])} />
        <Choice label={t('kb.visibility')} value={f.visibility} onChange={(v) => set('visibility', v)} empty={t('kb.filter.any')}
          options={(['internal', 'public'] as const).map((s) => [s, t(`kb.visibility.${s}`)])} />
        <Choice label={t('kb.filter.language')} value={f.language} onChange={(v) => set('language', v)} empty={t('kb.filter.any')} options={languages} />
        <Choice label={t('kb.filter.missing')} value={f.missing} onChange={(v) => set('missing', v)} empty={t('kb.filter.none')} options={languages} />
        <Choice label={t('kb.verification')} value={f.verification} onChange={(v) => set('verification', v)} empty={t('kb.filter.any')}
          options={(['verified', 'due_soon', 'expired'] as const).map((s) => [s, t(`kb.verification.${s}`)])} />
        <Choice label={t('kb.category')} value={f.categoryId} onChange={(v) => set('categoryId', v)} empty={t('kb.filter.any')}
          options={categoryOptions(categories, locale)} />
      </div>
      <ErrorNote error={list.error} />
      <table className="admin-table kb-table">
        <thead>
          <tr>
            <th scope="col">{t('kb.title')}</th>
            <th scope="col">{t('kb.filter.status')}</th>
            <th scope="col">{t('kb.visibility')}</th>
            <th scope="col">{t('kb.verification')}</th>
            <th scope="col">{t('kb.translations')}</th>
            <th scope="col">{t('kb.updated')}</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((a) => {
            const href = `/knowledge/articles/${a.id}`;
            return (
              <tr key={a.id}>
                <td>
                  <a href={href} onClick={linkHandler(href)}>{articleTitle(a, locale)}</a>
                  {a.categoryId && <div className="muted small">{catName(a.categoryId)}</div>}
                </td>
                <td><ArticleStatusBadge status={a.status} publishAt={a.publishAt} /></td>
                <td>{t(`kb.visibility.${a.visibility}`)}</td>
                <td><VerificationBadge state={a.verification?.state} /></td>
                <td><TranslationsCell article={a} /></td>
                <td className="nowrap">{ago(a.updatedAt)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ListFoot loading={list.loading} hasMore={list.hasMore} more={() => list.more()} count={list.items.length} />
    </section>
  );
}

/** A filter: a labelled select whose empty choice means "not filtered". */
function Choice(props: { label: string; value: string; onChange(v: string): void; empty: string; options: Array<readonly [string, string]> }) {
  return (
    <Field label={props.label} inline>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{props.empty}</option>
        {props.options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
    </Field>
  );
}

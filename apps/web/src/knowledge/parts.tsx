/**
 * Small pieces the knowledge screens share: an article's title in the reader's language, its
 * status and verification as words with a symbol (never colour alone), which translations it
 * lacks, a markdown preview rendered as the help center renders it, and a diff.
 */
import { renderMarkdown } from '@guichet/contracts/markdown';
import { Fragment } from 'react';
import { useI18n, type Locale } from '../i18n.ts';
import type { ArticleDiffOut, ArticleLanguage, ArticleOut, ArticleStatus, CategoryOut, VerificationState } from '@guichet/contracts';
import type { Directory } from '../session.ts';

/** A language's name in the interface language ("French", "français"); capitalised for a tab or a heading. */
export function useLanguageName() {
  const { t } = useI18n();
  return (l: ArticleLanguage, capital = false) => {
    const s = t(`kb.lang.${l}`);
    return capital ? s.charAt(0).toUpperCase() + s.slice(1) : s;
  };
}

/** The title in the interface language when there is one, else in the other. */
export function articleTitle(a: ArticleOut, locale: Locale): string {
  const first = a.translations[locale] ?? a.translations[locale === 'fr' ? 'en' : 'fr'];
  return first?.title ?? a.id;
}

/** Active staff members by name: who may own an article or become a knowledge manager. */
export function activeStaff(directory: Directory) {
  return [...directory.users.values()].filter((u) => u.role !== 'customer' && u.status === 'active').sort((a, b) => a.name.localeCompare(b.name));
}

/** A category's name in the interface language when it has one, else in the other. */
export function categoryName(c: CategoryOut, locale: Locale): string {
  return c.names[locale] ?? c.names[locale === 'fr' ? 'en' : 'fr'] ?? '';
}

/** Categories in their order, each with its sections in theirs (the API sends them by position already). */
export function categoryTree(categories: CategoryOut[]): Array<{ category: CategoryOut; sections: CategoryOut[] }> {
  return categories.filter((c) => !c.parentId).map((category) => ({ category, sections: categories.filter((s) => s.parentId === category.id) }));
}

/** The choices of a category picker: each category followed by its sections ("Billing › Refunds"). */
export function categoryOptions(categories: CategoryOut[], locale: Locale): Array<[string, string]> {
  return categoryTree(categories).flatMap(({ category, sections }) => {
    const name = categoryName(category, locale);
    return [[category.id, name] as [string, string], ...sections.map((s): [string, string] => [s.id, `${name} › ${categoryName(s, locale)}`])];
  });
}

export function ArticleStatusBadge(props: { status: ArticleStatus; publishAt?: string | null }) {
  const { t, dateTime } = useI18n();
  const cls = { draft: 'st-pending', published: 'st-solved', archived: 'st-closed' }[props.status];
  return (
    <span className={`badge ${cls}`}>
      {t(`kb.status.${props.status}`)}
      {props.status === 'draft' && props.publishAt ? ` · ${t('kb.scheduledFor', { at: dateTime(props.publishAt) })}` : ''}
    </span>
  );
}

const VERIFY_SYMBOL: Record<VerificationState, string> = { verified: '✓', due_soon: '!', expired: '✕' };
const VERIFY_CLASS: Record<VerificationState, string> = { verified: 'st-solved', due_soon: 'badge-warn', expired: 'badge-danger' };

export function VerificationBadge(props: { state: VerificationState | undefined }) {
  const { t } = useI18n();
  if (!props.state) return null;
  return (
    <span className={`badge ${VERIFY_CLASS[props.state]}`}>
      <span aria-hidden="true">{VERIFY_SYMBOL[props.state]} </span>
      {t(`kb.verification.${props.state}`)}
    </span>
  );
}

/** "EN ✓ · FR missing": each language said in words. */
export function TranslationsCell(props: { article: ArticleOut }) {
  const { t } = useI18n();
  return (
    <span className="kb-langs">
      {(['en', 'fr'] as const).map((l) => {
        const missing = props.article.missingTranslations.includes(l);
        return (
          <span key={l} className={missing ? 'badge badge-warn' : 'badge'}>
            {l.toUpperCase()} {missing ? t('kb.missing') : <span aria-label={t('kb.present')}>✓</span>}
          </span>
        );
      })}
    </span>
  );
}

// ---- markdown preview ----------------------------------------------------------------------------

/** The article as the help center shows it: the same renderer (contracts), `#` under the title. */
export function MarkdownPreview(props: { source: string }) {
  // renderMarkdown escapes every character of the source before it adds its own tags.
  return <div className="md-preview" dangerouslySetInnerHTML={{ __html: renderMarkdown(props.source, { headingLevel: 2, relativeLinks: true }) }} />;
}

// ---- the difference between two versions ----------------------------------------------------------

type Words = NonNullable<ArticleDiffOut['lines'][number]['words']>;

function WordRun(props: { words: Words; side: 'old' | 'new' }) {
  const { t } = useI18n();
  return (
    <>
      {props.words.map((w, n) => {
        if (w.op === 'equal') return <Fragment key={n}>{w.text}</Fragment>;
        if (w.op === 'delete') return props.side === 'old' ? <del key={n}><span className="sr-only">{t('kb.diff.removedWords')} </span>{w.text}</del> : null;
        return props.side === 'new' ? <ins key={n}><span className="sr-only">{t('kb.diff.addedWords')} </span>{w.text}</ins> : null;
      })}
    </>
  );
}

/** Lines removed (−), added (+) and changed (both, with the words that differ marked); the caption names the two texts. */
export function DiffView(props: { diff: Omit<ArticleDiffOut, 'from' | 'to'>; caption: string }) {
  const { t } = useI18n();
  const d = props.diff;
  const titleChanged = d.title.from !== d.title.to;
  return (
    <div className="kb-diff">
      <p className="muted">{t('kb.diff.stats', { added: d.stats.added, removed: d.stats.removed, changed: d.stats.changed })}</p>
      {titleChanged && (
        <p>
          <strong>{t('kb.title')}: </strong>
          <span className="kb-diff-old"><WordRun words={d.title.words} side="old" /></span>
          {' → '}
          <span className="kb-diff-new"><WordRun words={d.title.words} side="new" /></span>
        </p>
      )}
      <table className="kb-diff-table">
        <caption className="sr-only">{props.caption}</caption>
        <thead>
          <tr><th scope="col">{t('kb.diff.oldLine')}</th><th scope="col">{t('kb.diff.newLine')}</th><th scope="col">{t('kb.diff.change')}</th><th scope="col">{t('kb.diff.text')}</th></tr>
        </thead>
        <tbody>
          {d.lines.flatMap((l, n) => {
            if (l.op === 'equal') return [<tr key={n}><td>{l.oldNumber}</td><td>{l.newNumber}</td><td><span className="sr-only">{t('kb.diff.same')}</span></td><td className="kb-code">{l.newText}</td></tr>];
            if (l.op === 'delete') return [<tr key={n} className="kb-del"><td>{l.oldNumber}</td><td /><td>− {t('kb.diff.removed')}</td><td className="kb-code"><del>{l.oldText}</del></td></tr>];
            if (l.op === 'insert') return [<tr key={n} className="kb-ins"><td /><td>{l.newNumber}</td><td>+ {t('kb.diff.added')}</td><td className="kb-code"><ins>{l.newText}</ins></td></tr>];
            return [
              <tr key={`${n}o`} className="kb-del"><td>{l.oldNumber}</td><td /><td>− {t('kb.diff.before')}</td><td className="kb-code">{l.words ? <WordRun words={l.words} side="old" /> : l.oldText}</td></tr>,
              <tr key={`${n}n`} className="kb-ins"><td /><td>{l.newNumber}</td><td>+ {t('kb.diff.after')}</td><td className="kb-code">{l.words ? <WordRun words={l.words} side="new" /> : l.newText}</td></tr>,
            ];
          })}
        </tbody>
      </table>
      {d.lines.every((l) => l.op === 'equal') && !titleChanged && <p>{t('kb.diff.none')}</p>}
    </div>
  );
}

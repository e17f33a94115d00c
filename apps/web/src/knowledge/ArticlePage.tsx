/**
 * One article: its English and French translations in tabs (a missing one said so, and written
 * from there), each saved as a new version; its settings; publishing now or later, back to draft,
 * archiving; verifying; and the history of the translation on screen. Who may do what is the
 * article's `permissions` from the server: someone who may not edit proposes the change instead.
 */
import { useRef, useState } from 'react';
import { useI18n } from '../i18n.ts';
import { navigate } from '../router.ts';
import { useSession, userName, teamName } from '../session.ts';
import { ErrorNote, Field, Refused, isRefusal, useAction, useLoad } from '../admin/kit.tsx';
import type { ArticleLanguage, ArticleOut, ArticleTemplate } from '@guichet/contracts';
import { knowledgeApi, LANGUAGES } from './knowledgeApi.ts';
import { ArticleStatusBadge, MarkdownPreview, VerificationBadge, articleTitle , useLanguageName } from './parts.tsx';
import { MetaFields, metaBody, metaOf, type MetaValues } from './ArticleMeta.tsx';
import { History } from './History.tsx';
import { ProposalList } from './Proposals.tsx';
import { useKnowledge } from './KnowledgeArea.tsx';
import { TEMPLATES, templateBody } from './templates.ts';

/** Title and markdown body with a preview; used for a new article and for each translation. */
function TranslationFields(props: { lang: ArticleLanguage; title: string; body: string; onTitle(v: string): void; onBody(v: string): void; required?: boolean }) {
  const { t } = useI18n();
  const langName = useLanguageName();
  const [preview, setPreview] = useState(false);
  return (
    <div className="kb-translation" lang={props.lang}>
      <Field label={t('kb.titleIn', { language: langName(props.lang) })}>
        <input maxLength={300} required={props.required} value={props.title} onChange={(e) => props.onTitle(e.target.value)} />
      </Field>
      <div className="kb-body-head">
        <label className="check"><input type="checkbox" checked={preview} onChange={(e) => setPreview(e.target.checked)} />{t('kb.preview')}</label>
      </div>
      {preview ? (
        <div className="kb-preview" aria-label={t('kb.previewOf', { language: langName(props.lang) })} role="region">
          <MarkdownPreview source={props.body} />
        </div>
      ) : (
        <Field label={t('kb.bodyIn', { language: langName(props.lang) })} hint={t('kb.markdownHint')}>
          <textarea rows={14} maxLength={200_000} required={props.required} value={props.body} onChange={(e) => props.onBody(e.target.value)} />
        </Field>
      )}
    </div>
  );
}

export function NewArticle() {
  const { t } = useI18n();
  const langName = useLanguageName();
  const [meta, setMeta] = useState<MetaValues>(() => metaOf(null));
  const [text, setText] = useState({ en: { title: '', body: '' }, fr: { title: '', body: '' } });
  const [tried, setTried] = useState(false);
  const [template, setTemplate] = useState<ArticleTemplate | ''>('');
  /** Set when a template left a typed text as it was. */
  const [kept, setKept] = useState(false);
  const action = useAction();
  /** A template's headings go into the texts still empty, or still holding another template's headings. */
  const chooseTemplate = (next: ArticleTemplate | '') => {
    const untouched = (l: ArticleLanguage) => text[l].body.trim() === '' || TEMPLATES.some((k) => text[l].body === templateBody(k, l));
    setKept(next !== '' && LANGUAGES.some((l) => !untouched(l)));
    setText((x) => Object.fromEntries(LANGUAGES.map((l) => [l, untouched(l) ? { ...x[l], body: next ? templateBody(next, l) : '' } : x[l]])) as typeof x);
    setTemplate(next);
  };
  // A language whose text is only the template's headings is not written yet.
  const written = (l: ArticleLanguage) => text[l].title.trim() !== '' || (text[l].body.trim() !== '' && !(template && text[l].body === templateBody(template, l)));
  const nothingWritten = !LANGUAGES.some(written);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setTried(true);
    if (nothingWritten) return;
    const translations = Object.fromEntries(LANGUAGES.filter(written).map((l) => [l, { title: text[l].title.trim(), body: text[l].body }]));
    const a = await action.run(() => knowledgeApi.createArticle({ ...metaBody(meta), ...(template ? { template } : {}), translations }));
    if (a) navigate(`/knowledge/articles/${a.id}`);
  }
  return (
    <form className="admin-body kb-new" onSubmit={submit} aria-labelledby="kb-new-title">
      <h2 id="kb-new-title">{t('kb.new')}</h2>
      <p className="muted">{t('kb.newIntro')}</p>
      <Field label={t('kb.template')} hint={t('kb.templateHint')}>
        <select value={template} onChange={(e) => chooseTemplate(e.target.value as ArticleTemplate | '')}>
          <option value="">{t('kb.template.none')}</option>
          {TEMPLATES.map((k) => <option key={k} value={k}>{t(`kb.template.${k}`)}</option>)}
        </select>
      </Field>
      {kept && <p className="muted" role="status">{t('kb.templateKept')}</p>}
      <MetaFields value={meta} onChange={setMeta} creating />
      {LANGUAGES.map((l) => (
        <fieldset key={l} className="choice">
          <legend>{langName(l, true)}</legend>
          <TranslationFields lang={l} title={text[l].title} body={text[l].body} required={written(l)}
            onTitle={(v) => setText((x) => ({ ...x, [l]: { ...x[l], title: v } }))}
            onBody={(v) => setText((x) => ({ ...x, [l]: { ...x[l], body: v } }))} />
        </fieldset>
      ))}
      {tried && nothingWritten && <p className="error" role="alert">{t('kb.needTranslation')}</p>}
      <ErrorNote error={action.error} />
      <div className="form-actions">
        <button className="btn btn-primary" disabled={action.busy}>{action.busy ? t('admin.saving') : t('kb.createDraft')}</button>
      </div>
    </form>
  );
}

export function ArticlePage(props: { id: string }) {
  const { t, locale } = useI18n();
  const langName = useLanguageName();
  const article = useLoad(() => knowledgeApi.article(props.id), [props.id]);
  /** The tab chosen; until then the interface language's translation, or the one there is. */
  const [chosen, setLang] = useState<ArticleLanguage | null>(null);
  /** Bumped after each change, so the history reads the new versions. */
  const [generation, setGeneration] = useState(0);
  if (isRefusal(article.error)) return <Refused error={article.error} />;
  const a = article.data;
  if (!a) return <div className="admin-body"><ErrorNote error={article.error} />{!article.error && <p aria-busy="true">{t('inbox.loading')}</p>}</div>;
  const lang = chosen ?? (a.translations[locale] || !a.translations[locale === 'fr' ? 'en' : 'fr'] ? locale : locale === 'fr' ? 'en' : 'fr');
  const changed = (next: ArticleOut) => {
    article.setData(next);
    setGeneration((g) => g + 1);
  };
  return (
    <article className="admin-body kb-article" aria-labelledby="kb-article-title">
      <header className="kb-article-head">
        <h2 id="kb-article-title">{articleTitle(a, locale)}</h2>
        <div className="kb-badges">
          <ArticleStatusBadge status={a.status} publishAt={a.publishAt} />
          <span className="badge">{t(`kb.visibility.${a.visibility}`)}</span>
          <VerificationBadge state={a.verification?.state} />
          {a.missingTranslations.map((l) => <span key={l} className="badge badge-warn">{t('kb.missingIn', { language: langName(l) })}</span>)}
        </div>
      </header>
      <Lifecycle article={a} onChanged={changed} />
      <TranslationTabs article={a} lang={lang} setLang={setLang} onChanged={changed} />
      <Settings article={a} onChanged={changed} />
      <History article={a} language={lang} generation={generation} onRestored={changed} />
      <ProposalsHere article={a} generation={generation} onAccepted={() => { article.reload(); setGeneration((g) => g + 1); }} />
    </article>
  );
}

/** Publish now or later, back to draft, archive; verify. */
function Lifecycle(props: { article: ArticleOut; onChanged(a: ArticleOut): void }) {
  const { t, dateTime } = useI18n();
  const { directory } = useSession();
  const a = props.article;
  const action = useAction();
  const [at, setAt] = useState('');
  const [note, setNote] = useState('');
  const [said, setSaid] = useState<string | null>(null);
  const run = async (f: () => Promise<ArticleOut>, done: string) => {
    setSaid(null);
    const next = await action.run(f);
    if (next) {
      props.onChanged(next);
      setSaid(done);
    }
  };
  const v = a.verification;
  const verifiedBy = userName(directory, v?.verifiedBy);
  const owner = userName(directory, a.owner?.userId) ?? teamName(directory, a.owner?.teamId);
  return (
    <section className="kb-section" aria-labelledby="kb-life-title">
      <h3 id="kb-life-title">{t('kb.lifecycle')}</h3>
      {a.permissions?.publish && (
        <div className="kb-actions">
          {a.status !== 'published' && (
            <button className="btn btn-primary" disabled={action.busy} onClick={() => void run(() => knowledgeApi.publish(a.id), t('kb.done.published'))}>{t('kb.publishNow')}</button>
          )}
          {a.status !== 'published' && (
            <span className="kb-schedule">
              <Field label={t('kb.publishAt')} inline>
                <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
              </Field>
              <button className="btn" disabled={action.busy || !at} onClick={() => void run(() => knowledgeApi.publish(a.id, new Date(at).toISOString()), t('kb.done.scheduled'))}>{t('kb.schedule')}</button>
            </span>
          )}
          {(a.status === 'published' || a.publishAt) && (
            <button className="btn" disabled={action.busy} onClick={() => void run(() => knowledgeApi.unpublish(a.id), t('kb.done.unpublished'))}>{a.status === 'published' ? t('kb.unpublish') : t('kb.cancelSchedule')}</button>
          )}
          {a.status !== 'archived' && (
            <button className="btn btn-danger" disabled={action.busy} onClick={() => void run(() => knowledgeApi.archive(a.id), t('kb.done.archived'))}>{t('kb.archive')}</button>
          )}
        </div>
      )}
      {v && (
        <div className="kb-verify">
          <p>
            <VerificationBadge state={v.state} />{' '}
            {v.verifiedAt ? t('kb.verifiedOn', { at: dateTime(v.verifiedAt), who: verifiedBy ?? t('kb.someone') }) : t('kb.neverVerified')}{' '}
            {t('kb.dueOn', { at: dateTime(v.dueAt), days: v.intervalDays })}{' '}
            {owner ? t('kb.ownedBy', { owner }) : t('kb.noOwnerYet')}
          </p>
          {a.permissions?.verify && (
            <div className="admin-inline-form">
              <Field label={t('kb.verifyNote')}><input maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} /></Field>
              <button className="btn" disabled={action.busy} onClick={() => void run(() => knowledgeApi.verify(a.id, note.trim() || undefined).then((x) => { setNote(''); return x; }), t('kb.done.verified'))}>{t('kb.verify')}</button>
            </div>
          )}
        </div>
      )}
      <ErrorNote error={action.error} />
      {said && <p className="notice" role="status">{said}</p>}
    </section>
  );
}

function TranslationTabs(props: { article: ArticleOut; lang: ArticleLanguage; setLang(l: ArticleLanguage): void; onChanged(a: ArticleOut): void }) {
  const { t } = useI18n();
  const langName = useLanguageName();
  const a = props.article;
  const refs = useRef<Partial<Record<ArticleLanguage, HTMLButtonElement | null>>>({});
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const next = LANGUAGES[(LANGUAGES.indexOf(props.lang) + 1) % LANGUAGES.length]!;
    props.setLang(next);
    refs.current[next]?.focus();
  };
  return (
    <section className="kb-section">
      <div role="tablist" aria-label={t('kb.translations')} className="tabs kb-lang-tabs" onKeyDown={onKey}>
        {LANGUAGES.map((l) => {
          const on = l === props.lang;
          const missing = !a.translations[l];
          return (
            <button key={l} ref={(el) => { refs.current[l] = el; }} role="tab" id={`kb-tab-${l}`} aria-selected={on} aria-controls={`kb-panel-${l}`} tabIndex={on ? 0 : -1} className={on ? 'on' : ''} onClick={() => props.setLang(l)}>
              {langName(l, true)}{missing && <span className="badge badge-warn">{t('kb.missing')}</span>}
            </button>
          );
        })}
      </div>
      {/* Both panels stay mounted (one hidden), so text typed in one language survives a look at the other. */}
      {LANGUAGES.map((l) => (
        <div key={l} role="tabpanel" id={`kb-panel-${l}`} aria-labelledby={`kb-tab-${l}`} className="kb-panel" hidden={l !== props.lang}>
          <TranslationEditor key={`${l}-${a.translations[l]?.versionNumber ?? 0}`} article={a} lang={l} onChanged={props.onChanged} />
        </div>
      ))}
    </section>
  );
}

function TranslationEditor(props: { article: ArticleOut; lang: ArticleLanguage; onChanged(a: ArticleOut): void }) {
  const { t, dateTime } = useI18n();
  const langName = useLanguageName();
  const { directory } = useSession();
  const a = props.article;
  const tr = a.translations[props.lang];
  const [writing, setWriting] = useState(!!tr);
  const [title, setTitle] = useState(tr?.title ?? '');
  const [body, setBody] = useState(tr?.body ?? '');
  const [note, setNote] = useState('');
  const [proposed, setProposed] = useState(false);
  const action = useAction();
  const edit = a.permissions?.edit ?? false;
  const language = langName(props.lang);
  if (!writing) {
    return (
      <div className="kb-missing" role="note">
        <p>{t('kb.noTranslation', { language })}</p>
        {(edit || a.permissions?.propose) && (
          <button className="btn" onClick={() => setWriting(true)}>{t(edit ? 'kb.writeTranslation' : 'kb.proposeTranslation', { language })}</button>
        )}
      </div>
    );
  }
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setProposed(false);
    const input = { title: title.trim(), body, ...(note.trim() ? { note: note.trim() } : {}), ...(tr ? { baseVersion: tr.versionNumber } : {}) };
    if (edit) {
      const next = await action.run(() => knowledgeApi.saveTranslation(a.id, props.lang, input));
      if (next) props.onChanged(next);
    } else if (await action.run(() => knowledgeApi.propose(a.id, { language: props.lang, ...input }))) setProposed(true);
  }
  const unchanged = tr !== null && title.trim() === tr.title && body === tr.body;
  return (
    <form onSubmit={submit} className="kb-editor" aria-label={t('kb.editorFor', { language })}>
      {tr && <p className="muted small">{t('kb.versionLine', { n: tr.versionNumber, at: dateTime(tr.updatedAt), who: userName(directory, tr.updatedBy) ?? t('kb.someone') })}</p>}
      {!edit && <p className="muted">{t('kb.proposeIntro')}</p>}
      <TranslationFields lang={props.lang} title={title} body={body} onTitle={setTitle} onBody={setBody} required />
      <Field label={t('kb.versionNote')}>
        <input maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
      </Field>
      <ErrorNote error={action.error} />
      {proposed && <p className="notice" role="status">{t('kb.done.proposed')}</p>}
      <div className="form-actions">
        <button className="btn btn-primary" disabled={action.busy || unchanged}>{action.busy ? t('admin.saving') : edit ? (tr ? t('kb.saveVersion') : t('kb.addTranslation', { language })) : t('kb.propose')}</button>
      </div>
    </form>
  );
}

function Settings(props: { article: ArticleOut; onChanged(a: ArticleOut): void }) {
  const { t } = useI18n();
  const a = props.article;
  const [meta, setMeta] = useState<MetaValues>(() => metaOf(a));
  const [done, setDone] = useState(false);
  const action = useAction();
  const edit = a.permissions?.edit ?? false;
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setDone(false);
    const next = await action.run(() => knowledgeApi.updateArticle(a.id, { ...metaBody(meta), version: a.version }));
    if (next) {
      setMeta(metaOf(next));
      props.onChanged(next);
      setDone(true);
    }
  }
  return (
    <form className="kb-section" onSubmit={submit} aria-labelledby="kb-settings-title">
      <h3 id="kb-settings-title">{t('kb.settings')}</h3>
      <MetaFields value={meta} onChange={setMeta} disabled={!edit} />
      <ErrorNote error={action.error} />
      {done && <p className="notice" role="status">{t('ticket.saved')}</p>}
      {edit && (
        <div className="form-actions">
          <button className="btn" disabled={action.busy}>{action.busy ? t('admin.saving') : t('kb.saveSettings')}</button>
        </div>
      )}
    </form>
  );
}

/** Open proposals on this article, for those who review them. */
function ProposalsHere(props: { article: ArticleOut; generation: number; onAccepted(): void }) {
  const { t } = useI18n();
  const { manager } = useKnowledge();
  if (!manager) return null;
  return (
    <section className="kb-section" aria-labelledby="kb-props-title">
      <h3 id="kb-props-title">{t('kb.proposalsHere')}</h3>
      <ProposalList key={props.generation} articleId={props.article.id} onReviewed={(p) => p.status === 'accepted' && props.onAccepted()} />
    </section>
  );
}

/**
 * "For me": the signed-in person's knowledge notifications, newest first: verification reminders
 * for the articles they own, an edit proposed to one of them, and what became of their own
 * proposals. Unread ones say "New" (not colour alone); opening one marks it read and goes to the
 * article. The tab's count is asked again after each change.
 */
import { useI18n } from '../i18n.ts';
import { linkHandler } from '../router.ts';
import { ErrorNote, ListFoot, useLoad, usePaged } from '../admin/kit.tsx';
import type { KnowledgeNotificationOut } from '@guichet/contracts';
import { knowledgeApi } from './knowledgeApi.ts';
import { useKnowledge } from './KnowledgeArea.tsx';
import { articleTitle } from './parts.tsx';

const KINDS = ['verification_due', 'verification_expired', 'edit_proposed', 'proposal_accepted', 'proposal_rejected'] as const;
type Kind = (typeof KINDS)[number];
const kindOf = (n: KnowledgeNotificationOut): Kind | 'other' => {
  const k = n.kind.replace(/^article\./, '');
  return (KINDS as readonly string[]).includes(k) ? (k as Kind) : 'other';
};
const text = (v: unknown) => (typeof v === 'string' && v ? v : null);

export function ForMeScreen() {
  const { t, locale, ago, dateTime } = useI18n();
  const { reloadUnread } = useKnowledge();
  const list = usePaged<KnowledgeNotificationOut>((cursor) => knowledgeApi.notifications({}, cursor), 'all');
  // Reminders carry the article's title; for the others it is read from the article once.
  const untitled = [...new Set(list.items.filter((n) => n.articleId && !text(n.data.title)).map((n) => n.articleId!))].sort();
  const titles = useLoad(
    () => Promise.all(untitled.map((id) => knowledgeApi.article(id).then((a) => [id, articleTitle(a, locale)] as const, () => [id, ''] as const))).then((pairs) => new Map(pairs)),
    [untitled.join(','), locale],
  );

  async function read(n: KnowledgeNotificationOut) {
    if (n.readAt) return;
    list.replace((x) => x.id === n.id, { ...n, readAt: new Date().toISOString() });
    await knowledgeApi.markNotificationRead(n.id).catch(() => undefined);
    reloadUnread();
  }

  return (
    <section className="admin-list" aria-labelledby="kb-forme-title">
      <header className="admin-head">
        <h2 id="kb-forme-title">{t('kb.forMe')}</h2>
      </header>
      <p className="muted">{t('kb.forMe.intro')}</p>
      <ErrorNote error={list.error} />
      <ul className="kb-notes">
        {list.items.map((n) => {
          const title = text(n.data.title) ?? ((n.articleId ? titles.data?.get(n.articleId) : null) || t('kb.forMe.anArticle'));
          const due = text(n.data.dueAt);
          const message = t(`kb.note.${kindOf(n)}`, { title, by: text(n.data.by) ?? t('kb.someone'), due: due ? dateTime(due) : '' });
          const note = text(n.data.note);
          const href = n.articleId ? `/knowledge/articles/${n.articleId}` : null;
          const unread = !n.readAt;
          return (
            <li key={n.id} className={unread ? 'kb-note unread' : 'kb-note'}>
              <p>
                {unread && <><span className="badge badge-warn">{t('kb.forMe.new')}</span>{' '}</>}
                {href ? (
                  <a href={href} onClick={(e) => {
                    void read(n);
                    linkHandler(href)(e);
                  }}>{message}</a>
                ) : message}
              </p>
              {note && <p className="muted">{t('kb.note.reviewNote', { note })}</p>}
              <p className="kb-note-foot">
                <span className="muted small">{ago(n.createdAt)}</span>
                {unread && (
                  <button type="button" className="btn btn-ghost btn-sm" aria-label={t('kb.forMe.markReadOf', { title })} onClick={() => void read(n)}>
                    {t('kb.forMe.markRead')}
                  </button>
                )}
              </p>
            </li>
          );
        })}
      </ul>
      {list.items.length === 0 && !list.loading && !list.error ? (
        <p className="empty">{t('kb.forMe.none')}</p>
      ) : (
        (list.hasMore || list.loading) && <ListFoot loading={list.loading} hasMore={list.hasMore} more={() => list.more()} count={list.items.length} />
      )}
    </section>
  );
}

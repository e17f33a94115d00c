/**
 * The knowledge area at `/knowledge`: the article list, an article's page (editor, publication,
 * verification, history), what is new for the signed-in person ("For me"), and for managers the
 * proposals to review, the reports, the categories and the list of managers. Every member of staff comes
 * in (light agents write drafts and propose edits); what each may do with an article comes from
 * the server with the article (`permissions`), and the manager-only screens are shown to admins
 * and knowledge managers, whom the server also checks.
 */
import { createContext, useContext } from 'react';
import { ApiError } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { linkHandler } from '../router.ts';
import { useSession } from '../session.ts';
import { Refused, useLoad } from '../admin/kit.tsx';
import type { CategoryOut, KnowledgeManagerOut } from '@guichet/contracts';
import { knowledgeApi } from './knowledgeApi.ts';
import { ArticleList } from './ArticleList.tsx';
import { ArticlePage, NewArticle } from './ArticlePage.tsx';
import { ProposalsScreen } from './Proposals.tsx';
import { ReportsScreen } from './Reports.tsx';
import { CategoriesScreen } from './Categories.tsx';
import { ManagersScreen } from './Managers.tsx';
import { ForMeScreen } from './ForMe.tsx';
import './knowledge.css';

export interface KnowledgeContext {
  /** Admin or knowledge manager: may publish, review proposals and read the reports. */
  manager: boolean;
  categories: CategoryOut[];
  reloadCategories(): void;
  managers: KnowledgeManagerOut[];
  reloadManagers(): void;
  /** The signed-in person's unread notifications, counted again after one is read. */
  reloadUnread(): void;
}

const Ctx = createContext<KnowledgeContext>({
  manager: false,
  categories: [],
  reloadCategories: () => {},
  managers: [],
  reloadManagers: () => {},
  reloadUnread: () => {},
});
export const useKnowledge = () => useContext(Ctx);

const NOT_FOUND = new ApiError(404, 'NOT_FOUND', 'not found');
const FORBIDDEN = new ApiError(403, 'FORBIDDEN', 'forbidden');

export function KnowledgeArea(props: { sub: string }) {
  const { t } = useI18n();
  const { me } = useSession();
  const managers = useLoad(() => knowledgeApi.managers().catch(() => []), []);
  const categories = useLoad(() => knowledgeApi.categories(), []);
  const manager = me.user.role === 'admin' || (managers.data ?? []).some((m) => m.userId === me.user.id);
  const unread = useLoad(() => knowledgeApi.notifications({ unread: true }, null).then((p) => ({ n: p.items.length, more: p.nextCursor !== null }), () => null), []);
  const ctx: KnowledgeContext = {
    manager,
    categories: categories.data ?? [],
    reloadCategories: categories.reload,
    managers: managers.data ?? [],
    reloadManagers: managers.reload,
    reloadUnread: unread.reload,
  };
  const unreadCount = unread.data?.n ? `${unread.data.n}${unread.data.more ? '+' : ''}` : '';

  const parts = props.sub.split('/').filter(Boolean);
  const tabs = [
    { id: '', label: t('kb.articles'), show: true },
    { id: 'new', label: t('kb.new'), show: true },
    { id: 'for-me', label: t('kb.forMe'), show: true, count: unreadCount },
    { id: 'proposals', label: t('kb.proposals'), show: manager },
    { id: 'categories', label: t('kb.categories'), show: manager },
    { id: 'managers', label: t('kb.managers'), show: manager },
    { id: 'reports', label: t('kb.reports'), show: manager },
  ];
  const managerOnly = (screen: React.ReactNode) => (manager ? screen : managers.data ? <Refused error={FORBIDDEN} /> : null);
  const currentTab = parts[0] === 'articles' ? '' : (parts[0] ?? '');

  let body: React.ReactNode;
  if (parts.length === 0) body = <ArticleList />;
  else if (parts[0] === 'new' && parts.length === 1) body = <NewArticle />;
  else if (parts[0] === 'articles' && parts.length === 2) body = <ArticlePage key={parts[1]} id={parts[1]!} />;
  else if (parts[0] === 'for-me' && parts.length === 1) body = <ForMeScreen />;
  else if (parts[0] === 'proposals' && parts.length === 1) body = managerOnly(<ProposalsScreen />);
  else if (parts[0] === 'categories' && parts.length === 1) body = managerOnly(<CategoriesScreen />);
  else if (parts[0] === 'managers' && parts.length === 1) body = managerOnly(<ManagersScreen />);
  else if (parts[0] === 'reports' && parts.length === 1) body = managerOnly(<ReportsScreen />);
  else body = <Refused error={NOT_FOUND} />;

  return (
    <Ctx.Provider value={ctx}>
      <div className="kb">
        <header className="kb-top">
          <h1 className="kb-title">{t('kb.title.area')}</h1>
          <nav aria-label={t('kb.title.area')}>
            <ul className="kb-tabs">
              {tabs.filter((x) => x.show).map((x) => {
                const href = x.id ? `/knowledge/${x.id}` : '/knowledge';
                const on = x.id === currentTab;
                return (
                  <li key={x.id}>
                    <a href={href} onClick={linkHandler(href)} className={on ? 'on' : ''} aria-current={on ? 'page' : undefined}>
                      {x.label}
                      {x.count && <> <span className="badge kb-count" aria-hidden="true">{x.count}</span><span className="sr-only">{t('kb.unreadCount', { n: x.count })}</span></>}
                    </a>
                  </li>
                );
              })}
            </ul>
          </nav>
        </header>
        <div className="kb-body">{body}</div>
      </div>
    </Ctx.Provider>
  );
}

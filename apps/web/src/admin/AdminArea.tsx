/**
 * The admin area: `/admin/<section>`, one screen per section. A new section (SLA policies,
 * triggers…) is one entry in SECTIONS plus its screen file. Who may enter comes from the
 * permissions the server sent with the session (`/auth/me`); the API still refuses anything else,
 * and every screen shows its 403/404 as a page.
 */
import type { MeOut } from '../api.ts';
import { useI18n, type MessageKey } from '../i18n.ts';
import { linkHandler } from '../router.ts';
import { useSession } from '../session.ts';
import { Refused } from './kit.tsx';
import { ApiError } from '../api.ts';
import { UsersScreen } from './Users.tsx';
import { TeamsScreen } from './Teams.tsx';
import { SkillsScreen } from './Skills.tsx';
import { CustomersScreen } from './Customers.tsx';
import { OrganizationsScreen } from './Organizations.tsx';
import { CustomFieldsScreen } from './CustomFields.tsx';
import { ApiTokensScreen } from './ApiTokens.tsx';
import { AuditLogScreen } from './AuditLog.tsx';
import { WorkspaceScreen } from './Workspace.tsx';
import { MacrosScreen } from './Macros.tsx';
import { CategoriesScreen } from './Categories.tsx';
import { CalendarsScreen } from './Calendars.tsx';
import { SlaPoliciesScreen } from './SlaPolicies.tsx';
import { TriggersScreen } from './Triggers.tsx';
import { AutomationsScreen } from './Automations.tsx';
import { WebhooksScreen } from './Webhooks.tsx';
import { RoutingScreen } from './Routing.tsx';

export interface AdminSection {
  id: string;
  label: MessageKey;
  /** The server permission the section's changes need (from MeOut.permissions). */
  permission: string;
  Screen: () => React.ReactNode;
}

export const SECTIONS: AdminSection[] = [
  { id: 'users', label: 'admin.users', permission: 'users:manage', Screen: UsersScreen },
  { id: 'teams', label: 'admin.teams', permission: 'teams:manage', Screen: TeamsScreen },
  { id: 'skills', label: 'admin.skills', permission: 'skills:manage', Screen: SkillsScreen },
  { id: 'customers', label: 'admin.customers', permission: 'customers:manage', Screen: CustomersScreen },
  { id: 'organizations', label: 'admin.organizations', permission: 'organizations:manage', Screen: OrganizationsScreen },
  { id: 'macros', label: 'admin.macros', permission: 'workspace:manage', Screen: MacrosScreen },
  { id: 'ticket-categories', label: 'admin.categories', permission: 'ticket_categories:manage', Screen: CategoriesScreen },
  { id: 'business-calendars', label: 'admin.calendars', permission: 'sla:manage', Screen: CalendarsScreen },
  { id: 'sla-policies', label: 'admin.slaPolicies', permission: 'sla:manage', Screen: SlaPoliciesScreen },
  { id: 'triggers', label: 'admin.triggers', permission: 'triggers:manage', Screen: TriggersScreen },
  { id: 'automations', label: 'admin.automations', permission: 'triggers:manage', Screen: AutomationsScreen },
  { id: 'webhooks', label: 'admin.webhooks', permission: 'triggers:manage', Screen: WebhooksScreen },
  { id: 'routing', label: 'admin.routing', permission: 'workspace:manage', Screen: RoutingScreen },
  { id: 'custom-fields', label: 'admin.customFields', permission: 'custom_fields:manage', Screen: CustomFieldsScreen },
  { id: 'api-tokens', label: 'admin.apiTokens', permission: 'api_tokens:own', Screen: ApiTokensScreen },
  { id: 'audit-log', label: 'admin.auditLog', permission: 'audit:read', Screen: AuditLogScreen },
  { id: 'workspace', label: 'admin.workspace', permission: 'workspace:manage', Screen: WorkspaceScreen },
];

/** The area is the workspace administrators': those the server lets manage the workspace. */
export const canAdminister = (me: MeOut) => me.permissions.includes('workspace:manage');

const FORBIDDEN = new ApiError(403, 'FORBIDDEN', 'forbidden');
const NOT_FOUND = new ApiError(404, 'NOT_FOUND', 'not found');

export function AdminArea(props: { section: string }) {
  const { t } = useI18n();
  const { me } = useSession();
  if (!canAdminister(me)) return <Refused error={FORBIDDEN} />;
  const sections = SECTIONS.filter((s) => me.permissions.includes(s.permission));
  const current = props.section ? sections.find((s) => s.id === props.section) : sections[0];
  return (
    <div className="admin">
      <nav className="admin-nav" aria-label={t('admin.title')}>
        <h1 className="admin-title">{t('admin.title')}</h1>
        <ul>
          {sections.map((s) => {
            const href = `/admin/${s.id}`;
            const on = s === current;
            return (
              <li key={s.id}>
                <a href={href} onClick={linkHandler(href)} className={on ? 'on' : ''} aria-current={on ? 'page' : undefined}>{t(s.label)}</a>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="admin-main">{current ? <current.Screen key={current.id} /> : <Refused error={SECTIONS.some((s) => s.id === props.section) ? FORBIDDEN : NOT_FOUND} />}</div>
    </div>
  );
}

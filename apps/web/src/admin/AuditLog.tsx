/** The audit log: who did what to which record, when, with the details, newest first, filtered by kind of action and by person. */
import { useState } from 'react';
import { useI18n, type MessageKey } from '../i18n.ts';
import { adminApi, type AuditEntryOut } from './adminApi.ts';
import { ErrorNote, Field, ListFoot, Refused, isRefusal, useLoad, usePaged } from './kit.tsx';

/** Action families the API filters by prefix (`action=user.` lists every user.* entry). */
const FAMILIES = ['user.', 'team.', 'skill.', 'custom_field.', 'api_token.', 'workspace.', 'auth.', 'routing.', 'sla_policy.', 'business_calendar.', 'trigger.', 'automation.', 'webhook.', 'mailbox.'] as const;

export function AuditLogScreen() {
  const { t, dateTime } = useI18n();
  const [action, setAction] = useState('');
  const [actorId, setActorId] = useState('');
  const staff = useLoad(() => adminApi.allUsers(), []);
  // Ids in entries are shown by name when they are staff, teams or skills of this workspace.
  const others = useLoad(() => Promise.all([adminApi.teams(), adminApi.skills()]), []);
  const names = new Map<string, string>([...(staff.data ?? []), ...(others.data?.[0] ?? []), ...(others.data?.[1] ?? [])].map((x) => [x.id, x.name]));
  const list = usePaged((cursor) => adminApi.auditLog({ action, actorId }, cursor), `${action}|${actorId}`);
  if (isRefusal(list.error)) return <Refused error={list.error} />;

  return (
    <section className="admin-body" aria-labelledby="audit-title">
      <header className="admin-head"><h2 id="audit-title">{t('admin.auditLog')}</h2></header>
      <div className="admin-filters">
        <Field inline label={t('admin.audit.kind')}>
            <select value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">{t('filter.any')}</option>
            {FAMILIES.map((f) => <option key={f} value={f}>{t(`auditFamily.${f.slice(0, -1)}` as MessageKey)}</option>)}
          </select>
          </Field>
        <Field inline label={t('admin.audit.who')}>
            <select value={actorId} onChange={(e) => setActorId(e.target.value)}>
            <option value="">{t('filter.any')}</option>
            {staff.data?.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
          </select>
          </Field>
      </div>
      <ErrorNote error={list.error} />
      <table className="admin-table audit">
        <thead>
          <tr><th>{t('admin.audit.when')}</th><th>{t('admin.audit.who')}</th><th>{t('admin.audit.what')}</th><th>{t('admin.audit.target')}</th><th>{t('admin.audit.details')}</th></tr>
        </thead>
        <tbody>
          {list.items.map((a) => (
            <tr key={a.id} data-action={a.action}>
              <td className="small nowrap"><time dateTime={a.createdAt}>{dateTime(a.createdAt)}</time></td>
              <td>{a.actor.name ?? (a.actor.type === 'system' ? t('ticket.system') : t('event.someone'))}</td>
              <td><code>{a.action}</code></td>
              <td className="small">{target(a, names)}</td>
              <td className="small"><Details data={a.data} ip={a.ip} names={names} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <ListFoot loading={list.loading} hasMore={list.hasMore} more={list.more} count={list.items.length} />
    </section>
  );
}

function target(a: AuditEntryOut, names: Map<string, string>): string {
  const d = a.data as { name?: unknown; email?: unknown };
  const label = typeof d.name === 'string' ? d.name : typeof d.email === 'string' ? d.email : a.targetId ? names.get(a.targetId) : null;
  if (!a.targetType) return '';
  return label ? `${a.targetType} · ${label}` : `${a.targetType} · ${a.targetId?.slice(0, 8) ?? ''}`;
}

/** The entry's data as short `key: value` lines; long values are folded. */
function Details(props: { data: Record<string, unknown>; ip: string | null; names: Map<string, string> }) {
  const { t } = useI18n();
  const entries = Object.entries(props.data);
  if (!entries.length && !props.ip) return null;
  const named = (_k: string, v: unknown) => (typeof v === 'string' ? (props.names.get(v) ?? v) : v);
  const show = (v: unknown) => (typeof v === 'string' ? named('', v) as string : JSON.stringify(v, named));
  const lines = entries.map(([k, v]) => `${k}: ${show(v)}`);
  if (props.ip) lines.push(`${t('admin.audit.ip')}: ${props.ip}`);
  const short = lines.join(' · ');
  if (short.length <= 120) return <span className="audit-data">{short}</span>;
  return (
    <details>
      <summary>{short.slice(0, 100)}…</summary>
      <pre>{JSON.stringify(props.data, named, 2)}</pre>
    </details>
  );
}

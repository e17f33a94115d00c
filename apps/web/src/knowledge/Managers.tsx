/**
 * The knowledge managers: who may publish, verify, review proposals and arrange the categories.
 * Managers read the list; an admin adds a staff member (picked from the workspace's people) or
 * removes one. The server checks the admin role on each change.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { useSession } from '../session.ts';
import { ErrorNote, Field, useAction } from '../admin/kit.tsx';
import type { KnowledgeManagerOut } from '@guichet/contracts';
import { knowledgeApi } from './knowledgeApi.ts';
import { useKnowledge } from './KnowledgeArea.tsx';
import { activeStaff } from './parts.tsx';

export function ManagersScreen() {
  const { t, dateTime } = useI18n();
  const { me, directory } = useSession();
  const { managers, reloadManagers } = useKnowledge();
  const admin = me.user.role === 'admin';
  const [pick, setPick] = useState('');
  const [said, setSaid] = useState('');
  const action = useAction();
  // Admins always curate: only the others can be made managers.
  const candidates = activeStaff(directory).filter((u) => u.role !== 'admin' && !managers.some((m) => m.userId === u.id));

  async function add(e: React.FormEvent) {
    e.preventDefault();
    const user = candidates.find((u) => u.id === pick);
    if (!user) return;
    setSaid('');
    if ((await action.run(() => knowledgeApi.addManager(user.id).then(() => true))) !== true) return;
    setPick('');
    setSaid(t('kb.mgr.added', { name: user.name }));
    reloadManagers();
  }
  async function remove(m: KnowledgeManagerOut) {
    if (!window.confirm(t('kb.mgr.removeConfirm', { name: m.name }))) return;
    setSaid('');
    if ((await action.run(() => knowledgeApi.removeManager(m.userId).then(() => true))) !== true) return;
    setSaid(t('kb.mgr.removed', { name: m.name }));
    reloadManagers();
  }

  return (
    <section className="admin-list" aria-labelledby="kb-mgr-title">
      <header className="admin-head">
        <h2 id="kb-mgr-title">{t('kb.managers')}</h2>
      </header>
      <p className="muted">{t('kb.mgr.intro')}</p>
      {!admin && <p>{t('kb.mgr.readOnly')}</p>}
      {admin && (
        <form className="admin-filters kb-mgr-add" onSubmit={add}>
          <Field label={t('kb.mgr.pick')} inline>
            <select value={pick} onChange={(e) => setPick(e.target.value)}>
              <option value="">{t('kb.mgr.pickEmpty')}</option>
              {candidates.map((u) => <option key={u.id} value={u.id}>{u.email ? `${u.name} (${u.email})` : u.name}</option>)}
            </select>
          </Field>
          <button className="btn btn-primary" disabled={!pick || action.busy}>{t('kb.mgr.add')}</button>
        </form>
      )}
      <ErrorNote error={action.error} />
      {said && <p className="notice" role="status">{said}</p>}
      {managers.length === 0 ? (
        <p className="empty">{t('kb.mgr.none')}</p>
      ) : (
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">{t('kb.mgr.name')}</th>
              <th scope="col">{t('kb.mgr.email')}</th>
              <th scope="col">{t('kb.mgr.since')}</th>
              {admin && <th scope="col"><span className="sr-only">{t('kb.mgr.actions')}</span></th>}
            </tr>
          </thead>
          <tbody>
            {managers.map((m) => (
              <tr key={m.userId}>
                <td>{m.name}</td>
                <td>{m.email ?? ''}</td>
                <td className="nowrap">{dateTime(m.since)}</td>
                {admin && (
                  <td>
                    <button type="button" className="btn btn-sm" disabled={action.busy} aria-label={t('kb.mgr.removeOf', { name: m.name })} onClick={() => void remove(m)}>
                      {t('kb.mgr.remove')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

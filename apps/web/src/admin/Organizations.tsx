/** Organizations: search page by page, create, and edit name, email domains, notes and ticket sharing. */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { adminApi, type OrganizationOut } from './adminApi.ts';
import { ErrorNote, PanelHead, Field, ListFoot, Refused, isRefusal, splitList, useAction, usePaged } from './kit.tsx';

export function OrganizationsScreen() {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState<OrganizationOut | 'new' | null>(null);
  const list = usePaged((cursor) => adminApi.organizations({ q: q.trim() }, cursor), q.trim());
  if (isRefusal(list.error)) return <Refused error={list.error} />;
  const current = open === 'new' ? null : open;

  return (
    <section className="admin-split" aria-labelledby="orgs-title">
      <div className="admin-list">
        <header className="admin-head">
          <h2 id="orgs-title">{t('admin.organizations')}</h2>
          <button className="btn btn-primary" onClick={() => setOpen('new')}>{t('admin.org.new')}</button>
        </header>
        <div className="admin-filters">
          <input type="search" aria-label={t('admin.org.search')} placeholder={t('admin.org.search')} value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <ErrorNote error={list.error} />
        <table className="admin-table">
          <thead><tr><th>{t('admin.name')}</th><th>{t('admin.org.domains')}</th><th>{t('admin.org.shared')}</th></tr></thead>
          <tbody>
            {list.items.map((o) => (
              <tr key={o.id} className={current?.id === o.id ? 'on' : ''}>
                <td><button className="link" onClick={() => setOpen(o)}>{o.name}</button></td>
                <td className="small">{o.domains.join(', ')}</td>
                <td>{o.sharedTickets ? t('admin.yes') : t('admin.no')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <ListFoot loading={list.loading} hasMore={list.hasMore} more={list.more} count={list.items.length} />
      </div>
      {open && (
        <OrganizationForm
          key={open === 'new' ? 'new' : open.id}
          org={current}
          onSaved={(o) => {
            if (open === 'new') list.reload();
            else list.replace((x) => x.id === o.id, o);
            setOpen(o);
          }}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}

function OrganizationForm(props: { org: OrganizationOut | null; onSaved(o: OrganizationOut): void; onClose(): void }) {
  const { t } = useI18n();
  const o = props.org;
  const [name, setName] = useState(o?.name ?? '');
  const [domains, setDomains] = useState(o?.domains.join(', ') ?? '');
  const [notes, setNotes] = useState(o?.notes ?? '');
  const [shared, setShared] = useState(o?.sharedTickets ?? false);
  const action = useAction();
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const body = { name: name.trim(), domains: splitList(domains.toLowerCase()), notes, sharedTickets: shared };
    const next = await action.run(() => (o ? adminApi.updateOrganization(o.id, body) : adminApi.createOrganization(body)));
    if (next) props.onSaved(next);
  }
  return (
    <form className="admin-panel" onSubmit={submit} aria-labelledby="org-title">
      <PanelHead id="org-title" title={o ? o.name : t('admin.org.new')} onClose={props.onClose} />
      <Field label={t('admin.name')}><input required value={name} onChange={(e) => setName(e.target.value)} /></Field>
      <Field label={t('admin.org.domains')} hint={t('admin.org.domainsHint')}>
        <input value={domains} onChange={(e) => setDomains(e.target.value)} />
      </Field>
      <Field label={t('admin.notes')}><textarea rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} /></Field>
      <label className="check">
        <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
        {t('admin.org.sharedLabel')}
      </label>
      <ErrorNote error={action.error} />
      <div className="form-actions">
        <button className="btn btn-primary" disabled={action.busy}>{action.busy ? t('admin.saving') : o ? t('admin.save') : t('admin.org.create')}</button>
      </div>
    </form>
  );
}

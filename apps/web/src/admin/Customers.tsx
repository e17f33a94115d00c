/** Customers: search page by page (the API's cursor), open one to change their details and organization. */
import { useState } from 'react';
import { allPages } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { adminApi, type CustomerOut, type OrganizationOut } from './adminApi.ts';
import { ErrorNote, PanelHead, Field, LanguageSelect, ListFoot, Refused, isRefusal, useAction, useLoad, usePaged } from './kit.tsx';

export function CustomersScreen() {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [org, setOrg] = useState('');
  const [open, setOpen] = useState<CustomerOut | null>(null);
  const orgs = useLoad(() => allPages<OrganizationOut>('/organizations'), []);
  const list = usePaged((cursor) => adminApi.customers({ q: q.trim(), organizationId: org }, cursor), `${q.trim()}|${org}`);
  if (isRefusal(list.error)) return <Refused error={list.error} />;
  const orgName = new Map((orgs.data ?? []).map((o) => [o.id, o.name]));

  return (
    <section className="admin-split" aria-labelledby="customers-title">
      <div className="admin-list">
        <header className="admin-head"><h2 id="customers-title">{t('admin.customers')}</h2></header>
        <div className="admin-filters">
          <input type="search" aria-label={t('admin.customer.search')} placeholder={t('admin.customer.search')} value={q} onChange={(e) => setQ(e.target.value)} />
          <Field inline label={t('ticket.organization')}>
            <select value={org} onChange={(e) => setOrg(e.target.value)}>
              <option value="">{t('filter.any')}</option>
              {orgs.data?.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
            </select>
          </Field>
        </div>
        <ErrorNote error={list.error} />
        <table className="admin-table">
          <thead><tr><th>{t('admin.name')}</th><th>{t('ticket.organization')}</th><th>{t('admin.user.locale')}</th></tr></thead>
          <tbody>
            {list.items.map((c) => (
              <tr key={c.id} className={open?.id === c.id ? 'on' : ''}>
                <td>
                  <button className="link" onClick={() => setOpen(c)}>{c.name}</button>
                  <div className="muted small">{c.email}</div>
                </td>
                <td>{c.organizationId ? orgName.get(c.organizationId) ?? '' : ''}</td>
                <td>{c.locale}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <ListFoot loading={list.loading} hasMore={list.hasMore} more={list.more} count={list.items.length} />
      </div>
      {open && (
        <CustomerEdit
          key={open.id}
          customer={open}
          orgs={orgs.data ?? []}
          onSaved={(c) => {
            list.replace((x) => x.id === c.id, c);
            setOpen(c);
          }}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}

function CustomerEdit(props: { customer: CustomerOut; orgs: OrganizationOut[]; onSaved(c: CustomerOut): void; onClose(): void }) {
  const { t } = useI18n();
  const c = props.customer;
  const [form, setForm] = useState({
    name: c.name,
    email: c.email ?? '',
    phone: c.phone ?? '',
    organizationId: c.organizationId ?? '',
    locale: c.locale === 'fr' ? 'fr' : 'en',
    notes: c.notes ?? '',
  });
  const [done, setDone] = useState(false);
  const set = (patch: Partial<typeof form>) => {
    setDone(false);
    setForm((f) => ({ ...f, ...patch }));
  };
  const action = useAction();
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const next = await action.run(() =>
      adminApi.updateCustomer(c.id, {
        name: form.name.trim(),
        email: form.email.trim() || null,
        phone: form.phone.trim() || null,
        organizationId: form.organizationId || null,
        locale: form.locale as 'en' | 'fr',
        notes: form.notes || null,
      }),
    );
    if (next) {
      setDone(true);
      props.onSaved(next);
    }
  }
  return (
    <form className="admin-panel" onSubmit={submit} aria-labelledby="customer-title">
      <PanelHead id="customer-title" title={c.name} onClose={props.onClose} />
      <Field label={t('admin.name')}><input required value={form.name} onChange={(e) => set({ name: e.target.value })} /></Field>
      <Field label={t('login.email')}><input type="email" value={form.email} onChange={(e) => set({ email: e.target.value })} /></Field>
      <Field label={t('admin.customer.phone')}><input type="tel" value={form.phone} onChange={(e) => set({ phone: e.target.value })} /></Field>
      <Field label={t('ticket.organization')}>
        <select value={form.organizationId} onChange={(e) => set({ organizationId: e.target.value })}>
          <option value="">{t('filter.none')}</option>
          {props.orgs.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
        </select>
      </Field>
      <LanguageSelect label={t('admin.user.locale')} value={form.locale} onChange={(v) => set({ locale: v })} />
      <Field label={t('admin.notes')}><textarea rows={3} value={form.notes} onChange={(e) => set({ notes: e.target.value })} /></Field>
      <ErrorNote error={action.error} />
      {done && <p className="notice" role="status">{t('ticket.saved')}</p>}
      <div className="form-actions"><button className="btn btn-primary" disabled={action.busy}>{action.busy ? t('admin.saving') : t('admin.save')}</button></div>
    </form>
  );
}

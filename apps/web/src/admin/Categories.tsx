/**
 * Request categories: the list a customer picks from on the portal's form, in order, named in
 * English and French. Its key is what routing rules name. Retiring one (inactive) keeps its tickets
 * labelled; deleting it leaves them without a category.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { adminApi, type TicketCategoryOut } from './adminApi.ts';
import { ErrorNote, Field, PanelHead, Refused, isRefusal, useAction, useLoad } from './kit.tsx';

const inOrder = (list: TicketCategoryOut[]) => [...list].sort((a, b) => a.position - b.position || a.key.localeCompare(b.key));

export function CategoriesScreen() {
  const { t, locale } = useI18n();
  const categories = useLoad(() => adminApi.ticketCategories().then(inOrder), []);
  const [open, setOpen] = useState<TicketCategoryOut | 'new' | null>(null);
  if (isRefusal(categories.error)) return <Refused error={categories.error} />;
  const current = open === 'new' ? null : open;
  const list = categories.data ?? [];
  const nextPosition = list.reduce((max, c) => Math.max(max, c.position + 1), 0);
  return (
    <section className="admin-split" aria-labelledby="categories-title">
      <div className="admin-list">
        <header className="admin-head">
          <h2 id="categories-title">{t('admin.categories')}</h2>
          <button className="btn btn-primary" onClick={() => setOpen('new')}>{t('admin.category.new')}</button>
        </header>
        <p className="muted">{t('admin.category.intro')}</p>
        <ErrorNote error={categories.error} />
        <table className="admin-table">
          <thead><tr><th>{t('admin.category.position')}</th><th>{t('admin.name')}</th><th>{t('admin.category.key')}</th><th>{t('admin.user.status')}</th></tr></thead>
          <tbody>
            {categories.data?.map((c) => (
              <tr key={c.id} className={current?.id === c.id ? 'on' : ''}>
                <td>{c.position}</td>
                <td><button className="link" onClick={() => setOpen(c)}>{c.names[locale] ?? c.names.en ?? c.names.fr ?? c.key}</button></td>
                <td><code>{c.key}</code></td>
                <td>{c.active ? t('admin.field.active') : <span className="badge st-closed">{t('admin.category.retired')}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {categories.data?.length === 0 && <p className="empty">{t('admin.category.none')}</p>}
      </div>
      {open && (
        <CategoryForm
          key={current?.id ?? 'new'}
          category={current}
          nextPosition={nextPosition}
          onSaved={(c) => {
            categories.setData(inOrder(list.some((x) => x.id === c.id) ? list.map((x) => (x.id === c.id ? c : x)) : [...list, c]));
            setOpen(c);
          }}
          onDeleted={(id) => {
            categories.setData(list.filter((x) => x.id !== id));
            setOpen(null);
          }}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}

function CategoryForm(props: { category: TicketCategoryOut | null; nextPosition: number; onSaved(c: TicketCategoryOut): void; onDeleted(id: string): void; onClose(): void }) {
  const { t, locale } = useI18n();
  const c = props.category;
  const [key, setKey] = useState(c?.key ?? '');
  const [nameEn, setNameEn] = useState(c?.names.en ?? '');
  const [nameFr, setNameFr] = useState(c?.names.fr ?? '');
  const [position, setPosition] = useState(String(c?.position ?? props.nextPosition));
  const [active, setActive] = useState(c?.active ?? true);
  const [done, setDone] = useState(false);
  const [tried, setTried] = useState(false);
  const action = useAction();
  const remove = useAction();
  const noName = !nameEn.trim() && !nameFr.trim();
  const title = c ? (c.names[locale] ?? c.names.en ?? c.names.fr ?? c.key) : t('admin.category.new');

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setTried(true);
    if (noName) return;
    setDone(false);
    const names = { ...(nameEn.trim() ? { en: nameEn.trim() } : {}), ...(nameFr.trim() ? { fr: nameFr.trim() } : {}) };
    const body = { key: key.trim(), names, position: Number(position) || 0, active };
    const next = await action.run(() => (c ? adminApi.updateTicketCategory(c.id, body) : adminApi.createTicketCategory(body)));
    if (next) {
      setDone(true);
      props.onSaved(next);
    }
  }
  async function del() {
    if (!c || !window.confirm(t('admin.category.deleteConfirm', { name: title }))) return;
    if (await remove.run(() => adminApi.deleteTicketCategory(c.id).then(() => true))) props.onDeleted(c.id);
  }
  const busy = action.busy || remove.busy;
  return (
    <form className="admin-panel" onSubmit={submit} aria-labelledby="category-title">
      <PanelHead id="category-title" title={title} onClose={props.onClose} />
      <Field label={t('admin.category.nameEn')}><input maxLength={200} value={nameEn} onChange={(e) => setNameEn(e.target.value)} aria-invalid={(tried && noName) || undefined} /></Field>
      <Field label={t('admin.category.nameFr')}><input maxLength={200} value={nameFr} onChange={(e) => setNameFr(e.target.value)} aria-invalid={(tried && noName) || undefined} /></Field>
      {tried && noName && <p className="error" role="alert">{t('admin.category.needName')}</p>}
      <Field label={t('admin.category.key')} hint={t('admin.category.keyHint')}>
        <input required maxLength={64} value={key} onChange={(e) => setKey(e.target.value)} />
      </Field>
      <Field label={t('admin.category.position')} hint={t('admin.category.positionHint')}>
        <input type="number" min={0} max={100000} step={1} required value={position} onChange={(e) => setPosition(e.target.value)} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
        {t('admin.category.activeLabel')}
      </label>
      <ErrorNote error={action.error ?? remove.error} />
      {done && <p className="notice" role="status">{t('ticket.saved')}</p>}
      <div className="form-actions">
        <button className="btn btn-primary" disabled={busy}>{action.busy ? t('admin.saving') : c ? t('admin.save') : t('admin.category.create')}</button>
        {c && (
          <button type="button" className="btn btn-danger" disabled={busy} onClick={del}>{t('admin.category.delete')}</button>
        )}
      </div>
    </form>
  );
}

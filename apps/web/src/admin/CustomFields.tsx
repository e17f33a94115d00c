/** Ticket custom fields: define (key and type are fixed once created), relabel, change options, require, deactivate. */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { adminApi, type CustomFieldOut, type CustomFieldType } from './adminApi.ts';
import { ErrorNote, PanelHead, Field, Refused, isRefusal, useAction, useLoad } from './kit.tsx';

const TYPES: CustomFieldType[] = ['text', 'number', 'checkbox', 'date', 'select', 'multiselect'];
const hasOptions = (type: CustomFieldType) => type === 'select' || type === 'multiselect';

export function CustomFieldsScreen() {
  const { t } = useI18n();
  const fields = useLoad(() => adminApi.customFields(), []);
  const [open, setOpen] = useState<CustomFieldOut | 'new' | null>(null);
  if (isRefusal(fields.error)) return <Refused error={fields.error} />;
  const current = open === 'new' ? null : open;
  return (
    <section className="admin-split" aria-labelledby="fields-title">
      <div className="admin-list">
        <header className="admin-head">
          <h2 id="fields-title">{t('admin.customFields')}</h2>
          <button className="btn btn-primary" onClick={() => setOpen('new')}>{t('admin.field.new')}</button>
        </header>
        <ErrorNote error={fields.error} />
        <table className="admin-table">
          <thead><tr><th>{t('admin.field.label')}</th><th>{t('admin.field.key')}</th><th>{t('admin.field.type')}</th><th>{t('admin.user.status')}</th></tr></thead>
          <tbody>
            {fields.data?.map((f) => (
              <tr key={f.id} className={current?.id === f.id ? 'on' : ''}>
                <td><button className="link" onClick={() => setOpen(f)}>{f.label}</button>{f.required && <span className="muted small"> · {t('admin.field.required')}</span>}</td>
                <td><code>{f.key}</code></td>
                <td>{t(`fieldType.${f.type}`)}</td>
                <td>{f.active ? t('admin.field.active') : <span className="badge st-closed">{t('admin.field.inactive')}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {fields.data?.length === 0 && <p className="empty">{t('admin.nothingFound')}</p>}
      </div>
      {open && (
        <FieldForm
          key={current?.id ?? 'new'}
          field={current}
          onSaved={(f) => {
            const list = fields.data ?? [];
            fields.setData(list.some((x) => x.id === f.id) ? list.map((x) => (x.id === f.id ? f : x)) : [...list, f]);
            setOpen(f);
          }}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}

function FieldForm(props: { field: CustomFieldOut | null; onSaved(f: CustomFieldOut): void; onClose(): void }) {
  const { t } = useI18n();
  const f = props.field;
  const [key, setKey] = useState(f?.key ?? '');
  const [label, setLabel] = useState(f?.label ?? '');
  const [type, setType] = useState<CustomFieldType>(f?.type ?? 'text');
  const [options, setOptions] = useState(f?.options.join('\n') ?? '');
  const [required, setRequired] = useState(f?.required ?? false);
  const [active, setActive] = useState(f?.active ?? true);
  const [done, setDone] = useState(false);
  const action = useAction();
  const optionList = options.split('\n').map((o) => o.trim()).filter(Boolean);
  const missingOptions = hasOptions(type) && optionList.length === 0;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (missingOptions) return;
    setDone(false);
    const opts = hasOptions(type) ? optionList : [];
    const next = await action.run(() =>
      f
        ? adminApi.updateCustomField(f.id, { label: label.trim(), required, active, ...(hasOptions(f.type) ? { options: opts } : {}) })
        : adminApi.createCustomField({ key: key.trim(), label: label.trim(), type, options: opts, required }),
    );
    if (next) {
      setDone(true);
      props.onSaved(next);
    }
  }
  return (
    <form className="admin-panel" onSubmit={submit} aria-labelledby="field-title">
      <PanelHead id="field-title" title={f ? f.label : t('admin.field.new')} onClose={props.onClose} />
      <Field label={t('admin.field.label')}><input required value={label} onChange={(e) => setLabel(e.target.value)} /></Field>
      <Field label={t('admin.field.key')} hint={f ? t('admin.field.fixed') : t('admin.field.keyHint')}>
        <input required pattern="[a-z][a-z0-9_]{0,63}" value={key} readOnly={!!f} onChange={(e) => setKey(e.target.value)} />
      </Field>
      <Field label={t('admin.field.type')} hint={f ? t('admin.field.fixed') : undefined}>
        <select value={type} disabled={!!f} onChange={(e) => setType(e.target.value as CustomFieldType)}>
          {TYPES.map((x) => <option key={x} value={x}>{t(`fieldType.${x}`)}</option>)}
        </select>
      </Field>
      {hasOptions(type) && (
        <Field label={t('admin.field.options')} hint={t('admin.field.optionsHint')}>
          <textarea rows={5} value={options} onChange={(e) => setOptions(e.target.value)} aria-invalid={missingOptions || undefined} />
        </Field>
      )}
      {missingOptions && <p className="error" role="alert">{t('admin.field.needOptions')}</p>}
      <label className="check">
        <input type="checkbox" checked={required} onChange={(e) => setRequired(e.target.checked)} />
        {t('admin.field.required')}
      </label>
      {f && (
        <label className="check">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
          {t('admin.field.activeLabel')}
        </label>
      )}
      <ErrorNote error={action.error} />
      {done && <p className="notice" role="status">{t('ticket.saved')}</p>}
      <div className="form-actions">
        <button className="btn btn-primary" disabled={action.busy}>{action.busy ? t('admin.saving') : f ? t('admin.save') : t('admin.field.create')}</button>
      </div>
    </form>
  );
}

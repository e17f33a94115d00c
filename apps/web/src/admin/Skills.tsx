/** Skills the routing weighs: create, rename, describe, delete (which removes every proficiency in it). */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { adminApi, type SkillOut } from './adminApi.ts';
import { ErrorNote, Field, Refused, isRefusal, useAction, useLoad } from './kit.tsx';

export function SkillsScreen() {
  const { t } = useI18n();
  const skills = useLoad(() => adminApi.skills(), []);
  const [name, setName] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const create = useAction();
  if (isRefusal(skills.error)) return <Refused error={skills.error} />;
  const sorted = (list: SkillOut[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));

  async function add(e: React.FormEvent) {
    e.preventDefault();
    const s = await create.run(() => adminApi.createSkill(name.trim()));
    if (s) {
      setName('');
      skills.setData(sorted([...(skills.data ?? []), s]));
    }
  }
  return (
    <section className="admin-body" aria-labelledby="skills-title">
      <header className="admin-head"><h2 id="skills-title">{t('admin.skills')}</h2></header>
      <p className="muted">{t('admin.skill.intro')}</p>
      <form className="admin-inline-form" onSubmit={add}>
        <Field label={t('admin.skill.newName')}><input required value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <button className="btn btn-primary" disabled={create.busy}>{create.busy ? t('admin.saving') : t('admin.skill.create')}</button>
      </form>
      <ErrorNote error={create.error ?? skills.error} />
      <table className="admin-table">
        <thead><tr><th>{t('admin.name')}</th><th>{t('admin.description')}</th><th><span className="sr-only">{t('admin.actions')}</span></th></tr></thead>
        <tbody>
          {skills.data?.map((s) =>
            editing === s.id ? (
              <SkillEdit
                key={s.id}
                skill={s}
                onDone={(next) => {
                  setEditing(null);
                  if (next) skills.setData(sorted((skills.data ?? []).map((x) => (x.id === next.id ? next : x))));
                }}
              />
            ) : (
              <SkillRow key={s.id} skill={s} onEdit={() => setEditing(s.id)} onDeleted={() => skills.setData((skills.data ?? []).filter((x) => x.id !== s.id))} />
            ),
          )}
        </tbody>
      </table>
      {skills.data?.length === 0 && <p className="empty">{t('admin.skill.none')}</p>}
    </section>
  );
}

function SkillRow(props: { skill: SkillOut; onEdit(): void; onDeleted(): void }) {
  const { t } = useI18n();
  const remove = useAction();
  async function del() {
    if (!window.confirm(t('admin.skill.deleteConfirm', { name: props.skill.name }))) return;
    if (await remove.run(() => adminApi.deleteSkill(props.skill.id).then(() => true))) props.onDeleted();
  }
  return (
    <tr>
      <td>{props.skill.name}</td>
      <td className="muted">{props.skill.description}</td>
      <td className="row-actions">
        <button className="btn btn-sm" onClick={props.onEdit} aria-label={t('admin.editNamed', { name: props.skill.name })}>{t('admin.edit')}</button>
        <button className="btn btn-sm btn-danger" disabled={remove.busy} onClick={del} aria-label={t('admin.deleteNamed', { name: props.skill.name })}>{t('admin.delete')}</button>
        <ErrorNote error={remove.error} />
      </td>
    </tr>
  );
}

function SkillEdit(props: { skill: SkillOut; onDone(next: SkillOut | null): void }) {
  const { t } = useI18n();
  const [name, setName] = useState(props.skill.name);
  const [description, setDescription] = useState(props.skill.description ?? '');
  const action = useAction();
  async function save() {
    const next = await action.run(() => adminApi.updateSkill(props.skill.id, { name: name.trim(), description }));
    if (next) props.onDone(next);
  }
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void save();
    }
  };
  return (
    <tr className="on">
      <td><input aria-label={t('admin.name')} required value={name} onChange={(e) => setName(e.target.value)} onKeyDown={onKey} autoFocus /></td>
      <td><input aria-label={t('admin.description')} value={description} onChange={(e) => setDescription(e.target.value)} onKeyDown={onKey} /></td>
      <td className="row-actions">
        <button className="btn btn-sm btn-primary" disabled={action.busy || !name.trim()} onClick={save}>{t('admin.save')}</button>
        <button className="btn btn-sm" onClick={() => props.onDone(null)}>{t('common.cancel')}</button>
        <ErrorNote error={action.error} />
      </td>
    </tr>
  );
}

/**
 * Categories and their sections, for knowledge managers: in the order the help center shows them,
 * moved up and down with buttons (reachable by keyboard, the focus stays on the moved one),
 * created, renamed and described in both languages, a section moved to another category, and
 * deleted (their articles stay, with no category). Every change reloads the area's categories,
 * so the list's filter and the article's category picker show it at once.
 */
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n.ts';
import { Field, FormFoot, ListHead, PanelHead, useAction, useSave } from '../admin/kit.tsx';
import type { CategoryOut } from '@guichet/contracts';
import { knowledgeApi, type CategoryInput } from './knowledgeApi.ts';
import { useKnowledge } from './KnowledgeArea.tsx';
import { categoryName, categoryTree } from './parts.tsx';

type Open = { kind: 'edit'; id: string } | { kind: 'new'; parentId: string | null } | null;
type Direction = 'up' | 'down';

const nextPosition = (siblings: CategoryOut[]) => siblings.reduce((max, c) => Math.max(max, c.position + 1), 0);

export function CategoriesScreen() {
  const { t, locale } = useI18n();
  const { categories, reloadCategories } = useKnowledge();
  const [open, setOpen] = useState<Open>(null);
  const move = useAction();
  // After a move the list is drawn again: the focus goes back to the moved item's button.
  const refocus = useRef<{ id: string; dir: Direction } | null>(null);
  useEffect(() => {
    const r = refocus.current;
    if (!r) return;
    refocus.current = null;
    const button = (dir: Direction) => document.querySelector<HTMLButtonElement>(`[data-move="${r.id}-${dir}"]`);
    const same = button(r.dir);
    (same && !same.disabled ? same : button(r.dir === 'up' ? 'down' : 'up'))?.focus();
  }, [categories]);

  const tree = categoryTree(categories);
  const tops = tree.map((x) => x.category);

  /** Swap one item with its neighbour, then number the siblings 0, 1, 2… (only the changed ones are sent). */
  async function reorder(siblings: CategoryOut[], index: number, dir: Direction) {
    const other = dir === 'up' ? index - 1 : index + 1;
    if (other < 0 || other >= siblings.length) return;
    const next = [...siblings];
    [next[index], next[other]] = [next[other]!, next[index]!];
    const changed = next.flatMap((c, position) => (c.position === position ? [] : [{ id: c.id, position }]));
    refocus.current = { id: siblings[index]!.id, dir };
    await move.run(() => Promise.all(changed.map((c) => knowledgeApi.updateCategory(c.id, { position: c.position }))));
    reloadCategories();
  }

  const editing = open?.kind === 'edit' ? (categories.find((c) => c.id === open.id) ?? null) : null;
  const row = (c: CategoryOut, siblings: CategoryOut[], index: number) => {
    const name = categoryName(c, locale);
    const description = c.descriptions[locale] ?? c.descriptions.en ?? c.descriptions.fr;
    return (
      <div className={editing?.id === c.id ? 'kb-cat-row on' : 'kb-cat-row'}>
        <div className="kb-cat-name">
          <button type="button" className="link" onClick={() => setOpen({ kind: 'edit', id: c.id })}>{name}</button>
          {description && <span className="muted small">{description}</span>}
        </div>
        <div className="kb-cat-tools">
          {(['up', 'down'] as const).map((dir) => (
            <button key={dir} type="button" className="btn btn-sm" data-move={`${c.id}-${dir}`} disabled={move.busy || (dir === 'up' ? index === 0 : index === siblings.length - 1)}
              aria-label={t(dir === 'up' ? 'kb.cat.moveUp' : 'kb.cat.moveDown', { name })} onClick={() => void reorder(siblings, index, dir)}>
              <span aria-hidden="true">{dir === 'up' ? '↑' : '↓'}</span>
            </button>
          ))}
        </div>
      </div>
    );
  };

  return (
    <section className="admin-split" aria-labelledby="kb-cat-title">
      <div className="admin-list">
        <ListHead id="kb-cat-title" title={t('kb.categories')} newLabel={t('kb.cat.new')} onNew={() => setOpen({ kind: 'new', parentId: null })} intro={t('kb.cat.intro')} error={move.error} />
        {tree.length === 0 ? (
          <p className="empty">{t('kb.cat.none')}</p>
        ) : (
          <ol className="kb-cats">
            {tree.map(({ category, sections }, i) => (
              <li key={category.id} className="kb-cat">
                {row(category, tops, i)}
                {sections.length > 0 && (
                  <ol className="kb-sections" aria-label={t('kb.cat.sections', { name: categoryName(category, locale) })}>
                    {sections.map((s, j) => <li key={s.id}>{row(s, sections, j)}</li>)}
                  </ol>
                )}
                <button type="button" className="btn btn-ghost btn-sm kb-add-section" aria-label={t('kb.cat.addSectionTo', { name: categoryName(category, locale) })}
                  onClick={() => setOpen({ kind: 'new', parentId: category.id })}>
                  + {t('kb.cat.addSection')}
                </button>
              </li>
            ))}
          </ol>
        )}
      </div>
      {open && (open.kind === 'new' || editing) && (
        <CategoryForm
          key={open.kind === 'new' ? `new-${open.parentId ?? ''}` : open.id}
          category={editing}
          parentId={open.kind === 'new' ? open.parentId : (editing?.parentId ?? null)}
          categories={categories}
          onSaved={(c) => {
            reloadCategories();
            setOpen({ kind: 'edit', id: c.id });
          }}
          onDeleted={() => {
            reloadCategories();
            setOpen(null);
          }}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}

function CategoryForm(props: {
  category: CategoryOut | null;
  parentId: string | null;
  categories: CategoryOut[];
  onSaved(c: CategoryOut): void;
  onDeleted(): void;
  onClose(): void;
}) {
  const { t, locale } = useI18n();
  const c = props.category;
  const [nameEn, setNameEn] = useState(c?.names.en ?? '');
  const [nameFr, setNameFr] = useState(c?.names.fr ?? '');
  const [descEn, setDescEn] = useState(c?.descriptions.en ?? '');
  const [descFr, setDescFr] = useState(c?.descriptions.fr ?? '');
  const [parentId, setParentId] = useState(props.parentId ?? '');
  const [tried, setTried] = useState(false);
  const save = useSave<CategoryOut>(props.onSaved);
  const section = props.parentId !== null;
  const tops = props.categories.filter((x) => !x.parentId);
  const parent = tops.find((x) => x.id === props.parentId);
  const noName = !nameEn.trim() && !nameFr.trim();
  const title = c ? categoryName(c, locale) : section && parent ? t('kb.cat.newSection', { name: categoryName(parent, locale) }) : t('kb.cat.new');

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setTried(true);
    if (noName) return;
    const body: CategoryInput = {
      names: { ...(nameEn.trim() ? { en: nameEn.trim() } : {}), ...(nameFr.trim() ? { fr: nameFr.trim() } : {}) },
      descriptions: { en: descEn.trim(), fr: descFr.trim() },
    };
    const target = section ? parentId : null;
    // A new item, or a section moved to another category, goes last among its new siblings.
    if (!c || (section && target !== c.parentId)) {
      body.parentId = target;
      body.position = nextPosition(props.categories.filter((x) => x.parentId === target && x.id !== c?.id));
    }
    await save.save(() => (c ? knowledgeApi.updateCategory(c.id, body) : knowledgeApi.createCategory(body)));
  }

  return (
    <form className="admin-panel" onSubmit={submit} aria-labelledby="kb-cat-form-title" noValidate>
      <PanelHead id="kb-cat-form-title" title={title} onClose={props.onClose} />
      <Field label={t('kb.cat.nameEn')}><input maxLength={200} value={nameEn} onChange={(e) => setNameEn(e.target.value)} aria-invalid={(tried && noName) || undefined} /></Field>
      <Field label={t('kb.cat.nameFr')}><input maxLength={200} value={nameFr} onChange={(e) => setNameFr(e.target.value)} aria-invalid={(tried && noName) || undefined} /></Field>
      {tried && noName && <p className="error" role="alert">{t('kb.cat.needName')}</p>}
      <Field label={t('kb.cat.descriptionEn')}><textarea rows={2} maxLength={1000} value={descEn} onChange={(e) => setDescEn(e.target.value)} /></Field>
      <Field label={t('kb.cat.descriptionFr')}><textarea rows={2} maxLength={1000} value={descFr} onChange={(e) => setDescFr(e.target.value)} /></Field>
      {section && (
        <Field label={t('kb.cat.parent')} hint={c ? t('kb.cat.parentHint') : undefined}>
          <select value={parentId} onChange={(e) => setParentId(e.target.value)}>
            {tops.map((x) => <option key={x.id} value={x.id}>{categoryName(x, locale)}</option>)}
          </select>
        </Field>
      )}
      <FormFoot
        save={save}
        createLabel={section ? t('kb.cat.createSection') : t('kb.cat.create')}
        del={c ? {
          label: t('kb.cat.delete'),
          confirm: t(section ? 'kb.cat.deleteSectionConfirm' : 'kb.cat.deleteConfirm', { name: categoryName(c, locale) }),
          run: () => knowledgeApi.deleteCategory(c.id),
          done: props.onDeleted,
        } : null}
      />
    </form>
  );
}

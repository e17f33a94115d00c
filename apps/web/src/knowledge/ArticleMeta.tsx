/**
 * An article's settings, the same fields on the new-article form and on an article's page:
 * category, visibility, tags, owner (a person or a team) and how often it must be verified.
 */
import { useI18n } from '../i18n.ts';
import { useSession } from '../session.ts';
import { Field, splitList } from '../admin/kit.tsx';
import type { ArticleOut, ArticleVisibility } from '@guichet/contracts';
import { useKnowledge } from './KnowledgeArea.tsx';
import { activeStaff, categoryOptions } from './parts.tsx';

export interface MetaValues {
  categoryId: string;
  visibility: ArticleVisibility;
  tags: string;
  /** "", "user:<id>" or "team:<id>". */
  owner: string;
  verifyIntervalDays: string;
}

export function metaOf(a: ArticleOut | null): MetaValues {
  const owner = a?.owner?.userId ? `user:${a.owner.userId}` : a?.owner?.teamId ? `team:${a.owner.teamId}` : '';
  return {
    categoryId: a?.categoryId ?? '',
    visibility: a?.visibility ?? 'internal',
    tags: (a?.tags ?? []).join(', '),
    owner,
    verifyIntervalDays: String(a?.verification?.intervalDays ?? 90),
  };
}

/** The values as the API takes them. */
export function metaBody(m: MetaValues) {
  const [kind, id] = m.owner.split(':');
  return {
    categoryId: m.categoryId || null,
    visibility: m.visibility,
    tags: splitList(m.tags.toLowerCase()),
    ownerUserId: kind === 'user' ? id! : null,
    ownerTeamId: kind === 'team' ? id! : null,
    verifyIntervalDays: Number(m.verifyIntervalDays),
  };
}

export function MetaFields(props: { value: MetaValues; onChange(v: MetaValues): void; disabled?: boolean; creating?: boolean }) {
  const { t, locale } = useI18n();
  const { directory } = useSession();
  const { categories } = useKnowledge();
  const v = props.value;
  const put = (patch: Partial<MetaValues>) => props.onChange({ ...v, ...patch });
  const staff = activeStaff(directory);
  return (
    <fieldset className="bare" disabled={props.disabled}>
      <div className="form-row">
        <Field label={t('kb.category')}>
          <select value={v.categoryId} onChange={(e) => put({ categoryId: e.target.value })}>
            <option value="">{t('kb.noCategory')}</option>
            {categoryOptions(categories, locale).map(([id, label]) => <option key={id} value={id}>{label}</option>)}
          </select>
        </Field>
        <Field label={t('kb.visibility')} hint={t('kb.visibilityHint')}>
          <select value={v.visibility} onChange={(e) => put({ visibility: e.target.value as ArticleVisibility })}>
            <option value="internal">{t('kb.visibility.internal')}</option>
            <option value="public">{t('kb.visibility.public')}</option>
          </select>
        </Field>
      </div>
      <Field label={t('kb.tags')} hint={t('kb.tagsHint')}>
        <input value={v.tags} onChange={(e) => put({ tags: e.target.value })} />
      </Field>
      <div className="form-row">
        <Field label={t('kb.owner')} hint={t('kb.ownerHint')}>
          <select value={v.owner} onChange={(e) => put({ owner: e.target.value })}>
            <option value="">{props.creating ? t('kb.ownerAuthor') : t('kb.noOwner')}</option>
            <optgroup label={t('kb.people')}>
              {staff.map((u) => <option key={u.id} value={`user:${u.id}`}>{u.name}</option>)}
            </optgroup>
            <optgroup label={t('kb.teams')}>
              {directory.teams.map((tm) => <option key={tm.id} value={`team:${tm.id}`}>{tm.name}</option>)}
            </optgroup>
          </select>
        </Field>
        <Field label={t('kb.interval')} hint={t('kb.intervalHint')}>
          <input type="number" min={1} max={3650} step={1} required value={v.verifyIntervalDays} onChange={(e) => put({ verifyIntervalDays: e.target.value })} />
        </Field>
      </div>
    </fieldset>
  );
}

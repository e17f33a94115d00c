import type { CreateCategoryInput, UpdateCategoryInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordEvent } from '../shared/record.ts';
import type { Repositories } from '../store.ts';
import { knowledgeActor } from './articles.ts';
import { requireManager } from './policy.ts';
import type { ArticleCategory } from './types.ts';

/** Two levels: categories, and sections inside a category. Everyone may list them (the help center shows them). */
async function checkParent(tx: Repositories, ctx: Ctx, parentId: string | null | undefined, selfId?: string) {
  if (!parentId) return;
  if (parentId === selfId) throw new AppError('VALIDATION_FAILED', 'A category cannot be its own parent.', { issues: [{ path: ['parentId'], message: 'itself' }] });
  const parent = await tx.knowledge.findCategory(ctx.workspaceId, parentId);
  if (!parent) throw new AppError('ARTICLE_CATEGORY_NOT_FOUND', 'The parent category does not exist.');
  if (parent.parentId) {
    throw new AppError('VALIDATION_FAILED', 'Sections sit inside a category, not inside another section.', { issues: [{ path: ['parentId'], message: 'a section' }] });
  }
  if (selfId && (await tx.knowledge.listCategories(ctx.workspaceId)).some((c) => c.parentId === selfId)) {
    throw new AppError('VALIDATION_FAILED', 'This category has sections; it cannot become a section itself.', { issues: [{ path: ['parentId'], message: 'has sections' }] });
  }
}

export async function createCategory(deps: Deps, ctx: Ctx, input: CreateCategoryInput): Promise<ArticleCategory> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    requireManager(await knowledgeActor(tx, ctx));
    await checkParent(tx, ctx, input.parentId);
    const c = await tx.knowledge.insertCategory({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      parentId: input.parentId,
      names: input.names,
      descriptions: input.descriptions,
      position: input.position,
      createdAt: now,
      updatedAt: now,
    });
    await recordEvent(tx, ctx, now, 'article_category', c.id, 'article_category.created', { names: c.names, parentId: c.parentId });
    return c;
  });
}

export async function updateCategory(deps: Deps, ctx: Ctx, id: string, input: UpdateCategoryInput): Promise<ArticleCategory> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    requireManager(await knowledgeActor(tx, ctx));
    const before = await tx.knowledge.findCategory(ctx.workspaceId, id);
    if (!before) throw new AppError('ARTICLE_CATEGORY_NOT_FOUND', 'Category not found.');
    if (input.parentId !== undefined) await checkParent(tx, ctx, input.parentId, id);
    const c = await tx.knowledge.updateCategory(ctx.workspaceId, id, { ...input, updatedAt: now } as Partial<ArticleCategory>);
    await recordEvent(tx, ctx, now, 'article_category', id, 'article_category.updated', {
      from: { names: before.names, descriptions: before.descriptions, parentId: before.parentId, position: before.position },
      to: input,
    });
    return c;
  });
}

/** Delete a category with its sections; their articles keep no category. */
export async function deleteCategory(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    requireManager(await knowledgeActor(tx, ctx));
    const c = await tx.knowledge.findCategory(ctx.workspaceId, id);
    if (!c) throw new AppError('ARTICLE_CATEGORY_NOT_FOUND', 'Category not found.');
    await tx.knowledge.deleteCategory(ctx.workspaceId, id);
    await recordEvent(tx, ctx, now, 'article_category', id, 'article_category.deleted', { names: c.names });
  });
}

export async function listCategories(deps: Deps, ctx: Ctx): Promise<ArticleCategory[]> {
  return deps.store.knowledge.listCategories(ctx.workspaceId);
}

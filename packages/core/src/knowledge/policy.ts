import type { Actor } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import type { Article } from './types.ts';

/**
 * Who may do what in the knowledge base. Pure functions over the actor, what we know about them
 * (knowledge manager? which teams?) and the article.
 * - Everyone on staff (light agents included) reads every article, writes drafts and proposes edits.
 * - Admins and knowledge managers (users named in knowledge_managers) edit directly, publish,
 *   archive, restore versions, review proposals and manage categories.
 * - The author of a draft edits it until it is published.
 * - The owner of an article (the person, or a member of the owning team) verifies it.
 * - Customers and the public read published public articles, nothing else.
 */
export interface KnowledgeActor {
  actor: Actor;
  manager: boolean;
  teamIds: string[];
}

export const isKnowledgeStaff = (k: KnowledgeActor): boolean => k.actor.role !== 'customer';
export const isKnowledgeManager = (k: KnowledgeActor): boolean => k.actor.role === 'admin' || k.manager;

export function canReadArticle(k: KnowledgeActor, a: Pick<Article, 'status' | 'visibility'>): boolean {
  if (isKnowledgeStaff(k)) return true;
  return a.status === 'published' && a.visibility === 'public';
}

export function canEditArticle(k: KnowledgeActor, a: Pick<Article, 'status' | 'createdBy'>): boolean {
  if (isKnowledgeManager(k)) return true;
  return isKnowledgeStaff(k) && a.status === 'draft' && a.createdBy !== null && a.createdBy === k.actor.userId;
}

export const canProposeEdit = (k: KnowledgeActor): boolean => isKnowledgeStaff(k);

export const canPublish = (k: KnowledgeActor): boolean => isKnowledgeManager(k);

export function canVerify(k: KnowledgeActor, a: Pick<Article, 'ownerUserId' | 'ownerTeamId'>): boolean {
  if (isKnowledgeManager(k)) return true;
  if (!isKnowledgeStaff(k)) return false;
  if (a.ownerUserId && a.ownerUserId === k.actor.userId) return true;
  return a.ownerTeamId !== null && k.teamIds.includes(a.ownerTeamId);
}

export function articlePermissions(k: KnowledgeActor, a: Article) {
  return { edit: canEditArticle(k, a), propose: canProposeEdit(k), publish: canPublish(k), verify: canVerify(k, a) };
}

export function requireStaff(k: KnowledgeActor): void {
  if (!isKnowledgeStaff(k)) throw new AppError('FORBIDDEN', 'Only staff may do this in the knowledge base.');
}

export function requireManager(k: KnowledgeActor): void {
  if (!isKnowledgeManager(k)) {
    throw new AppError('FORBIDDEN', 'Only admins and knowledge managers may do this (publish, archive, restore, review, categories).');
  }
}

import type { ArticleLanguage } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { systemActor } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { decodeCursor, toPage } from '../shared/cursor.ts';
import { recordEvent } from '../shared/record.ts';
import type { Repositories } from '../store.ts';
import { domainOf, enqueueOutbound, formatAddress, textToHtml } from '../email/outbound.ts';
import type { User } from '../people/types.ts';
import { knowledgeActor, loadReadableArticle, publishDueArticles, type ArticleResult } from './articles.ts';
import { canVerify, requireStaff } from './policy.ts';
import type { ArticleView } from './types.ts';
import { verificationOf } from './verification-state.ts';

export const KNOWLEDGE_SWEEP_JOB = 'knowledge.sweep';

/** The owner (or a knowledge manager) confirms the article is still right: who and when are recorded. */
export async function verifyArticle(deps: Deps, ctx: Ctx, id: string, input: { note?: string | undefined }): Promise<ArticleResult> {
  const now = deps.clock.now();
  const access = await deps.store.transaction(async (tx) => {
    const { access } = await loadReadableArticle(tx, ctx, id);
    const article = (await tx.knowledge.lockArticle(ctx.workspaceId, id))!;
    if (!canVerify(access, article)) {
      throw new AppError('FORBIDDEN', 'Only the article\'s owner (the person, or a member of the owning team) and knowledge managers verify it.');
    }
    const before = verificationOf(article, now);
    await tx.knowledge.updateArticle(ctx.workspaceId, id, { verifiedAt: now, verifiedBy: ctx.actor.userId, remindedFor: null }, now);
    await recordEvent(tx, ctx, now, 'article', id, 'article.verified', {
      previousState: before.state,
      previousVerifiedAt: article.verifiedAt?.toISOString() ?? null,
      ...(input.note ? { note: input.note } : {}),
    });
    return access;
  });
  return { view: (await deps.store.knowledge.findArticle(ctx.workspaceId, id))!, access, now };
}

const titleOf = (v: ArticleView, prefer: string = 'en'): string =>
  (v.translations.find((t) => t.language === prefer) ?? v.translations[0])?.title ?? '(untitled)';

/** What is expired or due soon, grouped by owner (person, team, or nobody). */
export async function verificationReport(deps: Deps, ctx: Ctx, q: { state: 'expired' | 'due_soon' | 'all' }) {
  requireStaff(await knowledgeActor(deps.store, ctx));
  const now = deps.clock.now();
  const rows = await deps.store.knowledge.listForVerification(ctx.workspaceId);
  const groups = new Map<string, { owner: { type: 'user' | 'team' | 'none'; id: string | null; name: string | null }; articles: unknown[] }>();
  const totals = { expired: 0, dueSoon: 0 };
  const names = new Map<string, string | null>();
  const nameOf = async (type: 'user' | 'team', id: string) => {
    const key = `${type}:${id}`;
    if (!names.has(key)) {
      const r = type === 'user' ? await deps.store.users.findById(ctx.workspaceId, id) : await deps.store.teams.findById(ctx.workspaceId, id);
      names.set(key, r?.name ?? null);
    }
    return names.get(key)!;
  };
  const items = rows
    .map((v) => ({ v, s: verificationOf(v.article, now) }))
    .filter(({ s }) => s.state !== 'verified' && (q.state === 'all' || q.state === s.state))
    .sort((a, b) => a.s.dueAt.getTime() - b.s.dueAt.getTime());
  for (const { v, s } of items) {
    if (s.state === 'expired') totals.expired++;
    else totals.dueSoon++;
    const a = v.article;
    const owner = a.ownerUserId
      ? { type: 'user' as const, id: a.ownerUserId, name: await nameOf('user', a.ownerUserId) }
      : a.ownerTeamId
        ? { type: 'team' as const, id: a.ownerTeamId, name: await nameOf('team', a.ownerTeamId) }
        : { type: 'none' as const, id: null, name: null };
    const key = `${owner.type}:${owner.id}`;
    if (!groups.has(key)) groups.set(key, { owner, articles: [] });
    groups.get(key)!.articles.push({
      id: a.id,
      title: titleOf(v),
      state: s.state,
      dueAt: s.dueAt.toISOString(),
      verifiedAt: a.verifiedAt?.toISOString() ?? null,
      status: a.status,
    });
  }
  return { generatedAt: now.toISOString(), totals, owners: [...groups.values()] };
}

/** Who hears about an article's verification: its owner, the owning team's members, else the knowledge managers. */
async function recipientsOf(tx: Repositories, workspaceId: string, v: ArticleView): Promise<User[]> {
  let ids: string[] = [];
  if (v.article.ownerUserId) ids = [v.article.ownerUserId];
  else if (v.article.ownerTeamId) ids = (await tx.teams.membersOf(workspaceId, [v.article.ownerTeamId])).map((m) => m.userId);
  if (!ids.length) ids = (await tx.knowledge.listManagers(workspaceId)).map((m) => m.userId);
  const users: User[] = [];
  for (const id of new Set(ids)) {
    const u = await tx.users.findById(workspaceId, id);
    if (u && u.role !== 'customer' && u.status === 'active') users.push(u);
  }
  return users;
}

const REMINDER_TEXT: Record<ArticleLanguage, (p: { name: string; title: string; due: string; expired: boolean }) => { subject: string; text: string }> = {
  en: (p) => ({
    subject: p.expired ? `Verification expired: ${p.title}` : `Please verify: ${p.title}`,
    text: `Hello ${p.name},\n\n${p.expired ? `The article "${p.title}" was due for verification on ${p.due} and is now marked expired.` : `The article "${p.title}" is due for verification on ${p.due}.`}\nPlease check that it is still correct and mark it verified in Guichet (or update it).\n\nGuichet`,
  }),
  fr: (p) => ({
    subject: p.expired ? `Vérification expirée : ${p.title}` : `À vérifier : ${p.title}`,
    text: `Bonjour ${p.name},\n\n${p.expired ? `L'article « ${p.title} » devait être vérifié le ${p.due} ; il est maintenant marqué expiré.` : `L'article « ${p.title} » doit être vérifié d'ici le ${p.due}.`}\nMerci de vérifier qu'il est toujours exact et de le marquer vérifié dans Guichet (ou de le mettre à jour).\n\nGuichet`,
  }),
};

/**
 * Remind owners before an article's verification expires: once per due date, an in-app
 * notification and, when the workspace has an enabled mailbox, an email in the recipient's
 * language through the outbox. Safe to run twice (remindedFor records the due date handled).
 */
export async function sendVerificationReminders(deps: Deps, workspaceId: string): Promise<number> {
  const now = deps.clock.now();
  const ctx: Ctx = { workspaceId, actor: systemActor, requestId: `job:${KNOWLEDGE_SWEEP_JOB}` };
  let sent = 0;
  for (const v of await deps.store.knowledge.listForVerification(workspaceId)) {
    const s = verificationOf(v.article, now);
    if (s.state === 'verified' || v.article.remindedFor?.getTime() === s.dueAt.getTime()) continue;
    sent += await deps.store.transaction(async (tx) => {
      const article = await tx.knowledge.lockArticle(workspaceId, v.article.id);
      if (!article || article.status === 'archived') return 0;
      const fresh = verificationOf(article, now);
      if (fresh.state === 'verified' || article.remindedFor?.getTime() === fresh.dueAt.getTime()) return 0;
      const recipients = await recipientsOf(tx, workspaceId, v);
      const mailbox = (await tx.mailboxes.list(workspaceId)).find((m) => m.enabled) ?? null;
      const workspace = mailbox ? await tx.workspaces.findById(workspaceId) : null;
      for (const u of recipients) {
        const language: ArticleLanguage = u.locale === 'fr' ? 'fr' : 'en';
        const title = titleOf(v, language);
        await tx.knowledge.insertNotification({
          id: deps.ids.uuid(),
          workspaceId,
          userId: u.id,
          kind: fresh.state === 'expired' ? 'article.verification_expired' : 'article.verification_due',
          articleId: article.id,
          data: { title, dueAt: fresh.dueAt.toISOString(), state: fresh.state },
          createdAt: now,
          readAt: null,
        });
        if (!mailbox || !u.email || (await tx.emailFlags.get(workspaceId, u.email.toLowerCase()))) continue;
        const due = fresh.dueAt.toLocaleDateString(language === 'fr' ? 'fr-FR' : 'en-GB', { year: 'numeric', month: 'long', day: 'numeric', timeZone: u.timeZone || 'UTC' });
        const mail = REMINDER_TEXT[language]({ name: u.name, title, due, expired: fresh.state === 'expired' });
        await enqueueOutbound(
          tx,
          {
            id: deps.ids.uuid(),
            workspaceId,
            mailboxId: mailbox.id,
            messageId: null,
            ticketId: null,
            kind: 'notification',
            rfcMessageId: `<${deps.ids.uuid()}@${workspace?.mailDomain ?? domainOf(mailbox.address)}>`,
            fromAddress: formatAddress(mailbox.name, mailbox.address),
            replyTo: null,
            toAddresses: [u.email.toLowerCase()],
            ccAddresses: [],
            subject: mail.subject,
            inReplyTo: null,
            references: [],
            textBody: mail.text,
            htmlBody: textToHtml(mail.text),
            headers: { 'Auto-Submitted': 'auto-generated', 'Content-Language': language, 'X-Guichet-Article': article.id },
            attachmentIds: [],
            createdAt: now,
          },
        );
      }
      await tx.knowledge.updateArticle(workspaceId, article.id, { remindedFor: fresh.dueAt }, now);
      await recordEvent(tx, ctx, now, 'article', article.id, 'article.verification_reminder_sent', {
        state: fresh.state,
        dueAt: fresh.dueAt.toISOString(),
        recipients: recipients.map((u) => u.id),
        email: mailbox !== null,
      });
      return 1;
    });
  }
  return sent;
}

/** The hourly knowledge sweep: overdue scheduled publications, then verification reminders. */
export async function runKnowledgeSweep(deps: Deps): Promise<{ published: number; reminders: number }> {
  const published = await publishDueArticles(deps);
  let reminders = 0;
  for (const ws of await deps.store.knowledge.workspacesWithArticles()) reminders += await sendVerificationReminders(deps, ws);
  return { published, reminders };
}

/** Ask for one sweep per hour, whichever process asks first. */
export async function scheduleKnowledgeSweep(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  await deps.store.jobs.enqueue(
    { type: KNOWLEDGE_SWEEP_JOB, payload: {}, workspaceId: null, dedupeKey: now.toISOString().slice(0, 13), maxAttempts: 3 },
    now,
  );
}

export async function listNotifications(deps: Deps, ctx: Ctx, q: { unread?: boolean | undefined; limit: number; cursor?: string | undefined }) {
  requireStaff(await knowledgeActor(deps.store, ctx));
  const rows = await deps.store.knowledge.listNotifications(ctx.workspaceId, ctx.actor.userId ?? '', {
    limit: q.limit + 1,
    ...(q.unread ? { unread: true } : {}),
    ...(q.cursor ? { after: decodeCursor(q.cursor, 'created_at', 'desc') } : {}),
  });
  return toPage(rows, q.limit, (n) => ({ sort: 'created_at', order: 'desc', value: n.createdAt.toISOString(), id: n.id }));
}

export async function markNotificationRead(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  requireStaff(await knowledgeActor(deps.store, ctx));
  const ok = await deps.store.knowledge.markNotificationRead(ctx.workspaceId, ctx.actor.userId ?? '', id, deps.clock.now());
  if (!ok) throw new AppError('NOTIFICATION_NOT_FOUND', 'Notification not found.');
}

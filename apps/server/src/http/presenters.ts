/**
 * Presenters list exactly which fields leave the server. Anything not named here (password
 * hashes, token hashes, internal ids) never reaches a client.
 */
import type {
  ApiToken,
  CustomField,
  MessageView,
  Organization,
  Skill,
  StaffView,
  StoredAuditEntry,
  StoredEvent,
  TeamView,
  TicketAccess,
  TicketSlaBadge,
  TicketView,
  User,
  Workspace,
} from '@guichet/core';
import type {
  ApiTokenOut,
  AuditEntryOut,
  CustomerOut,
  CustomFieldOut,
  EventOut,
  MessageOut,
  OrganizationOut,
  SkillOut,
  TeamOut,
  TicketOut,
  UserOut,
  WorkspaceOut,
} from '@guichet/contracts';
import type { Actor, SavedView } from '@guichet/core';
import type { SavedViewOut } from '@guichet/contracts';
import { savedViewAccess } from '@guichet/core';
import { macroAccess, type Macro } from '@guichet/core';
import type { MacroOut } from '@guichet/contracts';
import { logoUrlOf } from './html.ts';

const iso = (d: Date) => d.toISOString();
const isoN = (d: Date | null) => (d ? d.toISOString() : null);

export function presentTicket(t: TicketView, access: TicketAccess, sla?: TicketSlaBadge): TicketOut {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    channel: t.channel,
    requester: t.requester,
    organizationId: t.organizationId,
    assigneeId: t.assigneeId,
    teamId: t.teamId,
    tags: t.tags,
    customFields: t.customFields,
    language: t.language,
    version: t.version,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
    solvedAt: isoN(t.solvedAt),
    closedAt: isoN(t.closedAt),
    categoryId: t.categoryId,
    mergedIntoId: t.mergedIntoId ?? null,
    ...(sla ? { sla: { state: sla.state, dueAt: isoN(sla.dueAt) } } : {}),
    permissions: { update: access.update, reply: access.reply, addNote: access.addNote, viewInternal: access.viewInternal },
  };
}

export function presentMessage(m: MessageView | (Omit<MessageView, 'author'> & { author?: MessageView['author'] })): MessageOut {
  return {
    id: m.id,
    ticketId: m.ticketId,
    author: m.author ?? null,
    visibility: m.visibility,
    channel: m.channel,
    body: m.bodyText,
    bodyHtml: m.bodyHtml,
    attachments: m.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.contentType,
      sizeBytes: a.sizeBytes,
      ...(a.sha256 ? { sha256: a.sha256 } : {}),
      inline: a.inline,
    })),
    createdAt: iso(m.createdAt),
  };
}

export function presentEvent(e: StoredEvent): EventOut {
  return {
    id: e.id,
    type: e.type,
    actor: { type: e.actor.type, id: e.actor.id, name: e.actor.type === 'system' ? 'Guichet' : e.actorName },
    data: e.data,
    createdAt: iso(e.createdAt),
  };
}

export function presentUser(v: StaffView): UserOut {
  const u = v.user;
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    status: u.status,
    locale: u.locale,
    timeZone: u.timeZone,
    languages: u.languages,
    capacity: u.capacity,
    skills: v.skills.map((s) => ({ skillId: s.skillId, name: s.name, proficiency: s.proficiency })),
    teamIds: v.teamIds,
    createdAt: iso(u.createdAt),
    lastLoginAt: isoN(u.lastLoginAt),
    emailNotifications: u.emailNotifications ?? false,
  };
}

export function presentCustomer(u: User): CustomerOut {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    phone: u.phone,
    organizationId: u.organizationId,
    locale: u.locale,
    notes: u.notes,
    status: u.status,
    createdAt: iso(u.createdAt),
  };
}

export function presentOrganization(o: Organization): OrganizationOut {
  return { id: o.id, name: o.name, domains: o.domains, notes: o.notes, sharedTickets: o.sharedTickets, createdAt: iso(o.createdAt) };
}

export function presentTeam(v: TeamView): TeamOut {
  return {
    id: v.team.id,
    name: v.team.name,
    description: v.team.description,
    members: v.members.map((m) => ({ userId: m.userId, isLead: m.isLead })),
    createdAt: iso(v.team.createdAt),
  };
}

export function presentSkill(s: Skill): SkillOut {
  return { id: s.id, name: s.name, description: s.description, createdAt: iso(s.createdAt) };
}

export function presentCustomField(f: CustomField): CustomFieldOut {
  return { id: f.id, key: f.key, label: f.label, type: f.type, options: f.options, required: f.required, active: f.active };
}

export function presentAudit(a: StoredAuditEntry): AuditEntryOut {
  return {
    id: a.id,
    action: a.action,
    actor: { id: a.actor.id, name: a.actor.type === 'system' ? 'Guichet' : a.actorName, type: a.actor.type },
    targetType: a.targetType,
    targetId: a.targetId,
    data: a.data,
    ip: a.ip,
    createdAt: iso(a.createdAt),
  };
}

export function presentWorkspace(w: Workspace): WorkspaceOut {
  return { id: w.id, slug: w.slug, name: w.name, mailDomain: w.mailDomain, defaultLanguage: w.defaultLanguage, brandColor: w.brandColor ?? null, logoUrl: logoUrlOf(w), createdAt: iso(w.createdAt) };
}

export function presentApiToken(t: ApiToken): ApiTokenOut {
  return { id: t.id, name: t.name, prefix: t.prefix, createdAt: iso(t.createdAt), lastUsedAt: isoN(t.lastUsedAt), expiresAt: isoN(t.expiresAt) };
}

export function presentSavedView(v: SavedView, actor: Actor): SavedViewOut {
  return {
    id: v.id,
    name: v.name,
    query: v.query,
    shared: v.shared,
    ownerId: v.ownerId,
    createdAt: iso(v.createdAt),
    updatedAt: iso(v.updatedAt),
    permissions: { update: savedViewAccess(actor, v).update },
  };
}

export function presentMacro(m: Macro, actor: Actor): MacroOut {
  return {
    id: m.id,
    title: m.title,
    bodyEn: m.bodyEn,
    bodyFr: m.bodyFr,
    actions: m.actions,
    shared: m.shared,
    ownerId: m.ownerId,
    usageCount: m.usageCount,
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
    permissions: { update: macroAccess(actor, m).update },
  };
}

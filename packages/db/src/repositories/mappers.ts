import type {
  CustomField,
  Organization,
  Skill,
  Team,
  Ticket,
  User,
  Workspace,
} from '@guichet/core';
import type { Selectable } from 'kysely';
import type {
  CustomFieldsTable,
  OrganizationsTable,
  SkillsTable,
  TeamsTable,
  TicketsTable,
  UsersTable,
  WorkspacesTable,
} from '../schema.ts';

/** JSON columns come back parsed from both drivers; guard against a text value anyway. */
export function json<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as T;
    } catch {
      return fallback;
    }
  }
  return v as T;
}

const d = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const dn = (v: Date | string | null): Date | null => (v === null ? null : d(v));

export function toWorkspace(r: Omit<Selectable<WorkspacesTable>, 'config_version'>): Workspace {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    mailDomain: r.mail_domain,
    defaultLanguage: r.default_language,
    brandColor: r.brand_color,
    logoSha256: r.logo_sha256,
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

export function toUser(r: Selectable<UsersTable>): User {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    role: r.role as User['role'],
    email: r.email,
    name: r.name,
    passwordHash: r.password_hash,
    status: r.status as User['status'],
    locale: r.locale,
    timeZone: r.time_zone,
    languages: r.languages ?? [],
    organizationId: r.organization_id,
    phone: r.phone,
    notes: r.notes,
    capacity: r.capacity,
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
    lastLoginAt: dn(r.last_login_at),
    emailNotifications: r.email_notifications,
  };
}

export function toOrganization(r: Selectable<OrganizationsTable>): Organization {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    domains: r.domains ?? [],
    notes: r.notes,
    sharedTickets: r.shared_tickets,
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

export function toTeam(r: Selectable<TeamsTable>): Team {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    description: r.description,
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

export function toSkill(r: Selectable<SkillsTable>): Skill {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    description: r.description,
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

export function toCustomField(r: Selectable<CustomFieldsTable>): CustomField {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    key: r.key,
    label: r.label,
    type: r.type as CustomField['type'],
    options: json<string[]>(r.options, []),
    required: r.required,
    active: r.active,
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

export function toTicket(r: Omit<Selectable<TicketsTable>, 'search_vector'>): Ticket {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    number: Number(r.number),
    subject: r.subject,
    status: r.status as Ticket['status'],
    priority: r.priority as Ticket['priority'],
    channel: r.channel as Ticket['channel'],
    requesterId: r.requester_id,
    organizationId: r.organization_id,
    assigneeId: r.assignee_id,
    teamId: r.team_id,
    tags: r.tags ?? [],
    customFields: json<Record<string, unknown>>(r.custom_fields, {}),
    language: r.language,
    version: r.version,
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
    solvedAt: dn(r.solved_at),
    closedAt: dn(r.closed_at),
    categoryId: r.category_id ?? null,
    mergedIntoId: r.merged_into_id ?? null,
  };
}

/** Map domain patch keys (camelCase) to columns, serializing JSON columns. */
export function toColumns(patch: Record<string, unknown>, jsonKeys: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || k === 'id' || k === 'workspaceId') continue;
    const col = k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
    out[col] = jsonKeys.includes(k) ? JSON.stringify(v) : v;
  }
  return out;
}

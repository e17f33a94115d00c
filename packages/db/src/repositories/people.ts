import { sql, type Kysely, type SqlBool } from 'kysely';
import type {
  CustomField,
  CustomFieldRepository,
  Organization,
  OrganizationRepository,
  PageRequest,
  Skill,
  SkillRepository,
  Team,
  TeamMember,
  TeamRepository,
  User,
  UserRepository,
  UserSkill,
  Workspace,
} from '@guichet/core';
import type { Role } from '@guichet/contracts';
import type { DB } from '../schema.ts';
import { toColumns, toCustomField, toOrganization, toSkill, toTeam, toUser, toWorkspace } from './mappers.ts';
import { Coalescer } from '../coalesce.ts';

/** Escape LIKE wildcards in user text. */
export const likeEscape = (s: string) => s.replace(/[%_\\]/g, '\\$&');

function arrays(cols: Record<string, unknown>, keys: string[]) {
  for (const k of keys) if (k in cols) cols[k] = sql`${cols[k]}::text[]`;
  return cols;
}

export class KyselyUserRepository implements UserRepository {
  /**
   * Outside transactions only: concurrent lookups by address (the requester of every new ticket)
   * share one SELECT (see coalesce.ts).
   */
  private readonly byEmail: Coalescer<{ workspaceId: string; email: string }, User | null> | null;

  constructor(
    private readonly db: Kysely<DB>,
    opts: { coalesce?: boolean } = {},
  ) {
    this.byEmail = opts.coalesce
      ? new Coalescer({
          maxBatch: 100,
          maxInFlight: 2,
          one: (k) => this.findOneByEmail(k.workspaceId, k.email),
          many: (keys) => this.findManyByEmail(keys),
        })
      : null;
  }

  async insert(u: User): Promise<User> {
    const r = await this.db
      .insertInto('users')
      .values({
        id: u.id,
        workspace_id: u.workspaceId,
        role: u.role,
        email: u.email,
        name: u.name,
        password_hash: u.passwordHash,
        status: u.status,
        locale: u.locale,
        time_zone: u.timeZone,
        languages: sql`${u.languages}::text[]` as never,
        organization_id: u.organizationId,
        phone: u.phone,
        notes: u.notes,
        capacity: u.capacity,
        created_at: u.createdAt,
        updated_at: u.updatedAt,
        last_login_at: u.lastLoginAt,
        ...(u.emailNotifications !== undefined ? { email_notifications: u.emailNotifications } : {}),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(r);
  }

  async findById(workspaceId: string, id: string): Promise<User | null> {
    const r = await this.db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async findByIds(workspaceId: string, ids: string[]): Promise<User[]> {
    if (!ids.length) return [];
    return (await this.db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute()).map(toUser);
  }

  async findByEmail(workspaceId: string, email: string): Promise<User | null> {
    if (this.byEmail) return this.byEmail.run({ workspaceId, email: email.toLowerCase() });
    return this.findOneByEmail(workspaceId, email);
  }

  async findByEmails(workspaceId: string, emails: string[]): Promise<Map<string, User>> {
    const wanted = [...new Set(emails.map((e) => e.toLowerCase()))];
    if (!wanted.length) return new Map();
    const rows = await this.db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).where(sql`lower(email)`, 'in', wanted).execute();
    return new Map(rows.map((r) => [r.email!.toLowerCase(), toUser(r)]));
  }

  private async findOneByEmail(workspaceId: string, email: string): Promise<User | null> {
    const r = await this.db
      .selectFrom('users')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where(sql`lower(email)`, '=', email.toLowerCase())
      .executeTakeFirst();
    return r ? toUser(r) : null;
  }

  /** Several addresses at once, each answered like `findOneByEmail` (one row per workspace and address at most: users_email_uq). */
  private async findManyByEmail(keys: { workspaceId: string; email: string }[]): Promise<(User | null)[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .select(sql<string>`lower(email)`.as('email_key'))
      .where('workspace_id', '=', sql<string>`ANY(${[...new Set(keys.map((k) => k.workspaceId))]}::uuid[])`)
      .where(sql`lower(email)`, '=', sql<string>`ANY(${[...new Set(keys.map((k) => k.email))]}::text[])`)
      .execute();
    const found = new Map(rows.map((r) => [`${r.workspace_id} ${r.email_key}`, r]));
    return keys.map((k) => {
      const r = found.get(`${k.workspaceId} ${k.email}`);
      return r ? toUser(r) : null;
    });
  }

  async findLoginCandidates(email: string): Promise<Array<{ user: User; workspace: Workspace }>> {
    const rows = await this.db
      .selectFrom('users as u')
      .innerJoin('workspaces as w', 'w.id', 'u.workspace_id')
      .selectAll('u')
      .select([
        'w.slug as w_slug',
        'w.name as w_name',
        'w.mail_domain as w_mail_domain',
        'w.default_language as w_default_language',
        'w.brand_color as w_brand_color',
        'w.logo_sha256 as w_logo_sha256',
        'w.created_at as w_created_at',
        'w.updated_at as w_updated_at',
      ])
      .where(sql`lower(u.email)`, '=', email.toLowerCase())
      .where('u.password_hash', 'is not', null)
      .where('u.status', '=', 'active')
      .execute();
    return rows.map((r) => ({
      user: toUser(r),
      workspace: toWorkspace({
        id: r.workspace_id,
        slug: r.w_slug,
        name: r.w_name,
        mail_domain: r.w_mail_domain,
        default_language: r.w_default_language,
        settings: {} as never,
        brand_color: r.w_brand_color,
        logo_sha256: r.w_logo_sha256,
        created_at: r.w_created_at,
        updated_at: r.w_updated_at,
      }),
    }));
  }

  async update(workspaceId: string, id: string, patch: Partial<User>): Promise<User> {
    const r = await this.db
      .updateTable('users')
      .set(arrays(toColumns(patch), ['languages']) as never)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(r);
  }

  async list(
    workspaceId: string,
    f: { roles: Role[]; text?: string; teamId?: string; organizationId?: string; status?: User['status'] },
    page: PageRequest,
  ): Promise<User[]> {
    let q = this.db.selectFrom('users as u').selectAll('u').where('u.workspace_id', '=', workspaceId).where('u.role', 'in', f.roles);
    if (f.text) {
      const like = `%${likeEscape(f.text.toLowerCase())}%`;
      q = q.where((eb) => eb.or([eb(sql`lower(u.name)`, 'like', like), eb(sql`lower(u.email)`, 'like', like)]));
    }
    if (f.organizationId) q = q.where('u.organization_id', '=', f.organizationId);
    if (f.status) q = q.where('u.status', '=', f.status);
    if (f.teamId) {
      const teamId = f.teamId;
      q = q.where((eb) =>
        eb.exists(eb.selectFrom('team_members as tm').select('tm.user_id').whereRef('tm.user_id', '=', 'u.id').where('tm.team_id', '=', teamId)),
      );
    }
    if (page.after) q = q.where(sql<SqlBool>`(u.created_at, u.id) < (${new Date(String(page.after.value))}, ${page.after.id})`);
    const rows = await q.orderBy('u.created_at', 'desc').orderBy('u.id', 'desc').limit(page.limit).execute();
    return rows.map(toUser);
  }

  async countByRole(workspaceId: string, role: Role, status?: 'active'): Promise<number> {
    let q = this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('role', '=', role);
    if (status) q = q.where('status', '=', status);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  async skillsOf(workspaceId: string, userIds: string[]): Promise<UserSkill[]> {
    if (!userIds.length) return [];
    const rows = await this.db
      .selectFrom('user_skills as us')
      .innerJoin('skills as s', 's.id', 'us.skill_id')
      .select(['us.user_id', 'us.skill_id', 's.name', 'us.proficiency'])
      .where('us.workspace_id', '=', workspaceId)
      .where('us.user_id', 'in', userIds)
      .orderBy('s.name')
      .execute();
    return rows.map((r) => ({ userId: r.user_id, skillId: r.skill_id, name: r.name, proficiency: r.proficiency }));
  }

  async setSkills(workspaceId: string, userId: string, skills: Array<{ skillId: string; proficiency: number }>): Promise<void> {
    await this.db.deleteFrom('user_skills').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).execute();
    if (skills.length) {
      await this.db
        .insertInto('user_skills')
        .values(skills.map((s) => ({ workspace_id: workspaceId, user_id: userId, skill_id: s.skillId, proficiency: s.proficiency })))
        .execute();
    }
  }

  async teamIdsOf(workspaceId: string, userIds: string[]): Promise<Array<{ userId: string; teamId: string }>> {
    if (!userIds.length) return [];
    const rows = await this.db
      .selectFrom('team_members')
      .select(['user_id', 'team_id'])
      .where('workspace_id', '=', workspaceId)
      .where('user_id', 'in', userIds)
      .execute();
    return rows.map((r) => ({ userId: r.user_id, teamId: r.team_id }));
  }
}

export class KyselyOrganizationRepository implements OrganizationRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(o: Organization): Promise<Organization> {
    const r = await this.db
      .insertInto('organizations')
      .values({
        id: o.id,
        workspace_id: o.workspaceId,
        name: o.name,
        domains: sql`${o.domains}::text[]` as never,
        notes: o.notes,
        shared_tickets: o.sharedTickets,
        created_at: o.createdAt,
        updated_at: o.updatedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toOrganization(r);
  }

  async findById(workspaceId: string, id: string): Promise<Organization | null> {
    const r = await this.db.selectFrom('organizations').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toOrganization(r) : null;
  }

  async findByDomain(workspaceId: string, domain: string): Promise<Organization | null> {
    const r = await this.db
      .selectFrom('organizations')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where(sql<SqlBool>`domains @> ARRAY[${domain.toLowerCase()}]::text[]`)
      .orderBy('created_at')
      .executeTakeFirst();
    return r ? toOrganization(r) : null;
  }

  async update(workspaceId: string, id: string, patch: Partial<Organization>): Promise<Organization> {
    const r = await this.db
      .updateTable('organizations')
      .set(arrays(toColumns(patch), ['domains']) as never)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toOrganization(r);
  }

  // Name-sorted lists: the cursor carries the name as stored and SQL lowercases both sides, since
  // JavaScript and PostgreSQL lowercase some letters differently ("Σ", "İ") and the pages must meet.
  async list(workspaceId: string, f: { text?: string }, page: PageRequest): Promise<Organization[]> {
    let q = this.db.selectFrom('organizations').selectAll().where('workspace_id', '=', workspaceId);
    if (f.text) q = q.where(sql`lower(name)`, 'like', `%${likeEscape(f.text.toLowerCase())}%`);
    if (page.after) q = q.where(sql<SqlBool>`(lower(name), id) > (lower(${String(page.after.value)}), ${page.after.id})`);
    const rows = await q.orderBy(sql`lower(name)`).orderBy('id').limit(page.limit).execute();
    return rows.map(toOrganization);
  }
}

export class KyselyTeamRepository implements TeamRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(t: Team): Promise<Team> {
    const r = await this.db
      .insertInto('teams')
      .values({ id: t.id, workspace_id: t.workspaceId, name: t.name, description: t.description, created_at: t.createdAt, updated_at: t.updatedAt })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toTeam(r);
  }

  async findById(workspaceId: string, id: string): Promise<Team | null> {
    const r = await this.db.selectFrom('teams').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toTeam(r) : null;
  }

  async update(workspaceId: string, id: string, patch: Partial<Team>): Promise<Team> {
    const r = await this.db
      .updateTable('teams')
      .set(toColumns(patch) as never)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toTeam(r);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    await this.db.deleteFrom('teams').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async list(workspaceId: string, page: PageRequest): Promise<Team[]> {
    let q = this.db.selectFrom('teams').selectAll().where('workspace_id', '=', workspaceId);
    if (page.after) q = q.where(sql<SqlBool>`(lower(name), id) > (lower(${String(page.after.value)}), ${page.after.id})`);
    return (await q.orderBy(sql`lower(name)`).orderBy('id').limit(page.limit).execute()).map(toTeam);
  }

  async membersOf(workspaceId: string, teamIds: string[]): Promise<TeamMember[]> {
    if (!teamIds.length) return [];
    const rows = await this.db
      .selectFrom('team_members')
      .select(['team_id', 'user_id', 'is_lead'])
      .where('workspace_id', '=', workspaceId)
      .where('team_id', 'in', teamIds)
      .orderBy('user_id')
      .execute();
    return rows.map((r) => ({ teamId: r.team_id, userId: r.user_id, isLead: r.is_lead }));
  }

  async setMembers(workspaceId: string, teamId: string, members: Array<{ userId: string; isLead: boolean }>): Promise<void> {
    await this.db.deleteFrom('team_members').where('workspace_id', '=', workspaceId).where('team_id', '=', teamId).execute();
    if (members.length) {
      await this.db
        .insertInto('team_members')
        .values(members.map((m) => ({ workspace_id: workspaceId, team_id: teamId, user_id: m.userId, is_lead: m.isLead })))
        .execute();
    }
  }
}

export class KyselySkillRepository implements SkillRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(s: Skill): Promise<Skill> {
    const r = await this.db
      .insertInto('skills')
      .values({ id: s.id, workspace_id: s.workspaceId, name: s.name, description: s.description, created_at: s.createdAt, updated_at: s.updatedAt })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSkill(r);
  }

  async findById(workspaceId: string, id: string): Promise<Skill | null> {
    const r = await this.db.selectFrom('skills').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toSkill(r) : null;
  }

  async findByIds(workspaceId: string, ids: string[]): Promise<Skill[]> {
    if (!ids.length) return [];
    return (await this.db.selectFrom('skills').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute()).map(toSkill);
  }

  async update(workspaceId: string, id: string, patch: Partial<Skill>): Promise<Skill> {
    const r = await this.db
      .updateTable('skills')
      .set(toColumns(patch) as never)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSkill(r);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    await this.db.deleteFrom('skills').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async list(workspaceId: string, page: PageRequest): Promise<Skill[]> {
    let q = this.db.selectFrom('skills').selectAll().where('workspace_id', '=', workspaceId);
    if (page.after) q = q.where(sql<SqlBool>`(lower(name), id) > (lower(${String(page.after.value)}), ${page.after.id})`);
    return (await q.orderBy(sql`lower(name)`).orderBy('id').limit(page.limit).execute()).map(toSkill);
  }
}

export class KyselyCustomFieldRepository implements CustomFieldRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(f: CustomField): Promise<CustomField> {
    const r = await this.db
      .insertInto('custom_fields')
      .values({
        id: f.id,
        workspace_id: f.workspaceId,
        key: f.key,
        label: f.label,
        type: f.type,
        options: JSON.stringify(f.options),
        required: f.required,
        active: f.active,
        created_at: f.createdAt,
        updated_at: f.updatedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCustomField(r);
  }

  async findById(workspaceId: string, id: string): Promise<CustomField | null> {
    const r = await this.db.selectFrom('custom_fields').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toCustomField(r) : null;
  }

  async update(workspaceId: string, id: string, patch: Partial<CustomField>): Promise<CustomField> {
    const r = await this.db
      .updateTable('custom_fields')
      .set(toColumns(patch, ['options']) as never)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCustomField(r);
  }

  async list(workspaceId: string): Promise<CustomField[]> {
    return (await this.db.selectFrom('custom_fields').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute()).map(toCustomField);
  }
}

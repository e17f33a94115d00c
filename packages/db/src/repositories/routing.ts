import { sql, type Kysely } from 'kysely';
import type {
  AgentAvailability,
  CandidateRow,
  RoutingRepository,
  RoutingRule,
  RoutingSettings,
  StoredModel,
  TeamRouting,
  TicketRouting,
  TrainingTicket,
  RoutingInput,
} from '@guichet/core';
import type { DB } from '../schema.ts';
import { json } from './mappers.ts';

type Row = Record<string, unknown>;
const d = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const dn = (v: unknown): Date | null => (v === null || v === undefined ? null : d(v));

function toSettings(r: Row): RoutingSettings {
  return {
    workspaceId: String(r.workspace_id),
    autoAssign: Boolean(r.auto_assign),
    minConfidence: Number(r.min_confidence),
    categoryField: (r.category_field as string | null) ?? null,
    trainingWindowDays: Number(r.training_window_days),
    updatedAt: d(r.updated_at),
  };
}

function toModel(r: Row): StoredModel {
  return {
    id: String(r.id),
    workspaceId: String(r.workspace_id),
    version: Number(r.version),
    status: r.status as StoredModel['status'],
    metrics: json(r.metrics, {}),
    validation: json(r.validation, {}),
    windowFrom: dn(r.window_from),
    windowTo: dn(r.window_to),
    examples: Number(r.examples),
    createdAt: d(r.created_at),
    activatedAt: dn(r.activated_at),
  };
}

function toRule(r: Row): RoutingRule {
  return {
    id: String(r.id),
    workspaceId: String(r.workspace_id),
    name: String(r.name),
    position: Number(r.position),
    enabled: Boolean(r.enabled),
    conditions: json(r.conditions, {}),
    teamId: String(r.team_id),
    priority: (r.priority as RoutingRule['priority']) ?? null,
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

function toTeamRouting(r: Row): TeamRouting {
  return {
    teamId: String(r.team_id),
    workspaceId: String(r.workspace_id),
    mode: r.mode as TeamRouting['mode'],
    skillId: (r.skill_id as string | null) ?? null,
    reassignWhenAway: Boolean(r.reassign_when_away),
    overflowTeamId: (r.overflow_team_id as string | null) ?? null,
    overflowAfterMinutes: r.overflow_after_minutes === null || r.overflow_after_minutes === undefined ? null : Number(r.overflow_after_minutes),
    updatedAt: d(r.updated_at),
  };
}

function toAvailability(r: Row): AgentAvailability {
  return {
    userId: String(r.user_id),
    workspaceId: String(r.workspace_id),
    status: r.status as AgentAvailability['status'],
    outOfOfficeUntil: dn(r.out_of_office_until),
    workingHours: json(r.working_hours, null),
    lastAssignedAt: dn(r.last_assigned_at),
    updatedAt: d(r.updated_at),
  };
}

function toTicketRouting(r: Row): TicketRouting {
  return {
    ticketId: String(r.ticket_id),
    workspaceId: String(r.workspace_id),
    state: r.state as TicketRouting['state'],
    teamId: (r.team_id as string | null) ?? null,
    teamSource: (r.team_source as TicketRouting['teamSource']) ?? null,
    confidence: r.confidence === null || r.confidence === undefined ? null : Number(r.confidence),
    predictions: json(r.predictions, {}),
    assigneeId: (r.assignee_id as string | null) ?? null,
    firstAssigneeId: (r.first_assignee_id as string | null) ?? null,
    ruleId: (r.rule_id as string | null) ?? null,
    modelVersion: r.model_version === null || r.model_version === undefined ? null : Number(r.model_version),
    explanationEn: String(r.explanation_en ?? ''),
    explanationFr: String(r.explanation_fr ?? ''),
    queuedAt: dn(r.queued_at),
    decidedAt: d(r.decided_at),
  };
}

/** Statuses in which a ticket counts against its assignee's capacity. */
const OPEN_STATUSES = ['new', 'open', 'pending', 'on_hold'];

export class KyselyRoutingRepository implements RoutingRepository {
  constructor(private readonly db: Kysely<DB>) {}

  private async rows(q: ReturnType<typeof sql<Row>>): Promise<Row[]> {
    return (await q.execute(this.db)).rows;
  }

  async settings(workspaceId: string): Promise<RoutingSettings | null> {
    const [r] = await this.rows(sql`SELECT * FROM routing_settings WHERE workspace_id = ${workspaceId}`);
    return r ? toSettings(r) : null;
  }

  async saveSettings(s: RoutingSettings): Promise<RoutingSettings> {
    const [r] = await this.rows(sql`
      INSERT INTO routing_settings (workspace_id, auto_assign, min_confidence, category_field, training_window_days, updated_at)
      VALUES (${s.workspaceId}, ${s.autoAssign}, ${s.minConfidence}, ${s.categoryField}, ${s.trainingWindowDays}, ${s.updatedAt})
      ON CONFLICT (workspace_id) DO UPDATE SET auto_assign = EXCLUDED.auto_assign, min_confidence = EXCLUDED.min_confidence,
        category_field = EXCLUDED.category_field, training_window_days = EXCLUDED.training_window_days, updated_at = EXCLUDED.updated_at
      RETURNING *`);
    return toSettings(r!);
  }

  async activeModel(workspaceId: string): Promise<(StoredModel & { model: Uint8Array }) | null> {
    const [r] = await this.rows(sql`SELECT * FROM routing_models WHERE workspace_id = ${workspaceId} AND status = 'active'`);
    return r ? { ...toModel(r), model: new Uint8Array(r.model as Uint8Array) } : null;
  }

  async activeModelVersion(workspaceId: string): Promise<{ id: string; version: number } | null> {
    const [r] = await this.rows(sql`SELECT id, version FROM routing_models WHERE workspace_id = ${workspaceId} AND status = 'active'`);
    return r ? { id: String(r.id), version: Number(r.version) } : null;
  }

  async insertModel(m: StoredModel & { model: Uint8Array }): Promise<void> {
    await sql`
      INSERT INTO routing_models (id, workspace_id, version, status, model, metrics, validation, window_from, window_to, examples, created_at, activated_at)
      VALUES (${m.id}, ${m.workspaceId}, ${m.version}, ${m.status}, ${Buffer.from(m.model.buffer, m.model.byteOffset, m.model.byteLength)},
        ${JSON.stringify(m.metrics)}::jsonb, ${JSON.stringify(m.validation)}::jsonb, ${m.windowFrom}, ${m.windowTo}, ${m.examples}, ${m.createdAt}, ${m.activatedAt})`.execute(this.db);
  }

  async activateModel(workspaceId: string, id: string, at: Date): Promise<void> {
    await sql`UPDATE routing_models SET status = 'retired' WHERE workspace_id = ${workspaceId} AND status = 'active' AND id <> ${id}`.execute(this.db);
    await sql`UPDATE routing_models SET status = 'active', activated_at = ${at} WHERE workspace_id = ${workspaceId} AND id = ${id}`.execute(this.db);
  }

  async listModels(workspaceId: string, limit: number): Promise<StoredModel[]> {
    const rows = await this.rows(sql`
      SELECT id, workspace_id, version, status, metrics, validation, window_from, window_to, examples, created_at, activated_at
      FROM routing_models WHERE workspace_id = ${workspaceId} ORDER BY version DESC LIMIT ${limit}`);
    return rows.map(toModel);
  }

  async nextModelVersion(workspaceId: string): Promise<number> {
    const [r] = await this.rows(sql`SELECT coalesce(max(version), 0) + 1 AS v FROM routing_models WHERE workspace_id = ${workspaceId}`);
    return Number(r!.v);
  }

  async rules(workspaceId: string): Promise<RoutingRule[]> {
    return (await this.rows(sql`SELECT * FROM routing_rules WHERE workspace_id = ${workspaceId} ORDER BY position, created_at, id`)).map(toRule);
  }

  async findRule(workspaceId: string, id: string): Promise<RoutingRule | null> {
    const [r] = await this.rows(sql`SELECT * FROM routing_rules WHERE workspace_id = ${workspaceId} AND id = ${id}`);
    return r ? toRule(r) : null;
  }

  async insertRule(r: RoutingRule): Promise<RoutingRule> {
    const [row] = await this.rows(sql`
      INSERT INTO routing_rules (id, workspace_id, name, position, enabled, conditions, team_id, priority, created_at, updated_at)
      VALUES (${r.id}, ${r.workspaceId}, ${r.name}, ${r.position}, ${r.enabled}, ${JSON.stringify(r.conditions)}::jsonb, ${r.teamId}, ${r.priority}, ${r.createdAt}, ${r.updatedAt})
      RETURNING *`);
    return toRule(row!);
  }

  async updateRule(workspaceId: string, id: string, p: Partial<RoutingRule>): Promise<RoutingRule> {
    const [row] = await this.rows(sql`
      UPDATE routing_rules SET
        name = coalesce(${p.name ?? null}, name),
        position = coalesce(${p.position ?? null}::integer, position),
        enabled = coalesce(${p.enabled ?? null}::boolean, enabled),
        conditions = coalesce(${p.conditions ? JSON.stringify(p.conditions) : null}::jsonb, conditions),
        team_id = coalesce(${p.teamId ?? null}::uuid, team_id),
        priority = CASE WHEN ${'priority' in p} THEN ${p.priority ?? null} ELSE priority END,
        updated_at = ${p.updatedAt ?? new Date()}
      WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING *`);
    return toRule(row!);
  }

  async deleteRule(workspaceId: string, id: string): Promise<void> {
    await sql`DELETE FROM routing_rules WHERE workspace_id = ${workspaceId} AND id = ${id}`.execute(this.db);
  }

  async teamRouting(workspaceId: string, teamId: string): Promise<TeamRouting | null> {
    const [r] = await this.rows(sql`SELECT * FROM team_routing WHERE workspace_id = ${workspaceId} AND team_id = ${teamId}`);
    return r ? toTeamRouting(r) : null;
  }

  async saveTeamRouting(t: TeamRouting): Promise<TeamRouting> {
    const [r] = await this.rows(sql`
      INSERT INTO team_routing (team_id, workspace_id, mode, skill_id, reassign_when_away, overflow_team_id, overflow_after_minutes, updated_at)
      VALUES (${t.teamId}, ${t.workspaceId}, ${t.mode}, ${t.skillId}, ${t.reassignWhenAway}, ${t.overflowTeamId}, ${t.overflowAfterMinutes}, ${t.updatedAt})
      ON CONFLICT (team_id) DO UPDATE SET mode = EXCLUDED.mode, skill_id = EXCLUDED.skill_id, reassign_when_away = EXCLUDED.reassign_when_away,
        overflow_team_id = EXCLUDED.overflow_team_id, overflow_after_minutes = EXCLUDED.overflow_after_minutes, updated_at = EXCLUDED.updated_at
      WHERE team_routing.workspace_id = EXCLUDED.workspace_id
      RETURNING *`);
    return toTeamRouting(r!);
  }

  async availability(workspaceId: string, userId: string): Promise<AgentAvailability | null> {
    const [r] = await this.rows(sql`SELECT * FROM agent_availability WHERE workspace_id = ${workspaceId} AND user_id = ${userId}`);
    return r ? toAvailability(r) : null;
  }

  async saveAvailability(a: AgentAvailability): Promise<AgentAvailability> {
    const [r] = await this.rows(sql`
      INSERT INTO agent_availability (user_id, workspace_id, status, out_of_office_until, working_hours, last_assigned_at, updated_at)
      VALUES (${a.userId}, ${a.workspaceId}, ${a.status}, ${a.outOfOfficeUntil}, ${a.workingHours ? JSON.stringify(a.workingHours) : null}::jsonb, ${a.lastAssignedAt}, ${a.updatedAt})
      ON CONFLICT (user_id) DO UPDATE SET status = EXCLUDED.status, out_of_office_until = EXCLUDED.out_of_office_until,
        working_hours = EXCLUDED.working_hours, updated_at = EXCLUDED.updated_at
      WHERE agent_availability.workspace_id = EXCLUDED.workspace_id
      RETURNING *`);
    return toAvailability(r!);
  }

  async lockCandidates(workspaceId: string, teamId: string, skillId: string | null, similar: { since: Date }, now: Date): Promise<CandidateRow[]> {
    const lock = () =>
      this.rows(sql`
        SELECT a.user_id, a.status, a.out_of_office_until, a.working_hours, a.last_assigned_at,
          (SELECT count(*) FROM team_members m WHERE m.workspace_id = ${workspaceId} AND m.team_id = ${teamId}) AS members
        FROM agent_availability a JOIN team_members tm ON tm.user_id = a.user_id AND tm.team_id = ${teamId}
        WHERE a.workspace_id = ${workspaceId}
        ORDER BY a.user_id
        FOR UPDATE OF a`);
    let locked = await lock();
    // Every member gets an availability row (online by default) so there is always a row to lock;
    // written only when a member has none yet (a statement less per decision otherwise).
    if (locked.length === 0 || locked.length < Number(locked[0]!.members)) {
      await sql`
        INSERT INTO agent_availability (user_id, workspace_id, updated_at)
        SELECT tm.user_id, ${workspaceId}, ${now} FROM team_members tm
        WHERE tm.workspace_id = ${workspaceId} AND tm.team_id = ${teamId}
        ON CONFLICT (user_id) DO NOTHING`.execute(this.db);
      locked = await lock();
    }
    if (!locked.length) return [];
    const ids = locked.map((r) => String(r.user_id));
    // Counted after the locks: every assignment committed before we got them is seen.
    const rows = await this.rows(sql`
      SELECT u.id, u.name, u.role, u.languages, u.capacity, u.status AS account_status, u.time_zone,
        (SELECT count(*) FROM tickets t WHERE t.workspace_id = ${workspaceId} AND t.assignee_id = u.id AND t.status = ANY(${OPEN_STATUSES}::text[])) AS open,
        (SELECT us.proficiency FROM user_skills us WHERE us.user_id = u.id AND us.skill_id = ${skillId}::uuid) AS proficiency,
        (SELECT count(*) FROM tickets t WHERE t.workspace_id = ${workspaceId} AND t.assignee_id = u.id AND t.team_id = ${teamId}
           AND t.status IN ('solved', 'closed') AND t.solved_at >= ${similar.since} AND t.merged_into_id IS NULL) AS solved_similar
      FROM users u WHERE u.workspace_id = ${workspaceId} AND u.id = ANY(${ids}::uuid[])`);
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    const out: CandidateRow[] = [];
    for (const l of locked) {
      const u = byId.get(String(l.user_id));
      if (!u || u.account_status !== 'active' || (u.role !== 'agent' && u.role !== 'admin')) continue;
      out.push({
        userId: String(u.id),
        name: String(u.name),
        role: String(u.role),
        languages: (u.languages as string[]) ?? [],
        capacity: u.capacity === null || u.capacity === undefined ? null : Number(u.capacity),
        status: l.status as CandidateRow['status'],
        outOfOfficeUntil: dn(l.out_of_office_until),
        workingHours: json(l.working_hours, null),
        timeZone: String(u.time_zone ?? 'UTC'),
        lastAssignedAt: dn(l.last_assigned_at),
        open: Number(u.open),
        proficiency: u.proficiency === null || u.proficiency === undefined ? null : Number(u.proficiency),
        solvedSimilar: Number(u.solved_similar),
      });
    }
    return out;
  }

  async markAssigned(workspaceId: string, userId: string, at: Date): Promise<void> {
    await sql`UPDATE agent_availability SET last_assigned_at = ${at} WHERE workspace_id = ${workspaceId} AND user_id = ${userId}`.execute(this.db);
  }

  async routingInput(workspaceId: string, ticketId: string, requesterId: string): Promise<RoutingInput> {
    const [r] = await this.rows(sql`
      SELECT (SELECT row_to_json(tr) FROM ticket_routing tr WHERE tr.workspace_id = ${workspaceId} AND tr.ticket_id = ${ticketId}) AS before,
        (SELECT m.body_text FROM messages m WHERE m.workspace_id = ${workspaceId} AND m.ticket_id = ${ticketId} ORDER BY m.created_at, m.id LIMIT 1) AS first_body,
        (SELECT u.email FROM users u WHERE u.workspace_id = ${workspaceId} AND u.id = ${requesterId}) AS requester_email`);
    const before = json<Row | null>(r?.before, null);
    return {
      before: before ? toTicketRouting(before) : null,
      firstBody: (r?.first_body as string | null) ?? null,
      requesterEmail: (r?.requester_email as string | null) ?? null,
    };
  }

  async findTicketRouting(workspaceId: string, ticketId: string): Promise<TicketRouting | null> {
    const [r] = await this.rows(sql`SELECT * FROM ticket_routing WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId}`);
    return r ? toTicketRouting(r) : null;
  }

  async saveTicketRouting(t: TicketRouting): Promise<void> {
    await sql`
      INSERT INTO ticket_routing (ticket_id, workspace_id, state, team_id, team_source, confidence, predictions, assignee_id, first_assignee_id,
        rule_id, model_version, explanation_en, explanation_fr, queued_at, decided_at)
      VALUES (${t.ticketId}, ${t.workspaceId}, ${t.state}, ${t.teamId}, ${t.teamSource}, ${t.confidence}, ${JSON.stringify(t.predictions)}::jsonb,
        ${t.assigneeId}, ${t.firstAssigneeId}, ${t.ruleId}, ${t.modelVersion}, ${t.explanationEn}, ${t.explanationFr}, ${t.queuedAt}, ${t.decidedAt})
      ON CONFLICT (ticket_id) DO UPDATE SET state = EXCLUDED.state, team_id = EXCLUDED.team_id, team_source = EXCLUDED.team_source,
        confidence = EXCLUDED.confidence, predictions = EXCLUDED.predictions, assignee_id = EXCLUDED.assignee_id,
        first_assignee_id = coalesce(ticket_routing.first_assignee_id, EXCLUDED.first_assignee_id), rule_id = EXCLUDED.rule_id,
        model_version = EXCLUDED.model_version, explanation_en = EXCLUDED.explanation_en, explanation_fr = EXCLUDED.explanation_fr,
        queued_at = EXCLUDED.queued_at, decided_at = EXCLUDED.decided_at
      WHERE ticket_routing.workspace_id = EXCLUDED.workspace_id`.execute(this.db);
  }

  async queued(workspaceId: string, teamId: string, limit: number): Promise<TicketRouting[]> {
    const rows = await this.rows(sql`
      SELECT * FROM ticket_routing WHERE workspace_id = ${workspaceId} AND team_id = ${teamId} AND state = 'queued'
      ORDER BY queued_at, ticket_id LIMIT ${limit}`);
    return rows.map(toTicketRouting);
  }

  async teamsWithQueue(workspaceId: string): Promise<string[]> {
    const rows = await this.rows(sql`SELECT DISTINCT team_id FROM ticket_routing WHERE workspace_id = ${workspaceId} AND state = 'queued' AND team_id IS NOT NULL`);
    return rows.map((r) => String(r.team_id));
  }

  async triageQueue(workspaceId: string, limit: number, before?: Date): Promise<TicketRouting[]> {
    const rows = await this.rows(sql`
      SELECT * FROM ticket_routing WHERE workspace_id = ${workspaceId} AND state = 'triage'
        AND (${before ?? null}::timestamptz IS NULL OR decided_at < ${before ?? null}::timestamptz)
      ORDER BY decided_at DESC, ticket_id LIMIT ${limit}`);
    return rows.map(toTicketRouting);
  }

  async workspacesWithQueue(): Promise<string[]> {
    return (await this.rows(sql`SELECT DISTINCT workspace_id FROM ticket_routing WHERE state = 'queued'`)).map((r) => String(r.workspace_id));
  }

  async workspacesWithRouting(): Promise<string[]> {
    return (await this.rows(sql`SELECT workspace_id FROM routing_settings`)).map((r) => String(r.workspace_id));
  }

  async trainingTickets(workspaceId: string, since: Date, categoryField: string | null, limit: number): Promise<TrainingTicket[]> {
    const rows = await this.rows(sql`
      SELECT t.id, t.created_at, t.subject, t.team_id, t.priority, t.assignee_id,
        CASE WHEN ${categoryField}::text IS NULL THEN NULL ELSE t.custom_fields ->> ${categoryField ?? ''} END AS category,
        (SELECT left(m.body_text, 4000) FROM messages m WHERE m.ticket_id = t.id ORDER BY m.created_at, m.id LIMIT 1) AS body,
        r.first_assignee_id,
        EXISTS (SELECT 1 FROM events e WHERE e.workspace_id = t.workspace_id AND e.subject_type = 'ticket' AND e.subject_id = t.id
          AND e.type = 'ticket.updated' AND e.data -> 'changes' -> 'status' ->> 'from' IN ('solved', 'closed')) AS reopened
      FROM tickets t LEFT JOIN ticket_routing r ON r.ticket_id = t.id
      WHERE t.workspace_id = ${workspaceId} AND t.status IN ('solved', 'closed') AND t.created_at >= ${since}
        -- A merged ticket was closed by the merge, not solved: its conversation and outcome are the kept ticket's.
        AND t.merged_into_id IS NULL
      ORDER BY t.created_at, t.id LIMIT ${limit}`);
    return rows.map((r) => ({
      id: String(r.id),
      createdAt: d(r.created_at),
      subject: String(r.subject),
      body: String(r.body ?? ''),
      teamId: (r.team_id as string | null) ?? null,
      priority: r.priority as TrainingTicket['priority'],
      category: (r.category as string | null) ?? null,
      assigneeId: (r.assignee_id as string | null) ?? null,
      firstAssigneeId: (r.first_assignee_id as string | null) ?? null,
      reopened: Boolean(r.reopened),
    }));
  }
}

/**
 * The admin screens' calls: the same typed `request` as the rest of the app, with the bodies typed
 * by `@guichet/contracts` (types only). The server checks every permission; these never guess.
 */
import type {
  ApiTokenOut,
  AutomationOut,
  BusinessCalendarOut,
  Channel,
  CreateAutomationInput,
  CreateBusinessCalendarInput,
  CreateSlaPolicyInput,
  CreateTriggerInput,
  CreateWebhookInput,
  CreatedWebhookOut,
  DryRunTriggerOut,
  Holiday,
  ImportHolidaysOut,
  Period,
  SlaConditions,
  SlaPolicyOut,
  SlaTargetKind,
  SlaWarning,
  SpecialDay,
  TriggerAction,
  TriggerCondition,
  TriggerEventName,
  TriggerOut,
  UpdateAutomationInput,
  UpdateBusinessCalendarInput,
  UpdateSlaPolicyInput,
  UpdateTriggerInput,
  UpdateWebhookInput,
  WebhookDeliveryOut,
  WebhookOut,
  WeeklySchedule,
  AuditEntryOut,
  AvailabilityOut,
  CreateUserInput,
  CreateMacroInput,
  CreateTicketCategoryInput,
  CreatedApiTokenOut,
  CustomFieldOut,
  CustomFieldType,
  CustomerOut,
  MacroActions,
  MacroOut,
  OrganizationOut,
  Page,
  RoutingMode,
  RoutingModelOut,
  RoutingRuleOut,
  RoutingSettingsOut,
  CreateRoutingRuleInput,
  UpdateRoutingSettingsInput,
  TicketRoutingOut,
  SetUserSkillsInput,
  SkillOut,
  StaffRole,
  TeamOut,
  TeamRoutingOut,
  TicketCategoryOut,
  TicketPriority,
  TicketStatus,
  UpdateAvailabilityInput,
  UpdateCustomFieldInput,
  UpdateCustomerInput,
  UpdateMacroInput,
  UpdateOrganizationInput,
  UpdateTeamRoutingInput,
  UpdateTicketCategoryInput,
  UpdateUserInput,
  UpdateWorkspaceInput,
  UserOut,
  UserStatus,
  WorkspaceOut,
} from '@guichet/contracts';
import { allPages, queryString, request } from '../api.ts';

export type {
  ApiTokenOut,
  AutomationOut,
  BusinessCalendarOut,
  Channel,
  CreatedWebhookOut,
  DryRunTriggerOut,
  Holiday,
  Period,
  SlaConditions,
  SlaPolicyOut,
  SlaTargetKind,
  SlaWarning,
  SpecialDay,
  TriggerAction,
  TriggerCondition,
  TriggerEventName,
  TriggerOut,
  WebhookDeliveryOut,
  WebhookOut,
  WeeklySchedule,
  AuditEntryOut,
  AvailabilityOut,
  CreatedApiTokenOut,
  CustomFieldOut,
  CustomFieldType,
  CustomerOut,
  MacroActions,
  MacroOut,
  OrganizationOut,
  Page,
  RoutingMode as RoutingModeName,
  RoutingModelOut,
  RoutingRuleOut,
  TicketRoutingOut,
  SkillOut,
  StaffRole,
  TeamOut,
  TeamRoutingOut,
  TicketCategoryOut,
  TicketPriority,
  TicketStatus,
  UserOut,
  UserStatus,
  WorkspaceOut,
};

/** What a creation form sends: the contract's fields, those with a server default left optional. */
export type NewUser = Pick<CreateUserInput, 'email' | 'name'> & Partial<Omit<CreateUserInput, 'email' | 'name'>>;
export interface NewCustomField {
  key: string;
  label: string;
  type: CustomFieldType;
  options: string[];
  required: boolean;
}
export interface NewOrganization {
  name: string;
  domains: string[];
  notes?: string;
  sharedTickets: boolean;
}

/** A macro as the admin form sends it (the contract's input before its defaults apply). */
export type NewMacro = Pick<CreateMacroInput, 'title' | 'bodyEn' | 'bodyFr' | 'actions' | 'shared'>;
export type NewTicketCategory = Pick<CreateTicketCategoryInput, 'key' | 'names' | 'position' | 'active'>;

/** What the SLA, trigger, automation and webhook forms send (the contracts' inputs, defaults filled in by the form). */
export type NewBusinessCalendar = CreateBusinessCalendarInput;
export type NewSlaPolicy = Omit<CreateSlaPolicyInput, 'position'>;
export type NewTrigger = Omit<CreateTriggerInput, 'position'>;
export type NewAutomation = Omit<CreateAutomationInput, 'position'>;
export type NewWebhook = CreateWebhookInput;

const PAGE = 50;
export const ROLES: StaffRole[] = ['admin', 'agent', 'light_agent'];

export const adminApi = {
  users: (q: { q?: string; role?: StaffRole | ''; status?: UserStatus | '' }, cursor: string | null) =>
    request<Page<UserOut>>('GET', `/users${queryString({ ...q, limit: PAGE, cursor })}`),
  createUser: (body: NewUser) => request<UserOut>('POST', '/users', body),
  updateUser: (id: string, patch: UpdateUserInput) => request<UserOut>('PATCH', `/users/${id}`, patch),
  setUserSkills: (id: string, body: SetUserSkillsInput) => request<UserOut>('PUT', `/users/${id}/skills`, body),
  availability: (id: string) => request<AvailabilityOut>('GET', `/users/${id}/availability`),
  setAvailability: (id: string, body: UpdateAvailabilityInput) => request<AvailabilityOut>('PUT', `/users/${id}/availability`, body),
  /** The password-reset mail, used as an invitation: the new person chooses their own password. */
  sendPasswordLink: (email: string, workspace: string) =>
    request<void>('POST', '/auth/password-reset', { email, workspace }, { quiet401: true }),

  allUsers: () => allPages<UserOut>('/users'),
  teams: () => allPages<TeamOut>('/teams'),
  createTeam: (name: string, description?: string) => request<TeamOut>('POST', '/teams', { name, ...(description ? { description } : {}) }),
  updateTeam: (id: string, patch: { name?: string; description?: string }) => request<TeamOut>('PATCH', `/teams/${id}`, patch),
  deleteTeam: (id: string) => request<void>('DELETE', `/teams/${id}`),
  setTeamMembers: (id: string, members: Array<{ userId: string; isLead: boolean }>) =>
    request<TeamOut>('PUT', `/teams/${id}/members`, { members }),
  routingSettings: () => request<RoutingSettingsOut>('GET', '/routing/settings'),
  updateRoutingSettings: (patch: UpdateRoutingSettingsInput) => request<RoutingSettingsOut>('PATCH', '/routing/settings', patch),
  routingModels: () => request<{ items: RoutingModelOut[] }>('GET', '/routing/models').then((r) => r.items),
  trainRoutingModel: () => request<{ jobId: number | null; status: 'queued' }>('POST', '/routing/models/train', {}),
  routingRules: () => request<{ items: RoutingRuleOut[] }>('GET', '/routing/rules').then((r) => r.items),
  createRoutingRule: (body: CreateRoutingRuleInput) => request<RoutingRuleOut>('POST', '/routing/rules', body),
  deleteRoutingRule: (id: string) => request<void>('DELETE', `/routing/rules/${id}`),
  triageQueue: (lang: string) => request<{ items: TicketRoutingOut[] }>('GET', `/routing/triage${queryString({ lang, limit: 50 })}`),
  decideTriage: (ticketId: string, teamId: string) => request<TicketRoutingOut>('POST', `/tickets/${ticketId}/routing/decision`, { teamId }),
  teamRouting: (id: string) => request<TeamRoutingOut>('GET', `/teams/${id}/routing`),
  setTeamRouting: (id: string, body: UpdateTeamRoutingInput) => request<TeamRoutingOut>('PUT', `/teams/${id}/routing`, body),

  skills: () => allPages<SkillOut>('/skills'),
  createSkill: (name: string, description?: string) => request<SkillOut>('POST', '/skills', { name, ...(description ? { description } : {}) }),
  updateSkill: (id: string, patch: { name?: string; description?: string }) => request<SkillOut>('PATCH', `/skills/${id}`, patch),
  deleteSkill: (id: string) => request<void>('DELETE', `/skills/${id}`),

  customers: (q: { q?: string; organizationId?: string }, cursor: string | null) =>
    request<Page<CustomerOut>>('GET', `/customers${queryString({ ...q, limit: PAGE, cursor })}`),
  updateCustomer: (id: string, patch: UpdateCustomerInput) => request<CustomerOut>('PATCH', `/customers/${id}`, patch),
  organizations: (q: { q?: string }, cursor: string | null) =>
    request<Page<OrganizationOut>>('GET', `/organizations${queryString({ ...q, limit: PAGE, cursor })}`),
  allOrganizations: () => allPages<OrganizationOut>('/organizations'),
  createOrganization: (body: NewOrganization) => request<OrganizationOut>('POST', '/organizations', body),
  updateOrganization: (id: string, patch: UpdateOrganizationInput) => request<OrganizationOut>('PATCH', `/organizations/${id}`, patch),

  customFields: () => request<{ items: CustomFieldOut[] }>('GET', '/custom-fields').then((r) => r.items),
  createCustomField: (body: NewCustomField) => request<CustomFieldOut>('POST', '/custom-fields', body),
  updateCustomField: (id: string, patch: UpdateCustomFieldInput) => request<CustomFieldOut>('PATCH', `/custom-fields/${id}`, patch),

  apiTokens: () => request<{ items: ApiTokenOut[] }>('GET', '/api-tokens').then((r) => r.items),
  createApiToken: (name: string, expiresInDays?: number) =>
    request<CreatedApiTokenOut>('POST', '/api-tokens', { name, ...(expiresInDays ? { expiresInDays } : {}) }),
  revokeApiToken: (id: string) => request<void>('DELETE', `/api-tokens/${id}`),

  auditLog: (q: { action?: string; actorId?: string }, cursor: string | null) =>
    request<Page<AuditEntryOut>>('GET', `/audit-log${queryString({ ...q, limit: PAGE, cursor })}`),

  macros: () => request<{ items: MacroOut[] }>('GET', '/macros').then((r) => r.items),
  createMacro: (body: NewMacro) => request<MacroOut>('POST', '/macros', body),
  updateMacro: (id: string, patch: UpdateMacroInput) => request<MacroOut>('PATCH', `/macros/${id}`, patch),
  deleteMacro: (id: string) => request<void>('DELETE', `/macros/${id}`),

  ticketCategories: () =>
    request<{ items: TicketCategoryOut[] }>('GET', `/ticket-categories${queryString({ includeInactive: 'true' })}`).then((r) => r.items),
  createTicketCategory: (body: NewTicketCategory) => request<TicketCategoryOut>('POST', '/ticket-categories', body),
  updateTicketCategory: (id: string, patch: UpdateTicketCategoryInput) => request<TicketCategoryOut>('PATCH', `/ticket-categories/${id}`, patch),
  deleteTicketCategory: (id: string) => request<void>('DELETE', `/ticket-categories/${id}`),

  calendars: () => request<{ items: BusinessCalendarOut[] }>('GET', '/business-calendars').then((r) => r.items),
  createCalendar: (body: NewBusinessCalendar) => request<BusinessCalendarOut>('POST', '/business-calendars', body),
  updateCalendar: (id: string, patch: UpdateBusinessCalendarInput) => request<BusinessCalendarOut>('PATCH', `/business-calendars/${id}`, patch),
  deleteCalendar: (id: string) => request<void>('DELETE', `/business-calendars/${id}`),
  importHolidays: (id: string, ical: string, mode: 'merge' | 'replace') =>
    request<ImportHolidaysOut>('POST', `/business-calendars/${id}/holidays/import`, { ical, mode }),

  slaPolicies: () => request<{ items: SlaPolicyOut[] }>('GET', '/sla-policies').then((r) => r.items),
  createSlaPolicy: (body: NewSlaPolicy) => request<SlaPolicyOut>('POST', '/sla-policies', body),
  updateSlaPolicy: (id: string, patch: UpdateSlaPolicyInput) => request<SlaPolicyOut>('PATCH', `/sla-policies/${id}`, patch),
  deleteSlaPolicy: (id: string) => request<void>('DELETE', `/sla-policies/${id}`),
  reorderSlaPolicies: (ids: string[]) => request<{ items: SlaPolicyOut[] }>('PUT', '/sla-policies/order', { ids }).then((r) => r.items),

  triggers: () => request<{ items: TriggerOut[] }>('GET', '/triggers').then((r) => r.items),
  createTrigger: (body: NewTrigger) => request<TriggerOut>('POST', '/triggers', body),
  updateTrigger: (id: string, patch: UpdateTriggerInput) => request<TriggerOut>('PATCH', `/triggers/${id}`, patch),
  deleteTrigger: (id: string) => request<void>('DELETE', `/triggers/${id}`),
  reorderTriggers: (ids: string[]) => request<{ items: TriggerOut[] }>('PUT', '/triggers/order', { ids }).then((r) => r.items),
  /** What the trigger as typed (saved or not) would do to recent tickets; nothing is written. */
  dryRunTrigger: (trigger: NewTrigger, event: TriggerEventName, limit: number) =>
    request<DryRunTriggerOut>('POST', '/triggers/dry-run', { trigger, event, limit }),

  automations: () => request<{ items: AutomationOut[] }>('GET', '/automations').then((r) => r.items),
  createAutomation: (body: NewAutomation) => request<AutomationOut>('POST', '/automations', body),
  updateAutomation: (id: string, patch: UpdateAutomationInput) => request<AutomationOut>('PATCH', `/automations/${id}`, patch),
  deleteAutomation: (id: string) => request<void>('DELETE', `/automations/${id}`),
  reorderAutomations: (ids: string[]) => request<{ items: AutomationOut[] }>('PUT', '/automations/order', { ids }).then((r) => r.items),

  webhooks: () => request<{ items: WebhookOut[] }>('GET', '/webhooks').then((r) => r.items),
  createWebhook: (body: NewWebhook) => request<CreatedWebhookOut>('POST', '/webhooks', body),
  updateWebhook: (id: string, patch: UpdateWebhookInput) => request<WebhookOut>('PATCH', `/webhooks/${id}`, patch),
  deleteWebhook: (id: string) => request<void>('DELETE', `/webhooks/${id}`),
  /** A new signing secret, answered once; the old one stops signing at once. */
  rotateWebhookSecret: (id: string) => request<CreatedWebhookOut>('POST', `/webhooks/${id}/secret`, {}),
  redeliverWebhookDelivery: (id: string, deliveryId: string) => request<WebhookDeliveryOut>('POST', `/webhooks/${id}/deliveries/${deliveryId}/redeliver`, {}),
  pingWebhook: (id: string) => request<WebhookDeliveryOut>('POST', `/webhooks/${id}/test`, {}),
  webhookDeliveries: (id: string) =>
    request<{ items: WebhookDeliveryOut[] }>('GET', `/webhooks/${id}/deliveries${queryString({ limit: 50 })}`).then((r) => r.items),

  workspace: () => request<WorkspaceOut>('GET', '/workspace'),
  updateWorkspace: (patch: UpdateWorkspaceInput) => request<WorkspaceOut>('PATCH', '/workspace', patch),
  setLogo: (contentBase64: string) => request<WorkspaceOut>('PUT', '/workspace/logo', { contentBase64 }),
  removeLogo: () => request<void>('DELETE', '/workspace/logo'),
};

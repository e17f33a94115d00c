import { z } from 'zod';

export const ROLES = ['admin', 'agent', 'light_agent', 'customer'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
export const STAFF_ROLES = ['admin', 'agent', 'light_agent'] as const;
export const StaffRole = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRole>;

export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const TicketStatus = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof TicketStatus>;

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TicketPriority = z.enum(TICKET_PRIORITIES);
export type TicketPriority = z.infer<typeof TicketPriority>;

/** A ticket's SLA at a moment, the worst of its targets (GET /tickets?sla=…; the web app's badge). */
export const SLA_STATES = ['breached', 'warning', 'ok', 'paused', 'none'] as const;
export const SlaState = z.enum(SLA_STATES);
export type SlaState = z.infer<typeof SlaState>;

export const CHANNELS = ['email', 'web', 'portal', 'chat', 'api', 'phone'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const MESSAGE_VISIBILITIES = ['public', 'internal'] as const;
export const MessageVisibility = z.enum(MESSAGE_VISIBILITIES);
export type MessageVisibility = z.infer<typeof MessageVisibility>;

export const CUSTOM_FIELD_TYPES = ['text', 'number', 'checkbox', 'date', 'select', 'multiselect'] as const;
export const CustomFieldType = z.enum(CUSTOM_FIELD_TYPES);
export type CustomFieldType = z.infer<typeof CustomFieldType>;

export const USER_STATUSES = ['active', 'suspended'] as const;
export const UserStatus = z.enum(USER_STATUSES);
export type UserStatus = z.infer<typeof UserStatus>;

import type {
  AttachmentMeta,
  Channel,
  MessageVisibility,
  SlaState,
  TicketPriority,
  TicketStatus,
  TICKET_SORTS,
} from '@guichet/contracts';
import type { SlaSummary } from '../sla/types.ts';

export interface Ticket {
  id: string;
  workspaceId: string;
  number: number;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  channel: Channel;
  requesterId: string;
  organizationId: string | null;
  assigneeId: string | null;
  teamId: string | null;
  tags: string[];
  customFields: Record<string, unknown>;
  language: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  solvedAt: Date | null;
  closedAt: Date | null;
  /** The request category the customer chose (the admin's list, tickets/categories.ts). */
  categoryId: string | null;
  /** Set when the ticket was merged into another (tickets/merge-ticket.ts); it is then closed. */
  mergedIntoId?: string | null;
}

export interface PersonRef {
  id: string;
  name: string;
  email: string | null;
}

export interface TicketView extends Ticket {
  requester: PersonRef;
  /** The stored SLA summary, when the read joined it (lists): null when the ticket has no clocks. */
  sla?: SlaSummary | null;
}

export interface Attachment extends AttachmentMeta {
  id: string;
}

export interface Message {
  id: string;
  workspaceId: string;
  ticketId: string;
  authorId: string | null;
  visibility: MessageVisibility;
  channel: Channel;
  bodyText: string;
  bodyHtml: string | null;
  createdAt: Date;
  attachments: Attachment[];
}

export interface MessageView extends Message {
  author: PersonRef | null;
}

export type TicketSort = (typeof TICKET_SORTS)[number];

export interface TicketFilter {
  text?: string;
  statuses?: TicketStatus[];
  priorities?: TicketPriority[];
  channels?: Channel[];
  /** null = unassigned */
  assigneeId?: string | null;
  teamId?: string | null;
  /** Any of these teams (an empty list matches nothing). */
  teamIds?: string[];
  requesterId?: string;
  organizationId?: string;
  /** Customer scope: their own tickets, plus their organization's when shared. */
  visibleToCustomer?: { userId: string; organizationId: string | null };
  tags?: string[];
  /** Tickets carrying none of these tags (a customer's list leaves out unconfirmed requests). */
  withoutTags?: string[];
  language?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  updatedAfter?: Date;
  /** In any of these SLA states at `slaNow` (engine.ts `slaStateAt`). */
  slaStates?: SlaState[];
  slaNow?: Date;
  /** Text search matches internal notes only for staff. */
  includeInternal: boolean;
}

export type TicketPatch = Partial<
  Pick<
    Ticket,
    | 'subject'
    | 'status'
    | 'priority'
    | 'assigneeId'
    | 'teamId'
    | 'tags'
    | 'customFields'
    | 'language'
    | 'requesterId'
    | 'organizationId'
    | 'solvedAt'
    | 'closedAt'
    | 'categoryId'
    | 'mergedIntoId'
  >
>;

/**
 * The error-code catalogue: every expected failure has a stable code, and each code one HTTP
 * status. Clients (the web app, integrations, scripts) branch on `code`, never on `message`.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_CURSOR: 400,
  WORKSPACE_REQUIRED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  /** Changing one's password: the current one given is not it. */
  CURRENT_PASSWORD_WRONG: 403,
  SESSION_EXPIRED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  MAILBOX_NOT_FOUND: 404,
  ATTACHMENT_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  CUSTOMER_NOT_FOUND: 404,
  ORGANIZATION_NOT_FOUND: 404,
  TEAM_NOT_FOUND: 404,
  SKILL_NOT_FOUND: 404,
  CUSTOM_FIELD_NOT_FOUND: 404,
  API_TOKEN_NOT_FOUND: 404,
  CALENDAR_NOT_FOUND: 404,
  SLA_POLICY_NOT_FOUND: 404,
  TRIGGER_NOT_FOUND: 404,
  ROUTING_RULE_NOT_FOUND: 404,
  SAVED_VIEW_NOT_FOUND: 404,
  ARTICLE_NOT_FOUND: 404,
  ARTICLE_VERSION_NOT_FOUND: 404,
  ARTICLE_CATEGORY_NOT_FOUND: 404,
  PROPOSAL_NOT_FOUND: 404,
  NOTIFICATION_NOT_FOUND: 404,
  AUTOMATION_NOT_FOUND: 404,
  WEBHOOK_NOT_FOUND: 404,
  WEBHOOK_DELIVERY_NOT_FOUND: 404,
  MACRO_NOT_FOUND: 404,
  TICKET_CATEGORY_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  EMAIL_TAKEN: 409,
  NAME_TAKEN: 409,
  KEY_TAKEN: 409,
  VERSION_CONFLICT: 409,
  LAST_ADMIN: 409,
  CALENDAR_TAKEN: 409,
  CALENDAR_IN_USE: 409,
  /** Redelivering or pinging a disabled webhook: it would send nothing. */
  WEBHOOK_DISABLED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_STATUS_TRANSITION: 422,
  /** A message refers to a file that was never uploaded to this workspace. */
  UNKNOWN_UPLOAD: 422,
  INVALID_ASSIGNMENT: 422,
  INVALID_ARTICLE_TRANSITION: 422,
  PROPOSAL_CLOSED: 409,
  /** Merging a ticket into itself (directly, or through the target's own merge). */
  MERGE_INTO_SELF: 422,
  /** The ticket was already merged into another one; merge that one instead. */
  TICKET_ALREADY_MERGED: 409,
  /** The target ticket is closed, so it cannot take the merged conversation. */
  MERGE_TARGET_CLOSED: 409,
  /** The two tickets have different requesters and `allowDifferentRequesters` was not set. */
  MERGE_DIFFERENT_REQUESTERS: 409,
  RATE_LIMITED: 429,
  RESET_TOKEN_INVALID: 400,
  PORTAL_LINK_INVALID: 400,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export function statusForCode(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details?: unknown;
    requestId?: string;
  };
}

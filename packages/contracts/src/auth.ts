import { z } from 'zod';
import { Role } from './enums.ts';
import { email, isoDate, nonEmpty, pageQuery, uuid } from './common.ts';
import { PASSWORD } from './people.ts';

export const LoginInput = z.object({
  email,
  password: z.string().min(1).max(256),
  /** Needed only when the same address has an account in several workspaces. */
  workspace: z.string().max(100).optional(),
});
export type LoginInput = z.infer<typeof LoginInput>;

export const MeOut = z.object({
  user: z.object({ id: uuid, name: z.string(), email: z.string().nullable(), role: Role, locale: z.string() }),
  workspace: z.object({ id: uuid, slug: z.string(), name: z.string() }),
  permissions: z.array(z.string()),
  via: z.enum(['session', 'api_token']),
});
export type MeOut = z.infer<typeof MeOut>;

export const CreateApiTokenInput = z.object({
  name: nonEmpty(100),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateApiTokenInput = z.infer<typeof CreateApiTokenInput>;

export const ApiTokenOut = z.object({
  id: uuid,
  name: z.string(),
  prefix: z.string(),
  createdAt: isoDate,
  lastUsedAt: isoDate.nullable(),
  expiresAt: isoDate.nullable(),
});
export type ApiTokenOut = z.infer<typeof ApiTokenOut>;
/** Only the creation answer carries the secret, once. */
export const CreatedApiTokenOut = ApiTokenOut.extend({ token: z.string() });

export const AuditEntryOut = z.object({
  id: z.number().int(),
  action: z.string(),
  actor: z.object({ id: uuid.nullable(), name: z.string().nullable(), type: z.string() }),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  createdAt: isoDate,
});
export type AuditEntryOut = z.infer<typeof AuditEntryOut>;
export const ListAuditQuery = pageQuery.extend({
  action: z.string().max(100).optional(),
  actorId: uuid.optional(),
});

export const WorkspaceOut = z.object({
  id: uuid,
  slug: z.string(),
  name: z.string(),
  mailDomain: z.string().nullable(),
  defaultLanguage: z.string(),
  /** The help center's and portal's colour, #rrggbb; null for the default. */
  brandColor: z.string().nullable(),
  /** Where the help center serves the logo (changes with it); null without one. */
  logoUrl: z.string().nullable(),
  createdAt: isoDate,
});
export type WorkspaceOut = z.infer<typeof WorkspaceOut>;
export const UpdateWorkspaceInput = z
  .object({
    name: nonEmpty(200),
    mailDomain: z.string().trim().toLowerCase().max(253).nullable(),
    defaultLanguage: z.enum(['en', 'fr']),
    brandColor: z
      .string()
      .trim()
      .regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb, for example #1a73e8')
      .transform((v) => v.toLowerCase())
      .nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateWorkspaceInput = z.infer<typeof UpdateWorkspaceInput>;

/** The logo's largest size, in bytes of the image. */
export const LOGO_MAX_BYTES = 256 * 1024;
/** A logo: a PNG, JPEG, GIF or WebP image, base64-encoded (SVG is refused: it can carry scripts). */
export const SetWorkspaceLogoInput = z.object({
  contentBase64: z
    .string()
    .max(Math.ceil(LOGO_MAX_BYTES / 3) * 4 + 4, `the image is larger than ${LOGO_MAX_BYTES / 1024} kB`)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'not base64'),
});
export type SetWorkspaceLogoInput = z.infer<typeof SetWorkspaceLogoInput>;

/** Ask for a password-reset link by email; answered 204 whether or not the address has an account. */
export const PasswordResetRequestInput = z.object({
  email,
  workspace: z.string().max(100).optional(),
});
export type PasswordResetRequestInput = z.infer<typeof PasswordResetRequestInput>;
export const PasswordResetConfirmInput = z.object({
  token: z.string().min(16).max(200),
  password: PASSWORD,
});
export type PasswordResetConfirmInput = z.infer<typeof PasswordResetConfirmInput>;

/** Change the signed-in person's own password: the current one proves it is them, not a borrowed session. */
export const ChangePasswordInput = z.object({
  current: z.string().min(1, 'give your current password').max(1000),
  password: PASSWORD,
});
export type ChangePasswordInput = z.infer<typeof ChangePasswordInput>;
export type CreatedApiTokenOut = z.infer<typeof CreatedApiTokenOut>;

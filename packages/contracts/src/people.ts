import { z } from 'zod';
import { CustomFieldType, Role, StaffRole, UserStatus } from './enums.ts';
import { LANGUAGE, email, isoDate, nonEmpty, pageQuery, uuid } from './common.ts';

export const PASSWORD = z
  .string()
  .min(10, 'at least 10 characters')
  .max(256, 'at most 256 characters');

const timeZone = z.string().max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as "Europe/Paris"');

// ---- staff users -----------------------------------------------------------------------
export const CreateUserInput = z.object({
  email,
  name: nonEmpty(200),
  role: StaffRole.default('agent'),
  password: PASSWORD.optional(),
  locale: z.enum(['en', 'fr']).default('en'),
  timeZone: timeZone.default('UTC'),
  languages: z.array(LANGUAGE).max(20).default([]),
  capacity: z.number().int().min(0).max(10_000).nullable().default(null),
});
export type CreateUserInput = z.infer<typeof CreateUserInput>;

export const UpdateUserInput = z
  .object({
    email,
    name: nonEmpty(200),
    role: StaffRole,
    status: UserStatus,
    password: PASSWORD,
    locale: z.enum(['en', 'fr']),
    timeZone,
    languages: z.array(LANGUAGE).max(20),
    capacity: z.number().int().min(0).max(10_000).nullable(),
    /** Also receive my notifications by email (mine to choose). */
    emailNotifications: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateUserInput = z.infer<typeof UpdateUserInput>;

export const SetUserSkillsInput = z.object({
  skills: z.array(z.object({ skillId: uuid, proficiency: z.number().int().min(1).max(5) })).max(200),
});
export type SetUserSkillsInput = z.infer<typeof SetUserSkillsInput>;

export const UserOut = z.object({
  id: uuid,
  email: z.string().nullable(),
  name: z.string(),
  role: Role,
  status: UserStatus,
  locale: z.string(),
  timeZone: z.string(),
  languages: z.array(z.string()),
  capacity: z.number().int().nullable(),
  skills: z.array(z.object({ skillId: uuid, name: z.string(), proficiency: z.number().int() })),
  teamIds: z.array(uuid),
  createdAt: isoDate,
  lastLoginAt: isoDate.nullable(),
  emailNotifications: z.boolean(),
});
export type UserOut = z.infer<typeof UserOut>;

export const ListUsersQuery = pageQuery.extend({
  role: StaffRole.optional(),
  q: z.string().trim().max(200).optional(),
  teamId: uuid.optional(),
  /** Active or deactivated (suspended) accounts only. */
  status: UserStatus.optional(),
});

// ---- customers and organizations -----------------------------------------------------------
export const CreateCustomerInput = z.object({
  email: email.optional(),
  name: nonEmpty(200),
  phone: z.string().trim().max(50).optional(),
  organizationId: uuid.nullable().optional(),
  locale: z.enum(['en', 'fr']).default('en'),
  notes: z.string().max(10_000).optional(),
});
export type CreateCustomerInput = z.infer<typeof CreateCustomerInput>;

export const UpdateCustomerInput = z
  .object({
    email: email.nullable(),
    name: nonEmpty(200),
    phone: z.string().trim().max(50).nullable(),
    organizationId: uuid.nullable(),
    locale: z.enum(['en', 'fr']),
    notes: z.string().max(10_000).nullable(),
    status: UserStatus,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateCustomerInput = z.infer<typeof UpdateCustomerInput>;

export const CustomerOut = z.object({
  id: uuid,
  email: z.string().nullable(),
  name: z.string(),
  phone: z.string().nullable(),
  organizationId: uuid.nullable(),
  locale: z.string(),
  notes: z.string().nullable(),
  status: UserStatus,
  createdAt: isoDate,
});
export type CustomerOut = z.infer<typeof CustomerOut>;

export const ListCustomersQuery = pageQuery.extend({
  q: z.string().trim().max(200).optional(),
  organizationId: uuid.optional(),
});

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a domain such as "example.com"');

export const CreateOrganizationInput = z.object({
  name: nonEmpty(200),
  domains: z.array(domain).max(50).default([]),
  notes: z.string().max(10_000).optional(),
  /** When true, members of the organization see each other's tickets in the portal. */
  sharedTickets: z.boolean().default(false),
});
export type CreateOrganizationInput = z.infer<typeof CreateOrganizationInput>;
// Listed without the defaults of creation: `.partial()` would keep them, and a PATCH of the notes
// alone would empty the domains and stop the sharing.
export const UpdateOrganizationInput = z
  .object({
    name: nonEmpty(200),
    domains: z.array(domain).max(50),
    notes: z.string().max(10_000),
    sharedTickets: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateOrganizationInput = z.infer<typeof UpdateOrganizationInput>;

export const OrganizationOut = z.object({
  id: uuid,
  name: z.string(),
  domains: z.array(z.string()),
  notes: z.string().nullable(),
  sharedTickets: z.boolean(),
  createdAt: isoDate,
});
export type OrganizationOut = z.infer<typeof OrganizationOut>;

// ---- teams and skills ------------------------------------------------------------------
export const CreateTeamInput = z.object({
  name: nonEmpty(100),
  description: z.string().max(2000).optional(),
});
export type CreateTeamInput = z.infer<typeof CreateTeamInput>;
export const UpdateTeamInput = CreateTeamInput.partial().refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateTeamInput = z.infer<typeof UpdateTeamInput>;
export const SetTeamMembersInput = z.object({
  members: z.array(z.object({ userId: uuid, isLead: z.boolean().default(false) })).max(1000),
});
export type SetTeamMembersInput = z.infer<typeof SetTeamMembersInput>;

export const TeamOut = z.object({
  id: uuid,
  name: z.string(),
  description: z.string().nullable(),
  members: z.array(z.object({ userId: uuid, isLead: z.boolean() })),
  createdAt: isoDate,
});
export type TeamOut = z.infer<typeof TeamOut>;

export const CreateSkillInput = z.object({
  name: nonEmpty(100),
  description: z.string().max(2000).optional(),
});
export type CreateSkillInput = z.infer<typeof CreateSkillInput>;
export const UpdateSkillInput = CreateSkillInput.partial().refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateSkillInput = z.infer<typeof UpdateSkillInput>;
export const SkillOut = z.object({
  id: uuid,
  name: z.string(),
  description: z.string().nullable(),
  createdAt: isoDate,
});
export type SkillOut = z.infer<typeof SkillOut>;

// ---- custom fields ---------------------------------------------------------------------
export const CreateCustomFieldInput = z
  .object({
    key: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, 'lowercase letters, digits and "_", starting with a letter'),
    label: nonEmpty(200),
    type: CustomFieldType,
    options: z.array(nonEmpty(200)).max(500).default([]),
    required: z.boolean().default(false),
  })
  .refine(
    (v) => (v.type === 'select' || v.type === 'multiselect' ? v.options.length > 0 : v.options.length === 0),
    { message: 'select fields need options; other types take none', path: ['options'] },
  );
export type CreateCustomFieldInput = z.infer<typeof CreateCustomFieldInput>;
export const UpdateCustomFieldInput = z
  .object({
    label: nonEmpty(200),
    options: z.array(nonEmpty(200)).max(500),
    required: z.boolean(),
    active: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateCustomFieldInput = z.infer<typeof UpdateCustomFieldInput>;
export const CustomFieldOut = z.object({
  id: uuid,
  key: z.string(),
  label: z.string(),
  type: CustomFieldType,
  options: z.array(z.string()),
  required: z.boolean(),
  active: z.boolean(),
});
export type CustomFieldOut = z.infer<typeof CustomFieldOut>;

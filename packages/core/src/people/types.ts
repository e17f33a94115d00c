import type { CustomFieldType, Role, UserStatus } from '@guichet/contracts';

export interface User {
  id: string;
  workspaceId: string;
  role: Role;
  email: string | null;
  name: string;
  passwordHash: string | null;
  status: UserStatus;
  locale: string;
  timeZone: string;
  languages: string[];
  organizationId: string | null;
  phone: string | null;
  notes: string | null;
  capacity: number | null;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
  /** Staff: notifications are also sent by email (off unless the user turns it on). */
  emailNotifications?: boolean;
}

export interface UserSkill {
  userId: string;
  skillId: string;
  name: string;
  proficiency: number;
}

export interface Organization {
  id: string;
  workspaceId: string;
  name: string;
  domains: string[];
  notes: string | null;
  sharedTickets: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface Team {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TeamMember {
  teamId: string;
  userId: string;
  isLead: boolean;
}

export interface Skill {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CustomField {
  id: string;
  workspaceId: string;
  key: string;
  label: string;
  type: CustomFieldType;
  options: string[];
  required: boolean;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface Workspace {
  id: string;
  slug: string;
  name: string;
  mailDomain: string | null;
  defaultLanguage: string;
  /** The help center's and portal's colour (#rrggbb), null for Guichet's. */
  brandColor?: string | null;
  /** The current logo's SHA-256, null without one (set through `setLogo`). */
  logoSha256?: string | null;
  createdAt: Date;
  updatedAt: Date;
}

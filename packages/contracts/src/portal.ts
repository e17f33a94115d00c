/** The customer portal's API side: request categories and the deflection report. */
import { z } from 'zod';
import { isoDate, nonEmpty, queryBool, uuid } from './common.ts';

// ---- ticket categories (the portal form's list) ---------------------------------------------
const categoryNames = z
  .object({ en: nonEmpty(200).optional(), fr: nonEmpty(200).optional() })
  .refine((v) => v.en || v.fr, 'a name in at least one language');

/** A stable key routing rules can name (their "form category" condition). */
const categoryKey = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case letters, digits, "_", "-" or "."');

export const CreateTicketCategoryInput = z.object({
  key: categoryKey,
  names: categoryNames,
  position: z.number().int().min(0).max(100_000).default(0),
  active: z.boolean().default(true),
});
export type CreateTicketCategoryInput = z.infer<typeof CreateTicketCategoryInput>;

export const UpdateTicketCategoryInput = z
  .object({ key: categoryKey, names: categoryNames, position: z.number().int().min(0).max(100_000), active: z.boolean() })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateTicketCategoryInput = z.infer<typeof UpdateTicketCategoryInput>;

export const ListTicketCategoriesQuery = z.object({
  /** Retired categories too (admins only; others always get the active ones). */
  includeInactive: queryBool.optional(),
});
export type ListTicketCategoriesQuery = z.infer<typeof ListTicketCategoriesQuery>;

export const TicketCategoryOut = z.object({
  id: uuid,
  key: z.string(),
  names: z.object({ en: z.string().nullable(), fr: z.string().nullable() }),
  position: z.number().int(),
  active: z.boolean(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type TicketCategoryOut = z.infer<typeof TicketCategoryOut>;

// ---- deflection ------------------------------------------------------------------------------
export const DEFLECTION_KINDS = ['shown', 'clicked', 'solved', 'submitted'] as const;
export type DeflectionKind = (typeof DEFLECTION_KINDS)[number];

export const DeflectionReportQuery = z
  .object({
    /** Default: 30 days before `to`. */
    from: isoDate.optional(),
    /** Default: now. */
    to: isoDate.optional(),
  })
  .refine((v) => !v.from || !v.to || new Date(v.from) < new Date(v.to), { message: '"from" must be before "to"', path: ['from'] })
  .refine((v) => !v.from || !v.to || new Date(v.to).getTime() - new Date(v.from).getTime() <= 366 * 86_400_000, { message: 'at most a year', path: ['to'] });
export type DeflectionReportQuery = z.infer<typeof DeflectionReportQuery>;

const counts = { shown: z.number().int(), clicked: z.number().int(), solved: z.number().int() };

export const DeflectionReportOut = z.object({
  from: isoDate,
  to: isoDate,
  totals: z.object({
    /** Portal visits in which suggestions were shown. */
    visitsWithSuggestions: z.number().int(),
    ...counts,
    /** Requests sent from a visit that had shown suggestions. */
    submittedAfterSuggestions: z.number().int(),
    /** Requests sent from the portal in the period, with or without suggestions. */
    submitted: z.number().int(),
    /** Visits with suggestions that ended in "this solved it" and no request, over visits with suggestions. */
    deflectionRate: z.number().nullable(),
  }),
  articles: z.array(z.object({ articleId: uuid, title: z.string().nullable(), ...counts })),
});
export type DeflectionReportOut = z.infer<typeof DeflectionReportOut>;

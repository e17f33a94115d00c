import { z } from 'zod';

export const uuid = z.uuid();
export const isoDate = z.iso.datetime({ offset: true });

/** Lists take `limit` and an opaque `cursor` and answer `{ items, nextCursor }`. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const LANGUAGE = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'a language code such as "fr", "en" or "fr-CA"');

export const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'a valid email address' }))
  .transform((e) => e.toLowerCase());

export const nonEmpty = (max: number) => z.string().trim().min(1).max(max);

/** Query-string booleans: "true"/"false"/"1"/"0". */
export const queryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** A comma-separated list in a query string, or the parameter repeated. */
export function queryList<T extends z.ZodType<unknown, string>>(item: T) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item).max(50));
}

/** A new order for admin-ordered rules: every one of the workspace's ids, once, first tried first. */
export const ReorderInput = z.object({ ids: z.array(uuid).max(1000) });
export type ReorderInput = z.infer<typeof ReorderInput>;

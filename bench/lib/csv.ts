/** The benches read the datasets with the product's own CSV reader. */
export { parseCsvRecords as parseCsv } from '@guichet/core';

export function csvField(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

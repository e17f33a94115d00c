/**
 * RFC 4180 CSV, for the history and routing files people bring (the demo's history, the routing
 * replay, the benches): quoted fields (a quote opens one only at the start of a field), doubled
 * quotes, commas and line breaks inside quotes, CRLF or LF line ends; blank lines are skipped.
 */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The rows after the first, each as a record named by the first row's columns (a byte-order mark dropped). */
export function parseCsvRecords(text: string): Array<Record<string, string>> {
  const [header, ...body] = parseCsvRows(text);
  if (!header) return [];
  const names = header.map((h) => h.trim().replace(/^\uFEFF/, ''));
  return body.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] ?? ''])));
}

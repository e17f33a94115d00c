/**
 * Where quoted history and signatures start in a text body, so the UI can fold them; the body
 * itself is kept whole. Pure and cheap: it runs when messages are presented.
 */

const ATTRIBUTION = [
  /^\s*On .{3,300}wrote:\s*$/,
  /^\s*Le .{3,300}a [ée]crit\s*:\s*$/,
  /^\s*-{2,}\s*(Original Message|Message d'origine|Forwarded message|Message transf[ée]r[ée])\s*-{2,}\s*$/i,
  /^\s*_{10,}\s*$/,
  /^\s*(From|De)\s*:\s*.+$/,
];
const SIGNATURE = [/^-- ?$/, /^\s*(Sent from my |Envoy[ée] de mon |Get Outlook for |Obtenir Outlook pour )/i];

export interface TextFold {
  /** Character offset where the quoted history starts, or null. */
  quoteStart: number | null;
  /** Character offset where the signature starts, or null. */
  signatureStart: number | null;
}

export function foldText(text: string): TextFold {
  const lines = text.slice(0, 200_000).split('\n');
  const offsets: number[] = [];
  let pos = 0;
  for (const l of lines) {
    offsets.push(pos);
    pos += l.length + 1;
  }
  let quote: number | null = null;
  for (let i = 1; i < lines.length && quote === null; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const joined = i + 1 < lines.length ? `${line} ${lines[i + 1]!.replace(/\r$/, '')}` : line;
    if (ATTRIBUTION.slice(0, 2).some((re) => re.test(line) || re.test(joined))) quote = i;
    else if (ATTRIBUTION.slice(2, 4).some((re) => re.test(line))) quote = i;
    else if (ATTRIBUTION[4]!.test(line) && lines.slice(i + 1, i + 5).some((l) => /^\s*(Sent|Envoy[ée]|Date|To|[ÀA]|Subject|Objet)\s*:/.test(l))) quote = i;
    else if (line.startsWith('>') && lines.slice(i).every((l) => l.trim() === '' || l.startsWith('>'))) quote = i;
  }
  let signature: number | null = null;
  const end = quote ?? lines.length;
  for (let i = 1; i < end; i++) {
    if (SIGNATURE.some((re) => re.test(lines[i]!.replace(/\r$/, '')))) {
      signature = i;
      break;
    }
  }
  return { quoteStart: quote === null ? null : offsets[quote]!, signatureStart: signature === null ? null : offsets[signature]! };
}

const FR = /\b(bonjour|merci|je|vous|nous|est|pas|pour|avec|une|les|des|mon|ma|votre|commande|cordialement|bonne|journ[ée]e|s'il|probl[èe]me)\b/gi;
const EN = /\b(hello|hi|thanks|thank|the|you|is|not|for|with|and|my|your|order|regards|please|problem|have|this)\b/gi;

/** A light FR/EN guess from the words; null when the text says too little. */
export function guessLanguage(text: string): 'fr' | 'en' | null {
  const sample = text.slice(0, 4000);
  const fr = sample.match(FR)?.length ?? 0;
  const en = sample.match(EN)?.length ?? 0;
  if (fr + en < 2) return null;
  if (fr > en * 1.2) return 'fr';
  if (en > fr * 1.2) return 'en';
  return null;
}

/** The language a Content-Language header names, when it is one we know. */
export function languageFromHeader(value: string | undefined): string | null {
  const m = value?.trim().toLowerCase().match(/^([a-z]{2})\b/);
  return m ? m[1]! : null;
}

/**
 * @mentions in internal notes. The stable syntax is `@[Display name](user:<uuid>)`: the web app
 * writes it when a name is picked from the autocomplete, and the server reads the ids from it
 * (the display name is only a label; the id decides who is mentioned).
 */
const MENTION = /@\[([^\]\n]{1,200})\]\(user:([0-9a-fA-F-]{36})\)/g;

/** At most this many people per note: a note is not a broadcast. */
export const MAX_MENTIONS = 20;

/** The mentioned user ids, lowercased, each once, in order of first mention. */
export function parseMentions(text: string): string[] {
  const ids: string[] = [];
  for (const m of text.matchAll(MENTION)) {
    const id = m[2]!.toLowerCase();
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** The note as people read it: `@[Marie](user:…)` → `@Marie`. */
export function mentionsAsText(text: string): string {
  return text.replace(MENTION, (_m, name: string) => `@${name}`);
}

/**
 * Keyboard shortcuts. The shell listens once; the screen in front registers what r, n, a and c
 * mean for it. Keys typed into a text field are left alone, except Escape and Ctrl/Cmd+Enter.
 */
export interface ScreenActions {
  reply?(): void;
  note?(): void;
  assignMe?(): void;
  close?(): void;
}

let current: ScreenActions = {};
export function registerActions(a: ScreenActions): () => void {
  current = a;
  return () => {
    if (current === a) current = {};
  };
}
export function screenActions(): ScreenActions {
  return current;
}

export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export const SHORTCUTS = [
  ['j', 'help.next'],
  ['k', 'help.prev'],
  ['Enter', 'help.open'],
  ['x', 'help.select'],
  ['r', 'help.reply'],
  ['n', 'help.note'],
  ['a', 'help.assign'],
  ['c', 'help.close'],
  ['/', 'help.search'],
  ['Ctrl+Enter', 'help.send'],
  ['Esc', 'help.back'],
  ['?', 'help.help'],
  ['m', 'help.macros'],
  ['@', 'help.mention'],
  ['Ctrl+B · Ctrl+I · Ctrl+K', 'help.format'],
  ['Ctrl+Shift+7 · 8 · 9', 'help.formatLines'],
] as const;

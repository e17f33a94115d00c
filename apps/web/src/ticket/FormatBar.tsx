/**
 * The formatting of a message field shared by the composer and the new-ticket form: the buttons,
 * the shortcuts and list continuation (`useFormatting`), and the preview, which renders with the
 * same function as the server.
 */
import { renderMarkdown } from '@guichet/contracts/markdown';
import type { RefObject } from 'react';
import { useI18n } from '../i18n.ts';
import { applyFormat, continueList, formatShortcut, type Edit, type FormatCommand } from './formatting.ts';

const MOD = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';
const FORMAT_BUTTONS: Array<{ cmd: FormatCommand; label: `format.${FormatCommand}`; keys: string; face: React.ReactNode }> = [
  { cmd: 'bold', label: 'format.bold', keys: `${MOD}+B`, face: <strong>B</strong> },
  { cmd: 'italic', label: 'format.italic', keys: `${MOD}+I`, face: <em>I</em> },
  { cmd: 'strike', label: 'format.strike', keys: `${MOD}+Shift+X`, face: <del>S</del> },
  { cmd: 'code', label: 'format.code', keys: `${MOD}+E`, face: <code>{'<>'}</code> },
  { cmd: 'link', label: 'format.link', keys: `${MOD}+K`, face: (
      <svg width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
        <path d="M6.5 9.5l3-3M7 4.5l1.2-1.2a2.8 2.8 0 014 4L11 8.5M9 11.5l-1.2 1.2a2.8 2.8 0 01-4-4L5 7.5" />
      </svg>
    ) },
  { cmd: 'bullets', label: 'format.bullets', keys: `${MOD}+Shift+8`, face: '•≡' },
  { cmd: 'numbers', label: 'format.numbers', keys: `${MOD}+Shift+7`, face: <span className="fmt-numbers" /> },
  { cmd: 'quote', label: 'format.quote', keys: `${MOD}+Shift+9`, face: '❝' },
];

/** Formatting buttons over the field; each says its shortcut. They keep the field's selection (no focus on mouse down). */
export function FormatBar(props: { onFormat(cmd: FormatCommand): void; preview: boolean; onPreview(): void }) {
  const { t } = useI18n();
  return (
    <div className="format-bar" role="toolbar" aria-label={t('format.toolbar')}>
      {FORMAT_BUTTONS.map((b) => (
        <button
          key={b.cmd}
          type="button"
          className="btn btn-ghost btn-sm"
          aria-label={`${t(b.label)} (${b.keys})`}
          title={`${t(b.label)} (${b.keys})`}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => props.onFormat(b.cmd)}
        >
          {/* The glyph is decoration; the name (with the shortcut) is the label. */}
          <span aria-hidden="true">{b.face}</span>
        </button>
      ))}
      <button type="button" className="btn btn-ghost btn-sm format-preview" aria-pressed={props.preview} onClick={props.onPreview}>
        {t('format.preview')}
      </button>
    </div>
  );
}

/** The message as it will be shown and mailed. */
export function MarkdownPreview(props: { text: string }) {
  const { t } = useI18n();
  return (
    <section className="composer-preview" aria-label={t('format.previewOf')}>
      {props.text.trim() ? (
        // renderMarkdown escapes every character of the text before it adds its own tags.
        <div className="msg-body html" dangerouslySetInnerHTML={{ __html: renderMarkdown(props.text) }} />
      ) : (
        <p className="muted small">{t('format.previewEmpty')}</p>
      )}
    </section>
  );
}

/**
 * Formatting for a textarea whose text is `text`: `format` applies a command to the selection;
 * `formatKey` handles a key (a shortcut, or Enter in a list) and says whether it did.
 */
export function useFormatting(area: RefObject<HTMLTextAreaElement | null>, text: string, setText: (s: string) => void) {
  /**
   * Put the text and selection of an edit in the field. Through execCommand the edit joins the
   * field's own undo history (Ctrl+Z) and the selection is set at once, so a key typed right after
   * a shortcut lands where it should; without it, the value is set and the selection follows.
   */
  const applyEdit = (edit: Edit) => {
    const el = area.current;
    if (el) {
      el.focus();
      el.setSelectionRange(0, el.value.length);
      const done = typeof document.execCommand === 'function' && document.execCommand('insertText', false, edit.text) && el.value === edit.text;
      if (done) {
        el.setSelectionRange(edit.from, edit.to);
        setText(el.value);
        return;
      }
    }
    setText(edit.text);
    requestAnimationFrame(() => {
      const f = area.current;
      if (!f) return;
      f.focus();
      f.setSelectionRange(edit.from, edit.to);
    });
  };
  const format = (cmd: FormatCommand) => {
    const el = area.current;
    const from = el ? el.selectionStart : text.length;
    const to = el ? el.selectionEnd : text.length;
    applyEdit(applyFormat(el ? el.value : text, from, to, cmd));
  };
  const formatKey = (e: React.KeyboardEvent<HTMLTextAreaElement>): boolean => {
    const cmd = formatShortcut(e);
    if (cmd) {
      e.preventDefault();
      format(cmd);
      return true;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey && e.currentTarget.selectionStart === e.currentTarget.selectionEnd) {
      const edit = continueList(e.currentTarget.value, e.currentTarget.selectionStart);
      if (edit) {
        e.preventDefault();
        applyEdit(edit);
        return true;
      }
    }
    return false;
  };
  return { format, formatKey };
}

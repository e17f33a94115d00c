import { renderMarkdown, type MessageFormat } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import { AppError } from '../shared/errors.ts';

/**
 * The HTML stored with a new message: made from the markdown body, or the caller's own HTML once
 * sanitised, or none (a plain-text message). Never the caller's HTML as given.
 */
export function messageHtml(deps: Pick<Deps, 'sanitizeHtml'>, input: { body: string; bodyHtml?: string | undefined; format?: MessageFormat | undefined }): string | null {
  if (input.format === 'markdown') {
    if (input.bodyHtml !== undefined) throw new AppError('VALIDATION_FAILED', 'Send either a markdown body (format "markdown") or bodyHtml, not both.');
    return renderMarkdown(input.body);
  }
  if (input.bodyHtml === undefined) return null;
  if (!deps.sanitizeHtml) throw new AppError('VALIDATION_FAILED', 'bodyHtml is not accepted here; send the text in body, or format "markdown".');
  const html = deps.sanitizeHtml(input.bodyHtml).trim();
  return html || null;
}

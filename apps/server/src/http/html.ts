/**
 * What the server-rendered public pages share (the help center at /help, the customer portal at
 * /portal): escaping, the visitor's language, and one page layout with the workspace's name, the
 * French/English switch and a strict content security policy.
 */
import type { FastifyReply } from 'fastify';
import type { ArticleLanguage } from '@guichet/contracts';
import { textColorOn } from '@guichet/core';

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** `?lang=fr|en`, else the fallback (a workspace's or a person's language). */
export function langOf(q: unknown, fallback: string): ArticleLanguage {
  const l = (q as { lang?: unknown })?.lang;
  if (l === 'fr' || l === 'en') return l;
  return fallback.startsWith('fr') ? 'fr' : 'en';
}

/** The same address in the other language. */
export function otherLanguageUrl(url: string, other: ArticleLanguage): string {
  if (/([?&])lang=(en|fr)/.test(url)) return url.replace(/([?&])lang=(en|fr)/, `$1lang=${other}`);
  return `${url}${url.includes('?') ? '&' : '?'}lang=${other}`;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export const PAGE_STYLE =
  'body{font-family:system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;line-height:1.55;color:#1d2330}header{display:flex;justify-content:space-between;align-items:center;border-bottom:3px solid #2d5bd7;padding-bottom:.5rem}header a{color:inherit;text-decoration:none}mark{background:#ffe58a}form.search{margin:1rem 0}input[type=search]{width:70%;padding:.4rem}.hit{margin:1rem 0}.muted{color:#5b6272;font-size:.9em}';

export interface PageParts {
  lang: ArticleLanguage;
  title: string;
  /** The page's own address, with its ?lang= (canonical link and language switch). */
  canonical: string;
  description?: string;
  /** Left of the header: the workspace's name and the site's name, linking home. */
  brand: { href: string; workspace: string; site: string };
  /** The workspace's colour and logo (`themeOf`), when it has them. */
  theme?: Theme;
  /** Extra links in the header, before the language switch (already HTML). */
  nav?: string;
  /** Between the header and the main content (already HTML), e.g. a search form. */
  beforeMain?: string;
  body: string;
  style?: string;
  status?: number;
  /** Pages for one person are never cached by shared caches. */
  cache?: string;
  /** An inline script allowed by its nonce (progressive enhancement only). */
  script?: { nonce: string; code: string };
}

export interface Theme {
  /** #rrggbb: the header's background. */
  color: string | null;
  logoUrl: string | null;
}

/** Where the help center serves a workspace's logo: the address changes with the image, so it may be cached for a year. */
export const logoUrlOf = (w: { slug: string; logoSha256?: string | null | undefined }) =>
  w.logoSha256 ? `/help/${encodeURIComponent(w.slug)}/logo?v=${w.logoSha256.slice(0, 16)}` : null;

export const themeOf = (w: { slug: string; brandColor?: string | null | undefined; logoSha256?: string | null | undefined }): Theme => ({
  color: w.brandColor ?? null,
  logoUrl: logoUrlOf(w),
});

/** The header in the workspace's colour, its text in black or white, whichever reads better on it. */
function themeStyle(t: Theme | undefined): string {
  if (!t?.color || !/^#[0-9a-f]{6}$/i.test(t.color)) return '';
  const ink = textColorOn(t.color);
  return `header{background:${t.color};color:${ink};border-bottom-color:${t.color};padding:.5rem 1rem;border-radius:0 0 .4rem .4rem}header a{color:${ink}}`;
}

/** Send one HTML page. */
export function sendPage(reply: FastifyReply, p: PageParts): FastifyReply {
  const other: ArticleLanguage = p.lang === 'fr' ? 'en' : 'fr';
  const switchUrl = otherLanguageUrl(p.canonical, other);
  const csp = p.script ? `${CSP}; script-src 'nonce-${p.script.nonce}'; connect-src 'self'` : CSP;
  return reply
    .code(p.status ?? 200)
    .type('text/html; charset=utf-8')
    .header('cache-control', p.cache ?? 'public, max-age=60')
    .header('content-security-policy', csp)
    .send(`<!doctype html>
<html lang="${p.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)}</title>${p.description !== undefined ? `<meta name="description" content="${esc(p.description.slice(0, 160))}">` : ''}
<link rel="canonical" href="${esc(p.canonical)}">
<link rel="alternate" hreflang="${other}" href="${esc(switchUrl)}">
<style>${PAGE_STYLE}${p.style ?? ''}${themeStyle(p.theme)}</style>
</head><body>
<header><a href="${esc(p.brand.href)}">${p.theme?.logoUrl ? `<img src="${esc(p.theme.logoUrl)}" alt="" height="32" style="vertical-align:middle;margin-right:.5rem;max-width:10rem;object-fit:contain">` : ''}<strong>${esc(p.brand.workspace)}</strong> · ${p.brand.site}</a>
<span>${p.nav ?? ''}<a href="${esc(switchUrl)}" hreflang="${other}" lang="${other}">${other === 'fr' ? 'Français' : 'English'}</a></span></header>
${p.beforeMain ?? ''}
<main id="main">${p.body}</main>${p.script ? `\n<script nonce="${p.script.nonce}">${p.script.code}</script>` : ''}</body></html>`);
}

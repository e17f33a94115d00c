/**
 * The public help center at /help/{workspace slug}: server-rendered HTML that works without
 * JavaScript (home with categories, article pages, search, "did this help?"), in English or
 * French (?lang=), with titles, meta descriptions, canonical links and a sitemap. It reads as an
 * anonymous visitor: internal articles and drafts cannot appear.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ARTICLE_LANGUAGES, renderMarkdown as renderMessageMarkdown, type ArticleLanguage } from '@guichet/contracts';
import * as core from '@guichet/core';
import { markSnippet } from './routes/search.ts';
import { esc, langOf, sendPage, themeOf, type Theme } from './html.ts';

const T = {
  en: { help: 'Help center', search: 'Search', searchFor: 'Search the help center', results: 'Results for', none: 'No article matches. Try other words.', helped: 'Did this help?', yes: 'Yes', no: 'No', comment: 'What were you looking for? (optional)', send: 'Send', thanks: 'Thank you for your feedback.', other: 'Other articles', updated: 'Updated', missing: 'This article is not available in English yet; here is the French version.', home: 'Home', uncategorized: 'More articles', contact: 'Contact support' },
  fr: { help: "Centre d'aide", search: 'Rechercher', searchFor: "Rechercher dans le centre d'aide", results: 'Résultats pour', none: "Aucun article ne correspond. Essayez d'autres mots.", helped: 'Cet article vous a-t-il aidé ?', yes: 'Oui', no: 'Non', comment: 'Que cherchiez-vous ? (facultatif)', send: 'Envoyer', thanks: 'Merci pour votre avis.', other: 'Autres articles', updated: 'Mis à jour le', missing: "Cet article n'est pas encore traduit en français ; voici la version anglaise.", home: 'Accueil', uncategorized: 'Autres articles', contact: 'Contacter le support' },
} as const;

/**
 * An article's body as HTML: the same markdown as messages (contracts' `renderMarkdown`, escaped
 * before any tag), with `#` under the page's title (h2) and links to other pages of the site.
 */
export function renderMarkdown(md: string): string {
  return renderMessageMarkdown(md, { headingLevel: 2, relativeLinks: true });
}

const plain = (md: string) => md.replace(/[#*`>[\]()_-]+/g, ' ').replace(/\s+/g, ' ').trim();

function page(reply: FastifyReply, p: { lang: ArticleLanguage; slug: string; workspace: string; theme: Theme; title: string; description: string; canonical: string; body: string; status?: number }) {
  const t = T[p.lang];
  return sendPage(reply, {
    lang: p.lang,
    title: p.title,
    description: p.description,
    canonical: p.canonical,
    brand: { href: `/help/${p.slug}?lang=${p.lang}`, workspace: p.workspace, site: t.help },
    theme: p.theme,
    // Not answered here: the customer portal's request form, which suggests articles again as they type.
    nav: `<a href="/portal/${esc(encodeURIComponent(p.slug))}/requests/new?lang=${p.lang}">${t.contact}</a> · `,
    beforeMain: `<form class="search" action="/help/${esc(p.slug)}/search" method="get" role="search"><input type="hidden" name="lang" value="${p.lang}">
<input type="search" name="q" aria-label="${t.searchFor}" placeholder="${t.searchFor}"> <button>${t.search}</button></form>`,
    body: p.body,
    ...(p.status ? { status: p.status } : {}),
  });
}

const translationFor = (v: core.ArticleView, lang: ArticleLanguage) => v.translations.find((t) => t.language === lang) ?? v.translations[0]!;
const articleUrl = (slug: string, v: core.ArticleView, lang: ArticleLanguage) => `/help/${encodeURIComponent(slug)}/articles/${v.article.id}/${translationFor(v, lang).slug}?lang=${lang}`;

export function registerHelpCenter(app: FastifyInstance, deps: core.Deps): void {
  const notFound = (reply: FastifyReply, lang: ArticleLanguage) =>
    reply.code(404).type('text/html; charset=utf-8').send(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>404</title></head><body><p>${lang === 'fr' ? 'Page introuvable.' : 'Page not found.'}</p></body></html>`);

  const open = async (slug: string) => {
    try {
      return await core.helpCenterContext(deps, slug);
    } catch (e) {
      if (core.isAppError(e)) return null;
      throw e;
    }
  };

  app.get('/help', async (req, reply) => notFound(reply, langOf(req.query, 'en')));

  // The logo: public, typed from its bytes when it was set, never sniffed by the browser.
  app.get<{ Params: { slug: string } }>('/help/:slug/logo', async (req, reply) => {
    const logo = await core.workspaceLogo(deps, req.params.slug);
    if (!logo) return reply.code(404).type('text/plain; charset=utf-8').send('No logo.');
    const versioned = typeof (req.query as { v?: unknown }).v === 'string';
    return reply
      .type(logo.contentType)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'")
      .header('etag', `"${logo.sha256}"`)
      .header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
      .send(logo.content);
  });

  app.get<{ Params: { slug: string } }>('/help/:slug', async (req, reply) => {
    const hc = await open(req.params.slug);
    if (!hc) return notFound(reply, langOf(req.query, 'en'));
    const lang = langOf(req.query, hc.workspace.defaultLanguage);
    const t = T[lang];
    const { categories, articles } = await core.helpCenterHome(deps, hc.ctx);
    const name = (c: core.ArticleCategory) => c.names[lang] ?? c.names.en ?? c.names.fr ?? '';
    const list = (items: core.ArticleResult[]) =>
      `<ul>${items.map((a) => `<li><a href="${esc(articleUrl(hc.workspace.slug, a.view, lang))}">${esc(translationFor(a.view, lang).title)}</a></li>`).join('')}</ul>`;
    const sections: string[] = [];
    const top = categories.filter((c) => !c.parentId);
    for (const c of top) {
      const ids = new Set([c.id, ...categories.filter((s) => s.parentId === c.id).map((s) => s.id)]);
      const inside = articles.filter((a) => a.view.article.categoryId && ids.has(a.view.article.categoryId));
      if (!inside.length) continue;
      const desc = c.descriptions[lang] ?? c.descriptions.en;
      sections.push(`<section><h2>${esc(name(c))}</h2>${desc ? `<p class="muted">${esc(desc)}</p>` : ''}${list(inside)}</section>`);
    }
    const loose = articles.filter((a) => !a.view.article.categoryId || !categories.some((c) => c.id === a.view.article.categoryId));
    if (loose.length) sections.push(`<section><h2>${t.uncategorized}</h2>${list(loose)}</section>`);
    return page(reply, {
      lang, slug: hc.workspace.slug, workspace: hc.workspace.name, theme: themeOf(hc.workspace),
      title: `${t.help} · ${hc.workspace.name}`, description: `${t.help} ${hc.workspace.name}`,
      canonical: `/help/${encodeURIComponent(hc.workspace.slug)}?lang=${lang}`,
      body: `<h1>${t.help}</h1>${sections.join('\n')}`,
    });
  });

  app.get<{ Params: { slug: string; id: string } }>('/help/:slug/articles/:id/*', async (req, reply) => articlePage(req.params, req.query, reply));
  app.get<{ Params: { slug: string; id: string } }>('/help/:slug/articles/:id', async (req, reply) => articlePage(req.params, req.query, reply));

  async function articlePage(params: { slug: string; id: string }, query: unknown, reply: FastifyReply, thanks = false) {
    const hc = await open(params.slug);
    const fallback = langOf(query, 'en');
    if (!hc || !z.uuid().safeParse(params.id).success) return notFound(reply, fallback);
    const lang = langOf(query, hc.workspace.defaultLanguage);
    const t = T[lang];
    let a: core.ArticleResult;
    try {
      a = await core.helpCenterArticle(deps, hc.ctx, params.id);
    } catch (e) {
      if (core.isAppError(e)) return notFound(reply, lang);
      throw e;
    }
    const tr = translationFor(a.view, lang);
    const feedbackUrl = `/help/${encodeURIComponent(hc.workspace.slug)}/articles/${a.view.article.id}/feedback?lang=${lang}`;
    const body = `<article><h1>${esc(tr.title)}</h1>
${tr.language !== lang ? `<p class="muted">${t.missing}</p>` : ''}
<p class="muted">${t.updated} ${tr.updatedAt.toLocaleDateString(lang === 'fr' ? 'fr-FR' : 'en-GB', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' })}</p>
${renderMarkdown(tr.body)}</article>
<hr>${thanks ? `<p role="status">${t.thanks}</p>` : `<form method="post" action="${esc(feedbackUrl)}"><fieldset><legend>${t.helped}</legend>
<input type="hidden" name="language" value="${tr.language}">
<button name="helpful" value="yes">${t.yes}</button> <button name="helpful" value="no">${t.no}</button><br>
<label>${t.comment}<br><textarea name="comment" rows="3" cols="50" maxlength="2000"></textarea></label></fieldset></form>`}`;
    return page(reply, {
      lang, slug: hc.workspace.slug, workspace: hc.workspace.name, theme: themeOf(hc.workspace),
      title: `${tr.title} · ${hc.workspace.name}`, description: plain(tr.body),
      canonical: articleUrl(hc.workspace.slug, a.view, lang), body,
    });
  }

  // "Did this help?": a plain HTML form post (no JavaScript needed).
  app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    scope.post<{ Params: { slug: string; id: string } }>('/help/:slug/articles/:id/feedback', async (req, reply) => {
      const hc = await open(req.params.slug);
      const lang = langOf(req.query, 'en');
      const form = z
        .object({ helpful: z.enum(['yes', 'no']), language: z.enum(ARTICLE_LANGUAGES), comment: z.string().max(2000).optional() })
        .safeParse(req.body);
      if (!hc || !z.uuid().safeParse(req.params.id).success) return notFound(reply, lang);
      if (!form.success) return reply.code(400).type('text/plain; charset=utf-8').send(lang === 'fr' ? 'Formulaire invalide.' : 'Invalid form.');
      try {
        await core.recordArticleFeedback(deps, hc.ctx, req.params.id, { language: form.data.language, helpful: form.data.helpful === 'yes', comment: form.data.comment ?? null });
      } catch (e) {
        if (core.isAppError(e)) return notFound(reply, lang);
        throw e;
      }
      return articlePage(req.params, req.query, reply, true);
    });
  });

  app.get<{ Params: { slug: string }; Querystring: { q?: string } }>('/help/:slug/search', async (req, reply) => {
    const hc = await open(req.params.slug);
    if (!hc) return notFound(reply, langOf(req.query, 'en'));
    const lang = langOf(req.query, hc.workspace.defaultLanguage);
    const t = T[lang];
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 300) : '';
    let hits: core.SearchHit[] = [];
    if (q && core.parseSearchQuery(q).words.length + core.parseSearchQuery(q).phrases.length > 0) {
      const r = await core.search(deps, hc.ctx, { q, type: ['article'], match: 'auto', limit: 20 }, { kind: 'public' });
      hits = r.items;
      await core.recordSearch(deps, hc.ctx, { source: 'help_center', query: q, language: lang, results: hits.length, matched: r.matched });
    }
    // One hit per article, in the visitor's language when it has one.
    const seen = new Set<string>();
    const items = hits
      .sort((a, b) => Number(b.language === lang) - Number(a.language === lang))
      .filter((h) => (seen.has(h.id) ? false : (seen.add(h.id), true)));
    const body = `<h1>${t.results} « ${esc(q)} »</h1>${items.length ? items.map((h) => `<div class="hit"><a href="/help/${esc(encodeURIComponent(hc.workspace.slug))}/articles/${h.id}/${esc(h.article?.slug ?? '')}?lang=${lang}">${esc(h.title)}</a><br><span class="muted">${markSnippet(plain(h.snippet))}</span></div>`).join('') : `<p>${t.none}</p>`}`;
    return page(reply, {
      lang, slug: hc.workspace.slug, workspace: hc.workspace.name, theme: themeOf(hc.workspace),
      title: `${t.search}: ${q} · ${hc.workspace.name}`, description: `${t.results} ${q}`,
      canonical: `/help/${encodeURIComponent(hc.workspace.slug)}/search?q=${encodeURIComponent(q)}&lang=${lang}`, body,
    });
  });

  app.get<{ Params: { slug: string } }>('/help/:slug/sitemap.xml', async (req, reply) => {
    const hc = await open(req.params.slug);
    if (!hc) return notFound(reply, 'en');
    const { articles } = await core.helpCenterHome(deps, hc.ctx);
    const base = `${req.protocol}://${req.headers.host ?? 'localhost'}`;
    const urls = articles.flatMap((a) =>
      a.view.translations.map((tr) => `<url><loc>${esc(base + articleUrl(hc.workspace.slug, a.view, tr.language))}</loc><lastmod>${tr.updatedAt.toISOString()}</lastmod></url>`),
    );
    reply.type('application/xml; charset=utf-8');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n<url><loc>${esc(`${base}/help/${encodeURIComponent(hc.workspace.slug)}`)}</loc></url>\n${urls.join('\n')}\n</urlset>\n`;
  });
}

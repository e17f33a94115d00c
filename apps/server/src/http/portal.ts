/**
 * The customer portal at /portal/{workspace slug}: server-rendered HTML that works without
 * JavaScript. Customers sign in (a link by email, or their password; they set or change it on
 * their account page, or reset it by a mailed link), send requests (subject,
 * description, category, files), follow their own requests (and their organization's when it
 * shares them), reply and close. Visitors without an account send a request with their address and
 * confirm it through a mailed link. While a request is written, articles that may answer it are
 * suggested (a small inline script; a button does the same without JavaScript), and what the
 * visitor does with them is recorded for the deflection report.
 *
 * Every page reads through the core use-cases as the signed-in customer (or as an anonymous
 * visitor): a ticket they may not read answers the same 404 page as one that does not exist.
 * Form posts need the same origin and the form's token (double-submit cookie). The portal has its
 * own session cookie (Path=/portal, portal sessions only): the agent app's cookie is read only to
 * tell staff that the portal is not for them.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PasswordResetConfirmInput, email as emailSchema, type TicketStatus } from '@guichet/contracts';
import * as core from '@guichet/core';
import { portalCookieOptions, sessionCookieOptions } from './auth.ts';
import { esc, langOf, sendPage, themeOf } from './html.ts';
import { renderMarkdown } from './help-center.ts';
import { MultipartError, boundaryOf, parseMultipart, type MultipartForm } from './multipart.ts';
import { sendAttachment } from './routes/email.ts';
import { markSnippet } from './routes/search.ts';

type Lang = 'fr' | 'en';
const CSRF_COOKIE = 'guichet_portal_csrf';
/** The whole form, files included; one file may hold PORTAL_MAX_FILE_BYTES. */
const FORM_BODY_LIMIT = 25 * 1024 * 1024;
const MAX_BODY_CHARS = 100_000;

const STATUS: Record<Lang, Record<TicketStatus, string>> = {
  en: { new: 'Received', open: 'In progress', pending: 'Awaiting your reply', on_hold: 'In progress', solved: 'Solved', closed: 'Closed' },
  fr: { new: 'Reçue', open: 'En cours', pending: 'En attente de votre réponse', on_hold: 'En cours', solved: 'Résolue', closed: 'Fermée' },
};

const T = {
  en: {
    portal: 'Customer portal', myRequests: 'My requests', newRequest: 'New request', help: 'Help center', signOut: 'Sign out', signIn: 'Sign in',
    signInTitle: 'Sign in to follow your requests', byLink: 'Get a sign-in link by email', sendLink: 'Send me a link',
    byPassword: 'Or sign in with your password', email: 'Email address', password: 'Password',
    noAccount: 'No account? You can still send us a request.',
    linkSent: 'If this address has an account with us, a sign-in link is on its way. It works once, within 15 minutes.',
    linkTitle: 'Sign in to the customer portal', linkContinue: 'Sign in', linkInvalid: 'This link is expired or was already used. Ask for a new one below.',
    badPassword: 'The email address or the password is wrong.', rateLimited: 'Too many attempts. Wait a while and try again.',
    subject: 'Subject', description: 'Description', category: 'Category', choose: 'Choose a category', files: 'Attachments (optional, up to 10 files of 10 MB each)',
    name: 'Your name (optional)', send: 'Send the request', findAnswers: 'Look for an answer first',
    suggestions: 'These articles may answer your question', noSuggestions: 'No article matches yet; send your request and we will answer.',
    empty: 'You have not sent any request yet.', colRequest: 'Request', colStatus: 'Status', colUpdated: 'Last update', older: 'Older requests',
    fromOrg: 'From your organization', reply: 'Reply', sendReply: 'Send the reply', close: 'Close this request', closeHint: 'Solved? Close the request; a later reply reopens it.',
    closedNote: 'This request is closed. Send a new request if you need more help.', solvedNote: 'This request is solved. Reply if you need more help: it will reopen.',
    you: 'You', support: 'Support', attachments: 'Attachments', sent: 'Your request was sent. We will answer here and by email.', replied: 'Your reply was sent.', closedNow: 'The request is closed. Thank you!',
    checkTitle: 'Check your inbox', check: (n: number, e: string) => `We received your request #${n}. To follow it here, open the link we sent to ${e} (it confirms your address). Until then, we answer you by email.`,
    confirmTitle: 'Confirm your request', confirmText: 'Confirm your email address to follow your request in the portal.', confirmButton: 'Confirm my address',
    confirmInvalid: 'This confirmation link is expired or was already used.',
    notFound: 'This page does not exist, or you cannot see it.', notFoundTitle: 'Page not found', back: 'Back to the portal',
    formExpired: 'This form has expired. Reload the page and try again.', errorTitle: 'We could not do that', errorIntro: 'Please correct the following:',
    subjectRequired: 'Give your request a subject.', bodyRequired: 'Describe your request.', emailRequired: 'Give a valid email address so that we can answer you.',
    categoryRequired: 'Choose a category from the list.', tooLarge: (f: string) => `The file "${f}" is larger than 10 MB; nothing was sent. Choose a smaller file (your text is kept below).`,
    tooManyFiles: 'At most 10 files per message.', bodyTooLong: `The description holds at most ${MAX_BODY_CHARS} characters.`, subjectTooLong: 'The subject holds at most 500 characters.',
    chooseAgain: 'Files are not kept when the form comes back: choose them again.',
    staffNote: 'You are signed in as a member of the support team. The portal is for customers: open the agent app.', agentApp: 'Open the agent app',
    solvedIt: 'This solved my question', solvedThanks: 'Glad it helped! You do not need to send a request.', backToForm: 'Back to the request form',
    replyRequired: 'Write a reply before sending.', internal: 'Something went wrong on our side. Try again in a moment.',
    formTooLarge: 'The form with its files is larger than 25 MB; nothing was sent. Go back and choose smaller files.', badForm: 'The form could not be read. Reload the page and try again.',
    account: 'My account', passwordTitle: 'Your password', setPasswordIntro: 'You sign in with links by email. Choose a password to sign in with it too.',
    changePasswordIntro: 'Change the password you sign in with. Your other sessions will be signed out.',
    currentPassword: 'Current password', newPassword: 'New password (at least 10 characters)', repeatPassword: 'New password again',
    savePassword: 'Save the password', passwordSaved: 'Your password is saved. Your other sessions were signed out.',
    currentWrong: 'The current password is wrong.', passwordsDiffer: 'The two new passwords differ.', passwordPolicy: 'The new password needs at least 10 characters (at most 256).',
    forgot: 'Forgot your password?', forgotTitle: 'Reset your password', forgotIntro: 'Give the address you sign in with; we mail you a link to choose a new password.',
    sendResetLink: 'Send me the link', resetSent: 'If this address has an account with us, a link to choose a new password is on its way. It works once, within the hour.',
    resetTitle: 'Choose a new password', resetInvalid: 'This link is expired or was already used. Ask for a new one.',
    resetDone: 'Your new password is saved. Sign in with it below.',
  },
  fr: {
    portal: 'Espace client', myRequests: 'Mes demandes', newRequest: 'Nouvelle demande', help: "Centre d'aide", signOut: 'Se déconnecter', signIn: 'Se connecter',
    signInTitle: 'Connectez-vous pour suivre vos demandes', byLink: 'Recevoir un lien de connexion par email', sendLink: 'Envoyer le lien',
    byPassword: 'Ou connectez-vous avec votre mot de passe', email: 'Adresse email', password: 'Mot de passe',
    noAccount: 'Pas de compte ? Vous pouvez quand même nous écrire.',
    linkSent: 'Si cette adresse a un compte chez nous, un lien de connexion vient de partir. Il sert une fois, dans les 15 minutes.',
    linkTitle: "Connexion à l'espace client", linkContinue: 'Me connecter', linkInvalid: "Ce lien a expiré ou a déjà servi. Demandez-en un nouveau ci-dessous.",
    badPassword: "L'adresse email ou le mot de passe est incorrect.", rateLimited: 'Trop de tentatives. Patientez un peu avant de réessayer.',
    subject: 'Objet', description: 'Description', category: 'Catégorie', choose: 'Choisissez une catégorie', files: "Pièces jointes (facultatives, jusqu'à 10 fichiers de 10 Mo)",
    name: 'Votre nom (facultatif)', send: 'Envoyer la demande', findAnswers: "Chercher d'abord une réponse",
    suggestions: 'Ces articles répondent peut-être à votre question', noSuggestions: 'Aucun article ne correspond pour le moment ; envoyez votre demande et nous vous répondrons.',
    empty: "Vous n'avez encore envoyé aucune demande.", colRequest: 'Demande', colStatus: 'État', colUpdated: 'Dernière mise à jour', older: 'Demandes plus anciennes',
    fromOrg: 'De votre organisation', reply: 'Répondre', sendReply: 'Envoyer la réponse', close: 'Clore cette demande', closeHint: 'Résolu ? Closez la demande ; une réponse ultérieure la rouvrira.',
    closedNote: 'Cette demande est fermée. Envoyez une nouvelle demande si besoin.', solvedNote: 'Cette demande est résolue. Répondez si besoin : elle sera rouverte.',
    you: 'Vous', support: 'Support', attachments: 'Pièces jointes', sent: 'Votre demande est envoyée. Nous vous répondrons ici et par email.', replied: 'Votre réponse est envoyée.', closedNow: 'La demande est close. Merci !',
    checkTitle: 'Consultez votre messagerie', check: (n: number, e: string) => `Nous avons bien reçu votre demande n° ${n}. Pour la suivre ici, ouvrez le lien envoyé à ${e} (il confirme votre adresse). D'ici là, nous vous répondons par email.`,
    confirmTitle: 'Confirmez votre demande', confirmText: "Confirmez votre adresse email pour suivre votre demande dans l'espace client.", confirmButton: 'Confirmer mon adresse',
    confirmInvalid: 'Ce lien de confirmation a expiré ou a déjà servi.',
    notFound: "Cette page n'existe pas, ou vous ne pouvez pas la voir.", notFoundTitle: 'Page introuvable', back: "Retour à l'espace client",
    formExpired: 'Ce formulaire a expiré. Rechargez la page et réessayez.', errorTitle: "Nous n'avons pas pu le faire", errorIntro: 'Corrigez les points suivants :',
    subjectRequired: 'Donnez un objet à votre demande.', bodyRequired: 'Décrivez votre demande.', emailRequired: 'Indiquez une adresse email valide pour que nous puissions vous répondre.',
    categoryRequired: 'Choisissez une catégorie dans la liste.', tooLarge: (f: string) => `Le fichier « ${f} » dépasse 10 Mo ; rien n'a été envoyé. Choisissez un fichier plus petit (votre texte est conservé ci-dessous).`,
    tooManyFiles: 'Dix fichiers au plus par message.', bodyTooLong: `La description compte au plus ${MAX_BODY_CHARS} caractères.`, subjectTooLong: "L'objet compte au plus 500 caractères.",
    chooseAgain: 'Les fichiers ne sont pas conservés quand le formulaire revient : choisissez-les de nouveau.',
    staffNote: "Vous êtes connecté en tant que membre de l'équipe support. L'espace client est réservé aux clients : ouvrez l'application agent.", agentApp: "Ouvrir l'application agent",
    solvedIt: 'Cela a résolu ma question', solvedThanks: "Tant mieux ! Inutile d'envoyer une demande.", backToForm: 'Retour au formulaire',
    replyRequired: 'Écrivez une réponse avant de l’envoyer.', internal: 'Un problème est survenu de notre côté. Réessayez dans un instant.',
    formTooLarge: "Le formulaire et ses fichiers dépassent 25 Mo ; rien n'a été envoyé. Revenez en arrière et choisissez des fichiers plus petits.", badForm: 'Le formulaire est illisible. Rechargez la page et réessayez.',
    account: 'Mon compte', passwordTitle: 'Votre mot de passe', setPasswordIntro: 'Vous vous connectez par des liens envoyés par email. Choisissez un mot de passe pour vous connecter aussi avec lui.',
    changePasswordIntro: 'Changez le mot de passe avec lequel vous vous connectez. Vos autres sessions seront déconnectées.',
    currentPassword: 'Mot de passe actuel', newPassword: 'Nouveau mot de passe (10 caractères au moins)', repeatPassword: 'Nouveau mot de passe, encore',
    savePassword: 'Enregistrer le mot de passe', passwordSaved: 'Votre mot de passe est enregistré. Vos autres sessions ont été déconnectées.',
    currentWrong: 'Le mot de passe actuel est incorrect.', passwordsDiffer: 'Les deux nouveaux mots de passe diffèrent.', passwordPolicy: 'Le nouveau mot de passe compte au moins 10 caractères (256 au plus).',
    forgot: 'Mot de passe oublié ?', forgotTitle: 'Réinitialiser votre mot de passe', forgotIntro: 'Indiquez l’adresse avec laquelle vous vous connectez ; nous vous envoyons un lien pour choisir un nouveau mot de passe.',
    sendResetLink: 'Envoyer le lien', resetSent: "Si cette adresse a un compte chez nous, un lien pour choisir un nouveau mot de passe vient de partir. Il sert une fois, dans l'heure.",
    resetTitle: 'Choisir un nouveau mot de passe', resetInvalid: 'Ce lien a expiré ou a déjà servi. Demandez-en un nouveau.',
    resetDone: 'Votre nouveau mot de passe est enregistré. Connectez-vous avec lui ci-dessous.',
  },
} as const;

type Words = (typeof T)[Lang];

interface Visitor {
  workspace: core.Workspace;
  lang: Lang;
  t: Words;
  /** The anonymous visitor's context (public reads). */
  publicCtx: core.Ctx;
  /** The signed-in customer, when there is one. */
  customer: { auth: core.Authenticated; ctx: core.Ctx } | null;
  /** Signed in as staff of this workspace: the portal is not for them. */
  staff: boolean;
  csrf: string;
  base: string;
}

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const refRe = /^\d{1,15}$/;
const dateFmt = (d: Date, lang: Lang) =>
  d.toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });
const paragraphs = (text: string) =>
  text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
const jsString = (s: string) => JSON.stringify(s).replace(/</g, '\\u003c');

export function registerPortal(app: FastifyInstance, deps: core.Deps, opts: { secure: boolean; appUrl?: (() => string) | undefined }): void {
  const baseUrl = () => opts.appUrl?.() ?? 'http://localhost:3000';

  app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => {
      done(null, { fields: Object.fromEntries(new URLSearchParams(String(body))), files: [] } satisfies MultipartForm);
    });
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: FORM_BODY_LIMIT }, (req, body, done) => {
      const boundary = boundaryOf(req.headers['content-type']);
      try {
        if (!boundary) throw new MultipartError('no boundary');
        done(null, parseMultipart(body as Buffer, boundary));
      } catch (e) {
        done(Object.assign(new Error(e instanceof Error ? e.message : 'bad form'), { statusCode: 400 }), undefined);
      }
    });

    scope.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
      const lang = langOf(req.query, 'en');
      const t = T[lang];
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return message(reply, lang, 413, t.errorTitle, t.formTooLarge);
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return message(reply, lang, err.statusCode, t.errorTitle, t.badForm);
      req.log.error({ err, url: req.url, method: req.method }, 'portal error');
      return message(reply, lang, 500, t.errorTitle, t.internal);
    });

    // ---------------------------------------------------------------- who is here
    async function visit(req: FastifyRequest, reply: FastifyReply, slug: string): Promise<Visitor | null> {
      let pc: { workspace: core.Workspace; ctx: core.Ctx };
      try {
        pc = await core.portalContext(deps, slug, req.id);
      } catch (e) {
        if (core.isAppError(e)) return null;
        throw e;
      }
      // A session of another workspace is no one here.
      const session = async (name: string, kind: core.SessionKind) => {
        const token = req.cookies?.[name];
        if (!token) return null;
        try {
          const auth = await core.authenticateSession(deps, token, kind);
          return auth.workspace.id === pc.workspace.id ? { auth, token } : null;
        } catch (e) {
          if (!core.isAppError(e)) throw e;
          return null;
        }
      };
      let customer: Visitor['customer'] = null;
      const mine = await session(core.PORTAL_SESSION_COOKIE, 'portal');
      if (mine && mine.auth.user.role === 'customer') {
        customer = { auth: mine.auth, ctx: { workspaceId: pc.workspace.id, actor: mine.auth.actor, requestId: req.id, ip: req.ip } };
        // Sliding expiry, as the API does for its cookie.
        reply.setCookie(core.PORTAL_SESSION_COOKIE, mine.token, portalCookieOptions(opts.secure, new Date(deps.clock.now().getTime() + deps.settings.sessionTtlMs)));
      }
      // Signed in to the agent app as staff of this workspace: told that the portal is for customers.
      const app = customer ? null : await session(core.SESSION_COOKIE, 'app');
      const staff = !!app && app.auth.user.role !== 'customer';
      const lang = langOf(req.query, customer?.auth.user.locale ?? pc.workspace.defaultLanguage);
      return { workspace: pc.workspace, lang, t: T[lang], publicCtx: pc.ctx, customer, staff, csrf: csrfCookie(req, reply), base: `/portal/${encodeURIComponent(pc.workspace.slug)}` };
    }

    function csrfCookie(req: FastifyRequest, reply: FastifyReply): string {
      const current = req.cookies?.[CSRF_COOKIE];
      if (current && /^[A-Za-z0-9_-]{32}$/.test(current)) return current;
      const fresh = randomBytes(24).toString('base64url');
      reply.setCookie(CSRF_COOKIE, fresh, { path: '/portal', httpOnly: true, sameSite: 'lax', secure: opts.secure });
      return fresh;
    }

    /** A form post: from this site (Origin, when the browser sends it) and carrying the form's token. */
    function formAllowed(req: FastifyRequest, form: MultipartForm): boolean {
      const origin = req.headers.origin;
      if (origin !== undefined) {
        try {
          if (origin === 'null' || new URL(origin).host !== req.headers.host) return false;
        } catch {
          return false;
        }
      }
      const cookie = req.cookies?.[CSRF_COOKIE] ?? '';
      const given = form.fields.csrf ?? '';
      return cookie.length === 32 && given.length === 32 && timingSafeEqual(Buffer.from(cookie), Buffer.from(given));
    }

    const formOf = (req: FastifyRequest): MultipartForm => {
      const b = req.body as MultipartForm | undefined;
      return b && typeof b === 'object' && 'fields' in b ? b : { fields: {}, files: [] };
    };
    const q = (v: Visitor, extra = '') => `?lang=${v.lang}${extra}`;

    // ---------------------------------------------------------------- layout
    function page(reply: FastifyReply, v: Visitor, p: { title: string; path: string; body: string; status?: number; script?: { nonce: string; code: string } }) {
      const t = v.t;
      const nav = [
        `<a href="${v.base}/requests/new${q(v)}">${t.newRequest}</a>`,
        `<a href="/help/${esc(encodeURIComponent(v.workspace.slug))}?lang=${v.lang}">${t.help}</a>`,
        v.customer
          ? `<a href="${v.base}/account${q(v)}">${t.account}</a> · <form method="post" action="${v.base}/sign-out${q(v)}" style="display:inline"><input type="hidden" name="csrf" value="${v.csrf}"><button>${t.signOut}</button></form>`
          : v.staff
            ? `<a href="/">${t.agentApp}</a>`
            : `<a href="${v.base}${q(v)}">${t.signIn}</a>`,
      ].join(' · ');
      return sendPage(reply, {
        lang: v.lang,
        title: `${p.title} · ${v.workspace.name}`,
        canonical: `${v.base}${p.path}${p.path.includes('?') ? '&' : '?'}lang=${v.lang}`,
        brand: { href: `${v.base}?lang=${v.lang}`, workspace: v.workspace.name, site: t.portal },
        theme: themeOf(v.workspace),
        nav: `${nav} · `,
        body: p.body,
        style: 'label{display:block;font-weight:600;margin-top:.8rem}input[type=text],input[type=email],input[type=password],select,textarea{width:100%;max-width:40rem;padding:.4rem;box-sizing:border-box}button{margin-top:.8rem;padding:.4rem .9rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #dde}.error{border:2px solid #b3261e;padding:.6rem 1rem;margin:1rem 0}.ok{border:2px solid #2e7d32;padding:.6rem 1rem;margin:1rem 0}.msg{border-left:4px solid #dde;padding:.2rem 1rem;margin:1rem 0}.msg.you{border-color:#2d5bd7}.msg-body blockquote{border-left:3px solid #dde;margin:.4rem 0;padding-left:.8rem;color:#555}.msg-body pre{background:#f3f4f8;padding:.5rem;overflow-x:auto}.msg-body code{background:#f3f4f8;padding:0 .2rem}:focus-visible{outline:3px solid #2d5bd7;outline-offset:2px}header form button{margin:0;padding:0;border:0;background:none;color:inherit;font:inherit;text-decoration:underline;cursor:pointer}',
        cache: 'private, no-store',
        ...(p.status ? { status: p.status } : {}),
        ...(p.script ? { script: p.script } : {}),
      });
    }

    function message(reply: FastifyReply, lang: Lang, status: number, title: string, text: string, backHref = '/') {
      return sendPage(reply, {
        lang, title, canonical: backHref, status, cache: 'private, no-store',
        brand: { href: backHref, workspace: 'Guichet', site: T[lang].portal },
        body: `<h1>${esc(title)}</h1><p role="alert">${esc(text)}</p><p><a href="${esc(backHref)}">${T[lang].back}</a></p>`,
      });
    }

    const notFound = (reply: FastifyReply, v: Visitor | null, lang: Lang) =>
      v
        ? page(reply, v, { title: v.t.notFoundTitle, path: '', status: 404, body: `<h1>${v.t.notFoundTitle}</h1><p>${v.t.notFound}</p><p><a href="${v.base}${q(v)}">${v.t.back}</a></p>` })
        : message(reply, lang, 404, T[lang].notFoundTitle, T[lang].notFound, '/');

    const expired = (reply: FastifyReply, v: Visitor) =>
      page(reply, v, { title: v.t.errorTitle, path: '', status: 403, body: `<h1>${v.t.errorTitle}</h1><p role="alert">${v.t.formExpired}</p><p><a href="${v.base}${q(v)}">${v.t.back}</a></p>` });

    const redirect = (reply: FastifyReply, to: string) => reply.code(303).header('location', to).header('cache-control', 'no-store').send();

    const signInForms = (v: Visitor, note = '') => `${note}
<section aria-labelledby="by-link"><h2 id="by-link">${v.t.byLink}</h2>
<form method="post" action="${v.base}/sign-in/email${q(v)}"><input type="hidden" name="csrf" value="${v.csrf}">
<label for="link-email">${v.t.email}</label><input id="link-email" type="email" name="email" autocomplete="email" required>
<button>${v.t.sendLink}</button></form></section>
<section aria-labelledby="by-password"><h2 id="by-password">${v.t.byPassword}</h2>
<form method="post" action="${v.base}/sign-in/password${q(v)}"><input type="hidden" name="csrf" value="${v.csrf}">
<label for="pw-email">${v.t.email}</label><input id="pw-email" type="email" name="email" autocomplete="username" required>
<label for="pw-password">${v.t.password}</label><input id="pw-password" type="password" name="password" autocomplete="current-password" required>
<button>${v.t.signIn}</button></form><p><a href="${v.base}/forgot-password${q(v)}">${v.t.forgot}</a></p></section>
<p>${v.t.noAccount} <a href="${v.base}/requests/new${q(v)}">${v.t.newRequest}</a></p>`;

    // ---------------------------------------------------------------- home: my requests, or sign in
    scope.get('/portal', async (req, reply) => notFound(reply, null, langOf(req.query, 'en')));

    scope.get<{ Params: { slug: string }; Querystring: { cursor?: string } }>('/portal/:slug', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      if (v.staff) return page(reply, v, { title: v.t.portal, path: '', body: `<h1>${v.t.portal}</h1><p>${v.t.staffNote}</p><p><a href="/">${v.t.agentApp}</a></p>` });
      if (!v.customer) return page(reply, v, { title: v.t.signIn, path: '', body: `<h1>${v.t.signInTitle}</h1>${signInForms(v)}` });
      const cursor = typeof req.query.cursor === 'string' && req.query.cursor.length <= 512 ? req.query.cursor : undefined;
      let list: Awaited<ReturnType<typeof core.listPortalRequests>>;
      try {
        list = await core.listPortalRequests(deps, v.customer.ctx, { limit: 25, cursor });
      } catch (e) {
        if (core.isAppError(e) && e.code === 'INVALID_CURSOR') return redirect(reply, `${v.base}${q(v)}`);
        throw e;
      }
      const me = v.customer.auth.user.id;
      const rows = list.items.map(({ ticket }) => `<tr><td><a href="${v.base}/requests/${ticket.number}${q(v)}">#${ticket.number} ${esc(ticket.subject)}</a>${ticket.requesterId !== me ? `<br><span class="muted">${v.t.fromOrg} · ${esc(ticket.requester.name)}</span>` : ''}</td><td>${STATUS[v.lang][ticket.status]}</td><td><time datetime="${ticket.updatedAt.toISOString()}">${dateFmt(ticket.updatedAt, v.lang)}</time></td></tr>`);
      const body = `<h1>${v.t.myRequests}</h1><p><a href="${v.base}/requests/new${q(v)}">${v.t.newRequest}</a></p>
${rows.length ? `<table><thead><tr><th scope="col">${v.t.colRequest}</th><th scope="col">${v.t.colStatus}</th><th scope="col">${v.t.colUpdated}</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : `<p>${v.t.empty}</p>`}
${list.nextCursor ? `<p><a href="${v.base}${q(v, `&cursor=${encodeURIComponent(list.nextCursor)}`)}">${v.t.older}</a></p>` : ''}`;
      return page(reply, v, { title: v.t.myRequests, path: '', body });
    });

    // ---------------------------------------------------------------- sign in and out
    scope.post<{ Params: { slug: string } }>('/portal/:slug/sign-in/email', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      const form = formOf(req);
      if (!formAllowed(req, form)) return expired(reply, v);
      const address = emailSchema.safeParse(form.fields.email ?? '');
      if (!address.success) {
        return page(reply, v, { title: v.t.signIn, path: '', status: 400, body: `<h1>${v.t.signInTitle}</h1>${signInForms(v, `<p class="error" role="alert">${v.t.emailRequired}</p>`)}` });
      }
      await core.requestPortalSignIn(deps, v.workspace, address.data, { baseUrl: baseUrl() }, { ip: req.ip, requestId: req.id });
      return page(reply, v, { title: v.t.signIn, path: '', body: `<h1>${v.t.signInTitle}</h1><p class="ok" role="status">${v.t.linkSent}</p>` });
    });

    // The mailed link opens a page with a button: mail scanners that fetch links do not use it up.
    scope.get<{ Params: { slug: string }; Querystring: { token?: string } }>('/portal/:slug/sign-in/link', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      const token = typeof req.query.token === 'string' ? req.query.token.slice(0, 200) : '';
      return page(reply, v, {
        title: v.t.linkTitle, path: '/sign-in/link',
        body: `<h1>${v.t.linkTitle}</h1><form method="post" action="${v.base}/sign-in/link${q(v)}"><input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="token" value="${esc(token)}"><button autofocus>${v.t.linkContinue}</button></form>`,
      });
    });

    scope.post<{ Params: { slug: string } }>('/portal/:slug/sign-in/link', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      const form = formOf(req);
      if (!formAllowed(req, form)) return expired(reply, v);
      try {
        const s = await core.signInWithPortalLink(deps, v.workspace, String(form.fields.token ?? '').slice(0, 200));
        reply.setCookie(core.PORTAL_SESSION_COOKIE, s.token, portalCookieOptions(opts.secure, s.expiresAt));
        return redirect(reply, `${v.base}?lang=${langOf(req.query, s.user.locale)}`);
      } catch (e) {
        if (!core.isAppError(e) || e.code !== 'PORTAL_LINK_INVALID') throw e;
        return page(reply, v, { title: v.t.signIn, path: '', status: 400, body: `<h1>${v.t.signInTitle}</h1>${signInForms(v, `<p class="error" role="alert">${v.t.linkInvalid}</p>`)}` });
      }
    });

    scope.post<{ Params: { slug: string } }>('/portal/:slug/sign-in/password', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      const form = formOf(req);
      if (!formAllowed(req, form)) return expired(reply, v);
      const input = z.object({ email: emailSchema, password: z.string().min(1).max(1000) }).safeParse(form.fields);
      const failed = (text: string, status: number) =>
        page(reply, v, { title: v.t.signIn, path: '', status, body: `<h1>${v.t.signInTitle}</h1>${signInForms(v, `<p class="error" role="alert">${text}</p>`)}` });
      if (!input.success) return failed(v.t.badPassword, 400);
      try {
        const r = await core.login(deps, { ...input.data, workspace: v.workspace.slug }, { ip: req.ip, requestId: req.id, for: 'portal' });
        // A customer gets the portal's session; staff get the agent app's, and go there.
        if (r.kind === 'portal') {
          reply.setCookie(core.PORTAL_SESSION_COOKIE, r.token, portalCookieOptions(opts.secure, r.expiresAt));
          return redirect(reply, `${v.base}?lang=${langOf(req.query, r.auth.user.locale)}`);
        }
        reply.setCookie(core.SESSION_COOKIE, r.token, sessionCookieOptions(opts.secure, r.expiresAt));
        return redirect(reply, '/');
      } catch (e) {
        if (!core.isAppError(e)) throw e;
        if (e.code === 'RATE_LIMITED') return failed(v.t.rateLimited, 429);
        return failed(v.t.badPassword, 401);
      }
    });

    scope.post<{ Params: { slug: string } }>('/portal/:slug/sign-out', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      if (!formAllowed(req, formOf(req))) return expired(reply, v);
      // Only the portal's session ends: the agent app's, if any, is not the portal's to end.
      const sessionId = v.customer?.auth.sessionId;
      if (sessionId) await core.logout(deps, sessionId);
      reply.clearCookie(core.PORTAL_SESSION_COOKIE, { path: '/portal' });
      return redirect(reply, `${v.base}${q(v)}`);
    });

    // ---------------------------------------------------------------- the customer's password
    const passwordField = (id: string, name: string, label: string, autocomplete: string, error: string | null) =>
      `<label for="${id}">${label}</label><input id="${id}" type="password" name="${name}" autocomplete="${autocomplete}" maxlength="256" required${
        error ? ` aria-invalid="true" aria-describedby="${id}-error"` : ''
      }>${error ? `<span id="${id}-error" style="color:#b3261e;display:block">${esc(error)}</span>` : ''}`;

    async function accountPage(reply: FastifyReply, v: Visitor, r: { flash?: string; errors?: { current?: string; password?: string }; status?: number } = {}) {
      const t = v.t;
      const has = await core.portalHasPassword(deps, v.customer!.ctx);
      const e = r.errors ?? {};
      const body = `<h1>${t.account}</h1>${r.flash ? `<p class="ok" role="status">${r.flash}</p>` : ''}
<section aria-labelledby="pw"><h2 id="pw">${t.passwordTitle}</h2><p>${has ? t.changePasswordIntro : t.setPasswordIntro}</p>
${e.current || e.password ? `<p class="error" role="alert">${esc(e.current ?? e.password!)}</p>` : ''}
<form method="post" action="${v.base}/account/password${q(v)}"><input type="hidden" name="csrf" value="${v.csrf}">
<input type="text" name="username" autocomplete="username" value="${esc(v.customer!.auth.user.email ?? '')}" hidden>
${has ? passwordField('cur-password', 'current', t.currentPassword, 'current-password', e.current ?? null) : ''}
${passwordField('new-password', 'password', t.newPassword, 'new-password', e.password ?? null)}
${passwordField('new-password-2', 'repeat', t.repeatPassword, 'new-password', null)}
<button>${t.savePassword}</button></form></section>
<p><a href="${v.base}${q(v)}">${t.myRequests}</a></p>`;
      return page(reply, v, { title: t.account, path: '/account', body, status: r.status ?? 200 });
    }

    /** A page only for a signed-in customer: others get the sign-in page (staff, the note). */
    function signedInOnly(reply: FastifyReply, v: Visitor) {
      if (v.staff) return page(reply, v, { title: v.t.portal, path: '', status: 403, body: `<h1>${v.t.portal}</h1><p>${v.t.staffNote}</p><p><a href="/">${v.t.agentApp}</a></p>` });
      return page(reply, v, { title: v.t.signIn, path: '', status: 401, body: `<h1>${v.t.signInTitle}</h1>${signInForms(v)}` });
    }

    scope.get<{ Params: { slug: string }; Querystring: { saved?: string } }>('/portal/:slug/account', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      if (!v.customer) return signedInOnly(reply, v);
      return accountPage(reply, v, req.query.saved ? { flash: v.t.passwordSaved } : {});
    });

    scope.post<{ Params: { slug: string } }>('/portal/:slug/account/password', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      const form = formOf(req);
      if (!formAllowed(req, form)) return expired(reply, v);
      if (!v.customer) return signedInOnly(reply, v);
      const t = v.t;
      const password = String(form.fields.password ?? '');
      if (password !== String(form.fields.repeat ?? '')) return accountPage(reply, v, { errors: { password: t.passwordsDiffer }, status: 400 });
      try {
        await core.changePortalPassword(deps, v.customer.ctx, { current: String(form.fields.current ?? ''), password }, v.customer.auth.sessionId);
      } catch (e) {
        if (!core.isAppError(e)) throw e;
        if (e.code === 'VALIDATION_FAILED') return accountPage(reply, v, { errors: { password: t.passwordPolicy }, status: 400 });
        if (e.code === 'CURRENT_PASSWORD_WRONG') return accountPage(reply, v, { errors: { current: t.currentWrong }, status: 403 });
        if (e.code === 'RATE_LIMITED') return accountPage(reply, v, { errors: { current: t.rateLimited }, status: 429 });
        throw e;
      }
      return redirect(reply, `${v.base}/account${q(v, '&saved=1')}`);
    });

    const forgotForm = (v: Visitor, note = '') => `<h1>${v.t.forgotTitle}</h1>${note}<p>${v.t.forgotIntro}</p>
<form method="post" action="${v.base}/forgot-password${q(v)}"><input type="hidden" name="csrf" value="${v.csrf}">
<label for="reset-email">${v.t.email}</label><input id="reset-email" type="email" name="email" autocomplete="email" required>
<button>${v.t.sendResetLink}</button></form>`;

    scope.get<{ Params: { slug: string } }>('/portal/:slug/forgot-password', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      return page(reply, v, { title: v.t.forgotTitle, path: '/forgot-password', body: forgotForm(v) });
    });

    scope.post<{ Params: { slug: string } }>('/portal/:slug/forgot-password', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      const form = formOf(req);
      if (!formAllowed(req, form)) return expired(reply, v);
      const address = emailSchema.safeParse(form.fields.email ?? '');
      if (!address.success) {
        return page(reply, v, { title: v.t.forgotTitle, path: '/forgot-password', status: 400, body: forgotForm(v, `<p class="error" role="alert">${v.t.emailRequired}</p>`) });
      }
      await core.requestPortalPasswordReset(deps, v.workspace, address.data, { baseUrl: baseUrl() }, { ip: req.ip, requestId: req.id });
      // The same answer whether or not the address has an account.
      return page(reply, v, { title: v.t.forgotTitle, path: '/forgot-password', body: `<h1>${v.t.forgotTitle}</h1><p class="ok" role="status">${v.t.resetSent}</p>` });
    });

    const resetForm = (v: Visitor, token: string, error: string | null) => `<h1>${v.t.resetTitle}</h1>${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="${v.base}/reset-password${q(v)}"><input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="token" value="${esc(token)}">
${passwordField('reset-password', 'password', v.t.newPassword, 'new-password', null)}
${passwordField('reset-password-2', 'repeat', v.t.repeatPassword, 'new-password', null)}
<button>${v.t.savePassword}</button></form>`;

    // The mailed link opens the form; only its post uses the link (mail scanners fetch links).
    scope.get<{ Params: { slug: string }; Querystring: { token?: string } }>('/portal/:slug/reset-password', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      const token = typeof req.query.token === 'string' ? req.query.token.slice(0, 200) : '';
      return page(reply, v, { title: v.t.resetTitle, path: '/reset-password', body: resetForm(v, token, null) });
    });

    scope.post<{ Params: { slug: string } }>('/portal/:slug/reset-password', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      const form = formOf(req);
      if (!formAllowed(req, form)) return expired(reply, v);
      const token = String(form.fields.token ?? '').slice(0, 200);
      const password = String(form.fields.password ?? '');
      const again = (text: string, status: number) => page(reply, v, { title: v.t.resetTitle, path: '/reset-password', status, body: resetForm(v, token, text) });
      if (password !== String(form.fields.repeat ?? '')) return again(v.t.passwordsDiffer, 400);
      const input = PasswordResetConfirmInput.safeParse({ token, password });
      if (!input.success) return input.error.issues.some((i) => i.path[0] === 'password') ? again(v.t.passwordPolicy, 400) : again(v.t.resetInvalid, 400);
      try {
        await core.confirmPasswordReset(deps, input.data, { ip: req.ip, requestId: req.id });
      } catch (e) {
        if (!core.isAppError(e) || e.code !== 'RESET_TOKEN_INVALID') throw e;
        return page(reply, v, { title: v.t.resetTitle, path: '/reset-password', status: 400, body: `<h1>${v.t.resetTitle}</h1><p class="error" role="alert">${v.t.resetInvalid}</p><p><a href="${v.base}/forgot-password${q(v)}">${v.t.forgot}</a></p>` });
      }
      // Every session of the account ended, this browser's too: sign in again with the new password.
      reply.clearCookie(core.PORTAL_SESSION_COOKIE, { path: '/portal' });
      const signedOut = { ...v, customer: null };
      return page(reply, signedOut, { title: v.t.signIn, path: '', body: `<h1>${v.t.signInTitle}</h1>${signInForms(signedOut, `<p class="ok" role="status">${v.t.resetDone}</p>`)}` });
    });

    // ---------------------------------------------------------------- a new request
    interface Draft {
      subject: string;
      description: string;
      categoryId: string;
      email: string;
      name: string;
      visit: string;
    }

    async function requestForm(
      reply: FastifyReply,
      v: Visitor,
      d: Draft,
      extra: { errors?: Array<{ field: string; text: string }>; status?: number; suggestions?: core.Suggestion[] | null; filesLost?: boolean } = {},
    ) {
      const t = v.t;
      const categories = await core.listTicketCategories(deps, v.publicCtx);
      const errors = extra.errors ?? [];
      const invalid = (f: string) => (errors.some((e) => e.field === f) ? ' aria-invalid="true"' : '');
      const described = (f: string) => (errors.some((e) => e.field === f) ? ` aria-describedby="err-${f}"` : '');
      const errorText = (f: string) => errors.filter((e) => e.field === f).map((e) => `<span id="err-${f}" class="error-text" style="color:#b3261e;display:block">${esc(e.text)}</span>`).join('');
      const summary = errors.length
        ? `<div class="error" role="alert" tabindex="-1" id="errors"><h2>${t.errorTitle}</h2><p>${t.errorIntro}</p><ul>${errors.map((e) => `<li><a href="#f-${e.field}">${esc(e.text)}</a></li>`).join('')}</ul>${extra.filesLost ? `<p>${t.chooseAgain}</p>` : ''}</div>`
        : '';
      const suggestionList = (items: core.Suggestion[]) =>
        items.length
          ? `<h2>${t.suggestions}</h2><ul>${items.map((s) => `<li><a href="${v.base}/articles/${s.articleId}${q(v, `&visit=${encodeURIComponent(d.visit)}`)}" target="_blank" rel="noopener">${esc(s.title)}</a><br><span class="muted">${markSnippet(s.snippet)}</span></li>`).join('')}</ul>`
          : `<p>${t.noSuggestions}</p>`;
      const anonymous = !v.customer;
      const nonce = randomBytes(16).toString('base64');
      const body = `<h1>${t.newRequest}</h1>${summary}
<form id="request-form" method="post" action="${v.base}/requests${q(v)}" enctype="multipart/form-data" novalidate>
<input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="visit" value="${esc(d.visit)}">
${anonymous ? `<label for="f-email">${t.email}</label><input id="f-email" type="email" name="email" autocomplete="email" required value="${esc(d.email)}"${invalid('email')}${described('email')}>${errorText('email')}
<label for="f-name">${t.name}</label><input id="f-name" type="text" name="name" autocomplete="name" maxlength="200" value="${esc(d.name)}">` : ''}
${categories.length ? `<label for="f-category">${t.category}</label><select id="f-category" name="categoryId" required${invalid('category')}${described('category')}><option value="">${t.choose}</option>${categories.map((c) => `<option value="${c.id}"${c.id === d.categoryId ? ' selected' : ''}>${esc(core.categoryName(c, v.lang))}</option>`).join('')}</select>${errorText('category')}` : ''}
<label for="f-subject">${t.subject}</label><input id="f-subject" type="text" name="subject" maxlength="500" required value="${esc(d.subject)}"${invalid('subject')}${described('subject')}>${errorText('subject')}
<label for="f-description">${t.description}</label><textarea id="f-description" name="description" rows="8" required${invalid('description')}${described('description')}>${esc(d.description)}</textarea>${errorText('description')}
<div id="suggestions" aria-live="polite"${extra.suggestions ? '' : ' hidden'}>${extra.suggestions ? suggestionList(extra.suggestions) : ''}</div>
<label for="f-attachments">${t.files}</label><input id="f-attachments" type="file" name="attachments" multiple${invalid('attachments')}${described('attachments')}>${errorText('attachments')}
<p><button name="intent" value="send">${t.send}</button> <button name="intent" value="suggest" formnovalidate>${t.findAnswers}</button></p>
</form>`;
      const suggestUrl = `${v.base}/suggest?lang=${v.lang}&visit=${encodeURIComponent(d.visit)}`;
      // Progressive enhancement: suggestions while typing. Built with textContent, never innerHTML.
      const code = `(function(){var f=document.getElementById('request-form'),out=document.getElementById('suggestions');if(!f||!out||!window.fetch)return;
var s=f.elements.subject,d=f.elements.description,timer=null,last='';
function show(items){while(out.firstChild)out.removeChild(out.firstChild);out.hidden=!items.length;if(!items.length)return;
var h=document.createElement('h2');h.textContent=${jsString(t.suggestions)};out.appendChild(h);var ul=document.createElement('ul');
items.forEach(function(i){var li=document.createElement('li'),a=document.createElement('a');a.href=i.url;a.target='_blank';a.rel='noopener';a.textContent=i.title;li.appendChild(a);ul.appendChild(li);});out.appendChild(ul);}
function run(){var text=(s.value+' '+d.value).trim();if(text.length<4||text===last)return;last=text;
fetch(${jsString(suggestUrl)}+'&q='+encodeURIComponent(text.slice(0,300)),{credentials:'same-origin'}).then(function(r){return r.ok?r.json():{items:[]};}).then(function(j){show(j.items||[]);}).catch(function(){});}
function later(){clearTimeout(timer);timer=setTimeout(run,500);}s.addEventListener('input',later);d.addEventListener('input',later);
var e=document.getElementById('errors');if(e)e.focus();})();`;
      return page(reply, v, { title: t.newRequest, path: '/requests/new', body, status: extra.status ?? 200, script: { nonce, code } });
    }

    const newVisit = () => randomBytes(18).toString('base64url');

    scope.get<{ Params: { slug: string } }>('/portal/:slug/requests/new', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      if (v.staff) return page(reply, v, { title: v.t.portal, path: '', body: `<h1>${v.t.portal}</h1><p>${v.t.staffNote}</p><p><a href="/">${v.t.agentApp}</a></p>` });
      return requestForm(reply, v, { subject: '', description: '', categoryId: '', email: '', name: '', visit: newVisit() });
    });

    scope.post<{ Params: { slug: string } }>('/portal/:slug/requests', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      const form = formOf(req);
      if (!formAllowed(req, form)) return expired(reply, v);
      if (v.staff) return page(reply, v, { title: v.t.portal, path: '', status: 403, body: `<h1>${v.t.portal}</h1><p>${v.t.staffNote}</p>` });
      const f = form.fields;
      const draft: Draft = {
        subject: String(f.subject ?? '').slice(0, 600),
        description: String(f.description ?? '').slice(0, MAX_BODY_CHARS + 1000),
        categoryId: uuidRe.test(f.categoryId ?? '') ? f.categoryId!.toLowerCase() : '',
        email: String(f.email ?? '').slice(0, 254),
        name: String(f.name ?? '').slice(0, 200),
        visit: core.VISIT_ID.test(f.visit ?? '') ? f.visit! : newVisit(),
      };
      const files = form.files.filter((x) => x.field === 'attachments');
      const t = v.t;
      if (f.intent === 'suggest') {
        const suggestions = await core.suggestArticles(deps, v.publicCtx, { text: `${draft.subject} ${draft.description}`, language: v.lang, visit: draft.visit });
        return requestForm(reply, v, draft, { suggestions, filesLost: files.length > 0 });
      }
      const errors: Array<{ field: string; text: string }> = [];
      const address = emailSchema.safeParse(draft.email);
      if (!v.customer && !address.success) errors.push({ field: 'email', text: t.emailRequired });
      const categories = await core.listTicketCategories(deps, v.publicCtx);
      if (categories.length && !categories.some((c) => c.id === draft.categoryId)) errors.push({ field: 'category', text: t.categoryRequired });
      if (!draft.subject.trim()) errors.push({ field: 'subject', text: t.subjectRequired });
      else if (draft.subject.trim().length > 500) errors.push({ field: 'subject', text: t.subjectTooLong });
      if (!draft.description.trim()) errors.push({ field: 'description', text: t.bodyRequired });
      else if (draft.description.length > MAX_BODY_CHARS) errors.push({ field: 'description', text: t.bodyTooLong });
      if (files.length > core.PORTAL_MAX_FILES) errors.push({ field: 'attachments', text: t.tooManyFiles });
      const big = files.find((x) => x.content.length > core.PORTAL_MAX_FILE_BYTES);
      if (big) errors.push({ field: 'attachments', text: t.tooLarge(big.filename) });
      if (errors.length) return requestForm(reply, v, draft, { errors, status: big ? 413 : 400, filesLost: files.length > 0 });
      const input = {
        subject: draft.subject.trim(),
        body: draft.description.trim(),
        categoryId: draft.categoryId || null,
        language: v.lang,
        files: files.map((x) => ({ filename: x.filename, content: x.content })),
      };
      try {
        if (v.customer) {
          const ticket = await core.submitPortalRequest(deps, v.customer.ctx, input);
          await core.recordDeflection(deps, v.publicCtx, { kind: 'submitted', visit: draft.visit, ticketId: ticket.id, language: v.lang });
          return redirect(reply, `${v.base}/requests/${ticket.number}${q(v, '&sent=1')}`);
        }
        const r = await core.submitAnonymousRequest(
          deps, v.workspace, { ...input, email: address.data!, name: draft.name.trim() || null }, { baseUrl: baseUrl() }, { ip: req.ip, requestId: req.id },
        );
        await core.recordDeflection(deps, v.publicCtx, { kind: 'submitted', visit: draft.visit, ticketId: r.id, language: v.lang });
        return page(reply, v, { title: t.checkTitle, path: '/requests/new', body: `<h1>${t.checkTitle}</h1><p class="ok" role="status">${esc(t.check(r.number, address.data!))}</p>` });
      } catch (e) {
        if (!core.isAppError(e)) throw e;
        if (e.code === 'RATE_LIMITED') return requestForm(reply, v, draft, { errors: [{ field: 'subject', text: t.rateLimited }], status: 429, filesLost: files.length > 0 });
        if (e.code === 'TICKET_CATEGORY_NOT_FOUND') return requestForm(reply, v, draft, { errors: [{ field: 'category', text: t.categoryRequired }], status: 400, filesLost: files.length > 0 });
        if (e.code === 'PAYLOAD_TOO_LARGE') return requestForm(reply, v, draft, { errors: [{ field: 'attachments', text: t.tooLarge('') }], status: 413, filesLost: true });
        if (e.code === 'VALIDATION_FAILED') return requestForm(reply, v, draft, { errors: [{ field: 'description', text: e.message }], status: 400, filesLost: files.length > 0 });
        throw e;
      }
    });

    // ---------------------------------------------------------------- an anonymous request's confirmation
    scope.get<{ Params: { slug: string }; Querystring: { token?: string } }>('/portal/:slug/confirm', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      const token = typeof req.query.token === 'string' ? req.query.token.slice(0, 200) : '';
      return page(reply, v, {
        title: v.t.confirmTitle, path: '/confirm',
        body: `<h1>${v.t.confirmTitle}</h1><p>${v.t.confirmText}</p><form method="post" action="${v.base}/confirm${q(v)}"><input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="token" value="${esc(token)}"><button autofocus>${v.t.confirmButton}</button></form>`,
      });
    });

    scope.post<{ Params: { slug: string } }>('/portal/:slug/confirm', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      const form = formOf(req);
      if (!formAllowed(req, form)) return expired(reply, v);
      try {
        const r = await core.confirmAnonymousRequest(deps, v.workspace, String(form.fields.token ?? '').slice(0, 200), { ip: req.ip, requestId: req.id });
        if (r.session) reply.setCookie(core.PORTAL_SESSION_COOKIE, r.session.token, portalCookieOptions(opts.secure, r.session.expiresAt));
        return redirect(reply, r.session ? `${v.base}/requests/${r.number}${q(v)}` : `${v.base}${q(v)}`);
      } catch (e) {
        if (!core.isAppError(e) || e.code !== 'PORTAL_LINK_INVALID') throw e;
        return page(reply, v, { title: v.t.confirmTitle, path: '', status: 400, body: `<h1>${v.t.confirmTitle}</h1><p class="error" role="alert">${v.t.confirmInvalid}</p>${signInForms(v)}` });
      }
    });

    // ---------------------------------------------------------------- one request
    async function requestPage(reply: FastifyReply, v: Visitor, ref: string, flash: string | null, errorText: string | null = null, draft = '', status = 200) {
      const c = v.customer!;
      const { ticket, access, messages, mine } = await core.getPortalRequest(deps, c.ctx, ref);
      const t = v.t;
      const category = ticket.categoryId ? await deps.store.ticketCategories.findById(v.workspace.id, ticket.categoryId) : null;
      const conversation = messages
        .map((m) => {
          const byCustomer = m.authorId === ticket.requesterId;
          const who = m.authorId === c.auth.user.id ? t.you : byCustomer ? (m.author?.name ?? '') : (m.author?.name ?? t.support);
          const files = m.attachments.filter((a) => a.sha256 && !a.inline);
          return `<article class="msg${m.authorId === c.auth.user.id ? ' you' : ''}"><h3>${esc(who)} · <time datetime="${m.createdAt.toISOString()}">${dateFmt(m.createdAt, v.lang)}</time></h3><div class="msg-body">${
            // Written in Guichet (a formatted reply): its HTML, safe by construction or sanitised on the way in.
            // Mail keeps its text here: its HTML carries the quoted history and inline parts meant for staff.
            m.bodyHtml && m.channel !== 'email' ? m.bodyHtml : paragraphs(m.bodyText)
          }</div>${
            files.length ? `<p>${t.attachments}:</p><ul>${files.map((a) => `<li><a href="${v.base}/requests/${ticket.number}/attachments/${m.id}/${a.id}">${esc(a.filename)}</a> <span class="muted">(${Math.ceil(a.sizeBytes / 1024)} KB)</span></li>`).join('')}</ul>` : ''
          }</article>`;
        })
        .join('\n');
      const replyForm = access.reply
        ? `<section aria-labelledby="reply"><h2 id="reply">${t.reply}</h2>${errorText ? `<p class="error" role="alert" id="reply-error">${esc(errorText)}</p>` : ''}
<form method="post" action="${v.base}/requests/${ticket.number}/reply${q(v)}" enctype="multipart/form-data"><input type="hidden" name="csrf" value="${v.csrf}">
<label for="r-body">${t.reply}</label><textarea id="r-body" name="body" rows="6" required${errorText ? ' aria-invalid="true" aria-describedby="reply-error"' : ''}>${esc(draft)}</textarea>
<label for="r-files">${t.files}</label><input id="r-files" type="file" name="attachments" multiple>
<button>${t.sendReply}</button></form></section>`
        : '';
      const closeForm =
        mine && access.update && ticket.status !== 'solved'
          ? `<section><form method="post" action="${v.base}/requests/${ticket.number}/close${q(v)}"><input type="hidden" name="csrf" value="${v.csrf}"><p class="muted">${t.closeHint}</p><button>${t.close}</button></form></section>`
          : '';
      const state = ticket.status === 'closed' ? `<p>${t.closedNote}</p>` : ticket.status === 'solved' ? `<p>${t.solvedNote}</p>` : '';
      const body = `${flash ? `<p class="ok" role="status">${flash}</p>` : ''}<h1>#${ticket.number} ${esc(ticket.subject)}</h1>
<p><strong>${t.colStatus}:</strong> ${STATUS[v.lang][ticket.status]}${category ? ` · <strong>${t.category}:</strong> ${esc(core.categoryName(category, v.lang))}` : ''}${!mine ? ` · ${t.fromOrg} (${esc(ticket.requester.name)})` : ''}</p>
${state}${conversation}${replyForm}${closeForm}<p><a href="${v.base}${q(v)}">${t.myRequests}</a></p>`;
      return page(reply, v, { title: `#${ticket.number} ${ticket.subject}`, path: `/requests/${ticket.number}`, body, status });
    }

    /** Run `work` for a signed-in customer; a request they may not read is the plain 404 page. */
    async function asCustomer(req: FastifyRequest, reply: FastifyReply, slug: string, ref: string, work: (v: Visitor) => Promise<unknown>, post = false) {
      const v = await visit(req, reply, slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      if (post && !formAllowed(req, formOf(req))) return expired(reply, v);
      if (!v.customer) return page(reply, v, { title: v.t.signIn, path: '', status: 401, body: `<h1>${v.t.signInTitle}</h1>${signInForms(v)}` });
      if (!refRe.test(ref)) return notFound(reply, v, v.lang);
      try {
        return await work(v);
      } catch (e) {
        if (core.isAppError(e) && (e.code === 'TICKET_NOT_FOUND' || e.code === 'ATTACHMENT_NOT_FOUND')) return notFound(reply, v, v.lang);
        throw e;
      }
    }

    scope.get<{ Params: { slug: string; ref: string }; Querystring: { sent?: string; replied?: string; closed?: string } }>('/portal/:slug/requests/:ref', async (req, reply) =>
      asCustomer(req, reply, req.params.slug, req.params.ref, (v) =>
        requestPage(reply, v, req.params.ref, req.query.sent ? v.t.sent : req.query.replied ? v.t.replied : req.query.closed ? v.t.closedNow : null),
      ),
    );

    scope.post<{ Params: { slug: string; ref: string } }>('/portal/:slug/requests/:ref/reply', async (req, reply) =>
      asCustomer(req, reply, req.params.slug, req.params.ref, async (v) => {
        const form = formOf(req);
        const text = String(form.fields.body ?? '');
        const files = form.files.filter((x) => x.field === 'attachments');
        const big = files.find((x) => x.content.length > core.PORTAL_MAX_FILE_BYTES);
        if (big) return requestPage(reply, v, req.params.ref, null, v.t.tooLarge(big.filename), text, 413);
        if (files.length > core.PORTAL_MAX_FILES) return requestPage(reply, v, req.params.ref, null, v.t.tooManyFiles, text, 400);
        if (!text.trim()) return requestPage(reply, v, req.params.ref, null, v.t.replyRequired, text, 400);
        if (text.length > MAX_BODY_CHARS) return requestPage(reply, v, req.params.ref, null, v.t.bodyTooLong, text, 400);
        try {
          await core.replyToPortalRequest(deps, v.customer!.ctx, req.params.ref, { body: text.trim(), files: files.map((x) => ({ filename: x.filename, content: x.content })) });
        } catch (e) {
          if (core.isAppError(e) && (e.code === 'INVALID_STATUS_TRANSITION' || e.code === 'FORBIDDEN')) return requestPage(reply, v, req.params.ref, null, v.t.closedNote, text, 409);
          throw e;
        }
        return redirect(reply, `${v.base}/requests/${req.params.ref}${q(v, '&replied=1')}`);
      }, true),
    );

    scope.post<{ Params: { slug: string; ref: string } }>('/portal/:slug/requests/:ref/close', async (req, reply) =>
      asCustomer(req, reply, req.params.slug, req.params.ref, async (v) => {
        try {
          await core.closePortalRequest(deps, v.customer!.ctx, req.params.ref);
        } catch (e) {
          if (core.isAppError(e) && (e.code === 'FORBIDDEN' || e.code === 'INVALID_STATUS_TRANSITION')) return requestPage(reply, v, req.params.ref, null, v.t.closedNote, '', 409);
          throw e;
        }
        return redirect(reply, `${v.base}/requests/${req.params.ref}${q(v, '&closed=1')}`);
      }, true),
    );

    scope.get<{ Params: { slug: string; ref: string; messageId: string; attachmentId: string } }>('/portal/:slug/requests/:ref/attachments/:messageId/:attachmentId', async (req, reply) =>
      asCustomer(req, reply, req.params.slug, req.params.ref, async (v) => {
        if (!uuidRe.test(req.params.messageId) || !uuidRe.test(req.params.attachmentId)) return notFound(reply, v, v.lang);
        const { ticket } = await core.getPortalRequest(deps, v.customer!.ctx, req.params.ref);
        const { attachment, content } = await core.getAttachment(deps, v.customer!.ctx, ticket.id, req.params.messageId, req.params.attachmentId);
        return sendAttachment(reply, attachment, content);
      }),
    );

    // ---------------------------------------------------------------- deflection
    scope.get<{ Params: { slug: string }; Querystring: { q?: string; visit?: string } }>('/portal/:slug/suggest', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      reply.header('cache-control', 'no-store');
      if (!v) return reply.code(404).send({ items: [] });
      const text = typeof req.query.q === 'string' ? req.query.q.slice(0, 300) : '';
      const visitId = typeof req.query.visit === 'string' && core.VISIT_ID.test(req.query.visit) ? req.query.visit : null;
      const items = await core.suggestArticles(deps, v.publicCtx, { text, language: v.lang, visit: visitId });
      return {
        items: items.map((s) => ({
          articleId: s.articleId,
          title: s.title,
          url: `${v.base}/articles/${s.articleId}?lang=${v.lang}${visitId ? `&visit=${visitId}` : ''}`,
        })),
      };
    });

    async function articlePage(req: FastifyRequest<{ Params: { slug: string; id: string }; Querystring: { visit?: string } }>, reply: FastifyReply, solved: boolean) {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      if (!uuidRe.test(req.params.id)) return notFound(reply, v, v.lang);
      const visitId = typeof req.query.visit === 'string' && core.VISIT_ID.test(req.query.visit) ? req.query.visit : null;
      let a: core.ArticleResult;
      try {
        a = await core.helpCenterArticle(deps, v.publicCtx, req.params.id);
        if (!solved) await core.recordDeflection(deps, v.publicCtx, { kind: 'clicked', visit: visitId, articleId: req.params.id, language: v.lang });
      } catch (e) {
        if (core.isAppError(e)) return notFound(reply, v, v.lang);
        throw e;
      }
      const tr = a.view.translations.find((x) => x.language === v.lang) ?? a.view.translations[0]!;
      const t = v.t;
      const after = solved
        ? `<p class="ok" role="status">${t.solvedThanks}</p>`
        : `<form method="post" action="${v.base}/articles/${a.view.article.id}/solved${q(v, visitId ? `&visit=${visitId}` : '')}"><input type="hidden" name="csrf" value="${v.csrf}"><button>${t.solvedIt}</button></form>`;
      return page(reply, v, {
        title: tr.title, path: `/articles/${a.view.article.id}`,
        body: `<article><h1>${esc(tr.title)}</h1>${renderMarkdown(tr.body)}</article><hr>${after}<p><a href="${v.base}/requests/new${q(v)}">${t.backToForm}</a></p>`,
      });
    }

    scope.get<{ Params: { slug: string; id: string }; Querystring: { visit?: string } }>('/portal/:slug/articles/:id', async (req, reply) => articlePage(req, reply, false));

    scope.get<{ Params: { slug: string } }>('/portal/:slug/*', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      return notFound(reply, v, v?.lang ?? langOf(req.query, 'en'));
    });

    scope.post<{ Params: { slug: string; id: string }; Querystring: { visit?: string } }>('/portal/:slug/articles/:id/solved', async (req, reply) => {
      const v = await visit(req, reply, req.params.slug);
      if (!v) return notFound(reply, null, langOf(req.query, 'en'));
      if (!formAllowed(req, formOf(req))) return expired(reply, v);
      if (!uuidRe.test(req.params.id)) return notFound(reply, v, v.lang);
      const visitId = typeof req.query.visit === 'string' && core.VISIT_ID.test(req.query.visit) ? req.query.visit : null;
      try {
        await core.recordDeflection(deps, v.publicCtx, { kind: 'solved', visit: visitId, articleId: req.params.id, language: v.lang });
      } catch (e) {
        if (core.isAppError(e)) return notFound(reply, v, v.lang);
        throw e;
      }
      return articlePage(req, reply, true);
    });
  });
}

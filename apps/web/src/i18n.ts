/**
 * The interface's words in English and French. A small typed dictionary rather than an i18n
 * library: the French table must have exactly the English keys (a missing or stray key is a type
 * error, caught by `npm test`'s typecheck), it adds nothing to the bundle, and the few needs beyond
 * lookup (interpolation, plurals, dates) are covered by `{name}` placeholders and the browser's Intl.
 */
import { createContext, useContext } from 'react';

const en = {
  'app.name': 'Guichet',
  'login.title': 'Sign in to Guichet',
  'login.email': 'Email address',
  'login.password': 'Password',
  'login.workspace': 'Workspace',
  'login.workspaceHint': 'Your address has accounts in several workspaces: type the one you want (its short name).',
  'login.submit': 'Sign in',
  'login.busy': 'Signing in…',
  'login.forgot': 'Forgot your password?',
  'login.expired': 'Your session has ended. Sign in again: your draft is kept.',
  'login.invalid': 'This email address and password do not match.',
  'login.rateLimited': 'Too many attempts. Wait a few minutes and try again.',
  'reset.title': 'Reset your password',
  'reset.intro': 'Type your email address: we will send you a link to choose a new password.',
  'reset.submit': 'Send the link',
  'reset.sent': 'If an account uses this address, a link is on its way. It works once, for one hour.',
  'reset.back': 'Back to sign in',
  'reset.newTitle': 'Choose a new password',
  'reset.newPassword': 'New password (10 characters or more)',
  'reset.confirmSubmit': 'Save the new password',
  'reset.done': 'Your password is changed. Sign in with it.',
  'reset.badToken': 'This link is expired or was already used. Ask for a new one.',
  'nav.inbox': 'Inbox',
  'nav.signOut': 'Sign out',
  'nav.language': 'Language',
  'nav.shortcuts': 'Keyboard shortcuts',
  'view.mine': 'Mine',
  'view.unassigned': 'Unassigned',
  'view.myTeams': 'My teams',
  'view.open': 'All open',
  'view.recent': 'Recently updated',
  'view.all': 'All tickets',
  'view.saved': 'Saved view',
  'view.savedTitle': 'Saved views',
  'view.save': 'Save as view',
  'view.namePrompt': 'Name of the new view',
  'view.sharePrompt': 'Share this view with everyone in the workspace? (Cancel keeps it for you)',
  'view.delete': 'Delete the view {name}',
  'view.deleteConfirm': 'Delete the view “{name}”?',
  'view.saveFailed': 'The view was not saved: {message}',
  'inbox.search': 'Search tickets',
  'inbox.empty': 'No tickets here. Nice work.',
  'inbox.seeOpen': 'See all open tickets ({n})',
  'staffOnly.title': 'This is the agents’ workspace',
  'staffOnly.text': 'Your account is a customer account: follow your requests from the emails we send you.',
  'inbox.loading': 'Loading…',
  'inbox.loadMore': 'Loading more…',
  'inbox.error': 'The tickets could not be loaded: {message}',
  'inbox.retry': 'Retry',
  'inbox.count': '{n} shown',
  'inbox.countMore': '{n}+ shown',
  'inbox.selected': '{n} selected',
  'inbox.fresh': '{n} new — show',
  'inbox.selectAll': 'Select all shown',
  'inbox.clearSelection': 'Clear',
  'inbox.bulkDone': '{n} tickets updated',
  'inbox.bulkFailed': '{n} could not be updated',
  'filter.status': 'Status',
  'filter.priority': 'Priority',
  'filter.team': 'Team',
  'filter.assignee': 'Assignee',
  'filter.channel': 'Channel',
  'filter.language': 'Language',
  'filter.tag': 'Tag',
  'filter.any': 'Any',
  'filter.none': 'None',
  'filter.me': 'Me',
  'filter.clear': 'Clear filters',
  'sort.label': 'Sort',
  'sort.updated_at': 'Last updated',
  'sort.created_at': 'Newest',
  'sort.created_at_asc': 'Oldest',
  'sort.priority': 'Priority',
  'sort.number': 'Number',
  'bulk.assign': 'Assign…',
  'bulk.status': 'Status…',
  'bulk.priority': 'Priority…',
  'bulk.tag': 'Add tag…',
  'bulk.tagPrompt': 'Tag to add',
  'status.new': 'New',
  'status.open': 'Open',
  'status.pending': 'Pending',
  'status.on_hold': 'On hold',
  'status.solved': 'Solved',
  'status.closed': 'Closed',
  'priority.low': 'Low',
  'priority.normal': 'Normal',
  'priority.high': 'High',
  'priority.urgent': 'Urgent',
  'channel.email': 'Email',
  'channel.web': 'Web',
  'channel.portal': 'Portal',
  'channel.chat': 'Chat',
  'channel.api': 'API',
  'channel.phone': 'Phone',
  'col.subject': 'Subject',
  'col.requester': 'Requester',
  'col.assignee': 'Assignee',
  'col.updated': 'Updated',
  'ticket.back': 'Back to the list',
  'ticket.notFound': 'This ticket does not exist, or you may not see it.',
  'ticket.loading': 'Loading the ticket…',
  'ticket.properties': 'Properties',
  'ticket.status': 'Status',
  'ticket.priority': 'Priority',
  'ticket.assignee': 'Assignee',
  'ticket.team': 'Team',
  'ticket.tags': 'Tags',
  'ticket.addTag': 'Add a tag and press Enter',
  'ticket.removeTag': 'Remove tag {tag}',
  'ticket.customFields': 'Fields',
  'ticket.unassigned': 'Unassigned',
  'ticket.noTeam': 'No team',
  'ticket.assignMe': 'Assign to me',
  'ticket.customer': 'Customer',
  'ticket.organization': 'Organization',
  'ticket.otherTickets': 'Other tickets',
  'ticket.noOtherTickets': 'No other tickets.',
  'ticket.internalNote': 'Internal note',
  'ticket.system': 'System',
  'ticket.via': 'via {channel}',
  'ticket.attachments': 'Attachments',
  'ticket.conflict': 'Someone else changed this ticket meanwhile: it is reloaded, check and try again.',
  'ticket.saved': 'Saved',
  'ticket.saveFailed': 'Not saved: {message}',
  'ticket.readOnly': 'You can read this ticket but not change it.',
  'composer.reply': 'Reply',
  'composer.note': 'Internal note',
  'composer.replyPlaceholder': 'Write your reply to {name}…',
  'composer.notePlaceholder': 'Write a note only your colleagues will see…',
  'composer.send': 'Send',
  'composer.sendAnd': 'Send and set {status}',
  'composer.addNote': 'Add note',
  'composer.sending': 'Sending…',
  'composer.statusAfter': 'Status after sending',
  'composer.draftSaved': 'Draft saved',
  'composer.empty': 'Write something first.',
  'composer.sent': 'Sent',
  'composer.failed': 'Not sent: {message}. Your text is kept.',
  'event.created': '{actor} created the ticket',
  'event.status': '{actor} changed the status from {from} to {to}',
  'event.priority': '{actor} changed the priority from {from} to {to}',
  'event.assignee': '{actor} assigned it to {to}',
  'event.unassigned': '{actor} removed the assignee',
  'event.team': '{actor} moved it to team {to}',
  'event.noTeam': '{actor} removed the team',
  'event.tags': '{actor} changed the tags to {to}',
  'event.other': '{actor} changed {field}',
  'event.someone': 'Someone',
  'event.rule': 'A rule',
  'help.title': 'Keyboard shortcuts',
  'help.next': 'Next ticket',
  'help.prev': 'Previous ticket',
  'help.open': 'Open the selected ticket',
  'help.reply': 'Reply',
  'help.note': 'Internal note',
  'help.assign': 'Assign to me',
  'help.close': 'Close (set solved)',
  'help.search': 'Search',
  'help.select': 'Select the ticket under the cursor',
  'help.back': 'Back to the list / close this window',
  'help.send': 'Send the reply or note',
  'help.help': 'This help',
  'common.close': 'Close',
  'common.cancel': 'Cancel',
  'common.error': 'Something went wrong: {message}',
  'common.offline': 'The server cannot be reached. Check your connection.',
  'time.justNow': 'just now',
  // collision warning
  'presence.viewing': '{names} is also viewing this ticket.',
  'presence.viewingMany': '{names} are also viewing this ticket.',
  'presence.replying': '{names} is replying to this ticket: check before you send.',
  'presence.replyingMany': '{names} are replying to this ticket: check before you send.',
  'presence.and': '{a} and {b}',
} as const;

export type MessageKey = keyof typeof en;
type Dictionary = { readonly [K in MessageKey]: string };

const fr: Dictionary = {
  'app.name': 'Guichet',
  'login.title': 'Connexion à Guichet',
  'login.email': 'Adresse e-mail',
  'login.password': 'Mot de passe',
  'login.workspace': 'Espace de travail',
  'login.workspaceHint': 'Votre adresse a un compte dans plusieurs espaces : indiquez celui que vous voulez (son nom court).',
  'login.submit': 'Se connecter',
  'login.busy': 'Connexion…',
  'login.forgot': 'Mot de passe oublié ?',
  'login.expired': 'Votre session a pris fin. Reconnectez-vous : votre brouillon est conservé.',
  'login.invalid': 'Cette adresse e-mail et ce mot de passe ne correspondent pas.',
  'login.rateLimited': 'Trop de tentatives. Patientez quelques minutes avant de réessayer.',
  'reset.title': 'Réinitialiser votre mot de passe',
  'reset.intro': 'Indiquez votre adresse e-mail : nous vous enverrons un lien pour choisir un nouveau mot de passe.',
  'reset.submit': 'Envoyer le lien',
  'reset.sent': 'Si un compte utilise cette adresse, un lien est en route. Il ne sert qu’une fois, pendant une heure.',
  'reset.back': 'Retour à la connexion',
  'reset.newTitle': 'Choisir un nouveau mot de passe',
  'reset.newPassword': 'Nouveau mot de passe (10 caractères ou plus)',
  'reset.confirmSubmit': 'Enregistrer le mot de passe',
  'reset.done': 'Votre mot de passe est changé. Connectez-vous avec.',
  'reset.badToken': 'Ce lien a expiré ou a déjà servi. Demandez-en un nouveau.',
  'nav.inbox': 'Boîte de réception',
  'nav.signOut': 'Se déconnecter',
  'nav.language': 'Langue',
  'nav.shortcuts': 'Raccourcis clavier',
  'view.mine': 'Mes tickets',
  'view.unassigned': 'Non assignés',
  'view.myTeams': 'Mes équipes',
  'view.open': 'Tous les ouverts',
  'view.recent': 'Mis à jour récemment',
  'view.all': 'Tous les tickets',
  'view.saved': 'Vue enregistrée',
  'view.savedTitle': 'Vues enregistrées',
  'view.save': 'Enregistrer la vue',
  'view.namePrompt': 'Nom de la nouvelle vue',
  'view.sharePrompt': 'Partager cette vue avec tout l’espace de travail ? (Annuler la garde pour vous)',
  'view.delete': 'Supprimer la vue {name}',
  'view.deleteConfirm': 'Supprimer la vue « {name} » ?',
  'view.saveFailed': 'La vue n’a pas été enregistrée : {message}',
  'inbox.search': 'Rechercher des tickets',
  'inbox.empty': 'Aucun ticket ici. Beau travail.',
  'inbox.seeOpen': 'Voir tous les tickets ouverts ({n})',
  'staffOnly.title': 'Ceci est l’espace des agents',
  'staffOnly.text': 'Votre compte est un compte client : suivez vos demandes depuis les e-mails que nous vous envoyons.',
  'inbox.loading': 'Chargement…',
  'inbox.loadMore': 'Chargement de la suite…',
  'inbox.error': 'Impossible de charger les tickets : {message}',
  'inbox.retry': 'Réessayer',
  'inbox.count': '{n} affichés',
  'inbox.countMore': '{n}+ affichés',
  'inbox.selected': '{n} sélectionnés',
  'inbox.fresh': '{n} nouveaux — afficher',
  'inbox.selectAll': 'Tout sélectionner',
  'inbox.clearSelection': 'Effacer',
  'inbox.bulkDone': '{n} tickets modifiés',
  'inbox.bulkFailed': '{n} n’ont pas pu être modifiés',
  'filter.status': 'Statut',
  'filter.priority': 'Priorité',
  'filter.team': 'Équipe',
  'filter.assignee': 'Assigné à',
  'filter.channel': 'Canal',
  'filter.language': 'Langue',
  'filter.tag': 'Étiquette',
  'filter.any': 'Tous',
  'filter.none': 'Personne',
  'filter.me': 'Moi',
  'filter.clear': 'Effacer les filtres',
  'sort.label': 'Tri',
  'sort.updated_at': 'Dernière mise à jour',
  'sort.created_at': 'Plus récents',
  'sort.created_at_asc': 'Plus anciens',
  'sort.priority': 'Priorité',
  'sort.number': 'Numéro',
  'bulk.assign': 'Assigner…',
  'bulk.status': 'Statut…',
  'bulk.priority': 'Priorité…',
  'bulk.tag': 'Ajouter une étiquette…',
  'bulk.tagPrompt': 'Étiquette à ajouter',
  'status.new': 'Nouveau',
  'status.open': 'Ouvert',
  'status.pending': 'En attente',
  'status.on_hold': 'Suspendu',
  'status.solved': 'Résolu',
  'status.closed': 'Fermé',
  'priority.low': 'Basse',
  'priority.normal': 'Normale',
  'priority.high': 'Haute',
  'priority.urgent': 'Urgente',
  'channel.email': 'E-mail',
  'channel.web': 'Web',
  'channel.portal': 'Portail',
  'channel.chat': 'Chat',
  'channel.api': 'API',
  'channel.phone': 'Téléphone',
  'col.subject': 'Sujet',
  'col.requester': 'Demandeur',
  'col.assignee': 'Assigné à',
  'col.updated': 'Mis à jour',
  'ticket.back': 'Retour à la liste',
  'ticket.notFound': 'Ce ticket n’existe pas, ou vous ne pouvez pas le voir.',
  'ticket.loading': 'Chargement du ticket…',
  'ticket.properties': 'Propriétés',
  'ticket.status': 'Statut',
  'ticket.priority': 'Priorité',
  'ticket.assignee': 'Assigné à',
  'ticket.team': 'Équipe',
  'ticket.tags': 'Étiquettes',
  'ticket.addTag': 'Ajoutez une étiquette et appuyez sur Entrée',
  'ticket.removeTag': 'Retirer l’étiquette {tag}',
  'ticket.customFields': 'Champs',
  'ticket.unassigned': 'Non assigné',
  'ticket.noTeam': 'Aucune équipe',
  'ticket.assignMe': 'M’assigner',
  'ticket.customer': 'Client',
  'ticket.organization': 'Organisation',
  'ticket.otherTickets': 'Autres tickets',
  'ticket.noOtherTickets': 'Aucun autre ticket.',
  'ticket.internalNote': 'Note interne',
  'ticket.system': 'Système',
  'ticket.via': 'par {channel}',
  'ticket.attachments': 'Pièces jointes',
  'ticket.conflict': 'Quelqu’un a modifié ce ticket entre-temps : il est rechargé, vérifiez et réessayez.',
  'ticket.saved': 'Enregistré',
  'ticket.saveFailed': 'Non enregistré : {message}',
  'ticket.readOnly': 'Vous pouvez lire ce ticket mais pas le modifier.',
  'composer.reply': 'Répondre',
  'composer.note': 'Note interne',
  'composer.replyPlaceholder': 'Écrivez votre réponse à {name}…',
  'composer.notePlaceholder': 'Écrivez une note que seuls vos collègues verront…',
  'composer.send': 'Envoyer',
  'composer.sendAnd': 'Envoyer et passer en {status}',
  'composer.addNote': 'Ajouter la note',
  'composer.sending': 'Envoi…',
  'composer.statusAfter': 'Statut après l’envoi',
  'composer.draftSaved': 'Brouillon enregistré',
  'composer.empty': 'Écrivez d’abord quelque chose.',
  'composer.sent': 'Envoyé',
  'composer.failed': 'Non envoyé : {message}. Votre texte est conservé.',
  'event.created': '{actor} a créé le ticket',
  'event.status': '{actor} a changé le statut de {from} à {to}',
  'event.priority': '{actor} a changé la priorité de {from} à {to}',
  'event.assignee': '{actor} l’a assigné à {to}',
  'event.unassigned': '{actor} a retiré l’assignation',
  'event.team': '{actor} l’a confié à l’équipe {to}',
  'event.noTeam': '{actor} a retiré l’équipe',
  'event.tags': '{actor} a changé les étiquettes en {to}',
  'event.other': '{actor} a modifié {field}',
  'event.someone': 'Quelqu’un',
  'event.rule': 'Une règle',
  'help.title': 'Raccourcis clavier',
  'help.next': 'Ticket suivant',
  'help.prev': 'Ticket précédent',
  'help.open': 'Ouvrir le ticket sélectionné',
  'help.reply': 'Répondre',
  'help.note': 'Note interne',
  'help.assign': 'M’assigner le ticket',
  'help.close': 'Clore (passer en résolu)',
  'help.search': 'Rechercher',
  'help.select': 'Sélectionner le ticket sous le curseur',
  'help.back': 'Retour à la liste / fermer cette fenêtre',
  'help.send': 'Envoyer la réponse ou la note',
  'help.help': 'Cette aide',
  'common.close': 'Fermer',
  'common.cancel': 'Annuler',
  'common.error': 'Une erreur s’est produite : {message}',
  'common.offline': 'Le serveur est injoignable. Vérifiez votre connexion.',
  'time.justNow': 'à l’instant',
  // collision warning
  'presence.viewing': '{names} consulte aussi ce ticket.',
  'presence.viewingMany': '{names} consultent aussi ce ticket.',
  'presence.replying': '{names} est en train de répondre à ce ticket : vérifiez avant d’envoyer.',
  'presence.replyingMany': '{names} sont en train de répondre à ce ticket : vérifiez avant d’envoyer.',
  'presence.and': '{a} et {b}',
};

export const LOCALES = { en, fr } as const;
export type Locale = keyof typeof LOCALES;

const STORAGE_KEY = 'guichet.locale';

/** The user's setting when it is one we speak, else the choice made on this browser, else the browser's language. */
export function pickLocale(userLocale?: string | null): Locale {
  const base = (l: string | null | undefined) => (l ?? '').toLowerCase().split('-')[0];
  const fromUser = base(userLocale);
  if (fromUser === 'fr' || fromUser === 'en') return fromUser;
  const stored = safeStorage()?.getItem(STORAGE_KEY);
  if (stored === 'fr' || stored === 'en') return stored;
  for (const l of typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : []) {
    const b = base(l);
    if (b === 'fr' || b === 'en') return b;
  }
  return 'en';
}

export function rememberLocale(l: Locale): void {
  safeStorage()?.setItem(STORAGE_KEY, l);
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null;
  }
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const dict: Dictionary = LOCALES[locale];
  return (key, vars) => {
    const text = dict[key] ?? en[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  };
}

export interface I18n {
  locale: Locale;
  t: Translate;
  setLocale(l: Locale): void;
  /** "3 min ago", "yesterday", or a date, in the interface language. */
  ago(iso: string, now?: number): string;
  dateTime(iso: string): string;
}

export function makeI18n(locale: Locale, setLocale: (l: Locale) => void): I18n {
  const t = translator(locale);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  const dtf = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const df = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });
  return {
    locale,
    t,
    setLocale,
    ago(iso, now = Date.now()) {
      const s = Math.round((now - Date.parse(iso)) / 1000);
      if (s < 45) return t('time.justNow');
      if (s < 3600) return rtf.format(-Math.round(s / 60), 'minute');
      if (s < 86400) return rtf.format(-Math.round(s / 3600), 'hour');
      if (s < 7 * 86400) return rtf.format(-Math.round(s / 86400), 'day');
      return df.format(new Date(iso));
    },
    dateTime: (iso) => dtf.format(new Date(iso)),
  };
}

export const I18nContext = createContext<I18n>(makeI18n('en', () => {}));
export const useI18n = () => useContext(I18nContext);

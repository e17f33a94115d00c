/**
 * Texts of the demo's ticket history. Requests come from public datasets when they sit beside
 * the repository (`../shared/datasets`, see GUICHET_DATASETS_DIR): real customer queries of
 * bank-support (Banking77, CC BY 4.0) and the real questions and answers of StackFAQ (Web
 * Applications Stack Exchange, CC BY-SA). They are read at seed time, never shipped. Without
 * them, and for French (the datasets are English), the built-in texts below, written for Guichet.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvRows } from '@guichet/core';

/** What a request is about: it decides the team, the product, the tags and the answers. */
export type Topic = 'cards' | 'transfers' | 'accounts' | 'security' | 'billing' | 'tech' | 'howto';

export interface HistoryRequest {
  topic: Topic;
  subject: string;
  body: string;
  /** An answer written for this very request (StackFAQ's), else one of the topic's. */
  answer?: string;
}

export interface HistoryTexts {
  source: 'datasets' | 'built-in';
  en: HistoryRequest[];
  fr: HistoryRequest[];
}

/** bank-support's teams, as the demo's topics. */
const BANK_TOPICS: Record<string, Topic> = {
  cards: 'cards',
  payments: 'cards',
  cash: 'cards',
  'top-ups': 'billing',
  transfers: 'transfers',
  currencies: 'transfers',
  security: 'security',
  identity: 'accounts',
};

/** Every `step`-th item from `offset`, up to `count`: a spread sample that is the same at every seed. */
function sample<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]!);
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1).replace(/\s+\S*$/, '')}…`);

function bankRequests(dir: string, count: number): HistoryRequest[] {
  // incoming.csv: the same kind of queries as history.csv, five times smaller to read at a first start.
  const file = join(dir, 'bank-support', 'incoming.csv');
  if (!existsSync(file)) return [];
  const [header, ...rows] = parseCsvRows(readFileSync(file, 'utf8'));
  const col = (name: string) => header!.indexOf(name);
  const [subject, body, team] = [col('subject'), col('body'), col('team')];
  if (subject < 0 || body < 0 || team < 0) return [];
  const usable = rows.filter((r) => r.length === header!.length && BANK_TOPICS[r[team]!] && r[body]!.trim().length >= 25);
  return sample(usable, count).map((r) => ({ topic: BANK_TOPICS[r[team]!]!, subject: clip(r[subject]!.trim(), 90), body: r[body]!.trim() }));
}

function stackfaqRequests(dir: string, count: number): HistoryRequest[] {
  const corpusFile = join(dir, 'stackfaq', 'corpus.jsonl');
  const queriesFile = join(dir, 'stackfaq', 'queries.jsonl');
  if (!existsSync(corpusFile) || !existsSync(queriesFile)) return [];
  const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
  // A thread: its question, its first answer, and a customer's rephrasing of the need as the body.
  const answers = new Map<string, { title: string; text: string }>();
  for (const a of lines(corpusFile)) {
    const thread = /^(t\d+)-a0$/.exec(a.id ?? '')?.[1];
    if (thread && a.title && a.text && a.text.length <= 900) answers.set(thread, { title: a.title, text: a.text });
  }
  const asked = new Map<string, string>();
  for (const q of lines(queriesFile)) {
    const thread = /^q(\d+)-\d+$/.exec(q.id ?? '')?.[1];
    if (thread && q.text && !asked.has(`t${thread}`)) asked.set(`t${thread}`, q.text);
  }
  const threads = [...answers.entries()].filter(([t]) => asked.has(t));
  return sample(threads, count).map(([t, a]) => ({ topic: 'howto', subject: clip(a.title, 90), body: asked.get(t)!, answer: a.text }));
}

/** The history's texts: from the datasets in `datasetsDir` when they are there, else built in. */
export function loadHistoryTexts(datasetsDir: string | undefined): HistoryTexts {
  if (datasetsDir) {
    try {
      const en = [...bankRequests(datasetsDir, 110), ...stackfaqRequests(datasetsDir, 30)];
      if (en.length >= 40) return { source: 'datasets', en, fr: BUILT_IN_FR };
    } catch {
      // A damaged or unreadable dataset is no reason not to start: the built-in texts serve.
    }
  }
  return { source: 'built-in', en: BUILT_IN_EN, fr: BUILT_IN_FR };
}

const r = (topic: Topic, subject: string, body: string): HistoryRequest => ({ topic, subject, body });

export const BUILT_IN_EN: HistoryRequest[] = [
  r('cards', 'Card declined at a petrol station', 'My card was declined this morning at a petrol station even though I have plenty of money on the account. What happened?'),
  r('cards', 'Contactless stopped working', 'Contactless payments stopped working on my card yesterday; chip and PIN still works. Is there a limit I hit?'),
  r('cards', 'Charged twice for one purchase', 'I was charged twice for the same purchase at an online shop. The shop says they only took the money once. Can you check?'),
  r('cards', 'Card not arrived after 10 days', 'I ordered a replacement card ten days ago and it has not arrived yet. Can you tell me where it is?'),
  r('cards', 'Dispute a payment I do not recognise', 'There is a payment of 89.90 to a merchant I have never heard of on my statement. How do I dispute it?'),
  r('transfers', 'Transfer still pending after two days', 'I sent a transfer to a supplier two days ago and it still shows as pending. The supplier has not received anything.'),
  r('transfers', 'Wrong IBAN on a transfer', 'I made a transfer to the wrong IBAN by mistake this morning. Is there any way to recall it?'),
  r('transfers', 'Fees on an international payment', 'I was charged a fee on a payment to the US that I did not expect. Where can I see the fees before sending?'),
  r('transfers', 'Exchange rate looks wrong', 'The exchange rate applied to my transfer in dollars looks worse than the one shown in the app. Can you explain?'),
  r('accounts', 'Verification documents rejected', 'My identity documents were rejected during sign-up but the email does not say why. What should I send instead?'),
  r('accounts', 'Add a second director to the account', 'We have a new director who needs access to our business account. What do you need from us?'),
  r('accounts', 'Change the registered address', 'Our company moved offices. How do we change the registered address on the account?'),
  r('security', 'Locked out after too many attempts', 'I typed my password wrong too many times and now the app says my account is locked. How do I get back in?'),
  r('security', 'New phone, lost two-factor codes', 'I changed phones and my authenticator app did not move with me. I cannot sign in any more.'),
  r('security', 'Suspicious login email', 'I got an email about a sign-in from a city I have never been to. Was my account accessed?'),
  r('billing', 'Invoice for last month missing', 'I cannot find the invoice for last month in the app. Our accountant needs it for the VAT return.'),
  r('billing', 'Downgrade our plan', 'We would like to move to the smaller plan from next month. Will we lose anything?'),
  r('billing', 'Refund of a fee charged twice', 'The monthly fee was taken twice this month. Can you refund the second one?'),
  r('tech', 'Webhook deliveries failing', 'Since this morning our webhook endpoint receives nothing and the dashboard shows deliveries failing with a timeout.'),
  r('tech', 'API returns 401 with a new key', 'We created a new API key and every call now returns 401. The old key still works.'),
  r('tech', 'Export to accounting software', 'The CSV export does not import into our accounting software: the dates come out in the wrong format.'),
  r('tech', 'App crashes when opening statements', 'The mobile app closes itself every time I open the statements screen. I am on the latest version.'),
];

export const BUILT_IN_FR: HistoryRequest[] = [
  r('cards', 'Carte refusée chez un commerçant', "Ma carte a été refusée ce matin dans un magasin alors que le compte est largement approvisionné. Pouvez-vous regarder ce qui s'est passé ?"),
  r('cards', 'Le paiement sans contact ne marche plus', 'Depuis hier, le sans contact ne fonctionne plus avec ma carte ; avec le code, ça passe. Ai-je atteint un plafond ?'),
  r('cards', 'Débité deux fois pour un achat', "J'ai été débité deux fois pour le même achat sur un site marchand. Le commerçant affirme n'avoir encaissé qu'une fois."),
  r('cards', 'Nouvelle carte toujours pas reçue', "J'ai commandé une carte de remplacement il y a dix jours et je ne l'ai toujours pas reçue."),
  r('cards', 'Opération inconnue sur mon relevé', 'Je vois sur mon relevé un paiement de 54,20 € à un commerçant que je ne connais pas. Comment le contester ?'),
  r('cards', 'Augmenter le plafond de paiement', "Nous devons régler une grosse commande la semaine prochaine. Est-il possible d'augmenter temporairement le plafond de la carte ?"),
  r('transfers', 'Virement en attente depuis deux jours', "J'ai fait un virement à un fournisseur avant-hier et il est toujours « en cours ». Le fournisseur n'a rien reçu."),
  r('transfers', 'Erreur d’IBAN sur un virement', "J'ai envoyé un virement sur un mauvais IBAN ce matin. Peut-on encore le rappeler ?"),
  r('transfers', 'Prélèvement SEPA rejeté', "Le prélèvement de notre fournisseur d'énergie a été rejeté alors que le compte était approvisionné. Pourquoi ?"),
  r('transfers', 'Frais sur un virement international', "On m'a prélevé des frais sur un virement vers le Maroc que je n'attendais pas. Où voir les frais avant d'envoyer ?"),
  r('accounts', 'Justificatifs refusés à l’ouverture', "Mes justificatifs d'identité ont été refusés à l'ouverture du compte, sans explication. Que dois-je envoyer ?"),
  r('accounts', 'Ajouter un associé au compte', 'Un nouvel associé doit accéder au compte professionnel. De quels documents avez-vous besoin ?'),
  r('accounts', 'Changement d’adresse du siège', "Notre société a déménagé. Comment mettre à jour l'adresse du siège social ?"),
  r('accounts', 'Kbis demandé à nouveau', "Vous nous demandez un Kbis de moins de trois mois alors que nous l'avons envoyé le mois dernier. Est-ce normal ?"),
  r('security', 'Compte bloqué après plusieurs essais', "J'ai mal saisi mon mot de passe plusieurs fois et l'application indique que mon compte est bloqué."),
  r('security', 'Nouveau téléphone, plus de double authentification', "J'ai changé de téléphone et je n'ai plus accès à mes codes de double authentification."),
  r('security', 'Connexion suspecte signalée', "J'ai reçu un email au sujet d'une connexion depuis une ville où je ne suis jamais allé. Mon compte a-t-il été piraté ?"),
  r('billing', 'Facture du mois dernier introuvable', "Je ne trouve pas la facture du mois dernier dans l'application ; notre comptable en a besoin pour la TVA."),
  r('billing', 'Passer à une offre inférieure', "Nous souhaitons passer à l'offre inférieure le mois prochain. Perdrons-nous des fonctionnalités ?"),
  r('billing', 'Abonnement prélevé deux fois', "L'abonnement mensuel a été prélevé deux fois ce mois-ci. Pouvez-vous rembourser le second prélèvement ?"),
  r('billing', 'TVA absente de la facture', "Notre numéro de TVA intracommunautaire n'apparaît pas sur les factures. Pouvez-vous l'ajouter ?"),
  r('tech', 'Export FEC incomplet', "L'export FEC du trimestre ne contient pas les opérations des trois derniers jours. Notre expert-comptable bloque."),
  r('tech', 'Webhooks en échec depuis ce matin', 'Depuis ce matin, notre serveur ne reçoit plus aucun webhook et le tableau de bord affiche des délais dépassés.'),
  r('tech', 'L’application se ferme sur les relevés', "L'application mobile se ferme dès que j'ouvre l'écran des relevés. J'ai la dernière version."),
];

/** Answers by topic, with `{name}` the customer's first name and `{agent}` the agent's. */
export const ANSWERS: Record<'en' | 'fr', Record<Topic, string[]>> = {
  en: {
    cards: [
      'Hi {name},\n\nThanks for the details. I checked the card: it is active and nothing blocks it on our side. The decline came from a security check on that merchant; I have cleared it, so you can try again now.\n\n{agent}',
      'Hi {name},\n\nI looked into it: the second charge is a pre-authorisation that the merchant has not released yet. It drops off by itself within 7 days; if it is still there after that, reply here and I will open a dispute for you.\n\n{agent}',
    ],
    transfers: [
      'Hi {name},\n\nThe transfer left us the same day; it is held by the receiving bank for a compliance check, which usually takes one or two working days. I have asked them for an update and will let you know.\n\n{agent}',
      'Hi {name},\n\nFees and the rate are shown on the last screen before you confirm a transfer. For this one, the fee is the correspondent bank\'s; I have attached the breakdown to your account history.\n\n{agent}',
    ],
    accounts: [
      'Hi {name},\n\nThanks for getting in touch. We need a clear colour scan of a valid ID (both sides) and a proof of address under three months old. You can upload them in the app under Settings → Verification.\n\n{agent}',
    ],
    security: [
      'Hi {name},\n\nFor your safety I have reset the access to your account: you will receive a link by email to choose a new password and set up two-factor authentication on your new phone. Nothing unusual happened on the account.\n\n{agent}',
    ],
    billing: [
      'Hi {name},\n\nYou are right, the fee was taken twice. I have refunded the second one; it will show on your account within two working days. Sorry for the trouble.\n\n{agent}',
      'Hi {name},\n\nInvoices are in the app under Settings → Billing → Invoices; I have also sent last month\'s to this address.\n\n{agent}',
    ],
    tech: [
      'Hi {name},\n\nThanks for the report. Our engineers found the cause and deployed a fix this afternoon; could you try again and tell me whether it works for you now?\n\n{agent}',
    ],
    howto: ['Hi {name},\n\nHere is how to do it:\n\n{answer}\n\nLet me know if anything is unclear.\n\n{agent}'],
  },
  fr: {
    cards: [
      "Bonjour {name},\n\nMerci pour ces précisions. La carte est active et rien ne la bloque de notre côté : le refus venait d'un contrôle de sécurité sur ce commerçant, que j'ai levé. Vous pouvez réessayer dès maintenant.\n\n{agent}",
      "Bonjour {name},\n\nLe second débit est une pré-autorisation que le commerçant n'a pas encore libérée ; elle disparaît d'elle-même sous 7 jours. Si elle est toujours là ensuite, répondez-moi et j'ouvrirai une contestation.\n\n{agent}",
    ],
    transfers: [
      "Bonjour {name},\n\nLe virement est parti de chez nous le jour même ; il est retenu par la banque du bénéficiaire pour un contrôle de conformité, qui prend en général un à deux jours ouvrés. Je leur ai demandé où ils en sont.\n\n{agent}",
    ],
    accounts: [
      "Bonjour {name},\n\nMerci de votre message. Il nous faut un scan couleur lisible d'une pièce d'identité valide (recto verso) et un justificatif de domicile de moins de trois mois, à déposer dans l'application, rubrique Paramètres → Vérification.\n\n{agent}",
    ],
    security: [
      "Bonjour {name},\n\nPar précaution, j'ai réinitialisé l'accès à votre compte : vous allez recevoir un lien par email pour choisir un nouveau mot de passe et activer la double authentification sur votre nouveau téléphone. Aucune opération inhabituelle n'a eu lieu.\n\n{agent}",
    ],
    billing: [
      "Bonjour {name},\n\nVous avez raison, l'abonnement a été prélevé deux fois. J'ai remboursé le second prélèvement ; il apparaîtra sous deux jours ouvrés. Toutes nos excuses.\n\n{agent}",
      "Bonjour {name},\n\nLes factures sont dans l'application, rubrique Paramètres → Facturation → Factures ; je vous ai aussi envoyé celle du mois dernier à cette adresse.\n\n{agent}",
    ],
    tech: [
      "Bonjour {name},\n\nMerci pour le signalement. Nos ingénieurs ont trouvé la cause et déployé un correctif cet après-midi ; pouvez-vous réessayer et me dire si tout fonctionne ?\n\n{agent}",
    ],
    howto: ["Bonjour {name},\n\nVoici comment faire :\n\n{answer}\n\n{agent}"],
  },
};

/** What agents ask when they need more before they can help (the ticket then waits on the customer). */
export const QUESTIONS: Record<'en' | 'fr', string[]> = {
  en: [
    'Hi {name},\n\nTo look into this I need a little more: the date and amount of the operation, and the last four digits of the card or the transfer reference. Could you send them?\n\n{agent}',
    'Hi {name},\n\nCould you send a screenshot of the message you see? It will tell us exactly where it fails.\n\n{agent}',
  ],
  fr: [
    "Bonjour {name},\n\nPour avancer, il me faut quelques précisions : la date et le montant de l'opération, et les quatre derniers chiffres de la carte ou la référence du virement. Pouvez-vous me les envoyer ?\n\n{agent}",
    "Bonjour {name},\n\nPouvez-vous m'envoyer une capture d'écran du message affiché ? Cela nous dira exactement où ça bloque.\n\n{agent}",
  ],
};

export const CUSTOMER_FOLLOW_UPS: Record<'en' | 'fr', string[]> = {
  en: ['Thanks, that worked!', 'Perfect, thank you for the quick answer.', 'Here are the details you asked for: 14 March, 240.00, card ending 7731.', 'It works now, thanks a lot.', 'Thanks. Any news on this?'],
  fr: ['Merci, ça fonctionne !', 'Parfait, merci pour la réponse rapide.', 'Voici les éléments demandés : le 14 mars, 240,00 €, carte se terminant par 7731.', "C'est bon maintenant, merci beaucoup.", 'Merci. Avez-vous du nouveau ?'],
};

export const INTERNAL_NOTES: Record<'en' | 'fr', string[]> = {
  en: [
    'Checked the logs: nothing unusual on the account. Waiting for the customer.',
    'Same question from two other customers this week; worth an article.',
    'The customer also called about this; same answer given on the phone.',
    'Asked engineering to look at the logs for this one.',
  ],
  fr: [
    "Vérifié les journaux : rien d'anormal sur le compte. On attend le client.",
    'Même question de deux autres clients cette semaine ; ça mériterait un article.',
    'Le client a aussi appelé à ce sujet ; même réponse donnée au téléphone.',
    "Demandé à l'équipe technique de regarder les journaux.",
  ],
};

/** Customers who wrote in during the history, beyond the demo's main cast. */
export const HISTORY_CUSTOMERS: Array<{ name: string; email: string; locale: 'en' | 'fr' }> = [
  ...['Alice Turner', 'James Patel', 'Olivia Brooks', 'Noah Wright', 'Emily Scott', 'Liam Evans', 'Sophie Hughes', 'Daniel Reid', 'Chloe Bennett', 'Ryan Murphy', 'Zara Khan', 'Ethan Cole', 'Hannah Price', 'Lucas Gray', 'Mia Foster', 'Adam Shaw', 'Ella Ward', 'Jack Dunn'].map((name, i) => ({
    name,
    email: `${name.toLowerCase().replace(/\s+/g, '.')}@${['example.com', 'example.net', 'example.org'][i % 3]}`,
    locale: 'en' as const,
  })),
  ...['Léa Bonnet', 'Hugo Marchal', 'Inès Laurent', 'Louis Perrin', 'Manon Faure', 'Théo Mercier', 'Camille Blanc', 'Nathan Robin', 'Sarah Lemaire', 'Julie Caron', 'Maxime Colin', 'Zoé Renaud', 'Adrien Gautier', 'Margaux Picard'].map((name, i) => ({
    name,
    email: `${name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, '.')}@${['example.fr', 'example.com', 'example.net'][i % 3]}`,
    locale: 'fr' as const,
  })),
];

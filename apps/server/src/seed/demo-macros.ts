/**
 * The demo's shared macros: a small style guide of answers to frequent requests, in English and
 * French, with placeholders and, for some, the ticket changes that usually go with them.
 */
import { CreateMacroInput } from '@guichet/contracts';
import { createMacro, type Ctx, type Deps } from '@guichet/core';

interface DemoMacro {
  title: string;
  en: string;
  fr: string;
  actions?: { status?: 'open' | 'pending' | 'on_hold' | 'solved'; priority?: 'low' | 'normal' | 'high' | 'urgent'; addTags?: string[]; team?: string };
}

const MACROS: DemoMacro[] = [
  {
    title: 'Accusé de réception / We are on it',
    en: 'Hello {{customer.first_name}},\n\nThank you for writing to us. Your request #{{ticket.id}} ("{{ticket.subject}}") is with our team and we will come back to you within one business day.\n\nBest regards,\n{{agent.first_name}}',
    fr: 'Bonjour {{customer.first_name}},\n\nMerci pour votre message. Votre demande n° {{ticket.id}} (« {{ticket.subject}} ») est entre les mains de notre équipe ; nous revenons vers vous sous un jour ouvré.\n\nBien cordialement,\n{{agent.first_name}}',
  },
  {
    title: 'Demande de précisions / Need more details',
    en: 'Hello {{customer.first_name}},\n\nTo look into this, could you send us the date and amount of the operation, the last four digits of the card, and a screenshot of the message you saw?\n\nThank you,\n{{agent.name}}',
    fr: 'Bonjour {{customer.first_name}},\n\nPour étudier votre demande, pourriez-vous nous indiquer la date et le montant de l’opération, les quatre derniers chiffres de la carte et nous joindre une capture du message affiché ?\n\nMerci,\n{{agent.name}}',
    actions: { status: 'pending' },
  },
  {
    title: 'Carte bloquée par sécurité / Card blocked for security',
    en: 'Hello {{customer.first_name}},\n\nYour card was blocked by our fraud checks after an unusual payment. If you made that payment, you can unblock the card in the app (Cards › Security). If you did not, do nothing: we will send you a new card within five business days.\n\nKind regards,\n{{agent.first_name}}',
    fr: 'Bonjour {{customer.first_name}},\n\nVotre carte a été bloquée par nos contrôles anti-fraude après un paiement inhabituel. Si vous êtes à l’origine de ce paiement, vous pouvez la débloquer dans l’application (Cartes › Sécurité). Sinon, ne faites rien : une nouvelle carte vous sera envoyée sous cinq jours ouvrés.\n\nCordialement,\n{{agent.first_name}}',
    actions: { addTags: ['carte-bloquee'], team: 'cards' },
  },
  {
    title: 'Remboursement effectué / Refund issued',
    en: 'Hello {{customer.first_name}},\n\nGood news: the refund for request #{{ticket.id}} has been issued today. Depending on your bank it shows on your account within 3 to 5 business days.\n\nBest regards,\n{{agent.first_name}}',
    fr: 'Bonjour {{customer.first_name}},\n\nBonne nouvelle : le remboursement lié à la demande n° {{ticket.id}} a été émis aujourd’hui. Selon votre banque, il apparaîtra sur votre compte sous 3 à 5 jours ouvrés.\n\nBien cordialement,\n{{agent.first_name}}',
    actions: { status: 'solved', addTags: ['remboursement'] },
  },
  {
    title: 'Vérification d’identité (KYC) / Identity check',
    en: 'Hello {{customer.first_name}},\n\nTo finish opening the account for {{organization.name}}, we need a valid ID of the legal representative and a proof of address less than three months old. You can upload them in the app under Profile › Documents.\n\n{{agent.name}}',
    fr: 'Bonjour {{customer.first_name}},\n\nPour finaliser l’ouverture du compte de {{organization.name}}, il nous faut une pièce d’identité valide du représentant légal et un justificatif de domicile de moins de trois mois, à déposer dans l’application (Profil › Documents).\n\n{{agent.name}}',
    actions: { status: 'pending', addTags: ['kyc'], team: 'accounts' },
  },
  {
    title: 'API : erreur 429 / API: 429 Too Many Requests',
    en: 'Hello {{customer.first_name}},\n\nA 429 answer means the integration went over its rate limit (100 requests per second per key). Retry after the number of seconds given in the Retry-After header, with exponential backoff, and spread batch jobs over time. If you need a higher limit, tell us your expected peak and we will review it.\n\n{{agent.first_name}}, API support',
    fr: 'Bonjour {{customer.first_name}},\n\nUne réponse 429 signifie que l’intégration a dépassé sa limite de débit (100 requêtes par seconde et par clé). Réessayez après le nombre de secondes indiqué dans l’en-tête Retry-After, avec un délai croissant, et étalez les traitements par lots. S’il vous faut une limite plus haute, indiquez-nous votre pic attendu et nous l’étudierons.\n\n{{agent.first_name}}, support API',
    actions: { addTags: ['api', 'rate-limit'], team: 'tech' },
  },
  {
    title: 'Demande d’évolution notée / Feature request logged',
    en: 'Hello {{customer.first_name}},\n\nThank you for the suggestion. I have passed it to our product team with your use case; we cannot promise a date, but every request is read and counted. I will close this ticket for now.\n\nBest regards,\n{{agent.first_name}}',
    fr: 'Bonjour {{customer.first_name}},\n\nMerci pour cette suggestion. Je l’ai transmise à notre équipe produit avec votre cas d’usage ; nous ne pouvons pas promettre de date, mais chaque demande est lue et comptée. Je clos ce ticket pour le moment.\n\nBien cordialement,\n{{agent.first_name}}',
    actions: { status: 'solved', priority: 'low', addTags: ['evolution'] },
  },
  {
    title: 'Relance sans réponse / Checking in',
    en: 'Hello {{customer.first_name}},\n\nWe have not heard from you about request #{{ticket.id}}. Is everything working now? Without news from you we will close it in a few days; a reply reopens it at any time.\n\n{{agent.first_name}}',
    fr: 'Bonjour {{customer.first_name}},\n\nNous n’avons pas eu de nouvelles concernant la demande n° {{ticket.id}}. Tout fonctionne-t-il désormais ? Sans retour de votre part, nous la clôturerons dans quelques jours ; une réponse la rouvre à tout moment.\n\n{{agent.first_name}}',
    actions: { status: 'pending' },
  },
];

export const DEMO_MACRO_COUNT = MACROS.length;

export async function seedDemoMacros(deps: Deps, ctx: Ctx, teamIds: Map<string, string>): Promise<void> {
  for (const m of MACROS) {
    const { team, ...rest } = m.actions ?? {};
    const teamId = team ? teamIds.get(team) : undefined;
    if (team && !teamId) throw new Error(`demo macros: no team "${team}"`);
    await createMacro(deps, ctx, CreateMacroInput.parse({ title: m.title, bodyEn: m.en, bodyFr: m.fr, shared: true, actions: { ...rest, ...(teamId ? { teamId } : {}) } }));
  }
}

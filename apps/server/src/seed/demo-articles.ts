/**
 * The demo knowledge base: a few categories and French/English articles a business-banking
 * support team would keep, public (help center) and internal (agents only), one of them missing
 * its French translation and one proposed edit waiting for review.
 */
export interface DemoArticle {
  key: string;
  category: string;
  visibility: 'public' | 'internal';
  owner: { staff: string } | { team: string };
  tags: string[];
  intervalDays: number;
  template?: 'how_to' | 'troubleshooting' | 'faq' | 'feature_breakdown';
  en: { title: string; body: string };
  fr?: { title: string; body: string };
}

export const DEMO_ARTICLE_CATEGORIES = [
  { key: 'cards', names: { en: 'Cards and payments', fr: 'Cartes et paiements' }, descriptions: { en: 'Declined payments, limits, lost cards.', fr: 'Paiements refusés, plafonds, cartes perdues.' } },
  { key: 'transfers', names: { en: 'Transfers', fr: 'Virements' }, descriptions: { en: 'SEPA and international transfers.', fr: 'Virements SEPA et internationaux.' } },
  { key: 'account', names: { en: 'Account and security', fr: 'Compte et sécurité' }, descriptions: { en: 'Signing in, two-factor authentication, verification.', fr: 'Connexion, double authentification, vérification.' } },
  { key: 'agents', names: { en: 'Agent playbooks', fr: 'Procédures agents' }, descriptions: { en: 'Internal procedures.', fr: 'Procédures internes.' } },
];

export const DEMO_ARTICLES: DemoArticle[] = [
  {
    key: 'card-declined',
    category: 'cards',
    visibility: 'public',
    owner: { team: 'cards' },
    tags: ['card', 'declined', '3-d secure'],
    intervalDays: 90,
    template: 'troubleshooting',
    en: {
      title: 'Why was my card payment declined?',
      body: `Most declined payments have one of four causes.

1. **Limit reached**: check your daily and monthly limits under *Cards > Limits*. You can raise them yourself up to the plan's maximum.
2. **3-D Secure not confirmed**: approve the payment in the app within five minutes; an expired request declines the payment.
3. **Card frozen**: a frozen card refuses every payment. Unfreeze it under *Cards*.
4. **Merchant blocked**: some merchant categories (gambling, crypto exchanges) are blocked by default.

Still declined? Write to us with the date, the amount and the merchant's name.`,
    },
    fr: {
      title: 'Pourquoi mon paiement par carte a-t-il été refusé ?',
      body: `La plupart des paiements refusés ont l'une de ces quatre causes.

1. **Plafond atteint** : vérifiez vos plafonds journalier et mensuel dans *Cartes > Plafonds*. Vous pouvez les augmenter vous-même jusqu'au maximum de votre offre.
2. **3-D Secure non validé** : validez le paiement dans l'application sous cinq minutes ; une demande expirée refuse le paiement.
3. **Carte gelée** : une carte gelée refuse tous les paiements. Dégelez-la dans *Cartes*.
4. **Commerçant bloqué** : certaines catégories (jeux d'argent, plateformes crypto) sont bloquées par défaut.

Toujours refusé ? Écrivez-nous avec la date, le montant et le nom du commerçant.`,
    },
  },
  {
    key: 'lost-card',
    category: 'cards',
    visibility: 'public',
    owner: { staff: 'sophie' },
    tags: ['card', 'lost', 'stolen'],
    intervalDays: 180,
    template: 'how_to',
    en: {
      title: 'I lost my card or it was stolen',
      body: `Freeze the card at once in the app (*Cards > Freeze*): nothing can be paid with it while it is frozen.

If you are sure it is gone, choose *Report lost or stolen*. The card is cancelled and a new one is sent within 5 business days. Payments you do not recognise can be disputed from the transaction itself.`,
    },
    fr: {
      title: "J'ai perdu ma carte ou on me l'a volée",
      body: `Gelez immédiatement la carte dans l'application (*Cartes > Geler*) : aucun paiement n'est possible tant qu'elle est gelée.

Si vous êtes sûr de l'avoir perdue, choisissez *Déclarer perdue ou volée*. La carte est annulée et une nouvelle carte vous est envoyée sous 5 jours ouvrés. Vous pouvez contester un paiement inconnu depuis la transaction elle-même.`,
    },
  },
  {
    key: 'sepa-delay',
    category: 'transfers',
    visibility: 'public',
    owner: { team: 'accounts' },
    tags: ['sepa', 'transfer', 'delay'],
    intervalDays: 120,
    template: 'faq',
    en: {
      title: 'How long does a SEPA transfer take?',
      body: `An instant SEPA transfer arrives within seconds when the receiving bank supports it. A standard SEPA transfer sent before 3 pm on a business day arrives the next business day.

Transfers above 15,000 EUR may be held for a security review of up to one business day.`,
    },
    fr: {
      title: 'Combien de temps prend un virement SEPA ?',
      body: `Un virement SEPA instantané arrive en quelques secondes si la banque destinataire le permet. Un virement SEPA standard envoyé avant 15 h un jour ouvré arrive le jour ouvré suivant.

Les virements de plus de 15 000 EUR peuvent être retenus pour un contrôle de sécurité d'un jour ouvré au plus.`,
    },
  },
  {
    key: 'two-factor',
    category: 'account',
    visibility: 'public',
    owner: { staff: 'priya' },
    tags: ['2fa', 'login', 'security'],
    intervalDays: 60,
    template: 'how_to',
    en: {
      title: 'Set up or reset two-factor authentication',
      body: `Two-factor authentication protects every sign-in with a code from your authenticator app.

To move it to a new phone, sign in on the old phone and choose *Security > Move to a new device*. Lost your phone? Use one of your recovery codes, or ask us to reset it: we will check your identity with a selfie video first.`,
    },
  },
  {
    key: 'refund-fees',
    category: 'agents',
    visibility: 'internal',
    owner: { team: 'accounts' },
    tags: ['refund', 'fees', 'goodwill'],
    intervalDays: 30,
    en: {
      title: 'Refunding fees as a goodwill gesture',
      body: `Agents may refund up to 50 EUR of fees per customer per quarter without approval, when the customer was affected by an incident on our side.

Above 50 EUR, or for a second refund in the same quarter, ask a team lead in an internal note before answering the customer. Record the refund with the tag \`goodwill\`.`,
    },
    fr: {
      title: 'Rembourser des frais à titre commercial',
      body: `Les agents peuvent rembourser jusqu'à 50 EUR de frais par client et par trimestre sans validation, lorsque le client a subi un incident de notre fait.

Au-delà de 50 EUR, ou pour un second remboursement dans le trimestre, demandez l'accord d'un responsable dans une note interne avant de répondre au client. Ajoutez l'étiquette \`goodwill\`.`,
    },
  },
];

/** An edit proposed by a light agent, waiting for a knowledge manager. */
export const DEMO_PROPOSAL = {
  article: 'two-factor',
  by: 'julien',
  language: 'fr' as const,
  note: 'La traduction manquait ; les clients francophones la demandent souvent.',
  title: 'Activer ou réinitialiser la double authentification',
  body: `La double authentification protège chaque connexion par un code de votre application d'authentification.

Pour la transférer sur un nouveau téléphone, connectez-vous sur l'ancien et choisissez *Sécurité > Changer d'appareil*. Téléphone perdu ? Utilisez un de vos codes de secours, ou demandez-nous de la réinitialiser : nous vérifierons d'abord votre identité par une vidéo selfie.`,
};

/** Texts of the automatic mail, in French and English. */

export interface AutoAckValues {
  number: number;
  subject: string;
  name: string | null;
  /** Who signs: the mailbox's name. */
  signature: string;
}

/** French for a French locale (`fr`, `fr-CA`…), English otherwise. */
export function mailLanguage(locale: string | null | undefined): 'fr' | 'en' {
  return locale && /^fr\b/i.test(locale.trim()) ? 'fr' : 'en';
}

export function renderAutoAck(locale: string | null | undefined, v: AutoAckValues): { language: 'fr' | 'en'; text: string } {
  const language = mailLanguage(locale);
  const name = v.name?.trim();
  const text =
    language === 'fr'
      ? [
          name ? `Bonjour ${name},` : 'Bonjour,',
          '',
          `Nous avons bien reçu votre demande « ${v.subject} » et lui avons attribué le numéro de ticket #${v.number}.`,
          'Un membre de notre équipe vous répondra dès que possible.',
          '',
          'Pour compléter votre demande, répondez simplement à ce message.',
          '',
          `— ${v.signature}`,
          '',
          'Ce message est envoyé automatiquement.',
        ].join('\n')
      : [
          name ? `Hello ${name},` : 'Hello,',
          '',
          `We have received your request "${v.subject}" and opened ticket #${v.number} for it.`,
          'A member of our team will answer you as soon as possible.',
          '',
          'To add anything, simply reply to this email.',
          '',
          `— ${v.signature}`,
          '',
          'This message was sent automatically.',
        ].join('\n');
  return { language, text };
}

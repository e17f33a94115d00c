/**
 * Starting points for the recurring kinds of article (the API's `template`): the headings a
 * knowledge manager expects in each, in English and French, for the writer to fill in. Choosing
 * one on a new article fills the texts still empty and never overwrites what was typed.
 */
import type { ArticleLanguage, ArticleTemplate } from '@guichet/contracts';

export const TEMPLATES: ArticleTemplate[] = ['feature_breakdown', 'how_to', 'troubleshooting', 'faq'];

const BODIES: Record<ArticleTemplate, Record<ArticleLanguage, string>> = {
  feature_breakdown: {
    en: `## What it is

In one or two sentences: what the feature does.

## Who it is for

Which customers or plans have it, and who asked for it.

## Launch date

The date it reaches customers, and any gradual rollout.

## What to tell customers

The wording agents may reuse as it is.

## FAQ

**A question customers will ask?**
The answer.
`,
    fr: `## De quoi s'agit-il

En une ou deux phrases : ce que fait la fonctionnalité.

## Pour qui

Quels clients ou quelles offres en disposent, et qui l'a demandée.

## Date de lancement

La date à laquelle elle arrive chez les clients, et le déploiement progressif s'il y en a un.

## Ce qu'on dit aux clients

Les mots que les agents peuvent reprendre tels quels.

## Questions fréquentes

**Une question que les clients poseront ?**
La réponse.
`,
  },
  how_to: {
    en: `## Before you start

What the customer needs (access, plan, information).

## Steps

1. First step.
2. Second step.
3. Third step.

## Result

What the customer sees when it worked.
`,
    fr: `## Avant de commencer

Ce dont le client a besoin (accès, offre, informations).

## Étapes

1. Première étape.
2. Deuxième étape.
3. Troisième étape.

## Résultat

Ce que voit le client quand tout a fonctionné.
`,
  },
  troubleshooting: {
    en: `## Symptoms

What the customer sees, with the exact error message.

## Cause

Why it happens.

## Solution

1. First thing to try.
2. Then.

## If it still does not work

What to collect and where to escalate.
`,
    fr: `## Symptômes

Ce que voit le client, avec le message d'erreur exact.

## Cause

Pourquoi cela arrive.

## Solution

1. Première chose à essayer.
2. Ensuite.

## Si cela ne fonctionne toujours pas

Ce qu'il faut recueillir et à qui transmettre.
`,
  },
  faq: {
    en: `## Short answer

The answer in one sentence.

## Details

The conditions, the exceptions and the links that help.
`,
    fr: `## Réponse courte

La réponse en une phrase.

## En détail

Les conditions, les exceptions et les liens utiles.
`,
  },
};

export function templateBody(template: ArticleTemplate, lang: ArticleLanguage): string {
  return BODIES[template][lang];
}

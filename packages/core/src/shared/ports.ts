export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A time-ordered UUID (v7): index-friendly and sortable by creation. */
  uuid(): string;
}

export interface SecretGenerator {
  /** A URL-safe random secret of `bytes` bytes of entropy. */
  token(bytes: number): string;
  /** SHA-256 of a secret, hex; what the database keeps instead of the secret. */
  hash(secret: string): string;
}

/**
 * Server-held keys: signatures for values that travel outside (signed reply addresses) and
 * sealing for secrets kept at rest (mailbox passwords). Each purpose gets its own derived key.
 */
export interface Keyring {
  /** A URL-safe signature of `data` for `purpose`, `bytes` long before encoding. */
  sign(purpose: string, data: string, bytes?: number): string;
  /** Constant-time check of a signature made by `sign` with the same purpose and length. */
  verify(purpose: string, data: string, signature: string, bytes?: number): boolean;
  /** Authenticated encryption (AES-256-GCM); the result is safe to store. */
  seal(plaintext: string): string;
  /** The plaintext of a sealed value; throws if it was altered or sealed with another key. */
  open(sealed: string): string;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

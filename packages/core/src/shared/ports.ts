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

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '@guichet/core';

/** argon2id with the OWASP-recommended minimum (19 MiB, 2 passes). */
export const argon2Hasher: PasswordHasher = {
  hash: (password) => hash(password, { memoryCost: 19456, timeCost: 2, parallelism: 1 }),
  verify: async (h, password) => {
    try {
      return await verify(h, password);
    } catch {
      return false;
    }
  },
};

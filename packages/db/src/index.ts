export { openDatabase, migrate, type Database, type DatabaseOptions } from './database.ts';
export { createStore, translateDbError } from './store.ts';
export type { DB } from './schema.ts';
export { JOBS_CHANNEL } from './repositories/jobs.ts';
export { loadOrCreateServerKey } from './server-keys.ts';
export { createMailboxLocks, type MailboxLocks } from './mailbox-locks.ts';
export { ticketSequenceName } from './repositories/tickets.ts';

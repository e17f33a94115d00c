export * from './errors.ts';
export * from './common.ts';
export * from './enums.ts';
export * from './tickets.ts';
export * from './people.ts';
export * from './auth.ts';
export * from './email.ts';
export * from './knowledge.ts';

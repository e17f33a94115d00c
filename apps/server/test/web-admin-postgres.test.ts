// Browser journeys through the admin area on PostgreSQL (see web-admin-suite.ts).
import { testDbKinds } from '@guichet/db/testing';
import { adminSuite } from './web-admin-suite.ts';

if (testDbKinds().includes('postgres')) adminSuite('postgres');

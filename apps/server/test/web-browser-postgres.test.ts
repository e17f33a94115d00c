// Browser journeys through the agent web app on PostgreSQL, with a second server process (see web-browser-suite.ts).
import { testDbKinds } from '@guichet/db/testing';
import { browserSuite } from './web-browser-suite.ts';

if (testDbKinds().includes('postgres')) browserSuite('postgres');

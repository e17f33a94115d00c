// Browser journeys through the knowledge area on PostgreSQL (see web-knowledge-suite.ts).
import { testDbKinds } from '@guichet/db/testing';
import { knowledgeSuite } from './web-knowledge-suite.ts';

if (testDbKinds().includes('postgres')) knowledgeSuite('postgres');

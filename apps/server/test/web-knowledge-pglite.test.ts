// Browser journeys through the knowledge area on the embedded database (see web-knowledge-suite.ts).
import { knowledgeSuite } from './web-knowledge-suite.ts';

knowledgeSuite('pglite');

// Browser journeys through the agent web app on the embedded database (see web-browser-suite.ts).
import { browserSuite } from './web-browser-suite.ts';

browserSuite('pglite');

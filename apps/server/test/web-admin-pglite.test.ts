// Browser journeys through the admin area on the embedded database (see web-admin-suite.ts).
import { adminSuite } from './web-admin-suite.ts';

adminSuite('pglite');

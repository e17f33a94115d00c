import { relevanceSuite } from './search-relevance.ts';

relevanceSuite('pglite');

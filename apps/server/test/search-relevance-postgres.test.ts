import { relevanceSuite } from './search-relevance.ts';

relevanceSuite('postgres');

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** Read from package.json so the record's `version` always matches what is installed. */
export const VERSION: string = (require('../package.json') as { version: string }).version;

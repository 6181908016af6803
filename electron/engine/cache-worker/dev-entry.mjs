// Runs the TypeScript worker from source (tests, `npm run start:web` under tsx): a worker thread does not
// inherit the parent's TypeScript loader, so register tsx here before importing the real entry.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');

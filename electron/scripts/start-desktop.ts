// `npm start` in electron/: see main/launch.ts.
import { startDesktop } from '../main/launch';

process.exitCode = await startDesktop();

// `npm run build:web`: build the agent web app into apps/web/dist (npm start and npm test do it when stale).
import { ensureDeps, ensureWebBuild } from './ensure-deps.mjs';

ensureDeps();
ensureWebBuild({ force: process.argv.includes('--force') });

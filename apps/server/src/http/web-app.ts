/**
 * Serves the built agent web app (apps/web/dist) at `/`: hashed assets with a long cache, and
 * index.html for every other GET path that no route owns (the SPA's own routes), so a reload on
 * /tickets/42 works. The API, /healthz and the paths reserved for the help center and the portal
 * never fall back to the app: an unknown path there answers the JSON 404.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

const RESERVED = /^\/(api|healthz|help|portal)(\/|$)/;
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
/** Scripts and styles only from here; the HTML of messages is sanitised by the API and may not load remote content. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

export interface WebApp {
  /** Answers the request when it is the app's; returns false when it is not (the caller answers 404). */
  handle(req: FastifyRequest, reply: FastifyReply): Promise<boolean>;
}

export function webApp(dir: string | undefined, notBuiltPage: () => string): WebApp {
  return {
    async handle(req, reply) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const path = decodeURIComponentSafe(req.url.split('?')[0]!);
      if (path === null || RESERVED.test(path)) return false;
      // Only plain file names under the build folder: no "..", no hidden files, no nesting beyond assets/.
      const file = /^\/(assets\/)?[\w-][\w.-]*$/.test(path) && extname(path) ? path.slice(1) : null;
      if (file) {
        if (!dir) return false;
        const abs = join(dir, file);
        const body = await readIfFile(abs);
        if (!body) return false;
        reply.type(TYPES[extname(file)] ?? 'application/octet-stream');
        reply.header('cache-control', file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
        reply.send(body);
        return true;
      }
      const index = dir ? await readIfFile(join(dir, 'index.html')) : null;
      // Without a build there is no app to route: only `/` answers, with how to build it.
      if (!index && path !== '/') return false;
      reply.type('text/html; charset=utf-8');
      reply.header('cache-control', 'no-cache');
      reply.header('content-security-policy', CSP);
      reply.send(index ?? notBuiltPage());
      return true;
    },
  };
}

function decodeURIComponentSafe(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

async function readIfFile(p: string): Promise<Buffer | null> {
  try {
    if (!(await stat(p)).isFile()) return null;
    return await readFile(p);
  } catch {
    return null;
  }
}

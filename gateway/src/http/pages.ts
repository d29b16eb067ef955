import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import type { Logger } from '@keylab/logger';
import { refuseRequest } from '@keylab/server';

export type PageName = 'admin' | 'graphiql';

/**
 * The pages may talk to this origin only: scripts, styles, fonts and Monaco's workers all come from the
 * build. Styles allow inline ones (GraphiQL's editor and the charts set element styles).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Serves each built page (web/dist/<page>/) at /<page>/. The pages are plain clients of /graphql. Hashed
 * assets are immutable; index.html is revalidated so a new build shows at once.
 */
export function mountPages(app: Express, dir: string, pages: PageName[], logger: Logger): void {
  for (const page of pages) {
    const root = join(dir, page);
    if (!existsSync(join(root, 'index.html'))) {
      logger.warn({ page, dir: root }, 'page not built: run `npm run build -w @keylab/web`');
      app.use(`/${page}`, (req, res) =>
        refuseRequest(req, res, 503, 'request.pageNotBuilt', {}, { code: 'SERVICE_UNAVAILABLE' }),
      );
      continue;
    }
    app.use(
      `/${page}`,
      (_req, res, next) => {
        res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('referrer-policy', 'same-origin');
        next();
      },
      express.static(root, {
        index: 'index.html',
        setHeaders: (res, path) =>
          res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
      }),
    );
  }
}

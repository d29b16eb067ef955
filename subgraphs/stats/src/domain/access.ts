import { isAdmin } from '@keylab/auth';
import { errors } from '@keylab/errors';
import type { RequestContext } from '@keylab/server';

/** Statistics are for administrators: anonymous callers get UNAUTHENTICATED, others FORBIDDEN. */
export function requireAdmin(ctx: RequestContext): void {
  if (!ctx.viewer) throw errors.unauthenticated();
  if (!isAdmin(ctx.viewer)) throw errors.forbidden();
}

import type { RequestContext } from '@keylab/server';
import type { KeyboardsDb } from './db/client';
import type { ListCache } from './domain/cache';
import type { EmitActivity } from './domain/activity';
import type { FileUrls } from './http/file-urls';
import type { Loaders } from './loaders';

export interface KeyboardsContext extends RequestContext {
  db: KeyboardsDb;
  loaders: Loaders;
  cache: ListCache;
  /** Records a view or an edit by this request's visitor and user. */
  emit: EmitActivity;
  fileUrls: FileUrls;
}

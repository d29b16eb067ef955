import type DataLoader from 'dataloader';
import type { RequestContext } from '@keylab/server';
import type { UsersDb } from './db/client';
import type { Accounts } from './domain/accounts';
import type { RevokeEverywhere } from './domain/sessions';
import type { SigningKeys } from './domain/signing-keys';
import type { UserRecord } from './domain/users';
import type { RefreshCookie } from './http/refresh-cookie';

/** What the users resolvers know about a request. */
export interface UsersContext extends RequestContext {
  db: UsersDb;
  users: DataLoader<string, UserRecord | null>;
  accounts: Accounts;
  keys: SigningKeys;
  refreshGraceSeconds: number;
  revokeEverywhere: RevokeEverywhere;
  /** The caller's User-Agent: the label of a new session when the client names none. */
  userAgent: string | undefined;
  /** The refresh token the request carries, if any. */
  refreshToken: string | undefined;
  refreshCookie: RefreshCookie;
}

// What the resolvers return for GraphQL types whose shape differs from the SDL (codegen.ts maps them).
import type { UserRecord } from './domain/users';

export type { OwnSession } from './domain/sessions';

/**
 * A user as the User resolvers get it: `ownAccount` marks the caller's own account in an auth payload, whose
 * private fields the caller may see before it holds the token.
 */
export type UserParent = UserRecord & { ownAccount?: boolean };

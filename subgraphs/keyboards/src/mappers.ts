// What the resolvers return for GraphQL types whose shape differs from the SDL (codegen.ts maps them).
export type { BoxRow, BoxTypeRow, KeyboardRow, KeycapRow, KitRow, SwitchRow } from './domain/rows';
export type { StoredFileRow } from './domain/stored-files';

/** A user as this subgraph knows one: by UUID, which User.id gives out as a global id (the users subgraph holds the rest). */
export interface UserRef {
  id: string;
}

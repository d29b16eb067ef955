export { createUsersDb } from './db/client';
export { seedUsers, type SeedOptions } from './seed';
export { importLegacyUsers, type LegacyUserRow } from './domain/legacy-import';

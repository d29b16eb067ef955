export { createUsersDb } from './db/client';
export { seedUsers } from './seed';

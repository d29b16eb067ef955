import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type UsersDb = PrismaClient;

export function createUsersDb(databaseUrl: string): UsersDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 10 }) });
}

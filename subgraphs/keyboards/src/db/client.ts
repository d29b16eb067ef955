import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type KeyboardsDb = PrismaClient;

export function createKeyboardsDb(databaseUrl: string): KeyboardsDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 10 }) });
}

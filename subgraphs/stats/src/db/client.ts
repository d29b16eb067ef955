import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type StatsDb = PrismaClient;

export function createStatsDb(databaseUrl: string): StatsDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 10 }) });
}

export { createStatsDb } from './db/client';
export { seedStats } from './seed';

export { statsSettings, type StatsConfig } from './config';
export { startStatsService, type StatsService } from './service';
export { seedStats } from './seed';
export { createStatsDb, type StatsDb } from './db/client';
export { ingestEvents, rebuildRollups, refreshRollups, removeVisitors } from './ingest/ingest';
export { seriesPeriod } from './domain/period';
export { activityRows, attendanceRows } from './domain/series';

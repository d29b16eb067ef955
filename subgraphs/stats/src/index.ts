export { statsSettings, type StatsConfig } from './config';
export { startStatsService, type StatsService } from './service';
export { seedStats } from './seed';

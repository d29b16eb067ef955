import { loadConfig } from '@keylab/config';
import { createLogger } from '@keylab/logger';
import { startOrExit, stopOnSignal } from '@keylab/server';
import { statsSettings } from './config';
import { startStatsService } from './service';

const config = loadConfig('stats', statsSettings);
const logger = createLogger('stats', config.LOG_LEVEL);
const service = await startOrExit(logger, () => startStatsService(config, logger));
stopOnSignal(logger, () => service.close());

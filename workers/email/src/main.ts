import { loadConfig } from '@keylab/config';
import { createLogger } from '@keylab/logger';
import { startOrExit, stopOnSignal } from '@keylab/server';
import { emailSettings } from './config';
import { startEmailWorker } from './worker';

const config = loadConfig('email-worker', emailSettings);
const logger = createLogger('email-worker', config.LOG_LEVEL);
const worker = await startOrExit(logger, () => startEmailWorker(config, logger));
stopOnSignal(logger, () => worker.close());

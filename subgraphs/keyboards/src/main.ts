import { loadConfig } from '@keylab/config';
import { createLogger } from '@keylab/logger';
import { startOrExit, stopOnSignal } from '@keylab/server';
import { keyboardsSettings } from './config';
import { startKeyboardsService } from './service';

const config = loadConfig('keyboards', keyboardsSettings);
const logger = createLogger('keyboards', config.LOG_LEVEL);
const service = await startOrExit(logger, () => startKeyboardsService(config, logger));
stopOnSignal(logger, () => service.close());

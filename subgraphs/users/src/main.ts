import { loadConfig } from '@keylab/config';
import { createLogger } from '@keylab/logger';
import { startOrExit, stopOnSignal } from '@keylab/server';
import { usersSettings } from './config';
import { startUsersService } from './service';

const config = loadConfig('users', usersSettings);
const logger = createLogger('users', config.LOG_LEVEL);
const service = await startOrExit(logger, () => startUsersService(config, logger));
stopOnSignal(logger, () => service.close());

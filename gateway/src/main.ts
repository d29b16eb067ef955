import { loadConfig } from '@keylab/config';
import { createLogger } from '@keylab/logger';
import { startOrExit, stopOnSignal } from '@keylab/server';
import { gatewaySettings } from './config';
import { startGateway } from './gateway';

process.env.APOLLO_TELEMETRY_DISABLED ??= '1';
const config = loadConfig('gateway', gatewaySettings);
const logger = createLogger('gateway', config.LOG_LEVEL);
const gateway = await startOrExit(logger, () => startGateway(config, logger));
stopOnSignal(logger, () => gateway.close());

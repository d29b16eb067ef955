// npm test: checks the local services, then runs every test file in parallel (vitest); the last line
// of the output is `N passed, N failed`. Extra arguments go to vitest (for example a file filter).
import { spawn } from 'node:child_process';
import { requireServices } from './lib/preflight';
import { ROOT } from './lib/services';

await requireServices(['postgres', 'redis', 'rabbitmq']);
const vitest = spawn(process.execPath, [`${ROOT}node_modules/vitest/vitest.mjs`, 'run', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
});
vitest.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

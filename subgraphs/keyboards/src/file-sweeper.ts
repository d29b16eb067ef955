import type { FileStorage } from '@keylab/files';
import type { Logger } from '@keylab/logger';
import type { KeyboardsConfig } from './config';
import type { KeyboardsDb } from './db/client';
import { sweepFiles, type SweepResult } from './domain/file-sweep';

export interface FileSweeper {
  /** One sweep now (after the one in flight, if any). */
  run(): Promise<SweepResult>;
  /** No more sweeps; resolves once the one in flight has ended. */
  stop(): Promise<void>;
}

/**
 * Runs the file sweep every FILE_SWEEP_INTERVAL_SECONDS, the first time after a random part of an
 * interval (replicas started together do not sweep in step; a process that lives less than that never
 * sweeps). A failed sweep is logged and tried again at the next interval.
 */
export function startFileSweeper(
  db: KeyboardsDb,
  storage: FileStorage,
  logger: Logger,
  config: Pick<KeyboardsConfig, 'UPLOAD_TTL_HOURS' | 'FILE_GRACE_SECONDS' | 'FILE_SWEEP_INTERVAL_SECONDS'>,
): FileSweeper {
  const options = {
    uploadTtlSeconds: config.UPLOAD_TTL_HOURS * 3600,
    graceSeconds: config.FILE_GRACE_SECONDS,
    onReclaimError: (error: unknown, storageKey: string) =>
      logger.warn({ err: (error as Error).message, storageKey }, 'stored file not deleted; the next sweep tries again'),
  };
  const intervalMs = config.FILE_SWEEP_INTERVAL_SECONDS * 1000;
  let running: Promise<SweepResult> | undefined;
  let stopped = false;

  async function run(): Promise<SweepResult> {
    while (running) await running.catch(() => undefined);
    const sweep = sweepFiles(db, storage, options);
    running = sweep;
    try {
      return await sweep;
    } finally {
      running = undefined;
    }
  }

  async function tick() {
    try {
      const result = await run();
      if (result.removed || result.reclaimed || result.marked) logger.info(result, 'file sweep');
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'file sweep failed; the next one tries again');
    }
    if (!stopped) schedule(intervalMs);
  }

  let timer: NodeJS.Timeout;
  function schedule(delay: number) {
    timer = setTimeout(() => void tick(), delay);
    timer.unref();
  }
  schedule(intervalMs * (0.5 + Math.random() / 2));

  return {
    run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

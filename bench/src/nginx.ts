/**
 * nginx as a baseline static file server: found on the PATH (or installed with apt-get when missing), run in
 * the foreground as a child process with a minimal configuration in a temporary folder, on a free port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { freePort } from '@keylab/testing/ports';
import { join } from 'node:path';

export interface RunningNginx {
  /** `http://127.0.0.1:<port>`; serves the folder given to `startNginx`. */
  origin: string;
  /** The nginx master process (its one worker is a child of it). */
  pid: number;
  version: string;
  /** Graceful stop; resolves when the master has exited. */
  stop(): Promise<void>;
  /** Last resort on process exit: a synchronous SIGTERM. */
  kill(): void;
}

const INSTALL_COMMAND = 'which nginx || (apt-get update && apt-get install -y nginx-light)';

function findNginx(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  const onPath = which.status === 0 ? which.stdout.trim() : '';
  if (onPath) return onPath;
  // Debian puts it in /usr/sbin, which is not on every user's PATH.
  return ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((path) => existsSync(path));
}

/**
 * The path of an nginx binary: BENCH_NGINX, else one on the PATH, else (BENCH_NGINX_INSTALL is not 0) the
 * result of `apt-get install -y nginx-light`. Returns a reason instead when there is none to be had.
 */
export async function ensureNginx(log: (line: string) => void): Promise<{ path: string } | { reason: string }> {
  const configured = process.env.BENCH_NGINX;
  if (configured) return existsSync(configured) ? { path: configured } : { reason: `BENCH_NGINX=${configured} does not exist` };
  const found = findNginx();
  if (found) return { path: found };
  if (process.env.BENCH_NGINX_INSTALL === '0') return { reason: 'nginx is not installed (and BENCH_NGINX_INSTALL=0)' };
  log(`nginx not found: ${INSTALL_COMMAND}`);
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const install = spawn('sh', ['-c', INSTALL_COMMAND], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    install.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    install.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    install.on('error', () => resolve(null));
    install.on('close', resolve);
  });
  const installed = findNginx();
  if (installed) return { path: installed };
  const tail = Buffer.concat(output).toString('utf8').trim().split('\n').slice(-5).join('\n    ');
  return { reason: `installing nginx failed (exit code ${code}):\n    ${tail}` };
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Starts `nginx` serving `root` (static files, sendfile, no access log, one worker) with its configuration,
 * pid file, logs and temporary paths in `dir`. Waits until it answers.
 */
export async function startNginx(nginxPath: string, dir: string, root: string): Promise<RunningNginx> {
  const port = await freePort();
  const version = spawnSync(nginxPath, ['-v'], { encoding: 'utf8' })
    .stderr.trim()
    .replace(/^nginx version: /, '');
  const errorLog = join(dir, 'error.log');
  const temp = join(dir, 'temp');
  await mkdir(temp, { recursive: true });
  // Run as root, nginx's worker switches to `nobody`: it must be able to read the files.
  for (const folder of [dir, root]) await chmod(folder, 0o755);
  const config = `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${errorLog};
events {}
http {
  access_log off;
  sendfile on;
  types { model/gltf-binary glb; }
  client_body_temp_path ${temp}/body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`;
  const configPath = join(dir, 'nginx.conf');
  await writeFile(configPath, config);
  // -e: nginx opens its default error log before reading the configuration; keep that in `dir` too.
  const child = spawn(nginxPath, ['-p', `${dir}/`, '-e', errorLog, '-c', configPath], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;

  const stop = () =>
    new Promise<void>((resolve) => {
      if (exited(child)) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });

  const deadline = Date.now() + 5_000;
  for (;;) {
    if (exited(child)) {
      const log = await readFile(errorLog, 'utf8').catch(() => '');
      throw new Error(`nginx exited at start (code ${child.exitCode}):\n${log.trim()}`);
    }
    try {
      await fetch(`${origin}/`, { signal: AbortSignal.timeout(500) }).then((response) => response.arrayBuffer());
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`nginx did not answer on ${origin} within 5 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    origin,
    pid: child.pid!,
    version,
    stop,
    kill: () => {
      if (!exited(child)) child.kill('SIGTERM');
    },
  };
}

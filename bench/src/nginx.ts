/**
 * nginx as a baseline static file server: found on the PATH (or installed with apt-get when missing), run in the
 * foreground as a child process with a minimal configuration in a temporary folder, on a free port.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from '@keylab/testing';
import { killOnExit, stopProcess } from './child-process';

export interface RunningNginx {
  origin: string;
  root: string;
  /** The master process (its one worker is a child of it). */
  pid: number;
  version: string;
  close(): Promise<void>;
}

const INSTALL_COMMAND = 'which nginx || (apt-get update && apt-get install -y nginx-light)';

function findNginx(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  // Debian puts it in /usr/sbin, which is not on every user's PATH.
  return ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((path) => existsSync(path));
}

/** BENCH_NGINX, else one on the PATH, else (unless BENCH_NGINX_INSTALL=0) apt-get's; or why there is none. */
export async function ensureNginx(log: (line: string) => void): Promise<{ path: string } | { reason: string }> {
  const configured = process.env.BENCH_NGINX;
  if (configured) return existsSync(configured) ? { path: configured } : { reason: `BENCH_NGINX=${configured} does not exist` };
  const found = findNginx();
  if (found) return { path: found };
  if (process.env.BENCH_NGINX_INSTALL === '0') return { reason: 'nginx is not installed (and BENCH_NGINX_INSTALL=0)' };
  log(`nginx not found: ${INSTALL_COMMAND}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const failure = await promisify(execFile)('sh', ['-c', INSTALL_COMMAND], { env, maxBuffer: 64 << 20 }).then(
    () => undefined,
    (error: { code?: number; stdout?: string; stderr?: string }) => error,
  );
  const installed = findNginx();
  if (installed) return { path: installed };
  const tail = `${failure?.stdout ?? ''}${failure?.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n    ');
  return { reason: `installing nginx failed (exit code ${failure?.code}):\n    ${tail}` };
}

/**
 * nginx serving `files` (path under the root → bytes; sendfile, no access log, one worker) from a temporary folder
 * with its configuration and logs, once it answers. Closing stops it and removes the folder.
 */
export async function startNginx(nginxPath: string, files: Record<string, Buffer>): Promise<RunningNginx> {
  const dir = await mkdtemp(join(tmpdir(), 'keylab-bench-nginx-'));
  const root = join(dir, 'www');
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), bytes);
  }
  const port = await freePort();
  const version = spawnSync(nginxPath, ['-v'], { encoding: 'utf8' })
    .stderr.trim()
    .replace(/^nginx version: /, '');
  const errorLog = join(dir, 'error.log');
  const temp = join(dir, 'temp');
  await mkdir(temp, { recursive: true });
  // Run as root, nginx's worker switches to `nobody`: it must be able to read the files.
  for (const folder of [dir, root]) await chmod(folder, 0o755);
  const configPath = join(dir, 'nginx.conf');
  await writeFile(
    configPath,
    `daemon off;
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
`,
  );
  // -e: nginx opens its default error log before it reads the configuration.
  const child = spawn(nginxPath, ['-p', `${dir}/`, '-e', errorLog, '-c', configPath], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  killOnExit(child);
  const origin = `http://127.0.0.1:${port}`;
  const answers = async () => {
    if (child.exitCode !== null) {
      const log = await readFile(errorLog, 'utf8').catch(() => '');
      throw new Error(`nginx exited at start (code ${child.exitCode}):\n${log.trim()}`);
    }
    return fetch(`${origin}/`, { signal: AbortSignal.timeout(500) }).then(
      (response) => response.arrayBuffer().then(() => true),
      () => false,
    );
  };
  const close = async () => {
    await stopProcess(child, 5_000);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(answers, 5_000);
  } catch (error) {
    const exited = child.exitCode !== null;
    await close();
    throw exited ? error : new Error(`nginx did not answer on ${origin} within 5 s`);
  }
  return { origin, root, pid: child.pid!, version, close };
}

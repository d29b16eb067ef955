/**
 * nginx as a baseline static file server: found on the PATH (or installed with apt-get when missing), run in the
 * foreground as a child process with a minimal configuration in a temporary folder, on a free port.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  // Run as root, nginx's worker switches to `nobody`: it must be able to read the files.
  await chmod(root, 0o755);
  const port = await freePort();
  return runNginx(nginxPath, dir, port, root, `server {\n  listen 127.0.0.1:${port};\n  root ${root};\n}`);
}

/** The repository's nginx configuration for docker compose (docker/nginx/keylab.conf). */
export const KEYLAB_NGINX_CONF = fileURLToPath(new URL('../../docker/nginx/keylab.conf', import.meta.url));

export interface KeylabNginxTargets {
  /** Where nginx listens: 127.0.0.1 on this port. */
  port: number;
  /** The gateway's and the keyboards service's origins (`http://127.0.0.1:4000`). */
  gateway: string;
  keyboards: string;
  /** The keyboards service's FILES_DIR. */
  filesDir: string;
}

/**
 * docker/nginx/keylab.conf on loopback: its `listen`, upstream `server` and `alias` lines pointed at `targets`,
 * everything else as compose runs it. Throws when a line it rewrites is not there exactly once.
 */
export function keylabNginxConfig(source: string, targets: KeylabNginxTargets): string {
  const hostOf = (origin: string) => new URL(origin).host;
  const rewrites: [RegExp, string][] = [
    [/^(\s*)listen 4000;$/m, `$1listen 127.0.0.1:${targets.port};`],
    [/^(\s*)server gateway:4000;$/m, `$1server ${hostOf(targets.gateway)};`],
    [/^(\s*)server keyboards:4002;$/m, `$1server ${hostOf(targets.keyboards)};`],
    [/^(\s*)alias \/srv\/keylab\/files\/;$/m, `$1alias ${targets.filesDir.replace(/\/?$/, '/')};`],
  ];
  return rewrites.reduce((config, [line, replacement]) => {
    const count = config.match(new RegExp(line.source, 'gm'))?.length ?? 0;
    if (count !== 1) throw new Error(`${KEYLAB_NGINX_CONF}: expected one line matching ${line}, found ${count}`);
    return config.replace(line, replacement);
  }, source);
}

/** nginx with docker/nginx/keylab.conf in front of a gateway and a keyboards service on loopback, on a free port. */
export async function startKeylabNginx(nginxPath: string, targets: Omit<KeylabNginxTargets, 'port'>): Promise<RunningNginx> {
  const dir = await mkdtemp(join(tmpdir(), 'keylab-nginx-'));
  const port = await freePort();
  const config = keylabNginxConfig(await readFile(KEYLAB_NGINX_CONF, 'utf8'), { ...targets, port });
  return runNginx(nginxPath, dir, port, targets.filesDir, config);
}

/** Runs nginx in the foreground with `servers` (upstream and server blocks) in `dir`, until it answers on `port`. */
async function runNginx(nginxPath: string, dir: string, port: number, root: string, servers: string): Promise<RunningNginx> {
  const version = spawnSync(nginxPath, ['-v'], { encoding: 'utf8' })
    .stderr.trim()
    .replace(/^nginx version: /, '');
  const errorLog = join(dir, 'error.log');
  const temp = join(dir, 'temp');
  await mkdir(temp, { recursive: true });
  await chmod(dir, 0o755);
  const configPath = join(dir, 'nginx.conf');
  await writeFile(
    configPath,
    // Started as root, the worker would switch to nobody, who may not read a checkout under a private folder.
    `daemon off;
${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${errorLog};
events {}
http {
  access_log off;
  sendfile on;
  types { model/gltf-binary glb; }
  default_type application/octet-stream;
  client_body_temp_path ${temp}/body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
${servers.replace(/^(?=.)/gm, '  ')}
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

// Static checks of docker-compose.yml (and the Dockerfile it builds): no Docker engine is needed. They
// catch what only shows once containers run: a setting left to its 127.0.0.1 default, a healthcheck on
// the wrong port, a dependency on a service that does not exist, a secret written into the file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '@keylab/config';
import { gatewaySettings } from '@keylab/gateway';
import { usersSettings } from '@keylab/users-subgraph';
import { keyboardsSettings } from '@keylab/keyboards-subgraph';
import { statsSettings } from '@keylab/stats-subgraph';
import { emailSettings } from '@keylab/email-worker';
import { DEFAULT_LIMITS } from '@keylab/files';

/** URLs a browser opens (file links), not service-to-service addresses: they name the public origin (nginx), or a CDN. */
const BROWSER_FACING_URLS = new Set(['FILES_PUBLIC_URL', 'EXPORTS_PUBLIC_URL', 'PUBLIC_URL', 'FILES_CDN_URL']);
/** Off unless the host sets it. */
const OPTIONAL_URLS = new Set(['FILES_CDN_URL']);

const ROOT = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

type PortSpec = string | number | { target: number | string; published?: number | string; host_ip?: string };
type DependsOn = string[] | Record<string, { condition: string }>;

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  working_dir?: string;
  command?: string | string[];
  restart?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: PortSpec[];
  volumes?: (string | { type: string; source?: string; target: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: DependsOn;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** What the code reads of a zod 4 object schema. */
interface SettingsSchema {
  shape: Record<string, unknown>;
  safeParse(input: unknown): { success: boolean; error?: { issues: unknown[] } };
}

// `merge`: Compose honours YAML merge keys (<<: *anchor), which YAML 1.2 parsers leave alone by default.
const compose = parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
const services = compose.services;
const serviceNames = Object.keys(services);

/** Each process of the image, by compose service: its workspace package and its settings schema. */
const NODE_SERVICES: Record<string, { workspace: string; schema: SettingsSchema }> = {
  gateway: { workspace: '@keylab/gateway', schema: gatewaySettings },
  users: { workspace: '@keylab/users-subgraph', schema: usersSettings },
  keyboards: { workspace: '@keylab/keyboards-subgraph', schema: keyboardsSettings },
  stats: { workspace: '@keylab/stats-subgraph', schema: statsSettings },
  'email-worker': { workspace: '@keylab/email-worker', schema: emailSettings },
};

/** Settings that hold a secret: only ever interpolated from the host environment. */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|_PASS|TOKEN|PRIVATE_KEY|SIGNING_KEY|PUBLIC_KEY|API_KEY|CREDENTIALS?)$/;
/** RabbitMQ's built-in account: a well-known default, not a secret. */
const WELL_KNOWN_CREDENTIALS = new Set(['guest:guest']);

function environment(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/** The value Compose passes when the host environment sets none of the interpolated variables. */
function interpolated(value: string): string {
  return value
    .split('$$') // an escaped, literal $
    .map((part) =>
      part
        .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_match, _name: string, fallback?: string) => fallback ?? '')
        .replace(/\$[A-Za-z_][A-Za-z0-9_]*/g, ''),
    )
    .join('$');
}

/** True when the value is only a reference to a host variable, with an empty default at most. */
const onlyFromHost = (value: string) => /^\$\{[A-Za-z_][A-Za-z0-9_]*(:?-)?\}$|^\$[A-Za-z_][A-Za-z0-9_]*$/.test(value);

function publishedPorts(service: ComposeService): { hostIp: string | undefined; published: number; target: number }[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return { hostIp: port.host_ip, published: Number(port.published), target: Number(port.target) };
    const parts = String(port)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    return { hostIp: parts.length === 3 ? parts[0] : undefined, published: Number(parts.at(-2)), target: Number(parts.at(-1)) };
  });
}

const healthcheckText = (service: ComposeService) => [service.healthcheck?.test ?? []].flat().join(' ');

function dependencies(service: ComposeService): Record<string, string> {
  const deps = service.depends_on ?? [];
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition]));
}

/** A one-shot task: something waits for it to complete, not to be healthy. */
const isOneShot = (name: string) =>
  Object.values(services).some((service) => dependencies(service)[name] === 'service_completed_successfully');

/** The ports a service listens on inside the network: what it publishes, and its PORT setting. */
function listeningPorts(name: string): number[] {
  const service = services[name]!;
  const port = environment(service).PORT;
  return [...publishedPorts(service).map((p) => p.target), ...(port ? [Number(port)] : [])];
}

const DEFAULT_PORTS: Record<string, number> = {
  'postgresql:': 5432,
  'postgres:': 5432,
  'redis:': 6379,
  'amqp:': 5672,
  'smtp:': 25,
  'http:': 80,
};

describe('docker-compose.yml', () => {
  it('defines the whole stack', () => {
    expect(serviceNames).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'rabbitmq', 'maildev', 'migrate', 'nginx', ...Object.keys(NODE_SERVICES)]),
    );
  });

  it.each(serviceNames)('%s has an image or a build', (name) => {
    const service = services[name]!;
    expect(Boolean(service.image || service.build), `${name}: neither image nor build`).toBe(true);
  });

  it.each(serviceNames)('%s has a healthcheck (a one-shot task says it has none on purpose)', (name) => {
    const healthcheck = services[name]!.healthcheck;
    expect(healthcheck, `${name}: no healthcheck`).toBeDefined();
    if (isOneShot(name)) {
      expect(services[name]!.restart, `${name} runs once: it must not be restarted`).toBe('no');
      expect(healthcheck!.disable || healthcheck!.test).toBeTruthy();
    } else {
      expect(healthcheck!.disable, `${name}: healthcheck disabled`).toBeFalsy();
      expect(healthcheckText(services[name]!), `${name}: healthcheck has no test`).not.toBe('');
    }
  });

  it.each(serviceNames)('%s depends only on services that exist, in a state they can reach', (name) => {
    for (const [target, condition] of Object.entries(dependencies(services[name]!))) {
      expect(serviceNames, `${name} depends on unknown service ${target}`).toContain(target);
      expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition);
      if (condition === 'service_healthy')
        expect(healthcheckText(services[target]!), `${target} never becomes healthy`).not.toBe('');
      if (condition === 'service_completed_successfully') expect(services[target]!.restart).toBe('no');
    }
  });

  it.each(serviceNames)('%s publishes its ports on 127.0.0.1 only', (name) => {
    for (const port of publishedPorts(services[name]!)) {
      expect(port.hostIp, `${name}: port ${port.target} is published on every interface`).toBe('127.0.0.1');
    }
  });

  it.each(serviceNames)('%s: every URL setting points at a compose service, on a port it listens on', (name) => {
    const env = environment(services[name]!);
    const urls = Object.entries(env).filter(([key]) => key.endsWith('_URL') && !BROWSER_FACING_URLS.has(key));
    for (const [key, raw] of urls) {
      const url = new URL(interpolated(raw));
      expect(serviceNames, `${name}: ${key} points at ${url.hostname}, which is not a compose service`).toContain(url.hostname);
      const port = Number(url.port || DEFAULT_PORTS[url.protocol]);
      expect(listeningPorts(url.hostname), `${name}: ${key} uses port ${port} of ${url.hostname}`).toContain(port);
    }
  });

  it('gives browser-facing URLs the public entry (nginx) as published on localhost', () => {
    const entryPorts = publishedPorts(services.nginx!).map((port) => Number(port.published));
    for (const name of serviceNames) {
      for (const [key, raw] of Object.entries(environment(services[name]!)).filter(([key]) => BROWSER_FACING_URLS.has(key))) {
        if (OPTIONAL_URLS.has(key) && interpolated(raw) === '') continue;
        const url = new URL(interpolated(raw));
        expect(url.hostname, `${name}: ${key}`).toBe('localhost');
        expect(entryPorts, `${name}: ${key} is not nginx's published port`).toContain(Number(url.port));
      }
    }
  });

  it.each(serviceNames)('%s commits no secret', (name) => {
    const env = environment(services[name]!);
    for (const [key, value] of Object.entries(env)) {
      if (SECRET_NAME.test(key)) {
        expect(onlyFromHost(value), `${name}: ${key} must come from the host environment (\${${key}:-})`).toBe(true);
      }
      expect(value, `${name}: ${key} holds key material`).not.toMatch(/-----BEGIN|"kty"|"d"\s*:/);
      // user:password@ in any URL of the value (a value may list several, comma-separated).
      for (const [, credentials] of interpolated(value).matchAll(/[a-z][a-z0-9+.-]*:\/\/([^/@\s,]*:[^/@\s,]*)@/gi)) {
        expect(WELL_KNOWN_CREDENTIALS.has(credentials!), `${name}: ${key} has a password in its URL`).toBe(true);
      }
    }
  });

  describe.each(Object.entries(NODE_SERVICES))('%s', (name, { workspace, schema }) => {
    const service = services[name]!;
    const env = environment(service);

    it('runs its workspace package from the image', () => {
      expect(service.working_dir).toMatch(/^\/app\//);
      const manifest = new URL(`${service.working_dir!.slice('/app/'.length)}/package.json`, ROOT);
      expect(existsSync(manifest), `${service.working_dir} is not a workspace`).toBe(true);
      expect((JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name).toBe(workspace);
      expect(service.command).toEqual(['node', '--import', 'tsx', 'src/main.ts']);
    });

    it('sets every setting of its schema, as a string', () => {
      const missing = Object.keys(schema.shape).filter((key) => !(key in env));
      expect(missing, `${name}: settings left to their defaults`).toEqual([]);
      const raw: Record<string, unknown> = Array.isArray(service.environment) ? env : (service.environment ?? {});
      for (const key of Object.keys(schema.shape)) {
        expect(typeof raw[key], `${name}: ${key} must be quoted (YAML would make it a number or boolean)`).toBe('string');
      }
      expect(env.APOLLO_TELEMETRY_DISABLED).toBe('1');
    });

    it('has settings its schema accepts when the host sets no secret', () => {
      const values = Object.fromEntries(Object.entries(env).map(([key, value]) => [key, interpolated(value)]));
      const result = schema.safeParse(values);
      expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
    });

    it('probes /ready on its PORT, which is the port it publishes', () => {
      const port = Number(env.PORT);
      expect(port).toBeGreaterThan(0);
      const probed = [...healthcheckText(service).matchAll(/https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)\/ready/g)].map((m) =>
        Number(m[1]),
      );
      expect(probed, `${name}: the healthcheck does not GET /ready`).not.toEqual([]);
      expect(new Set(probed)).toEqual(new Set([port]));
      const published = publishedPorts(service).map((p) => p.target);
      for (const target of published) expect(target, `${name}: publishes ${target}, listens on ${port}`).toBe(port);
    });
  });

  it('keeps the users signing key in a named volume at KEYLAB_DATA_DIR', () => {
    const dataDir = environment(services.users!).KEYLAB_DATA_DIR;
    expect(dataDir).toMatch(/^\//);
    const mount = (services.users!.volumes ?? [])
      .map((volume) => (typeof volume === 'string' ? { source: volume.split(':')[0], target: volume.split(':')[1] } : volume))
      .find((volume) => volume.target === dataDir);
    expect(mount, 'no volume at KEYLAB_DATA_DIR').toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(mount!.source);
  });

  it('prepares the databases once, before the subgraphs start', () => {
    const migrate = services.migrate!;
    expect(migrate.working_dir).toBe('/app');
    expect([migrate.command].flat().join(' ')).toMatch(/scripts\/db\.ts setup$/);
    for (const name of ['users', 'keyboards', 'stats']) {
      expect(dependencies(services[name]!).migrate, `${name} must wait for migrate`).toBe('service_completed_successfully');
    }
  });

  it('seeds the catalogue files into the volume the keyboards service serves, with settings that parse', () => {
    const migrate = environment(services.migrate!);
    const keyboards = environment(services.keyboards!);
    // The image's NODE_ENV (production) applies where compose sets none.
    expect(() => parseConfig(keyboardsSettings, { NODE_ENV: 'production', ...migrate })).not.toThrow();
    expect([migrate.FILES_DRIVER, migrate.FILES_DIR]).toEqual([keyboards.FILES_DRIVER, keyboards.FILES_DIR]);
    const volumeAt = (service: ComposeService, dir: string) =>
      (service.volumes ?? [])
        .map((volume) => (typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target]))
        .find(([, target]) => target === dir)?.[0];
    expect(volumeAt(services.migrate!, migrate.FILES_DIR!)).toBeDefined();
    expect(volumeAt(services.migrate!, migrate.FILES_DIR!)).toBe(volumeAt(services.keyboards!, keyboards.FILES_DIR!));
  });
});

describe('nginx in front (docker/nginx/keylab.conf)', () => {
  const nginx = services.nginx!;
  const conf = read('docker/nginx/keylab.conf');
  const mounts = (nginx.volumes ?? []).map((volume) =>
    typeof volume === 'string'
      ? { source: volume.split(':')[0]!, target: volume.split(':')[1]!, readOnly: volume.split(':')[2] === 'ro' }
      : { source: volume.source ?? '', target: volume.target, readOnly: false },
  );
  const keyboards = environment(services.keyboards!);
  /** The body of `location <path> { … }` (one level of nested braces, as limit_except has). */
  const location = (path: string) =>
    new RegExp(`location ${path.replace(/[/.]/g, '\\$&')} \\{((?:[^{}]|\\{[^{}]*\\})*)\\}`).exec(conf)?.[1] ?? '';
  const upstreamOf = (block: string) => /proxy_pass http:\/\/(\w+);/.exec(block)?.[1];
  const serverOf = (upstream: string) => new RegExp(`upstream ${upstream} \\{[^}]*server ([\\w.-]+):(\\d+);`).exec(conf);

  it('is mounted read-only as the default site, and is the one service published on 4000', () => {
    expect(mounts).toContainEqual({
      source: './docker/nginx/keylab.conf',
      target: '/etc/nginx/conf.d/default.conf',
      readOnly: true,
    });
    expect(conf).toMatch(/^\s*listen 4000;$/m);
    expect(publishedPorts(nginx)).toEqual([{ hostIp: '127.0.0.1', published: 4000, target: 4000 }]);
    expect(publishedPorts(services.gateway!), 'the gateway is reached through nginx only').toEqual([]);
    expect(environment(services.gateway!).TRUST_PROXY, 'the gateway must believe the one proxy in front of it').toBe('1');
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
  });

  it('passes /files to the keyboards service and the rest to the gateway, at services and ports that exist', () => {
    const routes = { '/': 'gateway', '/files/': 'keyboards' } as const;
    for (const [path, service] of Object.entries(routes)) {
      const upstream = upstreamOf(location(path));
      expect(upstream, `location ${path} has no proxy_pass`).toBeDefined();
      const [, host, port] = serverOf(upstream!) ?? [];
      expect(host, `location ${path}`).toBe(service);
      expect(listeningPorts(service)).toContain(Number(port));
    }
    expect(location('/'), 'only /files answers may redirect into the files folder').toMatch(
      /proxy_ignore_headers X-Accel-Redirect;/,
    );
    expect(dependencies(nginx)).toMatchObject({ gateway: 'service_healthy', keyboards: 'service_healthy' });
  });

  it("serves the keyboards service's X-Accel-Redirect from the files volume it writes, read-only, internal only", () => {
    const prefix = keyboards.FILES_ACCEL_REDIRECT!;
    expect(prefix).toMatch(/^\/.+\/$/);
    expect(keyboards.FILES_DRIVER).toBe('fs');
    const internal = location(prefix);
    expect(internal, `no location ${prefix}`).not.toBe('');
    expect(internal).toMatch(/^\s*internal;$/m);
    const alias = /alias (\S+);/.exec(internal)?.[1];
    const filesVolume = (services.keyboards!.volumes ?? [])
      .map((volume) => (typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target]))
      .find(([, target]) => target === keyboards.FILES_DIR)?.[0];
    expect(filesVolume, 'FILES_DIR is not on a volume').toBeDefined();
    expect(mounts).toContainEqual({ source: filesVolume, target: alias!.replace(/\/$/, ''), readOnly: true });
  });

  it('answers /files with the headers the gateway gives user content, on every answer', () => {
    for (const block of [location('/files/'), location(keyboards.FILES_ACCEL_REDIRECT!)]) {
      expect(block).toMatch(/add_header X-Content-Type-Options nosniff always;/);
      expect(block).toMatch(/add_header Content-Security-Policy "default-src 'none'; sandbox" always;/);
      expect(block).toMatch(/add_header Cross-Origin-Resource-Policy same-site always;/);
    }
    expect(location(keyboards.FILES_ACCEL_REDIRECT!), "the service's ETag (the SHA-256), not nginx's").toMatch(
      /etag off;[\s\S]*add_header ETag \$upstream_http_etag;/,
    );
    expect(location('/files/')).toMatch(/limit_except GET/);
  });

  it('lets uploads as large as the largest model through, streamed', () => {
    const limit = /client_max_body_size (\d+)m;/.exec(conf)?.[1];
    expect(Number(limit) * 1024 * 1024).toBeGreaterThan(DEFAULT_LIMITS.model);
    expect(conf).toMatch(/proxy_request_buffering off;/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(new URL(`${pattern.slice(0, -2)}/`, ROOT), { withFileTypes: true })
          .filter(
            (entry) => entry.isDirectory() && existsSync(new URL(`${pattern.slice(0, -2)}/${entry.name}/package.json`, ROOT)),
          )
          .map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
      : [pattern],
  );

  it.each(workspaces)('copies %s/package.json before npm ci', (workspace) => {
    const copy = dockerfile.indexOf(`COPY ${workspace}/package.json `);
    expect(copy, `the Dockerfile does not copy ${workspace}/package.json`).toBeGreaterThan(-1);
    expect(copy).toBeLessThan(dockerfile.indexOf('npm ci'));
  });

  it('builds the browser pages into the image, where the gateway serves them from', () => {
    const build = dockerfile.indexOf('web/build.ts');
    expect(build, 'the Dockerfile does not build web/').toBeGreaterThan(dockerfile.indexOf('COPY . .'));
    expect(environment(services.gateway!).PAGES_DIR).toBe('/app/web/dist');
  });

  it('builds on node:24-bookworm-slim and runs as the node user', () => {
    expect(dockerfile).toMatch(/^FROM node:24-bookworm-slim\b/m);
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('node');
  });

  it('keeps host state out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['**/node_modules', '.data', '.git', 'subgraphs/*/src/db/generated', '**/*.log', '.env']) {
      expect(ignored).toContain(entry);
    }
  });
});

describe('docker/postgres/Dockerfile', () => {
  const postgres = services.postgres!;
  const build = typeof postgres.build === 'string' ? { context: postgres.build } : (postgres.build ?? {});

  it('is what the postgres service builds', () => {
    expect(build.context?.replace(/^\.\//, '').replace(/\/$/, ''), 'the postgres service does not build docker/postgres').toBe(
      'docker/postgres',
    );
    expect(build.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
    expect(existsSync(new URL('docker/postgres/Dockerfile', ROOT))).toBe(true);
  });

  it('installs the hll extension the stats migrations create, for the major version of its base image', () => {
    const dockerfile = read('docker/postgres/Dockerfile');
    // The official Debian-based image (not alpine): it has the PGDG apt repository that packages the extension.
    const major = /^FROM postgres:(\d+)(?:-bookworm)?\s*$/m.exec(dockerfile)?.[1];
    expect(major, 'FROM is not a Debian-based postgres:<major> image').toBeDefined();
    expect(dockerfile).toMatch(new RegExp(`apt-get install -y --no-install-recommends postgresql-${major}-hll\\b`));
    expect(dockerfile).toMatch(/apt-get update/);
    expect(dockerfile).toMatch(/rm -rf \/var\/lib\/apt\/lists\/\*/);
  });
});

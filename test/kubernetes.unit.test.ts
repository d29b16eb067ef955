// Static checks of deploy/kubernetes: no cluster is needed. The production overlay is rendered as kustomize renders
// it, every object is validated against the Kubernetes API's schemas, and then, as test/docker-compose.unit.test.ts
// does for compose, what only shows once pods run: a setting left to its 127.0.0.1 default, a probe on a path or port
// the process does not serve, an autoscaler or a disruption budget for pods that do not exist, a secret in a file.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { parseConfig, type SettingsRules, type z } from '@keylab/config';
import { mountHealth } from '@keylab/server';
import { gatewaySettings } from '@keylab/gateway';
import { usersSettings } from '@keylab/users-subgraph';
import { keyboardsSettings } from '@keylab/keyboards-subgraph';
import { statsSettings } from '@keylab/stats-subgraph';
import { emailSettings } from '@keylab/email-worker';
import { DATA_SERVICES } from '../scripts/lib/services';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const DEPLOY = 'deploy/kubernetes';
const OVERLAY = join(ROOT, DEPLOY, 'overlays/production');

/** The Secret the operator creates (docs/DEPLOY.md); nothing in the repository holds its values. */
const SECRET_NAME = 'keylab-secrets';
/** Settings that hold a secret, or a URL that carries one (the services' passwords): only from the Secret. */
const CREDENTIAL =
  /(SECRET|PASSWORD|PASSWD|_PASS|TOKEN|PRIVATE_KEY|SIGNING_KEY|PUBLIC_KEY|API_KEY|ACCESS_KEY_ID|CREDENTIALS?|DATABASE_URL|POSTGRES_URL|REDIS_URL|AMQP_URL|SMTP_URL)$/;
/** Secret keys a pod may lack, and why. */
const OPTIONAL_SECRETS: Record<string, string> = {
  JWT_PREVIOUS_PUBLIC_KEY: 'set only during a signing key rotation',
  S3_ACCESS_KEY_ID: 'absent where the pod has a cloud identity for the bucket',
  S3_SECRET_ACCESS_KEY: 'absent where the pod has a cloud identity for the bucket',
};
/** Settings a production pod leaves unset on purpose, and why. */
const LEFT_UNSET: Record<string, string> = {
  SECRETS_DIR: 'GATEWAY_SECRET comes from the Secret, so nothing is generated into it',
  FILES_DIR: 'FILES_DRIVER=s3: there is no files folder',
  S3_ENDPOINT: 'unset is AWS S3 itself; an empty value would be taken for an endpoint',
};
/** URLs a browser opens, not service-to-service addresses: the public entry (nginx's load balancer), or the CDN. */
const BROWSER_FACING_URLS = new Set(['FILES_PUBLIC_URL', 'EXPORTS_PUBLIC_URL', 'PUBLIC_URL', 'FILES_CDN_URL']);
/** The first apply step (docs/DEPLOY.md) creates what carries this label: the ConfigMaps and the migration Job. */
const SETUP_LABEL = ['keylab/phase', 'setup'] as const;

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}
type PortRef = number | string;
interface Probe {
  httpGet?: { path: string; port: PortRef };
  tcpSocket?: { port: PortRef };
  periodSeconds?: number;
}
interface Container {
  name: string;
  image: string;
  workingDir?: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: EnvVar[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; configMap?: { name: string; items?: unknown[] } }[];
  terminationGracePeriodSeconds?: number;
  restartPolicy?: string;
  automountServiceAccountToken?: boolean;
  enableServiceLinks?: boolean;
}
interface Workload extends KubeObject {
  spec: {
    replicas?: number;
    backoffLimit?: number;
    selector?: { matchLabels: Record<string, string> };
    strategy?: { type: string; rollingUpdate?: { maxUnavailable?: PortRef; maxSurge?: PortRef } };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}
interface ServiceObject extends KubeObject {
  spec: {
    type?: string;
    externalTrafficPolicy?: string;
    selector: Record<string, string>;
    ports: { name?: string; port: number; targetPort: PortRef }[];
  };
}
interface Autoscaler extends KubeObject {
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: { type: string; resource?: { name: string } }[];
  };
}
interface DisruptionBudget extends KubeObject {
  spec: { maxUnavailable?: PortRef; minAvailable?: PortRef; selector: { matchLabels: Record<string, string> } };
}
interface ConfigMapObject extends KubeObject {
  data: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------------------
// The renderer: the part of kustomize these kustomizations use, done as kustomize (v5) does it. It refuses every
// field and form it does not implement, so it never renders less than kustomize would; where kubectl is installed,
// a test below checks that `kubectl kustomize` renders the very same objects.

interface ConfigMapGenerator {
  name: string;
  behavior?: 'create' | 'merge' | 'replace';
  files?: string[];
  envs?: string[];
  literals?: string[];
}
interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string }[];
  generatorOptions?: { labels?: Record<string, string> };
  configMapGenerator?: ConfigMapGenerator[];
  patches?: { path: string }[];
}

const KUSTOMIZATION_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'images',
  'generatorOptions',
  'configMapGenerator',
  'patches',
]);

function refuseOthers(where: string, value: object, allowed: string[]): void {
  const others = Object.keys(value).filter((field) => !allowed.includes(field));
  if (others.length) throw new Error(`${where}: ${others.join(', ')}: not implemented by this test's renderer`);
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function podSpecOf(object: KubeObject): PodSpec | undefined {
  return object.kind === 'Deployment' || object.kind === 'Job' ? (object as Workload).spec.template.spec : undefined;
}

const containersOf = (pod: PodSpec) => [...(pod.initContainers ?? []), ...pod.containers];

/** kustomize's KEY=VALUE pairs: env files skip blank and # lines and keep the value verbatim; literals lose one pair of quotes. */
function pair(where: string, source: string, literal: boolean): [string, string] {
  const at = source.indexOf('=');
  // A bare KEY in an env file would be read from the environment of whoever renders.
  if (at < 1) throw new Error(`${where}: ${JSON.stringify(source)} is not KEY=VALUE`);
  const value = source.slice(at + 1);
  if (literal && /^(["']).*\1$/s.test(value)) throw new Error(`${where}: quoted literal values are not implemented`);
  return [source.slice(0, at), value];
}

function generatorData(dir: string, generator: ConfigMapGenerator): Record<string, string> {
  const where = `configMapGenerator ${generator.name}`;
  const entries: [string, string][] = [];
  for (const file of generator.files ?? []) {
    const [key, path] = file.includes('=') ? pair(where, file, false) : [basename(file), file];
    const bytes = readFileSync(join(dir, path));
    entries.push([key, new TextDecoder('utf-8', { fatal: true }).decode(bytes)]);
  }
  for (const envFile of generator.envs ?? []) {
    for (const line of readFileSync(join(dir, envFile), 'utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)) {
      const trimmed = line.trimStart();
      if (trimmed && !trimmed.startsWith('#')) entries.push(pair(`${where} (${envFile})`, trimmed, false));
    }
  }
  for (const literal of generator.literals ?? []) entries.push(pair(where, literal, true));
  const data: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (key in data) throw new Error(`${where}: ${key} given twice`);
    data[key] = value;
  }
  return data;
}

/** kustomize's name suffix: its hasher encodes kind, name (which it reads as empty) and data as Go's json.Marshal does. */
function contentHash(data: Record<string, string>): string {
  const sorted = Object.fromEntries(
    Object.keys(data)
      .sort()
      .map((key) => [key, data[key]]),
  );
  const json = JSON.stringify({ data: sorted, kind: 'ConfigMap', name: '' }).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const hex = createHash('sha256').update(json).digest('hex').slice(0, 10);
  return hex.replace(/[013ae]/g, (char) => ({ 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' })[char as '0']);
}

/** A strategic merge patch, for what these patches use: maps merge, scalars replace, containers merge by name. */
function strategicMerge(target: Record<string, unknown>, patch: Record<string, unknown>, path: string): void {
  for (const [key, value] of Object.entries(patch)) {
    const at = `${path}.${key}`;
    if (key.startsWith('$') || value === null) throw new Error(`${at}: patch directives are not implemented`);
    const current = target[key];
    if (Array.isArray(value)) {
      if (key !== 'containers' || !Array.isArray(current)) throw new Error(`${at}: only containers lists are merged here`);
      for (const item of value as { name: string }[]) {
        const match = (current as { name: string }[]).find((container) => container.name === item.name);
        if (!match) throw new Error(`${at}: adds container ${item.name}: not implemented`);
        strategicMerge(match, item, `${at}[${item.name}]`);
      }
    } else if (isMap(value) && isMap(current)) {
      strategicMerge(current, value, at);
    } else {
      target[key] = structuredClone(value);
    }
  }
}

const imageName = (image: string) => image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');

function build(dir: string, generated: Set<ConfigMapObject>): KubeObject[] {
  const file = relative(ROOT, join(dir, 'kustomization.yaml'));
  const kustomization = parse(read(file)) as Kustomization;
  refuseOthers(file, kustomization, [...KUSTOMIZATION_FIELDS]);
  if ((kustomization.kind ?? 'Kustomization') !== 'Kustomization') throw new Error(`${file}: kind ${kustomization.kind}`);

  const objects: KubeObject[] = [];
  for (const entry of kustomization.resources ?? []) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) objects.push(...build(path, generated));
    else objects.push(...parseAllDocuments(readFileSync(path, 'utf8')).flatMap((doc) => (doc.toJS() as KubeObject) ?? []));
  }

  refuseOthers(`${file} generatorOptions`, kustomization.generatorOptions ?? {}, ['labels']);
  const labels = kustomization.generatorOptions?.labels;
  for (const generator of kustomization.configMapGenerator ?? []) {
    refuseOthers(`${file} configMapGenerator`, generator, ['name', 'behavior', 'files', 'envs', 'literals']);
    const data = generatorData(dir, generator);
    const existing = [...generated].find((configMap) => configMap.metadata.name === generator.name);
    if ((generator.behavior ?? 'create') === 'create') {
      if (existing) throw new Error(`${file}: ConfigMap ${generator.name} generated twice`);
      const configMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: generator.name, ...(labels && { labels }) },
        data,
      };
      objects.push(configMap);
      generated.add(configMap);
    } else if (generator.behavior === 'merge' && existing && !labels) {
      Object.assign(existing.data, data);
    } else {
      throw new Error(`${file}: configMapGenerator ${generator.name}: behavior ${generator.behavior} not implemented here`);
    }
  }

  for (const { path, ...rest } of kustomization.patches ?? []) {
    refuseOthers(`${file} patches`, rest, []);
    for (const doc of parseAllDocuments(readFileSync(join(dir, path), 'utf8'))) {
      const patch = doc.toJS() as KubeObject;
      const targets = objects.filter((object) => object.kind === patch.kind && object.metadata.name === patch.metadata.name);
      if (targets.length !== 1)
        throw new Error(`${path}: ${patch.kind} ${patch.metadata.name} matches ${targets.length} objects`);
      strategicMerge(targets[0]!, patch, `${patch.kind}/${patch.metadata.name}`);
    }
  }

  for (const image of kustomization.images ?? []) {
    refuseOthers(`${file} images`, image, ['name', 'newName', 'newTag']);
    for (const container of objects.flatMap((object) => containersOf(podSpecOf(object) ?? { containers: [] }))) {
      if (imageName(container.image) !== image.name) continue;
      const tag = image.newTag ?? /:([^/:]+)$/.exec(container.image.replace(/@.*$/, ''))?.[1];
      container.image = `${image.newName ?? image.name}${tag ? `:${tag}` : ''}`;
    }
  }

  if (kustomization.namespace) for (const object of objects) object.metadata.namespace = kustomization.namespace;
  return objects;
}

function render(dir: string): KubeObject[] {
  const generated = new Set<ConfigMapObject>();
  const objects = build(dir, generated);
  // Once every layer is applied: each generated ConfigMap is named after its content, and its references follow.
  const renamed = new Map<string, string>();
  for (const configMap of generated) {
    const name = `${configMap.metadata.name}-${contentHash(configMap.data)}`;
    renamed.set(configMap.metadata.name, name);
    configMap.metadata.name = name;
  }
  const rename = (ref: { name: string } | undefined) => {
    if (ref) ref.name = renamed.get(ref.name) ?? ref.name;
  };
  for (const pod of objects.flatMap((object) => podSpecOf(object) ?? [])) {
    for (const container of containersOf(pod)) {
      for (const source of container.envFrom ?? []) rename(source.configMapRef);
      for (const variable of container.env ?? []) rename(variable.valueFrom?.configMapKeyRef);
    }
    for (const volume of pod.volumes ?? []) rename(volume.configMap);
  }
  return objects;
}

/** `kubectl kustomize` where kubectl is installed (it has kustomize built in); undefined where it is not. */
function kubectlKustomize(dir: string): KubeObject[] | undefined {
  const run = spawnSync('kubectl', ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  if (run.status !== 0) throw new Error(`kubectl kustomize failed: ${run.stderr || run.error?.message}`);
  return parseAllDocuments(run.stdout).flatMap((doc) => (doc.toJS() as KubeObject) ?? []);
}

// ---------------------------------------------------------------------------------------------------------------
// Validation against the Kubernetes API's schemas: kubernetes-models' validators (types, required fields, enums,
// formats), and its types, generated from the same OpenAPI schema, for the fields the API knows: kubectl apply's
// strict field validation refuses an unknown field, which the validators let pass.

const MODELS: Record<string, [model: new (data: never) => { validate(): void }, module: string, type: string]> = {
  'v1/ConfigMap': [ConfigMap, 'kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1/Service': [Service, 'kubernetes-models/v1/Service', 'IService'],
  'apps/v1/Deployment': [Deployment, 'kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'batch/v1/Job': [Job, 'kubernetes-models/batch/v1/Job', 'IJob'],
  'autoscaling/v2/HorizontalPodAutoscaler': [
    HorizontalPodAutoscaler,
    'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    'IHorizontalPodAutoscaler',
  ],
  'policy/v1/PodDisruptionBudget': [
    PodDisruptionBudget,
    'kubernetes-models/policy/v1/PodDisruptionBudget',
    'IPodDisruptionBudget',
  ],
};
const typeKey = (object: KubeObject) => `${object.apiVersion}/${object.kind}`;

/** The API's field types of each kind, read with the TypeScript compiler from kubernetes-models' declarations. */
function fieldTypes(): { checker: ts.TypeChecker; types: Map<string, ts.Type> } {
  const file = join(ROOT, 'test/__kubernetes_field_types__.ts');
  const kinds = Object.entries(MODELS);
  const source = kinds
    .map(([, [, module, type]], i) => `import type { ${type} as T${i} } from '${module}';\nexport declare const k${i}: T${i};`)
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, getSourceFile } = host;
  host.fileExists = (name) => name === file || fileExists(name);
  host.getSourceFile = (name, ...rest) =>
    name === file ? ts.createSourceFile(name, source, ts.ScriptTarget.ES2022) : getSourceFile(name, ...rest);
  const program = ts.createProgram([file], options, host);
  const sourceFile = program.getSourceFile(file)!;
  const problems = program.getSemanticDiagnostics(sourceFile).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
  if (problems.length) throw new Error(`kubernetes-models' types: ${problems.join('; ')}`);
  const checker = program.getTypeChecker();
  const declared = sourceFile.statements.filter(ts.isVariableStatement).map((s) => s.declarationList.declarations[0]!.name);
  return { checker, types: new Map(kinds.map(([key], i) => [key, checker.getTypeAtLocation(declared[i]!)])) };
}

function unknownFields(checker: ts.TypeChecker, value: unknown, expected: ts.Type, path: string): string[] {
  const type = checker.getNonNullableType(expected);
  if (Array.isArray(value)) {
    if (!checker.isArrayType(type)) return [`${path}: a list where the API has none`];
    const element = checker.getTypeArguments(type as ts.TypeReference)[0]!;
    return value.flatMap((item, i) => unknownFields(checker, item, element, `${path}[${i}]`));
  }
  // Scalars are the validators' part; a union here is IntOrString or Quantity.
  if (!isMap(value) || type.isUnion()) return [];
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  return Object.entries(value).flatMap(([key, child]) => {
    const property = checker.getPropertyOfType(type, key);
    if (property) return unknownFields(checker, child, checker.getTypeOfSymbol(property), `${path}.${key}`);
    if (index) return unknownFields(checker, child, index.type, `${path}.${key}`);
    return [`${path}.${key}: no such field`];
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The rendered overlay, and what the checks read of it.

const objects = render(OVERLAY);
const named = (object: KubeObject) => `${object.kind}/${object.metadata.name}`;
const ofKind = <T extends KubeObject>(kind: string) => objects.filter((object) => object.kind === kind) as T[];
const deployments = ofKind<Workload>('Deployment');
const services = ofKind<ServiceObject>('Service');
const autoscalers = ofKind<Autoscaler>('HorizontalPodAutoscaler');
const budgets = ofKind<DisruptionBudget>('PodDisruptionBudget');
const jobs = ofKind<Workload>('Job');
const configMaps = ofKind<ConfigMapObject>('ConfigMap');

const deployment = (name: string) => deployments.find((d) => d.metadata.name === name)!;
const mainContainer = (workload: Workload) => workload.spec.template.spec.containers[0]!;
const configMapNamed = (name: string) => configMaps.find((c) => c.metadata.name === name);

type Setting =
  | { from: 'configMap'; value: string }
  | { from: 'value'; value: string }
  | { from: 'secret'; secret: string; key: string; optional: boolean };

/** A container's environment as the kubelet assembles it: envFrom in order, then env, each overriding what came before. */
function environment(container: Container): Map<string, Setting> {
  const env = new Map<string, Setting>();
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) throw new Error(`${container.name}: envFrom secretRef hides which keys it reads: name each one`);
    const configMap = configMapNamed(source.configMapRef!.name);
    if (!configMap) throw new Error(`${container.name}: ConfigMap ${source.configMapRef!.name} does not exist`);
    for (const [key, value] of Object.entries(configMap.data)) env.set(key, { from: 'configMap', value });
  }
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    const fromConfigMap = variable.valueFrom?.configMapKeyRef;
    if (secret)
      env.set(variable.name, { from: 'secret', secret: secret.name, key: secret.key, optional: secret.optional ?? false });
    else if (fromConfigMap)
      env.set(variable.name, { from: 'configMap', value: configMapNamed(fromConfigMap.name)!.data[fromConfigMap.key]! });
    else env.set(variable.name, { from: 'value', value: variable.value ?? '' });
  }
  return env;
}

/** Made-up values for the Secret's keys, of the shape each setting checks: what the operator's Secret supplies. */
const MADE_UP_SECRETS: Record<string, string> = {
  USERS_DATABASE_URL: 'postgresql://db.invalid/keylab_users',
  KEYBOARDS_DATABASE_URL: 'postgresql://db.invalid/keylab_keyboards',
  STATS_DATABASE_URL: 'postgresql://db.invalid/keylab_stats',
  POSTGRES_URL: 'postgresql://db.invalid/postgres',
  REDIS_URL: 'rediss://redis.invalid:6379',
  AMQP_URL: 'amqps://rabbitmq.invalid',
  SMTP_URL: 'smtps://smtp.invalid',
  JWT_SIGNING_KEY: '{"kty":"OKP"}',
};

/** The values a pod starts with when its Secret has every required key and none of the optional ones. */
function values(env: Map<string, Setting>): Record<string, string> {
  return Object.fromEntries(
    [...env].flatMap(([key, setting]) => {
      if (setting.from !== 'secret') return [[key, setting.value]];
      return setting.optional ? [] : [[key, MADE_UP_SECRETS[setting.key] ?? 'x'.repeat(40)]];
    }),
  );
}

function portOf(container: Container, port: PortRef | undefined): number | undefined {
  return typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);
const podsSelectedBy = (selector: Record<string, string>) =>
  deployments.filter((d) => selects(selector, d.spec.template.metadata.labels));

/** The replicas a Deployment keeps at the least: its autoscaler's floor, else its own count. */
function leastReplicas(workload: Workload): number {
  const autoscaler = autoscalers.find((a) => a.spec.scaleTargetRef.name === workload.metadata.name);
  return autoscaler ? (autoscaler.spec.minReplicas ?? 1) : (workload.spec.replicas ?? 1);
}

/** A Kubernetes quantity: cores for CPU, bytes for memory. */
function quantity(value: string | number): number {
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi|Ti)?$/.exec(String(value));
  if (!match) throw new Error(`not a quantity: ${value}`);
  const factor = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * factor;
}

// ---------------------------------------------------------------------------------------------------------------
// What the processes do, read from their code: their settings, the routes the probes ask, how long they drain.

interface ProcessSpec {
  workspace: string;
  schema: z.ZodObject;
  /** The file that mounts /health and /ready on the server that listens on PORT. */
  serves: string;
}
const NODE_PROCESSES: Record<string, ProcessSpec> = {
  gateway: { workspace: '@keylab/gateway', schema: gatewaySettings, serves: 'gateway/src/gateway.ts' },
  users: { workspace: '@keylab/users-subgraph', schema: usersSettings, serves: 'subgraphs/users/src/service.ts' },
  keyboards: { workspace: '@keylab/keyboards-subgraph', schema: keyboardsSettings, serves: 'subgraphs/keyboards/src/service.ts' },
  stats: { workspace: '@keylab/stats-subgraph', schema: statsSettings, serves: 'subgraphs/stats/src/service.ts' },
  'email-worker': { workspace: '@keylab/email-worker', schema: emailSettings, serves: 'workers/email/src/worker.ts' },
};
const AUTOSCALED = ['gateway', 'users', 'keyboards', 'stats'];
/** The processes a Service sends requests to: each waits in preStop until it is out of the endpoints. */
const SERVING = ['nginx', 'gateway', 'users', 'keyboards', 'stats'];

/** The paths mountHealth (packages/server) answers. */
const HEALTH_ROUTES: string[] = [];
mountHealth({ get: (path: string) => HEALTH_ROUTES.push(path) } as unknown as Parameters<typeof mountHealth>[0], 'probe', {});

/** A duration in the code, in seconds; the test fails when the line it times the grace periods by has moved. */
function secondsIn(file: string, pattern: RegExp): number {
  const match = pattern.exec(read(file));
  if (!match) throw new Error(`${file}: no ${pattern}: see how long the process drains now`);
  return Number(match[1]!.replaceAll('_', '')) / 1000;
}
/** listen()'s close: in-flight requests finish, then the connections left are closed. */
const HTTP_DRAIN = secondsIn('packages/server/src/http.ts', /setTimeout\(\(\) => server\.closeAllConnections\(\), ([\d_]+)\)/);
/** The statistics events still buffered are published. */
const EVENTS_FLUSH = secondsIn('packages/messaging/src/stats-events.ts', /async close\(timeoutMs = ([\d_]+)\)/);
/** The emails being sent finish. */
const EMAIL_DRAIN = secondsIn('workers/email/src/consumer.ts', /const DRAIN_TIMEOUT_MS = ([\d_]+);/);
/** What stopOnSignal's stop() waits for in turn, at the most (the stats service's batch write is fast next to it). */
const DRAIN_SECONDS: Record<string, number> = {
  gateway: HTTP_DRAIN + EVENTS_FLUSH,
  users: HTTP_DRAIN,
  keyboards: HTTP_DRAIN + EVENTS_FLUSH,
  stats: HTTP_DRAIN,
  'email-worker': EMAIL_DRAIN + HTTP_DRAIN,
  // nginx passes requests on to the gateway: they end within the gateway's drain.
  nginx: HTTP_DRAIN + EVENTS_FLUSH,
};
/** Endpoint removal takes a few seconds to reach every node's proxy and nginx's connections. */
const ENDPOINT_PROPAGATION_SECONDS = 5;
/** Closing the connections to PostgreSQL, Redis and RabbitMQ after the drain. */
const CLOSE_MARGIN_SECONDS = 5;

// Compose runs the same image: its commands and working directories are the reference.
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, { image?: string; working_dir?: string; command?: string[] }>;
};

describe('deploy/kubernetes, rendered (overlays/production)', () => {
  it('renders exactly as kubectl kustomize does, where kubectl is installed', (context) => {
    const kustomized = kubectlKustomize(OVERLAY);
    if (!kustomized) return context.skip('kubectl is not installed: the renderer above stands alone');
    const byName = (list: KubeObject[]) => Object.fromEntries(list.map((object) => [named(object), object]));
    expect(byName(objects)).toEqual(byName(kustomized));
  });

  it('has a Deployment and a Service for every process, and nothing else but their parts', () => {
    const processes = ['nginx', ...Object.keys(NODE_PROCESSES)].sort();
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(processes);
    expect(services.map((s) => s.metadata.name).sort()).toEqual(processes);
    expect(jobs.map((j) => j.metadata.name)).toEqual(['migrate']);
    expect(objects.filter((object) => !MODELS[typeKey(object)]).map(named)).toEqual([]);
    expect(new Set(objects.map((object) => object.metadata.namespace)), 'one namespace, set by the overlay').toEqual(
      new Set(['keylab']),
    );
  });

  describe('against the Kubernetes API schemas', () => {
    let types: ReturnType<typeof fieldTypes>;
    beforeAll(() => {
      types = fieldTypes();
    });

    it.each(objects.map((object) => [named(object), object] as const))('%s validates', (_name, object) => {
      const [Model] = MODELS[typeKey(object)]!;
      expect(() => new Model(structuredClone(object) as never).validate()).not.toThrow();
      const { checker, types: byKind } = types;
      expect(unknownFields(checker, object, byKind.get(typeKey(object))!, object.kind)).toEqual([]);
    });
  });

  it('commits no Secret and no secret value', () => {
    expect(objects.filter((object) => object.kind === 'Secret').map(named)).toEqual([]);
    const files = readdirSync(join(ROOT, DEPLOY), { recursive: true, encoding: 'utf8' }).filter((path) =>
      statSync(join(ROOT, DEPLOY, path)).isFile(),
    );
    for (const path of files) {
      const text = read(join(DEPLOY, path));
      expect(text, path).not.toMatch(/^kind:\s*Secret\b|secretGenerator|stringData/m);
      expect(text, `${path} holds key material`).not.toMatch(/-----BEGIN|"kty"|"d"\s*:/);
      expect(text, `${path} has a password in a URL`).not.toMatch(/[a-z][a-z0-9+.-]*:\/\/[^/@\s,]*:[^/@\s,]*@/i);
    }
    for (const configMap of configMaps) {
      const keys = Object.keys(configMap.data).filter((key) => CREDENTIAL.test(key));
      expect(keys, `${configMap.metadata.name} holds settings that carry secrets`).toEqual([]);
    }
  });

  it(`takes every secret from the Secret ${SECRET_NAME}, which docs/DEPLOY.md tells the operator to create`, () => {
    const doc = read('docs/DEPLOY.md');
    for (const workload of [...deployments, ...jobs]) {
      for (const container of containersOf(workload.spec.template.spec)) {
        for (const [name, setting] of environment(container)) {
          if (CREDENTIAL.test(name)) expect(setting.from, `${workload.metadata.name}: ${name}`).toBe('secret');
          if (setting.from !== 'secret') continue;
          expect(setting.secret, `${workload.metadata.name}: ${name}`).toBe(SECRET_NAME);
          expect(setting.optional, `${workload.metadata.name}: ${name} is optional`).toBe(setting.key in OPTIONAL_SECRETS);
          expect(doc, `docs/DEPLOY.md does not name the Secret's key ${setting.key}`).toContain(`\`${setting.key}\``);
        }
      }
    }
    expect(doc).toContain(SECRET_NAME);
  });

  it('runs every process of the image on one image of the release; nginx as docker compose runs it', () => {
    const images = new Set(
      [...deployments, ...jobs].filter((w) => w.metadata.name !== 'nginx').map((w) => mainContainer(w).image),
    );
    expect(images.size, [...images].join(', ')).toBe(1);
    const [image] = images;
    expect(image).toMatch(/^[^:]+\/[^:]+:[\w.-]+$/);
    expect(image).not.toMatch(/:latest$/);
    expect(mainContainer(deployment('nginx')).image).toBe(compose.services.nginx!.image);
  });

  it.each([...deployments, ...jobs].map((w) => [named(w), w] as const))(
    '%s: requests and limits CPU and memory, a request within its limit',
    (_name, workload) => {
      for (const container of containersOf(workload.spec.template.spec)) {
        for (const resource of ['cpu', 'memory']) {
          const request = container.resources?.requests?.[resource];
          const limit = container.resources?.limits?.[resource];
          expect(request && limit, `${container.name}: ${resource}`).toBeTruthy();
          expect(quantity(request!)).toBeLessThanOrEqual(quantity(limit!));
        }
      }
    },
  );

  it.each(deployments.map((d) => [named(d), d] as const))(
    '%s rolls out without dropping a request, and its pods only reach what they need',
    (_name, workload) => {
      const { selector, strategy, template } = workload.spec;
      expect(selects(selector!.matchLabels, template.metadata.labels), 'the selector misses its own pods').toBe(true);
      expect(podsSelectedBy(selector!.matchLabels), 'the selector takes in other pods').toEqual([workload]);
      expect(strategy?.type).toBe('RollingUpdate');
      expect(strategy?.rollingUpdate?.maxUnavailable, 'an old pod must serve until a new one is ready').toBe(0);
      expect(Number(strategy?.rollingUpdate?.maxSurge)).toBeGreaterThanOrEqual(1);
      expect(template.spec.automountServiceAccountToken).toBe(false);
      // Service link variables (USERS_PORT=tcp://…) would sit beside the settings.
      expect(template.spec.enableServiceLinks).toBe(false);
    },
  );

  it.each(deployments.map((d) => [d.metadata.name] as const))(
    '%s stops after it has left the endpoints and drained, within its grace period',
    (name) => {
      const pod = deployment(name).spec.template.spec;
      const preStop = mainContainer(deployment(name)).lifecycle?.preStop?.sleep?.seconds ?? 0;
      if (SERVING.includes(name))
        expect(preStop, `${name}: no preStop sleep`).toBeGreaterThanOrEqual(ENDPOINT_PROPAGATION_SECONDS);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + DRAIN_SECONDS[name]! + CLOSE_MARGIN_SECONDS);
    },
  );

  it.each(services.map((s) => [named(s), s] as const))('%s sends to the ports of one Deployment', (_name, service) => {
    const [target, ...others] = podsSelectedBy(service.spec.selector);
    expect(target, 'selects no pods').toBeDefined();
    expect(others).toEqual([]);
    for (const port of service.spec.ports) {
      expect(portOf(mainContainer(target!), port.targetPort), `targetPort ${port.targetPort}`).toBeDefined();
    }
  });

  it('autoscales the gateway and the subgraphs, never below two, by the CPU their pods request', () => {
    expect(autoscalers.map((a) => a.metadata.name).sort()).toEqual([...AUTOSCALED].sort());
    for (const autoscaler of autoscalers) {
      const { scaleTargetRef: ref, minReplicas = 1, maxReplicas, metrics = [] } = autoscaler.spec;
      expect([ref.apiVersion, ref.kind]).toEqual(['apps/v1', 'Deployment']);
      const target = deployment(ref.name);
      expect(target, `${autoscaler.metadata.name} scales ${ref.name}, which does not exist`).toBeDefined();
      expect(minReplicas).toBeGreaterThanOrEqual(2);
      expect(maxReplicas).toBeGreaterThanOrEqual(minReplicas);
      // A count in the Deployment would be set back on every apply, against the autoscaler.
      expect(target.spec.replicas, `${ref.name} has replicas of its own`).toBeUndefined();
      for (const metric of metrics.filter((m) => m.type === 'Resource')) {
        for (const container of target.spec.template.spec.containers) {
          expect(container.resources?.requests?.[metric.resource!.name], `${ref.name}: ${metric.resource!.name}`).toBeDefined();
        }
      }
    }
  });

  it.each(deployments.map((d) => [d.metadata.name] as const))(
    '%s has a PodDisruptionBudget over its pods that always leaves one running',
    (name) => {
      const workload = deployment(name);
      const own = budgets.filter((b) => podsSelectedBy(b.spec.selector.matchLabels).includes(workload));
      expect(own.map(named)).toHaveLength(1);
      const { maxUnavailable, minAvailable, selector } = own[0]!.spec;
      expect(podsSelectedBy(selector.matchLabels), 'the budget covers other pods too').toEqual([workload]);
      const available = minAvailable !== undefined ? Number(minAvailable) : leastReplicas(workload) - Number(maxUnavailable);
      expect(available).toBeGreaterThanOrEqual(1);
      expect(Number(minAvailable ?? 0), 'a budget that allows no eviction blocks node drains').toBeLessThan(
        leastReplicas(workload),
      );
    },
  );

  it('labels for the first apply step exactly the ConfigMaps and the migration Job', () => {
    const [label, value] = SETUP_LABEL;
    expect(
      objects
        .filter((object) => object.metadata.labels?.[label] === value)
        .map(named)
        .sort(),
    ).toEqual([...configMaps, ...jobs].map(named).sort());
    expect(read('docs/DEPLOY.md')).toContain(`-l ${label}=${value}`);
  });
});

describe.each(Object.entries(NODE_PROCESSES))('%s', (name, { workspace, schema, serves }) => {
  const workload = deployment(name);
  const container = mainContainer(workload);
  const env = environment(container);
  const setting = (key: string) => env.get(key);
  const plain = (key: string) => {
    const found = env.get(key);
    return found && found.from !== 'secret' ? found.value : undefined;
  };

  it('runs its workspace package from the image, as docker compose does', () => {
    const reference = compose.services[name]!;
    expect(container.workingDir).toBe(reference.working_dir);
    expect(container.command).toEqual(reference.command);
    const manifest = JSON.parse(read(`${container.workingDir!.slice('/app/'.length)}/package.json`)) as { name: string };
    expect(manifest.name).toBe(workspace);
  });

  it('sets every setting of its schema, from its ConfigMap or the Secret', () => {
    const keys = Object.keys(schema.shape);
    expect(
      keys.filter((key) => !env.has(key) && !(key in LEFT_UNSET)),
      'settings left to their defaults',
    ).toEqual([]);
    for (const key of keys.filter((key) => key in LEFT_UNSET)) expect(env.has(key), `${key}: ${LEFT_UNSET[key]}`).toBe(false);
    expect(plain('NODE_ENV')).toBe('production');
    expect(plain('APOLLO_TELEMETRY_DISABLED')).toBe('1');
    // The kubelet probes the pod's address, and other pods reach it there.
    expect(plain('HOST')).toBe('0.0.0.0');
  });

  it('starts as production requires: the required settings set, every secret from the Secret', () => {
    const { requiredInProduction = [] } = (schema.meta() ?? {}) as SettingsRules;
    for (const key of requiredInProduction) {
      const found = setting(key);
      expect(found, `${key} is required in production`).toBeDefined();
      if (CREDENTIAL.test(key)) expect(found).toMatchObject({ from: 'secret', optional: false });
    }
    expect(() => parseConfig(schema, values(env))).not.toThrow();
  });

  it('keeps no 127.0.0.1 or localhost default: every other process is reached at its Service and port', () => {
    const defaults = schema.safeParse({}).data as Record<string, unknown>;
    for (const [key, fallback] of Object.entries(defaults)) {
      if (/127\.0\.0\.1|localhost/.test(String(fallback)))
        expect(env.has(key), `${key} defaults to ${String(fallback)}`).toBe(true);
    }
    for (const [key, found] of env) {
      if (found.from !== 'secret') expect(found.value, key).not.toMatch(/127\.0\.0\.1|localhost|::1/);
    }
    const urls = [...env].filter(
      ([key, found]) => key.endsWith('_URL') && found.from !== 'secret' && !BROWSER_FACING_URLS.has(key),
    );
    for (const [key, found] of urls) {
      const url = new URL((found as { value: string }).value);
      const service = services.find((s) => s.metadata.name === url.hostname);
      expect(service, `${key} points at ${url.hostname}, which is not a Service`).toBeDefined();
      const port = service!.spec.ports.find((p) => p.port === Number(url.port || 80));
      expect(port, `${key}: ${url.hostname} has no port ${url.port}`).toBeDefined();
      const target = mainContainer(podsSelectedBy(service!.spec.selector)[0]!);
      const listens = environment(target).get('PORT') as { value?: string } | undefined;
      expect(portOf(target, port!.targetPort), `${key}: ${url.hostname} listens on its PORT ${listens?.value}`).toBe(
        Number(listens?.value),
      );
    }
  });

  it('probes /health (alive) and /ready (ready) on its PORT, where it serves them', () => {
    const port = Number(plain('PORT'));
    expect(container.ports?.map((p) => p.containerPort)).toEqual([port]);
    const probes = { startupProbe: '/health', livenessProbe: '/health', readinessProbe: '/ready' } as const;
    for (const [probe, path] of Object.entries(probes)) {
      const httpGet = container[probe as keyof typeof probes]?.httpGet;
      expect(httpGet?.path, probe).toBe(path);
      expect(portOf(container, httpGet?.port), `${probe} port`).toBe(port);
      expect(HEALTH_ROUTES).toContain(path);
    }
    // mountHealth on the app that listens on config.PORT (a subgraph's through startSubgraph).
    const source = read(serves);
    if (serves.endsWith('/service.ts')) {
      expect(source).toMatch(/startSubgraph[\s\S]*port: config\.PORT/);
      expect(read('packages/server/src/subgraph.ts')).toMatch(/mountHealth\(app,[\s\S]*listen\(app, options\.port/);
    } else {
      expect(source).toMatch(/mountHealth\(app,[\s\S]*listen\(app, config\.PORT/);
    }
  });
});

describe('the gateway and nginx in front', () => {
  const gateway = deployment('gateway');
  const gatewayEnv = environment(mainContainer(gateway));
  const nginx = deployment('nginx');
  const nginxContainer = mainContainer(nginx);
  const conf = read('docker/nginx/keylab.conf');
  const keyboards = environment(mainContainer(deployment('keyboards')));
  const plain = (env: Map<string, Setting>, key: string) => (env.get(key) as { value?: string } | undefined)?.value;

  it("mounts the composed supergraph where SUPERGRAPH_PATH points, as the gateway's one source", () => {
    expect(plain(gatewayEnv, 'SUPERGRAPH_SOURCE')).toBe('file');
    const path = plain(gatewayEnv, 'SUPERGRAPH_PATH')!;
    const mount = mainContainer(gateway).volumeMounts?.find((m) => m.mountPath === dirname(path));
    expect(mount, `nothing is mounted at ${dirname(path)}`).toBeDefined();
    const volume = gateway.spec.template.spec.volumes?.find((v) => v.name === mount!.name);
    const configMap = configMapNamed(volume?.configMap?.name ?? '');
    expect(configMap?.data[basename(path)], 'the mounted ConfigMap lacks the file').toBe(read('schema/supergraph.graphql'));
  });

  it('runs docker/nginx/keylab.conf as its site, listening on the port the Service targets', () => {
    const mount = nginxContainer.volumeMounts?.find((m) => m.mountPath === '/etc/nginx/conf.d');
    const volume = nginx.spec.template.spec.volumes?.find((v) => v.name === mount?.name);
    expect(configMapNamed(volume?.configMap?.name ?? '')?.data).toEqual({ 'default.conf': conf });
    const listen = Number(/^\s*listen (\d+);$/m.exec(conf)?.[1]);
    expect(nginxContainer.ports?.map((p) => p.containerPort)).toEqual([listen]);
  });

  it('passes requests on to the gateway and the keyboards service at their Services', () => {
    for (const [, upstream, host, port] of conf.matchAll(/upstream (\w+) \{[^}]*server ([\w.-]+):(\d+);/g)) {
      const service = services.find((s) => s.metadata.name === host);
      expect(service, `upstream ${upstream}: no Service ${host}`).toBeDefined();
      expect(
        service!.spec.ports.map((p) => p.port),
        `upstream ${upstream}`,
      ).toContain(Number(port));
    }
  });

  it('is the public entry: the client address reaches it, and the gateway believes that one proxy', () => {
    const entry = services.find((s) => s.metadata.name === 'nginx')!;
    expect(entry.spec.type).toBe('LoadBalancer');
    expect(entry.spec.externalTrafficPolicy, 'the client address would be a node').toBe('Local');
    expect(services.filter((s) => s.spec.type === 'LoadBalancer' || s.spec.type === 'NodePort')).toEqual([entry]);
    expect(plain(gatewayEnv, 'TRUST_PROXY')).toBe('1');
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
  });

  it('is ready when the gateway it passes /ready to is; alive when its own port answers', () => {
    const listen = Number(/^\s*listen (\d+);$/m.exec(conf)?.[1]);
    expect(nginxContainer.readinessProbe?.httpGet?.path).toBe('/ready');
    expect(portOf(nginxContainer, nginxContainer.readinessProbe?.httpGet?.port)).toBe(listen);
    expect(/location \/ \{[^}]*proxy_pass http:\/\/keylab_gateway;/.test(conf), 'location / is not the gateway').toBe(true);
    expect(portOf(nginxContainer, nginxContainer.livenessProbe?.tcpSocket?.port)).toBe(listen);
  });

  it('keeps the files in the bucket: no files folder nginx would need to share', () => {
    expect(plain(keyboards, 'FILES_DRIVER')).toBe('s3');
    expect(plain(keyboards, 'S3_BUCKET')).toBeTruthy();
    expect(plain(keyboards, 'FILES_ACCEL_REDIRECT'), "nginx's internal location has no folder here").toBe('');
    expect(plain(keyboards, 'FILES_CDN_URL')).toMatch(/^https:\/\//);
    for (const workload of deployments) {
      const volumes = workload.spec.template.spec.volumes ?? [];
      expect(
        volumes.filter((v) => !('configMap' in v) && !('emptyDir' in v)).map((v) => v.name),
        workload.metadata.name,
      ).toEqual([]);
    }
  });

  it('gives browsers one public origin, over HTTPS', () => {
    const origin = new URL(plain(gatewayEnv, 'PUBLIC_URL')!).origin;
    expect(origin).toMatch(/^https:\/\//);
    const publicUrls = [...deployments].flatMap((d) =>
      [...environment(mainContainer(d))].filter(([key]) => BROWSER_FACING_URLS.has(key) && key !== 'FILES_CDN_URL'),
    );
    for (const [key, found] of publicUrls) expect(new URL((found as { value: string }).value).origin, key).toBe(origin);
    for (const corsOrigin of plain(gatewayEnv, 'CORS_ORIGINS')!.split(',')) expect(corsOrigin).toMatch(/^https:\/\//);
    expect(plain(gatewayEnv, 'COOKIE_SECURE')).toBe('true');
  });

  it('gives the users service as many Argon2id threads as its CPU limit has cores', () => {
    const users = mainContainer(deployment('users'));
    const threads = Number(plain(environment(users), 'PASSWORD_HASH_CONCURRENCY'));
    expect(threads).toBeGreaterThanOrEqual(1);
    expect(threads).toBeLessThanOrEqual(quantity(users.resources!.limits!.cpu!));
  });
});

describe('the migration Job', () => {
  const job = jobs[0]!;
  const container = mainContainer(job);
  const env = environment(container);
  const reference = compose.services.migrate!;

  it("runs scripts/db.ts setup of the services' image, as docker compose's migrate service does", () => {
    expect(container.image).toBe(mainContainer(deployment('users')).image);
    expect(container.workingDir).toBe(reference.working_dir);
    expect(container.command).toEqual(reference.command);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.backoffLimit).toBeGreaterThanOrEqual(1);
  });

  it('prepares the databases the services use, on a server it can reach', () => {
    for (const service of DATA_SERVICES) {
      const used = environment(mainContainer(deployment(service.name))).get('DATABASE_URL');
      expect(used, `${service.name}: DATABASE_URL`).toMatchObject({ from: 'secret' });
      expect(env.get(service.urlVariable), service.urlVariable).toEqual(used);
    }
    // scripts/db.ts checks that this server answers before it starts.
    expect(env.get('POSTGRES_URL')).toMatchObject({ from: 'secret', optional: false });
  });

  it('creates a known administrator: a generated password would be lost with its pod', () => {
    for (const key of ['ADMIN_EMAIL', 'ADMIN_PASSWORD'])
      expect(env.get(key), key).toMatchObject({ from: 'secret', optional: false });
  });

  it("stores the seed's files where the keyboards service reads them, with settings it accepts in production", () => {
    const keyboards = mainContainer(deployment('keyboards'));
    const shared = (c: Container) => c.envFrom?.map((source) => source.configMapRef?.name);
    expect(shared(container)).toEqual(shared(keyboards));
    expect(() => parseConfig(keyboardsSettings, values(env))).not.toThrow();
  });
});

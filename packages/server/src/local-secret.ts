import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A secret that several local processes must share (the gateway and the subgraphs): the configured value,
 * else one generated once into `dir` (owner-only), which the first process to start writes and every
 * other reads. Production configures it instead (a generated one would differ between machines).
 */
async function sharedSecret(configured: string | undefined, dir: string, name: string): Promise<string> {
  if (configured) return configured;
  const path = join(dir, name);
  await mkdir(dir, { recursive: true });
  try {
    await writeFile(path, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // Another process may be writing it at this moment: an empty read waits for its content.
  for (let attempt = 0; attempt < 50; attempt++) {
    const secret = (await readFile(path, 'utf8')).trim();
    if (secret) return secret;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${path} stays empty`);
}

/** The secret the gateway signs what it forwards with and every subgraph checks (`GATEWAY_SECRET`, or the local one). */
export function gatewaySecret(config: { GATEWAY_SECRET?: string; SECRETS_DIR: string }): Promise<string> {
  return sharedSecret(config.GATEWAY_SECRET, config.SECRETS_DIR, 'gateway-secret');
}

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A secret for local runs: read from `dataDir/name`, or generated there once with owner-only
 * permissions. Without a data directory it lives in memory for this process only.
 */
export async function localSecret<T>(
  dataDir: string | undefined,
  name: string,
  generate: () => Promise<T> | T,
  encode = JSON.stringify,
  decode = (text: string) => JSON.parse(text) as T,
): Promise<T> {
  if (!dataDir) return generate();
  const path = join(dataDir, name);
  try {
    return decode(await readFile(path, 'utf8'));
  } catch {
    const value = await generate();
    await mkdir(dataDir, { recursive: true });
    await writeFile(path, encode(value), { mode: 0o600 });
    await chmod(path, 0o600);
    return value;
  }
}

export const randomSecret = () => randomBytes(32).toString('base64url');

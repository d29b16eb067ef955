// The resolver types each subgraph's resolvers are checked against are generated from its SDL; this
// fails when a schema.graphql changed and `npm run codegen` was not run (as for the supergraph).
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import config from '../codegen';

const ROOT = new URL('../', import.meta.url).pathname;

describe('generated resolver types', () => {
  it('match every subgraph’s schema.graphql', async () => {
    process.chdir(ROOT);
    const outputs = (await generate({ ...config, hooks: {}, silent: true }, false)) as { filename: string; content: string }[];
    expect(outputs.length).toBe(Object.keys(config.generates).length);
    for (const { filename, content } of outputs) {
      const path = `${ROOT}${filename}`;
      const formatted = await format(content, { ...(await resolveConfig(path)), filepath: path });
      expect(readFileSync(path, 'utf8'), `${filename} is stale: run npm run codegen`).toBe(formatted);
    }
  }, 60_000);
});

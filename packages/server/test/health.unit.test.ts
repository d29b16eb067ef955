import express from 'express';
import { describe, expect, it } from 'vitest';
import { listen, mountHealth } from '@keylab/server';

describe('readiness', () => {
  it('runs one round of checks for a flood of requests, so /ready cannot amplify load on what it checks', async () => {
    let rounds = 0;
    const app = express();
    mountHealth(app, 'test', {
      database: async () => {
        rounds += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
    });
    const server = await listen(app, 0);
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${server.url}/ready`)));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      expect(rounds).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await fetch(`${server.url}/ready`);
      expect(rounds).toBe(2);
    } finally {
      await server.close();
    }
  });
});

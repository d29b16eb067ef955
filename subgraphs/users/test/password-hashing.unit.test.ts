import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { passwordHasher } from '../src/domain/password-hasher';
import { hashPassword, legacyHash } from '../src/domain/passwords';

const stored = (passwordHash: string | null, legacy?: { salt: string; password: string }) => ({
  passwordHash,
  legacySalt: legacy?.salt ?? null,
  legacyHash: legacy ? legacyHash(legacy.salt, legacy.password) : null,
});

/** This process's threads (Linux /proc): whether each runs at a lowered priority (SCHED_IDLE, or nice 19 where that failed). */
function threads() {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid: Number(tid), lowered: fields[38] === '5' || fields[16] === '19' };
  });
}
const lowered = () => threads().filter((thread) => thread.lowered).length;

describe('the password hasher', () => {
  it('computes on `concurrency` threads of its own, one hash each at a time; the rest wait in line and all get their answer', async () => {
    const account = stored(await hashPassword('the password'));
    const legacy = stored(null, { salt: 'salt', password: 'the old password' });
    const loweredBefore = lowered();
    const hasher = passwordHasher({ concurrency: 2, patienceMs: 60_000 });
    try {
      const checks = [
        ...Array.from({ length: 4 }, () => hasher.check(account, 'the password')),
        ...Array.from({ length: 3 }, () => hasher.check(account, 'a wrong password')),
        hasher.check(null, 'an unknown account'),
        hasher.check(legacy, 'the old password'),
        hasher.check(legacy, 'a wrong password'),
      ];
      const hashes = Array.from({ length: 2 }, (_, i) => hasher.hash(`new password ${i}`));
      // The seven checks of a stored hash and the two hashes asked for a thread at once: two have one, seven wait.
      expect(hasher.stats).toEqual({ running: 2, waiting: 7, promoted: 0 });

      expect(await Promise.all(checks)).toEqual([
        ...Array<string>(4).fill('ok'),
        ...Array<string>(3).fill('wrong'),
        'wrong',
        'ok-upgrade',
        'wrong',
      ]);
      const made = await Promise.all(hashes);
      expect(await Promise.all(made.map((hash, i) => hasher.check(stored(hash), `new password ${i}`)))).toEqual(['ok', 'ok']);
      expect(hasher.stats).toEqual({ running: 0, waiting: 0, promoted: 0 });

      if (process.platform === 'linux') {
        // Two hashing threads, each at a lowered priority; the event loop keeps its own.
        expect(lowered() - loweredBefore).toBe(2);
        expect(threads().find((thread) => thread.tid === process.pid)?.lowered).toBe(false);
      }
    } finally {
      await hasher.close();
    }
  });

  it.runIf(process.platform === 'linux')(
    'computes at the normal priority what gets no answer at the idle one within its patience',
    async () => {
      const account = stored(await hashPassword('the password'));
      const hasher = passwordHasher({ concurrency: 1, patienceMs: 0 });
      try {
        // No patience at all: none of them may wait for the idle-priority thread, which has to start first.
        const answers = await Promise.all([
          hasher.check(account, 'the password'),
          hasher.check(account, 'a wrong password'),
          hasher.check(account, 'the password'),
        ]);
        expect(answers).toEqual(['ok', 'wrong', 'ok']);
        expect(hasher.stats).toMatchObject({ waiting: 0, promoted: 3 });
        expect(await hasher.check(account, 'the password')).toBe('ok');
      } finally {
        await hasher.close();
      }
    },
  );

  it('passes the thread on when a computation fails', async () => {
    const hasher = passwordHasher({ concurrency: 1, priority: 'normal' });
    try {
      const account = stored(await hashPassword('the password'));
      const [broken, next] = await Promise.allSettled([
        hasher.check(stored('not an argon2 hash'), 'any'),
        hasher.check(account, 'the password'),
      ]);
      expect(broken.status).toBe('rejected');
      expect(next).toEqual({ status: 'fulfilled', value: 'ok' });
      expect(hasher.stats).toEqual({ running: 0, waiting: 0, promoted: 0 });
    } finally {
      await hasher.close();
    }
  });
});

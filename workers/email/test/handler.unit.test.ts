import { describe, expect, it } from 'vitest';
import {
  handleEmailDelivery,
  type Claim,
  type EmailDelivery,
  type EmailHandlerDeps,
  type RenderedEmail,
} from '@keylab/email-worker';
import type { EmailRequestV1 } from '@keylab/messaging';

const retryTiers = [
  { queue: 'email.send.retry.100ms', ttlMs: 100 },
  { queue: 'email.send.retry.200ms', ttlMs: 200 },
];
const request: EmailRequestV1 = {
  version: 1,
  id: 'c3a1f0e2-1b2c-4d5e-8f90-123456789abc',
  template: 'sign-up-code',
  locale: 'en',
  to: 'reader@example.test',
  params: { code: '482913' },
};
const delivery = (body: unknown, failedAttempts = 0): EmailDelivery => ({
  content: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  messageId: 'message-1',
  failedAttempts,
});
const smtpError = (responseCode: number, code: string, response: string) =>
  Object.assign(new Error(response), { responseCode, code, response });

/** Dependencies that record what the handler did: claims, sends, releases and marks. */
function fakes(claim: Claim = { state: 'claimed', token: 'token-1' }, sendError?: Error) {
  const calls: string[] = [];
  const sent: { request: EmailRequestV1; email: RenderedEmail }[] = [];
  const deps: EmailHandlerDeps = {
    retryTiers,
    dedup: {
      claim: async (id) => (calls.push(`claim ${id}`), claim),
      markSent: async (id) => void calls.push(`mark sent ${id}`),
      release: async (id, token) => void calls.push(`release ${id} ${token}`),
    },
    send: async (sentRequest, email) => {
      calls.push(`send ${sentRequest.id}`);
      if (sendError) throw sendError;
      sent.push({ request: sentRequest, email });
    },
  };
  return { deps, calls, sent };
}

const context = { messageId: request.id, template: request.template, attempt: 1 };

describe('handling one email request', () => {
  it('renders and sends a valid request, then marks its id as sent', async () => {
    const { deps, calls, sent } = fakes();
    expect(await handleEmailDelivery(delivery(request), deps)).toEqual({ kind: 'sent', context });
    expect(calls).toEqual([`claim ${request.id}`, `send ${request.id}`, `mark sent ${request.id}`]);
    expect(sent[0]!.email.subject).toBe('Your KeyLab sign-up code');
    expect(sent[0]!.email.text).toContain('482913');
  });

  it('parks a body that is not a request, naming the message by its own id', async () => {
    const { deps, calls } = fakes();
    expect(await handleEmailDelivery(delivery('not json at all'), deps)).toEqual({
      kind: 'dead',
      deadReason: 'malformed',
      detail: 'not JSON',
      context: { messageId: 'message-1', attempt: 1 },
    });
    expect(calls).toEqual([]);
  });

  it('parks a request without the params its template needs, without claiming its id', async () => {
    const { deps, calls } = fakes();
    const outcome = await handleEmailDelivery(delivery({ ...request, params: {} }), deps);
    expect(outcome).toMatchObject({ kind: 'dead', deadReason: 'malformed', context });
    expect(outcome.kind === 'dead' && outcome.detail).toMatch(/needs the parameters code/);
    expect(calls).toEqual([]);
  });

  it('skips a request whose id was sent before', async () => {
    const { deps, calls } = fakes({ state: 'sent' });
    expect(await handleEmailDelivery(delivery(request), deps)).toEqual({ kind: 'duplicate', context });
    expect(calls).toEqual([`claim ${request.id}`]);
  });

  it('sends a request that another delivery is sending to the next retry tier', async () => {
    const { deps } = fakes({ state: 'busy' });
    expect(await handleEmailDelivery(delivery(request), deps)).toEqual({
      kind: 'retry',
      tier: retryTiers[0],
      context: { ...context, reason: 'being sent by another delivery' },
    });
  });

  it('after a transient failure, frees the id and picks the tier of the attempt', async () => {
    const { deps, calls } = fakes(undefined, smtpError(451, 'EMESSAGE', '451 Try again later'));
    expect(await handleEmailDelivery(delivery(request, 1), deps)).toEqual({
      kind: 'retry',
      tier: retryTiers[1],
      context: { ...context, attempt: 2, reason: 'smtp 451 EMESSAGE' },
    });
    expect(calls).toEqual([`claim ${request.id}`, `send ${request.id}`, `release ${request.id} token-1`]);
  });

  it('parks a request whose last tier failed too, with the SMTP reply', async () => {
    const { deps } = fakes(undefined, smtpError(451, 'EMESSAGE', '451 Try again later'));
    expect(await handleEmailDelivery(delivery(request, 2), deps)).toEqual({
      kind: 'dead',
      deadReason: 'retries-exhausted',
      detail: '451 Try again later',
      context: { ...context, attempt: 3, reason: 'smtp 451 EMESSAGE' },
    });
  });

  it('parks a request the SMTP server refuses for good, at once', async () => {
    const { deps, calls } = fakes(undefined, smtpError(550, 'EENVELOPE', '550 No such user here'));
    expect(await handleEmailDelivery(delivery(request), deps)).toEqual({
      kind: 'dead',
      deadReason: 'permanent',
      detail: '550 No such user here',
      context: { ...context, reason: 'smtp 550 EENVELOPE' },
    });
    expect(calls.at(-1)).toBe(`release ${request.id} token-1`);
  });
});

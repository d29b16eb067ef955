// The email worker against the local RabbitMQ and Redis and an in-process SMTP server, on queues and an
// exchange of its own (unique names), with retry tiers of 100, 200 and 300 ms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTEMPTS_HEADER, DEAD_REASON_HEADER, ERROR_HEADER, sentKey, SENT_TTL_SECONDS } from '@keylab/email-worker';
import type { EmailRequestV1 } from '@keylab/messaging';
import { captureLogs, waitFor } from '@keylab/testing';
import { startSmtp, startWorkerFixture, type Smtp, type WorkerFixture } from './fixtures';

const logs = captureLogs();
/** Every param value the worker was given: none may show up in its logs. */
const secrets: string[] = [];
let smtp: Smtp;
let fixture: WorkerFixture;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function request(overrides: Partial<EmailRequestV1> = {}): EmailRequestV1 {
  const built = fixture.request(overrides);
  secrets.push(...Object.values(built.params));
  return built;
}

/** Polls the dead queue (channel.get) until a message with this request id is there. */
async function deadLetter(id: string) {
  const find = () =>
    fixture.dead.find((message) => {
      try {
        return (JSON.parse(message.content.toString('utf8')) as { id?: string }).id === id;
      } catch {
        return false;
      }
    });
  const deadline = Date.now() + 15_000;
  while (!find()) {
    if (Date.now() > deadline) throw new Error(`request ${id} never reached the dead queue`);
    await fixture.drainDead();
    await sleep(50);
  }
  return find()!;
}

const logged = (id: string, msg: string) => logs.lines.some((line) => line.messageId === id && line.msg === msg);

beforeAll(async () => {
  smtp = await startSmtp();
  fixture = await startWorkerFixture({ smtp, logger: logs.logger });
});

afterAll(async () => {
  await fixture?.close();
  await smtp?.close();
});

describe('email worker', () => {
  it('sends a sign-up code in English: subject, both parts, the code, a Message-ID from the request id', async () => {
    const sent = request({ locale: 'en' });
    await fixture.publish(sent);
    await waitFor(() => smtp.received(sent.to).length === 1);
    const { mail } = smtp.received(sent.to)[0]!;
    expect(mail.subject).toBe('Your KeyLab sign-up code');
    expect(mail.headers.get('from')).toBe('KeyLab <no-reply@keylab.local>');
    expect(mail.headers.get('message-id')).toBe(`<${sent.id}@keylab>`);
    expect(mail.headers.get('content-type')).toMatch(/^multipart\/alternative/);
    expect(mail.text).toContain(sent.params.code);
    expect(mail.text).toContain('valid for 10 minutes');
    expect(mail.html).toContain(`<b>${sent.params.code}</b>`);
    expect(mail.html).toContain('<html lang="en">');
  });

  it('sends a sign-up code in Russian', async () => {
    const sent = request({ locale: 'ru' });
    await fixture.publish(sent);
    await waitFor(() => smtp.received(sent.to).length === 1);
    const { mail } = smtp.received(sent.to)[0]!;
    expect(mail.subject).toBe('Ваш код для регистрации в KeyLab');
    expect(mail.headers.get('message-id')).toBe(`<${sent.id}@keylab>`);
    expect(mail.text).toContain(sent.params.code);
    expect(mail.text).toContain('Код будет активен в течение 10 минут.');
    expect(mail.html).toContain(`<b>${sent.params.code}</b>`);
    expect(mail.html).toContain('<html lang="ru">');
  });

  it('sends a request delivered twice (same id) once, and remembers the id for 7 days', async () => {
    const sent = request();
    await fixture.publish(sent);
    await fixture.publish(sent);
    await waitFor(() => logged(sent.id, 'email already sent; duplicate request skipped'));
    // And once more, well after the first send.
    await fixture.publish(sent);
    await waitFor(
      () =>
        logs.lines.filter((line) => line.messageId === sent.id && line.msg === 'email already sent; duplicate request skipped')
          .length === 2,
    );
    expect(smtp.received(sent.to)).toHaveLength(1);
    expect(await fixture.redis.get(sentKey(sent.id))).toBe('sent');
    expect(await fixture.redis.ttl(sentKey(sent.id))).toBeGreaterThan(SENT_TTL_SECONDS - 60);
  });

  it('retries through the tiers while SMTP answers 451, and delivers exactly once when it recovers', async () => {
    const sent = request();
    smtp.behaviours.set(sent.to, { fail451: 2 });
    await fixture.publish(sent);
    await waitFor(() => smtp.received(sent.to).length === 1);
    await sleep(500);
    expect(smtp.received(sent.to)).toHaveLength(1);
    expect(smtp.attempts.get(sent.to)).toBe(3);
    const retries = logs.lines.filter((line) => line.messageId === sent.id && line.msg === 'email not sent; will retry');
    expect(retries.map((line) => [line.attempt, line.retryInMs, line.template])).toEqual([
      [1, 100, 'sign-up-code'],
      [2, 200, 'sign-up-code'],
    ]);
    expect(retries[0]!.reason).toMatch(/^smtp 451/);
    expect(logs.lines.find((line) => line.messageId === sent.id && line.msg === 'email sent')?.attempt).toBe(3);
  });

  it('parks a message in the dead queue after the last tier when SMTP always answers 451, and sends nothing', async () => {
    const sent = request();
    smtp.behaviours.set(sent.to, { fail451: 'always' });
    await fixture.publish(sent);
    const dead = await deadLetter(sent.id);
    expect(dead.properties.headers?.[DEAD_REASON_HEADER]).toBe('retries-exhausted');
    expect(dead.properties.headers?.[ATTEMPTS_HEADER]).toBe(4);
    expect(String(dead.properties.headers?.[ERROR_HEADER])).toMatch(/451/);
    expect(dead.properties.messageId).toBe(sent.id);
    expect(smtp.attempts.get(sent.to)).toBe(4);
    expect(smtp.received(sent.to)).toHaveLength(0);
    // Not marked as sent: a replay from the dead queue would be sent.
    expect(await fixture.redis.get(sentKey(sent.id))).toBeNull();
  });

  it('parks a message straight away when SMTP rejects it for good (550)', async () => {
    const sent = request({ template: 'password-changed', params: {} });
    smtp.behaviours.set(sent.to, { reject550: true });
    await fixture.publish(sent);
    const dead = await deadLetter(sent.id);
    expect(dead.properties.headers?.[DEAD_REASON_HEADER]).toBe('permanent');
    expect(dead.properties.headers?.[ATTEMPTS_HEADER]).toBe(1);
    expect(String(dead.properties.headers?.[ERROR_HEADER])).toMatch(/550/);
    expect(logs.lines.some((line) => line.messageId === sent.id && line.msg === 'email not sent; will retry')).toBe(false);
    expect(smtp.received(sent.to)).toHaveLength(0);
  });

  it('parks malformed messages and goes on with the next good one', async () => {
    const badId = fixture.newId();
    await fixture.publishRaw(Buffer.from('not json at all'));
    await fixture.publish({ version: 1, id: badId, template: 'sign-up-code', locale: 'en', to: 42, params: {} });
    const wrongVersion = { ...request(), version: 2 };
    await fixture.publish(wrongVersion);
    const noCode = request({ params: {} });
    await fixture.publish(noCode);
    const unknownTemplate = { ...request(), template: 'newsletter' };
    await fixture.publish(unknownTemplate);
    const good = request({ template: 'email-change-code', locale: 'ru' });
    await fixture.publish(good);

    await waitFor(() => smtp.received(good.to).length === 1);
    expect(smtp.received(good.to)[0]!.mail.subject).toBe('Подтвердите новый адрес почты в KeyLab');
    for (const id of [badId, wrongVersion.id, noCode.id, unknownTemplate.id]) {
      const dead = await deadLetter(id);
      expect(dead.properties.headers?.[DEAD_REASON_HEADER]).toBe('malformed');
    }
    expect(String((await deadLetter(badId)).properties.headers?.[ERROR_HEADER])).toBe('invalid to');
    expect(String((await deadLetter(noCode.id)).properties.headers?.[ERROR_HEADER])).toMatch(/needs the parameters code/);
    await waitFor(() => fixture.dead.some((message) => message.content.toString('utf8') === 'not json at all'));
    expect(smtp.received(noCode.to)).toHaveLength(0);
  });

  it('escapes params in the HTML part', async () => {
    const sent = request({ template: 'email-changed', params: { newEmail: '<b>new</b>@example.test' } });
    await fixture.publish(sent);
    await waitFor(() => smtp.received(sent.to).length === 1);
    const { mail } = smtp.received(sent.to)[0]!;
    expect(mail.subject).toBe('Your KeyLab email address was changed');
    expect(mail.html).toContain('&lt;b&gt;new&lt;/b&gt;@example.test');
    expect(mail.html).not.toContain('<b>new</b>');
    expect(mail.text).toContain('<b>new</b>@example.test');
  });

  it('answers readiness for RabbitMQ, SMTP and Redis', async () => {
    const response = await fetch(`${fixture.worker.url}/ready`);
    expect(response.status).toBe(200);
    expect(Object.keys(((await response.json()) as { checks: object }).checks).sort()).toEqual(['rabbitmq', 'redis', 'smtp']);
  });

  it('never logs a code, a param or a recipient', () => {
    const text = logs.lines.map((line) => JSON.stringify(line)).join('\n');
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/@example\.test/);
    expect(logs.lines.some((line) => line.msg === 'email sent')).toBe(true);
  });
});

describe('email worker without Redis', () => {
  it('still sends, and warns', async () => {
    const own = captureLogs();
    const fallback = await startWorkerFixture({ smtp, logger: own.logger, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const sent = fallback.request();
      await fallback.publish(sent);
      await waitFor(() => smtp.received(sent.to).length === 1);
      expect(own.lines.some((line) => line.msg === 'redis unavailable: sending without the duplicate check')).toBe(true);
      const ready = await fetch(`${fallback.worker.url}/ready`);
      expect(ready.status).toBe(503);
    } finally {
      await fallback.close();
    }
  });
});

describe('email worker shutdown', () => {
  it('stops consuming but lets a send in progress finish and acknowledges it', async () => {
    const own = captureLogs();
    const stopping = await startWorkerFixture({ smtp, logger: own.logger });
    try {
      const sent = stopping.request();
      smtp.behaviours.set(sent.to, { delayMs: 500 });
      await stopping.publish(sent);
      await waitFor(() => smtp.receiving() > 0);
      await stopping.worker.close();
      expect(smtp.received(sent.to)).toHaveLength(1);
      expect(own.lines.some((line) => line.messageId === sent.id && line.msg === 'email sent')).toBe(true);
      // Acknowledged: nothing is left on the queue for the next worker.
      const left = await stopping.publisher.channel.checkQueue(stopping.topology.queue);
      expect(left.messageCount).toBe(0);
    } finally {
      await stopping.close();
    }
  });
});

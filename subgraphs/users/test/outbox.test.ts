import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidOf } from '@keylab/server';
import { startTcpProxy, waitFor, type TcpProxy } from '@keylab/testing';
import { startStack, type Stack } from '@keylab/test-support';

let stack: Stack;
let proxy: TcpProxy;
const made: string[] = [];

beforeAll(async () => {
  const amqp = new URL(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  proxy = await startTcpProxy(Number(amqp.port || 5672), amqp.hostname);
  amqp.port = String(proxy.port);
  // Only the users service reaches RabbitMQ through the proxy; the email worker keeps its own connection.
  stack = await startStack({ email: true, usersEnv: { AMQP_URL: amqp.toString() } });
});

afterAll(async () => {
  await stack.users.db.user.deleteMany({ where: { email: { in: made } } });
  await stack?.close();
  await proxy?.close();
});

const requestCode = (email: string) =>
  stack.graphql<{ requestSignUpCode: { accepted: boolean } }>(
    'mutation ($email: String!) { requestSignUpCode(input: { email: $email }) { accepted } }',
    {
      variables: { email },
      headers: { 'x-forwarded-for': `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` },
    },
  );

describe('the outbox', () => {
  it('loses no email while RabbitMQ is unreachable, and sends each exactly once when it is back', async () => {
    await stack.users.broker.channel.waitForConnect();
    proxy.cut();
    await waitFor(() => !stack.users.broker.isConnected());
    const emails = Array.from({ length: 4 }, () => `outage-${crypto.randomUUID()}@example.test`);
    made.push(...emails);
    for (const email of emails) expect((await requestCode(email)).data?.requestSignUpCode.accepted).toBe(true);

    const pending = await stack.users.db.outboxMessage.count({
      where: { publishedAt: null, payload: { path: ['to'], string_contains: 'outage-' } },
    });
    expect(pending).toBeGreaterThanOrEqual(4);
    expect(emails.every((email) => stack.mailbox.to(email).length === 0)).toBe(true);

    proxy.restore();
    for (const email of emails) await stack.mailbox.next(email, 1, 40_000);
    // Time for any duplicate to show up, then exactly one each.
    await stack.users.relay.drain();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(emails.map((email) => stack.mailbox.to(email).length)).toEqual([1, 1, 1, 1]);
  });

  it('keeps no code once a message is published, and publishes the user.registered event without secrets', async () => {
    const email = `outbox-${crypto.randomUUID()}@example.test`;
    made.push(email);
    await requestCode(email);
    const mail = await stack.mailbox.next(email);
    const rows = await stack.users.db.outboxMessage.findMany({ where: { payload: { path: ['to'], equals: email } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.publishedAt).not.toBeNull();
    expect(JSON.stringify(rows[0]!.payload)).not.toContain(mail.code!);

    const signedUp = await stack.graphql<{ signUp: { user: { id: string } } }>(
      'mutation ($input: SignUpInput!) { signUp(input: $input) { user { id } } }',
      { variables: { input: { email, code: mail.code, password: 'outbox password', nickname: 'outboxer' } } },
    );
    // Events carry the database id: the API's global id is for clients only.
    const userId = uuidOf('User', signedUp.data!.signUp.user.id)!;
    const event = await stack.users.db.outboxMessage.findFirstOrThrow({
      where: { routingKey: 'user.registered', payload: { path: ['userId'], equals: userId } },
    });
    expect(event.exchange).toBe(stack.signUps.exchange);
    expect(event.payload).toMatchObject({ version: 1, userId, nickname: 'outboxer' });
    expect(JSON.stringify(event.payload)).not.toMatch(/password|argon2|@example\.test/);
  });
});

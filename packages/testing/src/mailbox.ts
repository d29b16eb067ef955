import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './wait';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string | undefined;
  /** The 6-digit code in the text part, when there is one. */
  code: string | undefined;
}

export interface Mailbox {
  smtpUrl: string;
  messages: ReceivedMail[];
  /** Messages sent to one address, in arrival order. */
  to(address: string): ReceivedMail[];
  /** Waits until `address` has received `count` messages and returns the last. */
  next(address: string, count?: number, timeoutMs?: number): Promise<ReceivedMail>;
  /** The next `times` deliveries are refused with this SMTP reply (451 transient, 550 permanent). */
  refuse(times: number, reply?: string): void;
  close(): Promise<void>;
}

function toMail(parsed: ParsedMail, envelopeTo: string[]): ReceivedMail {
  const text = parsed.text ?? '';
  return {
    to: envelopeTo,
    subject: parsed.subject ?? '',
    text,
    html: typeof parsed.html === 'string' ? parsed.html : '',
    messageId: parsed.messageId,
    code: /\b(\d{6})\b/.exec(text)?.[1],
  };
}

/** A real SMTP server in this process (smtp-server) that keeps and parses what it receives. */
export async function startMailbox(): Promise<Mailbox> {
  const messages: ReceivedMail[] = [];
  let refusals = 0;
  let refusal = '451 4.3.0 try again later';
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusals > 0) {
          refusals -= 1;
          const [code = '451', ...words] = refusal.split(' ');
          const error = Object.assign(new Error(words.join(' ')), { responseCode: Number(code) });
          return callback(error);
        }
        simpleParser(Buffer.concat(chunks))
          .then((parsed) => {
            messages.push(
              toMail(
                parsed,
                session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              ),
            );
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  const to = (address: string) => messages.filter((mail) => mail.to.includes(address.toLowerCase()));
  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    messages,
    to,
    async next(address, count = 1, timeoutMs = 20_000) {
      await waitFor(() => to(address).length >= count, timeoutMs);
      return to(address)[count - 1]!;
    },
    refuse(times, reply = refusal) {
      refusals = times;
      refusal = reply;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

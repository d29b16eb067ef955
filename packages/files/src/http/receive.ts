import busboy from 'busboy';
import type { Request } from 'express';
import { createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileRejected } from '../errors';

/** The client went away before the body was complete: nobody is left to answer. */
export class ClientGone extends Error {
  override readonly name = 'ClientGone';
}

function isErrno(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).errno === 'number';
}

/** Malformed-body errors of the parser become `malformed`; our own refusals and disk errors stay as they are. */
function classify(error: unknown): Error {
  if (error instanceof FileRejected || error instanceof ClientGone || isErrno(error)) return error as Error;
  return new FileRejected('malformed');
}

/**
 * Pipes `source` into a new file at `path`. Settles only once the file is closed: a pipeline destroyed
 * before the file opened still creates it afterwards, and removing it earlier would leave it behind.
 */
function writeTo(source: NodeJS.ReadableStream, path: string): Promise<void> {
  const file = createWriteStream(path, { flags: 'wx' });
  const closed = new Promise<void>((resolve) => file.once('close', () => resolve()));
  const writing = pipeline(source, file);
  return writing.then(
    () => closed,
    (error: unknown) => closed.then(() => Promise.reject(error)),
  );
}

/** Settles once, after the temporary file is closed (so removing it afterwards leaves nothing behind). */
function settleOnce(resolve: () => void, reject: (error: Error) => void) {
  let settled = false;
  let writing: Promise<unknown> = Promise.resolve();
  return {
    get settled() {
      return settled;
    },
    track(promise: Promise<unknown>) {
      writing = promise.catch(() => undefined);
    },
    finish(error?: Error) {
      if (settled) return;
      settled = true;
      void writing.then(() => (error ? reject(error) : resolve()));
    },
  };
}

/**
 * Fails the upload when the client goes before the end of the body; false when it already went (while
 * the upload was being authorized), when its 'close' has passed and would never come.
 */
function watchClient(req: Request, fail: (error: Error) => void): boolean {
  if (req.destroyed && !req.complete) {
    fail(new ClientGone('the client closed the connection before the body was read'));
    return false;
  }
  req.on('error', () => fail(new ClientGone('the request failed before its end')));
  req.on('close', () => {
    if (!req.complete) fail(new ClientGone('the client closed the connection before the end of the body'));
  });
  return true;
}

/**
 * Streams the one file of a multipart/form-data body to `path`. Refuses with too_large as soon as the
 * file passes `limit` bytes, too_many_files at a second file, no_file when there is none, malformed for
 * a body busboy cannot parse (no boundary, cut off, too many parts).
 */
export function receiveMultipart(req: Request, limit: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 1, fileSize: limit, fields: 20, fieldSize: 8 * 1024, parts: 40, headerPairs: 100 },
      });
    } catch {
      reject(new FileRejected('malformed'));
      return;
    }
    const state = settleOnce(resolve, reject);
    let file: Readable | undefined;
    const fail = (error: Error) => {
      if (state.settled) return;
      req.unpipe(parser);
      // With an error: a busboy file stream destroyed without one leaves the pipeline pending forever.
      file?.destroy(error);
      state.finish(error);
    };
    parser.on('file', (_field, stream) => {
      if (file || state.settled) {
        stream.resume();
        fail(new FileRejected('too_many_files'));
        return;
      }
      file = stream;
      stream.on('limit', () => fail(new FileRejected('too_large', { limit })));
      const writing = writeTo(stream, path);
      state.track(writing);
      writing.catch((error: unknown) => fail(classify(error)));
    });
    parser.on('filesLimit', () => fail(new FileRejected('too_many_files')));
    parser.on('partsLimit', () => fail(new FileRejected('malformed')));
    parser.on('fieldsLimit', () => fail(new FileRejected('malformed')));
    parser.on('error', (error: unknown) => fail(classify(error)));
    // busboy finishes once the form is parsed and every file stream has ended.
    parser.on('finish', () => {
      if (!file) fail(new FileRejected('no_file'));
      else state.finish();
    });
    if (watchClient(req, fail)) req.pipe(parser);
  });
}

/** Streams a raw body (the file itself) to `path`, refusing with too_large as soon as it passes `limit`. */
export function receiveRaw(req: Request, limit: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const state = settleOnce(resolve, reject);
    let received = 0;
    const limiter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > limit) callback(new FileRejected('too_large', { limit }));
        else callback(null, chunk);
      },
    });
    const fail = (error: Error) => {
      if (state.settled) return;
      req.unpipe(limiter);
      limiter.destroy(error);
      state.finish(error);
    };
    const writing = writeTo(limiter, path);
    state.track(writing);
    writing.then(
      () => state.finish(),
      (error: unknown) => fail(classify(error)),
    );
    if (watchClient(req, fail)) req.pipe(limiter);
  });
}

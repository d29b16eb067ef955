// Small helpers for tests that depend on nothing of the product: the in-process supergraph is
// @keylab/test-support (test/support/).
export { captureLogs, type CapturedLogs } from './logs';
export { waitFor } from './wait';
export { startMailbox, type Mailbox, type ReceivedMail } from './mailbox';
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { launchBrowser, offlineContext, CHROMIUM_PATH } from './browser';
export { freePort } from './ports';
export { startS3Server, type S3Server } from './s3-server';

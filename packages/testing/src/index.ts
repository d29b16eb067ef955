export { TEST_DATABASES, TEST_FILES_DIR } from './databases';
export {
  startStack,
  postGraphQL,
  type StackOptions,
  type Stack,
  type TestUser,
  type GraphQLResponse,
  type RequestOptions,
} from './stack';
export { captureLogs, type CapturedLogs } from './logs';
export { waitFor } from './wait';
export { startMailbox, type Mailbox, type ReceivedMail } from './mailbox';
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { cookiesOf, cookieValue, AUTH_FIELDS, type AuthResult } from './auth';
export { launchBrowser, offlineContext, CHROMIUM_PATH } from './browser';
export { freePort } from './ports';

export { TEST_DATABASES } from './databases';
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

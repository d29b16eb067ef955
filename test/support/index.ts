export {
  startStack,
  postGraphQL,
  type StackOptions,
  type Stack,
  type TestUser,
  type GraphQLResponse,
  type RequestOptions,
} from './stack';
export { TEST_DATABASES, TEST_FILES_DIR } from './databases';
export { cookiesOf, cookieValue, AUTH_FIELDS, type AuthResult } from './auth';

export { mountHealth, listen, startOrExit, stopOnSignal, type ReadinessChecks, type RunningServer } from './http';
export {
  forwardedIdentity,
  requestContext,
  tokenRefused,
  verifiedCaller,
  verifiedViewer,
  visitorIdFrom,
  type Caller,
  type RequestContext,
} from './context';
export {
  GATEWAY_PROOF_HEADER,
  gatewayProofHeaders,
  signForwarded,
  verifyForwarded,
  type ForwardedIdentity,
} from './gateway-proof';
export { requireGateway, verifiedForwarded } from './require-gateway';
export { gatewaySecret } from './local-secret';
export {
  errorPolicyPlugin,
  landingPagePlugin,
  mountGraphQL,
  refuseRequest,
  requestLogPlugin,
  GRAPHQL_BODY_LIMIT,
} from './graphql';
export { startSubgraph, type SubgraphOptions } from './subgraph';
export { DateTimeScalar, URLScalar } from './scalars';
export { toGlobalId, fromGlobalId, idOf, uuidOf, isUuid, type NodeType } from './global-id';
export { loadTypeDefs } from './schema';
export { connectBackingServices, type BackingServices } from './backing-services';
export { type CompleteResolvers } from './resolvers';
export { accessTokenVerifier } from './token-verifier';

export { mountHealth, listen, startOrExit, stopOnSignal, type ReadinessChecks, type RunningServer } from './http';
export { forwardedIdentity, requestContext, verifiedViewer, visitorIdFrom, type RequestContext } from './context';
export { GATEWAY_PROOF_HEADER, signForwarded, verifyForwarded, type ForwardedIdentity } from './gateway-proof';
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
export { DateTimeScalar } from './scalars';
export { loadTypeDefs } from './schema';
export { connectBackingServices, type BackingServices } from './backing-services';
export { type CompleteResolvers } from './resolvers';
export { accessTokenVerifier } from './token-verifier';

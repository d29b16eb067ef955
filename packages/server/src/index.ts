export { mountHealth, listen, startOrExit, stopOnSignal, type ReadinessChecks, type RunningServer } from './http';
export { requestContext, verifiedViewer, visitorIdFrom, type RequestContext } from './context';
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

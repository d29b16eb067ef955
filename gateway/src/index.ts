export { gatewaySettings, type GatewayConfig } from './config';
export { startGateway } from './gateway';
export { VISITOR_COOKIE } from './visitor';

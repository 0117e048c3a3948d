export * from './cloud-connector.js';
export * from './local/local-cloud.js';
export { BRIDGE_ADDRESS } from './local/host-network.js';

export { type CloudControllerClientDeps, createCloudControllerClient, credentialsOf } from './cc-client.ts';
export { endpointLabel } from './endpoint-label.ts';
export { CfError, type CfErrorCode, isCfError } from './errors.ts';
export { createCcRequestCounter } from './metrics.ts';
export type { CcRequestCounter, CfCredentials, CloudControllerClient, ListResult } from './types.ts';

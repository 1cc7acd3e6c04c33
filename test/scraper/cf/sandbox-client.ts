import type { CfApiConfig } from '../../../common/config/types.ts';
import { createLogger } from '../../../common/logging.ts';
import type { Sandbox } from '../../../sandbox/index.ts';
import { type CloudControllerClientDeps, createCloudControllerClient } from '../../../scraper/cf/index.ts';

export const silent = createLogger({ level: 'silent', name: 'test' });

export function adminConfig(sandbox: Sandbox): CfApiConfig {
  return {
    apiUrl: sandbox.ccUrl,
    clientId: sandbox.admin.clientId,
    clientSecret: sandbox.admin.clientSecret,
    skipSslValidation: false,
  };
}

/** A CC client against the sandbox with fast retries; `overrides` replace any dependency. */
export function sandboxClient(sandbox: Sandbox, overrides: Partial<CloudControllerClientDeps> = {}) {
  return createCloudControllerClient({
    config: adminConfig(sandbox),
    logger: silent,
    timeoutMs: 2_000,
    backoffMs: 20,
    ...overrides,
  });
}

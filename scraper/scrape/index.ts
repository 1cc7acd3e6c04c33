export { FairSemaphore } from './fair-semaphore.ts';
export { type FetchDeps, fetchInstance } from './fetch-instance.ts';
export { type MergedSpace, mergeSpace, readAnswer } from './merge-space.ts';
export { OAuthTokens } from './oauth-tokens.ts';
export { createScrapeAgent, type ScrapeAgentOptions } from './scrape-agent.ts';
export { type ScrapeRecord, ScrapeRecorder, type ScrapeRecorderOptions } from './scrape-recorder.ts';
export {
  createScrapeService,
  type ScrapeJob,
  type ScrapeOptions,
  type ScrapeService,
  type ScrapeServiceDeps,
} from './scrape-service.ts';
export { Semaphore } from './semaphore.ts';
export { SingleFlight } from './single-flight.ts';
export { createTokenAgent, type TokenAgentOptions } from './token-agent.ts';
export type { InstanceRequest, ScrapeOutcome } from './types.ts';

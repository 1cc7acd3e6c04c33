export { createHandler } from './handler.ts';
export type { HttpDeps } from './http-deps.ts';
export type { Rendered } from './respond.ts';

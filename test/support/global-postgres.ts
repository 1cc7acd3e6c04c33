import type { TestProject } from 'vitest/node';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../common/db/embedded.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the server the tests create their databases on. */
    postgresAdminUrl: string;
  }
}

let server: EmbeddedDatabase | undefined;

/**
 * One PostgreSQL server per test run: the one named by DATABASE_URL when given (CI runs the suite a second
 * time against the machine's PostgreSQL), else an embedded server in its own directory and port.
 * Each test file then creates a database of its own on it (see database.ts).
 */
export async function setup(project: TestProject): Promise<void> {
  const external = process.env.DATABASE_URL;
  if (external) {
    project.provide('postgresAdminUrl', external);
    return;
  }
  server = await startEmbeddedPostgres();
  project.provide('postgresAdminUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.destroy();
}

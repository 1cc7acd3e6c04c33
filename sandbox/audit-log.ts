import { randomUUID } from 'node:crypto';

// CC's audit event log as far as a scraper reads it: append-only, in creation order, created_at at second
// precision (so several events share one second, and a reader must expect late writes within it).

export interface AuditActor {
  guid: string;
  type: 'user' | 'process' | 'system';
  name: string;
}

export interface AuditEventRecord {
  guid: string;
  createdAt: string;
  type: string;
  actor: AuditActor;
  target: { guid: string; type: 'app' | 'route'; name: string };
  data: Record<string, unknown>;
  spaceGuid: string;
  orgGuid: string;
}

/** The user every control operation acts as (a developer running `cf scale`, `cf stop`, …). */
export const CONTROL_ACTOR: AuditActor = {
  guid: '5a2d1e7c-0b4f-4c1a-9e3d-7f6b8a9c0d11',
  type: 'user',
  name: 'sandbox-user',
};

export class AuditLog {
  readonly events: AuditEventRecord[] = [];

  constructor(private readonly stamp: () => string) {}

  record(event: Omit<AuditEventRecord, 'guid' | 'createdAt'>): AuditEventRecord {
    const full = { guid: randomUUID(), createdAt: this.stamp(), ...event };
    this.events.push(full);
    return full;
  }
}

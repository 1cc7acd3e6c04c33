import { randomUUID } from 'node:crypto';
import { ccTimestamp, type Foundation, SandboxError } from '../state.ts';

// Who may see what in the simulated CC: users' space and org roles, and the service instances the CC
// knows (what `cf create-service` leaves behind), so the permissions endpoint can answer as CC does.

export type SpaceRole = 'space_developer' | 'space_manager' | 'space_auditor' | 'space_supporter';
export type OrgRole = 'organization_manager' | 'organization_auditor' | 'organization_user';

export const SPACE_ROLES: readonly SpaceRole[] = [
  'space_developer',
  'space_manager',
  'space_auditor',
  'space_supporter',
];
export const ORG_ROLES: readonly OrgRole[] = [
  'organization_manager',
  'organization_auditor',
  'organization_user',
];

export interface ServiceInstanceRecord {
  guid: string;
  name: string;
  spaceGuid: string;
  createdAt: string;
}

/** A service key as the CC keeps it (`cf create-service-key <instance> <name>`). */
export interface ServiceKeyRecord {
  guid: string;
  name: string;
  serviceInstanceGuid: string;
  createdAt: string;
}

export interface Permissions {
  read: boolean;
  manage: boolean;
}

export class RoleBook {
  readonly serviceInstances = new Map<string, ServiceInstanceRecord>();
  readonly serviceKeys = new Map<string, ServiceKeyRecord>();
  /** user guid → `<space or org guid>` → roles held there. */
  private readonly grants = new Map<string, Map<string, Set<string>>>();

  constructor(
    private readonly foundation: Foundation,
    private readonly now: () => number = Date.now,
  ) {}

  registerServiceInstance(spec: { spaceGuid: string; name: string; guid?: string }): ServiceInstanceRecord {
    if (!this.foundation.spaces.has(spec.spaceGuid)) {
      throw new SandboxError('not_found', `no space ${spec.spaceGuid}`);
    }
    const record = {
      guid: spec.guid ?? randomUUID(),
      name: spec.name,
      spaceGuid: spec.spaceGuid,
      createdAt: ccTimestamp(this.now()),
    };
    this.serviceInstances.set(record.guid, record);
    return record;
  }

  registerServiceKey(spec: { guid: string; name: string; serviceInstanceGuid: string }): ServiceKeyRecord {
    if (!this.serviceInstances.has(spec.serviceInstanceGuid)) {
      throw new SandboxError('not_found', `no service instance ${spec.serviceInstanceGuid}`);
    }
    const record = { ...spec, createdAt: ccTimestamp(this.now()) };
    this.serviceKeys.set(record.guid, record);
    return record;
  }

  /** Replaces the user's roles in one space (an empty list removes them all). */
  setSpaceRoles(userGuid: string, spaceGuid: string, roles: readonly string[]): void {
    if (!this.foundation.spaces.has(spaceGuid)) throw new SandboxError('not_found', `no space ${spaceGuid}`);
    this.set(userGuid, spaceGuid, roles, SPACE_ROLES);
  }

  setOrgRoles(userGuid: string, orgGuid: string, roles: readonly string[]): void {
    if (!this.foundation.orgs.has(orgGuid)) throw new SandboxError('not_found', `no org ${orgGuid}`);
    this.set(userGuid, orgGuid, roles, ORG_ROLES);
  }

  removeRole(userGuid: string, guid: string, role: string): void {
    this.grants.get(userGuid)?.get(guid)?.delete(role);
  }

  rolesOf(userGuid: string, guid: string): string[] {
    return [...(this.grants.get(userGuid)?.get(guid) ?? [])];
  }

  /**
   * As cloud_controller_ng: `read` for an admin (or read-only admin, global auditor), any role in the
   * instance's space, or a manager of its org; `manage` for an admin or a developer of the space.
   */
  permissions(userGuid: string, scopes: readonly string[], instance: ServiceInstanceRecord): Permissions {
    const admin = scopes.includes('cloud_controller.admin');
    const readAll =
      admin ||
      scopes.includes('cloud_controller.admin_read_only') ||
      scopes.includes('cloud_controller.global_auditor');
    const spaceRoles = this.grants.get(userGuid)?.get(instance.spaceGuid) ?? new Set<string>();
    const orgGuid = this.foundation.spaces.get(instance.spaceGuid)?.orgGuid ?? '';
    const orgManager = this.grants.get(userGuid)?.get(orgGuid)?.has('organization_manager') ?? false;
    return {
      read: readAll || spaceRoles.size > 0 || orgManager,
      manage: admin || spaceRoles.has('space_developer'),
    };
  }

  private set(userGuid: string, guid: string, roles: readonly string[], allowed: readonly string[]): void {
    const unknown = roles.filter((r) => !allowed.includes(r));
    if (unknown.length > 0) {
      throw new SandboxError('invalid', `unknown role ${unknown.join(', ')} (one of ${allowed.join(', ')})`);
    }
    let byTarget = this.grants.get(userGuid);
    if (!byTarget) {
      byTarget = new Map();
      this.grants.set(userGuid, byTarget);
    }
    byTarget.set(guid, new Set(roles));
  }
}

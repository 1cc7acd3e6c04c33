export { BindingsError, type BindingsErrorCode } from './errors.ts';
export { type BindingsStoreDeps, createBindingsStore } from './store.ts';
export type { BindingsSnapshot, BindingsStore, InstanceRecord, ServiceKeyRecord } from './types.ts';

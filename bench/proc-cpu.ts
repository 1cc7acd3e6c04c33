import { readdirSync, readFileSync } from 'node:fs';

/** Fields of /proc/<pid>/stat after the command name (which may contain blanks). */
function statFields(pid: number | string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Every live process whose process group is `pgid` (an app started detached leads its own group). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) > 57) continue;
    try {
      if (Number(statFields(entry)[2]) === pgid) members.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/**
 * User + system CPU time so far, ms, summed over every process of the group (each process's figure
 * covers all its threads, the zlib and libuv threadpool included; 10 ms ticks).
 */
export function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const pid of groupMembers(pgid)) {
    try {
      const f = statFields(pid);
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // exited between the scan and the read
    }
  }
  return ticks * 10;
}

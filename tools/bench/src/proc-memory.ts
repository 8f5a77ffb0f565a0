import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessMemory {
  /** Resident set size now (VmRSS), bytes. */
  rssBytes: number;
  /** Peak resident set size over the process lifetime (VmHWM), bytes. */
  peakRssBytes: number;
}

/** Reads a `Name:   1234 kB` field of /proc/<pid>/status text, in bytes. */
export function statusField(status: string, name: string): number | undefined {
  const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${thread}/children`, 'latin1').trim();
    if (text) for (const child of text.split(/\s+/)) children.push(Number(child));
  }
  return children;
}

/**
 * Memory of a process and its descendants (a server may fork helpers), summed. Summing peaks
 * over-counts if the processes peaked at different times; a single process is exact.
 * Undefined once the process is gone.
 */
export function readProcessTreeMemory(pid: number): ProcessMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const memory = {
      rssBytes: statusField(status, 'VmRSS') ?? 0,
      peakRssBytes: statusField(status, 'VmHWM') ?? 0,
    };
    for (const child of childPids(pid)) {
      const childMemory = readProcessTreeMemory(child);
      if (!childMemory) continue;
      memory.rssBytes += childMemory.rssBytes;
      memory.peakRssBytes += childMemory.peakRssBytes;
    }
    return memory;
  } catch {
    return undefined;
  }
}

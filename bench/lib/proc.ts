/**
 * CPU and memory of this process and of the processes it started (the Temporal dev server, the
 * test OpenID provider), read from /proc. Only this process's own descendants are counted: other
 * engineers' servers on a shared machine are not ours.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clkTck: number | undefined;
function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

interface Stat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, ms */
  cpuMs: number;
}

function statOf(pid: number): Stat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = raw.indexOf('(');
    const close = raw.lastIndexOf(')');
    const rest = raw.slice(close + 2).split(' ');
    // fields after "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    const ticks = Number(rest[11]) + Number(rest[12]);
    return { pid, ppid: Number(rest[1]), comm: raw.slice(open + 1, close), cpuMs: (ticks * 1000) / ticksPerSecond() };
  } catch {
    return undefined; // gone
  }
}

/** Every live descendant of `root` (not `root` itself). */
export function descendants(root = process.pid): Stat[] {
  const all: Stat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = statOf(Number(name));
    if (s) all.push(s);
  }
  const out: Stat[] = [];
  const frontier = [root];
  while (frontier.length) {
    const parent = frontier.pop()!;
    for (const s of all) {
      if (s.ppid === parent) {
        out.push(s);
        frontier.push(s.pid);
      }
    }
  }
  return out;
}

/** The Temporal dev server's pid and its children, found among our descendants by name. */
export function devServerPids(): number[] {
  const mine = descendants();
  const servers = mine.filter((s) => s.comm === 'temporal');
  if (servers.length === 0) return [];
  const pids = new Set(servers.map((s) => s.pid));
  // and anything those started
  for (const s of servers) for (const d of descendants(s.pid)) pids.add(d.pid);
  return [...pids];
}

export interface CpuSample {
  /** this process: worker(s), API, HTTP clients, the floor's server — user + system, ms */
  selfMs: number;
  /** the Temporal dev server (and its children), ms */
  serverMs: number;
  /** other descendants (the OpenID provider, tsx's esbuild), ms */
  otherMs: number;
  /** the other descendants by command name, ms */
  otherByName: Record<string, number>;
}

export function cpuNow(): CpuSample {
  const self = process.cpuUsage();
  const server = new Set(devServerPids());
  let serverMs = 0;
  let otherMs = 0;
  const otherByName: Record<string, number> = {};
  for (const d of descendants()) {
    if (server.has(d.pid)) serverMs += d.cpuMs;
    else {
      otherMs += d.cpuMs;
      otherByName[d.comm] = (otherByName[d.comm] ?? 0) + d.cpuMs;
    }
  }
  return { selfMs: (self.user + self.system) / 1000, serverMs, otherMs, otherByName };
}

export const cpuDelta = (a: CpuSample, b: CpuSample): CpuSample & { totalMs: number } => {
  const otherByName: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a.otherByName), ...Object.keys(b.otherByName)])) otherByName[k] = (b.otherByName[k] ?? 0) - (a.otherByName[k] ?? 0);
  const d = { selfMs: b.selfMs - a.selfMs, serverMs: b.serverMs - a.serverMs, otherMs: b.otherMs - a.otherMs, otherByName };
  return { ...d, totalMs: d.selfMs + d.serverMs + d.otherMs };
};

/** Resident set size of a process, bytes (0 if gone). */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export const devServerRss = () => devServerPids().reduce((sum, pid) => sum + rssOf(pid), 0);

/** A full collection before a reading, when node runs with --expose-gc (npm run bench does). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

// Reads the V8 CPU profiles a `BENCH_PROFILE=1` run wrote and lists the functions that took the most
// time themselves (self time), the list to read first before changing anything.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples: number[];
  timeDeltas: number[];
}

export interface Frame {
  frame: string;
  selfPercent: number;
}

/** The top self-time frames of every profile in `dir` together (one service's profiles). */
export function topFrames(dir: string, root: string, count = 12): Frame[] {
  const self = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    profile.samples.forEach((id, index) => {
      const { callFrame } = byId.get(id)!;
      const micros = profile.timeDeltas[index] ?? 0;
      const where = callFrame.url ? `${relative(root, callFrame.url.replace(/^file:\/\//, ''))}:${callFrame.lineNumber + 1}` : '';
      const frame = `${callFrame.functionName || '(anonymous)'} ${where}`.trim();
      self.set(frame, (self.get(frame) ?? 0) + micros);
      total += micros;
    });
  }
  // Percentages of the time the process was not idle.
  total -= self.get('(idle)') ?? 0;
  const busy = [...self.entries()].filter(([frame]) => !/^\((idle|program|garbage collector)\)$/.test(frame));
  const gc = self.get('(garbage collector)') ?? 0;
  const frames = busy
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, micros]) => ({ frame, selfPercent: (100 * micros) / total }));
  return [{ frame: '(garbage collector)', selfPercent: (100 * gc) / total }, ...frames];
}

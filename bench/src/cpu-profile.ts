/**
 * Where a process spent its CPU: a summary of a V8 `.cpuprofile` (what `node --cpu-prof` and the inspector's
 * Profiler write) by function and by package, self time and time on the stack.
 */
import type { Profiler, Runtime } from 'node:inspector';
import { fileURLToPath } from 'node:url';

export type CpuProfile = Profiler.Profile;
type CallFrame = Runtime.CallFrame;

export interface FunctionTime {
  name: string;
  /** Package-relative or repository path, 1-based line. */
  location: string;
  category: string;
  selfMs: number;
  /** Time with this function anywhere on the stack (recursion counted once). */
  totalMs: number;
}

export interface CategoryTime {
  category: string;
  selfMs: number;
  /** Time with any function of this category on the stack. */
  onStackMs: number;
}

export interface ProfileSummary {
  /** Sampled time the thread was not idle. */
  busyMs: number;
  functions: FunctionTime[];
  categories: CategoryTime[];
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const V8_PSEUDO: Record<string, string> = {
  '(idle)': 'idle',
  '(program)': 'V8: (program) native code, compiler',
  '(garbage collector)': 'V8: garbage collector',
  '(root)': 'root',
};

function pathOf(url: string): string {
  return url.startsWith('file://') ? fileURLToPath(url) : url;
}

/** The package (or our workspace, or Node's own module group) a frame belongs to. */
function categoryOf(frame: CallFrame): string {
  const pseudo = V8_PSEUDO[frame.functionName];
  if (pseudo && !frame.url) return pseudo;
  if (!frame.url) return 'V8: natives without a caller';
  if (frame.url.startsWith('node:')) {
    const module = frame.url.slice('node:'.length).replace(/^internal\//, '');
    if (module.startsWith('deps/')) return `node: ${module.split('/')[1]}`;
    if (/^_?http/.test(module)) return 'node: http';
    if (/^(net|stream_base_commons|dns)\b/.test(module)) return 'node: net';
    if (/^(process\/task_queues|timers)\b/.test(module)) return 'node: event loop (ticks, timers)';
    return `node: ${module.split('/')[0]}`;
  }
  const path = pathOf(frame.url);
  const index = path.lastIndexOf('/node_modules/');
  if (index >= 0) {
    const [scope = '', name = ''] = path.slice(index + '/node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (path.startsWith(REPO_ROOT)) {
    const [first = '', second = ''] = path.slice(REPO_ROOT.length).split('/');
    if (first === 'packages') return `@keylab/${second}`;
    if (first === 'subgraphs') return `@keylab/${second}-subgraph`;
    return `@keylab/${first}`;
  }
  return 'other';
}

function locationOf(frame: CallFrame): string {
  if (!frame.url) return V8_PSEUDO[frame.functionName] ? '' : '(native)';
  let path = pathOf(frame.url);
  const index = path.lastIndexOf('/node_modules/');
  if (index >= 0) path = path.slice(index + '/node_modules/'.length);
  else if (path.startsWith(REPO_ROOT)) path = path.slice(REPO_ROOT.length);
  return `${path}:${frame.lineNumber + 1}`;
}

/**
 * Self and total time per function and per category, idle samples left out. With `windows` ([start, end] in µs of
 * the monotonic clock the profile's timestamps use, as `process.hrtime` gives in any process), only samples in them count.
 */
export function summarizeProfile(profile: CpuProfile, windows?: [number, number][]): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const averageMs = samples.length ? (profile.endTime - profile.startTime) / 1000 / samples.length : 0;
  let at = profile.startTime;
  const inWindow = (i: number) => {
    at += deltas[i] ?? 0;
    return !windows || windows.some(([start, end]) => at >= start && at < end);
  };
  // A sample stands for the time until the next one.
  const weightMs = (i: number) => (i + 1 < deltas.length ? Math.max(0, deltas[i + 1]!) / 1000 : averageMs);

  const functions = new Map<string, FunctionTime>();
  const categories = new Map<string, CategoryTime>();
  // Native code (a builtin or a C++ binding, no script) is named after, and counted with the package of, the
  // nearest caller that has a script: `Buffer.from` of an answer belongs to whoever converts it.
  const callerOf = (node: Profiler.ProfileNode): CallFrame | undefined => {
    for (let up = byId.get(parent.get(node.id) ?? -1); up; up = byId.get(parent.get(up.id) ?? -1)) {
      if (up.callFrame.url) return up.callFrame;
    }
    return undefined;
  };
  const functionOf = (node: Profiler.ProfileNode) => {
    const frame = node.callFrame;
    const native = !frame.url && !V8_PSEUDO[frame.functionName];
    const caller = native ? callerOf(node) : undefined;
    const name = caller
      ? `${frame.functionName || '(native)'} in ${caller.functionName || '(anonymous)'}`
      : frame.functionName || '(anonymous)';
    const location = caller ? locationOf(caller) : locationOf(frame);
    const key = `${name}\u0000${location}`;
    if (!functions.has(key)) functions.set(key, { name, location, category: categoryOf(caller ?? frame), selfMs: 0, totalMs: 0 });
    return functions.get(key)!;
  };
  const categoryTime = (category: string) => {
    if (!categories.has(category)) categories.set(category, { category, selfMs: 0, onStackMs: 0 });
    return categories.get(category)!;
  };

  let busyMs = 0;
  for (let i = 0; i < samples.length; i += 1) {
    if (!inWindow(i)) continue;
    const leaf = byId.get(samples[i]!);
    if (!leaf || leaf.callFrame.functionName === '(idle)') continue;
    const ms = weightMs(i);
    busyMs += ms;
    const self = functionOf(leaf);
    self.selfMs += ms;
    categoryTime(self.category).selfMs += ms;
    const seenFunctions = new Set<FunctionTime>();
    const seenCategories = new Set<string>();
    for (let node: Profiler.ProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
      if (node.callFrame.functionName === '(root)' && !node.callFrame.url) break;
      const entry = functionOf(node);
      if (!seenFunctions.has(entry)) {
        seenFunctions.add(entry);
        entry.totalMs += ms;
      }
      if (!seenCategories.has(entry.category)) {
        seenCategories.add(entry.category);
        categoryTime(entry.category).onStackMs += ms;
      }
    }
  }
  return {
    busyMs,
    functions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs),
    categories: [...categories.values()].sort((a, b) => b.selfMs - a.selfMs),
  };
}

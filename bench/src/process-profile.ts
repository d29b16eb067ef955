/**
 * A CPU profile of a running Node process that was started without an inspector (a service of the deployed stack):
 * SIGUSR1 opens its inspector on 127.0.0.1:9229, one Runtime.evaluate starts V8's sampling profiler inside the process
 * (an in-process `node:inspector` Session) for a number of milliseconds and closes the port again, so that the next
 * process can be reached on it; the process writes the profile to a file when the time is up.
 */
import { readFile, rm } from 'node:fs/promises';
import type { CpuProfile } from './cpu-profile';

const INSPECTOR = 'http://127.0.0.1:9229';

async function debuggerUrl(pid: number): Promise<string> {
  process.kill(pid, 'SIGUSR1');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const targets = await fetch(`${INSPECTOR}/json/list`)
      .then((response) => response.json() as Promise<{ webSocketDebuggerUrl: string }[]>)
      .catch(() => []);
    if (targets[0]) return targets[0].webSocketDebuggerUrl;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`process ${pid} opened no inspector on ${INSPECTOR} within 10 s`);
}

/** What runs inside the profiled process: profile for `ms`, write the profile to `path`, close the inspector port. */
const inProcess = (ms: number, intervalUs: number, path: string) => `(() => {
  const inspector = process.getBuiltinModule('node:inspector');
  const fs = process.getBuiltinModule('node:fs');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  void (async () => {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: ${intervalUs} });
    await post('Profiler.start');
    await new Promise((resolve) => setTimeout(resolve, ${ms}));
    const { profile } = await post('Profiler.stop');
    fs.writeFileSync(${JSON.stringify(`${path}.part`)}, JSON.stringify(profile));
    fs.renameSync(${JSON.stringify(`${path}.part`)}, ${JSON.stringify(path)});
    session.disconnect();
  })();
  setTimeout(() => inspector.close(), 100);
  return 'profiling';
})()`;

export interface ProcessProfile {
  /** Resolves with the profile once the process has written it. */
  done: Promise<CpuProfile>;
}

/** Starts profiling process `pid` for `ms` milliseconds (one sample every `intervalUs`); the profile goes to `path`. */
export async function profileProcess(pid: number, ms: number, path: string, intervalUs = 500): Promise<ProcessProfile> {
  await rm(path, { force: true });
  const socket = new WebSocket(await debuggerUrl(pid));
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`the inspector of process ${pid} refused the connection`));
  });
  const answered = new Promise<{ result?: { result?: { value?: unknown } }; error?: unknown }>((resolve) => {
    socket.onmessage = (event) => resolve(JSON.parse(String(event.data)));
  });
  socket.send(
    JSON.stringify({
      id: 1,
      method: 'Runtime.evaluate',
      params: { expression: inProcess(ms, intervalUs, path), returnByValue: true },
    }),
  );
  const answer = await answered;
  socket.close();
  if (answer.result?.result?.value !== 'profiling')
    throw new Error(`process ${pid} did not start profiling: ${JSON.stringify(answer)}`);
  // The port is closed 100 ms after the answer: the next process may open it then.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const done = (async () => {
    const deadline = Date.now() + ms + 30_000;
    while (Date.now() < deadline) {
      const text = await readFile(path, 'utf8').catch(() => null);
      if (text) return JSON.parse(text) as CpuProfile;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`process ${pid} wrote no profile to ${path}`);
  })();
  return { done };
}

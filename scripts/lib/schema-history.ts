import { execFileSync } from 'node:child_process';
import type { SchemaStep } from './schema-check';

export const API_SCHEMA_FILE = 'schema/api.graphql';

/** A git command's output, or undefined when it fails (no repository, no such revision or file). */
export function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 });
  } catch {
    return undefined;
  }
}

export interface HistoryOptions {
  cwd: string;
  /** The API schema of the working tree. */
  current: string;
  file?: string;
  /** The API schema at a revision that has no such file (composed from its subgraphs), if it can be had. */
  fallback?: (rev: string) => string | undefined;
}

/**
 * Every change of the API schema there is history for: the working tree against HEAD, then each commit that
 * changed the file against its parent. So a breaking change is caught whichever commit of a push made it,
 * and a commit that follows it (a formatting one) cannot hide it. Only the two newest steps list warnings.
 */
export function historySteps({ cwd, current, file = API_SCHEMA_FILE, fallback }: HistoryOptions): SchemaStep[] {
  if (git(cwd, ['rev-parse', '--is-inside-work-tree'])?.trim() !== 'true') {
    return [{ label: 'working tree (not a git checkout)', new: current }];
  }
  const at = (rev: string) => git(cwd, ['show', `${rev}:${file}`]) ?? fallback?.(rev);
  const hasHead = git(cwd, ['rev-parse', '--verify', '-q', 'HEAD']) !== undefined;
  const steps: SchemaStep[] = [
    hasHead
      ? { label: 'working tree against HEAD', old: at('HEAD'), new: current }
      : { label: 'working tree (no commit yet)', new: current },
  ];
  if (!hasHead) return steps;
  const shallow = git(cwd, ['rev-parse', '--is-shallow-repository'])?.trim() === 'true';
  const log = git(cwd, ['log', '--format=%H%x09%h%x09%cs%x09%s', '--', file]) ?? '';
  for (const line of log.split('\n').filter(Boolean)) {
    const [hash = '', short, date, subject = ''] = line.split('\t');
    const schema = git(cwd, ['show', `${hash}:${file}`]);
    if (schema === undefined) continue; // the commit deleted the file
    const title = subject.length > 60 ? `${subject.slice(0, 59)}…` : subject;
    const label = `${short} (${date}) "${title}"`;
    const hasParent = git(cwd, ['rev-parse', '--verify', '-q', `${hash}^`]) !== undefined;
    steps.push(
      hasParent
        ? { label, old: at(`${hash}^`), new: schema, quiet: steps.length > 1 }
        : { label: `${label} (${shallow ? 'shallow clone: its parent is not here' : 'the first commit'})`, new: schema },
    );
  }
  return steps;
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Announcement,
  checkSchema,
  deprecationProblems,
  draftAnnouncement,
  formatReport,
  parseAnnouncements,
  passes,
} from '../scripts/lib/schema-check';
import { historySteps } from '../scripts/lib/schema-history';

const V1 = `
type Query {
  keyboard(id: ID!): Keyboard
  keyboards: [Keyboard!]!
}
type Keyboard {
  id: ID!
  title: String!
  name: String! @deprecated(reason: "Use \`title\`.")
  color: String
}
`;
const step = (old: string, next: string) => [{ label: 'working tree against HEAD', old, new: next }];
const check = (old: string, next: string, announcements: Announcement[] = []) => checkSchema(step(old, next), announcements);

describe('schema check', () => {
  it('reports a removed field as BREAKING and fails until it is announced', async () => {
    const v2 = V1.replace('  color: String\n', '');
    const report = await check(V1, v2);
    expect(report.breaking.map(({ change }) => [change.criticality.level, change.type, change.path])).toEqual([
      ['BREAKING', 'FIELD_REMOVED', 'Keyboard.color'],
    ]);
    expect(passes(report)).toBe(false);
    expect(formatReport(report).join('\n')).toMatch(/BREAKING, not announced .*Keyboard\.color.*not @deprecated first/);

    const draft = draftAnnouncement(report, '2026-12-01')!;
    expect(draft.changes).toEqual([{ path: 'Keyboard.color', message: "Field 'color' was removed from object type 'Keyboard'" }]);
    const todo = await check(V1, v2, [draft]);
    expect(passes(todo), 'a drafted reason still says TODO').toBe(false);
    expect(todo.problems).toEqual([expect.stringContaining('still says TODO')]);

    const announced = await check(V1, v2, [{ ...draft, reason: 'Colours moved to Keyboard.theme; read theme.color.' }]);
    expect(announced.breaking[0]?.announced).toBe(true);
    expect(passes(announced)).toBe(true);
    expect(formatReport(announced).at(-1)).toMatch(/^schema check passed: .*1 breaking change\(s\), each announced/);
  });

  it('passes an added optional argument and an added field, warning about the argument', async () => {
    const v2 = V1.replace('keyboards: [Keyboard!]!', 'keyboards(first: Int = 20, after: String): [Keyboard!]!').replace(
      '  color: String\n',
      '  color: String\n  layout: String\n',
    );
    const report = await check(V1, v2);
    expect(report.breaking).toEqual([]);
    expect(passes(report)).toBe(true);
    expect(report.dangerous.map(({ change }) => change.path)).toEqual(['Query.keyboards.first', 'Query.keyboards.after']);
  });

  it('fails on a new required argument, a narrowed type and a removed enum value', async () => {
    const before = `${V1}\nenum Owner { DEFAULT MINE }\nextend type Query { owner: Owner }`;
    const after = `${V1.replace('keyboard(id: ID!)', 'keyboard(id: ID!, owner: ID!)').replace('title: String!', 'title: Int!')}
      enum Owner { DEFAULT }
      extend type Query { owner: Owner }`;
    const report = await check(before, after);
    expect(report.breaking.map(({ change }) => change.path).sort()).toEqual([
      'Keyboard.title',
      'Owner.MINE',
      'Query.keyboard.owner',
    ]);
    expect(passes(report)).toBe(false);
  });

  it('says whether a removed field was @deprecated first, and drafts its reason as the migration', async () => {
    const report = await check(V1, V1.replace(/ {2}name: .*\n/, '').replace('  color: String\n', ''));
    const byPath = Object.fromEntries(report.breaking.map((finding) => [finding.change.path, finding.deprecation]));
    expect(byPath).toEqual({ 'Keyboard.name': 'Use `title`.', 'Keyboard.color': null });
    const lines = formatReport(report).join('\n');
    expect(lines).toContain(
      "Keyboard.name: Field 'name' (deprecated) was removed from object type 'Keyboard' (deprecated before: \"Use `title`.\")",
    );
    expect(lines).toMatch(/Keyboard\.color: .*it was not @deprecated first/);
    expect(draftAnnouncement(report, '2026-12-01')?.changes.find((c) => c.path === 'Keyboard.name')?.migration).toBe(
      'Use `title`.',
    );
  });

  it('says so and passes when there is no baseline', async () => {
    const report = await checkSchema([{ label: 'abc1234 (the first commit)', new: V1 }], []);
    expect(report.notes).toEqual(['abc1234 (the first commit): no earlier API schema to compare with']);
    expect(passes(report)).toBe(true);
  });

  it('asks every @deprecated for a reason', () => {
    expect(deprecationProblems(V1)).toEqual([]);
    expect(
      deprecationProblems('type Query { a: String @deprecated, b(x: Int @deprecated): Int }\nenum E { X @deprecated Y }'),
    ).toEqual([
      'Query.a is @deprecated without a reason: name what replaces it',
      'Query.b.x is @deprecated without a reason: name what replaces it',
      'E.X is @deprecated without a reason: name what replaces it',
    ]);
  });

  it('reads announcements and refuses a malformed one', () => {
    const one = { date: '2026-12-01', reason: 'why', changes: [{ path: 'Query.a', message: "Field 'a' was removed" }] };
    expect(parseAnnouncements(JSON.stringify([one]))).toEqual([one]);
    expect(() => parseAnnouncements('{}')).toThrow(/an array/);
    expect(() => parseAnnouncements(JSON.stringify([{ ...one, date: 'soon' }]))).toThrow(/YYYY-MM-DD/);
    expect(() => parseAnnouncements(JSON.stringify([{ ...one, changes: [] }]))).toThrow(/changes/);
  });
});

describe('schema history', () => {
  const inRepo = (dir: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@localhost', '-c', 'commit.gpgsign=false', ...args], {
      cwd: dir,
      stdio: 'pipe',
    });

  it('checks every commit that changed the API schema, so a later commit cannot hide a breaking one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-history-'));
    try {
      inRepo(dir, 'init', '-q');
      const commit = (file: string, text: string, message: string) => {
        writeFileSync(join(dir, file), text);
        inRepo(dir, 'add', file);
        inRepo(dir, 'commit', '-q', '-m', message);
      };
      commit('api.graphql', V1, 'API');
      const v2 = V1.replace('  color: String\n', '');
      commit('api.graphql', v2, 'No colours');
      commit('README.md', 'readme', 'Format');

      const steps = historySteps({ cwd: dir, current: v2, file: 'api.graphql' });
      expect(steps.map(({ label, old }) => [label.replace(/^\w+ \(\S+\)/, 'C'), old !== undefined])).toEqual([
        ['working tree against HEAD', true],
        ['C "No colours"', true],
        ['C "API" (the first commit)', false],
      ]);
      const report = await checkSchema(steps, []);
      expect(report.breaking.map(({ step, change }) => [step.replace(/^\w+ \(\S+\) /, ''), change.path])).toEqual([
        ['"No colours"', 'Keyboard.color'],
      ]);
      expect(passes(report)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('outside a git checkout compares nothing and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-history-'));
    try {
      expect(historySteps({ cwd: dir, current: V1 })).toEqual([{ label: 'working tree (not a git checkout)', new: V1 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

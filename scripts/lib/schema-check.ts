import { type Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
import { graphql } from './graphql';

const { buildSchema, DEFAULT_DEPRECATION_REASON, isEnumType, isInputObjectType, isInterfaceType, isObjectType } = graphql;

/** A breaking change as the check names it: graphql-inspector's path and message. */
export interface AnnouncedChange {
  path?: string;
  message: string;
  /** What a client of this one element does instead, when the announcement's reason does not say. */
  migration?: string;
}

/** An entry of schema/breaking-changes.json: when, why and how clients move, and the changes it covers. */
export interface Announcement {
  date: string;
  reason: string;
  changes: AnnouncedChange[];
}

/** Two versions of the API schema; `old` is absent where there is no baseline. `quiet` lists no warnings. */
export interface SchemaStep {
  label: string;
  old?: string;
  new: string;
  quiet?: boolean;
}

export interface Finding {
  step: string;
  change: Change;
  announced: boolean;
  /** For a removed field, argument, input field or enum value: its deprecation reason before, or null without one. */
  deprecation?: string | null;
}

export interface SchemaReport {
  compared: { label: string; changes: number; breaking: number }[];
  breaking: Finding[];
  dangerous: Finding[];
  /** Steps without a baseline, and the like: said, never a failure. */
  notes: string[];
  /** Failures other than unannounced breaking changes. */
  problems: string[];
}

export const TODO = 'TODO';
const REMOVALS = new Set(['FIELD_REMOVED', 'FIELD_ARGUMENT_REMOVED', 'INPUT_FIELD_REMOVED', 'ENUM_VALUE_REMOVED']);

export function parseAnnouncements(json: string, source = 'schema/breaking-changes.json'): Announcement[] {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  const list: unknown = JSON.parse(json);
  if (!Array.isArray(list)) fail('expected an array of announcements');
  return (list as Record<string, unknown>[]).map((entry, index) => {
    const at = `announcement ${index + 1}`;
    if (typeof entry?.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(entry.date)) fail(`${at}: date must be YYYY-MM-DD`);
    if (typeof entry.reason !== 'string' || !entry.reason.trim()) fail(`${at}: reason must say why and how clients move`);
    if (!Array.isArray(entry.changes) || entry.changes.length === 0) fail(`${at}: changes must list what it announces`);
    for (const change of entry.changes as Record<string, unknown>[]) {
      if (typeof change?.message !== 'string') fail(`${at}: every change needs the check's message`);
    }
    return entry as unknown as Announcement;
  });
}

/** Announcements that --announce wrote and nobody has explained yet. */
export const announcementProblems = (announcements: Announcement[]): string[] =>
  announcements.flatMap(({ date, reason, changes }) => {
    const todo = [reason, ...changes.map((change) => change.migration ?? '')].some((text) => text.startsWith(TODO));
    return todo ? [`the announcement of ${date} still says ${TODO}: write why, and what clients do instead`] : [];
  });

/** `@deprecated` without a reason: the policy asks each to name its replacement. */
export function deprecationProblems(sdl: string): string[] {
  const schema = buildSchema(sdl);
  const paths: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isEnumType(type)) {
      for (const value of type.getValues())
        if (value.deprecationReason === DEFAULT_DEPRECATION_REASON) paths.push(`${type.name}.${value.name}`);
    }
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (field.deprecationReason === DEFAULT_DEPRECATION_REASON) paths.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) {
          if (arg.deprecationReason === DEFAULT_DEPRECATION_REASON) paths.push(`${type.name}.${field.name}.${arg.name}`);
        }
      }
    }
  }
  return paths.map((path) => `${path} is @deprecated without a reason: name what replaces it`);
}

export const isAnnounced = (change: Change, announcements: Announcement[]): boolean =>
  announcements.some(({ changes }) =>
    changes.some((a) => a.message === change.message && (a.path ?? '') === (change.path ?? '')),
  );

/** The deprecation reason of what a path named in the old schema (null: it was not deprecated). */
function deprecationIn(schema: GraphQLSchema, path: string): string | null {
  const [typeName = '', member = '', argName] = path.split('.');
  const type = schema.getType(typeName);
  if (isEnumType(type)) return type.getValue(member)?.deprecationReason ?? null;
  if (!isObjectType(type) && !isInterfaceType(type) && !isInputObjectType(type)) return null;
  const field = type.getFields()[member];
  if (!field || argName === undefined) return field?.deprecationReason ?? null;
  return ('args' in field ? field.args.find((arg) => arg.name === argName)?.deprecationReason : null) ?? null;
}

export async function checkSchema(steps: SchemaStep[], announcements: Announcement[]): Promise<SchemaReport> {
  const report: SchemaReport = {
    compared: [],
    breaking: [],
    dangerous: [],
    notes: [],
    problems: announcementProblems(announcements),
  };
  for (const step of steps) {
    if (step.old === undefined) {
      report.notes.push(`${step.label}: no earlier API schema to compare with`);
      continue;
    }
    const oldSchema = buildSchema(step.old);
    const changes = step.old === step.new ? [] : await diff(oldSchema, buildSchema(step.new));
    const breaking = changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
    report.compared.push({ label: step.label, changes: changes.length, breaking: breaking.length });
    for (const change of breaking) {
      const removal = REMOVALS.has(change.type) && change.path;
      const deprecation = removal ? { deprecation: deprecationIn(oldSchema, removal) } : {};
      report.breaking.push({ step: step.label, change, announced: isAnnounced(change, announcements), ...deprecation });
    }
    if (step.quiet) continue;
    for (const change of changes.filter((change) => change.criticality.level === CriticalityLevel.Dangerous)) {
      report.dangerous.push({ step: step.label, change, announced: isAnnounced(change, announcements) });
    }
  }
  return report;
}

export const passes = (report: SchemaReport): boolean =>
  report.problems.length === 0 && report.breaking.every((finding) => finding.announced);

function describeFinding({ change, deprecation }: Finding): string {
  const what = `${change.path ? `${change.path}: ` : ''}${change.message}`;
  if (deprecation === undefined) return what;
  return deprecation === null
    ? `${what} (it was not @deprecated first: the policy asks for a deprecation period)`
    : `${what} (deprecated before: "${deprecation}")`;
}

export function formatReport(report: SchemaReport, announcementsFile = 'schema/breaking-changes.json'): string[] {
  const lines = report.notes.map((note) => `note: ${note}`);
  for (const { label, changes, breaking } of report.compared) {
    if (changes) lines.push(`${label}: ${changes} change(s), ${breaking} breaking`);
  }
  for (const finding of report.dangerous) lines.push(`warning, dangerous [${finding.step}]: ${describeFinding(finding)}`);
  const unannounced = report.breaking.filter((finding) => !finding.announced);
  for (const finding of unannounced) lines.push(`BREAKING, not announced [${finding.step}]: ${describeFinding(finding)}`);
  lines.push(...report.problems.map((problem) => `error: ${problem}`));
  const announced = report.breaking.length - unannounced.length;
  const compared = `${report.compared.length} comparison(s) of the public API`;
  if (passes(report)) {
    const breaking = announced ? `${announced} breaking change(s), each announced in ${announcementsFile}` : 'no breaking change';
    lines.push(`schema check passed: ${compared}, ${breaking}`);
  } else {
    if (unannounced.length) {
      lines.push(
        `${unannounced.length} breaking change(s) not announced: if they are meant, run npm run schema:check -- --announce ` +
          `and write in ${announcementsFile} why and what clients do instead; otherwise keep the old API beside the new`,
      );
    }
    lines.push(`schema check failed: ${compared}`);
  }
  return lines;
}

/** A new announcement of every unannounced breaking change, for a person to explain (undefined: nothing to announce). */
export function draftAnnouncement(report: SchemaReport, date: string): Announcement | undefined {
  const seen = new Set<string>();
  const changes: AnnouncedChange[] = [];
  for (const { change, announced, deprecation } of report.breaking) {
    const key = `${change.path ?? ''}\n${change.message}`;
    if (announced || seen.has(key)) continue;
    seen.add(key);
    const migration = deprecation ? { migration: deprecation } : {};
    changes.push({ ...(change.path ? { path: change.path } : {}), message: change.message, ...migration });
  }
  if (!changes.length) return undefined;
  return { date, reason: `${TODO}: why the API breaks, and what clients do instead`, changes };
}

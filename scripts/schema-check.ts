// npm run schema:check: fails on a breaking change of the public API that schema/breaking-changes.json does not
// announce. `-- --announce` appends an announcement of the unannounced ones there, for a person to explain.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import {
  checkSchema,
  deprecationProblems,
  draftAnnouncement,
  formatReport,
  parseAnnouncements,
  passes,
  TODO,
} from './lib/schema-check';
import { git, historySteps } from './lib/schema-history';
import { ROOT } from './lib/services';
import { API_SCHEMA_PATH, composeApiSchema } from './lib/supergraph';

const ANNOUNCEMENTS = 'schema/breaking-changes.json';
const announcementsPath = `${ROOT}${ANNOUNCEMENTS}`;

// A revision from before schema/api.graphql: its API schema, composed from its subgraphs.
function composedAt(rev: string): string | undefined {
  try {
    return composeApiSchema((name) => {
      const sdl = git(ROOT, ['show', `${rev}:subgraphs/${name}/src/schema.graphql`]);
      if (sdl === undefined) throw new Error(`no ${name} subgraph at ${rev}`);
      return sdl;
    });
  } catch {
    return undefined;
  }
}

try {
  const current = composeApiSchema();
  const announcements = existsSync(announcementsPath) ? parseAnnouncements(readFileSync(announcementsPath, 'utf8')) : [];
  const report = await checkSchema(historySteps({ cwd: ROOT, current, fallback: composedAt }), announcements);
  report.problems.push(...deprecationProblems(current));
  if (!existsSync(API_SCHEMA_PATH) || readFileSync(API_SCHEMA_PATH, 'utf8') !== current) {
    report.problems.push('schema/api.graphql differs from the subgraphs: run npm run supergraph:compose and commit it');
  }

  if (process.argv.includes('--announce')) {
    const draft = draftAnnouncement(report, new Date().toISOString().slice(0, 10));
    if (!draft) {
      console.log('schema check: every breaking change is announced already');
    } else {
      const json = JSON.stringify([...announcements, draft], null, 2);
      writeFileSync(
        announcementsPath,
        await format(json, { ...(await resolveConfig(announcementsPath)), filepath: announcementsPath }),
      );
      console.log(`added to ${ANNOUNCEMENTS} an announcement of ${draft.changes.length} breaking change(s):`);
      for (const change of draft.changes) console.log(`  ${change.path ?? ''}: ${change.message}`);
      console.log(
        `now replace its ${TODO} reason with why the API breaks and what clients do instead (the check fails until then)`,
      );
    }
    process.exit(0);
  }

  for (const line of formatReport(report, ANNOUNCEMENTS)) console.log(line);
  process.exit(passes(report) ? 0 : 1);
} catch (error) {
  console.error(`schema check: ${(error as Error).message}`);
  process.exit(1);
}

// Writes the README's screenshots: docs/screenshots/dashboard.png (the admin statistics dashboard over a
// week of scripted statistics) and docs/screenshots/explorer.png (GraphiQL after running the first example).
// Runs the whole supergraph in this process on the test databases, and removes what it wrote.
//   npm run docs:screenshots
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { newEventId, type ActivityTag, type StatsEventV1 } from '@keylab/messaging';
import { fromGlobalId } from '@keylab/server';
import { launchBrowser, offlineContext, waitFor } from '@keylab/testing';
import { refreshRollups, removeVisitors } from '@keylab/stats-subgraph';
import { startStack, type Stack } from '@keylab/test-support';
import { buildPages } from '@keylab/web';
import { prepareDatabases } from './lib/databases';

const OUT_DIR = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const VIEWPORT = { width: 1440, height: 1000 };
const TIME_ZONE = 'Europe/Moscow';
/** A week of the past that nothing else writes to (Monday to Monday, Moscow time). */
const WEEK = { from: '2024-09-23T00:00:00+03:00', to: '2024-09-30T00:00:00+03:00' };
const DAY_MS = 86_400_000;
const PASSWORD = 'screenshots-admin-password';

/** A small seeded generator (mulberry32), so that every run draws the same week. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let value = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const next = random(20240923);
const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
/** Earlier items far more often than later ones (popular keyboards, boxes and switches). */
const pickPopular = <T>(items: readonly T[]) => items[Math.floor(next() ** 2.2 * items.length)]!;
const between = (low: number, high: number) => low + next() * (high - low);

/** How busy each hour of a Moscow day is: quiet at night, busiest in the evening. */
const HOURLY_WEIGHT = [2, 1, 1, 0.5, 0.5, 0.5, 1, 2, 3, 4, 5, 5, 6, 6, 5, 5, 6, 7, 9, 11, 12, 11, 8, 4];

function hourOfDay(): number {
  const total = HOURLY_WEIGHT.reduce((sum, weight) => sum + weight, 0);
  let left = next() * total;
  for (const [hour, weight] of HOURLY_WEIGHT.entries()) {
    left -= weight;
    if (left <= 0) return hour;
  }
  return 23;
}

interface Catalogue {
  keyboards: string[];
  boxes: string[];
  switches: string[];
  kits: string[];
}

/** One visit: a few operations a few minutes apart, each with the catalogue views it causes. */
function visit(start: number, visitor: { id: string; userId: string | null }, catalogue: Catalogue): StatsEventV1[] {
  const events: StatsEventV1[] = [];
  const operations = next() < 0.35 ? 1 : Math.round(between(2, 10));
  let at = start;
  const common = { visitorId: visitor.id, userId: visitor.userId };
  const view = (tag: ActivityTag, itemId: string) =>
    events.push({ kind: 'activity', id: newEventId(), at: new Date(at + 400).toISOString(), tag, itemId, ...common });
  for (let index = 0; index < operations; index++) {
    const name = index === 0 ? pick(['Keyboards', 'Keyboards', 'Boxes', 'Me']) : pick(OPERATION_NAMES);
    const failed = next() < 0.04;
    events.push({
      kind: 'operation',
      id: newEventId(),
      at: new Date(at).toISOString(),
      operationName: name,
      operationType: name.startsWith('Save') || name === 'SignIn' ? 'mutation' : 'query',
      durationMs: Math.round(between(4, name.startsWith('Save') ? 160 : 45)),
      outcome: failed ? 'error' : 'success',
      ...(failed ? { errorCode: pick(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'NOT_FOUND']) } : {}),
      ...common,
    });
    if (!failed && name === 'Keyboard') view('see_keyboard', pickPopular(catalogue.keyboards));
    if (!failed && name === 'Box') view('see_box', pickPopular(catalogue.boxes));
    if (!failed && name === 'Switch') view('see_switch', pickPopular(catalogue.switches));
    if (!failed && name === 'Kit') view(next() < 0.5 ? 'see_kit' : 'see_keycap', pick(catalogue.kits));
    if (!failed && name === 'SaveKeyboard' && visitor.userId) view('edit_keyboard', pick(catalogue.keyboards));
    if (!failed && name === 'SaveKit' && visitor.userId) view(next() < 0.5 ? 'edit_kit' : 'edit_keycap', pick(catalogue.kits));
    at += between(15_000, 240_000);
  }
  return events;
}

const OPERATION_NAMES = [
  'Keyboard',
  'Keyboard',
  'Keyboard',
  'Keyboards',
  'Box',
  'Boxes',
  'Switch',
  'Kit',
  'Me',
  'SaveKeyboard',
  'SaveKit',
];

/** A plausible week: a few hundred visits a day, busier at the weekend and growing a little. */
function scriptedWeek(catalogue: Catalogue): StatsEventV1[] {
  const visitors = Array.from({ length: 900 }, (_, index) => ({
    id: `screenshots-visitor-${String(index).padStart(4, '0')}`,
    userId: next() < 0.3 ? crypto.randomUUID() : null,
  }));
  const events: StatsEventV1[] = [];
  const weekStart = Date.parse(WEEK.from);
  for (let day = 0; day < 7; day++) {
    const weekend = day >= 5 ? 1.35 : 1;
    const visits = Math.round(260 * weekend * (1 + day * 0.04) * between(0.85, 1.15));
    for (let index = 0; index < visits; index++) {
      const start = weekStart + day * DAY_MS + hourOfDay() * 3_600_000 + next() * 3_600_000;
      events.push(...visit(start, pickPopular(visitors), catalogue));
    }
  }
  return events.filter((event) => Date.parse(event.at) < Date.parse(WEEK.to));
}

async function clearStatistics(stack: Stack, visitorIds: string[]): Promise<void> {
  const range = { gte: new Date(Date.parse(WEEK.from) - DAY_MS), lt: new Date(Date.parse(WEEK.to) + DAY_MS) };
  const db = stack.stats.db;
  await removeVisitors(db, { ids: visitorIds });
  await db.event.deleteMany({ where: { at: range } });
  await db.visit.deleteMany({ where: { startedAt: range } });
  await refreshRollups(db, range.gte, range.lt);
}

/** The UUIDs of catalogue items (what the catalogue's own events carry), read through the API. */
async function catalogueIds(stack: Stack): Promise<Catalogue> {
  const answer = await stack.graphql<Record<keyof Catalogue, { nodes: { id: string }[] }>>(
    '{ keyboards(first: 20) { nodes { id } } boxes(first: 20) { nodes { id } } switches(first: 20) { nodes { id } } kits(first: 20) { nodes { id } } }',
  );
  if (!answer.data) throw new Error(`the catalogue did not answer: ${JSON.stringify(answer.errors)}`);
  const ids = (key: keyof Catalogue) => answer.data![key].nodes.map((node) => fromGlobalId(node.id)!.id);
  return { keyboards: ids('keyboards'), boxes: ids('boxes'), switches: ids('switches'), kits: ids('kits') };
}

async function main(): Promise<void> {
  await Promise.all([prepareDatabases({ suffix: '_test' }), buildPages()]);
  mkdirSync(OUT_DIR, { recursive: true });
  const stack = await startStack();
  const browser = await launchBrowser();
  const browserVisitors: string[] = [];
  await clearStatistics(stack, []);
  try {
    const events = scriptedWeek(await catalogueIds(stack));
    for (let index = 0; index < events.length; index += 500) {
      await stack.stats.broker.publishJson(stack.statsExchange, 'screenshots', {
        version: 1,
        events: events.slice(index, index + 500),
      });
    }
    const range = { gte: new Date(WEEK.from), lt: new Date(WEEK.to) };
    await waitFor(async () => (await stack.stats.db.event.count({ where: { at: range } })) >= events.length, 60_000);
    console.log(`${events.length} events of a scripted week ingested`);

    const admin = await stack.createUser(['user', 'admin'], { password: PASSWORD });
    const origin = new URL(stack.gatewayUrl).origin;
    const { context } = await offlineContext(browser, { viewport: VIEWPORT, locale: 'en-US', timezoneId: TIME_ZONE });
    const page = await context.newPage();
    const view = new URLSearchParams({
      period: 'custom',
      from: new Date(WEEK.from).toISOString(),
      to: new Date(WEEK.to).toISOString(),
      bucket: 'AUTO',
      tz: TIME_ZONE,
      activities: 'SEE_BOX,SEE_KEYBOARD,SEE_KIT,SEE_SWITCH',
    });
    await page.goto(`${origin}/admin/?${view}`);
    await page.locator('input[name=email]').fill(admin.email);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('form button[type=submit]').click();
    // The dashboard's debug handle (web/admin/debug.ts) says when every panel has been drawn.
    await page.waitForFunction(() => {
      const { keylabDashboard } = globalThis as unknown as { keylabDashboard: { settled: boolean; settledLoads: number } };
      return keylabDashboard.settled && keylabDashboard.settledLoads > 0;
    });
    await page.locator('[data-testid=visitors-now] strong').filter({ hasText: /\d/ }).waitFor();
    await page.screenshot({ path: `${OUT_DIR}dashboard.png` });

    // GraphiQL: the first example (switches, anonymous), once its editor has loaded.
    await page.goto(`${origin}/graphiql/`);
    await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: 'query' }).waitFor();
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.result-window').filter({ hasText: 'totalCount' }).waitFor();
    await page.screenshot({ path: `${OUT_DIR}explorer.png` });

    browserVisitors.push(...(await context.cookies()).filter((cookie) => cookie.name === 'kl_vid').map((cookie) => cookie.value));
    await context.close();
    console.log(`wrote ${OUT_DIR}dashboard.png and explorer.png`);
  } finally {
    await browser.close();
    // The pages' own operations made a visitor too: once its last events have arrived, it goes with the week.
    const count = () => stack.stats.db.event.count({ where: { visitorId: { in: browserVisitors } } });
    let seen = -1;
    await waitFor(async () => {
      const now = await count();
      const settled = now === seen;
      seen = now;
      return settled && (await new Promise((resolve) => setTimeout(resolve, 500, true)));
    }, 20_000);
    await clearStatistics(stack, browserVisitors);
    await stack.close();
  }
}

await main();

/** Where each gateway's CPU goes per operation, ours beside stock, from their summarized profiles. */
import { table } from './common';
import type { CategoryTime, FunctionTime } from './cpu-profile';
import type { Profiled } from './slices';

const ms = (value: number) => value.toFixed(2);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const perOperation = (valueMs: number, run: Profiled) => valueMs / Math.max(1, run.requests);
const share = (valueMs: number, run: Profiled) => percent(valueMs / Math.max(1, run.summary.busyMs));

function printCategories(ours: Profiled, stock: Profiled): void {
  const [oursCategories, stockCategories] = [ours, stock].map(
    (run) => new Map(run.summary.categories.map((entry) => [entry.category, entry])),
  ) as [Map<string, CategoryTime>, Map<string, CategoryTime>];
  const visible = (run: Profiled, entry: CategoryTime | undefined) => !!entry && entry.selfMs / run.summary.busyMs >= 0.002;
  const selfOf = (categories: Map<string, CategoryTime>, name: string) => categories.get(name)?.selfMs ?? 0;
  const categories = [...new Set([...oursCategories.keys(), ...stockCategories.keys()])]
    .filter((name) => visible(ours, oursCategories.get(name)) || visible(stock, stockCategories.get(name)))
    .sort(
      (a, b) => selfOf(oursCategories, b) - selfOf(oursCategories, a) || selfOf(stockCategories, b) - selfOf(stockCategories, a),
    );
  const cells = (run: Profiled, entry: CategoryTime | undefined) =>
    (['selfMs', 'onStackMs'] as const).map((key) =>
      entry ? `${ms(perOperation(entry[key], run))} ${share(entry[key], run).padStart(6)}` : '-',
    );
  console.log(
    '\nwhere the CPU goes, by package: CPU ms per operation and share of the busy (not idle) time; self is the\n' +
      "package's own code, on stack is time with any of its functions on the stack (callees included)",
  );
  const rows = categories.map((name) => [
    name,
    ...cells(ours, oursCategories.get(name)),
    ...cells(stock, stockCategories.get(name)),
  ]);
  const busy = (run: Profiled) => [ms(perOperation(run.summary.busyMs, run)), ''];
  rows.push(['busy, all packages', ...busy(ours), ...busy(stock)]);
  console.log(table(['package', 'ours self', 'ours on stack', 'stock self', 'stock on stack'], rows));
}

/** The same libraries run in both: per function, what ours spends per operation beyond stock. */
function printDifferences(ours: Profiled, stock: Profiled, top: number): void {
  const key = (entry: FunctionTime) => `${entry.name}\u0000${entry.location}`;
  const [oursFunctions, stockFunctions] = [ours, stock].map(
    (run) => new Map(run.summary.functions.map((entry) => [key(entry), entry])),
  );
  const differences = [...new Set([...oursFunctions!.keys(), ...stockFunctions!.keys()])]
    .map((name) => {
      const [mine, theirs] = [
        perOperation(oursFunctions!.get(name)?.selfMs ?? 0, ours),
        perOperation(stockFunctions!.get(name)?.selfMs ?? 0, stock),
      ];
      return { entry: (oursFunctions!.get(name) ?? stockFunctions!.get(name))!, mine, theirs, extra: mine - theirs };
    })
    .sort((a, b) => b.extra - a.extra);
  const header = ['function', 'where', 'ours ms', 'stock ms', 'difference'];
  const rows = (list: typeof differences) =>
    list.map(({ entry, mine, theirs, extra }) => [
      entry.name.slice(0, 40),
      entry.location.slice(-64),
      ms(mine),
      ms(theirs),
      `${extra >= 0 ? '+' : ''}${ms(extra)}`,
    ]);
  const [most, least] = [Math.min(top, 20), Math.min(top, 10)];
  console.log(`\nours against stock: the ${most} functions with the most extra self time per operation in ours`);
  console.log(table(header, rows(differences.slice(0, most))));
  console.log(`\nand the ${least} where ours spends the least beyond stock (negative: less than stock)`);
  console.log(table(header, rows(differences.slice(-least).reverse())));
}

export function printProfiles(ours: Profiled, stock: Profiled, top: number): void {
  printCategories(ours, stock);
  const header = ['function', 'where', 'self ms', 'self', 'total ms', 'total'];
  const functionRows = (run: Profiled, entries: FunctionTime[]) =>
    entries.map((entry) => [
      entry.name.slice(0, 40),
      entry.location.slice(-64),
      ...[entry.selfMs, entry.totalMs].flatMap((value) => [ms(perOperation(value, run)), share(value, run)]),
    ]);
  console.log(`\nours: top ${top} functions by self time (CPU ms per operation)`);
  console.log(table(header, functionRows(ours, ours.summary.functions.slice(0, top))));
  // Which library and application entry points the time sits under (callees included).
  const isCode = ({ category, name }: FunctionTime) =>
    !category.startsWith('node:') && !category.startsWith('V8:') && category !== 'root' && name !== '(anonymous)';
  const byTotal = ours.summary.functions.filter(isCode).sort((a, b) => b.totalMs - a.totalMs);
  console.log(`\nours: top ${top} named library and application functions by total time`);
  console.log(table(header, functionRows(ours, byTotal.slice(0, top))));
  printDifferences(ours, stock, top);
  const few = Math.min(top, 20);
  console.log(`\nstock: top ${few} functions by self time (CPU ms per operation)`);
  console.log(table(header, functionRows(stock, stock.summary.functions.slice(0, few))));
  console.log(
    `\nprofiles (Chrome DevTools, speedscope): ${ours.path} (${ours.requests} operations), ${stock.path} (${stock.requests} operations)`,
  );
}

import DataLoader from 'dataloader';
import type { KeyboardsDb } from './db/client';
import { listKeycapsOfKits, type ListQueryArgs } from './domain/catalogue';

const nextIoTurn = (dispatch: () => void) => void setImmediate(dispatch);

/**
 * Loads rows by id in one query per batch, in the order asked. A batch waits for the I/O callbacks already
 * due (setImmediate, not the default next tick): the lists of one request come back from the database in
 * the same turn of the event loop, and their rows' files or switches then go in one query, not one per list.
 */
function byIdLoader<T extends { id: string }>(load: (ids: string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(
    async (ids) => {
      const rows = await load([...ids]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { batchScheduleFn: nextIoTurn },
  );
}

/** A page of each of many lists asked for with the same arguments, such as the keycaps of every kit of a page. */
function pagesLoader<T>(load: (ids: readonly string[], args: ListQueryArgs) => Promise<T[]>) {
  const byArguments = new Map<string, DataLoader<string, T>>();
  return (id: string, args: ListQueryArgs): Promise<T> => {
    const key = JSON.stringify(args);
    let loader = byArguments.get(key);
    if (!loader) byArguments.set(key, (loader = new DataLoader((ids) => load(ids, args), { batchScheduleFn: nextIoTurn })));
    return loader.load(id);
  };
}

/**
 * Per request: the rows that many items name by id (box types, switches, files), and the rows that
 * `node`, `nodes` and entity references ask for by id (one query per kind however many ids).
 */
export function loaders(db: KeyboardsDb) {
  return {
    boxType: byIdLoader((ids) => db.boxType.findMany({ where: { id: { in: ids } } })),
    switch: byIdLoader((ids) => db.switch.findMany({ where: { id: { in: ids } } })),
    file: byIdLoader((ids) => db.storedFile.findMany({ where: { id: { in: ids } } })),
    box: byIdLoader((ids) => db.box.findMany({ where: { id: { in: ids } } })),
    kit: byIdLoader((ids) => db.kit.findMany({ where: { id: { in: ids } } })),
    keycap: byIdLoader((ids) => db.keycap.findMany({ where: { id: { in: ids } } })),
    keyboard: byIdLoader((ids) => db.keyboard.findMany({ where: { id: { in: ids } } })),
    /** The first or last page of keycaps of many kits at once (pages after or before a cursor are read one by one). */
    keycapPages: pagesLoader((kitIds, args) => listKeycapsOfKits(db, kitIds, args)),
  };
}

export type Loaders = ReturnType<typeof loaders>;

/** What a catalogue list can be sorted by (GraphQL's <X>OrderField enums name a subset of these). */
export type OrderField = 'TITLE' | 'CREATED_AT' | 'UPDATED_AT';
export type OrderDirection = 'ASC' | 'DESC';

/** A list's order (GraphQL's <X>Order input): ties are broken by the row id, in the same direction. */
export interface ListOrder {
  field: OrderField;
  direction: OrderDirection;
}

/** The column of each order field, as Prisma names it. */
export const ORDER_COLUMNS = { TITLE: 'title', CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt' } as const;

export type OrderColumn = (typeof ORDER_COLUMNS)[OrderField];

export const BY_TITLE: ListOrder = { field: 'TITLE', direction: 'ASC' };
export const NEWEST_FIRST: ListOrder = { field: 'CREATED_AT', direction: 'DESC' };

/** A row a list can sort: its id and the columns of the fields its order enum offers. */
export type SortableRow = { id: string } & Partial<Record<OrderColumn, string | Date>>;

/** The value a row sorts by under an order, as a cursor keeps it (times as ISO 8601 strings, UTC). */
export function sortValueOf(row: SortableRow, field: OrderField): string {
  const value = row[ORDER_COLUMNS[field]];
  if (value === undefined) throw new Error(`a row of this list has no ${ORDER_COLUMNS[field]} to sort by`);
  return value instanceof Date ? value.toISOString() : value;
}

/** The Prisma orderBy of a list's order, read forwards or (for last/before) backwards. */
export function prismaOrderBy(order: ListOrder, backwards: boolean) {
  const ascending = (order.direction === 'ASC') !== backwards;
  const direction = ascending ? 'asc' : 'desc';
  return [{ [ORDER_COLUMNS[order.field]]: direction }, { id: direction }];
}

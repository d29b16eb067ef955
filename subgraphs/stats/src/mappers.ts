// What the resolvers return for GraphQL types whose shape differs from the SDL (codegen.ts maps them).
import type { AttendanceRow } from './domain/series';

export type { ActivityKindRow } from './domain/activities';
export type { ActivitySeriesResult, AttendanceSeriesResult } from './domain/statistics';

/** A bucket of attendance as the points field gives it: the row, labelled in the series' zone. */
export type AttendancePointParent = AttendanceRow & { localStart: string };

import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** RFC 3339 date-time with a time-zone offset (Z or ±hh:mm): without one, a time means nothing exact. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

/** ISO 8601 / RFC 3339 date-time with offset, for example 2026-11-25T21:50:07.000Z; always written in UTC. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  specifiedByURL: 'https://scalars.graphql.org/chillicream/date-time.html',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw badInput('DateTime must be a string');
    return parseDate(ast.value);
  },
});

function parseDate(value: unknown): Date {
  if (typeof value !== 'string' || !DATE_TIME.test(value)) {
    throw badInput(
      'DateTime must be an RFC 3339 date-time with an offset, such as 2026-01-31T12:00:00Z or 2026-01-31T15:00:00+03:00',
    );
  }
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(value);
  // Date rolls 2026-02-31 over into March: the calendar day must exist as written.
  if (Number.isNaN(date.getTime()) || new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) {
    throw badInput('DateTime is not a real date');
  }
  return date;
}

/** An absolute http(s) URL (output only: the API gives out URLs, it takes none). */
export const URLScalar = new GraphQLScalarType<string, string>({
  name: 'URL',
  specifiedByURL: 'https://url.spec.whatwg.org/',
  serialize: (value) => {
    const url = String(value);
    if (!/^https?:\/\//.test(url)) throw new GraphQLError('URL must be an absolute http(s) URL');
    return url;
  },
  parseValue: (value) => parseUrl(value),
  parseLiteral: (ast) => parseUrl(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseUrl(value: unknown): string {
  if (typeof value !== 'string' || !URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw badInput('URL must be an absolute http(s) URL');
  }
  return value;
}

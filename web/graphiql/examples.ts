import { parse } from 'graphql';

/**
 * One tab per operation of the examples file, each with the comments above it. The file's opening
 * comment (how to use the examples) heads the first tab.
 */
export function exampleTabs(source: string): { query: string }[] {
  const definitions = parse(source).definitions;
  return definitions.map((definition, index) => {
    const start = index === 0 ? 0 : definitions[index - 1]!.loc!.end;
    return { query: `${source.slice(start, definition.loc!.end).trim()}\n` };
  });
}

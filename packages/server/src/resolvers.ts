/**
 * The resolvers of a GraphQL type whose parent is a mapper type (a Prisma row, a domain result): every
 * field the parent does not carry must have a resolver, so a field added to the SDL without one is a
 * type error. `R` is the generated `XResolvers` type, `Parent` the mapper.
 */
export type CompleteResolvers<R, Parent> = R & Required<Pick<R, Exclude<keyof R, keyof Parent | `__${string}`>>>;

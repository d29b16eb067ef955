/** The benchmark user's own catalogue, made for the run and removed after it. */
export const OWNED_ITEMS = { keyboards: 50, boxes: 10, kits: 2 };

/**
 * Anonymous, so the stock gateway needs no header forwarding: one of the user's keyboards; its owner; the owner's 50
 * keyboards, each with its owner again; the owner's 10 boxes and 2 kits (20 keycaps each), each with its owner.
 * About 67 KiB of JSON. The plan: one keyboards fetch (that subgraph resolves User.keyboards, boxes and kits of the
 * owner references it returns itself), then four users fetches in parallel, `_entities` with 1, 50, 10 and 2
 * representations of the same user (the gateway does not deduplicate them).
 */
export const HEAVY_QUERY = `
  query HeavyNested($id: ID!) {
    keyboard(id: $id) {
      ...KeyboardFields
      owner {
        ...UserFields
        keyboards(first: 50) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { ...KeyboardFields owner { ...UserFields } }
        }
        boxes(first: 10) {
          totalCount
          nodes {
            id title isDefault createdAt
            owner { ...UserFields }
            boxType { ...BoxTypeFields }
            model { ...FileFields }
            preview { ...FileFields }
          }
        }
        kits(first: 2) {
          totalCount
          nodes {
            id title
            owner { ...UserFields }
            boxType { ...BoxTypeFields }
            preview { ...FileFields }
            keycaps(first: 20) { totalCount nodes { id title model { ...FileFields } } }
          }
        }
      }
    }
  }
  fragment UserFields on User { id nickname createdAt }
  fragment BoxTypeFields on BoxType { id title keyCount }
  fragment FileFields on FileInfo { url contentType byteSize sha256 }
  fragment KeyboardFields on Keyboard {
    id title isDefault createdAt
    boxType { ...BoxTypeFields }
    switch { id title sound { ...FileFields } }
    preview { ...FileFields }
  }
`;

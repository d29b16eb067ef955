import pg from 'pg';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function adminUrl(databaseUrl: string): { admin: string; name: string } {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!IDENTIFIER.test(name)) throw new Error(`database name ${JSON.stringify(name)} must be lower-case letters, digits and _`);
  url.pathname = '/postgres';
  return { admin: url.toString(), name };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database of a URL when it does not exist yet; true when it was created. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const { admin, name } = adminUrl(databaseUrl);
  return withClient(admin, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (error) {
      // Another process created it at the same moment.
      if ((error as { code?: string }).code !== '42P04') throw error;
    }
    return true;
  });
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { admin, name } = adminUrl(databaseUrl);
  await withClient(admin, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Names of the variables global setup hands to every test worker. */
export const TEMPLATE_DB_ENV = 'PARLEY_TEST_TEMPLATE_DATABASE';
export const PGLITE_TEMPLATE_ENV = 'PARLEY_TEST_PGLITE_TEMPLATE';
export const TEST_LOG_FILE_ENV = 'PARLEY_TEST_LOG_FILE';

/** The machine's PostgreSQL for tests, when set; embedded PGlite otherwise. */
export function testDatabaseUrl(): string | undefined {
  const value = process.env['TEST_DATABASE_URL']?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

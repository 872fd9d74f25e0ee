import { runAdmin } from './test-database-admin.ts';
import { TEMPLATE_DB_ENV, testDatabaseUrl } from './test-env.ts';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = testDatabaseUrl();
  const template = process.env[TEMPLATE_DB_ENV];
  if (adminUrl === undefined || template === undefined) return;
  await runAdmin(adminUrl, (admin) => admin.query(`drop database if exists "${template}" with (force)`));
}

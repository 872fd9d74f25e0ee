import { scanLogForSecrets } from './log-scan.ts';
import { runAdmin } from './test-database-admin.ts';
import { TEMPLATE_DB_ENV, TEST_LOG_FILE_ENV, testDatabaseUrl } from './test-env.ts';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = testDatabaseUrl();
  const template = process.env[TEMPLATE_DB_ENV];
  if (adminUrl !== undefined && template !== undefined) {
    await runAdmin(adminUrl, (admin) => admin.query(`drop database if exists "${template}" with (force)`));
  }
  // Every test logs through the production logger into one file: no secret may be in it.
  const logFile = process.env[TEST_LOG_FILE_ENV];
  if (logFile !== undefined) {
    const findings = scanLogForSecrets(logFile);
    if (findings.length > 0)
      throw new Error(`secrets found in the suite's logs (${logFile}):\n${findings.slice(0, 20).join('\n')}`);
  }
}

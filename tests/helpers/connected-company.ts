import { createJobRegistrations } from '../../server/jobs/job-registrations.ts';
import { startWorkers, type WorkerRunner } from '../../server/jobs/worker-runner.ts';
import { createMaintenanceService } from '../../server/services/maintenance/maintenance.service.ts';
import { createBrowser, stateFromRedirect, type Browser } from './browser-session.ts';
import { ADA, expectAuthorization, type FakeIdentity, type IssuedGrant } from './fake-pipedrive.ts';
import type { TestApp } from './test-app.ts';
import { createTestLogger } from './test-logger.ts';

/** Connects the organization as Ada (Marketplace install), and the given users personally. */
export async function connectCompany(
  testApp: TestApp,
  users: FakeIdentity[] = [],
): Promise<{ admin: Browser; grants: Map<number, IssuedGrant> }> {
  const grants = new Map<number, IssuedGrant>();
  const admin = createBrowser(testApp.app);
  const adaGrant = expectAuthorization(ADA);
  grants.set(ADA.userId, adaGrant);
  const installed = await admin.get(`/oauth/callback?code=${adaGrant.code}`);
  if (installed.headers.location !== '/onboarding?new=1')
    throw new Error(`install failed: ${installed.statusCode} ${installed.body}`);
  await admin.refreshCsrf();
  for (const user of users) {
    const invitation = await admin.post('/api/team/invitations', { email: user.email, role: 'member' });
    const token = new URL(invitation.json<{ link: string }>().link).pathname.split('/').at(-1) ?? '';
    const browser = createBrowser(testApp.app);
    await browser.post('/api/auth/signup', {
      email: user.email,
      password: 'a long enough password',
      name: user.name,
      workspaceName: 'Own',
    });
    await browser.refreshCsrf();
    await browser.post(`/api/invitations/${token}/accept`);
    const start = await browser.get('/oauth/install?purpose=personal');
    const grant = expectAuthorization(user);
    grants.set(user.userId, grant);
    const callback = await browser.get(
      `/oauth/callback?code=${grant.code}&state=${encodeURIComponent(stateFromRedirect(start))}`,
    );
    if (callback.headers.location !== '/integrations/pipedrive?connected=personal')
      throw new Error(`personal connect failed: ${callback.statusCode} ${callback.body}`);
  }
  return { admin, grants };
}

/** Runs Parley's real job handlers against the test app's queue. */
export function startTestWorkers(testApp: TestApp): Promise<WorkerRunner> {
  const registrations = createJobRegistrations({
    maintenance: createMaintenanceService({ db: testApp.database.db, clock: { now: () => new Date() } }),
    domain: testApp.domain,
  });
  return startWorkers({ jobs: testApp.jobs, registrations, logger: createTestLogger(), pollingIntervalSeconds: 0.5 });
}

import { createJobRegistrations } from '../../server/jobs/job-registrations.ts';
import { startWorkers, type WorkerRunner } from '../../server/jobs/worker-runner.ts';
import { createMaintenanceService } from '../../server/services/maintenance/maintenance.service.ts';
import { createBrowser, stateFromRedirect, type Browser } from './browser-session.ts';
import { signUpConfirmed } from './mail-outbox.ts';
import type { TestApp } from './test-app.ts';
import { createTestLogger } from './test-logger.ts';
import type { InviteReply } from '../../contracts/dashboard.schemas.ts';

/** Who consents, and how a consent becomes a code (the sandbox's "Allow", or a nock script for faults). */
export interface Consent<User> {
  admin: User;
  users?: User[];
  authorize: (user: User) => string;
  emailOf: (user: User) => string;
  nameOf: (user: User) => string;
}

/**
 * Connects the organization as the admin (Marketplace install, new workspace), then for each user:
 * invitation, sign-up, "Connect only for me" from the dashboard. Returns the admin's browser.
 */
export async function connectCompany<User>(testApp: TestApp, consent: Consent<User>): Promise<{ admin: Browser }> {
  const admin = createBrowser(testApp.app);
  const installed = await admin.get(`/oauth/callback?code=${consent.authorize(consent.admin)}`);
  if (installed.headers.location !== '/onboarding?new=1')
    throw new Error(`install failed: ${installed.statusCode} ${installed.body}`);
  await admin.refreshCsrf();
  for (const user of consent.users ?? []) {
    const invitation = await admin.post('/api/team/invitations', { email: consent.emailOf(user), role: 'member' });
    const token = new URL(invitation.json<InviteReply>().link).pathname.split('/').at(-1) ?? '';
    const browser = await signUpConfirmed(testApp, {
      email: consent.emailOf(user),
      name: consent.nameOf(user),
      workspaceName: 'Own',
    });
    await browser.post(`/api/invitations/${token}/accept`);
    const start = await browser.get('/oauth/install?purpose=personal');
    const callback = await browser.get(
      `/oauth/callback?code=${consent.authorize(user)}&state=${encodeURIComponent(stateFromRedirect(start))}`,
    );
    if (callback.headers.location !== '/integrations/pipedrive?connected=personal')
      throw new Error(`personal connect failed: ${callback.statusCode} ${callback.body}`);
  }
  return { admin };
}

/** Runs Parley's real job handlers against the test app's queue. */
export function startTestWorkers(testApp: TestApp): Promise<WorkerRunner> {
  const registrations = createJobRegistrations({
    maintenance: createMaintenanceService({ db: testApp.database.db, clock: { now: () => new Date() } }),
    domain: testApp.domain,
  });
  return startWorkers({ jobs: testApp.jobs, registrations, logger: createTestLogger(), pollingIntervalSeconds: 0.5 });
}

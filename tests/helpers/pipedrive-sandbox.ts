import path from 'node:path';
import { appFromManifest } from '../../sandbox/app-registration.ts';
import { startSandbox, type Sandbox } from '../../sandbox/index.ts';
import type { PipedriveKnobs } from '../../sandbox/pipedrive/knobs.ts';
import type { Grant, User } from '../../sandbox/pipedrive/state.ts';
import type { Consent } from './connected-company.ts';
import { createTestApp, type TestAppOptions } from './test-app.ts';
import { TEST_SECRETS } from './test-config.ts';

/** A Pipedrive user the tests act as: ids from the sandbox's seed. */
export interface PipedriveUser {
  companyId: number;
  userId: number;
  name: string;
  email: string;
}

/** Where the Parley under test says it lives (the app is driven with `inject`, so no port is needed). */
const PARLEY_URL = 'http://localhost:3000';

/**
 * The sandbox's Pipedrive with Parley's test app registered, for end-to-end connection tests:
 * Parley exchanges codes at its `/oauth/token`, reads its `/api/v1/users/me`, revokes grants at
 * its `/oauth/revoke`, over real HTTP.
 */
export async function startPipedriveSandbox(options: { knobs?: Partial<PipedriveKnobs>; parleyUrl?: string } = {}) {
  // Registered from the real manifest, as `npm start` registers Parley.
  const sandbox: Sandbox = await startSandbox({
    port: 0,
    timeScale: 0.001,
    // Undocumented behaviours (phone search, daily-budget 429): strictest unless a test picks one.
    pipedriveKnobs: options.knobs ?? {},
    apps: [
      appFromManifest({
        manifestDir: path.resolve('manifest'),
        publicUrl: options.parleyUrl ?? PARLEY_URL,
        clientId: TEST_SECRETS.clientId,
        clientSecret: TEST_SECRETS.clientSecret,
        jwtSecret: TEST_SECRETS.jwtSecret,
      }),
    ],
  });
  const { seed } = sandbox.pipedrive;
  const asUser = (user: User): PipedriveUser => ({
    companyId: user.companyId,
    userId: user.id,
    name: user.name,
    email: user.email,
  });
  const at = (users: User[], index: number): User => {
    const user = users[index];
    if (user === undefined) throw new Error('the sandbox seed changed');
    return user;
  };
  const users = {
    /** Demo company admin. */
    ada: asUser(seed.demo.admin),
    /** Demo company regular users. */
    sam: asUser(at(seed.demo.users, 1)),
    rita: asUser(at(seed.demo.users, 2)),
    /** The other company's admin (isolation). */
    gina: asUser(seed.other.admin),
  };
  const grantOf = (user: PipedriveUser): Grant | undefined =>
    [...sandbox.pipedrive.state.grants.values()]
      .filter((grant) => grant.clientId === TEST_SECRETS.clientId && grant.userId === user.userId)
      .at(-1);

  const authorize = (user: PipedriveUser): string =>
    sandbox.pipedrive.createAuthorizationCode({ clientId: TEST_SECRETS.clientId, userId: user.userId }).code;
  return {
    sandbox,
    users,
    /** Ada installs from the Marketplace, then each of `users` connects only for themself. */
    consent: (others: PipedriveUser[] = []): Consent<PipedriveUser> => ({
      admin: users.ada,
      users: others,
      authorize,
      emailOf: (user) => user.email,
      nameOf: (user) => user.name,
    }),
    /** What "Allow" on Pipedrive's consent page hands to Parley's callback. */
    authorize,
    grantOf,
    /** Whether Pipedrive considers the user's grant revoked (uninstalled for them). */
    isRevoked: (user: PipedriveUser): boolean => grantOf(user)?.revokedAt != null,
    config: () => ({
      pipedrive: {
        clientId: TEST_SECRETS.clientId,
        clientSecret: TEST_SECRETS.clientSecret,
        jwtSecret: TEST_SECRETS.jwtSecret,
        oauthUrl: sandbox.url,
      },
    }),
    close: () => sandbox.close(),
  };
}

export type PipedriveSandbox = Awaited<ReturnType<typeof startPipedriveSandbox>>;

/**
 * Parley (driven with `inject`) pointed at a Pipedrive sandbox of its own: what most connection
 * tests start per test, so grants revoked in one test never leak into the next.
 */
export async function startSandboxedTestApp(
  options: Omit<TestAppOptions, 'config'> & { knobs?: Partial<PipedriveKnobs> } = {},
) {
  const { knobs, ...appOptions } = options;
  const pd = await startPipedriveSandbox(knobs === undefined ? {} : { knobs });
  const testApp = await createTestApp({ ...appOptions, config: pd.config() });
  return {
    pd,
    testApp,
    async close() {
      await testApp.close();
      await pd.close();
    },
  };
}

import { SignJWT } from 'jose';
import type { TestApp } from './test-app.ts';
import { TEST_SECRETS } from './test-config.ts';

/** What Pipedrive's GET_SIGNED_TOKEN gives a panel: HS256 with the app's JWT secret, 5 minutes. */
export async function signPanelToken(
  claims: { companyId: number; userId: number },
  options: { secret?: string; expiresIn?: string | number } = {},
): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? TEST_SECRETS.jwtSecret));
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A panel API request as a Pipedrive user: the SDK's signed token as the bearer. */
export async function panelRequest(
  testApp: TestApp,
  user: { companyId: number; userId: number },
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: object,
) {
  return testApp.app.inject({
    method,
    url,
    headers: bearer(await signPanelToken(user)),
    ...(payload === undefined ? {} : { payload }),
  });
}

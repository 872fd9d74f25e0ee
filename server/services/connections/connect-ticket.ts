import { jwtVerify, SignJWT } from 'jose';
import { isPipedriveId } from '../pipedrive/pipedrive-ids.ts';
import { createErrorFactory } from '../../errors.ts';

/**
 * "Connect only for me" from inside Pipedrive opens the OAuth flow in a popup. The popup cannot
 * carry the panel's bearer token, so the panel first asks for this short-lived ticket naming the
 * Pipedrive user; the callback then refuses a consent given by anyone else.
 */
const AUDIENCE = 'parley:connect-ticket';
const TTL = '2m';

export const createTicketInvalidError = createErrorFactory({
  code: 'oauth.ticket_invalid',
  statusCode: 400,
  message: 'This connect link expired. Click “Connect only for me” in Pipedrive again.',
});

const keyOf = (secret: string) => new TextEncoder().encode(secret);

export async function mintConnectTicket(
  secret: string,
  viewer: { companyId: number; userId: number },
): Promise<string> {
  return new SignJWT({ companyId: viewer.companyId, userId: viewer.userId })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(TTL)
    .sign(keyOf(secret));
}

export async function verifyConnectTicket(
  secret: string,
  ticket: string,
): Promise<{ companyId: number; userId: number }> {
  try {
    const { payload } = await jwtVerify(ticket, keyOf(secret), {
      algorithms: ['HS256'],
      audience: AUDIENCE,
      requiredClaims: ['exp'],
    });
    const companyId = Number(payload['companyId']);
    const userId = Number(payload['userId']);
    if (!isPipedriveId(companyId) || !isPipedriveId(userId)) throw new Error('claims');
    return { companyId, userId };
  } catch {
    throw createTicketInvalidError();
  }
}

import { randomInt } from 'node:crypto';
import type { WebhookVerification } from '../records.ts';
import type { WhatsAppState } from '../state.ts';

export interface WebhookSettingsInput {
  /** Defaults to the first app (the one numbers[0] belongs to). */
  appId?: string;
  callbackUrl: string;
  verifyToken: string;
}

/**
 * What the App Dashboard does when a callback URL and verify token are saved
 * (whatsapp-cloud-api.md §2.2): GET the URL with hub.mode=subscribe, hub.verify_token and a random
 * hub.challenge; only a 200 whose body is exactly the challenge saves the settings. On failure the
 * previous settings stay, as on Meta.
 */
export async function configureWebhook(
  state: WhatsAppState,
  input: WebhookSettingsInput,
): Promise<WebhookVerification> {
  const app = input.appId ? state.apps.get(input.appId) : state.apps.values().next().value;
  if (!app) throw new Error(`unknown Meta app ${input.appId ?? ''}`);
  const challenge = String(randomInt(100_000_000, 2_000_000_000));
  const result: WebhookVerification = {
    ok: false,
    appId: app.id,
    callbackUrl: input.callbackUrl,
    challenge,
    status: null,
    body: null,
    error: null,
    at: state.clock.now(),
  };
  let url: URL | null;
  try {
    url = new URL(input.callbackUrl);
  } catch {
    url = null;
  }
  // Meta requires https; the sandbox also takes http because everything runs on localhost.
  if (!url || !['http:', 'https:'].includes(url.protocol))
    result.error = 'The callback URL is not a valid http(s) URL.';
  else if (input.verifyToken === '') result.error = 'The verify token must not be empty.';
  else await runHandshake(url, input.verifyToken, result, state.faults.deliveryTimeoutMs);

  result.ok = result.error === null && result.status === 200 && result.body === challenge;
  if (!result.ok && result.error === null) {
    result.error =
      "The callback URL or verify token couldn't be validated: the response was not 200 with the hub.challenge value as its body.";
  }
  if (result.ok) {
    app.webhook = { callbackUrl: input.callbackUrl, verifyToken: input.verifyToken, verifiedAt: result.at };
  }
  state.verifications.push(result);
  return result;
}

async function runHandshake(url: URL, verifyToken: string, result: WebhookVerification, timeoutMs: number) {
  url.searchParams.set('hub.mode', 'subscribe');
  url.searchParams.set('hub.challenge', result.challenge);
  url.searchParams.set('hub.verify_token', verifyToken);
  try {
    const response = await fetch(url, {
      headers: { 'user-agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    result.status = response.status;
    result.body = await response.text();
  } catch (cause) {
    result.error = `The callback URL could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`;
  }
}

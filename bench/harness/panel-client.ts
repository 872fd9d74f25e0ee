import { SignJWT } from 'jose';
import type { SavedSettingsReply, SettingsReply, SyncSettings } from '../../contracts/panel.schemas.ts';
import type { PipedriveUserRef } from './sandbox-process.ts';

/** What Pipedrive's GET_SIGNED_TOKEN gives a panel: HS256 with the app's JWT secret, 5 minutes. */
export function panelToken(user: PipedriveUserRef, jwtSecret: string): Promise<string> {
  return new SignJWT({ companyId: user.companyId, userId: user.userId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(jwtSecret));
}

/**
 * Changes some of the company's sync settings as a Pipedrive admin does in the app-settings page
 * (read them, send them back changed), so a scenario can run a non-default option.
 */
export async function updateSyncSettings(
  parleyUrl: string,
  adminToken: string,
  changes: Partial<SyncSettings>,
): Promise<SyncSettings> {
  const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const current = await fetch(`${parleyUrl}/api/panel/settings`, { headers });
  if (!current.ok) throw new Error(`read settings: ${current.status} ${await current.text()}`);
  const { settings } = (await current.json()) as SettingsReply;
  const saved = await fetch(`${parleyUrl}/api/panel/settings`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ ...settings, ...changes }),
  });
  if (!saved.ok) throw new Error(`save settings: ${saved.status} ${await saved.text()}`);
  return ((await saved.json()) as SavedSettingsReply).settings;
}

export interface LiveEvent {
  seq: number;
  type: string;
  payload: { chatId?: string; messageId?: string };
  /** When this client read it (performance.timeOrigin-based ms, like `nowMs`). */
  receivedAt: number;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across this process. */
export const nowMs = () => performance.timeOrigin + performance.now();

/**
 * A panel's live-update stream, as the panels' EventSource opens it: trade the signed token for a
 * single-use ticket, then GET /api/panel/events?ticket=… and read Server-Sent Events.
 */
export async function openLiveStream(
  parleyUrl: string,
  token: string,
  onEvent?: (event: LiveEvent) => void,
): Promise<{ events: LiveEvent[]; close(): void }> {
  const ticketResponse = await fetch(`${parleyUrl}/api/panel/events-ticket`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  if (!ticketResponse.ok) throw new Error(`events ticket: ${ticketResponse.status} ${await ticketResponse.text()}`);
  const { ticket } = (await ticketResponse.json()) as { ticket: string };
  const controller = new AbortController();
  const response = await fetch(`${parleyUrl}/api/panel/events?ticket=${encodeURIComponent(ticket)}`, {
    headers: { accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (!response.ok || response.body === null) throw new Error(`events stream: ${response.status}`);
  const events: LiveEvent[] = [];
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const receivedAt = nowMs();
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data: '))
            .map((line) => line.slice(6))
            .join('\n');
          if (data === '' || block.includes('event: ')) continue;
          const event = { ...(JSON.parse(data) as Omit<LiveEvent, 'receivedAt'>), receivedAt };
          events.push(event);
          onEvent?.(event);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return { events, close: () => controller.abort() };
}

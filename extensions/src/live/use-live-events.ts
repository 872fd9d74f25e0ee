import { useEffect, useRef, useState } from 'preact/hooks';
import type { EventsTicketResponse, PanelLiveEvent } from '../../../contracts/panel-chat.ts';
import type { PanelApi } from '../api/panel-client.ts';

/**
 * Live updates over Server-Sent Events. EventSource cannot send the panel token, so each
 * connection first trades it for a single-use ticket; that also means EventSource's own retry
 * (same URL, used ticket) cannot work, so on any error this hook closes the source and reconnects
 * with a new ticket and the last event id, and the server replays what was missed. The first
 * stream starts after `from` when given: the event seq at which the panel read what it shows, so
 * an event between that read and the stream is replayed rather than lost.
 */
export function useLiveEvents(
  api: PanelApi | undefined,
  handlers: { onEvent: (event: PanelLiveEvent) => void; onResync: () => void; from?: number | undefined },
): { live: boolean } {
  const [live, setLive] = useState(false);
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    if (api === undefined || typeof EventSource === 'undefined') return undefined;
    let source: EventSource | undefined;
    let lastEventId: string | undefined;
    let stopped = false;
    let attempt = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const reconnectLater = () => {
      if (stopped) return;
      setLive(false);
      attempt += 1;
      retry = setTimeout(() => void connect(), Math.min(30_000, 500 * 2 ** attempt));
    };
    const connect = async () => {
      const { from } = latest.current;
      lastEventId ??= from === undefined ? undefined : String(from);
      let ticket: string;
      try {
        ({ ticket } = await api.post<EventsTicketResponse>('/api/panel/events-ticket'));
      } catch {
        reconnectLater();
        return;
      }
      if (stopped) return;
      const resume = lastEventId === undefined ? '' : `&lastEventId=${encodeURIComponent(lastEventId)}`;
      const opened = new EventSource(`/api/panel/events?ticket=${encodeURIComponent(ticket)}${resume}`);
      source = opened;
      opened.onopen = () => {
        // Without an id to resume from, anything between two streams could be missed: re-read.
        if (attempt > 0 && lastEventId === undefined) latest.current.onResync();
        attempt = 0;
        setLive(true);
      };
      opened.onmessage = (message: MessageEvent<string>) => {
        if (message.lastEventId !== '') lastEventId = message.lastEventId;
        try {
          latest.current.onEvent(JSON.parse(message.data) as PanelLiveEvent);
        } catch {
          // A malformed event changes nothing; the next one or a resync brings the truth.
        }
      };
      opened.addEventListener('resync', (message) => {
        const id = (message as MessageEvent<string>).lastEventId;
        if (id !== '') lastEventId = id;
        latest.current.onResync();
      });
      opened.onerror = () => {
        opened.close();
        if (source === opened) source = undefined;
        reconnectLater();
      };
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [api]);

  return { live };
}

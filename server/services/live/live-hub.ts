import type { DbOrTx } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import type { EventBus } from '../events/event-bus.ts';
import { createTooManyStreamsError, createLiveUnavailableError } from './live.errors.ts';
import { createPanelEventsReader, workspaceEventsTopic, type PanelEventRow } from './panel-events.ts';

/** Where a stream's text goes (an HTTP response in production); the hub knows nothing of HTTP. */
export interface StreamSink {
  write(chunk: string): void;
  end(): void;
}

export interface OpenStreamInput {
  companyId: number;
  userId: number;
  workspaceId: string;
  /** The last event the client has (`Last-Event-ID`); undefined for a fresh stream. */
  lastEventId: number | undefined;
  sink: StreamSink;
}

interface Stream {
  companyId: number;
  viewerKey: string;
  /** False until the stream knows where it starts; the pump skips it until then. */
  ready: boolean;
  lastSeq: number;
  sink: StreamSink;
}

interface WorkspaceGroup {
  streams: Set<Stream>;
  unsubscribe: () => void;
  /** The running pump, if any; `again` asks it for one more round (events arrived meanwhile). */
  pumping: Promise<void> | undefined;
  again: boolean;
}

export interface LiveHubOptions {
  db: DbOrTx;
  bus: EventBus;
  logger: Logger;
  heartbeatMs?: number;
  maxStreamsPerViewer?: number;
  /** A client further behind than this reloads instead of replaying (`event: resync`). */
  catchUpLimit?: number;
}

/** One SSE message per event row; the id is the row's seq, so `Last-Event-ID` resumes exactly. */
export function formatEvent(row: PanelEventRow): string {
  const data = JSON.stringify({ seq: row.seq, type: row.type, payload: row.payload, at: row.createdAt.toISOString() });
  return `id: ${row.seq}\ndata: ${data}\n\n`;
}

/**
 * Live updates for the panels of this instance. Streams are grouped by workspace; each group
 * subscribes to its workspace's topic on the event bus, which carries only "events up to seq N
 * exist". The hub then reads the rows once per company and writes each stream what it has not
 * seen yet, in seq order. After the bus reconnects every group re-reads, so nothing missed while
 * it was down is lost (the table is the source of truth).
 */
export function createLiveHub(options: LiveHubOptions) {
  const { logger } = options;
  const reader = createPanelEventsReader(options.db);
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxStreamsPerViewer = options.maxStreamsPerViewer ?? 8;
  const catchUpLimit = options.catchUpLimit ?? 500;
  const groups = new Map<string, WorkspaceGroup>();
  const perViewer = new Map<string, number>();
  let closed = false;

  const pumpOnce = async (workspaceId: string, group: WorkspaceGroup): Promise<void> => {
    const byCompany = new Map<number, Stream[]>();
    for (const stream of group.streams)
      if (stream.ready) byCompany.set(stream.companyId, [...(byCompany.get(stream.companyId) ?? []), stream]);
    for (const [companyId, streams] of byCompany) {
      let from = Math.min(...streams.map((stream) => stream.lastSeq));
      for (;;) {
        const rows = await reader.after(workspaceId, companyId, from, catchUpLimit);
        for (const row of rows)
          for (const stream of streams) {
            if (row.seq <= stream.lastSeq) continue;
            stream.sink.write(formatEvent(row));
            stream.lastSeq = row.seq;
          }
        if (rows.length < catchUpLimit) break;
        from = rows.at(-1)?.seq ?? from;
      }
    }
  };

  /** Runs the workspace's pump, or asks the running one for another round. */
  const pump = (workspaceId: string): Promise<void> => {
    const group = groups.get(workspaceId);
    if (group === undefined) return Promise.resolve();
    if (group.pumping !== undefined) {
      group.again = true;
      return group.pumping;
    }
    group.pumping = (async () => {
      do {
        group.again = false;
        try {
          await pumpOnce(workspaceId, group);
        } catch (error) {
          // The next notification, heartbeat round or reconnect tries again from each stream's lastSeq.
          logger.warn({ err: error, workspaceId }, 'live updates could not read events');
        }
      } while (group.again && !closed);
      group.pumping = undefined;
    })();
    return group.pumping;
  };

  const unsubscribeReconnect = options.bus.onReconnect(() => {
    for (const workspaceId of groups.keys()) void pump(workspaceId);
  });

  const heartbeat = setInterval(() => {
    for (const group of groups.values()) for (const stream of group.streams) stream.sink.write(': heartbeat\n\n');
  }, heartbeatMs);
  heartbeat.unref();

  const remove = (workspaceId: string, stream: Stream): void => {
    const group = groups.get(workspaceId);
    if (group === undefined || !group.streams.delete(stream)) return;
    const count = (perViewer.get(stream.viewerKey) ?? 1) - 1;
    if (count <= 0) perViewer.delete(stream.viewerKey);
    else perViewer.set(stream.viewerKey, count);
    if (group.streams.size === 0) {
      group.unsubscribe();
      groups.delete(workspaceId);
    }
  };

  return {
    /**
     * Starts a stream: replays what the client missed (or tells it to reload when too far behind),
     * then delivers live. Returns the function that ends it (call it when the client goes away).
     */
    async open(input: OpenStreamInput): Promise<() => void> {
      if (closed) throw createLiveUnavailableError();
      const viewerKey = `${input.companyId}:${input.userId}`;
      if ((perViewer.get(viewerKey) ?? 0) >= maxStreamsPerViewer) throw createTooManyStreamsError();
      perViewer.set(viewerKey, (perViewer.get(viewerKey) ?? 0) + 1);
      const stream: Stream = { companyId: input.companyId, viewerKey, ready: false, lastSeq: 0, sink: input.sink };

      let group = groups.get(input.workspaceId);
      if (group === undefined) {
        const created: WorkspaceGroup = {
          streams: new Set(),
          unsubscribe: () => undefined,
          pumping: undefined,
          again: false,
        };
        created.unsubscribe = options.bus.subscribe(workspaceEventsTopic(input.workspaceId), () => {
          void pump(input.workspaceId);
        });
        groups.set(input.workspaceId, created);
        group = created;
      }
      // Registered before reading where to start, so an event committed meanwhile is pumped, not lost.
      group.streams.add(stream);
      const end = () => remove(input.workspaceId, stream);
      try {
        input.sink.write('retry: 3000\n: connected\n\n');
        if (input.lastEventId === undefined) {
          stream.lastSeq = await reader.latestSeq(input.workspaceId);
        } else {
          const backlog = await reader.after(input.workspaceId, input.companyId, input.lastEventId, catchUpLimit + 1);
          if (backlog.length > catchUpLimit) {
            stream.lastSeq = await reader.latestSeq(input.workspaceId);
            input.sink.write(`id: ${stream.lastSeq}\nevent: resync\ndata: {}\n\n`);
          } else {
            stream.lastSeq = input.lastEventId;
          }
        }
      } catch (error) {
        end();
        throw error;
      }
      stream.ready = true;
      await pump(input.workspaceId);
      return end;
    },

    /** How many streams this instance serves (for tests and diagnostics). */
    streamCount(): number {
      let count = 0;
      for (const group of groups.values()) count += group.streams.size;
      return count;
    },

    /** Ends every stream (shutdown): clients reconnect to another instance and catch up by id. */
    async close(): Promise<void> {
      closed = true;
      clearInterval(heartbeat);
      unsubscribeReconnect();
      const pumps = [...groups.values()].flatMap((group) => (group.pumping === undefined ? [] : [group.pumping]));
      await Promise.allSettled(pumps);
      for (const group of groups.values()) {
        group.unsubscribe();
        for (const stream of group.streams) stream.sink.end();
        group.streams.clear();
      }
      groups.clear();
      perViewer.clear();
    },
  };
}

export type LiveHub = ReturnType<typeof createLiveHub>;

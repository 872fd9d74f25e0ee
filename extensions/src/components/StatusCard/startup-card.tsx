import type { ComponentChildren } from 'preact';
import type { SdkState } from '../../sdk/use-pipedrive-sdk.ts';
import { StatusCard } from './index.tsx';

/** What a surface says before it can show itself; each surface words it for what it shows. */
export interface StartupWords {
  /** Opened outside Pipedrive (development): where to open it instead. */
  preview: { title: string; body: ComponentChildren };
  /** The connection status could not be read. */
  statusFailedTitle: string;
  loadingTitle: string;
}

/**
 * The card every panel shows until it is ready: the preview hint outside Pipedrive, the SDK that
 * failed to start, the connection status that could not be read, or loading. Undefined once the SDK
 * is ready and the status is loaded, when the panel renders its own content.
 */
export function startupCard(input: {
  sdkState: SdkState;
  statusError: string | undefined;
  loaded: boolean;
  words: StartupWords;
}): ComponentChildren | undefined {
  const { sdkState, statusError, words } = input;
  if (sdkState.status === 'preview') return <StatusCard title={words.preview.title}>{words.preview.body}</StatusCard>;
  if (sdkState.status === 'failed')
    return (
      <StatusCard title="Parley could not start inside Pipedrive" tone="danger">
        {sdkState.message}. Reload the page.
      </StatusCard>
    );
  if (statusError !== undefined)
    return (
      <StatusCard title={words.statusFailedTitle} tone="danger">
        {statusError}
      </StatusCard>
    );
  if (!input.loaded) return <StatusCard title={words.loadingTitle} />;
  return undefined;
}

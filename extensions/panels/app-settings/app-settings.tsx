import type { ComponentChildren } from 'preact';
import { useMemo, useRef } from 'preact/hooks';
import { createPanelApi } from '../../src/api/panel-client.ts';
import { startupCard } from '../../src/components/StatusCard/startup-card.tsx';
import { usePanelStatus } from '../../src/hooks/use-panel-status.ts';
import { RESIZE_LIMITS, usePipedriveSdk } from '../../src/sdk/use-pipedrive-sdk.ts';
import { useResizeToContent } from '../../src/sdk/use-resize-to-content.ts';
import { ConnectionSection } from './connection-section.tsx';
import { SyncSettingsForm } from './sync-settings-form.tsx';
import styles from './style.module.css';

/** Parley's page in Pipedrive's app settings: connections, disconnects and the sync settings. */
export function AppSettings() {
  const sdkState = usePipedriveSdk();
  const sdk = sdkState.status === 'ready' ? sdkState.sdk : undefined;
  const root = useRef<HTMLDivElement>(null);
  // The settings page has no fixed height in Pipedrive: it grows with its content, Save button included.
  useResizeToContent(sdk, root, RESIZE_LIMITS.settings);
  return (
    <div ref={root}>
      <SettingsContent sdkState={sdkState} />
    </div>
  );
}

function SettingsContent(props: { sdkState: ReturnType<typeof usePipedriveSdk> }): ComponentChildren {
  const { sdkState } = props;
  const sdk = sdkState.status === 'ready' ? sdkState.sdk : undefined;
  const api = useMemo(() => (sdk === undefined ? undefined : createPanelApi(sdk)), [sdk]);
  const { status, error, reload } = usePanelStatus(api);

  const startup = startupCard({
    sdkState,
    statusError: error,
    loaded: sdk !== undefined && api !== undefined && status !== undefined,
    words: {
      preview: {
        title: 'Parley settings (preview)',
        body: 'Open this page from Pipedrive: Tools and apps → Marketplace apps → Parley.',
      },
      statusFailedTitle: 'Parley could not load your connection',
      loadingTitle: 'Loading Parley settings…',
    },
  });
  if (startup !== undefined || sdk === undefined || api === undefined || status === undefined) return startup;

  return (
    <main class={styles.page}>
      <h1 class={styles.heading}>Parley</h1>
      <p class={styles.lead}>
        WhatsApp conversations in Pipedrive{status.company.name === null ? '' : ` for ${status.company.name}`}.
      </p>
      <ConnectionSection sdk={sdk} api={api} status={status} onChanged={reload} />
      {status.organization.connected ? <SyncSettingsForm sdk={sdk} api={api} /> : null}
    </main>
  );
}

import { render } from 'preact';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { createPanelApi } from '../../src/api/panel-client.ts';
import { ConnectionState } from '../../src/components/ConnectionState/index.tsx';
import { StatusCard } from '../../src/components/StatusCard/index.tsx';
import { usePanelStatus } from '../../src/hooks/use-panel-status.ts';
import { resizeToContent, usePipedriveSdk } from '../../src/sdk/use-pipedrive-sdk.ts';
import '../../src/styles/base.css';

/** The deal and person sidebar panel: connection state now; the live chat arrives with its own issue. */
function ChatPanel() {
  const sdkState = usePipedriveSdk({ height: 160 });
  const sdk = sdkState.status === 'ready' ? sdkState.sdk : undefined;
  const api = useMemo(() => (sdk === undefined ? undefined : createPanelApi(sdk)), [sdk]);
  const { status, error, reload } = usePanelStatus(api);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (sdk !== undefined && root.current !== null) void resizeToContent(sdk, root.current);
  });

  let content;
  if (sdkState.status === 'preview')
    content = (
      <StatusCard title="Parley chat panel (preview)">Open this panel from a deal or person in Pipedrive.</StatusCard>
    );
  else if (sdkState.status === 'failed')
    content = (
      <StatusCard title="Parley could not start inside Pipedrive" tone="danger">
        {sdkState.message}. Reload the page.
      </StatusCard>
    );
  else if (error !== undefined)
    content = (
      <StatusCard title="Parley could not load this panel" tone="danger">
        {error}
      </StatusCard>
    );
  else if (api === undefined || status === undefined) content = <StatusCard title="Loading WhatsApp chat…" />;
  else if (status.state === 'connected')
    content = (
      <StatusCard title="Parley is connected">WhatsApp conversations with this contact will appear here.</StatusCard>
    );
  else content = <ConnectionState status={status} api={api} onChanged={reload} />;

  return <div ref={root}>{content}</div>;
}

const container = document.getElementById('app');
if (container !== null) render(<ChatPanel />, container);

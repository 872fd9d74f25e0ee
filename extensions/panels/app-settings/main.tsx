import { render } from 'preact';
import { StatusCard } from '../../src/components/StatusCard/index.tsx';
import { usePipedriveSdk } from '../../src/sdk/use-pipedrive-sdk.ts';
import '../../src/styles/base.css';

/** Parley's settings page inside Pipedrive (custom_ui_settings). The real settings arrive with the Connections issue. */
function AppSettings() {
  const sdk = usePipedriveSdk({ height: 320 });
  switch (sdk.status) {
    case 'initializing':
      return <StatusCard title="Loading Parley settings…" />;
    case 'failed':
      return (
        <StatusCard title="Parley could not start inside Pipedrive" tone="danger">
          {sdk.message}. Reload the page.
        </StatusCard>
      );
    case 'preview':
    case 'ready':
      return <StatusCard title="Parley settings">Parley settings arrive with the Connections issue.</StatusCard>;
  }
}

const container = document.getElementById('app');
if (container !== null) render(<AppSettings />, container);

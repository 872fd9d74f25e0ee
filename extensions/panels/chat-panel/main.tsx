import { render } from 'preact';
import { StatusCard } from '../../src/components/StatusCard/index.tsx';
import { usePipedriveSdk } from '../../src/sdk/use-pipedrive-sdk.ts';
import '../../src/styles/base.css';

/** The deal and person sidebar panel. Live chat arrives with the chat-panel issue. */
function ChatPanel() {
  const sdk = usePipedriveSdk({ height: 160 });
  switch (sdk.status) {
    case 'initializing':
      return <StatusCard title="Loading WhatsApp chat…" />;
    case 'failed':
      return (
        <StatusCard title="Parley could not start inside Pipedrive" tone="danger">
          {sdk.message}. Reload the page; if it persists, ask your Parley admin to check the app settings.
        </StatusCard>
      );
    case 'preview':
      return (
        <StatusCard title="Parley chat panel (preview)">Open this panel from a deal or person in Pipedrive.</StatusCard>
      );
    case 'ready':
      return (
        <StatusCard title="Parley is connected to this panel">
          WhatsApp conversations for this record will appear here.
        </StatusCard>
      );
  }
}

const container = document.getElementById('app');
if (container !== null) render(<ChatPanel />, container);

import type { PanelApi, PanelStatus } from '../../api/panel-client.ts';
import { connectInPopup } from '../../hooks/connect-popup.ts';
import { Button } from '../Button/index.tsx';
import { StatusCard } from '../StatusCard/index.tsx';

/**
 * What a panel shows until the viewer can chat: no organization connection, no personal
 * connection ("Connect only for me"), or a connection Pipedrive stopped accepting. Null when connected.
 */
export function ConnectionState(props: { status: PanelStatus; api: PanelApi; onChanged: () => Promise<void> }) {
  const { status } = props;
  const connect = async () => {
    await connectInPopup(props.api).catch(() => undefined);
    await props.onChanged();
  };
  switch (status.state) {
    case 'org_not_connected':
      return (
        <StatusCard title="Organization not connected">
          Parley is not connected to {status.company.name ?? 'your company'} yet. Pipedrive admins can{' '}
          <a href={status.links.install} target="_blank" rel="noopener">
            connect the organization
          </a>
          ; everyone else: ask your Pipedrive admin.
        </StatusCard>
      );
    case 'reauth_required':
      return (
        <StatusCard title="Reconnect Parley" tone="danger">
          {status.organization.state === 'reauth_required'
            ? 'Pipedrive no longer accepts the organization’s connection: a Pipedrive admin must reconnect Parley.'
            : 'Pipedrive no longer accepts your connection.'}
          {status.organization.state === 'reauth_required' ? null : (
            <div>
              <Button kind="primary" onClick={() => void connect()}>
                Reconnect only for me
              </Button>
            </div>
          )}
        </StatusCard>
      );
    case 'personal_not_connected':
      return (
        <StatusCard title="Connect to chat on WhatsApp">
          Live chat and sending need your own Pipedrive connection.
          <div>
            <Button kind="primary" onClick={() => void connect()}>
              Connect only for me
            </Button>
          </div>
        </StatusCard>
      );
    case 'connected':
      return null;
  }
}

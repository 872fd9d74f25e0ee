import { useState } from 'preact/hooks';
import type { PanelApi, PanelStatus } from '../../api/panel-client.ts';
import { awaitingApprovalText, endedOrganizationText } from '../../connection/connection-words.ts';
import { connectInPopup } from '../../hooks/connect-popup.ts';
import { Button } from '../Button/index.tsx';
import { StatusCard } from '../StatusCard/index.tsx';

/**
 * What a panel shows until the viewer can chat: no organization connection (and why, when an admin
 * ended it), no personal connection ("Connect only for me"), a join request waiting for an admin,
 * or a connection Pipedrive stopped accepting. Null when connected.
 */
export function ConnectionState(props: { status: PanelStatus; api: PanelApi; onChanged: () => Promise<void> }) {
  const { status } = props;
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const connect = async () => {
    setProblem(undefined);
    await connectInPopup(props.api).catch((failure: unknown) =>
      setProblem(failure instanceof Error ? failure.message : String(failure)),
    );
    await props.onChanged();
  };
  const blocked = problem === undefined ? null : <p role="alert">{problem}</p>;
  switch (status.state) {
    case 'org_not_connected': {
      const ended = endedOrganizationText(status);
      return (
        <StatusCard title={ended === undefined ? 'Organization not connected' : 'Organization disconnected'}>
          {ended ?? `Parley is not connected to ${status.company.name ?? 'your company'} yet.`} Pipedrive admins can{' '}
          <a href={status.links.install} target="_blank" rel="noopener">
            {ended === undefined ? 'connect the organization' : 'connect it again'}
          </a>
          ; everyone else: ask your Pipedrive admin.
        </StatusCard>
      );
    }
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
          {blocked}
        </StatusCard>
      );
    case 'personal_not_connected': {
      const awaiting = awaitingApprovalText(status);
      if (awaiting !== undefined)
        return <StatusCard title="Waiting for an admin to approve you">{awaiting}</StatusCard>;
      return (
        <StatusCard title="Connect to chat on WhatsApp">
          Live chat and sending need your own Pipedrive connection. If you are not in your team’s Parley workspace yet,
          connecting asks its admins to let you in (or accepts your invitation).
          <div>
            <Button kind="primary" onClick={() => void connect()}>
              Connect only for me
            </Button>
          </div>
          {blocked}
        </StatusCard>
      );
    }
    case 'connected':
      return null;
  }
}

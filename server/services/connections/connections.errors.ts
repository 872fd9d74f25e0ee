import { createErrorFactory } from '../../errors.ts';

export const createOrgNotConnectedError = createErrorFactory({
  code: 'connections.org_not_connected',
  statusCode: 409,
  message: 'Your Pipedrive organization is not connected to Parley. A Pipedrive admin must connect it first.',
});
export const createPersonalNotConnectedError = createErrorFactory({
  code: 'connections.personal_not_connected',
  statusCode: 409,
  message: 'Connect your own Pipedrive user to Parley ("Connect only for me") to use live chat and sending.',
});
export const createNotPipedriveAdminError = createErrorFactory({
  code: 'connections.not_pipedrive_admin',
  statusCode: 403,
  message:
    'Only a Pipedrive admin can connect the organization. Ask an admin of your Pipedrive company to connect Parley.',
});
export const createCompanyLinkedElsewhereError = createErrorFactory({
  code: 'connections.company_linked_elsewhere',
  statusCode: 409,
  message: 'This Pipedrive company is already connected to another Parley workspace.',
});
export const createWorkspaceHasOtherCompanyError = createErrorFactory({
  code: 'connections.workspace_has_other_company',
  statusCode: 409,
  message: 'This workspace is connected to a different Pipedrive company. Disconnect it first.',
});
export const createWrongPipedriveUserError = createErrorFactory({
  code: 'connections.wrong_pipedrive_user',
  statusCode: 403,
  message:
    'You approved Parley as a different Pipedrive user than the one using the panel. Sign in to Pipedrive as yourself and try again.',
});
export const createPendingInstallOtherBrowserError = createErrorFactory({
  code: 'installs.other_browser',
  statusCode: 403,
  message:
    'This installation was started in another browser. Only that browser can finish it; or install Parley from the Pipedrive Marketplace again here.',
});
export const createPendingInstallWrongAccountError = createErrorFactory({
  code: 'installs.wrong_account',
  statusCode: 403,
  message:
    'This installation belongs to another Parley account. Sign in with the email of the Pipedrive user who installed it.',
});
export const createPendingInstallExpiredError = createErrorFactory({
  code: 'installs.expired',
  statusCode: 410,
  message:
    'This installation waited too long or was already finished. Install Parley from the Pipedrive Marketplace again.',
});

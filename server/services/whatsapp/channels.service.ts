import type { AuditAction } from '../../../contracts/audit-actions.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/client.ts';
import { createChannelsRepository, type ChannelRow } from '../../db/repositories/channels.repository.ts';
import type { Logger } from '../../logger.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { openCredentials, sealCredentials, type ChannelCredentials } from './channel-credentials.ts';
import type { ChannelDirectory } from './channel-directory.ts';
import { ProviderError, type ProviderAccount, type WhatsAppProvider } from './provider.ts';
import {
  createChannelExistsError,
  createChannelNotFoundError,
  createCredentialsRejectedError,
  createProviderUnavailableError,
} from './whatsapp.errors.ts';
import { actors } from '../audit/actor.ts';

export interface AddChannelInput {
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
  displayName?: string | undefined;
  ownerMemberId?: string | undefined;
  /** Set when Parley configures the app's webhook itself (sandbox one-click). */
  appId?: string | undefined;
}

/** A channel as the dashboard shows it: no access token or app secret, ever. */
export interface ChannelView {
  id: string;
  displayName: string;
  phoneNumber: string | null;
  phoneNumberId: string;
  wabaId: string | null;
  status: ChannelRow['status'];
  ownerMemberId: string | null;
  webhookUrl: string;
  /** Shown to admins: it must be pasted into Meta's webhook settings. */
  verifyToken: string | null;
  webhookVerifiedAt: Date | null;
  appSubscribedAt: Date | null;
  lastWebhookAt: Date | null;
  templatesSyncedAt: Date | null;
  templatesSyncError: string | null;
  templateCount: number;
}

/** The path Meta posts to; `PUBLIC_URL` + this is what the admin pastes into the app's settings. */
export const webhookPath = (channelId: string) => `/webhooks/whatsapp/${channelId}`;

/**
 * Adding, editing and removing WhatsApp numbers (issue 10 §1). Credentials are checked against the
 * provider before anything is stored, and sealed with the channel row's id as associated data.
 */
export function createChannelsService(deps: {
  db: Db;
  provider: WhatsAppProvider;
  secretBox: SecretBox;
  directory: ChannelDirectory;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
}) {
  const { db, provider, secretBox, clock } = deps;
  const repository = () => createChannelsRepository(db);

  const accountOf = (row: ChannelRow, credentials: ChannelCredentials): ProviderAccount => ({
    phoneNumberId: row.externalId,
    wabaId: row.externalAccountId ?? '',
    accessToken: credentials.accessToken,
  });

  /** Provider failures in words an admin can act on. */
  function explain(error: unknown): never {
    if (error instanceof ProviderError) {
      if (error.transient)
        throw createProviderUnavailableError({ cause: error, details: { providerCode: error.code } });
      throw createCredentialsRejectedError({
        message: `WhatsApp did not accept these credentials: ${error.title}${error.detail === undefined ? '' : ` (${error.detail})`}.`,
        details: { providerCode: error.code },
      });
    }
    throw error;
  }

  async function requireChannel(workspaceId: string, channelId: string): Promise<ChannelRow> {
    const row = await repository().findInWorkspace(workspaceId, channelId);
    if (row === undefined) throw createChannelNotFoundError();
    return row;
  }

  /**
   * After an admin changed a number: the webhook directory reloads (which channel a webhook names,
   * with which secret) and the audit log records who did what.
   */
  async function recordChange(change: {
    workspaceId: string;
    actorMemberId: string;
    channelId: string;
    action: AuditAction;
    detail?: Record<string, unknown>;
  }): Promise<void> {
    await deps.directory.changed();
    await deps.audit.record({
      workspaceId: change.workspaceId,
      actor: actors.member(change.actorMemberId),
      action: change.action,
      subjectType: 'channel',
      subjectId: change.channelId,
      ...(change.detail === undefined ? {} : { detail: change.detail }),
    });
  }

  async function view(row: ChannelRow): Promise<ChannelView> {
    const credentials = row.status === 'active' ? openCredentials(secretBox, row.id, row.credentialsCiphertext) : null;
    const templates = await repository().listTemplates(row.id);
    return {
      id: row.id,
      displayName: row.displayName,
      phoneNumber: row.phoneNumber,
      phoneNumberId: row.externalId,
      wabaId: row.externalAccountId,
      status: row.status,
      ownerMemberId: row.ownerMemberId,
      webhookUrl: `${deps.publicUrl}${webhookPath(row.id)}`,
      verifyToken: credentials?.verifyToken ?? null,
      webhookVerifiedAt: row.webhookVerifiedAt,
      appSubscribedAt: row.appSubscribedAt,
      lastWebhookAt: row.lastWebhookAt,
      templatesSyncedAt: row.templatesSyncedAt,
      templatesSyncError: row.templatesSyncError,
      templateCount: templates.length,
    };
  }

  async function syncTemplates(channelId: string): Promise<{ count: number } | { error: string }> {
    const row = await repository().findById(channelId);
    if (row === undefined || row.status !== 'active') return { error: 'the channel is not active' };
    const credentials = openCredentials(secretBox, row.id, row.credentialsCiphertext);
    try {
      const list = await provider.listTemplates(accountOf(row, credentials));
      const now = clock.now();
      await db.transaction(async (tx) => {
        const inTx = createChannelsRepository(tx);
        await inTx.replaceTemplates(row.id, list, now);
        await inTx.update(row.id, { templatesSyncedAt: now, templatesSyncError: null });
      });
      return { count: list.length };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      // Recorded, not thrown: a broken channel must not requeue the sync endlessly (whatsapp-cloud-api.md §5.5).
      await repository().update(row.id, { templatesSyncError: error.message });
      deps.logger.warn({ channelId, code: error.code }, 'template sync failed');
      return { error: error.message };
    }
  }

  return {
    view,
    syncTemplates,

    async activeChannelIds(): Promise<string[]> {
      return (await repository().listActive()).map((row) => row.id);
    },

    async list(workspaceId: string): Promise<ChannelView[]> {
      const rows = await repository().listByWorkspace(workspaceId);
      return Promise.all(rows.filter((row) => row.status === 'active').map((row) => view(row)));
    },

    async templates(workspaceId: string, channelId: string) {
      const row = await requireChannel(workspaceId, channelId);
      return (await repository().listTemplates(row.id)).map((template) => ({
        name: template.name,
        language: template.language,
        status: template.status,
        category: template.category,
        components: template.components,
      }));
    },

    async get(workspaceId: string, channelId: string): Promise<ChannelView> {
      return view(await requireChannel(workspaceId, channelId));
    },

    /**
     * Checks the credentials (reads the number, which must belong to the WABA), subscribes the app to
     * the WABA, stores the channel and syncs its templates. A number removed earlier from this
     * workspace comes back with its history; a number of another workspace is refused.
     */
    async add(workspaceId: string, actorMemberId: string, input: AddChannelInput): Promise<ChannelView> {
      const existing = await repository().findByExternalId(input.phoneNumberId);
      if (existing !== undefined && (existing.status === 'active' || existing.workspaceId !== workspaceId))
        throw createChannelExistsError();
      const ownerMemberId = input.ownerMemberId ?? actorMemberId;
      if (!(await repository().isMemberOf(workspaceId, ownerMemberId)))
        throw createChannelNotFoundError({ message: 'The owner must be a member of this workspace.' });
      const account = { phoneNumberId: input.phoneNumberId, wabaId: input.wabaId, accessToken: input.accessToken };
      const phone = await provider.readPhoneNumber(account).catch(explain);
      await provider.subscribeApp(account).catch(explain);

      const id = existing?.id ?? randomUUID();
      const credentials: ChannelCredentials = {
        accessToken: input.accessToken,
        appSecret: input.appSecret,
        verifyToken: randomBytes(24).toString('base64url'),
        ...(input.appId === undefined ? {} : { appId: input.appId }),
      };
      const values = {
        workspaceId,
        provider: 'whatsapp_cloud' as const,
        displayName: input.displayName?.trim() || phone.verifiedName || `+${phone.displayPhoneNumber}`,
        phoneNumber: phone.displayPhoneNumber === '' ? null : `+${phone.displayPhoneNumber.replace(/\D/g, '')}`,
        externalId: input.phoneNumberId,
        externalAccountId: input.wabaId,
        credentialsCiphertext: sealCredentials(secretBox, id, credentials),
        ownerMemberId,
        status: 'active' as const,
        appSubscribedAt: clock.now(),
        webhookVerifiedAt: null,
      };
      if (existing === undefined) await repository().insert({ id, ...values });
      else await repository().update(id, values);
      await recordChange({
        workspaceId,
        actorMemberId,
        channelId: id,
        action: 'whatsapp.channel_added',
        detail: { phoneNumber: values.phoneNumber, phoneNumberId: input.phoneNumberId, wabaId: input.wabaId },
      });
      await syncTemplates(id);
      return this.get(workspaceId, id);
    },

    async update(
      workspaceId: string,
      actorMemberId: string,
      channelId: string,
      input: { displayName?: string | undefined; ownerMemberId?: string | undefined; appSecret?: string | undefined },
    ): Promise<ChannelView> {
      const row = await requireChannel(workspaceId, channelId);
      if (row.status !== 'active') throw createChannelNotFoundError();
      if (input.ownerMemberId !== undefined && !(await repository().isMemberOf(workspaceId, input.ownerMemberId)))
        throw createChannelNotFoundError({ message: 'The owner must be a member of this workspace.' });
      const credentials = openCredentials(secretBox, row.id, row.credentialsCiphertext);
      await repository().update(row.id, {
        ...(input.displayName === undefined ? {} : { displayName: input.displayName.trim() || row.displayName }),
        ...(input.ownerMemberId === undefined ? {} : { ownerMemberId: input.ownerMemberId }),
        ...(input.appSecret === undefined
          ? {}
          : {
              credentialsCiphertext: sealCredentials(secretBox, row.id, { ...credentials, appSecret: input.appSecret }),
            }),
      });
      await recordChange({
        workspaceId,
        actorMemberId,
        channelId: row.id,
        action: 'whatsapp.channel_updated',
        detail: {
          fields: Object.keys(input).filter((key) => input[key as keyof typeof input] !== undefined),
        },
      });
      return this.get(workspaceId, row.id);
    },

    /** Replaces the access token after checking it reads the same number. */
    async rotateToken(
      workspaceId: string,
      actorMemberId: string,
      channelId: string,
      accessToken: string,
    ): Promise<ChannelView> {
      const row = await requireChannel(workspaceId, channelId);
      if (row.status !== 'active') throw createChannelNotFoundError();
      const credentials = openCredentials(secretBox, row.id, row.credentialsCiphertext);
      await provider.readPhoneNumber(accountOf(row, { ...credentials, accessToken })).catch(explain);
      await repository().update(row.id, {
        credentialsCiphertext: sealCredentials(secretBox, row.id, { ...credentials, accessToken }),
      });
      await recordChange({ workspaceId, actorMemberId, channelId: row.id, action: 'whatsapp.channel_token_rotated' });
      return this.get(workspaceId, row.id);
    },

    /**
     * Removes the number: its secrets are wiped, webhooks for it are refused from now on (Meta retries
     * and then gives up), sending and template sync stop. Its chats and messages stay in Parley.
     */
    async remove(workspaceId: string, actorMemberId: string, channelId: string): Promise<void> {
      const row = await requireChannel(workspaceId, channelId);
      await repository().update(row.id, {
        status: 'disabled',
        credentialsCiphertext: sealCredentials(secretBox, row.id, { accessToken: '', appSecret: '', verifyToken: '' }),
        webhookVerifiedAt: null,
        appSubscribedAt: null,
      });
      await recordChange({
        workspaceId,
        actorMemberId,
        channelId: row.id,
        action: 'whatsapp.channel_removed',
        detail: { phoneNumber: row.phoneNumber },
      });
    },

    /** Sets the app's webhook through the API (the handshake runs now); the sandbox's one-click path. */
    async configureWebhook(workspaceId: string, channelId: string): Promise<ChannelView> {
      const row = await requireChannel(workspaceId, channelId);
      const credentials = openCredentials(secretBox, row.id, row.credentialsCiphertext);
      if (credentials.appId === undefined) throw createChannelNotFoundError();
      await provider
        .configureAppWebhook({
          appId: credentials.appId,
          appSecret: credentials.appSecret,
          callbackUrl: `${deps.publicUrl}${webhookPath(row.id)}`,
          verifyToken: credentials.verifyToken,
        })
        .catch(explain);
      return this.get(workspaceId, row.id);
    },

    /** Account and secrets for sending and media (decrypted per use, never cached with the token). */
    async accountFor(channelId: string): Promise<{ row: ChannelRow; account: ProviderAccount } | undefined> {
      const row = await repository().findById(channelId);
      if (row === undefined || row.status !== 'active') return undefined;
      return { row, account: accountOf(row, openCredentials(secretBox, row.id, row.credentialsCiphertext)) };
    },
  };
}

export type ChannelsService = ReturnType<typeof createChannelsService>;

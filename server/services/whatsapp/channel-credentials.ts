import type { SecretBox } from '../crypto/secret-box.ts';

/** A Cloud API channel's secrets; stored as one encrypted JSON value on the channel row. */
export interface ChannelCredentials {
  accessToken: string;
  appSecret: string;
  /** Parley's own random string Meta sends back in the GET handshake. */
  verifyToken: string;
  /** Known when Parley set the app's webhook itself (the sandbox's one-click number). */
  appId?: string;
}

/** The associated data binds the ciphertext to its channel row: copied to another row, it fails. */
const associatedData = (channelId: string) => `channels:${channelId}:credentials`;

export function sealCredentials(box: SecretBox, channelId: string, credentials: ChannelCredentials): string {
  return box.encrypt(JSON.stringify(credentials), associatedData(channelId));
}

export function openCredentials(box: SecretBox, channelId: string, ciphertext: string): ChannelCredentials {
  const value = JSON.parse(box.decrypt(ciphertext, associatedData(channelId))) as Partial<ChannelCredentials>;
  return {
    accessToken: value.accessToken ?? '',
    appSecret: value.appSecret ?? '',
    verifyToken: value.verifyToken ?? '',
    ...(value.appId === undefined ? {} : { appId: value.appId }),
  };
}

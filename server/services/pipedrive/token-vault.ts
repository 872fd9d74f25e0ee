import type { SecretBox } from '../crypto/secret-box.ts';

/**
 * Encrypts a grant's tokens bound to their (company, user): a ciphertext copied into another
 * connection's row does not decrypt.
 */
export interface GrantTokens {
  accessToken: string;
  refreshToken: string;
}

export interface EncryptedGrantTokens {
  accessTokenCiphertext: string;
  refreshTokenCiphertext: string;
}

const aad = (column: 'access_token' | 'refresh_token', companyId: number, userId: number) =>
  `connections:${column}:${companyId}:${userId}`;

export function createTokenVault(secretBox: SecretBox) {
  return {
    seal(companyId: number, userId: number, tokens: GrantTokens): EncryptedGrantTokens {
      return {
        accessTokenCiphertext: secretBox.encrypt(tokens.accessToken, aad('access_token', companyId, userId)),
        refreshTokenCiphertext: secretBox.encrypt(tokens.refreshToken, aad('refresh_token', companyId, userId)),
      };
    },
    openAccessToken(companyId: number, userId: number, ciphertext: string): string {
      return secretBox.decrypt(ciphertext, aad('access_token', companyId, userId));
    },
    openRefreshToken(companyId: number, userId: number, ciphertext: string): string {
      return secretBox.decrypt(ciphertext, aad('refresh_token', companyId, userId));
    },
  };
}

export type TokenVault = ReturnType<typeof createTokenVault>;

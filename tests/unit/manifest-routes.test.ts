import path from 'node:path';
import { loadManifest } from '../../manifest/manifest.ts';
import { OAUTH_CALLBACK_PATH } from '../../server/services/domain-services.ts';

describe('the manifest and the server agree', () => {
  const manifest = loadManifest(path.resolve('manifest'));

  it('on the OAuth callback and installation paths', () => {
    expect(manifest.oauth.callbackPath).toBe(OAUTH_CALLBACK_PATH);
    expect(manifest.oauth.installationPath).toBe('/oauth/install');
  });

  it('on where the panels are served', () => {
    for (const extension of manifest.extensions) expect(extension.path).toMatch(/^\/extensions\/panels\/[a-z0-9-]+\/$/);
  });
});

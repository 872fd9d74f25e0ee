import { loadManifest, renderManifest } from '../manifest/manifest.ts';
import type { RegisteredApp } from './pipedrive/state.ts';

/** Registers an app the way its developer would in Developer Hub: from its manifest and credentials. */
export function appFromManifest(options: {
  manifestDir: string;
  publicUrl: string;
  clientId: string;
  clientSecret: string;
  jwtSecret?: string;
}): RegisteredApp {
  const manifest = loadManifest(options.manifestDir);
  const rendered = renderManifest(manifest, options.publicUrl);
  return {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    jwtSecret: options.jwtSecret ?? options.clientSecret,
    name: manifest.name,
    description: manifest.description,
    callbackUrl: rendered.callbackUrl,
    installationUrl: rendered.installationUrl,
    scopes: rendered.scopes,
    extensions: rendered.extensions.map(({ id, type, name, url, locations, size }) => ({
      id,
      type,
      name,
      url,
      locations,
      ...(size ? { size } : {}),
    })),
  };
}

import SdkExport from '@pipedrive/app-extensions-sdk';

type AppExtensionsSdkClass = typeof SdkExport;

/**
 * The SDK ships CommonJS (`exports.default = AppExtensionsSDK`). In a `"type": "module"` project
 * the bundler applies Node's interop, where the default import is the whole `module.exports`, so
 * the class sits one level down. Everything imports the class from here.
 */
export const AppExtensionsSDK: AppExtensionsSdkClass =
  (SdkExport as unknown as { default?: AppExtensionsSdkClass }).default ?? SdkExport;
export type AppExtensionsSDK = InstanceType<AppExtensionsSdkClass>;
export { Color, Command, Event, View } from '@pipedrive/app-extensions-sdk';

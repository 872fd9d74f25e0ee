import { cleanup } from '@testing-library/preact';
import { resetSdk } from './fake-sdk.ts';
import { installEventSource } from './fake-server.ts';

// Every panel talks to Pipedrive through the SDK: each test file gets the fake one, reset per test,
// and a fake EventSource (jsdom has none) for the live stream.
jest.mock('@pipedrive/app-extensions-sdk', () => jest.requireActual<{ sdkModule: unknown }>('./fake-sdk.ts').sdkModule);

beforeEach(() => {
  resetSdk();
  installEventSource();
});

afterEach(() => {
  cleanup();
  delete document.documentElement.dataset['theme'];
});

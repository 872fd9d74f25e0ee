// A browser test starts Chromium and waits for real page loads and SDK round trips.
jest.setTimeout(90_000);

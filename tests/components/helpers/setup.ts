import { cleanup } from '@testing-library/preact';

afterEach(() => {
  cleanup();
  delete document.documentElement.dataset['theme'];
});

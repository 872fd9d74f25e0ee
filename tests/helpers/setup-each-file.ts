import nock from 'nock';

// Nothing outside this machine is reachable from a test: Pipedrive and Meta are nocked or emulated.
nock.disableNetConnect();
// `*.localhost` is loopback too (RFC 6761): the sandbox's per-company API origins.
nock.enableNetConnect((host) => /^(127\.0\.0\.1|([a-z0-9-]+\.)*localhost|\[::1\])(:\d+)?$/.test(host));

afterEach(() => {
  nock.cleanAll();
});

// Each test file loads its own copy of nock, which patches Node's global `net` and `http`. A jest
// worker runs many files in one process, so every copy must take its patches off again: stacked
// interceptors multiply sockets (one run opened thousands of PostgreSQL connections).
afterAll(() => {
  nock.restore();
});

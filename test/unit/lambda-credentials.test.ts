/** The deployed functions' credential chain: environment first, then a container endpoint. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultProvider } from '../../rules/runtime/lambda-credentials';

const VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_PROFILE',
] as const;
const saved = Object.fromEntries(VARS.map((name) => [name, process.env[name]]));

let server: Server;
let requests = 0;

beforeAll(async () => {
  server = createServer((_, response) => {
    requests += 1;
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({
        AccessKeyId: 'ASIACONTAINER',
        SecretAccessKey: 'container-secret',
        Token: 'container-token',
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  for (const name of VARS) Reflect.deleteProperty(process.env, name);
  requests = 0;
});

afterEach(() => {
  for (const name of VARS) {
    if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = saved[name];
  }
});

describe('lambda credential chain', () => {
  it('takes the keys Lambda puts in the environment', async () => {
    // Prepare
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'ASIAENV',
      AWS_SECRET_ACCESS_KEY: 'env-secret',
      AWS_SESSION_TOKEN: 'env-token',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/creds`,
    });

    // Act
    const credentials = await defaultProvider()();

    // Assess: the environment wins; the container endpoint is not asked.
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAENV',
      secretAccessKey: 'env-secret',
      sessionToken: 'env-token',
    });
    expect(requests).toBe(0);
  });

  it('falls back to a container credentials endpoint when the environment has no keys', async () => {
    // Prepare
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/creds`;

    // Act
    const credentials = await defaultProvider()();

    // Assess
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIACONTAINER',
      secretAccessKey: 'container-secret',
      sessionToken: 'container-token',
    });
    expect(requests).toBe(1);
  });

  it('fails with the SDK error when there is neither, and reads no profile', async () => {
    // Prepare: a profile name would send the SDK's full chain to ~/.aws; this chain ignores it.
    process.env.AWS_PROFILE = 'someone';

    // Act
    const result = defaultProvider()();

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CredentialsProviderError',
      message: expect.stringContaining(
        'Unable to find environment variable credentials',
      ) as unknown,
    });
    expect(requests).toBe(0);
  });
});

// A configuration file that extends the demo setup (or another file) and changes only what it
// names, by the rule in the schema's description of `extends`.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ConfigFile, loadConfig } from '../../src/config/index.ts';
import { problemsOf } from '../support/config-problems.ts';

async function directoryWith(files: Record<string, string>): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'grant-lab-extends-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(directory, name), content);
  return directory;
}

const demo = loadConfig({ env: {} });
const load = (config: ConfigFile, env: NodeJS.ProcessEnv = {}) => loadConfig({ env, config });
const clientOf = (config: ReturnType<typeof loadConfig>, id: string) => config.clients.find((client) => client.client_id === id);

describe('a configuration that extends the demo setup', () => {
  it('adds a redirect URI to web-app in a few lines, keeping the other two and every other client', async () => {
    const directory = await directoryWith({
      'idp.yaml': 'extends: default\nclients:\n  - client_id: web-app\n    redirect_uris+: [http://localhost:5173/callback, "{issuer}/extra"]\n',
    });
    const config = loadConfig({ env: { PORT: '4100' }, config: join(directory, 'idp.yaml') });
    expect(clientOf(config, 'web-app')!.redirect_uris).toEqual([
      'http://localhost:4100/playground/web-app/callback',
      'http://localhost:4001/callback',
      'http://localhost:5173/callback',
      'http://localhost:4100/extra',
    ]);
    expect(clientOf(config, 'web-app')!.client_secret).toBe('web-app-secret');
    expect(config.clients.map((client) => client.client_id)).toEqual(demo.clients.map((client) => client.client_id));
    expect(config.users).toEqual(demo.users);
    expect(config.apis[0]!.identifier).toBe('http://localhost:4100/api');
  });

  it('is what the README\'s example does, as written', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /<!-- The block below is loaded as written[^>]*-->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeTruthy();
    const config = loadConfig({ env: {}, config: join(await directoryWith({ 'idp.yaml': example! }), 'idp.yaml') });
    expect(clientOf(config, 'web-app')!.redirect_uris).toEqual([...clientOf(demo, 'web-app')!.redirect_uris!, 'http://localhost:5173/callback']);
    expect(config.clients.map((client) => client.client_id)).toEqual([...demo.clients.map((client) => client.client_id), 'reports-job']);
  });

  it('adds an entry with a new key, and changes one with a known key setting by setting', () => {
    const config = load({
      extends: 'default',
      clients: [{ client_id: 'ci', client_secret: 'ci-secret-value', grant_types: ['client_credentials'], response_types: [], scope: 'read:reports' }],
      users: [{ username: 'Alice', password: 'new-password', claims: { email: 'alice@corp.example' } }, { username: 'carol', password: 'c', claims: { sub: 'carol' } }],
      apis: [{ identifier: '{issuer}/api', accessTokenTtl: 60 }],
    });
    expect(config.clients.map((client) => client.client_id)).toEqual([...demo.clients.map((client) => client.client_id), 'ci']);
    const alice = config.users.find((user) => user.claims.sub === 'alice')!;
    // Usernames match as they sign in: case-insensitively. Objects such as claims merge key by key.
    expect(alice).toMatchObject({ username: 'Alice', password: 'new-password', demo: true });
    expect(alice.claims).toEqual({ ...demo.users[0]!.claims, email: 'alice@corp.example' });
    expect(config.users.map((user) => user.username)).toEqual(['Alice', 'bob', 'carol']);
    expect(config.apis).toEqual([{ ...demo.apis[0], accessTokenTtl: 60 }, ...demo.apis.slice(1)]);
  });

  it('replaces a list given plainly, adds one given with +, never repeats an item, and adds scopes with scope+', () => {
    const config = load({
      extends: 'default',
      clients: [
        { client_id: 'web-app', redirect_uris: ['https://only.example/callback'] },
        { client_id: 'spa', 'redirect_uris+': ['http://localhost:4002/callback', 'http://localhost:4010/callback'], 'scope+': 'openid read:reports' },
        { client_id: 'm2m-cron', 'scope+': 'write:reports' },
      ],
    });
    expect(clientOf(config, 'web-app')!.redirect_uris).toEqual(['https://only.example/callback']);
    expect(clientOf(config, 'spa')!.redirect_uris).toEqual([...clientOf(demo, 'spa')!.redirect_uris!, 'http://localhost:4010/callback']);
    expect(clientOf(config, 'spa')!.scope).toBe(clientOf(demo, 'spa')!.scope);
    expect(clientOf(config, 'm2m-cron')!.scope).toBe('read:reports write:reports');
  });

  it('takes entries out with remove, replaces one removed and listed again, and drops a setting set to null', () => {
    const config = load({
      extends: 'default',
      remove: { clients: ['trusted-app', 'web-app'], users: ['BOB'] },
      clients: [{ client_id: 'web-app', client_secret: 'another-secret', grant_types: ['client_credentials'], response_types: [] }],
      users: [{ username: 'alice', password: null, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g' }],
    } as never);
    expect(config.clients.map((client) => client.client_id)).toEqual(['m2m-cron', 'spa', 'native-app', 'bff', 'login-only', 'device-app', 'partner', 'reports-api', 'web-app']);
    expect(clientOf(config, 'web-app')).toEqual({ client_id: 'web-app', client_secret: 'another-secret', grant_types: ['client_credentials'], response_types: [] });
    expect(config.users.map((user) => user.username)).toEqual(['alice']);
    expect(config.users[0]).not.toHaveProperty('password');
    expect(config.users[0]!.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('replaces the demo setup entirely without extends', () => {
    const config = load({ clients: [{ client_id: 'only', client_secret: 'only-secret-value', grant_types: ['client_credentials'], response_types: [] }] });
    expect(config.clients.map((client) => client.client_id)).toEqual(['only']);
    expect(config.users).toEqual([]);
    expect(config.apis).toEqual([]);
  });

  it('extends a file by a path relative to itself, which may extend the demo setup in turn', async () => {
    const directory = await directoryWith({
      'team.yaml': 'extends: default\nusers:\n  - username: dana\n    password: dana-password\n    claims: { sub: dana }\n',
    });
    const mine = join(await directoryWith({}), 'mine.json');
    await writeFile(mine, JSON.stringify({ extends: join(directory, 'team.yaml'), remove: { users: ['bob'] } }));
    await writeFile(join(directory, 'local.yaml'), 'extends: ./team.yaml\nclients:\n  - client_id: spa\n    client_name: Team SPA\n');
    expect(loadConfig({ env: {}, config: mine }).users.map((user) => user.username)).toEqual(['alice', 'dana']);
    const local = loadConfig({ env: {}, config: join(directory, 'local.yaml') });
    expect(local.users.map((user) => user.username)).toEqual(['alice', 'bob', 'dana']);
    expect(clientOf(local, 'spa')!.client_name).toBe('Team SPA');
  });
});

describe('problems in a configuration that extends another', () => {
  it('are reported where they were written, in the file that extends or in the one extended', async () => {
    const directory = await directoryWith({
      'base.yaml': 'extends: default\nclients:\n  - client_id: web-app\n    grant_types: authorization_code\n',
      'idp.yaml': [
        'extends: ./base.yaml',
        'clients:',
        '  - client_id: web-app',
        '    redirect_uris+: ["https://app.example/callback#done"]',
        '  - client_id: svc',
        '    scope: read:everything',
        'users:',
        '  - username: carol',
        '    password: carol',
        '',
      ].join('\n'),
    });
    const path = join(directory, 'idp.yaml');
    expect(problemsOf({ env: {}, config: path })).toEqual([
      `clients[0].grant_types, in ${join(directory, 'base.yaml')}: must be an array`,
      'clients[0].redirect_uris+[0]: must not contain a fragment (#…)',
      'clients[1].scope: read:everything is neither an OpenID scope nor an API\'s scope',
      'users[0].claims: is required',
    ]);
  });

  it('name what cannot be merged, and a cycle of files', async () => {
    expect(problemsOf({
      env: {},
      config: {
        extends: 'default',
        remove: { clients: ['nobody'], groups: [] },
        clients: [{ client_id: 'web-app', redirect_uris: [], 'redirect_uris+': ['https://x.example/cb'], 'client_name+': ['x'], 'grant_types+': 'password' }],
      } as never,
    })).toEqual([
      'remove.clients[0]: no client "nobody" to remove',
      'remove.groups: is not a list entries can be removed from (clients, users, apis)',
      'clients[0].redirect_uris+: set redirect_uris or add to it with redirect_uris+, not both',
      'clients[0].client_name+: adds to a list, and client_name is not one: set client_name instead',
      'clients[0].grant_types+: must be a list of items to add to grant_types',
    ]);

    const directory = await directoryWith({ 'a.yaml': 'extends: ./b.yaml\n', 'b.yaml': 'extends: a.yaml\n' });
    expect(problemsOf({ env: {}, config: join(directory, 'a.yaml') })).toEqual([
      `extends, in ${join(directory, 'b.yaml')}: "a.yaml" leads back to ${join(directory, 'a.yaml')}: configurations cannot extend each other in a cycle`,
    ]);
    expect(problemsOf({ env: {}, config: { extends: './nowhere.yaml' } })).toEqual([`${join(process.cwd(), 'nowhere.yaml')}: cannot be read (ENOENT)`]);
    expect(problemsOf({ env: {}, config: { extends: 3 } as never })).toEqual(['extends: must be "default" or the path of another configuration file']);
  });
});

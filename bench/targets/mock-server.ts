// The other peer: axa-group's oauth2-mock-server, the mock many test suites use, signing with
// ES256 as Grant Lab's API tokens are. It checks no client and keeps nothing.
//   node bench/targets/mock-server.ts <port>
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.argv[2] ?? 0);
const server = new OAuth2Server();
await server.issuer.keys.generate('ES256');
await server.start(port, '127.0.0.1');
process.stdout.write(`ready http://localhost:${port}\n`);
process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));

// Every route's JSON Schema compiles, though Grant Lab compiles each one only at its route's
// first request (src/http/lazy-validation.ts): a schema Ajv refuses would otherwise surface as a
// failing request long after the start. And the lazy validators refuse what the schemas refuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GrantLab, startGrantLab } from '../../src/start.ts';
import { CONTROL_TOKEN } from '../support/control-plane.ts';

let lab: GrantLab;
beforeAll(async () => {
  // With the control plane on, every route Grant Lab has is registered.
  lab = await startGrantLab({ controlToken: CONTROL_TOKEN });
});
afterAll(() => lab?.close());

describe('route schemas, compiled at first use', () => {
  it('refuse a request their schema refuses, on the first request to the route as on any other', async () => {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await fetch(`${lab.issuer}/_lab/clock`, {
        method: 'POST', headers: { authorization: `Bearer ${CONTROL_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ offsetSeconds: 'soon' }),
      });
      expect(response.status).toBe(400);
    }
  });

  it('all compile: none is left that Ajv would refuse', () => {
    expect(lab.app.grantLab.compileRouteValidators()).toBeGreaterThan(10);
    expect(lab.app.grantLab.compileRouteValidators()).toBe(0);
  });
});

// Fetch Metadata (W3C Fetch Metadata Request Headers): a browser says where a request came
// from in Sec-Fetch-Site. Every state-changing form of Grant Lab's own (sign-in, consent, the
// playground's runs and buttons) refuses one a browser says came from another site.
import type { FastifyRequest } from 'fastify';

/**
 * True when a browser says the request came from another site. The header is absent from
 * non-browser clients, "same-origin" from Grant Lab's own pages, "none" when the user
 * navigated directly: none of those is refused.
 */
export function fromAnotherSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

// The specifications the catalog and the recommender cite, as links a person can follow.

export interface Reference {
  label: string;
  url: string;
}

export const rfc = (number: number, section?: string, anchor?: string): Reference => ({
  label: `RFC ${number}${section ? ` §${section}` : ''}`,
  url: `https://www.rfc-editor.org/rfc/rfc${number}${anchor ? `#${anchor}` : section ? `#section-${section}` : ''}`,
});

export const OIDC_CORE = (section: string, anchor: string): Reference => ({
  label: `OpenID Connect Core §${section}`,
  url: `https://openid.net/specs/openid-connect-core-1_0.html#${anchor}`,
});

export const FORM_POST: Reference = {
  label: 'OAuth 2.0 Form Post Response Mode',
  url: 'https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html',
};

/** OAuth 2.0 for Browser-Based Applications (2026). */
export const BROWSER_BASED_APPS: Reference = rfc(10017);

export const OAUTH_2_1: Reference = {
  label: 'OAuth 2.1 (draft-ietf-oauth-v2-1-16)',
  url: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-16',
};

/** OpenID Connect Client-Initiated Backchannel Authentication Flow, Core 1.0. */
export const CIBA_CORE: Reference = {
  label: 'OpenID Connect CIBA Core 1.0',
  url: 'https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html',
};

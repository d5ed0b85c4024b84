// Where the clients Grant Lab plays live: under /playground/{client_id}/, at the redirect URIs
// config/default.yaml registers for them. The routes, the runners and the in-browser client's
// constants all take these from here.

/** The client's redirect URI: the browser comes back here with the authorization response. */
export const callbackPath = (clientId: string) => `/playground/${clientId}/callback`;
/** The client's post-logout redirect URI (OIDC RP-Initiated Logout). */
export const loggedOutPath = (clientId: string) => `/playground/${clientId}/logged-out`;
/** A redirect URI the client never registered, for the redirect-uri-mismatch breakage. */
export const unregisteredPath = (clientId: string) => `/playground/${clientId}/not-registered`;

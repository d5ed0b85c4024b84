// Endpoint paths. Discovery publishes them; nothing else should hard-code them.
export const ROUTES = {
  authorization: '/authorize',
  token: '/token',
  userinfo: '/userinfo',
  jwks: '/jwks',
  introspection: '/introspect',
  revocation: '/revoke',
  end_session: '/logout',
  registration: '/register',
} as const;

export const INTERACTION_PATH = '/interaction';

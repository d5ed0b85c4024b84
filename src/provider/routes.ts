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
  // RFC 8628 §3.1 and §3.3: the device's request, and the page where the user types its code.
  device_authorization: '/device/auth',
  code_verification: '/device',
} as const;

export const INTERACTION_PATH = '/interaction';

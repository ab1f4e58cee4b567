/**
 * Headers of every web console response: a Content-Security-Policy that allows no script at all
 * and only our own stylesheet, no framing (CSP frame-ancestors and X-Frame-Options), no MIME
 * sniffing, no Referer (a sign-in link's token must not leak to another site), and no caching of
 * pages (they show who is signed in and what they may see); the stylesheet may be cached.
 * The queues board alone gets a policy that lets its own scripts run (QUEUES_CONTENT_SECURITY_POLICY).
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The queues board (bull-board, /web/queues) is a script page of its own: its scripts and styles
 * from its own path, inline styles, its JSON API by fetch, and a `<base href>`. Still nothing from
 * another site (its Google Fonts link is left to fail: the system font is used), no framing.
 */
export const QUEUES_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'";

/** The import page (people-imports.ts) runs its one script, from our own path: a file chooser that fills the text box. */
export const IMPORT_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("default-src 'none';", "default-src 'none'; script-src 'self';");

/** The headers for a response to `path`. */
export function securityHeaders(path: string): Record<string, string> {
  const queues = path === '/web/queues' || path.startsWith('/web/queues/') || path.startsWith('/web/queues?');
  return {
    'content-security-policy': queues ? QUEUES_CONTENT_SECURITY_POLICY : /^\/web\/people\/import(?:[?#]|$)/.test(path) ? IMPORT_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': path.startsWith('/web/assets/') ? 'public, max-age=3600' : 'no-store',
  };
}

/**
 * Headers of every web console response: a Content-Security-Policy that allows no script at all
 * and only our own stylesheet, no framing (CSP frame-ancestors and X-Frame-Options), no MIME
 * sniffing, no Referer (a sign-in link's token must not leak to another site), and no caching of
 * pages (they show who is signed in and what they may see); the stylesheet may be cached.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The headers for a response to `path`. */
export function securityHeaders(path: string): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': path.startsWith('/web/assets/') ? 'public, max-age=3600' : 'no-store',
  };
}

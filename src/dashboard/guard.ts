/**
 * Only the Worker's own files run on the page: no inline script or style,
 * no other origin, no framing, no form posted elsewhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  // Figures are live and per session: nothing may be kept by a shared cache or the back button.
  "Cache-Control": "no-store",
};

/**
 * Every dashboard response, page, file, data or refusal, leaves with these
 * headers. A console's accepted WebSocket leaves as the object answered it:
 * a 101 carries no page, and copying it would lose its socket.
 */
export function secured(response: Response): Response {
  if (response.webSocket !== null) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * Why a change must be refused as cross-site, or undefined when it comes from
 * the dashboard's own page. Browsers send `Sec-Fetch-Site` on every request
 * and `Origin` on every POST; a request with neither did not come from a
 * browser page of ours. A JSON content type cannot be sent cross-site without
 * a CORS preflight, which the dashboard never grants.
 */
export function crossSiteRefusal(request: Request, url: URL): string | undefined {
  const site = request.headers.get("Sec-Fetch-Site");
  const origin = request.headers.get("Origin");
  if (site !== null && site !== "same-origin") return "Changes must come from the dashboard's own page";
  if (site === null && origin !== url.origin) return "Changes must come from the dashboard's own page";
  if (!(request.headers.get("Content-Type") ?? "").toLowerCase().startsWith("application/json")) {
    return "Send changes as application/json";
  }
  return undefined;
}

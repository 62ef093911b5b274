"""The security headers of the Portal's pages, in one place: the deployed site's CloudFront response headers
policy is built from these values (infra/portal_site.py), and the local server sends the headers
`security_headers` gives (tools/kairos_local/portal_site.py).

The local server speaks plain HTTP, where two of them mean nothing or harm: browsers ignore
Strict-Transport-Security over HTTP, and `upgrade-insecure-requests` would send the page's own requests
to an HTTPS port that is not there (Safari does so even for 127.0.0.1, any browser for another address).
Over HTTP both are left out; everything else is the same."""

HSTS_MAX_AGE_SECONDS = 730 * 24 * 60 * 60
HSTS_INCLUDE_SUBDOMAINS = True
FRAME_OPTIONS = "DENY"
REFERRER_POLICY = "strict-origin-when-cross-origin"


def content_security_policy(api_origin: str, https: bool = True) -> str:
    """Scripts, styles and everything else from the site itself only (no inline script, no eval); the
    app's requests go to the site (config.json) and the API; no framing, no plugins."""
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        f"connect-src 'self' {api_origin}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if https:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


def security_headers(api_origin: str, https: bool = True) -> dict[str, str]:
    """The headers, named and written as CloudFront sends them for the policy."""
    headers = {
        "content-security-policy": content_security_policy(api_origin, https),
        "x-content-type-options": "nosniff",
        "x-frame-options": FRAME_OPTIONS,
        "referrer-policy": REFERRER_POLICY,
    }
    if https:
        subdomains = "; includeSubDomains" if HSTS_INCLUDE_SUBDOMAINS else ""
        headers["strict-transport-security"] = f"max-age={HSTS_MAX_AGE_SECONDS}{subdomains}"
    return headers

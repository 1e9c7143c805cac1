from django.conf import settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """CSP without inline scripts on every response; no caching of pages a logged-in user sees.

    Pages for logged-in users show personal data (NIK, health, photos): browsers and proxies
    must not keep them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
        is_static = request.path.startswith("/" + settings.STATIC_URL.lstrip("/"))
        user = getattr(request, "user", None)
        if not is_static and user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response

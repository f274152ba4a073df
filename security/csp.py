"""Pages whose policy differs from the site's (settings.CONTENT_SECURITY_POLICY)."""

from csp.constants import NONCE
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularRedocView

# Redoc adds <style> elements while it runs: they get the page's nonce (see
# pianozona/static/pianozona/js/redoc-init.js). One stylesheet, perfect-scrollbar's, is
# added as the bundle loads, before any nonce is known: it is allowed by its hash, which
# the browser test (tests/security/test_browser_security.py) checks on every upgrade of
# drf-spectacular-sidecar; so is an empty <style> created at the same moment, which
# styled-components then fills through the CSSOM (not governed by the CSP). Scripts stay
# 'self' only.
REDOC_STYLE_HASHES = [
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # perfect-scrollbar's CSS
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # the empty string
]


def redoc_view(**kwargs):
    view = SpectacularRedocView.as_view(**kwargs)
    return csp_update({"style-src": [NONCE, *REDOC_STYLE_HASHES]})(view)

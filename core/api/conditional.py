"""ETag on every read, so that a script pulling the same page again gets a bodiless 304."""

import hashlib
from functools import partial

from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe


def _make_conditional(request, response):
    # Hashing the rendered bytes is always right, whatever the nested totals depend on:
    # a timestamp of one table could not see a change in the lines under an objective.
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
    response["ETag"] = etag
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    return get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )


class ConditionalGetMixin:
    """Adds ETag (and honours If-None-Match / If-Modified-Since) to successful reads."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            # Responses are per user: shared caches must not keep them, clients must revalidate.
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
            response.add_post_render_callback(partial(_make_conditional, request._request))
        return response

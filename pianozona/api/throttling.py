from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle


class TokenRateThrottle(UserRateThrottle):
    """Requests per hour per user (that is, per API token), from ``API_THROTTLE_RATE``.

    The rate is read at every request rather than at import, so that settings overrides
    (and a test that lowers it) take effect.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

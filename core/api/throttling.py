from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle


class TokenThrottled(Throttled):
    # DRF's own Italian is half translated ("…(throttled). Expected available in…").
    default_detail = "Troppe richieste con queste credenziali."
    extra_detail_singular = "Riprova tra {wait} secondo."
    extra_detail_plural = "Riprova tra {wait} secondi."


class TokenRateThrottle(UserRateThrottle):
    """Requests per hour per user (that is, per API token), from ``API_THROTTLE_RATE``.

    The rate is read at every request rather than at import, so that settings overrides
    (and a test that lowers it) take effect. Anonymous calls (the token endpoint) are
    counted per IP address.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if super().allow_request(request, view):
            return True
        # Raised here rather than by the view, to answer in Italian; DRF still sends 429
        # with a Retry-After header.
        raise TokenThrottled(wait=self.wait(), detail=(
            f"Troppe richieste con queste credenziali: il limite è di {italian_rate(self.rate)}."
        ))


PERIODS = {"s": "al secondo", "m": "al minuto", "h": "all'ora", "d": "al giorno"}


def italian_rate(rate):
    """``"10000/hour"`` -> ``"10000 richieste all'ora"``."""
    count, period = rate.split("/")
    return f"{count} richieste {PERIODS.get(period[:1], 'per ' + period)}"

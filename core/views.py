from django.db import connection, transaction
from django.http import JsonResponse


@transaction.non_atomic_requests
def healthz(request):
    """Liveness for load balancers and compose: the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return JsonResponse({"database": "non raggiungibile"}, status=503)
    return JsonResponse({"database": "ok"})

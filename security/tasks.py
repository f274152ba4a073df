from celery import shared_task


@shared_task(name="pianozona.prune_login_records")
def prune_login_records():
    """Delete login records older than the retention the privacy notice promises."""
    from .retention import login_records_prune

    return login_records_prune()

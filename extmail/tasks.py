"""Background jobs, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task

from . import services


@task()
def connection_check(check_id: str) -> str:
    # The argument is the check's id only: passwords are read from the encrypted row.
    return services.execute_check(check_id=check_id)


@task()
def hash_imported_passwords(batch_id: str) -> int:
    # The batch id only says which import asked; every waiting password is hashed.
    return services.hash_pending_passwords()


@task()
def check_imported_linkages(batch_id: str) -> int:
    return services.check_imported_linkages(batch_pk=batch_id)


@task()
def fetch_linkages(linkage_ids: list[str]) -> list[str]:
    """A round of fetching: several linkages, a capped number at a time."""
    from .fetch.runner import fetch_many

    return [o.status for o in fetch_many(linkage_ids)]

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

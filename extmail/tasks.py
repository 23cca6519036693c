"""Background jobs, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task

from . import services


@task()
def connection_check(check_id: str) -> str:
    # The argument is the check's id only: passwords are read from the encrypted row.
    return services.execute_check(check_id=check_id)

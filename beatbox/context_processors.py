from django.conf import settings
from django.http import HttpRequest


def box(request: HttpRequest) -> dict:
    return {"BOX_HOSTNAME": settings.BEATBOX_HOSTNAME, "BOX_DOMAIN": settings.BEATBOX_DOMAIN}

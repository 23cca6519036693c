"""Owner-scoped lookups: the only way views reach linkages, drafts and checks.

Another user's object is simply not found (404), never "forbidden", so ids reveal nothing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import ConnectionCheck, Linkage, LinkageDraft


def linkages_of(*, owner) -> QuerySet[Linkage]:
    return Linkage.objects.filter(owner=owner).select_related("mailbox").order_by("created_at")


def linkage_of(*, owner, pk: uuid.UUID) -> Linkage:
    try:
        return Linkage.objects.get(owner=owner, pk=pk)
    except Linkage.DoesNotExist:
        raise Http404 from None


def draft_of(*, owner, pk: uuid.UUID) -> LinkageDraft:
    try:
        return LinkageDraft.objects.select_related("started_check", "target").get(
            owner=owner, pk=pk)
    except LinkageDraft.DoesNotExist:
        raise Http404 from None


def check_of(*, owner, linkage_pk: uuid.UUID, pk: uuid.UUID) -> ConnectionCheck:
    try:
        return ConnectionCheck.objects.select_related("linkage").get(
            linkage__owner=owner, linkage__pk=linkage_pk, pk=pk)
    except ConnectionCheck.DoesNotExist:
        raise Http404 from None


def address_conflict(*, owner, address: str, exclude: Linkage | None = None) -> str | None:
    """Why `owner` cannot have another linkage for `address`, or None."""
    mine = Linkage.objects.filter(owner=owner)
    if exclude is not None:
        mine = mine.exclude(pk=exclude.pk)
    if mine.filter(mail_address__iexact=address).exists():
        return _("You already have an external mail linkage for this address.")
    domain = address.rpartition("@")[2].lower()
    customer = settings.BEATBOX_DOMAIN
    if domain == customer and any(
        a.rpartition("@")[2].lower() == customer
        for a in mine.values_list("mail_address", flat=True)
    ):
        return _("Each user can link only one address in the customer domain (%(domain)s).") % {
            "domain": customer}
    return None


def latest_check(*, linkage: Linkage) -> ConnectionCheck | None:
    return linkage.checks.order_by("-created_at").first()

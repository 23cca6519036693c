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
    return conflict_reason(mine.values_list("mail_address", flat=True), address)


def conflict_reason(existing, address: str) -> str | None:
    """The per-user address rules of DESIGN §6 over the user's other addresses `existing`:
    one linkage per address, and one address in the customer domain."""
    customer = settings.BEATBOX_DOMAIN
    lowered = address.lower()
    domain = lowered.rpartition("@")[2]
    in_customer_domain = False
    for other in existing:
        if other.lower() == lowered:
            return _("You already have an external mail linkage for this address.")
        in_customer_domain |= other.lower().rpartition("@")[2] == customer
    if domain == customer and in_customer_domain:
        return _("Each user can link only one address in the customer domain (%(domain)s).") % {
            "domain": customer}
    return None


def latest_check(*, linkage: Linkage) -> ConnectionCheck | None:
    return linkage.checks.order_by("-created_at").first()


def fetch_summary(*, linkage: Linkage) -> dict:
    """What 状況確認 shows about fetching: times, counts, last error, next poll."""
    from django.utils import timezone

    from .models import FetchedMessage, FetchState

    state = FetchState.objects.filter(linkage=linkage).first()
    messages = FetchedMessage.objects.filter(linkage=linkage)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "state": state,
        "total": messages.filter(status="delivered").count(),
        "today": messages.filter(status="delivered", fetched_at__gte=today).count(),
        "quarantined": messages.filter(status="quarantined").count(),
        "set_aside": messages.filter(status="set_aside").count(),
    }

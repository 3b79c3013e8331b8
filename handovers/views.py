"""The public page of handovers: verifying a pack."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaigns.http import allow

from . import services
from .forms import VerifyForm
from .models import Handover


@allow("GET")
def verify(request: HttpRequest) -> HttpResponse:
    """Check a pack's fingerprint: the case, the count and the date; never a name."""
    if "fingerprint" not in request.GET:
        return render(request, "handovers/verify.html", {"form": VerifyForm()})
    form = VerifyForm(request.GET)
    if not form.is_valid():
        return render(request, "handovers/verify.html", {"form": form}, status=400)
    pack = services.find_pack(form.cleaned_data["fingerprint"])
    if pack is None:
        context = {"form": form, "unknown": True}
        return render(request, "handovers/verify.html", context, status=404)
    handed = Handover.objects.filter(fingerprint=pack.fingerprint).select_related("recipient")
    context = {"form": form, "pack": pack, "action": pack.action, "handovers": handed}
    return render(request, "handovers/verify.html", context)

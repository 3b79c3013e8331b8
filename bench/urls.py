"""Production's URLconf plus one route: the minimal view each bench is measured against.

/__bench__/minimal/ answers b"ok" through the whole middleware stack: the least a
request can cost this site, and so the yardstick for what a page or a signature costs
(bench/_minimal.py).

config.urls' patterns are copied, not include()d: i18n_patterns work only at the top of
the root URLconf, and cms.cache reads the top-level prefixes (admin/, api/v1/, …) to
know which requests skip the page cache. Both see the same list as in production, with
the bench's route in front.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_patterns


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok")


urlpatterns = [path("__bench__/minimal/", minimal, name="bench_minimal"), *site_patterns]

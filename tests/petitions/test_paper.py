import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from petitions import counts, paper
from petitions.models import PaperSignature
from tests.factories import PaperSignatureFactory, PaperTallyFactory, UrgentActionFactory

pytestmark = pytest.mark.django_db

URL = "/admin/petitions/paper-import/"


def upload(client, action, content: bytes, name="cards.csv", batch=""):
    return client.post(
        URL,
        {
            "action": action.pk,
            "batch": batch,
            "file": SimpleUploadedFile(name, content, "text/csv"),
        },
    )


def test_paper_count_adds_tallies_and_named_signatures_and_is_cached(
    django_assert_num_queries,
):
    action = UrgentActionFactory()
    PaperTallyFactory(action=action, count=25)
    PaperTallyFactory(action=action, count=10)
    PaperSignatureFactory.create_batch(3, action=action)
    PaperTallyFactory(count=999)  # another case

    with django_assert_num_queries(2):
        assert counts.paper_count(action.pk) == 38
    with django_assert_num_queries(0):
        assert counts.paper_count(action.pk) == 38


def test_a_valid_file_is_imported_whole_and_counted(organizer_client):
    action = UrgentActionFactory()
    assert counts.paper_count(action.pk) == 0  # cached now; the import must forget it
    content = (
        "\ufeffName,Country,City,collected_on\n"
        "Ana López,CA,Ottawa,2026-11-20\n"
        "Juan Pérez,Mexico,,\n"
        "\n"
        "Marie Curie,fr,Paris,\n"
    ).encode()

    response = upload(organizer_client, action, content, batch="Ottawa stall")

    assert response.status_code == 302
    assert response["Location"] == f"/admin/petitions/report/{action.pk}/"
    rows = list(PaperSignature.objects.order_by("name").values_list("name", "country", "batch"))
    assert rows == [
        ("Ana López", "CA", "Ottawa stall"),
        ("Juan Pérez", "MX", "Ottawa stall"),
        ("Marie Curie", "FR", "Ottawa stall"),
    ]
    assert counts.paper_count(action.pk) == 3


def test_one_bad_row_imports_nothing_and_every_problem_is_reported(organizer_client):
    action = UrgentActionFactory()
    content = (
        "name,country,city\n"
        "Ana López,CA,Ottawa\n"  # row 2: fine
        ",CA,Ottawa\n"  # row 3: no name
        "Juan,Atlantis,\n"  # row 4: no such country
        "Eve\x07,CA,\n"  # row 5: control character
        f"{'x' * 121},CA,\n"  # row 6: too long
        "=cmd|calc,CA,\n"  # row 7: fine as data; shown safely in the CSV report
        "Bob,,\n"  # row 8: no country
    ).encode()

    response = upload(organizer_client, action, content)

    assert response.status_code == 400
    assert not PaperSignature.objects.exists()
    report = response.context["report"]
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "name"),
        (4, "country"),
        (5, "name"),
        (6, "name"),
        (8, "country"),
    ]
    page = response.content.decode()
    assert "Nothing was imported" in page and "the name is missing" in page


def test_the_report_as_csv_neutralises_what_the_file_held():
    report = paper.read_paper_csv(b"name,country\nAna,=1+1\n")
    assert not report.is_valid
    assert "'=1+1" in report.as_csv()
    assert report.as_csv().splitlines()[0] == "row,column,problem,value"


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        ("name;country\nAna;CA\n".encode("utf-16"), 400, "not UTF-8"),
        (b"full_name,town\nAna,Ottawa\n", 400, "missing: name, country"),
        (b"name,country\n", 400, "no signatures"),
        (b"", 400, "empty"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(
    organizer_client, content, status, message
):
    action = UrgentActionFactory()
    response = upload(organizer_client, action, content)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not PaperSignature.objects.exists()


def test_a_file_too_large_is_refused(organizer_client, monkeypatch):
    monkeypatch.setattr(paper, "MAX_BYTES", 100)
    action = UrgentActionFactory()
    response = upload(organizer_client, action, b"name,country\n" + b"Ana,CA\n" * 50)
    assert response.status_code == 413
    assert not PaperSignature.objects.exists()


def test_importing_needs_the_permission(client):
    from tests.factories import UserFactory

    user = UserFactory()
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    action = UrgentActionFactory()
    assert upload(client, action, b"name,country\nAna,CA\n").status_code == 403
    assert not PaperSignature.objects.exists()

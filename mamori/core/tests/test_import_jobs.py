"""A large file is imported by a worker, all or nothing as ever, with its progress shown to
the uploader only (core.imports)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from mamori.core.models import ChangeLogEntry, ImportJob
from mamori.org.models import Person


def people_csv(org, rows, bad_row=None):
    lines = ["employee_no,name,category,department,status"]
    for i in range(1, rows + 1):
        category = "nonsense" if i == bad_row else "employee"
        lines.append(f"BG-{i:03d},背景 {i},{category},{org.sales.code},active")
    return SimpleUploadedFile("people.csv", "\n".join(lines).encode(), "text/csv")


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_a_large_file_is_imported_by_a_worker_with_progress_for_the_uploader(org, settings):
    settings.MAMORI_IMPORT_BACKGROUND_ROWS = 5
    client = org.client("admin")
    response = client.post("/org/people/import/", {"file": people_csv(org, 12)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert (job.status, job.total) == ("queued", 12)
    assert DBTaskResult.objects.get().task_path == "mamori.core.imports.run_import"
    assert not Person.objects.filter(employee_no__startswith="BG-").exists()
    page = client.get(f"/imports/{job.pk}/")
    assert page.status_code == 200 and page.context["running"]
    assert b'http-equiv="refresh"' in page.content
    for other in ("ciso", "staff"):  # someone else's job is not found
        assert org.client(other).get(f"/imports/{job.pk}/").status_code == 404

    call_command("worker", "--batch", "--no-startup-delay")
    job.refresh_from_db()
    assert (job.status, job.created, job.updated, job.checked) == ("done", 12, 0, 12)
    assert job.content == b""  # the file is not kept
    assert Person.objects.filter(employee_no__startswith="BG-").count() == 12
    entry = ChangeLogEntry.objects.filter(model="org.person", action="create").order_by(
        "seq").last()
    assert (entry.actor_id, entry.source) == (org.users["admin"].pk, "import")
    page = client.get(f"/imports/{job.pk}/")
    assert not page.context["running"] and b'http-equiv="refresh"' not in page.content
    assert page.context["list_url"] == "/org/people/"
    # Run again (a worker died after the commit, say): nothing happens twice.
    from mamori.core.imports import run_import

    assert run_import.call(job.pk) == {}
    assert Person.objects.filter(employee_no__startswith="BG-").count() == 12


@pytest.mark.django_db
def test_a_large_file_with_an_error_imports_nothing_and_names_the_row(org, settings):
    settings.MAMORI_IMPORT_BACKGROUND_ROWS = 5
    client = org.client("admin")
    # The worker reports in the uploader's language (English here; Japanese by default).
    client.post("/org/people/import/", {"file": people_csv(org, 12, bad_row=7)},
                HTTP_ACCEPT_LANGUAGE="en")
    job = ImportJob.objects.get()
    assert job.language == "en"
    from mamori.core.imports import run_import

    result = run_import.call(job.pk)
    assert result["errors"] == 1
    job.refresh_from_db()
    assert job.status == "failed"
    [error] = job.errors
    assert error.startswith("Row 7, Category:")
    assert not Person.objects.filter(employee_no__startswith="BG-").exists()
    page = client.get(f"/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Row 7, Category:" in page.content.decode()


@pytest.mark.django_db
def test_small_files_are_still_imported_in_the_request(org, settings):
    settings.MAMORI_IMPORT_BACKGROUND_ROWS = 50
    response = org.client("admin").post("/org/people/import/", {"file": people_csv(org, 12)})
    assert response.status_code == 302 and response["Location"] == "/org/people/"
    assert not ImportJob.objects.exists()
    assert Person.objects.filter(employee_no__startswith="BG-").count() == 12


def assets_csv(org, rows):
    lines = ["code,name_ja,asset_type,department,status,confidentiality,integrity,availability"]
    lines += [f"BGA-{i:06d},資産 {i},system,{org.sales.code},in_use,{i % 3 + 1},1,1"
              for i in range(1, rows + 1)]
    return "\n".join(lines).encode()


def test_a_file_of_100000_rows_is_taken_and_one_more_row_is_refused():
    from mamori.core import io

    header = "code,name_ja\n"
    rows = "".join(f"C{i},n\n" for i in range(io.MAX_IMPORT_ROWS))
    assert io.MAX_IMPORT_ROWS == 100_000
    taken = io.read_dataset(SimpleUploadedFile("a.csv", (header + rows).encode()))
    assert len(taken) == 100_000
    with pytest.raises(io.ImportFileError):
        io.read_dataset(SimpleUploadedFile("a.csv", (header + rows + "X,n\n").encode()))


@pytest.mark.django_db(transaction=True)
def test_a_large_asset_file_is_written_by_the_worker_in_batches(org, settings):
    settings.MAMORI_IMPORT_BACKGROUND_ROWS = 5
    client = org.client("admin")
    upload = SimpleUploadedFile("assets.csv", assets_csv(org, 2500), "text/csv")
    response = client.post("/assets/register/import/", {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.total == 2500

    call_command("worker", "--batch", "--no-startup-delay")

    job.refresh_from_db()
    assert (job.status, job.created, job.checked) == ("done", 2500, 2500), job.errors
    from mamori.assets.models import Asset

    labels = dict(Asset.objects.filter(code__startswith="BGA-").values_list(
        "code", "classification__code"))
    assert len(labels) == 2500
    assert labels["BGA-000001"] == "internal" and labels["BGA-000002"] == "confidential"
    assert ChangeLogEntry.objects.filter(model="assets.asset", action="create",
                                         source="import").count() == 2500

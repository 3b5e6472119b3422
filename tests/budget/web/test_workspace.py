"""The editors' workspace: upload, report, preview, publish or cancel, versions and rollback."""

import io
import re

import pytest
import sqlalchemy as sa

from budget import pending as pending_uploads
from core.schema import audit_log, versions
from tests.helpers import GOOD_ROWS, budget_csv, csrf_token

BAD_ROWS = (
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;=1+1;",
    "T2;Мектеп;Школа;school;43,297;68,2518;2025;capital_repair;100;@SUM(A1)",
)
CHANGED_ROW = "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;777 000 000;"


pytestmark = pytest.mark.usefixtures("english")


def text(response) -> str:
    return response.get_data(as_text=True)


def upload(client, content: bytes, name: str = "budget.csv", mode: str | None = None):
    data = {"csrf_token": csrf_token(client, "/admin/upload"), "file": (io.BytesIO(content), name)}
    return client.post("/admin/upload", data=data | ({"mode": mode} if mode else {}))


def upload_id_of(response) -> int:
    assert response.status_code == 302, text(response)
    return int(re.fullmatch(r"/admin/uploads/(\d+)", response.headers["Location"]).group(1))


def post(client, path: str, data: dict | None = None, page: str = "/admin/upload"):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})})


def public_totals(client) -> str:
    return text(client.get("/facilities?year=2025"))


def test_upload_page_has_the_form_templates_and_progress(editor):
    page = text(editor.get("/admin/upload"))
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page and 'name="csrf_token"' in page
    assert 'accept=".csv,.xlsx"' in page and "<progress" in page and re.search(r"js/upload(\.[0-9a-f]+)?\.js", page)
    assert 'href="/budget-template.xlsx"' in page and 'href="/budget-template.csv"' in page


def test_a_bad_file_gets_a_report_of_every_row_and_a_csv_download(editor):
    upload_id = upload_id_of(upload(editor, budget_csv(*BAD_ROWS), "bad.csv"))
    page = text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "The file has errors, so it cannot be published." in page
    assert "=1+1 is not a number." in page and "@SUM(A1) is not a number." in page
    assert re.search(r'<td class="num"[^>]*>2</td>\s*<td[^>]*>amount_allocated</td>', page)
    assert re.search(r'<td class="num"[^>]*>3</td>\s*<td[^>]*>amount_paid</td>', page)
    assert ">Publish<" not in page and f'href="/admin/uploads/{upload_id}/report.csv"' in page
    assert 'href="/budget-template.xlsx"' in page

    report = editor.get(f"/admin/uploads/{upload_id}/report.csv")
    assert report.mimetype == "text/csv" and "attachment" in report.headers["Content-Disposition"]
    body = report.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == "Severity,Row,Column,Value,Message"
    assert lines[1] == "Error,2,amount_allocated,'=1+1,'=1+1 is not a number."
    assert lines[2] == "Error,3,amount_paid,'@SUM(A1),'@SUM(A1) is not a number."


def test_the_report_is_in_the_officials_language(editor):
    upload_id = upload_id_of(upload(editor, budget_csv(*BAD_ROWS)))
    editor.get("/language/ru")
    page = text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "=1+1 не является числом." in page


def test_a_good_file_shows_a_preview_and_publishing_makes_it_public(editor, engine, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    upload_id = upload_id_of(upload(editor, budget_csv(CHANGED_ROW), mode="replace"))
    page = text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "What publishing changes" in page and "Changed budget lines: 1" in page
    assert "Removed budget lines: 1" in page  # S1's 2025 line: the year is replaced
    assert "125,000,001\u00a0₸ → 777,000,000\u00a0₸" in page and "Totals by district, 2025" in page
    assert page.count(">Publish<") == 2 and page.count(">Cancel<") == 2  # at the top and the bottom
    assert "777" not in public_totals(editor)  # a pending upload is never public

    refused = post(editor, f"/admin/uploads/{upload_id}/publish")  # half of 2025's lines would go
    assert refused.headers["Location"] == f"/admin/uploads/{upload_id}"
    assert "Tick the box that confirms the removal" in text(editor.get(f"/admin/uploads/{upload_id}"))
    response = post(editor, f"/admin/uploads/{upload_id}/publish", {"confirm_removal": "yes"})
    assert response.headers["Location"] == "/admin/versions"
    assert "It is now on the public map." in text(editor.get("/admin/versions"))
    assert "777,000,000" in public_totals(editor)
    assert "Published as version 2" in text(editor.get(f"/admin/uploads/{upload_id}"))
    with engine.connect() as connection:
        actions = connection.execute(sa.select(audit_log.c.action, audit_log.c.actor)
                                     .where(audit_log.c.actor == "aigul", audit_log.c.action != "login")
                                     .order_by(audit_log.c.id)).all()
    assert actions == [("upload", "aigul"), ("publish", "aigul"), ("upload_publish", "aigul")]


def test_cancel_publishes_nothing_and_keeps_the_upload(editor, engine):
    upload_id = upload_id_of(upload(editor, budget_csv(*GOOD_ROWS)))
    response = post(editor, f"/admin/uploads/{upload_id}/cancel")
    assert response.headers["Location"] == f"/admin/uploads/{upload_id}"
    page = text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "The upload was cancelled; nothing was published." in page and ">Publish<" not in page
    post(editor, f"/admin/uploads/{upload_id}/publish")
    assert "already been published or cancelled" in text(editor.get(f"/admin/uploads/{upload_id}"))
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(versions)).scalar() == 0
        assert pending_uploads.get(connection, upload_id)["status"] == "cancelled"
        assert connection.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id.desc())).scalar() \
            == "upload_cancel"
    assert "Школа №1" not in public_totals(editor)


def test_a_stale_preview_asks_to_check_again(editor, publish_csv):
    upload_id = upload_id_of(upload(editor, budget_csv(CHANGED_ROW)))
    publish_csv(budget_csv(*GOOD_ROWS))
    post(editor, f"/admin/uploads/{upload_id}/publish")
    assert "Upload the file again to check it" in text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "777,000,000" not in public_totals(editor)


def test_a_too_large_file_gets_a_clear_message(app, editor):
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    body = b"x" * (3 * 1024 * 1024)  # raw bytes: the test client spools dict uploads to a temp file
    response = editor.post("/admin/upload", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert "The file is too large: at most 2 MB can be uploaded." in text(response)


def test_wrong_extension_and_missing_file_are_explained(editor):
    response = upload(editor, b"a,b", "budget.txt")
    assert response.status_code == 400 and "Only .csv and .xlsx files are accepted." in text(response)
    response = post(editor, "/admin/upload")
    assert response.status_code == 400 and "Choose a file to upload." in text(response)


def test_every_workspace_form_needs_its_csrf_token(editor, engine, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    upload_id = upload_id_of(upload(editor, budget_csv(CHANGED_ROW)))
    assert editor.post("/admin/upload", data={"file": (io.BytesIO(budget_csv(*GOOD_ROWS)), "b.csv")}).status_code == 400
    for path in (f"/admin/uploads/{upload_id}/publish", f"/admin/uploads/{upload_id}/cancel",
                 "/admin/versions/1/rollback"):
        assert editor.post(path, data={"confirm": "yes"}).status_code == 400, path
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(versions)).scalar() == 1
        assert pending_uploads.get(connection, upload_id)["status"] == "pending"


def test_history_diff_and_rollback_with_confirmation(editor, engine, publish_csv):
    first = publish_csv(budget_csv(*GOOD_ROWS), actor="akimat:first")
    second = publish_csv(budget_csv(CHANGED_ROW), actor="akimat:second")
    page = text(editor.get("/admin/versions"))
    assert f'href="/admin/versions/{second}"' in page and "akimat:second" in page and "test.csv" in page
    assert f'href="/admin/versions/{first}/rollback"' in page
    diff = text(editor.get(f"/admin/versions/{second}"))
    assert f"Compared with version {first}." in diff and "Changed budget lines: 1" in diff
    assert "125,000,001\u00a0₸ → 777,000,000\u00a0₸" in diff
    assert "New budget lines: 3" in text(editor.get(f"/admin/versions/{first}"))
    assert editor.get("/admin/versions/99").status_code == 404

    confirm = text(editor.get(f"/admin/versions/{first}/rollback"))
    assert 'type="checkbox" name="confirm"' in confirm
    refused = post(editor, f"/admin/versions/{first}/rollback", page="/admin/versions")
    assert refused.status_code == 400 and "Tick the box to confirm the rollback." in text(refused)
    assert "777,000,000" in public_totals(editor)

    done = post(editor, f"/admin/versions/{first}/rollback", {"confirm": "yes"}, page="/admin/versions")
    assert done.headers["Location"] == "/admin/versions"
    page = text(editor.get("/admin/versions"))
    assert f"the data of version {first} again" in page and f"rollback to version {first}" in page
    assert "777,000,000" not in public_totals(editor) and "125,000,001" in public_totals(editor)
    with engine.connect() as connection:
        kinds = connection.execute(sa.select(versions.c.kind).order_by(versions.c.id)).scalars().all()
        last = connection.execute(sa.select(audit_log.c.action, audit_log.c.actor)
                                  .order_by(audit_log.c.id.desc())).first()
    assert kinds == ["import", "import", "rollback"] and tuple(last) == ("rollback", "aigul")


def test_user_text_is_escaped(editor):
    upload_id = upload_id_of(upload(editor, budget_csv(
        "<b>X</b>;<i>n</i>;<i>n</i>;school;43,297;68,2518;2025;capital_repair;<script>;"), "<b>f</b>.csv"))
    page = text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>f</b>" not in page

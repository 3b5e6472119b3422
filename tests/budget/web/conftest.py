"""The workspace tests' editor: logged in as a browser does it, pages in English."""

import pytest

from tests.helpers import login


@pytest.fixture()
def english(app):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


@pytest.fixture()
def editor(client, make_user, english):
    make_user("aigul", "editor")
    assert login(client, "aigul").status_code == 302
    return client

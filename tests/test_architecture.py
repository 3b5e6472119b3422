"""The layout the project keeps (docs/architecture.md): no import cycle, small modules.

The package-level rules (layers, Flask only in web parts) are import-linter contracts in
pyproject.toml, run by `make test`; the two rules here are finer than a contract can say.
"""

import grimp
import pytest

from tests.helpers import PROJECT_DIR

PACKAGES = ("core", "accounts", "budget", "explore", "feedback", "opendata", "risk", "geo", "map_builder", "web")
MAX_LINES = 400


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)


def test_no_import_cycle_among_the_project_modules(graph):
    """Imports inside functions count too: grimp reads every import statement of a module."""
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.chain_exists(importer=imported, imported=module):
                cycles.append(graph.find_shortest_chain(importer=imported, imported=module) + (imported,))
    assert cycles == []


def test_function_level_imports_are_seen(tmp_path, monkeypatch):
    """The check above would be blind to an import inside a function if grimp skipped them."""
    package = tmp_path / "probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def later():\n    from probe import b\n")
    (package / "b.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    probe = grimp.build_graph("probe", cache_dir=None)
    assert probe.direct_import_exists(importer="probe.a", imported="probe.b")


def project_modules():
    for package in (*PACKAGES, "tests", "bench"):
        for path in sorted((PROJECT_DIR / package).rglob("*.py")):
            if "migrations/versions" not in path.as_posix() and "node_modules" not in path.parts:
                yield path
    yield PROJECT_DIR / "app.py"


def test_no_module_is_over_400_lines():
    long = {str(path.relative_to(PROJECT_DIR)): n for path in project_modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}

"""The geography is read once per process, and again as soon as one of its files changes."""

import os
import shutil

import pytest

from geo.boundaries import BOUNDARIES_DIR, POPULATION_FILE, BoundaryError
from web.boot import geography_of


def test_the_same_files_are_read_once_and_a_changed_file_again(tmp_path):
    folder = tmp_path / "boundaries"
    shutil.copytree(BOUNDARIES_DIR, folder)
    first = geography_of(folder)
    assert geography_of(folder) is first
    population = folder / POPULATION_FILE
    lines = population.read_text(encoding="utf-8").splitlines(keepends=True)
    population.write_text("".join(lines[:-1]), encoding="utf-8")  # one district loses its figure
    stat = population.stat()
    os.utime(population, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    with pytest.raises(BoundaryError, match="No population figure"):
        geography_of(folder)

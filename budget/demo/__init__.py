"""The bundled demo data set: a deterministic, safe-to-publish budget table of Turkestan region.

``table.generate`` builds it from ``facilities``, ``lines``, ``anomalies`` and ``contractors``;
``csv_file.write_csv`` writes the committed ``data/demo/budget_demo.csv``
(``flask demo generate`` or ``python -m budget.demo``).
"""

"""``python -m budget.demo``: regenerate the committed demo CSV."""

from budget.demo.csv_file import write_csv

if __name__ == "__main__":
    print(f"Wrote {write_csv()}")

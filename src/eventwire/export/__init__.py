"""Event data out of the store in the formats analysts load: GDELT 2.0, PLOVER JSONL, Parquet and CSV.

Everything lives in `writers` (see its docstring for what each format holds); these are its public names.
"""
from .writers import (
    FORMATS,
    SIDECAR_SUFFIX,
    export,
    fraction_date,
    gdelt_column_names,
    gdelt_columns,
    gdelt_rows,
    known_group,
    neutralise_cell,
    neutralise_sql,
    plover_record,
    plover_records,
    sidecar_path,
    write_csv,
    write_gdelt,
    write_plover,
    write_table,
)

__all__ = ["FORMATS", "SIDECAR_SUFFIX", "export", "fraction_date", "gdelt_column_names", "gdelt_columns",
           "gdelt_rows", "known_group", "neutralise_cell", "neutralise_sql", "plover_record", "plover_records",
           "sidecar_path", "write_csv", "write_gdelt", "write_plover", "write_table"]
